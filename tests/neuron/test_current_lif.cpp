// SPDX-License-Identifier: MIT
// current_lif (Massey et al. 2026's neuron): a hand-computed trajectory with
// the noise off, the fixed point of a constant input, the adaptive threshold
// after a spike, clipping, the SIMD path against the scalar reference, and
// the statistics of its noise.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/core/normal.hpp>
#include <somnus/neuron/current_lif.hpp>

using namespace somnus;

namespace {
current_lif quiet_model()
{
    current_lif::params p;
    p.noise_sd_mV = 0.0f;
    return {p, 1.0f};
}
} // namespace

TEST_SUITE("neuron") {

TEST_CASE("current_lif: three steps by hand, then the fixed point of a constant input")
{
    const auto m = quiet_model();
    auto s = m.make_state(1);
    CHECK(s.v[0] == -70.0f);
    CHECK(s.threshold[0] == -55.0f);
    spike_list out;
    // Step 1 with input 0.3: i = 0.3 / 30 = 0.01; v = -70 + (0 + 30 * 0.01) / 30 = -69.99.
    s.in[0] = 0.3f;
    m.step<float>(s, out);
    CHECK(s.i_syn[0] == doctest::Approx(0.01).epsilon(1e-6));
    CHECK(s.v[0] == doctest::Approx(-69.99).epsilon(1e-7));
    CHECK(s.in[0] == 0.0f);
    // Step 2 with input 0.3: i = 0.01 + (0.3 - 0.01) / 30; v = -69.99 + (-0.01 + 30 i) / 30.
    s.in[0] = 0.3f;
    m.step<float>(s, out);
    const double i2 = 0.01 + (0.3 - 0.01) / 30.0;
    const double v2 = -69.99 + (-0.01 + 30.0 * i2) / 30.0;
    CHECK(s.i_syn[0] == doctest::Approx(i2).epsilon(1e-6));
    CHECK(s.v[0] == doctest::Approx(v2).epsilon(1e-7));
    // With no input the current decays by (1 - 1/30) per step.
    m.step<float>(s, out);
    CHECK(s.i_syn[0] == doctest::Approx(i2 * (29.0 / 30.0)).epsilon(1e-6));
    CHECK(out.empty());

    // A constant input I settles at i = I and v = v_rest + R I: -70 + 30 * 0.4 = -58 mV, below threshold.
    auto t = m.make_state(1);
    for (int k = 0; k < 5000; ++k) {
        t.in[0] = 0.4f;
        m.step<float>(t, out);
    }
    CHECK(out.empty());
    CHECK(t.i_syn[0] == doctest::Approx(0.4).epsilon(1e-5));
    CHECK(t.v[0] == doctest::Approx(-58.0).epsilon(1e-5));
}

TEST_CASE("current_lif: a spike resets to -80 mV and raises the threshold by 3 mV, which decays with tau 100 ms")
{
    const auto m = quiet_model();
    auto s = m.make_state(1);
    s.v[0] = -50.0f;  // above the -55 mV threshold; with no input v moves by (-70 + 50) / 30
    spike_list out;
    m.step<float>(s, out);
    REQUIRE(out.size() == 1);
    CHECK(s.v[0] == -80.0f);
    CHECK(s.a[0] == doctest::Approx(3.0));
    CHECK(s.threshold[0] == doctest::Approx(-52.0));
    out.clear();
    for (int k = 0; k < 100; ++k) m.step<float>(s, out);
    CHECK(out.empty());
    CHECK(s.a[0] == doctest::Approx(3.0 * std::pow(0.99, 100)).epsilon(1e-5));
    CHECK(s.threshold[0] == doctest::Approx(-55.0 + 3.0 * std::pow(0.99, 100)).epsilon(1e-6));
}

TEST_CASE("current_lif: the membrane is clipped to [-100, 40] mV and the threshold to [-90, 0] mV before the spike test")
{
    const auto m = quiet_model();
    auto s = m.make_state(2);
    s.noise[0] = 500.0f;   // pushed far up: clipped to 40, fires, reset
    s.noise[1] = -500.0f;  // far down: clipped to -100
    s.a[0] = 100.0f;       // threshold -55 + 100 clipped to 0 after the step
    spike_list out;
    m.step<float>(s, out);
    CHECK(out == spike_list{0});
    CHECK(s.v[1] == -100.0f);
    CHECK(s.threshold[0] == 0.0f);
}

TEST_CASE("current_lif: the SIMD path gives the scalar reference's bits on awkward sizes")
{
    current_lif::params p;
    const current_lif m(p, 1.0f);
    for (const std::size_t n : {1u, 7u, 16u, 17u, 33u, 250u}) {
        auto a = m.make_state(n), b = m.make_state(n);
        random_stream rng(n), drive(n + 100);
        spike_list sa, sb;
        for (int k = 0; k < 2000; ++k) {
            m.draw_noise(a, rng);
            b.noise = a.noise;
            for (std::size_t i = 0; i < n; ++i) a.in[i] = b.in[i] = static_cast<float>(drive.uniform() * 1.5);
            sa.clear();
            sb.clear();
            m.step<float>(a, sa);
            m.step<simd::batch>(b, sb);
            REQUIRE(sa == sb);
        }
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(a.v[i] == b.v[i]);
            CHECK(a.i_syn[i] == b.i_syn[i]);
            CHECK(a.a[i] == b.a[i]);
            CHECK(a.threshold[i] == b.threshold[i]);
        }
    }
}

TEST_CASE("current_lif: its noise has mean 0 and standard deviation noise_sd_mV")
{
    const current_lif m({}, 1.0f);
    auto s = m.make_state(250);
    random_stream rng(5);
    double sum = 0.0, sq = 0.0;
    const int steps = 2000;
    for (int k = 0; k < steps; ++k) {
        m.draw_noise(s, rng);
        for (const float x : s.noise) {
            sum += x;
            sq += double(x) * x;
        }
    }
    const double n = 250.0 * steps, mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    CHECK(std::abs(mean) < 4.0 * 2.0 / std::sqrt(n));
    CHECK(sd == doctest::Approx(2.0).epsilon(0.005));
}

} // TEST_SUITE
