// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>

using namespace somnus;

namespace {

double h2(double p) { return p <= 0.0 || p >= 1.0 ? 0.0 : -(p * std::log2(p) + (1 - p) * std::log2(1 - p)); }

spike_trains bernoulli_trains(std::size_t n, std::size_t bins, double p, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user, 77);
    return spike_trains::bernoulli(n, bins, p, rng);
}

/// y = x with each bin flipped with probability f (a binary symmetric channel).
spike_trains noisy_copy(const spike_trains& x, double f, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user, 78);
    spike_trains y(x.size(), x.bins());
    for (std::size_t k = 0; k < x.size(); ++k)
        for (std::size_t b = 0; b < x.bins(); ++b) y.set(k, b, x.test(k, b) != rng.bernoulli(f));
    return y;
}

bool is_finite(double v) { return std::isfinite(v); }

} // namespace

TEST_SUITE("entropy") {

TEST_CASE("spike-train entropy of fair and biased coins")
{
    const std::size_t bins = 200000;
    const auto fair = bernoulli_trains(1, bins, 0.5, 1), biased = bernoulli_trains(1, bins, 0.11, 2);
    // Sampling error of the rate (sd ~0.0011 for p = 0.5) moves H by far less than 0.005 bits.
    CHECK(train_entropy(fair, 0, plug_in{}) == doctest::Approx(1.0).epsilon(0.005));
    CHECK(train_entropy(biased, 0, plug_in{}) == doctest::Approx(h2(0.11)).epsilon(0.01));  // H(0.11) ~ 0.4999 bits
    // Exact on an exact histogram: 11 spikes in 100 bins.
    spike_trains t(1, 100);
    for (std::size_t b = 0; b < 11; ++b) t.set(0, b * 9);
    CHECK(train_entropy(t, 0, plug_in{}) == doctest::Approx(h2(0.11)));
    CHECK(train_entropy(t, 0, plug_in{info_unit::nats}) == doctest::Approx(h2(0.11) * std::log(2.0)));
    // Miller-Madow by hand: two occupied bins, N = 100: + 1/200 nats.
    CHECK(train_entropy(t, 0, miller_madow{info_unit::nats}) == doctest::Approx(h2(0.11) * std::log(2.0) + 1.0 / 200.0));
}

TEST_CASE("MI of identical trains equals their entropy")
{
    const auto x = bernoulli_trains(3, 5000, 0.2, 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(mutual_information(x, k, x, k, plug_in{}) == doctest::Approx(train_entropy(x, k, plug_in{})));
        CHECK(mutual_information(x, k, x, k, miller_madow{}) == doctest::Approx(train_entropy(x, k, miller_madow{})));
        CHECK(joint_entropy(joint_table(x, k, x, k), plug_in{}) == doctest::Approx(train_entropy(x, k, plug_in{})));
    }
}

TEST_CASE("MI of a noisy copy matches the binary symmetric channel: I = H(Y) - H(f)")
{
    // X ~ Bernoulli(0.3), Y = X xor Bernoulli(0.1); P(Y = 1) = 0.3 * 0.9 + 0.7 * 0.1 = 0.34.
    // With 200 000 bins the estimate's sd is ~0.001 bits; tolerance 0.005 bits.
    const auto x = bernoulli_trains(1, 200000, 0.3, 4);
    const auto y = noisy_copy(x, 0.1, 5);
    const double analytic = h2(0.34) - h2(0.1);
    CHECK(std::abs(mutual_information(x, 0, y, 0, plug_in{}) - analytic) < 0.005);
    CHECK(std::abs(mutual_information(x, 0, y, 0, miller_madow{}) - analytic) < 0.005);
    // A flip probability of 1/2 destroys all information.
    const auto z = noisy_copy(x, 0.5, 6);
    CHECK(mutual_information(x, 0, z, 0, plug_in{}) < 0.001);
}

TEST_CASE("MI of independent trains: plug-in biased by ~1/2N, Miller-Madow close to 0")
{
    // Plug-in MI of independent binary variables is chi^2(1) / 2N nats on
    // average 1/2N; Miller-Madow subtracts exactly (1 + 1 - 3)/2N = -1/2N.
    const std::size_t bins = 2000, pairs = 400;
    const auto x = bernoulli_trains(pairs, bins, 0.2, 7), y = bernoulli_trains(pairs, bins, 0.3, 8);
    double plug = 0.0, mm = 0.0;
    for (std::size_t k = 0; k < pairs; ++k) {
        const auto c = joint_table(x, k, y, k);
        const double ip = mutual_information(c, plug_in{info_unit::nats});
        const double im = mutual_information(c, miller_madow{info_unit::nats});
        CHECK(ip >= 0.0);
        CHECK(im == doctest::Approx(ip - 1.0 / (2.0 * bins)));
        plug += ip;
        mm += im;
    }
    plug /= double(pairs);
    mm /= double(pairs);
    // Mean of 400 chi^2(1)/2N: 1/2N = 2.5e-4 nats, sd of the mean 1.8e-5.
    CHECK(plug == doctest::Approx(1.0 / (2.0 * bins)).epsilon(0.3));
    CHECK(std::abs(mm) < 0.3 / (2.0 * bins));
}

TEST_CASE("the MI matrix (popcount and scalar paths) equals pairwise MI")
{
    const auto x = bernoulli_trains(37, 333, 0.1, 9), y = bernoulli_trains(6, 333, 0.2, 10);
    const auto m = mutual_information_matrix(x, y, plug_in{}, 2);
    const auto s = mutual_information_matrix<std::uint64_t>(x, y, plug_in{});
    CHECK(m.mi == s.mi);
    for (std::size_t i = 0; i < 37; ++i)
        for (std::size_t j = 0; j < 6; ++j) CHECK(m.at(i, j) == mutual_information(x, i, y, j, plug_in{}));
    const auto sums = m.sum_over_x();
    double direct = 0.0;
    for (std::size_t i = 0; i < 37; ++i) direct += m.at(i, 2);
    CHECK(sums[2] == doctest::Approx(direct));
}

TEST_CASE("MI of a general contingency table")
{
    // Independent 2 x 3 table: MI 0. Diagonal 3 x 3: MI = log2 3.
    const std::vector<std::uint64_t> indep{2, 4, 6, 1, 2, 3}, diag{5, 0, 0, 0, 5, 0, 0, 0, 5};
    CHECK(mutual_information(std::span<const std::uint64_t>(indep), 2, 3, plug_in{}) == doctest::Approx(0.0));
    CHECK(mutual_information(std::span<const std::uint64_t>(diag), 3, 3, plug_in{}) == doctest::Approx(std::log2(3.0)));
}

TEST_CASE("empty, all-silent and all-firing trains: zeros, never NaN")
{
    spike_trains silent(2, 500), firing(2, 500), empty(2, 0);
    for (std::size_t b = 0; b < 500; ++b) {
        firing.set(0, b);
        firing.set(1, b);
    }
    const auto noisy = bernoulli_trains(1, 500, 0.3, 11);
    for (const auto* t : {&silent, &firing, &empty}) {
        CHECK(train_entropy(*t, 0, plug_in{}) == 0.0);
        CHECK(train_entropy(*t, 0, miller_madow{}) == 0.0);
        CHECK(mutual_information(*t, 0, *t, 1, plug_in{}) == 0.0);
        CHECK(mutual_information(*t, 0, *t, 1, miller_madow{}) == 0.0);
        if (t->bins() == 500) {
            CHECK(mutual_information(noisy, 0, *t, 0, plug_in{}) == 0.0);
            CHECK(mutual_information(noisy, 0, *t, 0, miller_madow{}) == 0.0);
        }
        const auto r = mi_shuffle_test(*t, 0, *t, 1, plug_in{}, {50, 1});
        CHECK(is_finite(r.p_value));
        CHECK(r.p_value == 1.0);
        CHECK(r.observed == 0.0);
        const auto sums = summed_mi_shuffle_test(*t, *t, miller_madow{}, {20, 1});
        for (const auto& s : sums) {
            CHECK(is_finite(s.observed));
            CHECK(s.p_value == 1.0);
            CHECK(is_finite(s.surrogate_sd));
        }
        const auto m = mutual_information_matrix(*t, *t, miller_madow{});
        for (const double v : m.mi) CHECK(v == 0.0);
    }
    CHECK(exact_permutation_p(joint_table(silent, 0, silent, 1), plug_in{}) == doctest::Approx(1.0));
    const auto zero_shuffle = mi_shuffle_test(noisy, 0, noisy, 0, plug_in{}, {0, 1});
    CHECK(zero_shuffle.p_value == 1.0);
}

}
