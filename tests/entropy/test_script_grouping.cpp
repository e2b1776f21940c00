// SPDX-License-Identifier: MIT
// The replica of the author's script for Gupta 2024 (examples/nmnist_ensemble/script_grouping.hpp).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../../examples/nmnist_ensemble/script_grouping.hpp"

using namespace somnus;
namespace gs = somnus::example::gupta_script;

namespace {

/// A class-ordered test set of `per_class` recordings per class, and a
/// network that predicts every digit right.
std::vector<std::uint64_t> class_ordered(std::size_t per_class)
{
    std::vector<std::uint64_t> labels;
    for (std::uint64_t c = 0; c < 10; ++c) labels.insert(labels.end(), per_class, c);
    return labels;
}

} // namespace

TEST_SUITE("entropy") {

TEST_CASE("script replica: index-based labels give chance accuracy on a class-ordered set")
{
    const auto digits = class_ordered(100);
    const auto perfect = digits;
    const auto labels = gs::index_labels(digits.size(), gs::python_seed42_permutation);
    CHECK(labels[0] == 7);
    CHECK(labels[13] == 8);
    std::size_t hit = 0;
    for (std::size_t k = 0; k < digits.size(); ++k) hit += perfect[k] == labels[k];
    // Each class block of 100 holds every index label 10 times: exactly 10 %.
    CHECK(hit == 100);
    // A batch of 128 within one class scores about 1 in 10 (12 or 13 of 128):
    // a perfect network's best batch is near chance.
    const double best = gs::best_batch_accuracy(perfect, labels, 128);
    CHECK(best >= 12.0 / 128.0);
    CHECK(best <= 0.2);
    // The real digits as labels: 100 %.
    CHECK(gs::best_batch_accuracy(perfect, digits, 128) == 1.0);
    // tonic's order: class by class, the order within a class kept.
    const std::vector<std::uint64_t> mixed{3, 1, 3, 0, 1};
    CHECK(gs::class_blocked_order(mixed) == std::vector<std::size_t>{3, 1, 4, 0, 2});
}

TEST_CASE("script replica: the best batch, the last one partial, from 0")
{
    // 5 samples in batches of 2: {hit, miss}, {miss, miss}, {hit}: best 1.0.
    const std::vector<std::uint64_t> pred{1, 0, 0, 0, 4}, lab{1, 1, 1, 1, 4};
    CHECK(gs::best_batch_accuracy(pred, lab, 2) == 1.0);
    CHECK(gs::best_batch_accuracy(pred, lab, 5) == doctest::Approx(0.4));
    // Nothing right anywhere: 0, the script's starting value.
    const std::vector<std::uint64_t> wrong{2, 2, 2, 2, 2};
    CHECK(gs::best_batch_accuracy(wrong, lab, 2) == 0.0);
    CHECK_THROWS_AS(gs::best_batch_accuracy(pred, std::vector<std::uint64_t>{1}, 2), config_error);
}

TEST_CASE("script replica: equal maxima group together, whatever the predictions")
{
    const auto digits = class_ordered(20);  // 200 samples
    const auto labels = gs::index_labels(digits.size(), gs::python_seed42_permutation);
    // Network 0 is right on the digits; network 1 predicts the index label on
    // the first 20 samples and 9 elsewhere (a different function); network 2
    // is right on the digits but wrong on the first block.
    std::vector<std::vector<std::uint64_t>> pred(3, digits);
    for (std::size_t k = 0; k < 200; ++k) pred[1][k] = k < 20 ? labels[k] : 9;
    for (std::size_t k = 0; k < 20; ++k) pred[2][k] = 9;
    const std::vector<std::size_t> order{0, 1, 2};
    const auto o = gs::run(pred, gs::python_seed42_permutation, order, 20, 5);
    REQUIRE(o.best.size() == 3);
    // Best batch of 20: network 1 scores 20/20 on its first batch; 0 and 2 score
    // the same 2/20 on every other block.
    CHECK(o.best[1] == 1.0);
    CHECK(o.best[0] == o.best[2]);
    CHECK(o.group == std::vector<std::size_t>{0, 1, 0});
    CHECK(o.sizes == std::vector<std::uint64_t>{2, 1});
    CHECK(o.s0 == doctest::Approx(function_space_s0{}.entropy(std::vector<std::uint64_t>{2, 1})));
    // With ten equal entries the threshold (1..10) does not matter.
    for (std::size_t t = 1; t <= 10; ++t) CHECK(gs::run(pred, gs::python_seed42_permutation, order, 20, t).sizes == o.sizes);
    // The multiset does not depend on the member order.
    const std::vector<std::size_t> reversed{2, 1, 0};
    CHECK(gs::multiset(gs::run(pred, gs::python_seed42_permutation, reversed, 20, 5).sizes) == gs::multiset(o.sizes));
}

TEST_CASE("script replica: the published groups {1,3,5,1} give S0 0.32770; draws are deterministic")
{
    CHECK(function_space_s0{}.entropy(std::vector<std::uint64_t>{1, 3, 5, 1}) == doctest::Approx(0.3276960).epsilon(1e-6));
    // Ten networks of three kinds; the distribution is a function of the seed.
    const auto digits = class_ordered(30);
    std::vector<std::vector<std::uint64_t>> pred(10, digits);
    for (std::size_t m = 0; m < 10; ++m)
        for (std::size_t k = 0; k < digits.size(); ++k)
            if ((k * 7 + m % 3) % 11 == 0) pred[m][k] = (digits[k] + 1) % 10;
    const auto a = gs::sample(pred, 50, 3);
    const auto b = gs::sample(pred, 50, 3);
    CHECK(a.s0 == b.s0);
    CHECK(a.multisets == b.multisets);
    std::size_t total = 0;
    for (const auto& [m, n] : a.multisets) {
        std::uint64_t members = 0;
        for (const auto s : m) members += s;
        CHECK(members == 10);
        total += n;
    }
    CHECK(total == 50);
    CHECK(a.order_changed == 0);
}

TEST_CASE("script replica: the permutation is Python's random.seed(42) shuffle")
{
    if (!std::filesystem::exists("/usr/bin/python3")) return;  // checked where Python is present
    FILE* p = ::popen("/usr/bin/python3 -c 'import random; random.seed(42); l = list(range(10)); random.shuffle(l); print(*l)' 2>/dev/null", "r");
    REQUIRE(p != nullptr);
    char buf[128] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
    ::pclose(p);
    std::string expect;
    for (std::size_t k = 0; k < 10; ++k) {
        if (k > 0) expect += ' ';
        expect += std::to_string(gs::python_seed42_permutation[k]);
    }
    CHECK(std::string(buf, n) == expect + "\n");
}

}
