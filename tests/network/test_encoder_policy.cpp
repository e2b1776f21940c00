// SPDX-License-Identifier: MIT
// The network's input encoder is a policy: a recorded input raster replayed
// through the network's public API gives the very spikes, weights and
// thresholds of the presentation it was recorded from, and a user encoder
// type can replace the Poisson one.
#include <doctest/doctest.h>

#include <somnus/encoding/replay.hpp>
#include <somnus/network/competitive.hpp>

#include "synthetic.hpp"

using namespace somnus;

namespace {

/// A rate encoder that fires every input whose rate is positive at every
/// k-th step: a deterministic stand-in, to show the type is a policy.
struct clockwork_encoder {
    clockwork_encoder(std::size_t n, float) : n_(n) {}
    std::size_t size() const { return n_; }
    void begin(std::span<const float> rates_hz, std::uint32_t, random_stream&)
    {
        active_.clear();
        for (std::size_t i = 0; i < rates_hz.size(); ++i)
            if (rates_hz[i] > 0.0f) active_.push_back(static_cast<std::uint32_t>(i));
    }
    void emit(std::uint32_t step, spike_list& out) const
    {
        if (step % 20 == 0) out.insert(out.end(), active_.begin(), active_.end());
    }
    std::size_t n_;
    std::vector<std::uint32_t> active_;
};

} // namespace

TEST_SUITE("network") {

TEST_CASE("a recorded input raster replayed through train(source, steps) reproduces the presentation")
{
    const auto data = test::make_bars(6, 3, 17);
    competitive_config cfg;
    cfg.n_exc = 8;
    cfg.seed = 4;
    cfg.input_delay_max_ms = 5.0f;  // spikes in flight across the rest, too
    auto recorded = make_diehl_cook(cfg);
    auto replayed = make_diehl_cook(cfg);
    spike_raster raster;
    const auto steps = static_cast<std::uint32_t>(std::lround(cfg.present_ms / cfg.dt_ms));
    for (std::size_t k = 0; k < data.size(); ++k) {
        recorded.record_into(&raster);
        const auto p = recorded.train(data.image(k));
        recorded.record_into(nullptr);
        REQUIRE(p.repeats == 0);  // one showing, so the raster is the whole input
        replay_encoder source(cfg.n_input);
        source.begin(raster.input);
        spike_raster again;
        replayed.record_into(&again);
        const auto q = replayed.train(source, steps);
        replayed.record_into(nullptr);
        CHECK(q.spikes == p.spikes);
        CHECK(again.excitatory == raster.excitatory);
        CHECK(again.inhibitory == raster.inhibitory);
        CHECK(again.input == raster.input);
    }
    CHECK(replayed.weights() == recorded.weights());
    CHECK(replayed.exc_state().theta == recorded.exc_state().theta);
    CHECK(replayed.images_seen() == 0);  // a raster is not an image
    CHECK(recorded.images_seen() == data.size());

    // Evaluation from a raster starts from rest and learns nothing.
    replay_encoder source(cfg.n_input);
    source.begin(raster.input);
    const matrix_f before = replayed.weights();
    replayed.evaluate(source, steps);
    CHECK(replayed.weights() == before);
}

TEST_CASE("the encoder type is a template parameter of the network")
{
    using clockwork_network =
        competitive_network<conductance_lif, conductance_lif, diehl_cook_triplet, diehl_cook_homeostasis, clockwork_encoder>;
    static_assert(rate_encoder<clockwork_encoder>);
    competitive_config cfg;
    cfg.n_exc = 4;
    clockwork_network net(cfg, conductance_lif(conductance_lif::diehl_cook_excitatory(), cfg.dt_ms),
                          conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms));
    const auto data = test::make_bars(1, 3, 2);
    spike_raster raster;
    net.record_into(&raster);
    net.train(data.image(0));
    REQUIRE(!raster.input.empty());
    for (const auto& e : raster.input) CHECK(e.step % 20 == 0);

    replay_encoder wrong_size(100);
    CHECK_THROWS_AS(net.train(wrong_size, 10), config_error);
}

}
