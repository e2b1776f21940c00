// SPDX-License-Identifier: MIT
// The network's fast paths against their references: event-driven
// presynaptic learning against the dense walk (same bits), and the rest in
// closed form against stepping it (same spikes, weights within rounding).
#include <doctest/doctest.h>

#include <cmath>

#include <somnus/network/competitive.hpp>

#include "synthetic.hpp"

using namespace somnus;

namespace {

struct outcome {
    std::vector<std::uint32_t> counts;  // per image, per neuron
    std::vector<float> weights, theta;
};

outcome train(bool event_driven, bool closed_form_rest, float delay_ms, conductance_lif::integration scheme)
{
    competitive_config cfg;
    cfg.n_exc = 12;
    cfg.seed = 3;
    cfg.closed_form_rest = closed_form_rest;
    cfg.input_delay_max_ms = delay_ms;
    auto exc = conductance_lif::diehl_cook_excitatory();
    auto inh = conductance_lif::diehl_cook_inhibitory();
    exc.scheme = inh.scheme = scheme;
    diehl_cook_network net(cfg, conductance_lif(exc, cfg.dt_ms), conductance_lif(inh, cfg.dt_ms));
    net.input_synapses().set_event_driven(event_driven);
    const auto data = test::make_bars(40, 4, 9);
    outcome o;
    for (std::size_t k = 0; k < data.size(); ++k) {
        net.train(data.image(k));
        o.counts.insert(o.counts.end(), net.counts().begin(), net.counts().end());
    }
    // Evaluation runs the rest too (between repeats).
    for (std::size_t k = 0; k < 10; ++k) {
        net.evaluate(data.image(k), k);
        o.counts.insert(o.counts.end(), net.counts().begin(), net.counts().end());
    }
    o.weights.assign(net.weights().begin(), net.weights().end());
    o.theta.assign(net.exc_state().theta.begin(), net.exc_state().theta.end());
    return o;
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("event-driven presynaptic learning gives the dense reference's bits")
{
    for (auto scheme : {conductance_lif::integration::euler, conductance_lif::integration::exponential}) {
        const auto fast = train(true, false, 0.0f, scheme);
        const auto reference = train(false, false, 0.0f, scheme);
        CHECK(fast.counts == reference.counts);
        CHECK(fast.weights == reference.weights);
        CHECK(fast.theta == reference.theta);
    }
}

TEST_CASE("the rest in closed form agrees with stepping it")
{
    for (float delay : {0.0f, 10.0f}) {
        for (auto scheme : {conductance_lif::integration::euler, conductance_lif::integration::exponential}) {
            CAPTURE(delay);
            const auto fast = train(true, true, delay, scheme);
            const auto reference = train(true, false, delay, scheme);
            std::size_t spikes = 0;
            for (auto c : reference.counts) spikes += c;
            CHECK(spikes > 100);
            // Rounding differs (a power instead of repeated products), so the
            // bits may differ; 40 images are too few for that to change a spike.
            CHECK(fast.counts == reference.counts);
            REQUIRE(fast.weights.size() == reference.weights.size());
            double worst = 0.0;
            for (std::size_t k = 0; k < fast.weights.size(); ++k)
                worst = std::max(worst, double(std::abs(fast.weights[k] - reference.weights[k])));
            CHECK(worst < 1e-5);
            for (std::size_t k = 0; k < fast.theta.size(); ++k) CHECK(fast.theta[k] == doctest::Approx(reference.theta[k]).epsilon(1e-6));
        }
    }
}

}
