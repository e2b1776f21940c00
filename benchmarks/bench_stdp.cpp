// SPDX-License-Identifier: MIT
// STDP walks of dense_synapses: a presynaptic spike updates one contiguous
// row of N_post weights (on_pre); a postsynaptic spike one strided column of
// N_pre weights (on_post); plus propagation of a spike (row add) and the
// per-step trace decay. items_per_second = synapses updated per second.
#include <benchmark/benchmark.h>

#include <somnus/core/random.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/plasticity/power_law.hpp>
#include <somnus/synapse/dense.hpp>

using namespace somnus;

namespace {

template <class Rule>
dense_synapses<Rule> make(std::size_t n_pre, std::size_t n_post)
{
    dense_synapses<Rule> syn(n_pre, n_post, Rule{}, 0.5f);
    random_stream r(2, n_pre, n_post);
    for (auto& w : syn.weights()) w = r.uniform(0.0f, 1.0f);
    for (auto& x : syn.pre_traces()) x = r.uniform(0.0f, 1.0f);
    for (auto& x : syn.post_traces()) x = r.uniform(0.0f, 1.0f);
    return syn;
}

// One presynaptic spike per iteration, cycling through the 784 inputs.
template <class Rule, class V>
void row_update(benchmark::State& st)
{
    const auto n_post = static_cast<std::size_t>(st.range(0));
    auto syn = make<Rule>(784, n_post);
    std::uint32_t i = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {i};
        syn.template on_pre_spikes<V>(spike);
        i = (i + 1) % 784;
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_post));
}

// One postsynaptic spike per iteration: a column of 784 weights.
template <class Rule, class V>
void column_update(benchmark::State& st)
{
    const auto n_post = static_cast<std::size_t>(st.range(0));
    auto syn = make<Rule>(784, n_post);
    std::uint32_t j = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {j};
        syn.template on_post_spikes<V>(spike);
        j = static_cast<std::uint32_t>((j + 1) % n_post);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * 784));
}

template <class V>
void propagate_row(benchmark::State& st)
{
    const auto n_post = static_cast<std::size_t>(st.range(0));
    auto syn = make<diehl_cook_triplet>(784, n_post);
    std::vector<float> ge(n_post, 0.0f);
    std::uint32_t i = 0;
    for (auto _ : st) {
        const std::uint32_t spike[] = {i};
        syn.template propagate<V>(spike, ge.data());
        i = (i + 1) % 784;
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_post));
}

template <class V>
void decay_traces(benchmark::State& st)
{
    const auto n_post = static_cast<std::size_t>(st.range(0));
    auto syn = make<diehl_cook_triplet>(784, n_post);
    for (auto _ : st) {
        syn.template decay_traces<V>();
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * (784 + 2 * n_post)));
}

} // namespace

BENCHMARK_TEMPLATE(row_update, diehl_cook_triplet, float)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(row_update, diehl_cook_triplet, simd::batch)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(column_update, diehl_cook_triplet, float)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(column_update, diehl_cook_triplet, simd::batch)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(column_update, power_law, float)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(column_update, power_law, simd::batch)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(propagate_row, float)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(propagate_row, simd::batch)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(decay_traces, float)->RangeMultiplier(4)->Range(100, 6400);
BENCHMARK_TEMPLATE(decay_traces, simd::batch)->RangeMultiplier(4)->Range(100, 6400);

BENCHMARK_MAIN();
