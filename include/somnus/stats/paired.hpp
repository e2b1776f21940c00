// SPDX-License-Identifier: MIT
// Paired tests of "after vs before" over n matched runs (e.g. accuracy after
// and before sleep for n seeds), on the differences d_i = after_i - before_i:
// Student's paired t-test, t = mean(d) / (sd(d) / sqrt(n)) on n - 1 degrees of
// freedom; and the exact sign-flip (randomisation) test, which under H0
// (d_i symmetric about 0) gives each of the 2^n sign patterns equal weight.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "student_t.hpp"
#include "summary.hpp"

namespace somnus {

struct paired_t_result {
    std::size_t n = 0;
    double mean_difference = 0.0;  ///< mean of after - before
    double sd_difference = 0.0;    ///< sample sd of the differences (n - 1)
    double sem_difference = 0.0;   ///< sd_difference / sqrt(n)
    double t = 0.0;
    double df = 0.0;               ///< n - 1
    double p_value = 1.0;          ///< two-sided, from Student's t
};

namespace detail {

inline std::vector<double> paired_differences(std::span<const double> after, std::span<const double> before,
                                              const char* who)
{
    detail::require_same_size(after, before, who, "after", "before");
    detail::require_sample(after, 2, who, "after");
    detail::require_sample(before, 2, who, "before");
    std::vector<double> d(after.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = after[i] - before[i];
    return d;
}

} // namespace detail

/// Student's paired t-test of after against before (n >= 2 pairs, finite).
/// When every difference is the same, sd is 0: then t = +-infinity and p = 0
/// if that difference is not 0, and t = 0 and p = 1 if it is (no change at all).
inline paired_t_result paired_t_test(std::span<const double> after, std::span<const double> before)
{
    const auto d = detail::paired_differences(after, before, "paired_t_test");
    paired_t_result r;
    r.n = d.size();
    r.df = double(d.size() - 1);
    r.mean_difference = detail::mean_unchecked(d);
    r.sd_difference = std::sqrt(detail::sum_squares_about(d, r.mean_difference) / r.df);
    r.sem_difference = r.sd_difference / std::sqrt(double(r.n));
    if (r.sem_difference == 0.0) {
        r.t = r.mean_difference == 0.0 ? 0.0
                                       : std::copysign(std::numeric_limits<double>::infinity(), r.mean_difference);
        r.p_value = r.mean_difference == 0.0 ? 1.0 : 0.0;
        return r;
    }
    r.t = r.mean_difference / r.sem_difference;
    r.p_value = detail::t_two_sided(r.t, r.df);
    return r;
}

struct sign_flip_result {
    std::size_t n = 0;
    double mean_difference = 0.0;  ///< mean of after - before
    double p_value = 1.0;          ///< two-sided, exact: reached / patterns
    std::uint64_t patterns = 0;    ///< 2^n
    std::uint64_t reached = 0;     ///< patterns with |sum s_i d_i| >= |sum d_i|
};

/// The largest n the exact sign-flip test enumerates (2^20 patterns).
inline constexpr std::size_t sign_flip_max_n = 20;

/// Exact two-sided sign-flip test of after against before (2 <= n <= 20):
/// for every pattern of signs s_i in {+1, -1}, the statistic |sum s_i d_i|
/// (equivalently |mean|); p = #{patterns with a statistic >= the observed
/// one} / 2^n, counting the observed pattern itself, so p >= 2 / 2^n when
/// some d_i != 0 (the pattern and its mirror image). Ties are judged with a
/// tolerance of 1e-12 * sum |d_i|, as sums of the same numbers in another
/// order may differ in their last bits. Zero differences are kept (they
/// double the count of every statistic, leaving p unchanged).
inline sign_flip_result sign_flip_test(std::span<const double> after, std::span<const double> before)
{
    const auto d = detail::paired_differences(after, before, "sign_flip_test");
    detail::require(d.size() <= sign_flip_max_n,
                    "sign_flip_test: {} pairs, the exact test enumerates 2^n patterns for n <= {} only", d.size(),
                    sign_flip_max_n);
    sign_flip_result r;
    r.n = d.size();
    r.mean_difference = detail::mean_unchecked(d);
    r.patterns = std::uint64_t{1} << d.size();
    double observed = 0.0, scale = 0.0;
    for (const double v : d) {
        observed += v;
        scale += std::abs(v);
    }
    const double threshold = std::abs(observed) - 1e-12 * scale;
    for (std::uint64_t pattern = 0; pattern < r.patterns; ++pattern) {
        double s = 0.0;
        for (std::size_t i = 0; i < d.size(); ++i) s += ((pattern >> i) & 1u) ? -d[i] : d[i];
        r.reached += std::abs(s) >= threshold;
    }
    r.p_value = double(r.reached) / double(r.patterns);
    return r;
}

} // namespace somnus
