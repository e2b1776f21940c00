// SPDX-License-Identifier: MIT
// Massey et al.'s nearest-spike rule in both sign conventions against
// hand-computed pairs, and its SIMD path against the scalar reference.
#include <doctest/doctest.h>

#include <cmath>

#include <somnus/plasticity/last_spike_timing.hpp>

using namespace somnus;

TEST_SUITE("plasticity") {

TEST_CASE("last_spike_timing: their code's convention potentiates pre-after-post pairs")
{
    const last_spike_timing r;  // eta 8e-4, tau_ltp 10 ms, tau_ltd 7.5 ms
    // Pre fired 2 ms ago, post 5 ms ago: lag = 5 - 2 = 3 >= 0, the
    // presynaptic spike is the more recent: w += eta exp(-3 / 10).
    CHECK(r.change<float>(3.0f) == doctest::Approx(8.0e-4 * std::exp(-0.3)).epsilon(1e-6));
    // Pre 5 ms ago, post 2 ms ago (causal): lag = -3: w -= eta exp(-3 / 7.5).
    CHECK(r.change<float>(-3.0f) == doctest::Approx(-8.0e-4 * std::exp(-0.4)).epsilon(1e-6));
    // Together: lag 0 potentiates by eta.
    CHECK(r.change<float>(0.0f) == doctest::Approx(8.0e-4).epsilon(1e-7));
}

TEST_CASE("last_spike_timing: the textbook convention potentiates causal pairs")
{
    last_spike_timing::params p;
    p.convention = timing_convention::pre_before_post;
    const last_spike_timing r(p);
    // Pre 5 ms ago, post 2 ms ago: lag -3, causal: w += eta exp(-3 / 10).
    CHECK(r.change<float>(-3.0f) == doctest::Approx(8.0e-4 * std::exp(-0.3)).epsilon(1e-6));
    // Pre 2 ms ago, post 5 ms ago: anti-causal: w -= eta exp(-3 / 7.5).
    CHECK(r.change<float>(3.0f) == doctest::Approx(-8.0e-4 * std::exp(-0.4)).epsilon(1e-6));
    CHECK(r.change<float>(0.0f) == doctest::Approx(8.0e-4).epsilon(1e-7));
}

TEST_CASE("last_spike_timing: the SIMD path agrees with the scalar reference")
{
    for (const auto c : {timing_convention::pre_after_post, timing_convention::pre_before_post}) {
        last_spike_timing::params p;
        p.convention = c;
        p.eta = 5.0e-3f;
        const last_spike_timing r(p);
        alignas(64) float lags[simd::width], out[simd::width];
        for (int base = -300; base < 300; base += int(simd::width)) {
            for (std::size_t k = 0; k < simd::width; ++k) lags[k] = float(base + int(k)) * 0.5f;
            r.change<simd::batch>(simd::batch::load_aligned(lags)).store_aligned(out);
            for (std::size_t k = 0; k < simd::width; ++k) {
                const float ref = r.change<float>(lags[k]);
                CHECK(out[k] == doctest::Approx(ref).epsilon(1e-6));
                CHECK((out[k] >= 0.0f) == (ref >= 0.0f));
            }
        }
    }
}

TEST_CASE("last_spike_timing: bad parameters are refused by name")
{
    last_spike_timing::params p;
    p.tau_ltd_ms = 0.0f;
    CHECK_THROWS_WITH_AS(last_spike_timing{p}, doctest::Contains("tau_ltd_ms"), config_error);
    p = {};
    p.eta = std::nanf("");
    CHECK_THROWS_AS(last_spike_timing{p}, config_error);
}

} // TEST_SUITE
