// SPDX-License-Identifier: MIT
// Correlation of paired samples: Pearson's r = sum (x - mx)(y - my) /
// sqrt(sum (x - mx)^2 sum (y - my)^2); Spearman's rho, Pearson's r of the
// ranks with tied values given the mean of the ranks they span; and a seeded,
// two-sided permutation test of either (y permuted against x), with
// p = (1 + #{|r_perm| >= |r|}) / (1 + permutations), never 0 (Phipson & Smyth 2010).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "summary.hpp"

namespace somnus {

/// Ranks 1..n of x in ascending order; tied values share the mean of the
/// ranks they span (so {10, 20, 20, 30} ranks {1, 2.5, 2.5, 4}).
inline std::vector<double> average_ranks(std::span<const double> x)
{
    detail::require_sample(x, 1, "average_ranks", "x");
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> rank(x.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
        // positions i..j-1 hold equal values: ranks i+1..j, mean (i + 1 + j) / 2
        const double r = 0.5 * double(i + 1 + j);
        for (std::size_t k = i; k < j; ++k) rank[order[k]] = r;
        i = j;
    }
    return rank;
}

namespace detail {

/// x and y centred, with their sums of squares; r = dot(xc, yc) / norm.
struct centred_pair {
    std::vector<double> xc, yc;
    double norm = 0.0;  ///< sqrt(sum xc^2 * sum yc^2)
};

inline centred_pair centre_pair(std::span<const double> x, std::span<const double> y, const char* who)
{
    detail::require_same_size(x, y, who, "x", "y");
    detail::require_sample(x, 2, who, "x");
    detail::require_sample(y, 2, who, "y");
    centred_pair c;
    const double mx = mean_unchecked(x), my = mean_unchecked(y);
    c.xc.resize(x.size());
    c.yc.resize(y.size());
    double sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        c.xc[i] = x[i] - mx;
        c.yc[i] = y[i] - my;
        sxx += c.xc[i] * c.xc[i];
        syy += c.yc[i] * c.yc[i];
    }
    detail::require(sxx > 0.0, "{}: x is constant, so the correlation is undefined", who);
    detail::require(syy > 0.0, "{}: y is constant, so the correlation is undefined", who);
    c.norm = std::sqrt(sxx * syy);
    return c;
}

inline double correlation_of(const centred_pair& c)
{
    double sxy = 0.0;
    for (std::size_t i = 0; i < c.xc.size(); ++i) sxy += c.xc[i] * c.yc[i];
    // Rounding can take |r| a hair past 1 for exactly linear data.
    return std::clamp(sxy / c.norm, -1.0, 1.0);
}

} // namespace detail

/// Pearson's product-moment correlation of paired samples (n >= 2, same
/// size, finite, neither constant: config_error otherwise).
inline double pearson_r(std::span<const double> x, std::span<const double> y)
{
    return detail::correlation_of(detail::centre_pair(x, y, "pearson_r"));
}

/// The mean Pearson r over the pairs of columns of a rows x cols table
/// (row-major: values[k * cols + j], e.g. spike counts per image and
/// neuron) in which neither column is constant; mean is empty when no pair
/// qualifies.
struct pairwise_correlation {
    std::optional<double> mean;
    std::size_t pairs = 0;
};

template <class T>
pairwise_correlation mean_pairwise_correlation(std::span<const T> values, std::size_t rows, std::size_t cols)
{
    detail::require(values.size() == rows * cols, "mean_pairwise_correlation: {} values for {} x {}", values.size(), rows, cols);
    std::vector<double> mean(cols, 0.0), ss(cols, 0.0);
    for (std::size_t k = 0; k < rows; ++k)
        for (std::size_t j = 0; j < cols; ++j) mean[j] += double(values[k * cols + j]);
    for (auto& m : mean) m /= double(rows);
    for (std::size_t k = 0; k < rows; ++k)
        for (std::size_t j = 0; j < cols; ++j) ss[j] += (double(values[k * cols + j]) - mean[j]) * (double(values[k * cols + j]) - mean[j]);
    double sum = 0.0;
    pairwise_correlation out;
    for (std::size_t a = 0; a < cols; ++a)
        for (std::size_t b = a + 1; b < cols; ++b) {
            if (ss[a] <= 0.0 || ss[b] <= 0.0) continue;
            double c = 0.0;
            for (std::size_t k = 0; k < rows; ++k) c += (double(values[k * cols + a]) - mean[a]) * (double(values[k * cols + b]) - mean[b]);
            sum += c / std::sqrt(ss[a] * ss[b]);
            ++out.pairs;
        }
    if (out.pairs > 0) out.mean = sum / double(out.pairs);
    return out;
}

/// Spearman's rank correlation: pearson_r of average_ranks(x) and
/// average_ranks(y), the tie-corrected form.
inline double spearman_rho(std::span<const double> x, std::span<const double> y)
{
    detail::require_same_size(x, y, "spearman_rho", "x", "y");
    detail::require_sample(x, 2, "spearman_rho", "x");
    detail::require_sample(y, 2, "spearman_rho", "y");
    const auto rx = average_ranks(x), ry = average_ranks(y);
    return detail::correlation_of(detail::centre_pair(rx, ry, "spearman_rho"));
}

enum class correlation_kind { pearson, spearman };

struct permutation_test_params {
    std::size_t permutations = 9999;
    std::uint64_t seed = 0;
    std::uint64_t key = 0;  ///< names the test's stream, so two tests with one seed draw different numbers
};

struct correlation_test_result {
    double r = 0.0;                ///< the observed correlation
    double p_value = 1.0;          ///< two-sided: (1 + #{|r_perm| >= |r|}) / (1 + permutations)
    std::size_t permutations = 0;
    std::size_t reached = 0;       ///< permutations with |r_perm| >= |r|
};

/// Two-sided permutation test of a correlation: y is permuted at random
/// (Fisher-Yates, stream (seed, stream_purpose::shuffle, key, n)) against
/// fixed x, `permutations` times; a permutation counts when |r_perm| >= |r| -
/// 1e-12 (the same correlation summed in another order may differ in its
/// last bits). For Spearman, the ranks are permuted. The +1 in numerator and
/// denominator counts the observed arrangement as one of the permutations,
/// so p is never below 1 / (1 + permutations). The result depends only on the
/// data and the parameters.
inline correlation_test_result correlation_permutation_test(std::span<const double> x, std::span<const double> y,
                                                            correlation_kind kind = correlation_kind::pearson,
                                                            const permutation_test_params& p = {})
{
    const char* who = "correlation_permutation_test";
    detail::require_same_size(x, y, who, "x", "y");
    detail::require_sample(x, 2, who, "x");
    detail::require_sample(y, 2, who, "y");
    detail::require(p.permutations >= 1, "{}: permutations must be >= 1, got {}", who, p.permutations);
    std::vector<double> rx, ry;
    if (kind == correlation_kind::spearman) {
        rx = average_ranks(x);
        ry = average_ranks(y);
        x = rx;
        y = ry;
    }
    auto c = detail::centre_pair(x, y, who);
    correlation_test_result res;
    res.r = detail::correlation_of(c);
    res.permutations = p.permutations;
    const double threshold = std::abs(res.r) - 1e-12;
    random_stream rng(p.seed, stream_purpose::shuffle, p.key, x.size());
    const std::size_t n = x.size();
    for (std::size_t s = 0; s < p.permutations; ++s) {
        // A uniformly random permutation of the current arrangement is a
        // uniformly random permutation of the original.
        for (std::size_t i = n - 1; i > 0; --i) std::swap(c.yc[i], c.yc[static_cast<std::size_t>(rng.below(i + 1))]);
        double sxy = 0.0;
        for (std::size_t i = 0; i < n; ++i) sxy += c.xc[i] * c.yc[i];
        res.reached += std::abs(sxy / c.norm) >= threshold;
    }
    res.p_value = double(1 + res.reached) / double(1 + p.permutations);
    return res;
}

} // namespace somnus
