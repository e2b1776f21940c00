// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>

using namespace somnus;

namespace {

spike_trains bernoulli_trains(std::size_t n, std::size_t bins, double p, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user, 79);
    return spike_trains::bernoulli(n, bins, p, rng);
}

} // namespace

TEST_SUITE("entropy") {

TEST_CASE("shuffle test: independent trains are not significant, dependent ones are")
{
    const std::size_t bins = 700, pairs = 100;
    const auto x = bernoulli_trains(pairs, bins, 0.1, 1), y = bernoulli_trains(pairs, bins, 0.1, 2);
    std::size_t significant = 0;
    for (std::size_t k = 0; k < pairs; ++k) {
        const auto r = mi_shuffle_test(x, k, y, k, plug_in{}, {200, 5, 0});
        significant += r.p_value < 0.05;
        CHECK(r.p_value > 0.0);
        CHECK(r.p_value <= 1.0);
    }
    // About 5 of 100 by chance; a binomial(100, 0.05) exceeds 15 with probability < 1e-4.
    CHECK(significant <= 15);

    // Identical trains: no surrogate reaches the observed MI (p = 1 / (1 + S)).
    const auto r = mi_shuffle_test(x, 0, x, 0, miller_madow{}, {200, 5, 0});
    CHECK(r.p_value == doctest::Approx(1.0 / 201.0));
    CHECK(r.surrogate_mean < r.observed);
}

TEST_CASE("shuffle p-value estimates the exact permutation p-value")
{
    // A weak dependence: y copies x in some bins.
    const std::size_t bins = 400;
    const auto x = bernoulli_trains(1, bins, 0.15, 3);
    auto y = bernoulli_trains(1, bins, 0.15, 4);
    for (std::size_t b = 0; b < 40; ++b) y.set(0, b, x.test(0, b));
    const auto c = joint_table(x, 0, y, 0);
    const double exact = exact_permutation_p(c, plug_in{});
    const auto r = mi_shuffle_test(x, 0, y, 0, plug_in{}, {4000, 9, 0});
    // Monte Carlo sd of p with 4000 surrogates is at most 0.008.
    CHECK(std::abs(r.p_value - exact) < 0.03);
}

TEST_CASE("shuffle test is deterministic: same seed, same p, whatever the threads and the SIMD path")
{
    const std::size_t bins = 333;
    const auto x = bernoulli_trains(50, bins, 0.1, 5), y = bernoulli_trains(7, bins, 0.2, 6);
    const shuffle_test_params p{300, 42, 3};
    const auto one = summed_mi_shuffle_test(x, y, plug_in{}, p, 1);
    const auto two = summed_mi_shuffle_test(x, y, plug_in{}, p, 2);
    const auto three = summed_mi_shuffle_test(x, y, plug_in{}, p, 3);
    const auto scalar = summed_mi_shuffle_test<std::uint64_t>(x, y, plug_in{}, p, 1);
    REQUIRE(one.size() == 7);
    for (std::size_t j = 0; j < 7; ++j) {
        CHECK(one[j].p_value == two[j].p_value);
        CHECK(one[j].p_value == three[j].p_value);
        CHECK(one[j].p_value == scalar[j].p_value);
        CHECK(one[j].surrogate_mean == scalar[j].surrogate_mean);
        CHECK(one[j].observed == doctest::Approx(mutual_information_matrix(x, y, plug_in{}).sum_over_x()[j]));
    }
    const auto other_seed = summed_mi_shuffle_test(x, y, plug_in{}, {300, 43, 3}, 1);
    bool any_differs = false;
    for (std::size_t j = 0; j < 7; ++j) any_differs |= other_seed[j].surrogate_mean != one[j].surrogate_mean;
    CHECK(any_differs);
}

TEST_CASE("summed-MI test: progress counts the y trains and changes nothing")
{
    const std::size_t bins = 200;
    const auto x = bernoulli_trains(20, bins, 0.1, 7), y = bernoulli_trains(9, bins, 0.2, 8);
    const shuffle_test_params p{100, 4, 2};
    const auto quiet = summed_mi_shuffle_test(x, y, plug_in{}, p, 2);
    for (const unsigned threads : {1u, 2u}) {
        std::vector<std::size_t> seen;
        const auto told = summed_mi_shuffle_test(x, y, plug_in{}, p, threads, [&](std::size_t d) { seen.push_back(d); });
        REQUIRE(!seen.empty());
        CHECK(seen.back() == 9);
        for (std::size_t k = 1; k < seen.size(); ++k) CHECK(seen[k] >= seen[k - 1]);
        if (threads == 1) CHECK(seen.size() == 10);  // after each train, then once at the end
        for (std::size_t j = 0; j < 9; ++j) CHECK(told[j].p_value == quiet[j].p_value);
    }
}

TEST_CASE("summed-MI test finds an output driven by its inputs")
{
    // Output 0 fires when any of inputs 0..4 fired; output 1 is independent.
    const std::size_t bins = 700;
    const auto x = bernoulli_trains(20, bins, 0.05, 7);
    spike_trains y = bernoulli_trains(2, bins, 0.2, 8);
    for (std::size_t b = 0; b < bins; ++b) {
        bool any = false;
        for (std::size_t i = 0; i < 5; ++i) any |= x.test(i, b);
        y.set(0, b, any);
    }
    const auto r = summed_mi_shuffle_test(x, y, plug_in{}, {500, 1, 0});
    CHECK(r[0].p_value < 0.01);
    CHECK(r[1].p_value > 0.01);
}

}
