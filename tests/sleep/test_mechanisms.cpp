// SPDX-License-Identifier: MIT
// Sleep mechanisms inside the Diehl & Cook network, each against an outcome
// computed by hand: the phase runs through the network's public sleep()
// call, with plasticity and homeostasis frozen where only the mechanism
// should move the weights.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include <somnus/network/competitive.hpp>
#include <somnus/sleep/drives.hpp>
#include <somnus/sleep/modulation.hpp>
#include <somnus/sleep/none.hpp>
#include <somnus/sleep/weights.hpp>

#include "../network/synthetic.hpp"

using namespace somnus;

namespace {

competitive_config small(std::size_t n_exc = 8, std::uint64_t seed = 4)
{
    competitive_config c;
    c.n_exc = n_exc;
    c.seed = seed;
    return c;
}

/// Plasticity and homeostasis off for the phase: only the mechanisms under
/// test change weights.
struct frozen {
    template <class C>
    void begin(C& c)
    {
        c.plasticity = false;
        c.homeostasis = false;
    }
    template <class C>
    void step(C&) {}
    template <class C>
    void end(C&) {}
};

/// Records what the network hands a mechanism.
struct probe {
    float gains[3] = {0, 0, 0};
    float tau_m_ms = 0.0f;
    std::uint64_t steps_seen = 0, steps = 0;
    template <class C>
    void begin(C& c)
    {
        steps = c.steps;
    }
    template <class C>
    void step(C& c)
    {
        if (c.step == 0) {
            for (std::size_t k = 0; k < 3; ++k) gains[k] = *c.projections[k].gain;
            tau_m_ms = c.exc_params.tau_m_ms;
        }
        ++steps_seen;
    }
    template <class C>
    void end(C&) {}
};

/// Sums the input rates the drive asks for, per input, over the phase.
struct count_inputs {
    std::vector<float> total = std::vector<float>(784, 0.0f);
    template <class C>
    void begin(C&) {}
    template <class C>
    void step(C& c)
    {
        for (std::size_t i = 0; i < 784; ++i) total[i] += c.input_rates_hz[i];
    }
    template <class C>
    void end(C&) {}
};

double mean_of(const matrix_f& w) { return std::accumulate(w.begin(), w.end(), 0.0) / double(w.size()); }

} // namespace

TEST_SUITE("sleep") {

TEST_CASE("downscale multiplies every plastic weight by its factor")
{
    auto net = make_diehl_cook(small());
    const matrix_f before = net.weights();
    combine<frozen, downscale> m{frozen{}, downscale{{0.75f}}};
    net.sleep(m, 20.0);
    for (std::size_t k = 0; k < before.size(); ++k) REQUIRE(net.weights().data()[k] == before.data()[k] * 0.75f);
}

TEST_CASE("stochastic decay: mean and variance of the Ornstein-Uhlenbeck transition")
{
    auto net = make_diehl_cook(small(20));
    const float w0 = 0.6f, b = 0.4f, sigma = 0.05f;
    const double tau = 200.0, phase = 200.0;
    for (const double every : {0.0, 10.0, 7.5}) {
        CAPTURE(every);
        std::fill(net.weights().begin(), net.weights().end(), w0);
        combine<frozen, stochastic_decay> m{frozen{}, stochastic_decay{{b, tau, sigma, every}}};
        net.sleep(m, phase);
        const auto& w = net.weights();
        const double mean = mean_of(w);
        double var = 0.0;
        for (const float x : w) var += (x - mean) * (x - mean);
        var /= double(w.size() - 1);
        const double a = std::exp(-phase / tau);
        const double want_mean = b + (w0 - b) * a;
        const double want_var = double(sigma) * sigma * (1.0 - a * a);
        const double se = std::sqrt(want_var / double(w.size()));
        CHECK(std::abs(mean - want_mean) < 4.0 * se);
        // The sample variance of n normals has relative s.e. sqrt(2 / (n - 1)).
        CHECK(std::abs(var / want_var - 1.0) < 4.0 * std::sqrt(2.0 / double(w.size() - 1)));
    }
    // sigma = 0: deterministic exponential decay, exactly.
    std::fill(net.weights().begin(), net.weights().end(), w0);
    combine<frozen, stochastic_decay> d{frozen{}, stochastic_decay{{b, tau, 0.0f, 0.0}}};
    net.sleep(d, phase);
    const float keep = static_cast<float>(std::exp(-phase / tau));
    CHECK(net.weights()(3, 5) == b + (w0 - b) * keep);
}

TEST_CASE("prune zeroes the weights below the floor and leaves the rest")
{
    auto net = make_diehl_cook(small());
    const matrix_f before = net.weights();
    combine<frozen, prune> m{frozen{}, prune{{0.1f, 0.0}}};
    net.sleep(m, 5.0);
    std::size_t zeroed = 0;
    for (std::size_t k = 0; k < before.size(); ++k) {
        const float x = before.data()[k], y = net.weights().data()[k];
        if (x < 0.1f) {
            CHECK(y == 0.0f);
            ++zeroed;
        } else {
            CHECK(y == x);
        }
    }
    // Initial weights are uniform in [0, 0.3]: a third lie below 0.1.
    CHECK(double(zeroed) / double(before.size()) == doctest::Approx(1.0 / 3.0).epsilon(0.05));
}

TEST_CASE("normalize_weights brings each neuron's incoming L1 or L2 norm to the target")
{
    for (const int norm : {1, 2}) {
        CAPTURE(norm);
        auto net = make_diehl_cook(small());
        combine<frozen, normalize_weights> m{frozen{}, normalize_weights{{norm == 1 ? 50.0f : 5.0f, norm, 0.0}}};
        net.sleep(m, 5.0);
        const auto& w = net.weights();
        for (std::size_t j = 0; j < w.shape()[1]; ++j) {
            double n = 0.0;
            for (std::size_t i = 0; i < w.shape()[0]; ++i) n += norm == 1 ? w(i, j) : double(w(i, j)) * w(i, j);
            CHECK((norm == 1 ? n : std::sqrt(n)) == doctest::Approx(norm == 1 ? 50.0 : 5.0).epsilon(1e-5));
        }
    }
}

namespace {
/// Throws before offline step `at`.
struct throws_at {
    std::uint64_t at = 3;
    template <class C>
    void begin(C&) {}
    template <class C>
    void step(C& c)
    {
        if (c.step == at) throw config_error("throws_at: a mechanism's failure in the middle of a phase");
    }
    template <class C>
    void end(C&) {}
};
} // namespace

TEST_CASE("regression (issue 23, defect 1): a sleep phase that throws midway leaves the network awake")
{
    auto net = make_diehl_cook(small());
    const auto waking = net.exc().parameters();
    const auto image = std::vector<std::uint8_t>(784, 40);
    net.train(image);
    const std::vector<std::uint32_t> counts(net.counts().begin(), net.counts().end());
    spike_raster raster;
    net.record_into(&raster);
    combine<scale_gains, scale_leak<>, throws_at> m{scale_gains{{1.5f, 0.0f}}, scale_leak<>{{4.0f}}, throws_at{}};
    CHECK_THROWS_AS(net.sleep(m, 10.0), config_error);
    // Gains, models, counts and the recording are the waking ones again.
    probe seen;
    net.sleep(seen, 1.0);
    CHECK(seen.gains[0] == 1.0f);
    CHECK(seen.gains[2] == 1.0f);
    CHECK(seen.tau_m_ms == waking.tau_m_ms);
    CHECK(net.exc().parameters().tau_m_ms == waking.tau_m_ms);
    CHECK(std::vector<std::uint32_t>(net.counts().begin(), net.counts().end()) == counts);
    net.train(image);
    CHECK(!raster.excitatory.empty());  // still recording into the caller's raster
}

TEST_CASE("regression (issue 23): a phase too long to count in steps is refused, not run for ever")
{
    auto net = make_diehl_cook(small());
    probe p;
    CHECK_THROWS_WITH_AS(net.sleep(p, 1e300), doctest::Contains("2^40"), config_error);
    CHECK_THROWS_AS(net.sleep(p, std::nan("")), config_error);
    CHECK(net.sleeps_done() == 0);
}

TEST_CASE("gains and modulated neuron parameters hold during the phase and are restored bit for bit after it")
{
    auto net = make_diehl_cook(small());
    const auto waking = net.exc().parameters();
    probe seen;
    combine<scale_gains, scale_gain, scale_leak<>, probe> m{scale_gains{{1.5f, 0.25f}}, scale_gain{{"exc_to_inh", 2.0f}},
                                                            scale_leak<>{{4.0f}}, probe{}};
    net.sleep(m, 10.0);
    const probe& p = m.get<3>();
    CHECK(p.gains[0] == 1.5f);          // input -> exc: excitatory
    CHECK(p.gains[1] == 1.5f * 2.0f);   // exc -> inh: excitatory, and by name
    CHECK(p.gains[2] == 0.25f);         // inh -> exc: inhibitory
    CHECK(p.tau_m_ms == waking.tau_m_ms / 4.0f);
    CHECK(p.steps == 20);
    CHECK(p.steps_seen == 20);
    // Restored: the same parameters, so the same dynamics as a network that never slept.
    CHECK(net.exc().parameters().tau_m_ms == waking.tau_m_ms);
    CHECK(net.configuration().entries() == make_diehl_cook(small()).configuration().entries());
    probe again;
    net.sleep(again, 1.0);
    CHECK(again.gains[0] == 1.0f);
    CHECK(again.gains[2] == 1.0f);
    CHECK(again.tau_m_ms == waking.tau_m_ms);
}

TEST_CASE("a zero-length phase changes nothing")
{
    const auto data = test::make_bars(3, 3, 1);
    auto a = make_diehl_cook(small());
    for (std::size_t k = 0; k < data.size(); ++k) a.train(data.image(k));
    auto b = a;
    combine<mean_image_drive, scale_gains, downscale> m{mean_image_drive{{2.0f, 0}}, scale_gains{{2.0f, 0.5f}}, downscale{{1.0f}}};
    b.sleep(m, 0.0);
    CHECK(b.weights() == a.weights());
    CHECK(b.exc_state().v == a.exc_state().v);
    CHECK(b.exc_state().theta == a.exc_state().theta);
    // Training goes on identically but for the sleep counter's random keys,
    // which only a later phase uses.
    a.train(data.image(0));
    b.train(data.image(0));
    CHECK(b.weights() == a.weights());
}

TEST_CASE("mean_image_drive: the input follows the mean training image, inside the window when one is asked for")
{
    auto net = make_diehl_cook(small());
    std::vector<std::uint8_t> image(784, 0);
    for (std::size_t r = 10; r < 14; ++r)
        for (std::size_t c = 5; c < 25; ++c) image[r * 28 + c] = 255;
    net.train(image);
    combine<frozen, mean_image_drive, count_inputs> whole{frozen{}, mean_image_drive{{1.0f, 0}}, count_inputs{}};
    const auto report = net.sleep(whole, 500.0);
    const auto& rates = whole.get<2>().total;
    // 63.75 Hz at every bright pixel, 0 elsewhere, for 1000 steps.
    CHECK(rates[11 * 28 + 6] == doctest::Approx(63.75 * 1000));
    CHECK(rates[2 * 28 + 2] == 0.0f);
    // 80 inputs at 63.75 Hz for 0.5 s: about 2 550 spikes.
    CHECK(double(report.input_spikes) == doctest::Approx(80 * 63.75 * 0.5).epsilon(0.1));

    combine<frozen, mean_image_drive, count_inputs> windowed{frozen{}, mean_image_drive{{1.0f, 11}}, count_inputs{}};
    net.sleep(windowed, 500.0);
    const auto& w = windowed.get<2>().total;
    // A random 11x11 window of 28x28 covers pixel (11, 6) with probability
    // (#rows r0 in [1, 11]) * (#cols c0 in [0, 6]) / (18 * 18) = 11 * 7 / 324.
    CHECK(w[11 * 28 + 6] / (63.75 * 1000) == doctest::Approx(11.0 * 7.0 / 324.0).epsilon(0.25));
    CHECK(w[11 * 28 + 6] < rates[11 * 28 + 6]);
}

/// Rates so high that every draw fires (rate x dt >= 1), on inputs 0-9 for
/// the first 10 steps, then on inputs 100-104, then 0-9 again from step 20.
struct switching_drive {
    template <class C>
    void step(C& c)
    {
        const float certain = 1.0e6f;
        if (c.step < 10 || c.step >= 20)
            for (std::size_t i = 0; i < 10; ++i) c.input_rates_hz[i] = certain;
        else
            for (std::size_t i = 100; i < 105; ++i) c.input_rates_hz[i] = certain;
    }
};

TEST_CASE("a drive whose rates change mid-phase draws from the new rates at once")
{
    // The phase lists the inputs with a positive rate again only when the
    // rates change: a stale list would keep drawing for inputs 0-9.
    auto net = make_diehl_cook(small());
    combine<frozen, switching_drive> m{frozen{}, switching_drive{}};
    const auto report = net.sleep(m, 15.0);  // 30 steps
    CHECK(report.steps == 30);
    CHECK(report.input_spikes == 10 * 10 + 10 * 5 + 10 * 10);
}

TEST_CASE("spontaneous activity drives the excitatory population with the input silent")
{
    auto net = make_diehl_cook(small());
    spontaneous_activity quiet{{"exc", 0.0f, 1.0f}};
    const auto silent = net.sleep(quiet, 200.0);
    CHECK(silent.input_spikes == 0);
    spontaneous_activity noisy{{"exc", 200.0f, 5.0f}};
    const auto active = net.sleep(noisy, 200.0);
    CHECK(active.input_spikes == 0);
    CHECK(active.excitatory_spikes > silent.excitatory_spikes);
    spontaneous_activity wrong{{"hidden", 1.0f, 1.0f}};
    CHECK_THROWS_AS(net.sleep(wrong, 1.0), config_error);
}

TEST_CASE("sleep leaves counts() and the recorded raster of the last presentation alone")
{
    const auto data = test::make_bars(2, 3, 3);
    auto net = make_diehl_cook(small());
    spike_raster raster;
    net.record_into(&raster);
    net.train(data.image(0));
    const std::vector<std::uint32_t> counts(net.counts().begin(), net.counts().end());
    const auto exc = raster.excitatory;
    REQUIRE(!exc.empty());
    noise_drive dream{{40.0f}};
    const auto r = net.sleep(dream, 300.0);
    CHECK(r.excitatory_spikes > 0);
    CHECK(std::ranges::equal(net.counts(), counts));
    CHECK(raster.excitatory == exc);
    // Recording goes on for the next presentation.
    net.train(data.image(1));
    CHECK(raster.excitatory != exc);
}

TEST_CASE("the same seed gives the same phase; another seed another")
{
    const auto data = test::make_bars(4, 3, 2);
    const auto run = [&](std::uint64_t seed) {
        auto net = make_diehl_cook(small(8, seed));
        for (std::size_t k = 0; k < data.size(); ++k) net.train(data.image(k));
        combine<mean_image_drive, stochastic_decay> m{mean_image_drive{{1.0f, 11}}, stochastic_decay{{0.1f, 500.0, 0.01f, 10.0}}};
        net.sleep(m, 100.0);
        return net.weights();
    };
    CHECK(run(1) == run(1));
    CHECK(run(1) != run(2));
}

TEST_CASE("bad mechanism parameters and durations are refused before the phase")
{
    auto net = make_diehl_cook(small());
    CHECK_THROWS_AS(net.sleep(*std::make_unique<no_mechanism>(), -1.0), config_error);
    CHECK_THROWS_AS(net.sleep(*std::make_unique<no_mechanism>(), std::nan("")), config_error);
    downscale bad{{-1.0f}};
    CHECK_THROWS_AS(net.sleep(bad, 1.0), config_error);
    stochastic_decay bad_tau{{0.1f, 0.0, 0.0f, 1.0}};
    CHECK_THROWS_AS(net.sleep(bad_tau, 1.0), config_error);
    mean_image_drive too_wide{{1.0f, 29}};
    CHECK_THROWS_AS(net.sleep(too_wide, 1.0), config_error);
}

}
