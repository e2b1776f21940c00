// SPDX-License-Identifier: MIT
// Delays inside dense_synapses (synapse/delay_ring.hpp): a checkpoint taken
// with spikes in flight continues bit for bit, under the section names older
// checkpoints use, and load refuses delays, spikes in flight and trace
// history that no run could have written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <somnus/io/checkpoint.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/plasticity/pair_stdp.hpp>
#include <somnus/synapse/dense.hpp>

#include "../io/scratch.hpp"

using namespace somnus;
using somnus_test::scratch_dir;
using somnus_test::thrown;

namespace {

constexpr std::size_t n_in = 37, n_out = 11;

/// Random spikes of each side, and the whole step: decay, presynaptic, postsynaptic.
struct driver {
    std::mt19937 rng{7};
    std::vector<float> target = std::vector<float>(n_out, 0.0f);

    template <class Syn>
    void step(Syn& syn)
    {
        std::vector<std::uint32_t> pre, post;
        for (std::uint32_t i = 0; i < n_in; ++i)
            if (rng() % 5 == 0) pre.push_back(i);
        for (std::uint32_t j = 0; j < n_out; ++j)
            if (rng() % 7 == 0) post.push_back(j);
        syn.decay_traces();
        syn.presynaptic_step(pre, target.data(), 0.5f, true);
        syn.postsynaptic_step(post);
    }
};

template <class Rule>
dense_synapses<Rule> delayed(Rule rule = {})
{
    dense_synapses<Rule> syn(n_in, n_out, rule, 0.5f);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (auto& w : syn.weights()) w = u(rng);
    std::vector<std::uint8_t> d(n_in * n_out);
    for (auto& x : d) x = static_cast<std::uint8_t>(rng() % 10);
    syn.set_delays(d);
    return syn;
}

bool same_bits(const matrix_f& a, const matrix_f& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// The sections of a pair-STDP layer with delays, each replaceable by a test.
struct sections {
    matrix_f weights = make_matrix(2, 3, 0.5f), pre = make_matrix(1, 2), post = make_matrix(1, 3);
    std::vector<std::uint64_t> delays = {0, 1, 2, 2, 1, 0}, changed = {0, 0, 0}, now = {5};
    matrix_f before = make_matrix(3, 2), after = make_matrix(3, 2);
    std::vector<std::uint64_t> in_flight = {1, 0, 0, 2, 0, 1};  // three slots: {0}, {}, {0, 1}

    void write(const std::filesystem::path& path) const
    {
        checkpoint_writer w;
        w.add("input.weights", weights);
        w.add("input.pre_traces", pre);
        w.add("input.post_traces", post);
        w.add_u64("input.delays", delays);
        w.add_u64("input.changed_columns", changed);
        w.add_u64("input.now", now);
        w.add("input.traces_before", before);
        w.add("input.traces_after", after);
        w.add_u64("input.in_flight", in_flight);
        w.save(path);
    }
};

std::string load_error(const scratch_dir& dir, const sections& s)
{
    const auto path = dir / "crafted.ckpt";
    s.write(path);
    return thrown<data_error>([&] {
        dense_synapses<pair_stdp_all_to_all> syn(2, 3);
        syn.load_from(checkpoint_reader(path), "input.");
    });
}

} // namespace

TEST_SUITE("synapse") {

TEST_CASE("delays: a checkpoint taken with spikes in flight continues bit for bit")
{
    scratch_dir dir("delay-ring");
    auto a = delayed<diehl_cook_triplet>();
    driver da;
    for (int t = 0; t < 23; ++t) da.step(a);
    REQUIRE(a.spikes_in_flight());

    checkpoint_writer w;
    a.save_to(w, "input.");
    w.save(dir / "a.ckpt");
    const checkpoint_reader r(dir / "a.ckpt");
    for (const char* name : {"weights", "pre_traces", "post_traces", "delays", "changed_columns", "now", "traces_before",
                             "traces_after", "in_flight"})
        CHECK_MESSAGE(r.has(std::string("input.") + name), name);

    dense_synapses<diehl_cook_triplet> b(n_in, n_out, diehl_cook_triplet{}, 0.5f);  // no delays until loaded
    b.load_from(r, "input.");
    CHECK(std::ranges::equal(b.delays(), a.delays()));
    CHECK(b.history_steps() == a.history_steps());
    CHECK(b.spikes_in_flight());

    driver db = da;  // the same spikes from here on
    for (int t = 0; t < 30; ++t) {
        da.step(a);
        db.step(b);
    }
    CHECK(same_bits(a.weights(), b.weights()));
    CHECK(same_bits(a.pre_traces(), b.pre_traces()));
    CHECK(same_bits(a.post_traces(), b.post_traces()));
    CHECK(std::memcmp(da.target.data(), db.target.data(), n_out * sizeof(float)) == 0);
}

TEST_CASE("delays: a checkpoint without delays has an empty delays section and switches delays off")
{
    scratch_dir dir("delay-ring");
    dense_synapses<pair_stdp_all_to_all> plain(n_in, n_out);
    checkpoint_writer w;
    plain.save_to(w, "input.");
    w.save(dir / "plain.ckpt");
    const checkpoint_reader r(dir / "plain.ckpt");
    CHECK(r.read_u64("input.delays").empty());
    CHECK(!r.has("input.now"));
    CHECK(!r.has("input.in_flight"));
    auto b = delayed<pair_stdp_all_to_all>();
    REQUIRE(b.has_delays());
    b.load_from(r, "input.");
    CHECK(!b.has_delays());
    CHECK(b.history_steps() == 0);
    CHECK(!b.spikes_in_flight());
}

TEST_CASE("delays: load refuses delays above 255, malformed spikes in flight and a non-finite trace history")
{
    scratch_dir dir("delay-ring");
    {
        const sections good;
        good.write(dir / "good.ckpt");
        dense_synapses<pair_stdp_all_to_all> syn(2, 3);
        syn.load_from(checkpoint_reader(dir / "good.ckpt"), "input.");
        CHECK(syn.history_steps() == 3);
        CHECK(syn.spikes_in_flight());
    }
    sections s;
    s.delays[4] = 300;
    CHECK(somnus_test::contains(load_error(dir, s), "'input.delays' holds a delay of 300 steps"));
    s = {};
    s.delays.pop_back();
    CHECK(somnus_test::contains(load_error(dir, s), "'input.delays' has 5 entries for 6 synapses"));
    s = {};
    s.now = {1, 2};
    CHECK(somnus_test::contains(load_error(dir, s), "'input.now' must hold one value"));
    s = {};
    s.in_flight = {1, 0, 0, 3, 0, 1};  // three spikes promised, two given
    CHECK(somnus_test::contains(load_error(dir, s), "'input.in_flight' is malformed"));
    s = {};
    s.in_flight = {1, 0, 0};  // a slot missing
    CHECK(somnus_test::contains(load_error(dir, s), "'input.in_flight' is malformed"));
    s = {};
    s.in_flight = {1, 2, 0, 0};
    CHECK(somnus_test::contains(load_error(dir, s), "'input.in_flight' names neuron 2"));
    s = {};
    s.in_flight.push_back(0);
    CHECK(somnus_test::contains(load_error(dir, s), "'input.in_flight' has trailing values"));
    s = {};
    s.before(1, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK(somnus_test::contains(load_error(dir, s), "'input.traces_before' holds nan at index 3"));
    s = {};
    s.after(2, 0) = std::numeric_limits<float>::infinity();
    CHECK(somnus_test::contains(load_error(dir, s), "'input.traces_after' holds inf at index 4"));
    s = {};
    s.before = make_matrix(2, 2);  // the history of a shorter ring
    CHECK(somnus_test::contains(load_error(dir, s), "traces_before"));
}

}
