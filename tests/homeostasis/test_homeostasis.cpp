// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/homeostasis/adaptive_threshold.hpp>
#include <somnus/homeostasis/none.hpp>
#include <somnus/homeostasis/normalize_incoming.hpp>
#include <somnus/homeostasis/synaptic_scaling.hpp>

using namespace somnus;

TEST_SUITE("homeostasis") {

TEST_CASE("normalize_incoming: every column sums to the target, zero columns untouched")
{
    for (std::size_t n_post : {std::size_t(1), std::size_t(15), std::size_t(100)}) {
        matrix_f w = make_matrix(784, n_post);
        random_stream rng(3, n_post);
        for (auto& x : w) x = rng.uniform(0.0f, 0.3f);
        for (std::size_t i = 0; i < 784; ++i) w(i, 0) = 0.0f;  // a dead neuron
        const matrix_f before = w;
        std::vector<std::uint32_t> counts(n_post, 0);
        normalize_incoming norm{};
        norm.before_presentation(layer_ref{w, nullptr, counts});
        for (std::size_t j = 0; j < n_post; ++j) {
            double sum = 0.0;
            for (std::size_t i = 0; i < 784; ++i) sum += w(i, j);
            if (j == 0) CHECK(sum == 0.0);
            else CHECK(sum == doctest::Approx(78.0).epsilon(1e-4));
        }
        // Scaling is per column: ratios within a column are preserved.
        if (n_post > 1) CHECK(w(5, 1) / w(9, 1) == doctest::Approx(before(5, 1) / before(9, 1)).epsilon(1e-5));
    }
}

TEST_CASE("normalize_incoming with change flags: flagged columns get the full pass's bits, the rest stay put")
{
    // Few flags (column-by-column path) and many (whole-row path).
    for (std::size_t flagged : {std::size_t(2), std::size_t(40)}) {
        CAPTURE(flagged);
        matrix_f w = make_matrix(784, 64);
        random_stream rng(5, flagged);
        for (auto& x : w) x = rng.uniform(0.0f, 0.3f);
        matrix_f all = w;
        std::vector<std::uint32_t> counts(64, 0);
        normalize_incoming full{}, partial{};
        full.before_presentation(layer_ref{all, nullptr, counts});
        std::vector<std::uint8_t> changed(64, 0);
        for (std::size_t j = 0; j < flagged; ++j) changed[(j * 7) % 64] = 1;
        const auto flags = changed;
        const matrix_f before = w;
        partial.before_presentation(layer_ref{w, nullptr, counts, changed});
        for (std::size_t j = 0; j < 64; ++j) {
            CAPTURE(j);
            for (std::size_t i = 0; i < 784; i += 13) CHECK(w(i, j) == (flags[j] ? all(i, j) : before(i, j)));
            CHECK(changed[j] == 0);  // consumed
        }
    }
}

TEST_CASE("synaptic_scaling flags the columns it rescales")
{
    matrix_f w = make_matrix(4, 3, 0.5f);
    synaptic_scaling h(synaptic_scaling::params{5.0f, 0.1f, 500.0});
    std::vector<std::uint32_t> counts{0, 5, 20};
    std::vector<std::uint8_t> changed(3, 0);
    h.after_presentation(layer_ref{w, nullptr, counts, changed}, 1000.0);  // first call sizes its state at the target
    h.after_presentation(layer_ref{w, nullptr, counts, changed}, 1000.0);
    CHECK(changed[0] == 1);
    CHECK(changed[2] == 1);
}

TEST_CASE("adaptive_threshold: +theta_plus per spike, exponential decay per presentation")
{
    vector_f theta = make_vector(4, 20.0f);
    matrix_f w = make_matrix(1, 4);
    std::vector<std::uint32_t> counts(4, 0);
    adaptive_threshold h(adaptive_threshold::params{0.05f, 100.0});
    const layer_ref layer{w, &theta, counts};
    const std::uint32_t spikes[] = {1, 3, 3};
    h.on_spikes(layer, spikes);
    CHECK(theta[0] == 20.0f);
    CHECK(theta[1] == doctest::Approx(20.05f));
    CHECK(theta[3] == doctest::Approx(20.10f));
    h.after_presentation(layer, 50.0);
    CHECK(theta[0] == doctest::Approx(20.0 * std::exp(-0.5)).epsilon(1e-6));
    // Two presentations of 25 ms decay as one of 50 ms.
    vector_f a = make_vector(1, 7.0f), b = make_vector(1, 7.0f);
    h.after_presentation(layer_ref{w, &a, counts}, 25.0);
    h.after_presentation(layer_ref{w, &a, counts}, 25.0);
    h.after_presentation(layer_ref{w, &b, counts}, 50.0);
    CHECK(a[0] == doctest::Approx(b[0]).epsilon(1e-6));
}

TEST_CASE("adaptive_threshold: Diehl & Cook's 1e7 ms decay over 60 000 presentations")
{
    vector_f theta = make_vector(1, 20.0f);
    matrix_f w = make_matrix(1, 1);
    std::vector<std::uint32_t> counts(1, 0);
    adaptive_threshold h{};
    for (int k = 0; k < 60000; ++k) h.after_presentation(layer_ref{w, &theta, counts}, 500.0);
    // 3e7 ms at tau 1e7: e^-3, within float accumulation error.
    CHECK(theta[0] == doctest::Approx(20.0 * std::exp(-3.0)).epsilon(1e-3));
}

TEST_CASE("synaptic_scaling: quiet neurons grow their inputs, busy ones shrink them, on-target ones keep them")
{
    matrix_f w = make_matrix(10, 3, 0.5f);
    synaptic_scaling h(synaptic_scaling::params{5.0f, 0.1f, 500.0});
    // 500 ms presentations: 0 spikes = 0 Hz, 2.5 spikes... use 0, 5 and 20 spikes per second.
    std::vector<std::uint32_t> counts{0, 5, 20};
    for (int k = 0; k < 20; ++k) h.after_presentation(layer_ref{w, nullptr, counts}, 1000.0);
    CHECK(w(0, 0) > 0.5f);
    CHECK(w(0, 1) == doctest::Approx(0.5f));
    CHECK(w(0, 2) < 0.5f);
    CHECK(h.rates_hz()[2] == doctest::Approx(20.0).epsilon(0.01));
}

TEST_CASE("combine runs every rule")
{
    matrix_f w = make_matrix(4, 2, 1.0f);
    vector_f theta = make_vector(2, 0.0f);
    std::vector<std::uint32_t> counts(2, 0);
    combine<adaptive_threshold, normalize_incoming> h(adaptive_threshold{}, normalize_incoming({2.0f}));
    const layer_ref layer{w, &theta, counts};
    h.before_presentation(layer);
    const std::uint32_t spikes[] = {1};
    h.on_spikes(layer, spikes);
    CHECK(w(0, 0) == doctest::Approx(0.5f));
    CHECK(theta[1] == doctest::Approx(0.05f));
}

}
