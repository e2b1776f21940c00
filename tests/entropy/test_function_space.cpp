// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/population.hpp>

using namespace somnus;

TEST_SUITE("entropy") {

TEST_CASE("S0 = -sum P^2 ln P for a hand-built grouping; Shannon form beside it")
{
    // Five networks in groups {0, 1, 2}, {3}, {4}: P = 0.6, 0.2, 0.2.
    const std::vector<std::size_t> labels{0, 0, 0, 1, 2};
    const double s0 = -(0.36 * std::log(0.6) + 2 * 0.04 * std::log(0.2));
    CHECK(function_space_entropy(labels) == doctest::Approx(s0));
    CHECK(function_space_entropy(labels, function_space_s0{info_unit::bits}) == doctest::Approx(s0 / std::log(2.0)));
    const double shannon = -(0.6 * std::log(0.6) + 2 * 0.2 * std::log(0.2));
    CHECK(function_space_entropy(labels, plug_in{info_unit::nats}) == doctest::Approx(shannon));
    // One group: 0. Ten singletons: S0 = -10 * 0.01 ln 0.1 = 0.1 ln 10.
    const std::vector<std::size_t> one(10, 0);
    std::vector<std::size_t> singletons(10);
    for (std::size_t k = 0; k < 10; ++k) singletons[k] = k;
    CHECK(function_space_entropy(one) == 0.0);
    CHECK(function_space_entropy(singletons) == doctest::Approx(0.1 * std::log(10.0)));
    const std::vector<std::size_t> none;
    CHECK(function_space_entropy(none) == 0.0);
}

TEST_CASE("grouping by threshold agreement; non-transitive agreement joins one component")
{
    // 10 shuffled labels each. A and B share 6 entries, B and C share 6,
    // A and C share only 2; D agrees with nobody.
    const std::vector<int> a{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const std::vector<int> b{0, 1, 2, 3, 4, 5, 0, 0, 0, 0};
    const std::vector<int> c{9, 9, 9, 9, 4, 5, 0, 0, 0, 0};
    const std::vector<int> d{5, 5, 5, 5, 5, 4, 4, 4, 4, 4};
    CHECK(mapping_agreement(a, b) == 6);
    CHECK(mapping_agreement(b, c) == 6);
    CHECK(mapping_agreement(a, c) == 2);
    const auto groups = group_by_agreement({a, b, c, d}, 5);
    CHECK(groups == std::vector<std::size_t>{0, 0, 0, 1});
    CHECK(group_sizes(groups) == std::vector<std::uint64_t>{3, 1});
    // A stricter threshold separates them all.
    CHECK(group_by_agreement({a, b, c, d}, 7) == std::vector<std::size_t>{0, 1, 2, 3});
    // Components found through a later item: 0~3, 1~3 -> {0, 1, 3}, {2}.
    const auto comp = connected_components(4, [](std::size_t i, std::size_t j) { return (i == 0 && j == 3) || (i == 1 && j == 3); });
    CHECK(comp == std::vector<std::size_t>{0, 0, 1, 0});
}

TEST_CASE("first-match grouping (the author's script): order dependent where components are not")
{
    // The same three mappings as above: A~B, B~C, not A~C.
    const std::vector<int> a{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const std::vector<int> b{0, 1, 2, 3, 4, 5, 0, 0, 0, 0};
    const std::vector<int> c{9, 9, 9, 9, 4, 5, 0, 0, 0, 0};
    // A founds a group, B joins it, C is compared with A only: a new group.
    CHECK(group_first_match(std::vector<std::vector<int>>{a, b, c}, 5) == std::vector<std::size_t>{0, 0, 1});
    // B first: A and C both join B's group.
    CHECK(group_first_match(std::vector<std::vector<int>>{b, a, c}, 5) == std::vector<std::size_t>{0, 0, 0});
    // Components do not depend on the order: one group either way.
    CHECK(group_by_agreement({a, b, c}, 5) == std::vector<std::size_t>{0, 0, 0});
    CHECK(group_by_agreement({b, a, c}, 5) == std::vector<std::size_t>{0, 0, 0});
    // Sizes {2, 1} against {3}: the order changes the multiset and S0.
    CHECK(group_sizes(group_first_match(std::vector<std::vector<int>>{a, b, c}, 5)) == std::vector<std::uint64_t>{2, 1});
    // A network is compared with the first matching group only, in order of creation.
    const std::vector<int> d{0, 1, 2, 3, 4, 9, 9, 9, 9, 9};  // 5 with A, 5 with B
    CHECK(group_first_match(std::vector<std::vector<int>>{a, c, d}, 5) == std::vector<std::size_t>{0, 1, 0});
    // Mappings of ten equal entries (the script's): all ten or none agree,
    // so the groups are the distinct values, in order of first appearance.
    const std::vector<std::vector<double>> copies{std::vector<double>(10, 0.125), std::vector<double>(10, 0.1328125),
                                                  std::vector<double>(10, 0.125), std::vector<double>(10, 2.0 / 16.0)};
    CHECK(group_first_match(copies, 5) == std::vector<std::size_t>{0, 1, 0, 0});
    CHECK(group_first_match(copies, 10) == std::vector<std::size_t>{0, 1, 0, 0});
    CHECK(group_first_match(std::vector<std::vector<int>>{}, 5).empty());
    CHECK_THROWS_AS(group_first_match(std::vector<std::vector<int>>{a, std::vector<int>{1, 2}}, 5), config_error);
}

TEST_CASE("weight-distribution entropy over fixed bins")
{
    const std::vector<float> w{0.0f, 0.1f, -1.0f, 0.5f, 0.99f, 1.0f, std::nanf("")};
    const auto counts = histogram(std::span<const float>(w), fixed_bins{0.0, 1.0, 2});
    CHECK(counts == std::vector<std::uint64_t>{3, 3});
    CHECK(histogram_entropy(std::span<const float>(w), fixed_bins{0.0, 1.0, 2}, plug_in{}) == doctest::Approx(1.0));
    // All weights equal: 0 bits. No weights: 0 bits.
    const std::vector<float> same(100, 0.3f), none;
    CHECK(histogram_entropy(std::span<const float>(same), fixed_bins{0.0, 1.0, 32}, plug_in{}) == 0.0);
    CHECK(histogram_entropy(std::span<const float>(none), fixed_bins{0.0, 1.0, 32}, miller_madow{}) == 0.0);
    // Uniform over 8 bins: 3 bits.
    std::vector<double> u;
    for (int k = 0; k < 800; ++k) u.push_back((k % 8) / 8.0 + 0.01);
    CHECK(histogram_entropy(std::span<const double>(u), fixed_bins{0.0, 1.0, 8}, plug_in{}) == doctest::Approx(3.0));
    CHECK_THROWS_AS(histogram(std::span<const float>(w), fixed_bins{1.0, 0.0, 2}), config_error);
}

TEST_CASE("population firing-pattern entropy")
{
    // Two neurons, four bins, every pattern once: 2 bits.
    spike_trains t(2, 4);
    t.set(0, 1);
    t.set(1, 2);
    t.set(0, 3);
    t.set(1, 3);
    CHECK(population_entropy(t, plug_in{}) == doctest::Approx(2.0));
    // Two identical neurons firing in half the bins: 1 bit.
    spike_trains same(2, 10);
    for (std::size_t b = 0; b < 10; b += 2) {
        same.set(0, b);
        same.set(1, b);
    }
    CHECK(population_entropy(same, plug_in{}) == doctest::Approx(1.0));
    // 70 neurons (two words per pattern): neuron 69 alone distinguishes two patterns.
    spike_trains wide(70, 8);
    for (std::size_t b = 0; b < 8; b += 2) wide.set(69, b);
    CHECK(population_entropy(wide, plug_in{}) == doctest::Approx(1.0));
    CHECK(pattern_counts(wide).size() == 2);
    // Silent, empty, all-firing: 0.
    spike_trains silent(5, 100), empty(5, 0), no_neurons(0, 10), firing(3, 50);
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t b = 0; b < 50; ++b) firing.set(k, b);
    for (const auto* s : {&silent, &empty, &no_neurons, &firing}) {
        CHECK(population_entropy(*s, plug_in{}) == 0.0);
        CHECK(population_entropy(*s, miller_madow{}) == 0.0);
    }
}

}

TEST_CASE("label_mapping: the class predicted most often for each shuffled label")
{
    // Three classes, perm 0->2, 1->0, 2->1. A network predicting the true class
    // maps shuffled label l to perm^-1(l); one confusing class 1 with 0 maps
    // label perm[1] = 0 to class 0; ties go to the lowest class.
    const std::vector<std::size_t> perm{2, 0, 1};
    const std::vector<std::uint8_t> labels{0, 0, 1, 1, 2, 2};
    const std::vector<std::uint8_t> right{0, 0, 1, 1, 2, 2}, confused{0, 0, 0, 0, 2, 1};
    CHECK(somnus::label_mapping(labels, right, perm) == std::vector<int>{1, 2, 0});
    CHECK(somnus::label_mapping(labels, confused, perm) == std::vector<int>{0, 1, 0});
    // A label no sample carries maps to -1.
    const std::vector<std::uint8_t> some{0, 1}, pred{0, 1};
    CHECK(somnus::label_mapping(some, pred, perm) == std::vector<int>{1, -1, 0});
    const std::vector<std::uint8_t> bad{3};
    CHECK_THROWS(somnus::label_mapping(bad, bad, perm));
}
