// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <somnus/stats/summary.hpp>

using namespace somnus;

TEST_SUITE("stats") {

TEST_CASE("summary: mean, sample sd and s.e.m. of a hand-computed sample")
{
    // Deviations from the mean 5: -3 -1 -1 -1 0 0 2 4, squares summing to 32.
    const std::vector<double> x{2, 4, 4, 4, 5, 5, 7, 9};
    CHECK(mean(x) == 5.0);
    CHECK(sample_sd(x) == doctest::Approx(std::sqrt(32.0 / 7.0)).epsilon(1e-15));
    CHECK(standard_error(x) == doctest::Approx(std::sqrt(32.0 / 7.0 / 8.0)).epsilon(1e-15));
    const auto s = summarize(x);
    CHECK(s.n == 8);
    CHECK(s.mean == 5.0);
    CHECK(s.sd == sample_sd(x));
    CHECK(s.sem == standard_error(x));

    // Two values: sd = |a - b| / sqrt(2), s.e.m. = |a - b| / 2.
    const std::vector<double> two{1.0, 4.0};
    CHECK(sample_sd(two) == doctest::Approx(3.0 / std::sqrt(2.0)));
    CHECK(standard_error(two) == doctest::Approx(1.5));
    // A constant sample has sd 0; a large offset does not spoil the two-pass sd.
    CHECK(sample_sd(std::vector<double>{3, 3, 3}) == 0.0);
    CHECK(sample_sd(std::vector<double>{1e9 + 1, 1e9 + 2, 1e9 + 3}) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(mean(std::vector<double>{7.5}) == 7.5);
}

TEST_CASE("summary: too few values and non-finite values are refused, naming the function and the argument")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(mean(std::vector<double>{}), doctest::Contains("mean: x needs at least 1 values, got 0"),
                         config_error);
    CHECK_THROWS_WITH_AS(sample_sd(std::vector<double>{1.0}), doctest::Contains("sample_sd: x needs at least 2"),
                         config_error);
    CHECK_THROWS_WITH_AS(standard_error(std::vector<double>{1.0}), doctest::Contains("standard_error: x"), config_error);
    CHECK_THROWS_WITH_AS(summarize(std::vector<double>{1.0, nan}), doctest::Contains("summarize: x[1] is nan"),
                         config_error);
    CHECK_THROWS_AS(mean(std::vector<double>{1.0, std::numeric_limits<double>::infinity()}), config_error);
}

}
