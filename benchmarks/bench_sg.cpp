// SPDX-License-Identifier: MIT
// The surrogate-gradient engine's kernels at the Gupta member's shapes, the
// scalar reference (V = float) against the SIMD path (V = simd::batch):
// conv2's dense input gradient (15x15x12 <- 11x11x32 through 5x5 taps, the
// engine's one dense convolution), the sparse forward scatter of conv1 (2
// channels of 34x34 frames at 0.6 % density) and of conv2 (12x15x15 spikes
// at 10 %), the linear layer's input gradient, and one whole training step
// of one sample (forward and backward of every layer); conv2's input
// gradient also as the member sees it, behind a max pool (a quarter of the
// output gradients non-zero: the sparse scatter).
// member_breakdown: where one sample-step of training goes, layer by layer
// (forward and backward each timed; counters in ns per sample-step), on a
// silent network (the default initialisation, as compare_sg.sh trains it:
// no hidden spikes) and a spiking one (weights x4). peak_fma: this core's
// multiply-add rate (independent chains of FMAs in SIMD registers), the
// bound the dense kernels are held against.
// items_per_second: multiply-adds per second where the kernel does a known
// number of them; one step per iteration otherwise.
#include <array>
#include <chrono>
#include <span>
#include <string>
#include <vector>
#include <tuple>
#include <utility>

#include <benchmark/benchmark.h>

#include <somnus/core/random.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/loss.hpp>

using namespace somnus;
using namespace somnus::sg;

namespace {

activation sparse_input(std::size_t n, double density, random_stream& r)
{
    activation a;
    a.resize(n);
    a.has_nz = true;
    for (std::size_t i = 0; i < n; ++i)
        if (r.uniform() < density) a.push(static_cast<std::uint32_t>(i), 1.0f);
    return a;
}

template <class V>
void conv2_input_gradient(benchmark::State& st)
{
    conv2d l(12, 32, 5);
    l.configure({12, 15, 15});
    random_stream r(1, stream_purpose::user);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, r);
    std::vector<float> g_out(l.out.size()), g_in(l.in.size()), g_prm(prm.size(), 0.0f);
    for (auto& g : g_out) g = r.uniform(-1.0f, 1.0f);
    auto w = l.make_work(1);
    l.begin(w);
    const activation none = sparse_input(l.in.size(), 0.0, r);
    activation o;
    o.resize(l.out.size());
    l.forward<V>(prm.data(), none, o, w, true);  // an empty step on the tape
    for (auto _ : st) {
        l.backward<V>(prm.data(), g_out.data(), g_in.data(), g_prm.data(), w, 0);
        benchmark::DoNotOptimize(g_in.data());
        benchmark::ClobberMemory();
    }
    // 15 x 15 inputs x 12 channels x up to 25 taps x 32 outputs (edges have fewer taps).
    std::int64_t macs = 0;
    for (std::size_t y = 0; y < 15; ++y)
        for (std::size_t x = 0; x < 15; ++x) {
            const auto taps = [](std::size_t v) { return std::min<std::size_t>(v, 4) - (v >= 11 ? v - 10 : 0) + 1; };
            macs += std::int64_t(taps(y) * taps(x) * 12 * 32);
        }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * macs);
}

/// conv2's input gradient as the member sees it: behind a 2x2 max pool,
/// one output gradient per window and channel is non-zero (the sparse
/// scatter; items: the dense kernel's multiply-adds, for comparison).
template <class V>
void conv2_pooled_input_gradient(benchmark::State& st)
{
    conv2d l(12, 32, 5);
    l.configure({12, 15, 15});
    random_stream r(1, stream_purpose::user);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, r);
    std::vector<float> g_out(l.out.size(), 0.0f), g_in(l.in.size()), g_prm(prm.size(), 0.0f);
    for (std::size_t py = 0; py < 5; ++py)
        for (std::size_t px = 0; px < 5; ++px)
            for (std::size_t c = 0; c < 32; ++c) {
                const std::size_t k = r.below(4), y = 2 * py + k / 2, x = 2 * px + k % 2;
                g_out[(y * 11 + x) * 32 + c] = r.uniform(-1.0f, 1.0f);
            }
    auto w = l.make_work(1);
    l.begin(w);
    const activation none = sparse_input(l.in.size(), 0.0, r);
    activation o;
    o.resize(l.out.size());
    l.forward<V>(prm.data(), none, o, w, true);
    for (auto _ : st) {
        l.backward<V>(prm.data(), g_out.data(), g_in.data(), g_prm.data(), w, 0);
        benchmark::DoNotOptimize(g_in.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * 800 * 25 * 12);
}

template <class V>
void conv_forward(benchmark::State& st, std::size_t ic, std::size_t oc, std::size_t h, double density)
{
    conv2d l(ic, oc, 5);
    l.configure({ic, h, h});
    random_stream r(2, stream_purpose::user);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, r);
    const activation a = sparse_input(l.in.size(), density, r);
    activation o;
    o.resize(l.out.size());
    auto w = l.make_work(1);
    for (auto _ : st) {
        l.forward<V>(prm.data(), a, o, w, false);
        benchmark::DoNotOptimize(o.v.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * std::int64_t(a.nz.size() * 25 * oc));
    st.counters["nonzero_inputs"] = double(a.nz.size());
}
template <class V>
void conv1_forward(benchmark::State& st) { conv_forward<V>(st, 2, 12, 34, 0.006); }
template <class V>
void conv2_forward(benchmark::State& st) { conv_forward<V>(st, 12, 32, 15, 0.1); }

template <class V>
void linear_input_gradient(benchmark::State& st)
{
    linear l(800, 10);
    l.configure({800, 1, 1});
    random_stream r(3, stream_purpose::user);
    std::vector<float> prm(l.parameter_count()), g_out(10), g_in(800), g_prm(prm.size());
    l.init(prm, r);
    for (auto& g : g_out) g = r.uniform(-1.0f, 1.0f);
    auto w = l.make_work(1);
    l.begin(w);
    activation none = sparse_input(800, 0.0, r), o;
    o.resize(10);
    l.forward<V>(prm.data(), none, o, w, true);
    for (auto _ : st) {
        l.backward<V>(prm.data(), g_out.data(), g_in.data(), g_prm.data(), w, 0);
        benchmark::DoNotOptimize(g_in.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * 8000);
}

/// One sample of T steps at 0.6 % input density: forward with the tape,
/// the loss gradient of a silent output, backward; items = steps.
void member_sample(benchmark::State& st)
{
    const auto T = static_cast<std::size_t>(st.range(0));
    auto net = make_gupta_member();
    std::vector<float> w(net.parameter_count()), g(net.parameter_count(), 0.0f);
    net.init(w, 1);
    for (auto& x : w) x *= 4.0f;  // a network whose hidden layers spike
    random_stream r(4, stream_purpose::user);
    std::vector<activation> frames;
    for (std::size_t t = 0; t < T; ++t) frames.push_back(sparse_input(2 * 34 * 34, 0.006, r));
    auto ws = net.make_workspace(T);
    std::vector<float> g_out(10, 0.01f);
    std::uint64_t hidden = 0;
    for (auto _ : st) {
        net.begin(ws);
        for (std::size_t t = 0; t < T; ++t) {
            ws.input().clear();
            for (const auto i : frames[t].nz) ws.input().push(i, 1.0f);
            net.forward(w, ws, true);
            hidden += ws.acts[3].nz.size() + ws.acts[6].nz.size();
        }
        for (std::size_t t = T; t-- > 0;) net.backward(w, ws, g_out, g, t);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * std::int64_t(T));
    st.counters["hidden_spikes_per_step"] = double(hidden) / double(st.iterations() * T);
}

/// Multiply-adds per second: 12 independent FMA chains in registers.
void peak_fma(benchmark::State& st)
{
    using V = simd::batch;
    constexpr std::size_t chains = 12, rounds = 1000;
    std::array<V, chains> acc;
    for (std::size_t k = 0; k < chains; ++k) acc[k] = V(float(k) * 1e-3f);
    const V a(0.999f), b(1e-4f);
    for (auto _ : st) {
        for (std::size_t r = 0; r < rounds; ++r)
            for (std::size_t k = 0; k < chains; ++k) acc[k] = simd::fma(acc[k], a, b);
        for (std::size_t k = 0; k < chains; ++k) benchmark::DoNotOptimize(acc[k]);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * rounds * chains * simd::width));
    st.counters["lanes"] = double(simd::width);
}

/// Layer K's forward on the workspace's activations, timed into ns[K].
template <class Net, std::size_t... K>
void timed_forward(const Net& net, std::span<const float> w, typename Net::workspace& ws, std::array<double, Net::depth>& ns,
                   std::index_sequence<K...>)
{
    using clock = std::chrono::steady_clock;
    (
        [&] {
            const auto t0 = clock::now();
            net.template layer_at<K>().forward(w.data() + net.parameter_offset(K), ws.acts[K], ws.acts[K + 1], std::get<K>(ws.work), true);
            ns[K] += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        }(),
        ...);
}

/// Layer depth-1-J's backward of step t (J = 0 first: the last layer), timed into ns.
template <class Net, std::size_t... J>
void timed_backward(const Net& net, std::span<const float> w, typename Net::workspace& ws, std::span<float> g, std::size_t t,
                    std::array<double, Net::depth>& ns, std::index_sequence<J...>)
{
    using clock = std::chrono::steady_clock;
    (
        [&] {
            constexpr std::size_t K = Net::depth - 1 - J;
            const auto t0 = clock::now();
            net.template layer_at<K>().backward(w.data() + net.parameter_offset(K), ws.grads[K + 1].data(), K > 0 ? ws.grads[K].data() : nullptr,
                                                g.data() + net.parameter_offset(K), std::get<K>(ws.work), t);
            ns[K] += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        }(),
        ...);
}

/// One training sample of T = 300 steps at 0.6 % input density, every
/// layer's forward and backward timed (counters: ns per sample-step);
/// range(0) = 0: the default initialisation (silent), 1: weights x4 (spiking).
void member_breakdown(benchmark::State& st)
{
    constexpr std::size_t T = 300;
    using clock = std::chrono::steady_clock;
    auto net = make_gupta_member();
    using Net = decltype(net);
    std::vector<float> w(net.parameter_count()), g(net.parameter_count(), 0.0f);
    net.init(w, 1);
    if (st.range(0) == 1)
        for (auto& x : w) x *= 4.0f;
    random_stream r(4, stream_purpose::user);
    std::vector<activation> frames;
    for (std::size_t t = 0; t < T; ++t) frames.push_back(sparse_input(2 * 34 * 34, 0.006, r));
    auto ws = net.make_workspace(T);
    std::array<double, Net::depth> fwd{}, bwd{};
    double input_ns = 0.0, loss_ns = 0.0;
    std::uint64_t hidden1 = 0, hidden2 = 0, out_spikes = 0;
    std::vector<float> counts(10), g_out(10);
    for (auto _ : st) {
        net.begin(ws);
        std::fill(counts.begin(), counts.end(), 0.0f);
        for (std::size_t t = 0; t < T; ++t) {
            auto t0 = clock::now();
            ws.input().clear();
            for (const auto i : frames[t].nz) ws.input().push(i, 1.0f);
            input_ns += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
            timed_forward(net, w, ws, fwd, std::make_index_sequence<Net::depth>{});
            ++ws.steps;
            for (std::size_t c = 0; c < 10; ++c) counts[c] += ws.output().v[c];
            hidden1 += ws.acts[3].nz.size();
            hidden2 += ws.acts[6].nz.size();
            out_spikes += ws.acts[8].nz.size();
        }
        const auto t0 = clock::now();
        mse_count_loss{}.gradient(counts, 3, T, 128, g_out);
        loss_ns += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        for (std::size_t t = T; t-- > 0;) {
            std::copy(g_out.begin(), g_out.end(), ws.grads[Net::depth].begin());
            timed_backward(net, w, ws, g, t, bwd, std::make_index_sequence<Net::depth>{});
        }
        benchmark::ClobberMemory();
    }
    const double steps = double(st.iterations() * T);
    static const char* names[] = {"conv1", "pool1", "lif1", "conv2", "pool2", "lif2", "fc", "lif3"};
    for (std::size_t k = 0; k < Net::depth; ++k) {
        st.counters[std::string(names[k]) + "_fwd"] = fwd[k] / steps;
        st.counters[std::string(names[k]) + "_bwd"] = bwd[k] / steps;
    }
    st.counters["input"] = input_ns / steps;
    st.counters["loss"] = loss_ns / steps;
    st.counters["spikes_lif1"] = double(hidden1) / steps;
    st.counters["spikes_lif2"] = double(hidden2) / steps;
    st.counters["spikes_out"] = double(out_spikes) / steps;
    st.SetItemsProcessed(static_cast<std::int64_t>(steps));
}

/// The per-batch work of a training step at batch 128: the per-sample
/// gradients summed in sample order, then Adam on the member's parameters.
void batch_reduce_adam(benchmark::State& st)
{
    auto net = make_gupta_member();
    const std::size_t P = net.parameter_count(), B = 128;
    std::vector<float> w(P), grads(B * P, 1e-3f), total(P);
    net.init(w, 1);
    adam opt(P);
    for (auto _ : st) {
        std::fill(total.begin(), total.end(), 0.0f);
        for (std::size_t b = 0; b < B; ++b) add(P, grads.data() + b * P, total.data());
        opt.step(w, total);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

} // namespace

BENCHMARK(peak_fma);
BENCHMARK(member_breakdown)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(batch_reduce_adam)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(conv2_input_gradient, float);
BENCHMARK_TEMPLATE(conv2_input_gradient, simd::batch);
BENCHMARK_TEMPLATE(conv2_pooled_input_gradient, float);
BENCHMARK_TEMPLATE(conv2_pooled_input_gradient, simd::batch);
BENCHMARK_TEMPLATE(conv1_forward, float);
BENCHMARK_TEMPLATE(conv1_forward, simd::batch);
BENCHMARK_TEMPLATE(conv2_forward, float);
BENCHMARK_TEMPLATE(conv2_forward, simd::batch);
BENCHMARK_TEMPLATE(linear_input_gradient, float);
BENCHMARK_TEMPLATE(linear_input_gradient, simd::batch);
BENCHMARK(member_sample)->Arg(50);

BENCHMARK_MAIN();
