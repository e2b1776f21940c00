// SPDX-License-Identifier: MIT
// Networks from parts: the sparse plastic projection's walks (a presynaptic
// spike updates its row's existing synapses, a postsynaptic spike its
// column's), against dense_synapses' full row and column of the same
// shape; and one whole training step of the competitive network and of the
// recurrent network built on it, with 784 Poisson inputs firing at about
// 20 Hz; and Massey et al. 2026's network (network/massey.hpp): one
// training step (noise and learning on), one frozen step (the test: noise
// and learning off), one sleep step (their phase: noise, STDP and the decay
// of every synapse), each after 35 training images of random blobs so the
// activity is a trained network's, and its timing rule's walks, scalar
// against SIMD. items_per_second: synapses updated per second (walks),
// simulated steps per second (network steps).
#include <benchmark/benchmark.h>

#include <somnus/core/random.hpp>
#include <somnus/network/massey.hpp>
#include <somnus/network/recurrent.hpp>
#include <somnus/sleep/recipes.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/synapse/dense.hpp>
#include <somnus/synapse/sparse.hpp>

using namespace somnus;

namespace {

template <class Syn>
void fill(Syn& syn, random_stream& r)
{
    for (auto& x : syn.pre_traces()) x = r.uniform(0.0f, 1.0f);
    for (auto& x : syn.post_traces()) x = r.uniform(0.0f, 1.0f);
    syn.traces_changed();
}

// Recurrent N x N at connection probability 0.1: one presynaptic spike per iteration.
void sparse_row(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    sparse_synapses<diehl_cook_triplet> syn(n, n, {}, 0.5f, {}, {0.1f, false, 3});
    random_stream r(4, stream_purpose::user);
    syn.initialise_uniform(0.0f, 1.0f, r);
    fill(syn, r);
    std::vector<float> target(n, 0.0f);
    std::uint32_t i = 0;
    std::size_t walked = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {i};
        syn.presynaptic_step(spike, target.data(), 1.0f, true);
        walked += syn.targets(i).size();
        i = static_cast<std::uint32_t>((i + 1) % n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(walked));
}

void sparse_column(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    sparse_synapses<diehl_cook_triplet> syn(n, n, {}, 0.5f, {}, {0.1f, false, 3});
    random_stream r(4, stream_purpose::user);
    syn.initialise_uniform(0.0f, 1.0f, r);
    fill(syn, r);
    std::uint32_t j = 0;
    std::size_t walked = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {j};
        syn.postsynaptic_step(spike);
        walked += syn.sources(j).size();
        j = static_cast<std::uint32_t>((j + 1) % n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(walked));
}

// The same N x N shape, all-to-all.
void dense_row(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    dense_synapses<diehl_cook_triplet> syn(n, n, {}, 0.5f);
    random_stream r(4, stream_purpose::user);
    for (auto& w : syn.weights()) w = r.uniform(0.0f, 1.0f);
    fill(syn, r);
    std::vector<float> target(n, 0.0f);
    std::uint32_t i = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {i};
        syn.presynaptic_step(spike, target.data(), 1.0f, true);
        i = static_cast<std::uint32_t>((i + 1) % n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
}

void dense_column(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    dense_synapses<diehl_cook_triplet> syn(n, n, {}, 0.5f);
    random_stream r(4, stream_purpose::user);
    for (auto& w : syn.weights()) w = r.uniform(0.0f, 1.0f);
    fill(syn, r);
    std::uint32_t j = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {j};
        syn.postsynaptic_step(spike);
        j = static_cast<std::uint32_t>((j + 1) % n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
}

// One plastic step of a whole network on random input (1 % of the inputs per 0.5 ms step).
template <class Network>
void network_step(benchmark::State& st, Network net)
{
    random_stream r(9, stream_purpose::user);
    std::vector<std::vector<std::uint32_t>> inputs(256);
    for (auto& in : inputs)
        for (std::uint32_t i = 0; i < 784; ++i)
            if (r.uniform() < 0.01) in.push_back(i);
    std::size_t t = 0;
    for (auto _ : st) {
        net.step(inputs[t++ % inputs.size()], true);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

competitive_config config(std::size_t n)
{
    competitive_config c;
    c.n_exc = n;
    return c;
}

void competitive_step(benchmark::State& st) { network_step(st, make_diehl_cook(config(static_cast<std::size_t>(st.range(0))))); }
void recurrent_step(benchmark::State& st) { network_step(st, make_recurrent(config(static_cast<std::size_t>(st.range(0))))); }

} // namespace

// A Massey network after 35 images (one sleep period of theirs) of random blobs.
massey_network<> warmed_massey()
{
    massey_config cfg;
    cfg.seed = 7;
    auto net = make_massey(cfg);
    std::vector<float> rates(225);
    std::vector<std::uint8_t> image(225);
    poisson_encoder enc(225, 1.0f);
    for (std::uint64_t k = 0; k < 35; ++k) {
        random_stream r(9, k);
        std::fill(image.begin(), image.end(), 0);
        for (std::size_t y = 3; y < 12; ++y)
            for (std::size_t x = 3; x < 12; ++x)
                if (r.uniform() < 0.45) image[y * 15 + x] = static_cast<std::uint8_t>(80 + r.below(176));
        massey_input_rates(cfg, image, rates);
        enc.begin(rates, 1000, r);
        net.train(enc, 1000, k);
    }
    return net;
}

// One step of the network through the presentation protocol: learning and
// noise on (arg 1, training) or off (arg 0, the test).
void massey_step(benchmark::State& st)
{
    const bool training = st.range(0) != 0;
    auto net = warmed_massey();
    net.set_noise(training);
    std::vector<float> rates(225, 100.0f);  // 0.1 spikes per input per step, their mean
    poisson_encoder enc(225, 1.0f);
    random_stream r(3);
    enc.begin(rates, 1000, r);
    std::uint64_t key = 0;
    for (auto _ : st) {
        if (training) net.train(enc, 1000, key++);
        else net.respond(enc, 1000, key++);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * 1000);
}

// Their sleep phase, 1 000 steps at a time (no early stop).
void massey_sleep_step(benchmark::State& st)
{
    auto net = warmed_massey();
    auto phase = recipes::massey_2026(-1.0, -1.0);
    for (auto _ : st) net.sleep(phase, 1000.0);
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * 1000);
}

// The timing rule's walks on the warmed E -> E projection: every
// excitatory neuron's row and sources as if all had fired, scalar (arg 0)
// or SIMD (arg 1). Ages from the warmed network.
void massey_walks(benchmark::State& st)
{
    auto net = warmed_massey();
    auto proj = net.exc_to_exc();
    std::vector<std::uint32_t> all(200);
    for (std::uint32_t i = 0; i < 200; ++i) all[i] = i;
    std::vector<std::int32_t> none(200, 0);
    const auto ages = net.exc_ages();
    std::vector<std::int32_t> age(ages.begin(), ages.end());
    for (auto _ : st) {
        if (st.range(0) != 0) proj.learn<simd::batch>(all, none, all, age, age);
        else proj.learn<float>(all, none, all, age, age);
        proj.clip();
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * 2 * proj.size()));
}

BENCHMARK(sparse_row)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(dense_row)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(sparse_column)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(dense_column)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(competitive_step)->Arg(100)->Arg(400)->Arg(1600);
BENCHMARK(recurrent_step)->Arg(100)->Arg(400)->Arg(1600);
BENCHMARK(massey_step)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(massey_sleep_step)->Unit(benchmark::kMillisecond);
BENCHMARK(massey_walks)->Arg(0)->Arg(1);
BENCHMARK_MAIN();
