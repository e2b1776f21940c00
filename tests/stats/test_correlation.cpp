// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/stats/correlation.hpp>

using namespace somnus;

TEST_SUITE("stats") {

TEST_CASE("average ranks: ties share the mean of their ranks")
{
    CHECK(average_ranks(std::vector<double>{10, 20, 20, 30}) == std::vector<double>{1, 2.5, 2.5, 4});
    CHECK(average_ranks(std::vector<double>{3, 1, 2}) == std::vector<double>{3, 1, 2});
    CHECK(average_ranks(std::vector<double>{5, 5, 5}) == std::vector<double>{2, 2, 2});
    CHECK(average_ranks(std::vector<double>{2, 4, 5, 4, 5}) == std::vector<double>{1, 2.5, 4.5, 2.5, 4.5});
    CHECK(average_ranks(std::vector<double>{-1, 7, -1, 7, 7, 0}) == std::vector<double>{1.5, 5, 1.5, 5, 5, 3});
}

TEST_CASE("Pearson and Spearman on a hand-computed set with ties")
{
    // x - 3 = -2 -1 0 1 2, y - 4 = -2 0 1 0 1: Sxy = 6, Sxx = 10, Syy = 6, r = 6 / sqrt(60).
    const std::vector<double> x{1, 2, 3, 4, 5}, y{2, 4, 5, 4, 5};
    CHECK(pearson_r(x, y) == doctest::Approx(6.0 / std::sqrt(60.0)).epsilon(1e-15));
    // Ranks of y: 1 2.5 4.5 2.5 4.5, minus 3: -2 -.5 1.5 -.5 1.5; Sxy = 7, Syy = 9,
    // rho = 7 / sqrt(90) = 0.7379 (the formula 1 - 6 sum d^2 / (n (n^2 - 1)),
    // which ignores ties, would give 0.75).
    CHECK(spearman_rho(x, y) == doctest::Approx(7.0 / std::sqrt(90.0)).epsilon(1e-15));
    CHECK(spearman_rho(y, x) == spearman_rho(x, y));

    // Exactly linear and exactly monotone data.
    const std::vector<double> lin{-3, 1, 5, 9, 13}, anti{10, 8, 6, 4, 2}, cube{1, 8, 27, 64, 125};
    CHECK(pearson_r(x, lin) == doctest::Approx(1.0));
    CHECK(pearson_r(x, anti) == doctest::Approx(-1.0));
    CHECK(std::abs(pearson_r(x, lin)) <= 1.0);
    CHECK(pearson_r(x, cube) < 0.99);
    CHECK(spearman_rho(x, cube) == 1.0);
    CHECK(spearman_rho(x, anti) == -1.0);
    // Two points are always perfectly correlated.
    CHECK(pearson_r(std::vector<double>{0, 1}, std::vector<double>{5, 3}) == doctest::Approx(-1.0));
    // Invariant to affine changes of either variable.
    const std::vector<double> z{0.3, -1.2, 2.2, 0.9, 0.1};
    std::vector<double> z2(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) z2[i] = 1000.0 - 3.0 * z[i];
    CHECK(pearson_r(x, z2) == doctest::Approx(-pearson_r(x, z)).epsilon(1e-12));
}

TEST_CASE("correlation: bad input is refused by name")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> a{1, 2, 3};
    CHECK_THROWS_WITH_AS(pearson_r(a, std::vector<double>{1, 2}), doctest::Contains("pearson_r: x has 3 values and y has 2"),
                         config_error);
    CHECK_THROWS_WITH_AS(pearson_r(std::vector<double>{1}, std::vector<double>{1}),
                         doctest::Contains("pearson_r: x needs at least 2 values"), config_error);
    CHECK_THROWS_WITH_AS(pearson_r(a, std::vector<double>{1, nan, 3}), doctest::Contains("pearson_r: y[1] is nan"),
                         config_error);
    CHECK_THROWS_WITH_AS(pearson_r(a, std::vector<double>{2, 2, 2}), doctest::Contains("pearson_r: y is constant"),
                         config_error);
    CHECK_THROWS_WITH_AS(spearman_rho(std::vector<double>{4, 4, 4}, a), doctest::Contains("spearman_rho: x is constant"),
                         config_error);
    CHECK_THROWS_WITH_AS(spearman_rho(a, std::vector<double>{1, 2}), doctest::Contains("spearman_rho: x has 3 values"),
                         config_error);
    CHECK_THROWS_WITH_AS(correlation_permutation_test(a, a, correlation_kind::pearson, {0, 1, 0}),
                         doctest::Contains("permutations must be >= 1"), config_error);
    CHECK_THROWS_WITH_AS(correlation_permutation_test(a, std::vector<double>{nan, 1, 2}),
                         doctest::Contains("correlation_permutation_test: y[0] is nan"), config_error);
    CHECK_THROWS_AS(average_ranks(std::vector<double>{1, nan}), config_error);
}

TEST_CASE("permutation test: a perfectly correlated set gives p = 1 / (permutations + 1)")
{
    // With n = 20 a random permutation reaches |r| = 1 with probability 2 / 20!.
    std::vector<double> x(20), y(20), down(20);
    for (std::size_t i = 0; i < 20; ++i) {
        x[i] = std::sin(double(i));
        y[i] = 3.0 * x[i] - 1.0;
        down[i] = -x[i];
    }
    for (const auto kind : {correlation_kind::pearson, correlation_kind::spearman}) {
        const auto r = correlation_permutation_test(x, y, kind, {999, 4, 0});
        CHECK(r.r == doctest::Approx(1.0));
        CHECK(r.reached == 0);
        CHECK(r.permutations == 999);
        CHECK(r.p_value == 1.0 / 1000.0);
        // Two-sided: a perfect negative correlation is as significant.
        CHECK(correlation_permutation_test(x, down, kind, {999, 4, 0}).p_value == 1.0 / 1000.0);
    }
}

TEST_CASE("permutation test: the Monte Carlo p-value estimates the exact one from all n! permutations")
{
    const std::vector<double> x{0.1, 0.9, 0.4, 1.7, 1.1, 2.0, 0.6}, y{1.0, 1.3, 0.2, 1.9, 0.7, 1.6, 1.4};
    for (const auto kind : {correlation_kind::pearson, correlation_kind::spearman}) {
        CAPTURE(int(kind));
        const double r = kind == correlation_kind::pearson ? pearson_r(x, y) : spearman_rho(x, y);
        std::vector<std::size_t> perm(x.size());
        std::iota(perm.begin(), perm.end(), std::size_t{0});
        std::size_t reach = 0, total = 0;
        std::vector<double> yp(y.size());
        do {
            for (std::size_t i = 0; i < perm.size(); ++i) yp[i] = y[perm[i]];
            const double rp = kind == correlation_kind::pearson ? pearson_r(x, yp) : spearman_rho(x, yp);
            reach += std::abs(rp) >= std::abs(r) - 1e-12;
            ++total;
        } while (std::next_permutation(perm.begin(), perm.end()));
        CHECK(total == 5040);
        const double exact = double(reach) / double(total);
        CHECK(exact > 0.05);  // a case where the estimate is not trivially small
        CHECK(exact < 0.5);
        const auto t = correlation_permutation_test(x, y, kind, {20000, 11, 3});
        CHECK(t.r == doctest::Approx(r).epsilon(1e-14));
        // Monte Carlo sd of p is at most 0.5 / sqrt(20000) = 0.0035.
        CHECK(std::abs(t.p_value - exact) < 0.015);
    }
}

TEST_CASE("permutation test: independent samples are significant about 5 % of the time")
{
    std::size_t significant = 0;
    const std::size_t trials = 200;
    for (std::size_t k = 0; k < trials; ++k) {
        random_stream rng(17, stream_purpose::user, k);
        std::vector<double> x(15), y(15);
        for (std::size_t i = 0; i < 15; ++i) {
            x[i] = rng.normal();
            y[i] = rng.normal();
        }
        const auto t = correlation_permutation_test(x, y, correlation_kind::pearson, {199, 5, k});
        CHECK(t.p_value >= 1.0 / 200.0);
        CHECK(t.p_value <= 1.0);
        significant += t.p_value <= 0.05;
    }
    // Binomial(200, 0.05): mean 10; more than 22 has probability < 1e-3.
    CHECK(significant <= 22);
    CHECK(significant >= 2);
}

TEST_CASE("permutation test: determined by the data, the seed and the key")
{
    const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8}, y{2, 1, 4, 3, 6, 8, 5, 7};
    const auto a = correlation_permutation_test(x, y, correlation_kind::spearman, {5000, 7, 1});
    const auto b = correlation_permutation_test(x, y, correlation_kind::spearman, {5000, 7, 1});
    CHECK(a.reached == b.reached);
    CHECK(a.p_value == b.p_value);
    const auto other_key = correlation_permutation_test(x, y, correlation_kind::spearman, {5000, 7, 2});
    CHECK(other_key.r == a.r);
    CHECK(other_key.reached != a.reached);  // another stream (equal counts would be a coincidence)
}

}

TEST_CASE("mean_pairwise_correlation: each pair's Pearson r, averaged over pairs with no constant column")
{
    // Columns: a = (1,2,3,4), b = 2a (r(a,b) = 1), c = (4,3,2,1) (r = -1 with
    // a and b), d constant (left out). Pairs ab, ac, bc: (1 - 1 - 1) / 3.
    const std::vector<std::uint32_t> t{1, 2, 4, 7, 2, 4, 3, 7, 3, 6, 2, 7, 4, 8, 1, 7};
    const auto r = somnus::mean_pairwise_correlation(std::span<const std::uint32_t>(t), 4, 4);
    REQUIRE(r.mean.has_value());
    CHECK(r.pairs == 3);
    CHECK(*r.mean == doctest::Approx(-1.0 / 3.0).epsilon(1e-12));
    // The same as pearson_r over the columns, on random values.
    somnus::random_stream rng(5, 1);
    std::vector<float> v(50 * 6);
    for (auto& x : v) x = float(rng.uniform());
    const auto m = somnus::mean_pairwise_correlation(std::span<const float>(v), 50, 6);
    double sum = 0;
    for (std::size_t a = 0; a < 6; ++a)
        for (std::size_t b = a + 1; b < 6; ++b) {
            std::vector<double> x, y;
            for (std::size_t k = 0; k < 50; ++k) {
                x.push_back(v[k * 6 + a]);
                y.push_back(v[k * 6 + b]);
            }
            sum += somnus::pearson_r(x, y);
        }
    CHECK(m.pairs == 15);
    CHECK(*m.mean == doctest::Approx(sum / 15).epsilon(1e-12));
    // No pair: every column constant.
    const std::vector<double> flat(12, 3.0);
    CHECK_FALSE(somnus::mean_pairwise_correlation(std::span<const double>(flat), 4, 3).mean.has_value());
    CHECK_THROWS(somnus::mean_pairwise_correlation(std::span<const double>(flat), 5, 3));
}
