// SPDX-License-Identifier: MIT
// Neuron-update kernels: one network step of N neurons per iteration, scalar
// reference (V = float) against the SIMD path (V = simd::batch).
// items_per_second = neuron-updates per second on one core.
#include <benchmark/benchmark.h>

#include <somnus/core/random.hpp>
#include <somnus/homeostasis/adaptive_threshold.hpp>
#include <somnus/neuron/adex.hpp>
#include <somnus/neuron/conductance_lif.hpp>
#include <somnus/neuron/integrate_and_fire.hpp>
#include <somnus/neuron/izhikevich.hpp>
#include <somnus/neuron/leaky.hpp>

using namespace somnus;

namespace {

// Random state with a few neurons near threshold, so spikes and refractory
// periods occur as in a running network.
void randomize(conductance_lif::state& s, random_stream& r)
{
    for (auto& v : s.v) v = r.uniform(-70.0f, -50.0f);
    for (auto& g : s.ge) g = r.uniform(0.0f, 0.2f);
    for (auto& g : s.gi) g = r.uniform(0.0f, 0.2f);
    for (auto& t : s.since_spike_ms) t = r.uniform(0.0f, 20.0f);
}
template <class S>
void randomize(S& s, random_stream& r)
{
    float* in = nullptr;
    if constexpr (requires { s.in_exc; }) in = s.in_exc.data();
    else if constexpr (requires { s.in; }) in = s.in.data();
    else in = s.i_syn.data();
    for (std::size_t i = 0; i < s.size(); ++i) in[i] = r.uniform(0.0f, 0.5f);
}

template <class Model, class V>
void step_kernel(benchmark::State& st, Model model)
{
    const auto n = static_cast<std::size_t>(st.range(0));
    auto s = model.make_state(n);
    random_stream r(1, n);
    randomize(s, r);
    spike_list out;
    out.reserve(n);
    std::size_t spikes = 0;
    for (auto _ : st) {
        out.clear();
        model.template step<V>(s, out);
        spikes += out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(n));
    st.counters["spikes_per_step"] = benchmark::Counter(double(spikes) / double(st.iterations()));
}

// The Diehl & Cook excitatory update as a network runs it: the kernel
// (conductances, v, refractoriness, threshold with theta) plus the adaptive
// threshold's increment for the neurons that fired.
template <class V, conductance_lif::integration Scheme>
void diehl_cook_excitatory_kernel(benchmark::State& st)
{
    auto p = conductance_lif::diehl_cook_excitatory();
    p.scheme = Scheme;
    const conductance_lif model(p, 0.5f);
    const auto n = static_cast<std::size_t>(st.range(0));
    auto s = model.make_state(n);
    random_stream r(1, n);
    randomize(s, r);
    matrix_f no_weights = make_matrix(0, n);
    std::vector<std::uint32_t> counts(n, 0);
    adaptive_threshold theta{};
    const layer_ref layer{no_weights, &s.theta, counts};
    spike_list out;
    out.reserve(n);
    for (auto _ : st) {
        out.clear();
        model.template step<V>(s, out);
        theta.on_spikes(layer, out);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(n));
    // Bytes per update: v, ge, gi, since read and written, theta read.
    st.counters["bytes_per_update"] = benchmark::Counter(4.0 * 4 * 2 + 4.0);
}

conductance_lif dc_inh() { return {conductance_lif::diehl_cook_inhibitory(), 0.5f}; }
integrate_and_fire iaf()
{
    integrate_and_fire::params p;
    p.tau_m_ms = 20.0f;
    return {p, 0.5f};
}
leaky beta() { return {leaky::params{}, 1.0f}; }
izhikevich izh() { return {izhikevich::regular_spiking(), 0.5f}; }
adex adx() { return {adex::params{}, 0.1f}; }

} // namespace

#define SOMNUS_NEURON_BENCH(name, factory)                                                            \
    static void name##_scalar(benchmark::State& st) { step_kernel<decltype(factory()), float>(st, factory()); } \
    static void name##_simd(benchmark::State& st) { step_kernel<decltype(factory()), simd::batch>(st, factory()); } \
    BENCHMARK(name##_scalar)->RangeMultiplier(10)->Range(1000, 1000000);                             \
    BENCHMARK(name##_simd)->RangeMultiplier(10)->Range(1000, 1000000);

// Exponential Euler (the default: one exp per update) and forward Euler.
template <class V>
void diehl_cook_excitatory(benchmark::State& st) { diehl_cook_excitatory_kernel<V, conductance_lif::integration::exponential>(st); }
template <class V>
void diehl_cook_excitatory_euler(benchmark::State& st) { diehl_cook_excitatory_kernel<V, conductance_lif::integration::euler>(st); }
BENCHMARK_TEMPLATE(diehl_cook_excitatory, float)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK_TEMPLATE(diehl_cook_excitatory, simd::batch)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK_TEMPLATE(diehl_cook_excitatory_euler, float)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK_TEMPLATE(diehl_cook_excitatory_euler, simd::batch)->RangeMultiplier(10)->Range(1000, 1000000);
SOMNUS_NEURON_BENCH(conductance_lif_inhibitory, dc_inh)
// At the sizes of a Diehl & Cook network (and 0: the fixed cost of one
// population's step, call and setup), where per-call overheads show.
BENCHMARK_TEMPLATE(diehl_cook_excitatory, simd::batch)->Arg(0)->Arg(100)->Arg(400);
BENCHMARK(conductance_lif_inhibitory_simd)->Arg(0)->Arg(100)->Arg(400);
SOMNUS_NEURON_BENCH(integrate_and_fire, iaf)
SOMNUS_NEURON_BENCH(leaky, beta)
SOMNUS_NEURON_BENCH(izhikevich, izh)
SOMNUS_NEURON_BENCH(adex, adx)

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    benchmark::AddCustomContext("simd_arch", simd::arch_name());
    benchmark::AddCustomContext("simd_width_floats", std::to_string(simd::width));
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
