// SPDX-License-Identifier: MIT
// The machine's own bandwidth, measured the way the neuron kernels use it, so
// kernel throughput can be stated as a fraction of what the caches and
// memory deliver. For N elements per array:
//   read_only   sum 5 arrays                     (20 B per element)
//   read5_write4 load 5 arrays, store 4 of them  (36 B per element; the
//                access pattern of the Diehl & Cook excitatory update)
//   triad       a = b + s c                      (12 B per element)
// bytes_per_second counts bytes the program reads and writes (not the extra
// line fills a write-allocate cache adds).
#include <benchmark/benchmark.h>

#include <vector>

#include <somnus/core/simd.hpp>

using namespace somnus;

namespace {

struct arrays {
    explicit arrays(std::size_t n) : a(n, 1.0f), b(n, 2.0f), c(n, 3.0f), d(n, 4.0f), e(n, 5.0f) {}
    std::vector<float> a, b, c, d, e;
};

void read_only(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    arrays x(n);
    for (auto _ : st) {
        simd::batch acc(0.0f);
        float tail = 0.0f;
        simd::for_each<simd::batch>(n, [&](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L s = simd::load<L>(&x.a[i]) + simd::load<L>(&x.b[i]) + simd::load<L>(&x.c[i]) +
                        simd::load<L>(&x.d[i]) + simd::load<L>(&x.e[i]);
            if constexpr (simd::is_batch<L>) acc += s;
            else tail += s;
        });
        benchmark::DoNotOptimize(acc);
        benchmark::DoNotOptimize(tail);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 20));
}

void read5_write4(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    arrays x(n);
    for (auto _ : st) {
        simd::for_each<simd::batch>(n, [&](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L e = simd::load<L>(&x.e[i]);
            simd::store(&x.a[i], simd::load<L>(&x.a[i]) * L(0.999f) + e);
            simd::store(&x.b[i], simd::load<L>(&x.b[i]) * L(0.999f));
            simd::store(&x.c[i], simd::load<L>(&x.c[i]) * L(0.999f));
            simd::store(&x.d[i], simd::load<L>(&x.d[i]) + L(0.5f));
        });
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 36));
}

void triad(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    arrays x(n);
    for (auto _ : st) {
        simd::for_each<simd::batch>(n, [&](std::size_t i, auto lane) {
            using L = decltype(lane);
            simd::store(&x.a[i], simd::load<L>(&x.b[i]) + L(3.0f) * simd::load<L>(&x.c[i]));
        });
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 12));
}

} // namespace

BENCHMARK(read_only)->RangeMultiplier(10)->Range(1000, 10000000);
BENCHMARK(read5_write4)->RangeMultiplier(10)->Range(1000, 10000000);
BENCHMARK(triad)->RangeMultiplier(10)->Range(1000, 10000000);

BENCHMARK_MAIN();
