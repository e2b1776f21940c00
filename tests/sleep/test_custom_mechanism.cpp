// SPDX-License-Identifier: MIT
// A sleep mechanism written by a user, as docs/policies.md shows it, runs
// inside the library unchanged: "replay" the strongest receptive field of
// each neuron by driving its input pixels, and cap the phase's weight growth.
#include <doctest/doctest.h>

#include <algorithm>

#include <somnus/network/competitive.hpp>

#include "../network/synthetic.hpp"

// ---- the user's code: about 20 lines --------------------------------------
// Drives, every step, the inputs of one excitatory neuron's 50 strongest
// synapses at rate_hz (neurons taken in turn, one per 10 ms), and at the end
// pulls every weight above `cap` back to it.
struct replay_strongest {
    float rate_hz = 200.0f;
    float cap = 0.6f;
    std::vector<std::uint32_t> inputs;
    template <class Context>
    void step(Context& c)
    {
        const auto& w = *c.projection("input_to_exc")->weights;
        const std::size_t j = (c.step / 20) % w.shape()[1];
        inputs.resize(w.shape()[0]);
        for (std::uint32_t i = 0; i < inputs.size(); ++i) inputs[i] = i;
        std::partial_sort(inputs.begin(), inputs.begin() + 50, inputs.end(),
                          [&](std::uint32_t a, std::uint32_t b) { return w(a, j) > w(b, j); });
        for (std::size_t k = 0; k < 50; ++k) c.input_rates_hz[inputs[k]] += rate_hz;
    }
    template <class Context>
    void end(Context& c)
    {
        auto* p = c.projection("input_to_exc");
        for (auto& x : *p->weights) x = std::min(x, cap);
        std::fill(p->changed.begin(), p->changed.end(), std::uint8_t{1});
    }
};
static_assert(somnus::sleep_mechanism<replay_strongest>);
// ---------------------------------------------------------------------------

TEST_SUITE("sleep") {

TEST_CASE("a user-written sleep mechanism runs inside the library unchanged")
{
    const auto data = somnus::test::make_bars(30, 3, 8);
    somnus::competitive_config cfg;
    cfg.n_exc = 6;
    auto net = somnus::make_diehl_cook(cfg);
    for (std::size_t k = 0; k < data.size(); ++k) net.train(data.image(k));
    const auto before = net.weights();
    replay_strongest replay;
    const auto report = net.sleep(replay, 200.0);
    CHECK(report.input_spikes > 0);
    CHECK(report.excitatory_spikes > 0);
    CHECK(net.weights() != before);
    CHECK(*std::max_element(net.weights().begin(), net.weights().end()) <= 0.6f);
    // The next image is normalised again from the flagged columns.
    net.train(data.image(0));
    for (std::size_t j = 0; j < cfg.n_exc; ++j) {
        double sum = 0.0;
        for (std::size_t i = 0; i < 784; ++i) sum += net.weights()(i, j);
        CHECK(sum == doctest::Approx(78.0).epsilon(0.02));  // normalised before the image, then STDP moved it a little
    }
}

}
