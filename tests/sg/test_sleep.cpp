// SPDX-License-Identifier: MIT
// The surrogate-gradient model's sleep phase (sg/sleep.hpp): the decay against
// its closed form and bit for bit against the STDP network's
// stochastic_decay, the Ornstein-Uhlenbeck law of many weights, biases left
// alone, silence without input, the noise rate, the same bits on 1 and 2
// threads, and the sleep-fraction helper.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include <somnus/core/tensor.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/sleep.hpp>
#include <somnus/sleep/weights.hpp>

using namespace somnus;
using namespace somnus::sg;

namespace {

using small_model = sequential<linear, leaky<>, linear, leaky<>>;

small_model make_small(std::size_t in = 6, std::size_t hidden = 3, std::size_t out = 2)
{
    return small_model({in, 1, 1}, linear(in, hidden), leaky<>{}, linear(hidden, out), leaky<>{});
}

bool is_weight(const std::vector<weight_tensor>& tensors, std::size_t i)
{
    for (const auto& t : tensors)
        if (i >= t.offset && i < t.offset + t.count) return true;
    return false;
}

/// The least a context needs for stochastic_decay's hooks (core/concepts.hpp's
/// sleep_context, reduced): one projection over a 1 x n weight row.
struct decay_context {
    float dt_ms = 1.0f;
    std::uint64_t steps = 0;
    random_stream* rng = nullptr;
    std::array<projection_view, 1> views{};
    std::span<projection_view> projections;
    random_stream& random() { return *rng; }
};

struct moments {
    double mean = 0.0, var = 0.0;
    std::size_t n = 0;
};

moments weight_moments(const std::vector<float>& w, const std::vector<weight_tensor>& tensors)
{
    moments m;
    for (const auto& t : tensors)
        for (std::size_t i = t.offset; i < t.offset + t.count; ++i) {
            m.mean += w[i];
            ++m.n;
        }
    m.mean /= double(m.n);
    for (const auto& t : tensors)
        for (std::size_t i = t.offset; i < t.offset + t.count; ++i) m.var += (w[i] - m.mean) * (w[i] - m.mean);
    m.var /= double(m.n - 1);
    return m;
}

} // namespace

TEST_SUITE("sg") {

TEST_CASE("sleep: the weight tensors of the Gupta member are its three conv and linear weights, fan-ins 50, 300 and 800")
{
    const auto net = make_gupta_member();
    const auto t = weight_tensors(net);
    REQUIRE(t.size() == 3);
    CHECK(t[0].layer == 0);
    CHECK(t[0].offset == 0);
    CHECK(t[0].count == 600);
    CHECK(t[0].fan_in == 50);
    CHECK(t[1].layer == 3);
    CHECK(t[1].offset == 612);
    CHECK(t[1].count == 9600);
    CHECK(t[1].fan_in == 300);
    CHECK(t[2].layer == 6);
    CHECK(t[2].offset == 612 + 9632);
    CHECK(t[2].count == 8000);
    CHECK(t[2].fan_in == 800);
}

TEST_CASE("sleep: with sigma 0 a weight follows b + (w0 - b) exp(-T / tau); biases are untouched")
{
    const auto net = make_small();
    const auto tensors = weight_tensors(net);
    std::vector<float> w(net.parameter_count());
    net.init(w, 3);
    const std::vector<float> w0 = w;
    sleep_params p;
    p.decay = {0.05f, 400.0, 0.0f, 10.0};
    // 1234 steps: 123 applications of 10 ms, then the 4 ms left.
    const auto r = sleep_phase(net, w, 1234.0, p, 7);
    CHECK(r.steps == 1234);
    CHECK(r.decays == 124);
    CHECK(r.decayed_ms == 1234.0);
    const double a = std::exp(-1234.0 / 400.0);
    for (std::size_t i = 0; i < w.size(); ++i) {
        CAPTURE(i);
        if (is_weight(tensors, i)) {
            const double want = 0.05 + (double(w0[i]) - 0.05) * a;
            CHECK(std::abs(double(w[i]) - want) <= 1e-5 * std::abs(double(w0[i]) - 0.05) + 1e-7);
        } else {
            CHECK(w[i] == w0[i]);
        }
    }
}

TEST_CASE("sleep: with sigma 0 the weights are stochastic_decay's bit for bit (every 7 ms, every 0, remainders)")
{
    const auto net = make_gupta_member();
    const auto tensors = weight_tensors(net);
    std::vector<float> init(net.parameter_count());
    net.init(init, 11);
    for (const double every : {7.0, 0.0, 1.0, 10.0}) {
        for (const double duration : {95.0, 100.0, 3.0}) {
            CAPTURE(every);
            CAPTURE(duration);
            const stochastic_decay::params dp{-0.02f, 150.0, 0.0f, every};
            std::vector<float> w = init;
            sleep_params p;
            p.decay = dp;
            sleep_phase(net, w, duration, p, 1);

            // The STDP network's mechanism on the same weights, as one row.
            for (const auto& t : tensors) {
                matrix_f m = xt::zeros<float>({std::size_t{1}, t.count});
                std::copy(init.begin() + std::ptrdiff_t(t.offset), init.begin() + std::ptrdiff_t(t.offset + t.count), m.data());
                std::vector<std::uint8_t> changed(t.count, 0);
                random_stream rng(0);
                decay_context c;
                c.steps = static_cast<std::uint64_t>(duration);
                c.rng = &rng;
                c.views[0] = projection_view{"w", synapse_sign::excitatory, nullptr, &m, changed, -1e30f, 1e30f};
                c.projections = c.views;
                stochastic_decay d{dp};
                d.begin(c);
                for (std::uint64_t s = 0; s < c.steps; ++s) d.step(c);
                d.end(c);
                bool same = true;
                for (std::size_t i = 0; i < t.count; ++i) same = same && m.data()[i] == w[t.offset + i];
                CHECK(same);
            }
        }
    }
}

TEST_CASE("sleep: zero duration changes nothing")
{
    const auto net = make_gupta_member();
    std::vector<float> w(net.parameter_count());
    net.init(w, 5);
    const std::vector<float> w0 = w;
    sleep_params p;
    p.decay = {0.0f, 10.0, 0.5f, 1.0};
    for (const double d : {0.0, 0.4}) {  // 0.4 ms rounds to no step
        const auto r = sleep_phase(net, w, d, p, 1);
        CHECK(r.steps == 0);
        CHECK(r.decays == 0);
        CHECK(r.input_spikes == 0);
        CHECK(w == w0);
    }
}

TEST_CASE("sleep: with sigma > 0, many weights after a long phase follow the Ornstein-Uhlenbeck law")
{
    // 100 000 weights; the sample mean has s.e. sqrt(var / n), the sample
    // variance relative s.e. sqrt(2 / (n - 1)): 5 of them is the tolerance.
    const auto net = make_small(1000, 100, 2);
    const auto tensors = weight_tensors(net);
    std::vector<float> init(net.parameter_count());
    net.init(init, 2);
    const float b = 0.1f, sigma = 0.03f;
    const double tau = 50.0;
    SUBCASE("stationary after 20 tau, whatever the start")
    {
        std::vector<float> w = init;
        sleep_params p;
        p.decay = {b, tau, sigma, 10.0};
        const auto r = sleep_phase(net, w, 20.0 * tau, p, 9, 4);
        CHECK(r.decays == 100);
        const auto m = weight_moments(w, tensors);
        CHECK(m.n == 100200);
        const double want_var = double(sigma) * sigma;
        CHECK(std::abs(m.mean - b) < 5.0 * std::sqrt(want_var / double(m.n)));
        CHECK(std::abs(m.var / want_var - 1.0) < 5.0 * std::sqrt(2.0 / double(m.n - 1)));
    }
    SUBCASE("the transition from w0 over one interval, in one piece or many (every 0, 10, 7 ms)")
    {
        for (const double every : {0.0, 10.0, 7.0}) {
            CAPTURE(every);
            std::vector<float> w = init;
            for (const auto& t : tensors)
                std::fill(w.begin() + std::ptrdiff_t(t.offset), w.begin() + std::ptrdiff_t(t.offset + t.count), 1.0f);
            sleep_params p;
            p.decay = {b, tau, sigma, every};
            p.run_activity = every != 7.0;  // also the decay-only path
            sleep_phase(net, w, tau, p, 9, 5);
            const auto m = weight_moments(w, tensors);
            const double a = std::exp(-1.0);
            const double want_mean = b + (1.0 - b) * a, want_var = double(sigma) * sigma * (1.0 - a * a);
            CHECK(std::abs(m.mean - want_mean) < 5.0 * std::sqrt(want_var / double(m.n)));
            CHECK(std::abs(m.var / want_var - 1.0) < 5.0 * std::sqrt(2.0 / double(m.n - 1)));
        }
    }
}

TEST_CASE("sleep: biases are untouched by the stochastic decay; every weight moves")
{
    const auto net = make_gupta_member();
    const auto tensors = weight_tensors(net);
    std::vector<float> w(net.parameter_count());
    net.init(w, 8);
    const std::vector<float> w0 = w;
    sleep_params p;
    p.decay = {0.0f, 100.0, 0.05f, 10.0};
    sleep_phase(net, w, 50.0, p, 3);
    std::size_t moved = 0, weights = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (is_weight(tensors, i)) {
            ++weights;
            moved += w[i] != w0[i];
        } else {
            CHECK(w[i] == w0[i]);
        }
    }
    CHECK(weights == 18200);
    CHECK(moved == weights);
}

TEST_CASE("sleep: no noise, no input spikes; the member is silent without input unless a bias drives it")
{
    const auto net = make_gupta_member();
    std::vector<float> w(net.parameter_count());
    net.init(w, 1);
    sleep_params p;
    p.noise_rate_hz = 0.0f;
    p.decay = {0.0f, 1e9, 0.0f, 10.0};
    // PyTorch's init keeps every bias below 1 / sqrt(50) ~ 0.14: a LIF layer on
    // a constant input b settles at 2b < threshold 1, so nothing fires.
    auto r = sleep_phase(net, w, 200.0, p, 1);
    CHECK(r.steps == 200);
    CHECK(r.input_spikes == 0);
    CHECK(r.hidden_spikes == 0);
    CHECK(r.output_spikes == 0);
    // A first-layer bias of 0.6 settles at 1.2: that channel fires everywhere.
    const std::size_t bias0 = net.layer_at<0>().bias_index(0);
    w[bias0] = 0.6f;
    r = sleep_phase(net, w, 200.0, p, 1);
    CHECK(r.input_spikes == 0);
    CHECK(r.hidden_spikes > 0);
}

TEST_CASE("sleep: noise inputs fire with probability rate * dt per unit and step")
{
    const auto net = make_gupta_member();
    std::vector<float> w(net.parameter_count());
    net.init(w, 1);
    // First-layer weights of 1.5: any input spike makes the first LIF layer fire.
    std::fill(w.begin(), w.begin() + 600, 1.5f);
    for (const float rate : {10.0f, 200.0f, 1000.0f}) {
        CAPTURE(rate);
        sleep_params p;
        p.noise_rate_hz = rate;
        p.decay = {0.0f, 1e9, 0.0f, 10.0};
        const double steps = 500.0, n = steps * 2 * 34 * 34, q = double(rate) * 1e-3;
        const auto r = sleep_phase(net, w, steps, p, 4);
        const double sd = std::sqrt(n * q * (1.0 - q));
        if (q < 1.0) CHECK(std::abs(double(r.input_spikes) - n * q) < 5.0 * sd);
        else CHECK(r.input_spikes == std::uint64_t(n));
        CHECK(r.hidden_spikes > 0);
    }
}

TEST_CASE("sleep: the same seed gives the same bits on 1 and 2 threads; another key other bits")
{
    const auto net = make_gupta_member();
    std::vector<float> init(net.parameter_count());
    net.init(init, 6);
    std::fill(init.begin(), init.begin() + 600, 1.5f);  // an active first layer: spike counts to compare
    sleep_params p;
    p.noise_rate_hz = 50.0f;
    p.decay = {0.0f, 300.0, 0.02f, 5.0};
    std::vector<float> w1 = init, w2 = init, w3 = init;
    const auto r1 = sleep_phase(net, w1, 137.0, p, 42, 3, 1);
    const auto r2 = sleep_phase(net, w2, 137.0, p, 42, 3, 2);
    const auto r3 = sleep_phase(net, w3, 137.0, p, 42, 4, 2);
    CHECK(w1 == w2);
    CHECK(r1.input_spikes == r2.input_spikes);
    CHECK(r1.hidden_spikes == r2.hidden_spikes);
    CHECK(r1.output_spikes == r2.output_spikes);
    CHECK(w1 != w3);
    CHECK(r1.input_spikes != r3.input_spikes);
    // The activity draws from its own stream: without it the weights are the same.
    std::vector<float> w4 = init;
    p.run_activity = false;
    const auto r4 = sleep_phase(net, w4, 137.0, p, 42, 3, 2);
    CHECK(w4 == w1);
    CHECK(r4.decays == r1.decays);
    CHECK(r4.input_spikes == 0);
    // Decay every step: many chunks of the two-thread pipeline, a partial last one.
    p.run_activity = true;
    p.decay.every_ms = 1.0;
    std::vector<float> w5 = init, w6 = init;
    const auto r5 = sleep_phase(net, w5, 301.0, p, 42, 3, 1);
    const auto r6 = sleep_phase(net, w6, 301.0, p, 42, 3, 2);
    CHECK(r5.decays == 301);
    CHECK(w5 == w6);
    CHECK(r5.hidden_spikes == r6.hidden_spikes);
    CHECK(r5.output_spikes == r6.output_spikes);
}

TEST_CASE("sleep: bad settings are refused")
{
    const auto net = make_small();
    std::vector<float> w(net.parameter_count());
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    sleep_params p;
    CHECK_THROWS_AS(sleep_phase(net, w, -1.0, p, 0), config_error);
    CHECK_THROWS_AS(sleep_phase(net, w, nan, p, 0), config_error);
    CHECK_THROWS_AS(sleep_phase(net, w, inf, p, 0), config_error);
    std::vector<float> short_w(3);
    CHECK_THROWS_AS(sleep_phase(net, short_w, 1.0, p, 0), config_error);
    auto bad = p;
    bad.noise_rate_hz = -1.0f;
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
    bad = p;
    bad.noise_rate_hz = 1001.0f;  // more than one spike per 1 ms step
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
    bad = p;
    bad.dt_ms = 0.0f;
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
    bad = p;
    bad.decay.tau_ms = 0.0;
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
    bad = p;
    bad.decay.sigma = -0.1f;
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
    bad = p;
    bad.decay.every_ms = nan;
    CHECK_THROWS_AS(sleep_phase(net, w, 1.0, bad, 0), config_error);
}

TEST_CASE("sleep fraction: sleep = wake f / (1 - f); f outside [0, 1) or NaN refused")
{
    CHECK(sleep_ms_for_fraction(1000.0, 0.0) == 0.0);
    CHECK(sleep_ms_for_fraction(1000.0, 0.5) == 1000.0);
    CHECK(sleep_ms_for_fraction(1000.0, 0.2) == doctest::Approx(250.0));
    CHECK(sleep_ms_for_fraction(900.0, 0.1) == doctest::Approx(100.0));
    const double s = sleep_ms_for_fraction(12345.0, 0.3);
    CHECK(s / (12345.0 + s) == doctest::Approx(0.3));
    CHECK(sleep_ms_for_fraction(0.0, 0.9) == 0.0);
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    for (const double f : {-0.1, 1.0, 1.5, nan, inf, -inf}) {
        CAPTURE(f);
        CHECK_THROWS_AS(sleep_ms_for_fraction(1000.0, f), config_error);
    }
    CHECK_THROWS_AS(sleep_ms_for_fraction(-1.0, 0.1), config_error);
    CHECK_THROWS_AS(sleep_ms_for_fraction(nan, 0.1), config_error);
    // The wake time of samples: their frames at 1 ms.
    struct fake {
        std::size_t n;
        std::size_t frames() const { return n; }
    };
    const std::vector<fake> samples{{300}, {310}, {0}};
    CHECK(wake_ms_of(samples) == 610.0);
    CHECK(wake_ms_of(samples, 0.5) == 305.0);
}

} // TEST_SUITE
