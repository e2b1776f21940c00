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
// And its arithmetic rates, in lane operations per second (items_per_second),
// from eight independent chains per batch so latency does not limit them:
//   lane_mul_add  x = x * a + b as a multiply and an add (the kernels are
//                 built with -ffp-contract=off)          (2 lane ops)
//   lane_fma      x = fma(x, a, b)                        (2 lane ops)
//   lane_div      x = a / x                               (1 lane op)
//   lane_exp      x = exp_nonpositive(-x) (the neuron update's exp) (1 exp)
// These are the bounds the breakdown in docs/results.md compares parts with.
#include <benchmark/benchmark.h>

#include <array>
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
    const float *a = x.a.data(), *b = x.b.data(), *c = x.c.data(), *d = x.d.data(), *e = x.e.data();
    for (auto _ : st) {
        simd::batch acc(0.0f);
        std::size_t i = 0;
        for (; i + simd::width <= n; i += simd::width)
            acc += simd::load<simd::batch>(a + i) + simd::load<simd::batch>(b + i) + simd::load<simd::batch>(c + i) +
                   simd::load<simd::batch>(d + i) + simd::load<simd::batch>(e + i);
        float tail = 0.0f;
        for (; i < n; ++i) tail += a[i] + b[i] + c[i] + d[i] + e[i];
        benchmark::DoNotOptimize(acc);
        benchmark::DoNotOptimize(tail);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 20));
}

void read5_write4(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    arrays x(n);
    float *a = x.a.data(), *b = x.b.data(), *c = x.c.data(), *d = x.d.data();
    const float* e = x.e.data();
    for (auto _ : st) {
        simd::for_each<simd::batch>(n, [=](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L ei = simd::load<L>(e + i);
            simd::store(a + i, simd::load<L>(a + i) * L(0.999f) + ei);
            simd::store(b + i, simd::load<L>(b + i) * L(0.999f));
            simd::store(c + i, simd::load<L>(c + i) * L(0.999f));
            simd::store(d + i, simd::load<L>(d + i) + L(0.5f));
        });
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 36));
}

void triad(benchmark::State& st)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    arrays x(n);
    float* a = x.a.data();
    const float *b = x.b.data(), *c = x.c.data();
    for (auto _ : st) {
        simd::for_each<simd::batch>(n, [=](std::size_t i, auto lane) {
            using L = decltype(lane);
            simd::store(a + i, simd::load<L>(b + i) + L(3.0f) * simd::load<L>(c + i));
        });
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * n * 12));
}

/// Eight independent chains of f over batches: reps steps each per iteration.
template <class F>
void lane_rate(benchmark::State& st, double ops_per_step, F f)
{
    constexpr std::size_t chains = 8, reps = 1024;
    std::array<simd::batch, chains> x;
    for (std::size_t k = 0; k < chains; ++k) x[k] = simd::batch(0.5f + 0.01f * float(k));
    for (auto _ : st) {
        for (std::size_t r = 0; r < reps; ++r)
            for (auto& v : x) v = f(v);
        benchmark::DoNotOptimize(x);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(double(st.iterations()) * chains * reps * simd::width * ops_per_step));
}

void lane_mul_add(benchmark::State& st)
{
    lane_rate(st, 2.0, [](const simd::batch& v) { return v * simd::batch(0.999f) + simd::batch(1.0e-4f); });
}
void lane_fma(benchmark::State& st)
{
    lane_rate(st, 2.0, [](const simd::batch& v) { return simd::fma(v, simd::batch(0.999f), simd::batch(1.0e-4f)); });
}
void lane_div(benchmark::State& st)
{
    lane_rate(st, 1.0, [](const simd::batch& v) { return simd::batch(0.75f) / v; });
}
void lane_exp(benchmark::State& st)
{
    lane_rate(st, 1.0, [](const simd::batch& v) { return simd::exp_nonpositive(-v); });
}

} // namespace

BENCHMARK(lane_mul_add);
BENCHMARK(lane_fma);
BENCHMARK(lane_div);
BENCHMARK(lane_exp);
BENCHMARK(read_only)->RangeMultiplier(10)->Range(1000, 10000000);
BENCHMARK(read5_write4)->RangeMultiplier(10)->Range(1000, 10000000);
BENCHMARK(triad)->RangeMultiplier(10)->Range(1000, 10000000);

BENCHMARK_MAIN();
