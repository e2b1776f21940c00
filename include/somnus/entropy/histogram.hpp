// SPDX-License-Identifier: MIT
// Entropy of a weight distribution: the values are counted in a fixed-bin
// histogram over [lo, hi) (values below lo fall in the first bin, values at
// or above hi in the last, NaN is skipped) and any entropy_estimator turns
// the counts into an entropy. Fixed bins, not data-dependent ones, so that
// entropies before and after sleep or training are comparable.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/memory.hpp"

namespace somnus {

struct fixed_bins {
    double lo = 0.0;
    double hi = 1.0;
    std::size_t bins = 32;

    void validate() const
    {
        detail::require(bins > 0, "fixed_bins: need at least one bin");
        detail::checked_elements("fixed_bins: bins", bins, 1, sizeof(std::uint64_t));
        detail::require(std::isfinite(lo) && std::isfinite(hi) && lo < hi, "fixed_bins: need finite lo < hi, got [{}, {})", lo, hi);
        // A width or a bins-per-unit scale that overflows would put every
        // value in one bin.
        detail::require(std::isfinite(hi - lo) && std::isfinite(double(bins) / (hi - lo)),
                        "fixed_bins: the range [{}, {}) in {} bins has a width or bin scale that overflows a double", lo, hi, bins);
    }
};

/// Counts of `values` in the bins of b.
template <class T>
std::vector<std::uint64_t> histogram(std::span<const T> values, const fixed_bins& b)
{
    b.validate();
    std::vector<std::uint64_t> counts(b.bins, 0);
    const double scale = double(b.bins) / (b.hi - b.lo);
    for (const T v : values) {
        const double x = double(v);
        if (std::isnan(x)) continue;
        const double pos = (x - b.lo) * scale;
        std::size_t k = 0;
        if (pos >= double(b.bins)) k = b.bins - 1;
        else if (pos > 0.0) k = static_cast<std::size_t>(pos);
        ++counts[k];
    }
    return counts;
}

/// Entropy of the distribution of `values` (e.g. a weight matrix's entries).
template <class T, entropy_estimator E>
double histogram_entropy(std::span<const T> values, const fixed_bins& b, const E& e)
{
    const auto counts = histogram(values, b);
    return e.entropy(std::span<const std::uint64_t>(counts));
}

} // namespace somnus
