// SPDX-License-Identifier: MIT
// The topology docs/guide.md shows ("Networks from parts"), extracted from
// the guide by tests/CMakeLists.txt: it is a network_topology, trains,
// evaluates, sleeps with the sparse input's absent synapses left at zero,
// and its checkpoints continue exactly.
#include <doctest/doctest.h>

#include "guide_sparse_input_network.hpp"
#include "../io/scratch.hpp"
#include "synthetic.hpp"

using namespace somnus;

static_assert(network_topology<sparse_input_network<>>);

TEST_SUITE("network") {

TEST_CASE("the guide's sparse-input topology trains, sleeps and resumes through the shared protocol")
{
    const auto data = test::make_bars(30, 3, 4);
    competitive_config cfg;
    cfg.n_exc = 8;
    cfg.seed = 5;
    cfg.present_ms = 100.0f;
    cfg.rest_ms = 50.0f;
    sparse_input_network<> net(cfg);
    const auto& in = std::get<0>(net.parts().projections).proj;
    const double density = double(in.n_synapses()) / double(784 * 8);
    CHECK(density > 0.15);
    CHECK(density < 0.25);

    std::uint64_t spikes = 0;
    for (std::size_t k = 0; k < 15; ++k) spikes += net.train(data.image(k)).spikes;
    CHECK(spikes > 0);
    CHECK(net.images_seen() == 15);
    const auto absent_zero = [&] {
        for (std::size_t k = 0; k < in.weights().size(); ++k)
            if (in.connected()[k] == 0 && in.weights().data()[k] != 0.0f) return false;
        return true;
    };
    CHECK(absent_zero());

    combine<mean_image_drive, stochastic_decay> phase;
    phase.get<1>().p = {0.1f, 100.0f, 0.05f, 10.0f};
    const auto report = net.sleep(phase, 200.0);
    CHECK(report.input_spikes > 0);
    CHECK(absent_zero());

    somnus_test::scratch_dir dir("guide");
    net.save(dir.path() / "net.ckpt");
    sparse_input_network<> resumed(cfg);
    resumed.load(dir.path() / "net.ckpt");
    for (std::size_t k = 15; k < 30; ++k) {
        net.train(data.image(k));
        resumed.train(data.image(k));
    }
    CHECK(std::get<0>(net.parts().projections).proj.weights() == std::get<0>(resumed.parts().projections).proj.weights());
    CHECK(net.parts().readout.state.theta == resumed.parts().readout.state.theta);
    const auto a = evaluate_counts(net, data.pixels, 0, 10, image_set::test, 2);
    const auto b = evaluate_counts(resumed, data.pixels, 0, 10, image_set::test, 1);
    CHECK(a == b);
}

}
