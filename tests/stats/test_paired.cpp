// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <somnus/stats/paired.hpp>

using namespace somnus;

TEST_SUITE("stats") {

TEST_CASE("paired t-test: Student's sleep data (Cushny & Peebles 1905; R's datasets::sleep)")
{
    // Extra hours of sleep with two drugs in the same 10 patients. R:
    // t.test(extra ~ group, data = sleep, paired = TRUE) gives t = -4.0621,
    // df = 9, p-value = 0.002833, mean difference -1.58 (group 1 - group 2).
    const std::vector<double> drug1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    const std::vector<double> drug2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    const auto r = paired_t_test(drug2, drug1);
    CHECK(r.n == 10);
    CHECK(r.df == 9.0);
    CHECK(r.mean_difference == doctest::Approx(1.58).epsilon(1e-12));
    // Differences 1.2 2.4 1.3 1.3 0 1.0 1.8 0.8 4.6 1.4: sum of squared deviations 13.616.
    CHECK(r.sd_difference == doctest::Approx(std::sqrt(13.616 / 9.0)).epsilon(1e-12));
    CHECK(r.sem_difference == doctest::Approx(std::sqrt(13.616 / 90.0)).epsilon(1e-12));
    CHECK(std::abs(r.t - 4.0621) < 5e-5);  // R prints 5 digits
    CHECK(r.t == doctest::Approx(1.58 / std::sqrt(13.616 / 90.0)).epsilon(1e-12));
    CHECK(std::abs(r.p_value - 0.002833) < 5e-7);
    // The order of the arguments only flips the sign of t.
    const auto flipped = paired_t_test(drug1, drug2);
    CHECK(flipped.t == doctest::Approx(-r.t));
    CHECK(flipped.p_value == doctest::Approx(r.p_value));
}

TEST_CASE("paired t-test: hand-computed small case and the degenerate cases")
{
    // Differences 1, 2, 3: mean 2, sd 1, t = 2 sqrt(3) on 2 df; for df 2,
    // P(|T| >= t) = 1 - t / sqrt(2 + t^2) = 1 - sqrt(12 / 14).
    const auto r = paired_t_test(std::vector<double>{11, 22, 33}, std::vector<double>{10, 20, 30});
    CHECK(r.mean_difference == doctest::Approx(2.0));
    CHECK(r.sd_difference == doctest::Approx(1.0));
    CHECK(r.t == doctest::Approx(2.0 * std::sqrt(3.0)));
    CHECK(r.p_value == doctest::Approx(1.0 - std::sqrt(12.0 / 14.0)).epsilon(1e-12));

    const auto same = paired_t_test(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3});
    CHECK(same.t == 0.0);
    CHECK(same.p_value == 1.0);
    const auto shifted = paired_t_test(std::vector<double>{1.5, 2.5, 3.5}, std::vector<double>{1, 2, 3});
    CHECK(shifted.t == std::numeric_limits<double>::infinity());
    CHECK(shifted.p_value == 0.0);
}

TEST_CASE("sign-flip test: exact p-values counted by hand")
{
    // n = 5, all differences positive and distinct: only the observed pattern
    // and its mirror reach |sum| = 15, p = 2 / 32.
    const std::vector<double> zero5(5, 0.0);
    const auto r = sign_flip_test(std::vector<double>{1, 2, 3, 4, 5}, zero5);
    CHECK(r.patterns == 32);
    CHECK(r.reached == 2);
    CHECK(r.p_value == 2.0 / 32.0);
    CHECK(r.mean_difference == 3.0);

    // Differences 1, 1, 1, -1 (sum 2): |sum of 4 signed ones| >= 2 unless it
    // is 0, and C(4, 2) = 6 of the 16 patterns sum to 0: p = 10 / 16.
    // (Not written as {1, 1, 1, 0} - {0, 0, 0, 1}: GCC 12.2 at -O2 with
    // -mavx512f builds std::vector<double>{1, 1, 1, 0} as {1, 1, 1, 1}.)
    const auto ties = sign_flip_test(std::vector<double>{2, 2, 2, 1}, std::vector<double>{1, 1, 1, 2});
    CHECK(ties.reached == 10);
    CHECK(ties.p_value == 10.0 / 16.0);

    // The same count with decimals whose sums differ in their last bits:
    // differences 0.1, 0.2, -0.3, 0.7; +-0.1 +-0.2 +-0.3 takes 0.6, 0.4, 0.2,
    // 0, 0 (twice) and their negatives; |a +- 0.7| >= 0.7 for 5 of 8 each: p = 10 / 16.
    const auto decimals = sign_flip_test(std::vector<double>{0.1, 0.2, 0.0, 0.7}, std::vector<double>{0, 0, 0.3, 0});
    CHECK(decimals.reached == 10);

    // Zero differences double every count and leave p unchanged.
    CHECK(sign_flip_test(std::vector<double>{1, 2, 0}, std::vector<double>{0, 0, 0}).p_value ==
          sign_flip_test(std::vector<double>{1, 2}, std::vector<double>{0, 0}).p_value);
    CHECK(sign_flip_test(std::vector<double>{1, 2}, std::vector<double>{0, 0}).p_value == 0.5);

    // Student's sleep data: nine positive differences and one zero, so only
    // 2 x 2 of the 1024 patterns reach the observed sum 15.8.
    const std::vector<double> drug1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    const std::vector<double> drug2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    const auto sleep = sign_flip_test(drug2, drug1);
    CHECK(sleep.patterns == 1024);
    CHECK(sleep.p_value == 4.0 / 1024.0);

    // No change at all: every pattern ties, p = 1.
    CHECK(sign_flip_test(std::vector<double>{3, 4}, std::vector<double>{3, 4}).p_value == 1.0);
}

TEST_CASE("sign-flip test: n = 20 enumerates 2^20 patterns; the p-value agrees with a brute-force count")
{
    std::vector<double> after(20), before(20, 0.0);
    for (std::size_t i = 0; i < 20; ++i) after[i] = (i % 3 == 0 ? -1.0 : 1.0) * (0.5 + 0.1 * double(i));
    const auto r = sign_flip_test(after, before);
    CHECK(r.patterns == (std::uint64_t{1} << 20));
    // Independent count in integers: differences are (5 + i) / 10 with signs.
    long long obs = 0;
    std::vector<long long> d(20);
    for (std::size_t i = 0; i < 20; ++i) {
        d[i] = (i % 3 == 0 ? -1 : 1) * (5 + static_cast<long long>(i));
        obs += d[i];
    }
    std::uint64_t reached = 0;
    for (std::uint64_t pattern = 0; pattern < (std::uint64_t{1} << 20); ++pattern) {
        long long s = 0;
        for (std::size_t i = 0; i < 20; ++i) s += ((pattern >> i) & 1u) ? -d[i] : d[i];
        reached += std::llabs(s) >= std::llabs(obs);
    }
    CHECK(r.reached == reached);
}

TEST_CASE("paired tests: bad input is refused by name")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(paired_t_test(std::vector<double>{1, 2}, std::vector<double>{1, 2, 3}),
                         doctest::Contains("paired_t_test: after has 2 values and before has 3"), config_error);
    CHECK_THROWS_WITH_AS(paired_t_test(std::vector<double>{1}, std::vector<double>{1}),
                         doctest::Contains("paired_t_test: after needs at least 2 values"), config_error);
    CHECK_THROWS_WITH_AS(paired_t_test(std::vector<double>{1, 2}, std::vector<double>{1, nan}),
                         doctest::Contains("paired_t_test: before[1] is nan"), config_error);
    CHECK_THROWS_WITH_AS(sign_flip_test(std::vector<double>(21, 1.0), std::vector<double>(21, 0.0)),
                         doctest::Contains("sign_flip_test: 21 pairs"), config_error);
    CHECK_THROWS_WITH_AS(sign_flip_test(std::vector<double>{nan, 1}, std::vector<double>{0, 0}),
                         doctest::Contains("sign_flip_test: after[0] is nan"), config_error);
}

}
