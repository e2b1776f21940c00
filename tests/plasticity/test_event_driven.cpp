// SPDX-License-Identifier: MIT
// The event-driven presynaptic path (on_pre only onto recently active
// neurons, one pass per row) gives the same bits as the dense reference, and
// the rules that claim on_pre_needs_post_trace keep that promise.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/plasticity/pair_stdp.hpp>
#include <somnus/plasticity/power_law.hpp>
#include <somnus/synapse/dense.hpp>

using namespace somnus;

TEST_SUITE("plasticity") {

TEST_CASE_TEMPLATE("rules declaring on_pre_needs_post_trace return exactly zero without post traces", R, pair_stdp_all_to_all,
                   pair_stdp_nearest, diehl_cook_triplet, power_law)
{
    static_assert(on_pre_needs_post_trace<R>);
    const R rule{};
    constexpr std::size_t P = detail::pre_trace_count<R>::value, Q = detail::post_trace_count<R>::value;
    random_stream rng(1);
    for (int k = 0; k < 1000; ++k) {
        traces<float, P> pre{};
        for (auto& x : pre) x = rng.uniform(0.0f, 5.0f);
        const traces<float, Q> post{};
        const float w = rng.uniform(-0.5f, 1.5f);
        const float d = rule.template on_pre<float>(w, pre, post);
        CHECK(d == 0.0f);
        CHECK(w + d == w);
    }
}

TEST_CASE_TEMPLATE("event-driven presynaptic learning equals the dense reference bit for bit", R, pair_stdp_all_to_all,
                   pair_stdp_nearest, diehl_cook_triplet, power_law)
{
    for (std::size_t n_post : {std::size_t(1), std::size_t(7), std::size_t(33), std::size_t(130)}) {
        CAPTURE(n_post);
        const std::size_t n_pre = 50;
        dense_synapses<R> sparse(n_pre, n_post, R{}, 0.5f);
        random_stream rng(11, n_post);
        // Some weights outside [0, 1], as a normalisation can leave them:
        // both paths must clip them at the same moment.
        for (auto& w : sparse.weights()) w = rng.uniform(-0.1f, 1.2f);
        auto dense = sparse;
        dense.set_event_driven(false);
        REQUIRE(sparse.event_driven());
        std::vector<float> ge_sparse(n_post, 0.0f), ge_dense(n_post, 0.0f);
        std::vector<std::uint32_t> pre, post;
        std::size_t active_seen = 0;
        for (int t = 0; t < 3000; ++t) {
            sparse.decay_traces();
            dense.decay_traces();
            pre.clear();
            post.clear();
            for (std::uint32_t i = 0; i < n_pre; ++i)
                if (rng.uniform() < 0.02f) pre.push_back(i);
            // Post spikes in bursts, with long silences so traces reach the floor.
            if (t % 1500 < 60)
                for (std::uint32_t j = 0; j < n_post; ++j)
                    if (rng.uniform() < 0.03f) post.push_back(j);
            sparse.presynaptic_step(pre, ge_sparse.data(), 0.5f, true);
            dense.presynaptic_step(pre, ge_dense.data(), 0.5f, true);
            sparse.postsynaptic_step(post);
            dense.postsynaptic_step(post);
            active_seen = std::max(active_seen, sparse.active_post().size());
            REQUIRE(ge_sparse == ge_dense);
        }
        CHECK(sparse.weights() == dense.weights());
        CHECK(sparse.pre_traces() == dense.pre_traces());
        CHECK(sparse.post_traces() == dense.post_traces());
        if constexpr (detail::post_trace_count<R>::value > 0) {
            CHECK(active_seen > 0);
            // The long silence at the end lets every trace fall below the floor.
            CHECK(sparse.active_post().empty());
        }
    }
}

TEST_CASE("traces fall to zero below the floor, and the active list follows")
{
    dense_synapses<diehl_cook_triplet> syn(2, 4, diehl_cook_triplet{}, 0.5f);
    const std::uint32_t j[] = {1, 3};
    syn.postsynaptic_step(j);
    CHECK(syn.active_post().size() == 2);
    // post2 (tau 40 ms, set to 1) falls below 1e-6 after 40 ln(1e6) = 552.6 ms.
    int steps = 0;
    while (!syn.active_post().empty() && steps < 10000) {
        syn.decay_traces();
        ++steps;
    }
    CHECK(steps >= 1105);
    CHECK(steps <= 1107);
    CHECK(syn.post_traces()(1, 1) == 0.0f);
    syn.set_trace_floor(0.0f);
    CHECK_THROWS_AS(syn.set_trace_floor(1.0f), config_error);
}

}
