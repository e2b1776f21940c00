// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <somnus/stats/student_t.hpp>

using namespace somnus;

namespace {

/// P(T <= t) for integer df from the closed forms of Abramowitz & Stegun
/// 26.7.3 (odd df) and 26.7.4 (even df): with theta = atan(t / sqrt(df)),
/// A(t|df) = 2 P(T <= t) - 1 is a finite series in sin and cos of theta.
double student_cdf_closed_form(double t, int df)
{
    const double theta = std::atan(t / std::sqrt(double(df)));
    const double s = std::sin(theta), c = std::cos(theta);
    double a = 0.0;
    if (df % 2 == 1) {
        double term = c, series = df > 1 ? c : 0.0;  // cos + (2/3) cos^3 + (2*4)/(3*5) cos^5 + ...
        for (int k = 3; k <= df - 2; k += 2) {
            term *= double(k - 1) / double(k) * c * c;
            series += term;
        }
        a = 2.0 / std::numbers::pi * (theta + s * series);
    } else {
        double term = 1.0, series = 1.0;  // 1 + (1/2) cos^2 + (1*3)/(2*4) cos^4 + ...
        for (int k = 2; k <= df - 2; k += 2) {
            term *= double(k - 1) / double(k) * c * c;
            series += term;
        }
        a = s * series;
    }
    return 0.5 * (1.0 + a);
}

double binomial_upper_tail(int n, int k, double p)
{
    double sum = 0.0;
    for (int j = k; j <= n; ++j)
        sum += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0)) * std::pow(p, j) *
               std::pow(1.0 - p, n - j);
    return sum;
}

/// Relative tolerance, also for values far below 1 (doctest's Approx
/// otherwise adds eps * 1 to the margin).
doctest::Approx rel(double v, double eps) { return doctest::Approx(v).epsilon(eps).scale(1e-300); }

} // namespace

TEST_SUITE("stats") {

TEST_CASE("incomplete beta: closed forms and identities")
{
    // Dyadic x, so that 1 - x is exact and the symmetry holds to rounding.
    for (const double x : {0.0, 0x1p-20, 0x1p-7, 0.203125, 0.5, 0.765625, 1.0 - 0x1p-10, 1.0}) {
        CAPTURE(x);
        for (const double a : {0.3, 1.0, 2.5, 7.0, 40.0}) {
            CAPTURE(a);
            CHECK(regularized_incomplete_beta(a, 1.0, x) == rel(std::pow(x, a), 1e-12));
            CHECK(regularized_incomplete_beta(1.0, a, x) == doctest::Approx(1.0 - std::pow(1.0 - x, a)).epsilon(1e-13));
            for (const double b : {0.5, 3.0, 12.0})
                CHECK(regularized_incomplete_beta(a, b, x) + regularized_incomplete_beta(b, a, 1.0 - x) ==
                      doctest::Approx(1.0).epsilon(1e-13));
        }
        // I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)), the arcsine law.
        CHECK(regularized_incomplete_beta(0.5, 0.5, x) ==
              doctest::Approx(2.0 / std::numbers::pi * std::asin(std::sqrt(x))).epsilon(1e-13));
    }
    for (const double a : {0.5, 3.0, 25.0, 400.0}) CHECK(regularized_incomplete_beta(a, a, 0.5) == doctest::Approx(0.5).epsilon(1e-12));
    // I_p(k, n - k + 1) = P(Binomial(n, p) >= k).
    for (const int n : {1, 5, 20, 60})
        for (int k = 1; k <= n; k += 1 + n / 7)
            for (const double p : {0.05, 0.3, 0.5, 0.9}) {
                CAPTURE(n);
                CAPTURE(k);
                CAPTURE(p);
                CHECK(regularized_incomplete_beta(k, n - k + 1, p) == rel(binomial_upper_tail(n, k, p), 1e-10));
            }
}

TEST_CASE("Student t: cdf against the closed forms for integer df (A&S 26.7.3-4)")
{
    // df 1 is the Cauchy distribution and df 2 has P = 1/2 + t / (2 sqrt(2 + t^2)).
    for (const double t : {-30.0, -2.0, -0.5, 0.25, 1.0, 4.0, 100.0}) {
        CHECK(student_t_cdf(t, 1) == doctest::Approx(0.5 + std::atan(t) / std::numbers::pi).epsilon(1e-13));
        CHECK(student_t_cdf(t, 2) == doctest::Approx(0.5 + t / (2.0 * std::sqrt(2.0 + t * t))).epsilon(1e-13));
    }
    double worst = 0.0;
    for (int df = 1; df <= 40; ++df)
        for (const double t : {-12.0, -3.1, -1.7, -0.9, -0.2, 0.0, 0.05, 0.6, 1.3, 2.0, 2.9, 4.5, 9.0}) {
            const double expect = student_cdf_closed_form(t, df);
            worst = std::max(worst, std::abs(student_t_cdf(t, df) - expect));
            CHECK(std::abs(student_t_two_sided_p(t, df) - 2.0 * std::min(expect, 1.0 - expect)) < 1e-12);
        }
    CHECK(worst < 1e-12);
}

TEST_CASE("Student t: tabled critical values to 1e-6")
{
    // Upper quantiles t_{p, df} of the familiar tables (12.706, 4.303, 2.571,
    // 2.228, 2.042, 3.169, 2.132, 1.325, 3.232), here to 15 digits
    // (Boost.Math 1.74, students_t quantile): P(T <= t) must return p.
    struct row {
        double df, p, t;
    };
    const row rows[] = {{1, 0.975, 12.7062047361747},  {2, 0.975, 4.30265272974946},  {5, 0.975, 2.57058183563631},
                        {10, 0.975, 2.22813885198627}, {30, 0.975, 2.04227245630124}, {10, 0.995, 3.16927267261695},
                        {4, 0.95, 2.13184678632665},   {20, 0.9, 1.32534070698505},   {60, 0.999, 3.23170912602436}};
    for (const auto& r : rows) {
        CAPTURE(r.df);
        CAPTURE(r.p);
        CHECK(std::abs(student_t_cdf(r.t, r.df) - r.p) < 1e-6);
        CHECK(std::abs(student_t_cdf(r.t, r.df) - r.p) < 1e-12);  // in fact to rounding
        CHECK(std::abs(student_t_cdf(-r.t, r.df) - (1.0 - r.p)) < 1e-12);
        CHECK(student_t_two_sided_p(r.t, r.df) == rel(2.0 * (1.0 - r.p), 1e-9));
    }
    // A fractional df (Welch's test produces them) sits between its neighbours.
    const double lo = student_t_cdf(2.0, 7.0), mid = student_t_cdf(2.0, 7.5), hi = student_t_cdf(2.0, 8.0);
    CHECK(lo < mid);
    CHECK(mid < hi);
    // Large df approaches the normal distribution: Phi(1.96) = 0.9750021048517795.
    CHECK(student_t_cdf(1.96, 1e7) == doctest::Approx(0.9750021048517795).epsilon(1e-7));
}

TEST_CASE("Student t: tails, symmetry and limits")
{
    CHECK(student_t_cdf(0.0, 3.0) == 0.5);
    CHECK(student_t_two_sided_p(0.0, 3.0) == 1.0);
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(student_t_cdf(inf, 4.0) == 1.0);
    CHECK(student_t_cdf(-inf, 4.0) == 0.0);
    CHECK(student_t_two_sided_p(1e200, 4.0) == 0.0);
    // A tiny two-sided p keeps its digits: for df 1, P(|T| >= t) = 1 - (2/pi) atan(t) = (2/pi) atan(1/t).
    CHECK(student_t_two_sided_p(1e8, 1.0) == rel(2.0 / std::numbers::pi * std::atan(1e-8), 1e-10));
    for (const double t : {0.3, 1.5, 6.0}) CHECK(student_t_cdf(t, 9.0) + student_t_cdf(-t, 9.0) == doctest::Approx(1.0));
}

TEST_CASE("Student t and incomplete beta: bad arguments are refused by name")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(student_t_cdf(nan, 3.0), doctest::Contains("student_t_cdf: t is nan"), config_error);
    CHECK_THROWS_WITH_AS(student_t_cdf(1.0, 0.0), doctest::Contains("student_t_cdf: df must be finite and > 0"),
                         config_error);
    CHECK_THROWS_WITH_AS(student_t_two_sided_p(1.0, nan), doctest::Contains("student_t_two_sided_p: df"), config_error);
    CHECK_THROWS_WITH_AS(regularized_incomplete_beta(0.0, 1.0, 0.5), doctest::Contains("a must be finite and > 0"),
                         config_error);
    CHECK_THROWS_WITH_AS(regularized_incomplete_beta(1.0, -1.0, 0.5), doctest::Contains("b must be finite and > 0"),
                         config_error);
    CHECK_THROWS_WITH_AS(regularized_incomplete_beta(1.0, 1.0, 1.5), doctest::Contains("x must be in [0, 1]"),
                         config_error);
    CHECK_THROWS_AS(regularized_incomplete_beta(1.0, 1.0, nan), config_error);
}

}
