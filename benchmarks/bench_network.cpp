// SPDX-License-Identifier: MIT
// Networks from parts: the sparse plastic projection's walks (a presynaptic
// spike updates its row's existing synapses, a postsynaptic spike its
// column's), against dense_synapses' full row and column of the same
// shape; and one whole training step of the competitive network and of the
// recurrent network built on it, with 784 Poisson inputs firing at about
// 20 Hz. items_per_second: synapses updated per second (walks), simulated
// steps per second (network steps).
#include <benchmark/benchmark.h>

#include <somnus/core/random.hpp>
#include <somnus/network/recurrent.hpp>
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

BENCHMARK(sparse_row)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(dense_row)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(sparse_column)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(dense_column)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK(competitive_step)->Arg(100)->Arg(400)->Arg(1600);
BENCHMARK(recurrent_step)->Arg(100)->Arg(400)->Arg(1600);
BENCHMARK_MAIN();
