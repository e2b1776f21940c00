// SPDX-License-Identifier: MIT
// A user-defined sleep schedule inside the competitive network: the phase
// runs when due, with input following the mean training image, plasticity on,
// and weights relaxing toward the stated baseline afterwards.
#include <doctest/doctest.h>

#include <cmath>

#include <somnus/network/competitive.hpp>

#include "synthetic.hpp"

using namespace somnus;

namespace {

struct every_n_images {
    std::size_t every = 10;
    sleep_phase p{};
    bool due(std::size_t images_seen) const { return images_seen % every == 0; }
    sleep_phase phase() const { return p; }
};
static_assert(sleep_schedule<every_n_images>);

using sleepy_network = competitive_network<conductance_lif, conductance_lif, diehl_cook_triplet, diehl_cook_homeostasis, every_n_images>;

sleepy_network make(const sleep_phase& p)
{
    competitive_config cfg;
    cfg.n_exc = 8;
    cfg.seed = 4;
    return sleepy_network(cfg, conductance_lif(conductance_lif::diehl_cook_excitatory(), cfg.dt_ms),
                          conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms), diehl_cook_triplet{},
                          diehl_cook_homeostasis{}, every_n_images{10, p});
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("sleep phases run when due and change the network; a zero-length phase changes nothing")
{
    const auto data = test::make_bars(10, 3, 5);
    sleep_phase quiet;  // zero duration, no decay
    auto awake = make(quiet);
    sleep_phase p;
    p.duration_ms = 200.0;
    p.input_rate_scale = 1.0f;
    p.excitatory_scale = 1.5f;
    p.inhibitory_scale = 0.5f;
    auto asleep = make(p);
    for (std::size_t k = 0; k < 9; ++k) {
        awake.train(data.image(k));
        asleep.train(data.image(k));
    }
    CHECK(awake.weights() == asleep.weights());  // no phase has been due yet
    awake.train(data.image(9));
    asleep.train(data.image(9));                 // the 10th image triggers the phase
    CHECK(awake.weights() != asleep.weights());
    // The mean image the sleep input follows is the running mean of the training images.
    double mean0 = 0.0;
    for (std::size_t k = 0; k < 10; ++k) mean0 += data.image(k)[300];
    CHECK(asleep.mean_image()[300] == doctest::Approx(mean0 / 10.0).epsilon(1e-5));
}

TEST_CASE("sleep: weights relax toward the baseline at the stated rate")
{
    const auto data = test::make_bars(10, 3, 5);
    sleep_phase p;
    p.duration_ms = 100.0;
    p.input_rate_scale = 0.0f;  // no input: plasticity has nothing to do
    p.weight_decay_to = 0.1f;
    p.weight_decay_rate = 0.01f;  // per ms: keeps e^-1 of the distance after 100 ms
    auto net = make(p);
    for (std::size_t k = 0; k < 9; ++k) net.train(data.image(k));
    auto reference = net;
    reference.train(data.image(9));  // also sleeps, identically up to the decay below
    sleep_phase none = p;
    none.weight_decay_rate = 0.0f;
    auto without_decay = make(none);
    for (std::size_t k = 0; k < 10; ++k) without_decay.train(data.image(k));
    const float w0 = without_decay.weights()(300, 2);
    CHECK(reference.weights()(300, 2) == doctest::Approx(0.1 + (w0 - 0.1) * std::exp(-1.0)).epsilon(1e-5));
}

}
