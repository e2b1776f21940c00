// SPDX-License-Identifier: MIT
// The user's SG layer docs/guide.md shows ("Surrogate-gradient training"),
// extracted from the guide at configure time: its gradients by hand, and
// trained inside a sequential network like a shipped layer.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/sg/adam.hpp>
#include <somnus/sg/leaky.hpp>
#include <somnus/sg/linear.hpp>
#include <somnus/sg/sequential.hpp>
#include <somnus/sg/train.hpp>

#include "guide_user_sg_layer.hpp"

using namespace somnus;
using namespace somnus::sg;

TEST_SUITE("sg") {

TEST_CASE("the guide's SG layer: forward and backward by hand")
{
    gain_layer l;
    CHECK(l.configure({2, 1, 3}) == shape3{2, 1, 3});
    REQUIRE(l.parameter_count() == 6);
    std::vector<float> w{0.5f, -1.0f, 2.0f, 1.0f, 0.0f, 3.0f};
    auto k = l.make_work(2);
    l.begin(k);
    activation in, out;
    in.resize(6);
    out.resize(6);
    const float x[2][6] = {{1, 2, 3, 4, 5, 6}, {-1, 0, 1, 0, 2, 1}};
    for (int t = 0; t < 2; ++t) {
        for (int i = 0; i < 6; ++i) in.v[std::size_t(i)] = x[t][i];
        l.forward(w.data(), in, out, k, true);
        for (int i = 0; i < 6; ++i) CHECK(out.v[std::size_t(i)] == w[std::size_t(i)] * x[t][i]);
    }
    // Loss sum_t sum_i c_i out_t,i: d/dw_i = c_i (x_0,i + x_1,i), d/din_t,i = c_i w_i.
    const std::vector<float> c{1, 2, 3, 4, 5, 6};
    std::vector<float> g_w(6, 0.0f), g_in(6);
    for (std::size_t t = 2; t-- > 0;) {
        l.backward(w.data(), c.data(), g_in.data(), g_w.data(), k, t);
        for (std::size_t i = 0; i < 6; ++i) CHECK(g_in[i] == c[i] * w[i]);
    }
    for (std::size_t i = 0; i < 6; ++i) CHECK(g_w[i] == doctest::Approx(c[i] * (x[0][i] + x[1][i])));
}

TEST_CASE("the guide's SG layer trains inside a network like a shipped layer")
{
    using lif = leaky<>;
    sequential<linear, gain_layer, lif> net({1, 1, 12}, linear(12, 3), gain_layer{}, lif({0.5f, 1.0f, true}));
    REQUIRE(net.parameter_count() == 12 * 3 + 3 + 3);
    // Class c lights the inputs i with i % 3 == c.
    std::vector<std::vector<std::uint32_t>> offsets, index;
    std::vector<std::vector<float>> values;
    std::vector<std::size_t> labels;
    random_stream rng(4, stream_purpose::user);
    for (int k = 0; k < 60; ++k) {
        const std::size_t label = rng.below(3);
        std::vector<std::uint32_t> off{0}, idx;
        std::vector<float> val;
        for (int t = 0; t < 10; ++t) {
            for (std::uint32_t i = 0; i < 12; ++i)
                if (i % 3 == label && rng.uniform() < 0.6) {
                    idx.push_back(i);
                    val.push_back(1.0f);
                }
            off.push_back(static_cast<std::uint32_t>(idx.size()));
        }
        offsets.push_back(off);
        index.push_back(idx);
        values.push_back(val);
        labels.push_back(label);
    }
    std::vector<frame_sample> views;
    for (std::size_t k = 0; k < labels.size(); ++k) views.push_back({offsets[k], index[k], values[k], labels[k]});
    std::vector<float> w(net.parameter_count());
    net.init(w, 2);
    adam opt(w.size(), {2e-2, 0.9, 0.999, 1e-8});
    trainer tr(net, 2);
    const auto before = tr.evaluate(w, views);
    for (int epoch = 0; epoch < 20; ++epoch)
        for (std::size_t b = 0; b < views.size(); b += 20) tr.train_step(w, opt, std::span(views).subspan(b, 20));
    const auto after = tr.evaluate(w, views);
    MESSAGE("accuracy " << before.accuracy() << " -> " << after.accuracy());
    CHECK(after.accuracy() > 0.9);
    // Its gains moved away from their initial 1.
    bool moved = false;
    for (std::size_t i = 39; i < 42; ++i) moved = moved || w[i] != 1.0f;
    CHECK(moved);
}

}
