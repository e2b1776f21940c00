// SPDX-License-Identifier: MIT
// The surrogate-gradient network as a whole: the unrolled network's
// gradient against central finite differences (Richardson-extrapolated) (a smooth spike and the reset
// in the graph, so the check is exact), snnTorch's loss on hand-computed
// values, one Adam step against the formula, identical weights for any
// thread count, and learning on a task a network must solve.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/sg/adam.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/loss.hpp>
#include <somnus/sg/train.hpp>

#include "samples.hpp"

using namespace somnus;
using namespace somnus::sg;
using namespace somnus_test_sg;

TEST_SUITE("sg") {

TEST_CASE("mse_count_loss: targets, values and gradient by hand; the all-silent network at T = 311 scores 30.90")
{
    const mse_count_loss loss;
    CHECK(loss.target(true, 311) == 248.0);
    CHECK(loss.target(false, 311) == 62.0);
    const std::vector<float> silent(10, 0.0f);
    const double sq = loss.squared_error(silent, 3, 311);
    CHECK(sq == 248.0 * 248.0 + 9 * 62.0 * 62.0);
    CHECK(mse_count_loss::mean(sq, 1, 10, 311) == doctest::Approx(30.9003).epsilon(1e-5));
    // A batch of two, T = 10: targets 8 and 2.
    const std::vector<float> a{8, 2, 2, 2, 2, 2, 2, 2, 2, 2}, b{0, 0, 5, 0, 0, 0, 0, 0, 0, 0};
    const double s = loss.squared_error(a, 0, 10) + loss.squared_error(b, 2, 10);
    CHECK(s == 0.0 + (4 + 9 + 4 * 8));
    CHECK(mse_count_loss::mean(s, 2, 10, 10) == doctest::Approx(45.0 / 200.0));
    std::vector<float> g(10);
    loss.gradient(b, 2, 10, 2, g);
    CHECK(g[2] == doctest::Approx(2.0 * (5 - 8) / 200.0));
    CHECK(g[0] == doctest::Approx(2.0 * (0 - 2) / 200.0));
    CHECK(predicted_class(b) == 2);
    CHECK(predicted_class(silent) == 0);  // a tie: the first
}

TEST_CASE("one Adam step against the formula; bad settings refused")
{
    adam opt(3, {0.1, 0.9, 0.999, 1e-8});
    std::vector<float> w{1.0f, -2.0f, 0.5f};
    const std::vector<float> g{0.5f, -1.0f, 0.0f};
    opt.step(w, g);
    // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2: w -= lr g / (|g| + eps).
    CHECK(w[0] == doctest::Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)));
    CHECK(w[1] == doctest::Approx(-2.0 + 0.1));
    CHECK(w[2] == 0.5f);
    opt.step(w, g);
    const double m = 0.9 * 0.05 + 0.1 * 0.5, v = 0.999 * 0.00025 + 0.001 * 0.25;
    const double step = 0.1 / (1 - 0.81), denom = std::sqrt(v) / std::sqrt(1 - 0.999 * 0.999) + 1e-8;
    CHECK(w[0] == doctest::Approx(1.0 - 0.1 - step * m / denom).epsilon(1e-5));
    CHECK(opt.steps() == 2);
    CHECK_THROWS_AS(adam(3, {-1.0, 0.9, 0.999, 1e-8}), config_error);
    CHECK_THROWS_AS(adam(3, {0.1, 1.0, 0.999, 1e-8}), config_error);
}

TEST_CASE("the unrolled network's gradient equals central finite differences (smooth spike, reset in the graph)")
{
    using S = smooth_step;
    const typename sg::leaky<S>::params lif{0.6f, 1.0f, false};
    const S spike{{3.0f}};
    sequential<conv2d, max_pool2d, sg::leaky<S>, linear, sg::leaky<S>> net({2, 8, 8}, conv2d(2, 3, 3), max_pool2d(2),
                                                                          sg::leaky<S>(lif, spike), linear(27, 4), sg::leaky<S>(lif, spike));
    CHECK(net.parameter_count() == 2 * 9 * 3 + 3 + 27 * 4 + 4);
    std::vector<float> w(net.parameter_count());
    net.init(w, 7);
    for (auto& x : w) x *= 3.0f;  // a network that is not silent
    const auto data = make_samples(1, 5, 2 * 8 * 8, 0.3, 4, false, 8);
    const auto sample = data.views()[0];
    const std::size_t T = sample.frames();
    const mse_count_loss loss;

    auto ws = net.make_workspace(T);
    const auto run = [&](const std::vector<float>& p, bool record) {
        net.begin(ws);
        std::vector<float> counts(4, 0.0f);
        for (std::size_t t = 0; t < T; ++t) {
            ws.input().clear();
            for (auto e = sample.offsets[t]; e < sample.offsets[t + 1]; ++e) ws.input().push(sample.index[e], sample.value[e]);
            net.forward(p, ws, record);
            for (std::size_t c = 0; c < 4; ++c) counts[c] += ws.output().v[c];
        }
        return counts;
    };
    const auto value = [&](const std::vector<float>& p) {
        return mse_count_loss::mean(loss.squared_error(run(p, false), sample.label, T), 1, 4, T);
    };
    const auto counts = run(w, true);
    std::vector<float> g_out(4), g(w.size(), 0.0f);
    loss.gradient(counts, sample.label, T, 1, g_out);
    for (std::size_t t = T; t-- > 0;) net.backward(w, ws, g_out, g, t);

    std::size_t checked = 0;
    double worst = 0.0;
    // Central differences at h and h / 2, combined by Richardson
    // extrapolation (error O(h^4)): within 5e-3 of max(0.01, |d|) (a wrong
    // gradient is off by order 1; float rounding leaves about 2e-3).
    const auto central = [&](std::size_t k, float h) {
        auto up = w, down = w;
        up[k] += h;
        down[k] -= h;
        return (value(up) - value(down)) / (double(up[k]) - double(down[k]));
    };
    for (std::size_t k = 0; k < w.size(); ++k) {
        const double fd = (4.0 * central(k, 5e-3f) - central(k, 1e-2f)) / 3.0;
        const double err = std::abs(g[k] - fd) / std::max(1e-2, std::abs(fd));
        worst = std::max(worst, err);
        CAPTURE(k);
        CHECK(err <= 5e-3);
        ++checked;
    }
    CHECK(checked == w.size());
    MESSAGE("worst relative error " << worst);
}

TEST_CASE("the Gupta member: 18 254 parameters, shapes as DESIGN.md; the same seed gives the same weights on 1, 2 and 3 threads")
{
    auto net = make_gupta_member();
    CHECK(net.parameter_count() == 18254);
    CHECK(net.shape(1) == shape3{12, 30, 30});
    CHECK(net.shape(2) == shape3{12, 15, 15});
    CHECK(net.shape(4) == shape3{32, 11, 11});
    CHECK(net.shape(5) == shape3{32, 5, 5});
    CHECK(net.output_shape() == shape3{10, 1, 1});
    const auto data = make_samples(7, 12, 2 * 34 * 34, 0.02, 10, false, 9);
    const auto batch = data.views();
    std::vector<std::vector<float>> finals;
    std::vector<double> losses;
    for (const unsigned threads : {1u, 2u, 3u}) {
        std::vector<float> w(net.parameter_count());
        net.init(w, 42, 3);
        adam opt(w.size());
        trainer tr(net, threads);
        double l = 0.0;
        for (int step = 0; step < 2; ++step) l = tr.train_step(w, opt, batch).loss;
        finals.push_back(w);
        losses.push_back(l);
    }
    CHECK(finals[0] == finals[1]);
    CHECK(finals[0] == finals[2]);
    CHECK(losses[0] == losses[1]);
    CHECK(losses[0] == losses[2]);
    std::vector<float> other(net.parameter_count());
    net.init(other, 42, 4);
    CHECK(other != finals[0]);
}

TEST_CASE("training learns a task the network can solve")
{
    // Three classes of inputs on a 1x6x6 "sensor" (class c lights inputs
    // i % 3 == c); a small conv net reaches full accuracy in a few dozen steps.
    using lif = sg::leaky<>;
    sequential<conv2d, max_pool2d, lif, linear, lif> net({1, 6, 6}, conv2d(1, 6, 3), max_pool2d(2), lif({0.5f, 1.0f, true}),
                                                         linear(24, 3), lif({0.5f, 1.0f, true}));
    const auto train = make_samples(60, 20, 36, 0.5, 3, true, 10);
    const auto test = make_samples(60, 20, 36, 0.5, 3, true, 11);
    std::vector<float> w(net.parameter_count());
    net.init(w, 1);
    adam opt(w.size(), {2e-2, 0.9, 0.999, 1e-8});
    trainer tr(net, 2);
    const auto before = tr.evaluate(w, test.views());
    double first_loss = 0.0, last_loss = 0.0;
    for (int epoch = 0; epoch < 15; ++epoch) {
        const auto views = train.views();
        for (std::size_t b = 0; b < views.size(); b += 20) {
            const auto s = tr.train_step(w, opt, std::span(views).subspan(b, 20));
            if (epoch == 0 && b == 0) first_loss = s.loss;
            last_loss = s.loss;
        }
    }
    const auto after = tr.evaluate(w, test.views());
    MESSAGE("accuracy " << before.accuracy() << " -> " << after.accuracy() << ", loss " << first_loss << " -> " << last_loss);
    CHECK(last_loss < 0.5 * first_loss);
    CHECK(after.accuracy() >= 0.95);
}

}
