// SPDX-License-Identifier: MIT
// The regularised incomplete beta function I_x(a, b) and the Student t
// distribution built on it: P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)
// (Abramowitz & Stegun 26.7.1 with 26.5.27). I_x(a, b) is the continued
// fraction of Numerical Recipes (Press et al. 2007, section 6.4, eq. 6.4.5),
// evaluated by the modified Lentz method, on the side of (a + 1)/(a + b + 2)
// where it converges fast, with I_x(a, b) = 1 - I_{1-x}(b, a) on the other.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "../core/error.hpp"

namespace somnus {

namespace detail {

/// The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
/// d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) and
/// d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)), so that
/// I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) times it.
inline double incomplete_beta_fraction(double a, double b, double x)
{
    // Converged when a step changes h by a few ulps at most.
    constexpr double eps = 4 * std::numeric_limits<double>::epsilon();
    constexpr double tiny = 1e-300;  // keeps Lentz's C and D away from 0
    // O(sqrt(max(a, b))) terms suffice on the convergent side; allow plenty.
    const auto max_terms = static_cast<std::size_t>(1000 + 100 * std::sqrt(std::max(a, b)));
    const auto guard = [](double v) { return std::abs(v) < tiny ? tiny : v; };
    double c = 1.0;
    double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    double h = d;
    for (std::size_t m = 1; m <= max_terms; ++m) {
        const double dm = double(m);
        const double even = dm * (b - dm) * x / ((a + 2.0 * dm - 1.0) * (a + 2.0 * dm));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        const double odd = -(a + dm) * (a + b + dm) * x / ((a + 2.0 * dm) * (a + 2.0 * dm + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        const double step = d * c;
        h *= step;
        if (std::abs(step - 1.0) < eps) return h;
    }
    throw error(fmt::format("regularized_incomplete_beta: continued fraction did not converge for a = {}, b = {}, x = {}",
                            a, b, x));
}

/// I_x(a, b) given x and y = 1 - x separately, so that callers who know y
/// more accurately than 1 - x (x near 1) lose no digits.
inline double incomplete_beta_xy(double a, double b, double x, double y)
{
    if (x <= 0.0) return 0.0;
    if (y <= 0.0) return 1.0;
    const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(y);
    const double front = std::exp(log_front);
    if (x < (a + 1.0) / (a + b + 2.0)) return front * incomplete_beta_fraction(a, b, x) / a;
    return 1.0 - front * incomplete_beta_fraction(b, a, y) / b;
}

} // namespace detail

/// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b)
/// for a, b > 0 and 0 <= x <= 1 (config_error otherwise). Accurate to about
/// 1e-14 absolute for moderate a, b; the lgamma differences lose a few more
/// digits when a or b is in the millions.
inline double regularized_incomplete_beta(double a, double b, double x)
{
    detail::require(std::isfinite(a) && a > 0.0, "regularized_incomplete_beta: a must be finite and > 0, got {}", a);
    detail::require(std::isfinite(b) && b > 0.0, "regularized_incomplete_beta: b must be finite and > 0, got {}", b);
    detail::require(x >= 0.0 && x <= 1.0, "regularized_incomplete_beta: x must be in [0, 1], got {}", x);
    return detail::incomplete_beta_xy(a, b, x, 1.0 - x);
}

namespace detail {

inline void require_t_args(const char* who, double t, double df)
{
    detail::require(!std::isnan(t), "{}: t is nan", who);
    detail::require(std::isfinite(df) && df > 0.0, "{}: df must be finite and > 0, got {}", who, df);
}

/// P(|T| >= |t|) for T ~ Student t with df degrees of freedom.
inline double t_two_sided(double t, double df)
{
    if (std::isinf(t)) return 0.0;
    const double t2 = t * t;
    if (std::isinf(t2)) return 0.0;  // |t| > 1e154: below any double's resolution of 1
    const double x = df / (df + t2), y = t2 / (df + t2);
    return incomplete_beta_xy(0.5 * df, 0.5, x, y);
}

} // namespace detail

/// Two-sided p-value P(|T| >= |t|) of Student's t with df > 0 degrees of
/// freedom (df need not be an integer). Computed directly, not as
/// 2 (1 - cdf), so small p-values keep their digits.
inline double student_t_two_sided_p(double t, double df)
{
    detail::require_t_args("student_t_two_sided_p", t, df);
    return detail::t_two_sided(t, df);
}

/// The cumulative distribution P(T <= t) of Student's t with df > 0 degrees
/// of freedom; t may be +-infinity.
inline double student_t_cdf(double t, double df)
{
    detail::require_t_args("student_t_cdf", t, df);
    if (t == 0.0) return 0.5;
    const double tail = 0.5 * detail::t_two_sided(t, df);
    return t > 0.0 ? 1.0 - tail : tail;
}

} // namespace somnus
