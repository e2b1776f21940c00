// SPDX-License-Identifier: MIT
// integrate_and_fire with its threshold offset theta: hand-computed spike
// times (dyadic weights, so every sum is exact), theta set by hand and moved
// by adaptive_threshold, the leak against the analytic exponential,
// refractoriness, SIMD against the scalar reference, relax against stepping,
// and the model composed with Diehl & Cook's homeostasis in a network.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/homeostasis/adaptive_threshold.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/neuron/integrate_and_fire.hpp>
#include <somnus/plasticity/power_law.hpp>

#include "../network/synthetic.hpp"

using namespace somnus;

namespace {

/// Steps every neuron `steps` times with `in_exc` / `in_inh` added before
/// each step; returns the steps in which neuron `which` fired.
std::vector<int> spike_steps(const integrate_and_fire& m, integrate_and_fire::state& s, int steps, float in_exc, float in_inh = 0.0f,
                             std::size_t which = 0)
{
    std::vector<int> times;
    spike_list out;
    for (int k = 0; k < steps; ++k) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            s.in_exc[i] += in_exc;
            s.in_inh[i] += in_inh;
        }
        out.clear();
        m.step(s, out);
        if (std::find(out.begin(), out.end(), static_cast<std::uint32_t>(which)) != out.end()) times.push_back(k);
    }
    return times;
}

std::vector<float> flatten(const integrate_and_fire::state& s)
{
    std::vector<float> r;
    for (auto* x : {&s.v, &s.in_exc, &s.in_inh, &s.theta, &s.since_spike_ms}) r.insert(r.end(), x->begin(), x->end());
    return r;
}

integrate_and_fire::params threshold(float v_thresh)
{
    integrate_and_fire::params p;
    p.v_thresh_mV = v_thresh;
    return p;
}

} // namespace

TEST_SUITE("neuron") {

TEST_CASE("integrate-and-fire: input weights summing past the threshold fire at the known steps")
{
    const integrate_and_fire m(threshold(1.0f), 0.5f);
    auto s = m.make_state(1);
    spike_list out;
    // v = 0.25, 0.5, 0.75, 1.0 (equal to the threshold: no spike), 1.25 > 1.
    for (int k = 0; k < 4; ++k) {
        s.in_exc[0] = 0.25f;
        out.clear();
        m.step(s, out);
        CHECK(out.empty());
        CHECK(s.v[0] == 0.25f * float(k + 1));
    }
    s.in_exc[0] = 0.25f;
    m.step(s, out);
    CHECK(out == spike_list{0});
    CHECK(s.v[0] == 0.0f);
    CHECK(s.in_exc[0] == 0.0f);  // the channel is used up by the step

    // From reset, every fifth step; inhibition subtracts (0.5 - 0.25 per step
    // gives the same sums).
    auto a = m.make_state(1), b = m.make_state(1);
    CHECK(spike_steps(m, a, 20, 0.25f) == std::vector<int>{4, 9, 14, 19});
    CHECK(spike_steps(m, b, 20, 0.5f, 0.25f) == std::vector<int>{4, 9, 14, 19});

    // A resting and reset potential below zero, no leak: the threshold
    // (0.5) is 1.0 above them, so again the fifth input of 0.25 crosses it.
    auto p = threshold(0.5f);
    p.v_rest_mV = -0.5f;
    p.v_reset_mV = -0.5f;
    const integrate_and_fire shifted(p, 0.5f);
    auto c = shifted.make_state(1);
    CHECK(spike_steps(shifted, c, 20, 0.25f) == std::vector<int>{4, 9, 14, 19});
}

TEST_CASE("integrate-and-fire: theta raises each neuron's threshold by its value")
{
    auto p = threshold(1.0f);
    p.theta_init_mV = 0.5f;
    const integrate_and_fire m(p, 0.5f);
    auto s = m.make_state(3);
    for (float t : s.theta) CHECK(t == 0.5f);
    s.theta = {0.0f, 0.5f, -0.25f};  // thresholds 1, 1.5, 0.75
    // Inputs of 0.25 per step: the first sums above them are 1.25 (5th step),
    // 1.75 (7th) and 1.0 (4th); then every 5, 7 and 4 steps.
    auto s0 = s, s1 = s, s2 = s;
    CHECK(spike_steps(m, s0, 16, 0.25f, 0.0f, 0) == std::vector<int>{4, 9, 14});
    CHECK(spike_steps(m, s1, 16, 0.25f, 0.0f, 1) == std::vector<int>{6, 13});
    CHECK(spike_steps(m, s2, 16, 0.25f, 0.0f, 2) == std::vector<int>{3, 7, 11, 15});
    // The model never moves theta itself.
    CHECK(s0.theta == s.theta);
}

TEST_CASE("integrate-and-fire: adaptive_threshold raises the threshold by theta_plus per spike")
{
    const integrate_and_fire m(threshold(1.0f), 0.5f);
    auto s = m.make_state(2);
    adaptive_threshold h({0.25f, 1.0e7});
    matrix_f w = make_matrix(1, 2);
    std::vector<std::uint32_t> counts(2, 0);
    spike_list out;
    std::vector<int> times;
    for (int k = 0; k < 30; ++k) {
        s.in_exc[0] += 0.25f;  // neuron 1 gets nothing and must keep theta = 0
        out.clear();
        m.step(s, out);
        if (!out.empty()) {
            times.push_back(k);
            h.on_spikes(layer_ref{w, &s.theta, counts}, out);
        }
    }
    // After n spikes the threshold is 1 + 0.25 n and the next spike needs
    // n + 5 inputs of 0.25 from reset: intervals of 5, 6, 7, 8 steps.
    CHECK(times == std::vector<int>{4, 10, 17, 25});
    CHECK(s.theta[0] == 1.0f);
    CHECK(s.theta[1] == 0.0f);
}

TEST_CASE("integrate-and-fire: the leak follows the analytic exponential")
{
    auto p = threshold(10.0f);
    p.tau_m_ms = 10.0f;
    p.v_rest_mV = -1.0f;
    const integrate_and_fire m(p, 0.5f);
    auto s = m.make_state(1);
    s.v[0] = 0.5f;
    spike_list out;
    for (int k = 1; k <= 200; ++k) {
        m.step(s, out);
        CHECK(s.v[0] == doctest::Approx(-1.0 + 1.5 * std::exp(-0.5 * k / 10.0)).epsilon(1e-5));
    }
    CHECK(out.empty());

    // Constant input I per step from rest 0: after m steps
    // v = I (1 - keep^m) / (1 - keep), keep = exp(-dt / tau_m); the first
    // spike comes in the first step where that exceeds the threshold, and
    // the reset to 0 makes the interval repeat.
    auto q = threshold(1.5f);
    q.tau_m_ms = 10.0f;
    const integrate_and_fire leaky_if(q, 0.5f);
    const double keep = std::exp(-0.05), input = 0.1;
    int first = 0;
    while (input * (1.0 - std::pow(keep, first + 1)) / (1.0 - keep) <= 1.5) ++first;
    REQUIRE(first == 26);  // v(26 steps) = 1.4916, v(27 steps) = 1.5189: far from a tie
    auto r = leaky_if.make_state(1);
    CHECK(spike_steps(leaky_if, r, 100, 0.1f) == std::vector<int>{26, 53, 80});
}

TEST_CASE("integrate-and-fire: refractoriness holds v and discards input for refractory_ms")
{
    // Every input crosses the threshold at once, so the interval between
    // spikes is the refractory period rounded up to whole steps (at least 1).
    const std::vector<std::pair<float, std::vector<int>>> cases{{0.0f, {0, 1, 2, 3, 4, 5, 6, 7}},
                                                                {0.5f, {0, 1, 2, 3, 4, 5, 6, 7}},
                                                                {1.0f, {0, 2, 4, 6}},
                                                                {1.75f, {0, 4}},
                                                                {2.0f, {0, 4}}};
    for (const auto& [refractory, expected] : cases) {
        CAPTURE(refractory);
        auto p = threshold(1.0f);
        p.refractory_ms = refractory;
        const integrate_and_fire m(p, 0.5f);
        auto s = m.make_state(1);
        CHECK(spike_steps(m, s, 8, 10.0f) == expected);
    }

    // While held, v neither integrates nor leaks; afterwards it does both.
    auto p = threshold(1.0f);
    p.refractory_ms = 2.0f;
    p.tau_m_ms = 10.0f;
    p.v_reset_mV = -0.5f;
    const integrate_and_fire m(p, 0.5f);
    auto s = m.make_state(1);
    s.in_exc[0] = 2.0f;
    spike_list out;
    m.step(s, out);
    REQUIRE(out.size() == 1);
    for (int k = 0; k < 3; ++k) {
        s.in_exc[0] = 0.4f;
        m.step(s, out);
        CHECK(s.v[0] == -0.5f);
        CHECK(s.in_exc[0] == 0.0f);
    }
    s.in_exc[0] = 0.4f;
    m.step(s, out);
    CHECK(s.v[0] == doctest::Approx(-0.5 * std::exp(-0.05) + 0.4).epsilon(1e-6));
    CHECK(out.size() == 1);
}

TEST_CASE("integrate-and-fire with theta: SIMD step equals the scalar reference")
{
    auto leak = threshold(1.0f);
    leak.tau_m_ms = 20.0f;
    leak.refractory_ms = 1.0f;
    leak.v_rest_mV = -0.1f;
    for (const auto& p : {threshold(1.0f), leak}) {
        const integrate_and_fire m(p, 0.5f);
        for (std::size_t n : {std::size_t(1), std::size_t(3), std::size_t(7), std::size_t(8), std::size_t(9), std::size_t(16),
                              std::size_t(17), std::size_t(33), std::size_t(100), std::size_t(1031)}) {
            CAPTURE(n);
            CAPTURE(p.tau_m_ms);
            auto a = m.make_state(n);
            random_stream init(7, n);
            for (auto& t : a.theta) t = init.uniform(-0.2f, 0.5f);
            auto b = a;
            adaptive_threshold h({0.05f, 1.0e7});
            matrix_f w = make_matrix(1, n);
            std::vector<std::uint32_t> counts(n, 0);
            random_stream rng(11, n);
            spike_list sa, sb;
            std::size_t total = 0;
            for (int k = 0; k < 400; ++k) {
                for (std::size_t i = 0; i < n; ++i) {
                    const float e = rng.uniform(0.0f, 0.3f), in = rng.uniform(0.0f, 0.1f);
                    a.in_exc[i] += e;
                    b.in_exc[i] += e;
                    a.in_inh[i] += in;
                    b.in_inh[i] += in;
                }
                sa.clear();
                sb.clear();
                m.step<float>(a, sa);
                m.step<simd::batch>(b, sb);
                REQUIRE(sa == sb);
                total += sa.size();
                h.on_spikes(layer_ref{w, &a.theta, counts}, sa);
                h.on_spikes(layer_ref{w, &b.theta, counts}, sb);
            }
            CHECK(total > 0);
            CHECK(total < n * 400);
            CHECK(flatten(a) == flatten(b));
        }
    }
}

TEST_CASE("integrate-and-fire: relax matches stepping")
{
    // No leak: exact. Neuron 0 has input queued that makes it fire, 1 is
    // refractory, 2 has inhibition queued, 3 sits at rest.
    {
        auto p = threshold(1.0f);
        p.v_rest_mV = 0.25f;
        p.refractory_ms = 2.0f;
        const integrate_and_fire m(p, 0.5f);
        auto a = m.make_state(4);
        a.v = {0.75f, 0.0f, 0.5f, 0.25f};
        a.in_exc = {0.5f, 0.5f, 0.0f, 0.0f};
        a.in_inh = {0.0f, 0.0f, 0.25f, 0.0f};
        a.since_spike_ms = {100.0f, 0.5f, 100.0f, 100.0f};
        a.theta = {0.0f, 0.0f, 0.5f, 0.25f};
        auto b = a;
        spike_list out;
        for (int k = 0; k < 300; ++k) m.step(a, out);
        m.relax(b, 150.0);
        CHECK(b.v == a.v);
        CHECK(b.theta == a.theta);
        for (std::size_t i = 0; i < 4; ++i) CHECK(b.since_spike_ms[i] == doctest::Approx(a.since_spike_ms[i]));
        CHECK(a.v[0] == 0.0f);  // it fired and stayed at reset
        CHECK(a.v[2] == 0.25f);
    }
    // Leak and refractoriness: the closed form once the neurons are quiet.
    // Neuron 0 fires on its queued input; 1 starts above threshold while
    // refractory (it fires in the first step); 3 decays freely; 4 is
    // refractory with inhibition queued (discarded). With theta_2 = -0.9
    // neuron 2's threshold (0.6) lies below rest (1.0): it keeps firing, so
    // relax must take every step, and then agrees with stepping exactly.
    for (const float theta_2 : {0.0f, -0.9f}) {
        CAPTURE(theta_2);
        auto p = threshold(1.5f);
        p.tau_m_ms = 10.0f;
        p.v_rest_mV = 1.0f;
        p.refractory_ms = 2.0f;
        const integrate_and_fire m(p, 0.5f);
        auto a = m.make_state(5);
        a.v = {1.4f, 3.0f, 1.0f, -2.0f, 0.5f};
        a.in_exc = {0.5f, 0.0f, 0.0f, 0.0f, 0.0f};
        a.in_inh = {0.0f, 0.0f, 0.0f, 0.0f, 0.75f};
        a.since_spike_ms = {100.0f, 1.0f, 100.0f, 100.0f, 0.0f};
        a.theta = {0.0f, 0.0f, theta_2, 0.0f, 0.2f};
        auto b = a;
        spike_list out;
        std::size_t fired_2 = 0;
        for (int k = 0; k < 300; ++k) {
            out.clear();
            m.step(a, out);
            fired_2 += static_cast<std::size_t>(std::count(out.begin(), out.end(), 2u));
        }
        m.relax(b, 150.0);
        if (theta_2 < 0.0f) {
            CHECK(fired_2 > 10);
            CHECK(b.v == a.v);
        } else {
            CHECK(fired_2 == 0);
        }
        for (std::size_t i = 0; i < 5; ++i) {
            CAPTURE(i);
            CHECK(b.v[i] == doctest::Approx(a.v[i]).epsilon(1e-5));
            CHECK(b.since_spike_ms[i] == doctest::Approx(a.since_spike_ms[i]));
        }
        // Free decay of neuron 3 from -2: the analytic exponential.
        CHECK(b.v[3] == doctest::Approx(1.0 - 3.0 * std::exp(-150.0 / 10.0)).epsilon(1e-5));
    }
}

TEST_CASE("integrate-and-fire: bad parameters are refused with a config_error naming them")
{
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    auto bad = [](auto change) {
        integrate_and_fire::params p;
        change(p);
        return p;
    };
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([](auto& p) { p.tau_m_ms = 0.0f; }), 0.5f), doctest::Contains("tau_m_ms"), config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([&](auto& p) { p.tau_m_ms = nan; }), 0.5f), doctest::Contains("tau_m_ms"), config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([](auto& p) { p.refractory_ms = -1.0f; }), 0.5f), doctest::Contains("refractory_ms"),
                         config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([&](auto& p) { p.refractory_ms = inf; }), 0.5f), doctest::Contains("refractory_ms"),
                         config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([&](auto& p) { p.v_thresh_mV = nan; }), 0.5f), doctest::Contains("v_thresh_mV"),
                         config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(bad([&](auto& p) { p.theta_init_mV = inf; }), 0.5f), doctest::Contains("theta_init_mV"),
                         config_error);
    CHECK_THROWS_WITH_AS(integrate_and_fire(integrate_and_fire::params{}, 0.0f), doctest::Contains("dt_ms"), config_error);
    CHECK_NOTHROW(integrate_and_fire(bad([&](auto& p) { p.tau_m_ms = inf; }), 0.5f));
}

TEST_CASE("integrate-and-fire composed with Diehl & Cook's homeostasis: theta counts the training spikes")
{
    // The Capozzi et al. network of examples/information, small: theta of
    // each excitatory neuron is 0.05 per spike, decayed once per
    // presentation; evaluation leaves it alone.
    competitive_config cfg;
    cfg.n_exc = 10;
    cfg.seed = 3;
    cfg.rest_ms = 0.0f;   // every spike falls in the counted presentation
    cfg.min_spikes = 0;   // and every image is shown once
    auto exc_p = threshold(20.0f);
    auto inh_p = threshold(1.0f);
    competitive_network<integrate_and_fire, integrate_and_fire, power_law, diehl_cook_homeostasis> net(
        cfg, integrate_and_fire(exc_p, cfg.dt_ms), integrate_and_fire(inh_p, cfg.dt_ms), power_law{});
    const auto images = test::make_bars(30, 4, 9);
    std::vector<double> expected(cfg.n_exc, 0.0);
    const double keep = std::exp(-double(cfg.present_ms) / 1.0e7);
    std::size_t total = 0;
    for (std::size_t k = 0; k < images.size(); ++k) {
        net.train(images.image(k));
        for (std::size_t j = 0; j < cfg.n_exc; ++j) {
            expected[j] = (expected[j] + 0.05 * net.counts()[j]) * keep;
            total += net.counts()[j];
        }
    }
    REQUIRE(total > 0);
    for (std::size_t j = 0; j < cfg.n_exc; ++j) {
        CAPTURE(j);
        CHECK(net.exc_state().theta[j] == doctest::Approx(expected[j]).epsilon(1e-5));
    }
    const auto theta = net.exc_state().theta;
    net.evaluate(images.image(0), 0);
    CHECK(net.exc_state().theta == theta);
}

}
