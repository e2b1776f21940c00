// SPDX-License-Identifier: MIT
// The ziggurat normal generator: moments, tails and the distribution
// function against the standard normal's, and the same numbers for the same
// stream.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <somnus/core/normal.hpp>

using namespace somnus;

TEST_SUITE("core") {

TEST_CASE("normal_ziggurat: moments, tail mass and Kolmogorov-Smirnov distance of a standard normal")
{
    random_stream rng(2026);
    const std::size_t n = 400000;
    std::vector<double> x(n);
    double m1 = 0, m2 = 0, m4 = 0;
    std::size_t beyond3 = 0;
    for (auto& v : x) {
        v = normal_ziggurat(rng);
        m1 += v;
        m2 += v * v;
        m4 += v * v * v * v;
        if (std::abs(v) > 3.0) ++beyond3;
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    CHECK(std::abs(m1) < 5.0 / std::sqrt(double(n)));
    CHECK(m2 == doctest::Approx(1.0).epsilon(0.01));
    CHECK(m4 == doctest::Approx(3.0).epsilon(0.03));
    // P(|X| > 3) = 0.0026998: the tail beyond the ziggurat's base (3.44) is sampled too.
    CHECK(double(beyond3) / n == doctest::Approx(0.0026998).epsilon(0.08));
    std::sort(x.begin(), x.end());
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double cdf = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
        d = std::max({d, std::abs(cdf - double(i) / n), std::abs(cdf - double(i + 1) / n)});
    }
    CHECK(d < 1.63 / std::sqrt(double(n)));  // the 1 % critical value
    CHECK(x.front() < -4.0);
    CHECK(x.back() > 4.0);
}

TEST_CASE("fill_normal: the same stream gives the same numbers")
{
    random_stream a(7, 1), b(7, 1);
    std::vector<float> x(1000), y(1000);
    fill_normal(a, x, 2.0f);
    fill_normal(b, y, 2.0f);
    CHECK(x == y);
}

} // TEST_SUITE
