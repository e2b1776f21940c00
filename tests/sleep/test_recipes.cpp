// SPDX-License-Identifier: MIT
// The named recipes of sleep/recipes.hpp, each against what its parts must
// do: the switch freezes exactly what it says; tadros_2019 moves thresholds
// and not weights with its default (STDP off) and restores gains and leak;
// the third-party summary recipe equals one step of normalise -> decay ->
// prune, then the final normalisation, computed by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include <somnus/network/competitive.hpp>
#include <somnus/sleep/recipes.hpp>

#include "../network/synthetic.hpp"

using namespace somnus;

namespace {

competitive_config small(std::size_t n_exc = 8, std::uint64_t seed = 5)
{
    competitive_config c;
    c.n_exc = n_exc;
    c.seed = seed;
    return c;
}

/// A network trained on a few bars, so the mean image is not empty.
diehl_cook_network trained(std::size_t n_exc = 8)
{
    const auto data = test::make_bars(20, 3, 2);
    auto net = make_diehl_cook(small(n_exc));
    for (std::size_t k = 0; k < data.size(); ++k) net.train(data.image(k));
    return net;
}

} // namespace

TEST_SUITE("sleep") {

TEST_CASE("plasticity_switch freezes STDP, thresholds, or both, and nothing else")
{
    for (const bool stdp : {false, true})
        for (const bool homeostasis : {false, true}) {
            CAPTURE(stdp);
            CAPTURE(homeostasis);
            auto net = trained();
            const matrix_f w0 = net.weights();
            const auto theta0 = net.exc_state().theta;
            combine<mean_image_drive, scale_gains, plasticity_switch> m{mean_image_drive{{4.0f, 0}}, scale_gains{{2.0f, 0.0f}},
                                                                        plasticity_switch{{stdp, homeostasis}}};
            const auto r = net.sleep(m, 300.0);
            REQUIRE(r.excitatory_spikes > 0);  // there was activity to learn from
            CHECK((net.weights() != w0) == stdp);
            CHECK((net.exc_state().theta != theta0) == homeostasis);
        }
}

TEST_CASE("tadros_2019: thresholds move, weights do not (default: STDP off); gains and leak restored")
{
    auto net = trained();
    const matrix_f w0 = net.weights();
    const auto theta0 = net.exc_state().theta;
    const auto tau0 = net.exc().parameters().tau_m_ms;
    recipes::tadros_2019_params p;
    auto phase = recipes::tadros_2019(p);
    CHECK(phase.get<1>().p.inhibitory == 0.0f);
    CHECK(phase.get<2>().p.factor == 4.0f);
    const auto r = net.sleep(phase, p.duration_ms);
    CHECK(r.steps == 4000);
    CHECK(r.excitatory_spikes > 0);
    CHECK(net.weights() == w0);
    CHECK(net.exc_state().theta != theta0);
    CHECK(net.exc().parameters().tau_m_ms == tau0);
    // The paper's description, STDP on: the weights move too.
    p.stdp = true;
    auto on = recipes::tadros_2019(p);
    net.sleep(on, 200.0);
    CHECK(net.weights() != w0);
    p.leak = 0.0f;
    CHECK_THROWS_AS(recipes::tadros_2019(p), config_error);
}

TEST_CASE("the third-party summary recipe is normalise, decay 0.99 toward 0.1, prune below 0.01, every step")
{
    auto net = make_diehl_cook(small());
    // Weights spread so that some fall below the floor after the decay.
    random_stream rng(9, stream_purpose::user);
    for (auto& w : net.weights()) w = rng.uniform() < 0.5 ? 0.0f : rng.uniform(0.0f, 1.0f);
    const matrix_f w0 = net.weights();
    const float dt = net.config().dt_ms;
    combine<recipes::summary_phase, plasticity_switch> m{recipes::summary_scale_decay_prune(dt), plasticity_switch{{false, false}}};
    CHECK(m.get<0>().get<1>().p.tau_ms == doctest::Approx(49.7494).epsilon(1e-5));
    net.sleep(m, dt);  // one step
    const std::size_t n_in = w0.shape()[0], n = w0.shape()[1];
    std::size_t pruned = 0;
    for (std::size_t j = 0; j < n; ++j) {
        double l1 = 0.0;
        for (std::size_t i = 0; i < n_in; ++i) l1 += w0(i, j);
        std::vector<double> want(n_in);
        double after = 0.0;
        for (std::size_t i = 0; i < n_in; ++i) {
            const double scaled = w0(i, j) * 78.0 / l1;
            want[i] = 0.1 + (scaled - 0.1) * 0.99;
            if (std::abs(want[i]) < 0.01) {
                want[i] = 0.0;
                ++pruned;
            }
            after += want[i];
        }
        // The phase ends as normalize_weights and prune end: pruned again
        // (nothing new), then normalised once more.
        for (std::size_t i = 0; i < n_in; ++i) REQUIRE(net.weights()(i, j) == doctest::Approx(want[i] * 78.0 / after).epsilon(1e-5));
    }
    CHECK(pruned > 0);  // a zero weight decays to 0.001, below the floor
}

TEST_CASE("synaptic_downscaling and noise_injection are what they say")
{
    auto net = trained();
    const matrix_f w0 = net.weights();
    auto down = recipes::synaptic_downscaling(0.5f);
    net.sleep(down, 1.0);
    for (std::size_t k = 0; k < w0.size(); ++k) REQUIRE(net.weights().data()[k] == w0.data()[k] * 0.5f);
    auto noise = recipes::noise_injection(40.0f);
    const auto r = net.sleep(noise, 100.0);
    // 784 inputs at 40 Hz for 0.1 s: 3136 spikes expected, sd 56.
    CHECK(std::abs(double(r.input_spikes) - 3136.0) < 5.0 * 56.0);
}

}

namespace {
/// A mechanism with a step() that does not declare it leaves weights alone:
/// a phase that includes it keeps the weights row-major throughout.
struct undeclared_step {
    template <class Context>
    void step(Context&)
    {
    }
};
} // namespace

TEST_SUITE("sleep") {

TEST_CASE("sleep with STDP learns in post-major layout with the row-major bits, and only when the phase allows it")
{
    using context = diehl_cook_network::sleep_context_type;
    static_assert(detail::step_leaves_weights<recipes::tadros_2019_phase, context>::value);
    static_assert(!detail::step_leaves_weights<undeclared_step, context>::value);
    static_assert(!detail::step_leaves_weights<combine<recipes::tadros_2019_phase, undeclared_step>, context>::value);
    static_assert(detail::on_spikes_leaves_weights<diehl_cook_homeostasis>::value);

    for (const std::size_t n : {8, 40}) {
        CAPTURE(n);
        recipes::tadros_2019_params p;
        p.stdp = true;
        const auto net = trained(n);
        auto fast = net, reference = net;
        auto phase = recipes::tadros_2019(p);
        combine<recipes::tadros_2019_phase, undeclared_step> row_major(recipes::tadros_2019(p), undeclared_step{});
        const auto a = fast.sleep(phase, 300.0);
        const auto b = reference.sleep(row_major, 300.0);
        CHECK(a.excitatory_spikes == b.excitatory_spikes);
        CHECK(a.excitatory_spikes > 0);
        CHECK(std::vector<float>(fast.weights().begin(), fast.weights().end()) ==
              std::vector<float>(reference.weights().begin(), reference.weights().end()));
        CHECK(std::vector<float>(net.weights().begin(), net.weights().end()) !=
              std::vector<float>(fast.weights().begin(), fast.weights().end()));
        CHECK(fast.exc_state().theta == reference.exc_state().theta);
        CHECK_FALSE(fast.input_synapses().column_major());
        // Both continue alike awake.
        const auto data = test::make_bars(4, 3, 9);
        for (std::size_t k = 0; k < data.size(); ++k) CHECK(fast.train(data.image(k)).spikes == reference.train(data.image(k)).spikes);
        CHECK(std::vector<float>(fast.weights().begin(), fast.weights().end()) ==
              std::vector<float>(reference.weights().begin(), reference.weights().end()));
    }
}

}
