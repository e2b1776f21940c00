// SPDX-License-Identifier: MIT
// Pairwise joint counts of binary spike trains, 784 input trains x N output
// trains (Capozzi et al.'s input/output MI): the plain path counts unpacked
// one-byte bins one by one; the popcount paths AND bit-packed 64-bit words
// and count bits, one word at a time (scalar) or a SIMD batch of words. All
// three give the same counts (tests/entropy). items_per_second = pairs/s.
// Also: the full MI matrix from the counts, and the summed-MI shuffle test.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>
#include <somnus/entropy/spike_trains.hpp>

using namespace somnus;

namespace {

constexpr std::size_t n_inputs = 784;

spike_trains random_trains(std::size_t n, std::size_t bins, double p, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user, n, bins);
    return spike_trains::bernoulli(n, bins, p, rng);
}

// Input trains at ~0.02 spikes/bin (40 Hz at dt 0.5 ms), outputs at 0.05.
struct trains {
    spike_trains x, y;
    trains(std::size_t n_out, std::size_t bins) : x(random_trains(n_inputs, bins, 0.02, 1)), y(random_trains(n_out, bins, 0.05, 2)) {}
};

template <class W>
void joint_counts_popcount(benchmark::State& st)
{
    const auto n_out = static_cast<std::size_t>(st.range(0)), bins = static_cast<std::size_t>(st.range(1));
    const trains t(n_out, bins);
    std::vector<std::uint64_t> out(n_inputs * n_out);
    for (auto _ : st) {
        cooccurrence<W>(t.x, t.y, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_inputs * n_out));
    st.counters["bins"] = double(bins);
}

void joint_counts_plain(benchmark::State& st)
{
    const auto n_out = static_cast<std::size_t>(st.range(0)), bins = static_cast<std::size_t>(st.range(1));
    const trains t(n_out, bins);
    const auto x = t.x.unpack(), y = t.y.unpack();
    std::vector<std::uint64_t> out(n_inputs * n_out);
    for (auto _ : st) {
        cooccurrence_unpacked(x, n_inputs, y, n_out, bins, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_inputs * n_out));
    st.counters["bins"] = double(bins);
}

void mi_matrix_plug_in(benchmark::State& st)
{
    const auto n_out = static_cast<std::size_t>(st.range(0)), bins = static_cast<std::size_t>(st.range(1));
    const trains t(n_out, bins);
    for (auto _ : st) benchmark::DoNotOptimize(mutual_information_matrix(t.x, t.y, plug_in{}));
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_inputs * n_out));
}

// One summed-MI shuffle test per output, 100 surrogates: pairs/s counts
// every input-output pair of every surrogate.
void summed_shuffle(benchmark::State& st)
{
    const auto n_out = static_cast<std::size_t>(st.range(0)), bins = static_cast<std::size_t>(st.range(1));
    const trains t(n_out, bins);
    const shuffle_test_params p{100, 1, 0};
    for (auto _ : st) benchmark::DoNotOptimize(summed_mi_shuffle_test(t.x, t.y, plug_in{}, p));
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n_inputs * n_out * (p.surrogates + 1)));
}

// N = 10, 100, 400 outputs; 700 bins = one 350 ms presentation at dt 0.5 ms,
// 7000 bins = ten of them.
void sizes(benchmark::internal::Benchmark* b)
{
    for (const int n : {10, 100, 400})
        for (const int bins : {700, 7000}) b->Args({n, bins});
}

} // namespace

BENCHMARK(joint_counts_plain)->Apply(sizes);
BENCHMARK_TEMPLATE(joint_counts_popcount, std::uint64_t)->Apply(sizes);
BENCHMARK_TEMPLATE(joint_counts_popcount, simd::word_batch)->Apply(sizes);
BENCHMARK(mi_matrix_plug_in)->Args({100, 700});
BENCHMARK(summed_shuffle)->Args({100, 700});

BENCHMARK_MAIN();
