// SPDX-License-Identifier: MIT
// dense_synapses in post-major layout (set_column_major) against the
// row-major paths it stands in for: the same targets, weights, changed
// flags and traces, bit for bit, for event-driven learning and the dense
// reference, with repeated spikes in a step and rows outside the bounds.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/synapse/dense.hpp>

using namespace somnus;

namespace {

struct run_result {
    std::vector<float> weights, targets, pre_traces, post_traces;
    std::vector<std::uint8_t> changed;
};

/// Steps a projection through random input and output spikes; every few
/// steps a weight is pushed outside the bounds (as a normalisation may).
run_result run(std::size_t n_pre, std::size_t n_post, bool column_major, bool event_driven, bool learn, unsigned seed)
{
    dense_synapses<diehl_cook_triplet> syn(n_pre, n_post, diehl_cook_triplet{}, 0.5f, weight_bounds{0.0f, 1.0f});
    syn.set_event_driven(event_driven);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (auto& w : syn.weights()) w = u(rng);
    std::fill(syn.changed_columns().begin(), syn.changed_columns().end(), std::uint8_t{0});
    std::vector<float> target(n_post, 0.0f);
    run_result r;
    std::vector<std::uint32_t> pre, post;
    for (int step = 0; step < 300; ++step) {
        if (step % 37 == 5) {
            // Outside the bounds, written while row-major (weights() flags every column).
            syn.set_column_major(false);
            syn.weights_untracked()(rng() % n_pre, rng() % n_post) = step % 2 == 0 ? 1.5f : -0.25f;
        }
        syn.set_column_major(column_major);
        pre.clear();
        post.clear();
        for (std::uint32_t i = 0; i < n_pre; ++i)
            if (u(rng) < 0.05f) pre.push_back(i);
        if (step % 11 == 3 && !pre.empty()) pre.push_back(pre.front());  // a neuron twice in one step
        for (std::uint32_t j = 0; j < n_post; ++j)
            if (u(rng) < 0.08f) post.push_back(j);
        syn.decay_traces();
        syn.presynaptic_step(pre, target.data(), 0.7f, learn);
        if (learn) syn.postsynaptic_step(post);
    }
    syn.set_column_major(false);
    r.weights.assign(syn.weights_untracked().begin(), syn.weights_untracked().end());
    r.targets = target;
    r.pre_traces.assign(syn.pre_traces().begin(), syn.pre_traces().end());
    r.post_traces.assign(syn.post_traces().begin(), syn.post_traces().end());
    r.changed.assign(syn.changed_columns().begin(), syn.changed_columns().end());
    return r;
}

} // namespace

TEST_SUITE("synapse") {

TEST_CASE("post-major layout gives the row-major paths' bits")
{
    for (const auto& [n_pre, n_post] : {std::pair<std::size_t, std::size_t>{20, 7}, {50, 33}, {64, 100}})
        for (const bool event_driven : {true, false})
            for (const bool learn : {true, false}) {
                CAPTURE(n_pre);
                CAPTURE(n_post);
                CAPTURE(event_driven);
                CAPTURE(learn);
                const auto rows = run(n_pre, n_post, false, event_driven, learn, 7);
                const auto cols = run(n_pre, n_post, true, event_driven, learn, 7);
                CHECK(rows.weights == cols.weights);
                CHECK(rows.targets == cols.targets);
                CHECK(rows.changed == cols.changed);
                CHECK(rows.pre_traces == cols.pre_traces);
                CHECK(rows.post_traces == cols.post_traces);
                // The run did learn and transmit (the comparison is not of two idle runs).
                if (learn) CHECK(std::count(rows.changed.begin(), rows.changed.end(), std::uint8_t{1}) > 0);
                CHECK(rows.targets[0] > 0.0f);
            }
}

TEST_CASE("post-major layout: switching keeps the weights and refuses delays and saving")
{
    dense_synapses<diehl_cook_triplet> syn(9, 5);
    for (std::size_t k = 0; k < syn.weights().size(); ++k) syn.weights().data()[k] = float(k) / 64.0f;
    const std::vector<float> before(syn.weights().begin(), syn.weights().end());
    CHECK(syn.set_column_major(true));
    CHECK(syn.column_major());
    checkpoint_writer w;
    CHECK_THROWS_WITH_AS(syn.save_to(w, "x."), doctest::Contains("post-major"), config_error);
    CHECK(syn.set_column_major(false));
    CHECK(std::vector<float>(syn.weights().begin(), syn.weights().end()) == before);
    syn.set_delays(std::vector<std::uint8_t>(45, 1));
    CHECK_FALSE(syn.set_column_major(true));
    CHECK_FALSE(syn.column_major());
}

}
