// SPDX-License-Identifier: MIT
// Plasticity rules inside dense_synapses: the weight change of isolated spike
// pairs and triplets against the trace formulas, clipping, and the SIMD row
// and column walks against the scalar reference.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/plasticity/pair_stdp.hpp>
#include <somnus/plasticity/power_law.hpp>
#include <somnus/synapse/dense.hpp>

using namespace somnus;

namespace {

constexpr float dt = 0.5f;

/// One synapse; pre fires at the steps in `pre`, post at the steps in `post`.
/// Per step: traces decay, then pre spikes learn, then post spikes learn.
template <class Rule>
float single_synapse(Rule rule, float w0, const std::vector<int>& pre, const std::vector<int>& post, int steps)
{
    dense_synapses<Rule> syn(1, 1, rule, dt);
    syn.weights()(0, 0) = w0;
    const std::uint32_t zero[1] = {0};
    for (int t = 0; t < steps; ++t) {
        syn.decay_traces();
        if (std::find(pre.begin(), pre.end(), t) != pre.end()) syn.on_pre_spikes(zero);
        if (std::find(post.begin(), post.end(), t) != post.end()) syn.on_post_spikes(zero);
    }
    return syn.weights()(0, 0);
}

} // namespace

TEST_SUITE("plasticity") {

TEST_CASE("pair STDP: isolated pairs follow the exponential window")
{
    const pair_stdp_all_to_all rule{};
    for (int k : {1, 4, 10, 40, 100}) {
        CAPTURE(k);
        const double lag_ms = k * dt;
        // pre then post: potentiation a_plus exp(-lag/tau_plus)
        const float ltp = single_synapse(rule, 0.5f, {5}, {5 + k}, 5 + k + 1);
        CHECK(ltp - 0.5f == doctest::Approx(0.005 * std::exp(-lag_ms / 20.0)).epsilon(1e-4));
        // post then pre: depression a_minus exp(-lag/tau_minus)
        const float ltd = single_synapse(rule, 0.5f, {5 + k}, {5}, 5 + k + 1);
        CHECK(0.5f - ltd == doctest::Approx(0.00525 * std::exp(-lag_ms / 20.0)).epsilon(1e-4));
    }
    // Simultaneous: pre is handled first and sees no post trace; post then sees pre = 1.
    CHECK(single_synapse(rule, 0.5f, {3}, {3}, 4) - 0.5f == doctest::Approx(0.005).epsilon(1e-5));
}

TEST_CASE("pair STDP: all-to-all sums earlier spikes, nearest-spike keeps the latest")
{
    // pre at 0 and 10, post at 20 (steps): traces e^-(20 dt/tau) + e^-(10 dt/tau) vs e^-(10 dt/tau)
    const double a = std::exp(-20 * dt / 20.0), b = std::exp(-10 * dt / 20.0);
    const float all = single_synapse(pair_stdp_all_to_all{}, 0.5f, {0, 10}, {20}, 21);
    const float nearest = single_synapse(pair_stdp_nearest{}, 0.5f, {0, 10}, {20}, 21);
    CHECK(all - 0.5f == doctest::Approx(0.005 * (a + b)).epsilon(1e-4));
    CHECK(nearest - 0.5f == doctest::Approx(0.005 * b).epsilon(1e-4));
}

TEST_CASE("Diehl & Cook triplet: post-pre-post by hand")
{
    // post at 0, pre at 10, post at 30 (steps of 0.5 ms)
    const diehl_cook_triplet rule{};
    const float w = single_synapse(rule, 0.5f, {10}, {0, 30}, 31);
    const double post1_at_pre = std::exp(-10 * dt / 20.0);   // depression on the pre spike
    const double pre_at_post = std::exp(-20 * dt / 20.0);    // pre trace at the second post spike
    const double post2_before = std::exp(-30 * dt / 40.0);   // post2 before the second post spike
    const double expected = 0.5 - 0.0001 * post1_at_pre + 0.01 * pre_at_post * post2_before;
    CHECK(w == doctest::Approx(expected).epsilon(1e-6));
    // The first post spike alone changes nothing (post2 is 0 before it).
    CHECK(single_synapse(rule, 0.5f, {0}, {10}, 11) == doctest::Approx(0.5f));
}

TEST_CASE("power law: dw = eta (x_pre - x_tar) (w_max - w)^mu")
{
    const power_law rule{};
    for (float w0 : {0.0f, 0.3f, 0.9f}) {
        for (int k : {2, 20, 200}) {
            CAPTURE(w0);
            CAPTURE(k);
            const double x = std::exp(-k * dt / 20.0);
            const double expected = w0 + 0.01 * (x - 0.4) * std::pow(1.0 - w0, 0.2);
            CHECK(single_synapse(rule, w0, {0}, {k}, k + 1) == doctest::Approx(std::clamp(expected, 0.0, 1.0)).epsilon(1e-5));
        }
    }
}

TEST_CASE("weights stay within bounds")
{
    pair_stdp_all_to_all rule{};
    rule.p.a_plus = 0.5f;
    rule.p.a_minus = 0.5f;
    CHECK(single_synapse(rule, 0.9f, {0, 1, 2}, {3, 4, 5}, 6) == 1.0f);
    CHECK(single_synapse(rule, 0.1f, {3, 4, 5}, {0, 1, 2}, 6) == 0.0f);
}

TEST_CASE("propagate adds each spiking row, scaled")
{
    dense_synapses<pair_stdp_all_to_all> syn(3, 5);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 5; ++j) syn.weights()(i, j) = float(10 * i + j);
    std::vector<float> target(5, 1.0f);
    const std::uint32_t spikes[] = {0, 2};
    syn.propagate(spikes, target.data(), 0.5f);
    for (std::size_t j = 0; j < 5; ++j) CHECK(target[j] == doctest::Approx(1.0 + 0.5 * (j + 20.0 + j)));
}

TEST_CASE_TEMPLATE("SIMD row and column updates equal the scalar reference", R, pair_stdp_all_to_all, pair_stdp_nearest,
                   diehl_cook_triplet, power_law)
{
    for (std::size_t n_pre : {std::size_t(1), std::size_t(13), std::size_t(100)}) {
        for (std::size_t n_post : {std::size_t(1), std::size_t(7), std::size_t(17), std::size_t(64), std::size_t(101)}) {
            CAPTURE(n_pre);
            CAPTURE(n_post);
            dense_synapses<R> a(n_pre, n_post, R{}, dt);
            random_stream rng(7, n_pre, n_post);
            for (auto& w : a.weights()) w = rng.uniform(0.0f, 1.0f);
            for (auto& x : a.pre_traces()) x = rng.uniform(0.0f, 2.0f);
            for (auto& x : a.post_traces()) x = rng.uniform(0.0f, 2.0f);
            auto b = a;
            std::vector<std::uint32_t> pre, post;
            for (std::uint32_t i = 0; i < n_pre; i += 3) pre.push_back(i);
            for (std::uint32_t j = 0; j < n_post; j += 2) post.push_back(j);
            for (int rep = 0; rep < 3; ++rep) {
                a.template decay_traces<float>();
                b.template decay_traces<simd::batch>();
                a.template on_pre_spikes<float>(pre);
                b.template on_pre_spikes<simd::batch>(pre);
                a.template on_post_spikes<float>(post);
                b.template on_post_spikes<simd::batch>(post);
            }
            CHECK(a.pre_traces() == b.pre_traces());
            CHECK(a.post_traces() == b.post_traces());
            const auto& wa = a.weights();
            const auto& wb = b.weights();
            if constexpr (std::is_same_v<R, power_law>) {
                // pow() differs in the last bits between xsimd and libm.
                for (std::size_t k = 0; k < wa.size(); ++k) CHECK(wb.data()[k] == doctest::Approx(wa.data()[k]).epsilon(1e-5));
            } else {
                CHECK(wa == wb);
            }
        }
    }
}

TEST_CASE("trace decay in closed form equals stepping")
{
    dense_synapses<diehl_cook_triplet> a(4, 3);
    a.pre_traces().fill(1.0f);
    a.post_traces().fill(1.0f);
    auto b = a;
    for (int k = 0; k < 300; ++k) a.decay_traces();
    b.decay_traces(150.0);
    for (std::size_t k = 0; k < a.pre_traces().size(); ++k)
        CHECK(b.pre_traces().data()[k] == doctest::Approx(a.pre_traces().data()[k]).epsilon(1e-4));
    CHECK(b.post_traces()(1, 0) == doctest::Approx(std::exp(-150.0 / 40.0)).epsilon(1e-5));
}

}

TEST_SUITE("plasticity") {

TEST_CASE("delays: a spike arrives d steps later, depresses then, and potentiation sees the delayed trace")
{
    // 1 input -> 2 outputs, delays 3 and 7 steps; pair STDP (on_pre uses the
    // post trace, on_post the pre trace) so both sides of the rule show.
    dense_synapses<pair_stdp_all_to_all> syn(1, 2, pair_stdp_all_to_all{}, dt);
    syn.weights().fill(0.5f);
    const std::uint8_t delays[] = {3, 7};
    syn.set_delays(delays);
    REQUIRE(syn.has_delays());
    std::vector<float> target(2, 0.0f);
    const std::uint32_t pre[] = {0};
    const std::uint32_t post0[] = {0};
    std::vector<float> received_at(2, -1.0f);
    // post neuron 0 fires at step 1 (before the spike arrives at step 3): its
    // trace is then e^-(2 dt/tau) at arrival, which depresses synapse 0.
    // post neuron 0 fires again at step 10: synapse 0 saw the spike arrive at
    // step 3, so potentiation uses e^-(7 dt / tau_plus).
    for (int t = 0; t <= 12; ++t) {
        syn.decay_traces();
        std::fill(target.begin(), target.end(), 0.0f);
        syn.presynaptic_step(t == 0 ? std::span<const std::uint32_t>(pre) : std::span<const std::uint32_t>{}, target.data(),
                             1.0f, true);
        for (int j = 0; j < 2; ++j)
            if (target[std::size_t(j)] != 0.0f) received_at[std::size_t(j)] = float(t);
        if (t == 1 || t == 10) syn.postsynaptic_step(post0);
    }
    CHECK(received_at[0] == 3.0f);
    CHECK(received_at[1] == 7.0f);
    const double depression = 0.00525 * std::exp(-2 * dt / 20.0);
    const double potentiation = 0.005 * std::exp(-7 * dt / 20.0);
    CHECK(syn.weights()(0, 0) == doctest::Approx(0.5 - depression + potentiation).epsilon(1e-6));
    // Synapse 1 never saw a post spike of its own neuron.
    CHECK(syn.weights()(0, 1) == doctest::Approx(0.5f));
}

TEST_CASE("delays: a post spike before the spike has arrived does not potentiate")
{
    dense_synapses<pair_stdp_all_to_all> syn(1, 1, pair_stdp_all_to_all{}, dt);
    syn.weights().fill(0.5f);
    const std::uint8_t delays[] = {6};
    syn.set_delays(delays);
    std::vector<float> target(1, 0.0f);
    const std::uint32_t one[] = {0};
    for (int t = 0; t <= 4; ++t) {
        syn.decay_traces();
        syn.presynaptic_step(t == 0 ? std::span<const std::uint32_t>(one) : std::span<const std::uint32_t>{}, target.data(), 1.0f, true);
        if (t == 4) syn.postsynaptic_step(one);
    }
    CHECK(syn.weights()(0, 0) == 0.5f);
    CHECK(target[0] == 0.0f);
    const std::uint8_t none[] = {0};
    syn.set_delays(none);
    CHECK(!syn.has_delays());
}

}
