// SPDX-License-Identifier: MIT
// Massey et al. 2026's surrogate-gradient control: the CE-on-spikes loss by
// hand and by finite differences; the static-image path against the same
// frame fed every step; the narrow linear and SIMD LIF paths against their
// scalar loops; their sleep cycle against a literal transcription of their
// torch loop and a case traced by hand; the power law against its closed
// form; 1 vs 2 threads; and short runs that learn.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <somnus/data/mnist.hpp>
#include <somnus/data/resize.hpp>
#include <somnus/sg/massey_sleep.hpp>
#include <somnus/sg/train.hpp>

#include "../../examples/sleep_regularisation/massey_sg.hpp"

using namespace somnus;
using namespace somnus::sg;
namespace mx = somnus::example::massey;

namespace {

using model_t = massey_model_t<arctan>;

model_t small_model(std::size_t in, std::size_t hidden, std::size_t out, float beta = 0.9f)
{
    const leaky<>::params lif{beta, 1.0f, true};
    return model_t({in, 1, 1}, linear(in, hidden), leaky<>(lif), linear(hidden, out), leaky<>(lif));
}

/// Dense inputs in [0, 1], about half of them zero.
std::vector<std::vector<float>> dense_inputs(std::size_t n, std::size_t size, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user);
    std::vector<std::vector<float>> x(n, std::vector<float>(size));
    for (auto& v : x)
        for (auto& e : v) e = rng.uniform() < 0.5 ? 0.0f : static_cast<float>(rng.uniform());
    return x;
}

/// A synthetic 15x15 image set of 10 classes: class c lights a band of
/// pixels of its own, with noise.
image_dataset synthetic_images(std::size_t per_class, std::uint64_t seed)
{
    image_dataset d;
    d.rows = d.cols = 15;
    random_stream rng(seed, stream_purpose::user);
    for (std::size_t k = 0; k < per_class * 10; ++k) {
        const std::size_t c = k % 10;
        for (std::size_t p = 0; p < 225; ++p) {
            const bool on = (p / 15 + p % 15) % 10 == c;
            d.pixels.push_back(static_cast<std::uint8_t>(on ? 150 + rng.below(100) : (rng.uniform() < 0.1 ? rng.below(120) : 0)));
        }
        d.labels.push_back(static_cast<std::uint8_t>(c));
    }
    return d;
}

} // namespace

TEST_SUITE("sg") {

TEST_CASE("cross_entropy_spike_loss: hand values on spikes, the silent network scores T ln 10, gradient by finite differences")
{
    const cross_entropy_spike_loss loss;
    const std::vector<float> out{1, 0, 1};
    const double e = std::exp(1.0), z = 2 * e + 1;
    CHECK(loss.step_loss(out, 0) == doctest::Approx(std::log(z) - 1.0).epsilon(1e-14));
    CHECK(loss.step_loss(out, 1) == doctest::Approx(std::log(z)).epsilon(1e-14));
    std::vector<float> g(3);
    loss.step_gradient(out, 0, 2, g);
    CHECK(g[0] == doctest::Approx((e / z - 1.0) / 2).epsilon(1e-7));
    CHECK(g[1] == doctest::Approx((1.0 / z) / 2).epsilon(1e-7));
    CHECK(g[2] == doctest::Approx((e / z) / 2).epsilon(1e-7));
    // All silent, 10 classes: ln 10 per step; their first losses are about 25 ln 10 = 57.6.
    const std::vector<float> silent(10, 0.0f);
    CHECK(loss.step_loss(silent, 7) == doctest::Approx(std::log(10.0)).epsilon(1e-14));
    CHECK(cross_entropy_spike_loss::mean(2 * 25 * std::log(10.0), 2, 10, 25) == doctest::Approx(25 * std::log(10.0)));
    // Finite differences on arbitrary logits.
    random_stream rng(1, stream_purpose::user);
    std::vector<float> x(7);
    for (auto& v : x) v = rng.uniform(-2.0f, 3.0f);
    std::vector<float> gx(7);
    loss.step_gradient(x, 4, 1, gx);
    for (std::size_t c = 0; c < x.size(); ++c) {
        auto up = x, down = x;
        const float h = 1e-2f;
        up[c] += h;
        down[c] -= h;
        const double fd = (loss.step_loss(up, 4) - loss.step_loss(down, 4)) / (double(up[c]) - double(down[c]));
        CHECK(gx[c] == doctest::Approx(fd).epsilon(1e-4));
    }
    CHECK_THROWS_AS(loss.step_loss(out, 3), config_error);
}

TEST_CASE("static samples give the frame path's spikes, loss and gradients: bits, but for the first layer's weights (rounding)")
{
    const std::size_t in = 12, hidden = 37, out = 5, T = 7, B = 6;
    const auto net = small_model(in, hidden, out);
    std::vector<float> w(net.parameter_count());
    net.init(w, 3);
    for (auto& v : w) v *= 4.0f;  // enough spikes in both layers
    const auto xs = dense_inputs(B, in, 4);
    // The same image as T identical sparse frames.
    std::vector<std::vector<std::uint32_t>> offsets(B), index(B);
    std::vector<std::vector<float>> value(B);
    std::vector<frame_sample> frames;
    std::vector<static_sample> statics;
    for (std::size_t b = 0; b < B; ++b) {
        offsets[b].push_back(0);
        for (std::size_t t = 0; t < T; ++t) {
            for (std::size_t i = 0; i < in; ++i)
                if (xs[b][i] != 0.0f) {
                    index[b].push_back(static_cast<std::uint32_t>(i));
                    value[b].push_back(xs[b][i]);
                }
            offsets[b].push_back(static_cast<std::uint32_t>(index[b].size()));
        }
    }
    for (std::size_t b = 0; b < B; ++b) {
        frames.push_back({offsets[b], index[b], value[b], b % out});
        statics.push_back({xs[b], b % out});
    }
    const auto check_loss = [&]<class Loss>(Loss) {
        trainer<model_t, Loss> by_frames(net, 1), by_image(net, 1);
        auto w1 = w, w2 = w;
        adam o1(w.size(), {1e-3, 0.9, 0.999, 1e-8}), o2(w.size(), {1e-3, 0.9, 0.999, 1e-8});
        const auto s1 = by_frames.train_step(w1, o1, frames);
        const auto s2 = by_image.train_step(w2, o2, statics, T);
        CHECK(s1.loss == s2.loss);
        CHECK(s1.correct == s2.correct);
        CHECK(s1.hidden_spikes == s2.hidden_spikes);
        CHECK(s1.hidden_spikes > 0);
        const auto g1 = by_frames.last_gradient(), g2 = by_image.last_gradient();
        const std::size_t wc0 = in * hidden;
        std::size_t same = 0;
        double worst = 0.0;
        for (std::size_t k = 0; k < g1.size(); ++k) {
            if (k < wc0) {
                worst = std::max(worst, std::abs(double(g1[k]) - double(g2[k])) / (std::abs(double(g1[k])) + 1e-12));
                same += g1[k] == g2[k];
            } else {
                REQUIRE(g1[k] == g2[k]);  // first layer's bias and every later parameter: the same bits
            }
        }
        MESSAGE("first layer weights: ", same, " of ", wc0, " the same bits, worst relative difference ", worst);
        CHECK(worst < 1e-5);
        std::vector<std::size_t> p1(B), p2(B);
        by_frames.evaluate(w1, frames, p1);
        by_image.evaluate(w1, statics, T, p2);
        CHECK(p1 == p2);
    };
    SUBCASE("cross_entropy_spike_loss") { check_loss(cross_entropy_spike_loss{}); }
    SUBCASE("mse_count_loss") { check_loss(mse_count_loss{}); }
}

TEST_CASE("linear layer: SIMD forward, backward and backward_steps are the scalar loops' bits (input gradient: where the layer is narrow)")
{
    for (const std::size_t no : {1u, 3u, 10u, 15u}) {
        const std::size_t ni = 53, T = 9;
        linear l(ni, no);
        l.configure({ni, 1, 1});
        random_stream rng(no, stream_purpose::user);
        std::vector<float> prm(l.parameter_count());
        l.init(prm, rng);
        auto ws = l.make_work(T), wv = l.make_work(T), wk = l.make_work(T);
        std::vector<float> g_out(T * no);
        for (auto& g : g_out) g = rng.uniform(-1.0f, 1.0f);
        for (std::size_t t = 0; t < T; ++t) {
            activation a;
            a.resize(ni);
            a.has_nz = true;
            for (std::size_t i = 0; i < ni; ++i)
                if (rng.uniform() < 0.3 || i == ni - 1) a.push(static_cast<std::uint32_t>(i), rng.uniform() < 0.5 ? 1.0f : rng.uniform(-1.0f, 2.0f));
            activation o1, o2, o3;
            o1.resize(no);
            o2.resize(no);
            o3.resize(no);
            l.forward<float>(prm.data(), a, o1, ws, true);
            l.forward<simd::batch>(prm.data(), a, o2, wv, true);
            l.forward<simd::batch>(prm.data(), a, o3, wk, true);
            REQUIRE(o1.v == o2.v);
        }
        std::vector<float> gp1(prm.size(), 0.0f), gp2(prm.size(), 0.0f), gp3(prm.size(), 0.0f);
        std::vector<float> gi1(T * ni), gi2(T * ni), gi3(T * ni);
        for (std::size_t t = T; t-- > 0;) {
            l.backward<float>(prm.data(), g_out.data() + t * no, gi1.data() + t * ni, gp1.data(), ws, t);
            l.backward<simd::batch>(prm.data(), g_out.data() + t * no, gi2.data() + t * ni, gp2.data(), wv, t);
        }
        l.prepare(prm.data(), wk);
        l.backward_steps<simd::batch>(prm.data(), g_out.data(), gi3.data(), gp3.data(), wk, T);
        CHECK(gp1 == gp2);
        CHECK(gp1 == gp3);
        if (no < simd::width) {  // narrow on this target: the scalar dot's order
            CHECK(gi1 == gi2);
            CHECK(gi1 == gi3);
        } else {  // wider (AVX2, SSE2 registers): summed in lanes, equal to rounding
            for (std::size_t i = 0; i < gi1.size(); ++i) {
                REQUIRE(gi2[i] == doctest::Approx(gi1[i]).epsilon(1e-5).scale(1.0));
                REQUIRE(gi3[i] == doctest::Approx(gi1[i]).epsilon(1e-5).scale(1.0));
            }
        }
    }
}

TEST_CASE("LIF layer: SIMD forward and backward are the scalar loops' bits on awkward sizes")
{
    for (const std::size_t n : {1u, 15u, 16u, 17u, 1000u}) {
        sg::leaky<> l({0.95f, 1.0f, true});
        l.configure({n, 1, 1});
        auto ws = l.make_work(6), wv = l.make_work(6);
        l.begin(ws);
        l.begin(wv);
        random_stream rng(n, stream_purpose::user);
        activation in, o1, o2;
        in.resize(n);
        o1.resize(n);
        o2.resize(n);
        for (std::size_t t = 0; t < 6; ++t) {
            for (auto& x : in.v) x = rng.uniform(-0.5f, 1.5f);
            l.forward<float>(nullptr, in, o1, ws, true);
            l.forward<simd::batch>(nullptr, in, o2, wv, true);
            REQUIRE(o1.v == o2.v);
            REQUIRE(o1.nz == o2.nz);
        }
        std::vector<float> g(n), a(n), b(n);
        for (std::size_t t = 6; t-- > 0;) {
            for (auto& x : g) x = rng.uniform(-1.0f, 1.0f);
            l.backward<float>(nullptr, g.data(), a.data(), nullptr, ws, t);
            l.backward<simd::batch>(nullptr, g.data(), b.data(), nullptr, wv, t);
            REQUIRE(a == b);
        }
    }
}

TEST_CASE("static path: the same bits on 1 and 2 threads")
{
    const auto net = small_model(30, 64, 10);
    std::vector<float> w(net.parameter_count());
    net.init(w, 5);
    for (auto& v : w) v *= 3.0f;
    const auto xs = dense_inputs(13, 30, 6);
    std::vector<static_sample> batch;
    for (std::size_t b = 0; b < xs.size(); ++b) batch.push_back({xs[b], b % 10});
    auto w1 = w, w2 = w;
    trainer<model_t, cross_entropy_spike_loss> t1(net, 1), t2(net, 2);
    adam o1(w.size(), {1e-3, 0.9, 0.999, 1e-8}), o2(w.size(), {1e-3, 0.9, 0.999, 1e-8});
    for (int k = 0; k < 3; ++k) {
        const auto s1 = t1.train_step(w1, o1, batch, 11), s2 = t2.train_step(w2, o2, batch, 11);
        CHECK(s1.loss == s2.loss);
    }
    CHECK(w1 == w2);
}

TEST_CASE("massey_power_law: sign(w) 0.2 (|w| / 0.2)^0.999, n times = the closed form with exponent 0.999^n; SIMD = scalar")
{
    std::vector<float> w{0.0f, -0.0f, 1e-30f, -3e-7f, 0.013f, -0.2f, 0.2f, 0.5f, -1.7f, 4.0f, 1e-40f};
    random_stream rng(2, stream_purpose::user);
    for (int k = 0; k < 60; ++k) w.push_back(rng.uniform(-0.4f, 0.4f));
    auto a = w, b = w;
    const int n = 40;
    for (int k = 0; k < n; ++k) {
        massey_power_law<simd::batch>(a, 0.2f, 0.999f);
        massey_power_law<float>(b, 0.2f, 0.999f);
    }
    CHECK(a == b);
    for (std::size_t i = 0; i < w.size(); ++i) {
        const double x = w[i];
        const double expect = x == 0.0 ? 0.0 : std::copysign(0.2 * std::pow(std::fabs(x) / 0.2, std::pow(0.999, n)), x);
        INFO("w = ", x);
        CHECK(double(a[i]) == doctest::Approx(expect).epsilon(2e-6));
        CHECK(std::signbit(a[i]) == std::signbit(w[i]));
    }
    // One step by hand: 0.05 -> 0.2 * 0.25^0.999.
    std::vector<float> one{0.05f};
    massey_power_law<float>(one, 0.2f, 0.999f);
    CHECK(double(one[0]) == doctest::Approx(0.2 * std::pow(0.25, 0.999)).epsilon(1e-6));
}

TEST_CASE("massey sleep: 2 inputs, 3 hidden, 2 outputs, fixed noise: their torch loop transcribed, and one spike pair by hand")
{
    const auto net = small_model(2, 3, 2, 0.95f);
    std::vector<float> w(net.parameter_count());
    // fc1 weights [i][o] (unchanged but for the power law) and biases; fc2.
    const std::vector<float> w1{0.1f, -0.05f, 0.3f, 0.02f, -0.4f, 0.15f}, b1{0.3f, -0.2f, 0.6f};
    const std::vector<float> w2{0.5f, -0.3f, 0.9f, 0.2f, -0.1f, 1.2f}, b2{0.1f, 0.4f};  // w2[i][o]
    std::copy(w1.begin(), w1.end(), w.begin());
    std::copy(b1.begin(), b1.end(), w.begin() + 6);
    std::copy(w2.begin(), w2.end(), w.begin() + 9);
    std::copy(b2.begin(), b2.end(), w.begin() + 15);
    massey_sleep_params p;
    p.steps = 4;
    p.batch = 2;
    p.membrane_noise_sd = 1.0f;
    const std::size_t T = p.steps, B = p.batch, H = 3, O = 2;
    // noise[row][t][hidden..., output...]
    std::vector<std::vector<float>> noise(B, std::vector<float>(T * (H + O)));
    random_stream rng(9, stream_purpose::user);
    for (auto& row : noise)
        for (auto& z : row) z = rng.uniform(-1.0f, 2.5f);
    noise[0][0] = 2.0f;  // hidden 0 of row 0 spikes at step 0: 0.95 * 2 + 0.3 - 1 = 1.2 > 1
    const auto fixed = [&](std::size_t row, std::span<float> out) { std::copy(noise[row].begin(), noise[row].end(), out.begin()); };

    // Their loop, transcribed literally (batch tensors, snnTorch's Leaky), in double.
    std::vector<double> mem1(B * H, 0.0), mem2(B * O, 0.0), pre_h(B * H, 0.0), post_o(B * O, 0.0), dW2(H * O, 0.0);
    const double decay = std::exp(static_cast<float>(-1.0 / 20.0)), beta = 0.95f;
    std::uint64_t hidden_spikes = 0, output_spikes = 0;
    for (std::size_t t = 0; t < T; ++t) {
        std::vector<double> spk1(B * H), spk2(B * O);
        for (std::size_t r = 0; r < B; ++r) {
            for (std::size_t h = 0; h < H; ++h) mem1[r * H + h] += 1.0 * noise[r][t * (H + O) + h];
            for (std::size_t o = 0; o < O; ++o) mem2[r * O + o] += 1.0 * noise[r][t * (H + O) + H + o];
            for (std::size_t h = 0; h < H; ++h) {
                double& m = mem1[r * H + h];
                const double reset = m - 1.0 > 0.0 ? 1.0 : 0.0;
                m = beta * m + b1[h] - reset;
                spk1[r * H + h] = m - 1.0 > 0.0 ? 1.0 : 0.0;
                hidden_spikes += spk1[r * H + h] != 0.0;
            }
            for (std::size_t o = 0; o < O; ++o) {
                double cur = b2[o];
                for (std::size_t h = 0; h < H; ++h) cur += spk1[r * H + h] * w2[h * O + o];
                double& m = mem2[r * O + o];
                const double reset = m - 1.0 > 0.0 ? 1.0 : 0.0;
                m = beta * m + cur - reset;
                spk2[r * O + o] = m - 1.0 > 0.0 ? 1.0 : 0.0;
                output_spikes += spk2[r * O + o] != 0.0;
            }
        }
        for (std::size_t k = 0; k < B * H; ++k) pre_h[k] = pre_h[k] * decay + spk1[k];
        for (std::size_t k = 0; k < B * O; ++k) post_o[k] = post_o[k] * decay + spk2[k];
        for (std::size_t h = 0; h < H; ++h)
            for (std::size_t o = 0; o < O; ++o) {
                double pot = 0.0, dep = 0.0;
                for (std::size_t r = 0; r < B; ++r) {
                    pot += pre_h[r * H + h] * spk2[r * O + o];
                    dep += spk1[r * H + h] * post_o[r * O + o];
                }
                dW2[h * O + o] += 0.01 * (pot / double(B)) - 0.012 * (dep / double(B));
            }
    }
    const auto mapped = [](double x) { return x == 0.0 ? 0.0 : std::copysign(0.2 * std::pow(std::fabs(x) / 0.2, 0.999), x); };
    auto ours = w, scalar = w;
    const auto rep = massey_sleep_cycle_with<arctan, simd::batch>(net, std::span<float>(ours), p, fixed);
    massey_sleep_cycle_with<arctan, float>(net, std::span<float>(scalar), p, fixed);
    CHECK(ours == scalar);
    CHECK(rep.hidden_spikes == hidden_spikes);
    CHECK(rep.output_spikes == output_spikes);
    CHECK(hidden_spikes > 2);
    CHECK(output_spikes > 2);
    for (std::size_t k = 0; k < 6; ++k) CHECK(double(ours[k]) == doctest::Approx(mapped(w1[k])).epsilon(1e-6));
    for (std::size_t k = 0; k < 3; ++k) CHECK(ours[6 + k] == b1[k]);  // biases untouched
    std::size_t moved = 0;
    for (std::size_t k = 0; k < 6; ++k) {
        INFO("fc2 weight ", k);
        CHECK(double(ours[9 + k]) == doctest::Approx(mapped(w2[k] + 1e-3 * dW2[k])).epsilon(1e-6));
        moved += dW2[k] != 0.0;
    }
    CHECK(moved >= 4);  // the case exercises the STDP, not only the power law
    for (std::size_t k = 0; k < 2; ++k) CHECK(ours[15 + k] == b2[k]);

    // By hand: one row, two steps, every parameter 0 but fc2[0 -> 0] = 0.1
    // and fc2[0 -> 1] = 0.5; noise [hidden 0, 1, 2, output 0, 1] per step.
    // Step 0: hidden 0 gets 2.2: its reset fires (2.2 > 1), 0.95 * 2.2 - 1
    //   = 1.09 > 1: a spike. Outputs get 0.1 and 0.5: silent.
    // Step 1: hidden 0 gets -1.05: 1.09 - 1.05 = 0.04, so its reset does not
    //   fire (it would have from the spike alone), 0.038: silent. Output 1
    //   gets 1.7: 0.5 + 1.7 = 2.2, a reset and 1.09: a spike.
    // Their update: pot[0][1] at step 1 = pre_h[0] = exp(-1/20); dep = 0
    //   (no hidden spike while post_o > 0). fc2[0 -> 1] += 1e-3 * 0.01 exp(-1/20).
    {
        const auto one = small_model(2, 3, 2, 0.95f);
        std::vector<float> v(one.parameter_count(), 0.0f);
        v[9 + 0] = 0.1f;
        v[9 + 1] = 0.5f;
        massey_sleep_params q;
        q.steps = 2;
        q.batch = 1;
        q.membrane_noise_sd = 1.0f;
        const std::vector<float> z{2.2f, 0.0f, 0.0f, 0.0f, 0.0f, -1.05f, 0.0f, 0.0f, 0.0f, 1.7f};
        const auto noise1 = [&](std::size_t, std::span<float> out) { std::copy(z.begin(), z.end(), out.begin()); };
        const auto r1 = massey_sleep_cycle_with<arctan, float>(one, std::span<float>(v), q, noise1);
        CHECK(r1.hidden_spikes == 1);
        CHECK(r1.output_spikes == 1);
        const double moved = 0.5 + 1e-3 * 0.01 * std::exp(double(static_cast<float>(-1.0 / 20.0)));
        CHECK(double(v[9 + 1]) == doctest::Approx(mapped(moved)).epsilon(1e-6));
        CHECK(double(v[9 + 0]) == doctest::Approx(mapped(0.1)).epsilon(1e-6));
    }
}

TEST_CASE("massey sleep: the same bits on 1 and 2 threads; another cycle key other noise; bad settings refused")
{
    const auto net = small_model(20, 100, 10, 0.95f);
    std::vector<float> w(net.parameter_count());
    net.init(w, 1);
    for (std::size_t k = 0; k < 100; ++k) w[20 * 100 + k] = 0.5f;  // biases near threshold: spikes in sleep
    massey_sleep_params p;
    p.batch = 9;
    auto a = w, b = w, c = w;
    const auto ra = massey_sleep_cycle(net, std::span<float>(a), p, 7, 3, 1);
    const auto rb = massey_sleep_cycle(net, std::span<float>(b), p, 7, 3, 2);
    massey_sleep_cycle(net, std::span<float>(c), p, 7, 4, 1);
    CHECK(a == b);
    CHECK(ra.hidden_spikes == rb.hidden_spikes);
    CHECK(ra.hidden_spikes > 0);
    CHECK(a != c);
    massey_sleep_params bad = p;
    bad.membrane_noise_sd = -1.0f;
    CHECK_THROWS_WITH_AS(massey_sleep_cycle(net, std::span<float>(a), bad, 7, 3), doctest::Contains("membrane_noise_sd"), config_error);
    bad = p;
    bad.steps = 0;
    CHECK_THROWS_WITH_AS(massey_sleep_cycle(net, std::span<float>(a), bad, 7, 3), doctest::Contains("steps must be > 0"), config_error);
}

TEST_CASE("massey_sg: options checked; sleep every int(1/p) minibatches as their code")
{
    CHECK(mx::sleep_every(0.0) == 0);
    CHECK(mx::sleep_every(0.1) == 10);
    CHECK(mx::sleep_every(0.2) == 5);
    CHECK(mx::sleep_every(0.3) == 3);
    CHECK(mx::sleep_every(0.4) == 2);
    CHECK(mx::sleep_every(0.5) == 2);
    CHECK(mx::sleep_every(0.51) == 1);
    CHECK(mx::sleep_every(1.0) == 1);
    mx::massey_sg_options o;
    o.sleep_fraction = 1.5;
    CHECK_THROWS_WITH_AS(mx::validate(o), doctest::Contains("sleep_fraction must be in [0, 1], got 1.5"), config_error);
    o = {};
    o.dataset = "kmnist";
    CHECK_THROWS_WITH_AS(mx::validate(o), doctest::Contains("kmnist"), config_error);
    o = {};
    o.train_per_class = 5;
    CHECK_THROWS_AS(mx::validate(o), config_error);
    const auto d = synthetic_images(5, 1);
    CHECK_THROWS_AS(mx::balanced_subset(d, 6, 42, 0), data_error);
    const auto s = mx::balanced_subset(d, 4, 42, 0);
    CHECK(s.size() == 40);
    for (std::size_t k = 0; k < 40; ++k) CHECK(d.labels[s[k]] == k / 4);
}

TEST_CASE("massey_sg: a short run learns synthetic classes, sleeps as scheduled, and gives the same result on 1 and 2 threads")
{
    const auto train = synthetic_images(80, 1), test = synthetic_images(20, 2);
    auto o = mx::massey_sg_quick();
    o.sleep_fraction = 0.25;
    o.hidden = 200;
    const auto r1 = mx::run_massey_sg(o, train, test, 1);
    const auto r2 = mx::run_massey_sg(o, train, test, 2);
    CHECK(r1.minibatches == 3 * (600 / 32));
    CHECK(r1.sleep_cycles == (r1.minibatches + 3) / 4);
    CHECK(r1.final_test_accuracy > 0.6);
    CHECK(r1.final_test_accuracy == r2.final_test_accuracy);
    CHECK(r1.train_loss == r2.train_loss);
    CHECK(r1.test_loss == r2.test_loss);
    CHECK(r1.train_loss.back() < r1.train_loss.front());
    const nlohmann::json j = r1;
    CHECK(j.at("final_test_accuracy").get<double>() == r1.final_test_accuracy);
    CHECK(j.at("sleep_cycles").get<std::size_t>() == r1.sleep_cycles);
}

TEST_CASE("massey_sg: a short run on real MNIST, 15x15 as torchvision makes it, learns (skipped without MNIST)")
{
    const char* env = std::getenv("SOMNUS_MNIST_DIR");
    const std::filesystem::path dir = env ? env : "";
    if (!env || !(std::filesystem::exists(dir / "train-images-idx3-ubyte") || std::filesystem::exists(dir / "train-images-idx3-ubyte.gz"))) {
        MESSAGE("SOMNUS_MNIST_DIR not set or without MNIST: skipped");
        return;
    }
    const auto train = resize_dataset(load_mnist(dir, mnist_split::train, 6000, image_geometry{28, 28}), 15, 15);
    const auto test = resize_dataset(load_mnist(dir, mnist_split::test, 2000, image_geometry{28, 28}), 15, 15);
    const auto r = mx::run_massey_sg(mx::massey_sg_quick(), train, test, 2);
    MESSAGE("quick MNIST run: test accuracy ", r.final_test_accuracy);
    CHECK(r.final_test_accuracy > 0.6);
}

} // TEST_SUITE
