// SPDX-License-Identifier: MIT
// Massey et al.'s sleep pieces: the log-space decay against its closed form
// (scalar and SIMD), the early stop at the baseline totals, and the
// schedule's pause lengths and positions.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/core/combine.hpp>
#include <somnus/sleep/schedules.hpp>
#include <somnus/sleep/weights.hpp>

using namespace somnus;

namespace {
using context = sleep_context<detail::archetype_params, detail::archetype_params>;
}

TEST_SUITE("sleep") {

TEST_CASE("log_decay: n decays give target (|w| / target)^(lambda^n), sign kept, zero kept")
{
    std::vector<float> w{25.0f, 0.3f, 0.01f, 0.005f, -0.5f, -25.0f, 0.0f, 3.0f, 1.0f, 0.02f, 7.0f, 0.15f, 0.6f, -0.02f, 12.0f, 0.9f, 4.0f};
    const std::vector<float> w0 = w;
    const float t = 0.01f;
    const double lambda = 0.99997;
    const int n = 3000;
    for (int k = 0; k < n; ++k) log_decay::decay(w, t, lambda);
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (w0[i] == 0.0f) {
            CHECK(w[i] == 0.0f);
            continue;
        }
        const double exact = std::copysign(t * std::pow(std::abs(w0[i]) / t, std::pow(lambda, n)), w0[i]);
        CHECK(w[i] == doctest::Approx(exact).epsilon(2e-5));
    }
    // After 10 000 steps ln(|w| / 0.01) keeps about e^-0.3 of itself.
    CHECK(std::pow(lambda, 10000) == doctest::Approx(std::exp(-0.3)).epsilon(1e-5));
}

TEST_CASE("log_decay: the SIMD path agrees with the scalar reference to a few ulp")
{
    std::vector<float> a(37), b;
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = (i % 3 == 0 ? -1.0f : 1.0f) * (0.005f + 0.7f * float(i));
    b = a;
    log_decay::decay<float>(a, 0.01f, 0.99);
    log_decay::decay<simd::batch>(b, 0.01f, 0.99);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(5e-6));
}

TEST_CASE("log_decay + stop_at_baseline: decays follow the steps that ran, and the phase ends at the baseline")
{
    std::vector<float> exc{1.0f, 1.0f}, inh{-1.0f};
    std::vector<std::uint32_t> post_e{0, 1}, post_i{0};
    std::vector<std::uint8_t> changed(2, 0);
    float gain = 1.0f;
    projection_view pe{"e", synapse_sign::excitatory, &gain}, pi{"i", synapse_sign::inhibitory, &gain};
    pe.values = exc;
    pe.value_post = post_e;
    pe.w_min = 0.01f;
    pe.w_max = 25.0f;
    pe.changed = changed;
    pi.values = inh;
    pi.value_post = post_i;
    pi.w_min = -25.0f;
    pi.w_max = -0.01f;
    std::vector<projection_view> views{pe, pi};
    // Both totals come within 0.1 % of 1.0 (exc) and 0.5 (inh) when |w| is near 0.5.
    const double lambda = 0.9999;
    combine<log_decay, stop_at_baseline> mech{log_decay{{0.01f, lambda}}, stop_at_baseline{{1.0, 0.5, 1e-3}}};
    context c;
    c.projections = views;
    c.steps = 5000;
    mech.begin(c);
    std::uint64_t ran = 0;
    for (std::uint64_t k = 0; k < c.steps; ++k) {
        c.step = k;
        mech.step(c);
        if (c.finished) break;
        ++ran;
    }
    mech.end(c);
    // By hand: the first n with |2 * 0.01 * (100)^(lambda^n) - 1| <= 1e-3; the check before step n sees n decays.
    std::uint64_t expected = 0;
    while (std::abs(2.0 * 0.01 * std::pow(100.0, std::pow(lambda, double(expected))) - 1.0) > 1e-3) ++expected;
    CHECK(c.finished);
    // Float weights decayed a thousand times may cross the band one step apart from the double formula.
    CHECK(std::get<1>(mech.rules).stopped_at() == std::int64_t(ran));
    CHECK(std::llabs(std::int64_t(ran) - std::int64_t(expected)) <= 1);
    CHECK(2.0 * exc[0] == doctest::Approx(1.0).epsilon(1.5e-3));
    CHECK(-inh[0] == doctest::Approx(0.5).epsilon(1.5e-3));
}

TEST_CASE("sleep_in_batches: pauses every 35 images within each batch of 300, round(35 000 r) steps capped at 10 000")
{
    sleep_in_batches s;
    s.ratio = 0.1;
    s.validate();
    CHECK(s.pause_ms() == 3500.0);
    std::vector<std::uint64_t> at;
    for (std::uint64_t seen = 1; seen <= 600; ++seen)
        if (s.sleep_after(seen) > 0.0) at.push_back(seen);
    CHECK(at == std::vector<std::uint64_t>{35, 70, 105, 140, 175, 210, 245, 280, 335, 370, 405, 440, 475, 510, 545, 580});
    s.ratio = 0.3;
    CHECK(s.pause_ms() == 10000.0);
    s.ratio = 0.2857;
    CHECK(s.pause_ms() == 10000.0);
    s.ratio = 0.2;
    CHECK(s.pause_ms() == 7000.0);
    s.ratio = 1e-9;
    CHECK(s.pause_ms() == 1.0);  // at least one step
    s.ratio = 0.0;
    CHECK(s.sleep_after(35) == 0.0);
    s.ratio = -1.0;
    CHECK_THROWS_AS(s.validate(), config_error);
}

} // TEST_SUITE
