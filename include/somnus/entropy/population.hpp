// SPDX-License-Identifier: MIT
// Entropy of population firing patterns: in each bin the n neurons' spikes
// form one n-bit word (a "pattern"); the patterns seen over all bins are
// counted and an entropy_estimator turns the counts into an entropy. At most
// log2(bins) bits can be measured from `bins` samples, so compare values
// across conditions of equal length; miller_madow (m = distinct patterns
// seen) reduces the downward bias of the plug-in estimate.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "spike_trains.hpp"

namespace somnus {

/// How many bins showed each distinct pattern (in no particular order; one
/// entry per pattern seen). Empty if there are no bins.
inline std::vector<std::uint64_t> pattern_counts(const spike_trains& t)
{
    const std::size_t bins = t.bins(), wpp = (t.size() + 63) / 64;
    if (bins == 0) return {};
    if (wpp == 0) return {bins};  // no neurons: one (empty) pattern
    std::vector<std::uint64_t> patterns(bins * wpp, 0);
    for (std::size_t k = 0; k < t.size(); ++k) {
        const auto words = t.words(k);
        for (std::size_t w = 0; w < words.size(); ++w) {
            std::uint64_t bits = words[w];
            while (bits != 0) {
                const std::size_t b = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
                patterns[b * wpp + k / 64] |= std::uint64_t{1} << (k % 64);
                bits &= bits - 1;
            }
        }
    }
    std::vector<std::uint32_t> order(bins);
    std::iota(order.begin(), order.end(), 0u);
    const auto row = [&](std::uint32_t b) { return patterns.begin() + static_cast<std::ptrdiff_t>(b * wpp); };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::lexicographical_compare(row(a), row(a) + static_cast<std::ptrdiff_t>(wpp), row(b), row(b) + static_cast<std::ptrdiff_t>(wpp));
    });
    std::vector<std::uint64_t> counts;
    for (std::size_t s = 0; s < bins; ++s) {
        if (s == 0 || !std::equal(row(order[s]), row(order[s]) + static_cast<std::ptrdiff_t>(wpp), row(order[s - 1])))
            counts.push_back(0);
        ++counts.back();
    }
    return counts;
}

template <entropy_estimator E>
double population_entropy(const spike_trains& t, const E& e)
{
    const auto counts = pattern_counts(t);
    return e.entropy(std::span<const std::uint64_t>(counts));
}

} // namespace somnus
