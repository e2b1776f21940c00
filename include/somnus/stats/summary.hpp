// SPDX-License-Identifier: MIT
// Summary statistics of a sample x_1..x_n: the mean, the sample standard
// deviation s = sqrt(sum (x_i - mean)^2 / (n - 1)) (Bessel's correction) and
// the standard error of the mean s / sqrt(n). Two passes, in double.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>

#include "../core/error.hpp"

namespace somnus {

namespace detail {

/// config_error unless x has at least `min_n` values, all finite; `who`
/// names the function and `name` the argument.
inline void require_sample(std::span<const double> x, std::size_t min_n, const char* who, const char* name)
{
    detail::require(x.size() >= min_n, "{}: {} needs at least {} values, got {}", who, name, min_n, x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        detail::require(std::isfinite(x[i]), "{}: {}[{}] is {}", who, name, i, x[i]);
}

inline void require_same_size(std::span<const double> x, std::span<const double> y, const char* who, const char* x_name,
                              const char* y_name)
{
    detail::require(x.size() == y.size(), "{}: {} has {} values and {} has {}", who, x_name, x.size(), y_name, y.size());
}

inline double mean_unchecked(std::span<const double> x)
{
    double s = 0.0;
    for (const double v : x) s += v;
    return s / double(x.size());
}

/// sum (x_i - m)^2
inline double sum_squares_about(std::span<const double> x, double m)
{
    double s = 0.0;
    for (const double v : x) s += (v - m) * (v - m);
    return s;
}

} // namespace detail

/// The arithmetic mean (n >= 1).
inline double mean(std::span<const double> x)
{
    detail::require_sample(x, 1, "mean", "x");
    return detail::mean_unchecked(x);
}

/// The sample standard deviation, with n - 1 in the denominator (n >= 2).
inline double sample_sd(std::span<const double> x)
{
    detail::require_sample(x, 2, "sample_sd", "x");
    return std::sqrt(detail::sum_squares_about(x, detail::mean_unchecked(x)) / double(x.size() - 1));
}

/// The standard error of the mean, sample_sd(x) / sqrt(n) (n >= 2).
inline double standard_error(std::span<const double> x)
{
    detail::require_sample(x, 2, "standard_error", "x");
    const double sd = std::sqrt(detail::sum_squares_about(x, detail::mean_unchecked(x)) / double(x.size() - 1));
    return sd / std::sqrt(double(x.size()));
}

/// All three at once, for a table row "mean +- s.e.m. (n)".
struct sample_summary {
    std::size_t n = 0;
    double mean = 0.0;
    double sd = 0.0;   ///< sample standard deviation (n - 1)
    double sem = 0.0;  ///< sd / sqrt(n)
};

/// mean, sample_sd and standard_error of x (n >= 2).
inline sample_summary summarize(std::span<const double> x)
{
    detail::require_sample(x, 2, "summarize", "x");
    sample_summary s;
    s.n = x.size();
    s.mean = detail::mean_unchecked(x);
    s.sd = std::sqrt(detail::sum_squares_about(x, s.mean) / double(x.size() - 1));
    s.sem = s.sd / std::sqrt(double(x.size()));
    return s;
}

} // namespace somnus
