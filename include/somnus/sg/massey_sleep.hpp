// SPDX-License-Identifier: MIT
// The sleep cycle of Massey, Hubin, Nichele & Saebo 2026's surrogate-gradient
// control (AndrlmMass/SpikingNeuralNetwork, snntorch/main.py at de54a77,
// run_sleep_phase with max_iters = 1) on a model linear -> leaky -> linear ->
// leaky. sg/sleep.hpp is our earlier, different sleep; this one is theirs.
#pragma once

// One cycle, with their defaults (massey_sleep_params):
//   `batch` (128) independent rows, each from rest, for `steps` (25) steps of
//   zero input, no gradient. Each step, per row:
//     mem1 += sd xi, mem2 += sd xi'       (xi ~ N(0, 1), sd = 0.5, every neuron)
//     lif1 on fc1(0) = b1, then fc2 of its spikes, then lif2:
//       reset = H(mem - threshold)        (from the noised membrane: snnTorch's
//                                          Leaky computes its reset from the
//                                          membrane it is handed)
//       mem = beta mem + input - threshold reset,   spike = H(mem - threshold)
//     traces x <- x exp(-1 / 20) + spikes: pre_h (hidden), post_o (output)
//     dW2[i][o] += (A+ pre_h[i] spk2[o] - A- spk1[i] post_o[o]) / batch
//   then W2 += rate dW2 (A+ 0.01, A- 0.012, rate 1e-3), and every weight (not
//   bias) of fc1 and fc2 w <- sign(w) target (|w| / target)^lambda (target
//   0.2, lambda 0.999; massey_power_law).
// Their fc1 update is A+ pre_in x spk1 - A- spk_in x post_h with the input
// and its trace zero: exactly zero, so it is not computed (fc1 changes by the
// power law only).
//
// What really runs in their code, and so here:
//   - The membranes start at zero and the noise is added before the first
//     step too. init_leaky() (snnTorch 0.9: reset_mem()) returns
//     zeros_like(self.mem), and self.mem still has the shape of the last
//     forward pass, the training batch (128 x 1000 and 128 x 10; the train
//     loader drops the last partial batch, and sleep follows a training
//     step and an accuracy pass on that batch): a tensor, so the noise is
//     added, and its shape matches the sleep batch of 128, so Leaky keeps it.
//   - The reset of step t comes from H(mem[t-1] + noise - threshold), not
//     from the spike the neuron emitted at t - 1: the noise can cause or
//     cancel a reset.
//   - The noise is N(0, sd^2) on every neuron of both layers at every step.
//
// Ours, stated: the STDP sum is taken per row over spikes rather than per
// step over the batch, with the output trace run backwards:
//   sum_t pre_h[t][i] spk2[t][o] = sum_t spk1[t][i] F[t][o],
//   F[t] = spk2[t] + exp(-1/20) F[t+1]  (the output spikes to come)
// so dW2[i][o] = (1 / batch) sum over rows and steps where hidden i spiked of
// K[t][o] = A+ F[t][o] - A- post_o[t][o]: the same sum, in another order
// (float rounding differs from torch's); fc2 of the hidden spikes is summed
// in four interleaved partial sums (massey_spike_rows), torch's in its own
// order. Random numbers: row r of cycle
// `key` draws its noise from normal_stream(seed, sleep_noise, key, r), step
// after step, the hidden layer's values then the output layer's; rows run
// in parallel and every sum is in a fixed order, so the result is the same
// bits for any thread count.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/normal_stream.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../core/simd.hpp"
#include "leaky.hpp"
#include "linear.hpp"
#include "sequential.hpp"
#include "surrogate.hpp"

namespace somnus::detail {

/// One row of a cycle: its hidden spikes, step after step, and K[t][o]
/// (rows of `stride` values, zero past the outputs).
struct massey_row {
    std::vector<std::uint32_t> spikes, offsets;
    std::vector<float> k;
    std::uint64_t hidden = 0, output = 0;
};

/// One sleep step of the hidden layer (noise, reset from the noised
/// membrane, input b) for V = float or simd::batch (the same bits); the
/// spiking neurons' indices go to fired (room for n + simd::width).
template <class V, class S>
std::size_t massey_hidden_step(std::size_t n, float* mem, const float* z, const float* b, float sd, float beta, float th, const S& sf,
                               std::uint32_t* fired)
{
    std::size_t count = 0, i = 0;
    if constexpr (simd::is_batch<V>) {
        for (; i + simd::width <= n; i += simd::width) {
            V x = simd::load<V>(mem + i) + V(sd) * simd::load<V>(z + i);
            const V reset = sf.spike(x - V(th));
            x = V(beta) * x + simd::load<V>(b + i) - V(th) * reset;
            simd::store(mem + i, x);
            count += simd::compress_indices(sf.spike(x - V(th)) != V(0.0f), static_cast<std::uint32_t>(i), fired + count);
        }
    }
    for (; i < n; ++i) {
        float x = mem[i] + sd * z[i];
        const float reset = sf.spike(x - th);
        x = beta * x + b[i] - th * reset;
        mem[i] = x;
        if (sf.spike(x - th) != 0.0f) fired[count++] = static_cast<std::uint32_t>(i);
    }
    return count;
}

/// out = bias + the sum of the weight rows of the spiking inputs, in four
/// interleaved partial sums (spike e into sum e mod 4, each in spike order,
/// then (s0 + s1) + (s2 + s3)): four independent chains of additions. For
/// V = simd::batch a row of a narrow layer (outputs < lanes) is one
/// register, loaded whole while that stays inside the layer's `params`
/// parameters; the same bits as V = float.
template <class V>
void massey_spike_rows(const float* w, std::size_t outputs, std::size_t params, const std::uint32_t* fired, std::size_t count,
                       const float* bias, float* out)
{
    if constexpr (simd::is_batch<V>) {
        if (outputs < simd::width) {
            const auto load_row = [&](std::uint32_t i) {
                const std::size_t at = std::size_t{i} * outputs;
                if (at + simd::width <= params) return simd::load<V>(w + at);
                alignas(64) float lanes[simd::width] = {};
                std::copy(w + at, w + at + outputs, lanes);
                return simd::load<V>(lanes);
            };
            V s[4] = {V(0.0f), V(0.0f), V(0.0f), V(0.0f)};
            std::size_t e = 0;
            for (; e + 4 <= count; e += 4) {
                s[0] = s[0] + load_row(fired[e]);
                s[1] = s[1] + load_row(fired[e + 1]);
                s[2] = s[2] + load_row(fired[e + 2]);
                s[3] = s[3] + load_row(fired[e + 3]);
            }
            for (; e < count; ++e) s[e % 4] = s[e % 4] + load_row(fired[e]);
            alignas(64) float lanes[simd::width], b[simd::width] = {};
            std::copy(bias, bias + outputs, b);
            simd::store(lanes, simd::load<V>(b) + ((s[0] + s[1]) + (s[2] + s[3])));
            std::copy(lanes, lanes + outputs, out);
            return;
        }
    }
    for (std::size_t o = 0; o < outputs; ++o) {
        float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (std::size_t e = 0; e < count; ++e) s[e % 4] += w[std::size_t{fired[e]} * outputs + o];
        out[o] = bias[o] + ((s[0] + s[1]) + (s[2] + s[3]));
    }
}

} // namespace somnus::detail

namespace somnus::sg {

struct massey_sleep_params {
    std::size_t steps = 25;          ///< num_steps
    std::size_t batch = 128;         ///< batch_size_sleep: rows run side by side
    float membrane_noise_sd = 0.5f;  ///< sleep_mem_noise_std
    float tau_pre_steps = 20.0f;     ///< tau_pre (traces decay by exp(-1 / tau) per step)
    float tau_post_steps = 20.0f;    ///< tau_post
    float a_plus = 0.01f;            ///< A_plus
    float a_minus = 0.012f;          ///< A_minus
    float stdp_rate = 1e-3f;         ///< stdp_lr1 = stdp_lr2
    float target_weight = 0.2f;      ///< sleep_target_weight
    float lambda = 0.999f;           ///< sleep_lambda

    template <class F>
    void each_field(F&& f) const
    {
        f("steps", steps);
        f("batch", batch);
        f("membrane_noise_sd", membrane_noise_sd);
        f("tau_pre_steps", tau_pre_steps);
        f("tau_post_steps", tau_post_steps);
        f("a_plus", a_plus);
        f("a_minus", a_minus);
        f("stdp_rate", stdp_rate);
        f("target_weight", target_weight);
        f("lambda", lambda);
    }

    /// config_error naming the bad value.
    void validate() const
    {
        using somnus::detail::require;
        require(steps > 0, "massey_sleep: steps must be > 0, got {}", steps);
        require(batch > 0, "massey_sleep: batch must be > 0, got {}", batch);
        require(std::isfinite(membrane_noise_sd) && membrane_noise_sd >= 0.0f, "massey_sleep: membrane_noise_sd must be finite and >= 0, got {}",
                membrane_noise_sd);
        require(std::isfinite(tau_pre_steps) && tau_pre_steps > 0.0f, "massey_sleep: tau_pre_steps must be finite and > 0, got {}", tau_pre_steps);
        require(std::isfinite(tau_post_steps) && tau_post_steps > 0.0f, "massey_sleep: tau_post_steps must be finite and > 0, got {}",
                tau_post_steps);
        require(std::isfinite(a_plus) && std::isfinite(a_minus), "massey_sleep: a_plus {} and a_minus {} must be finite", a_plus, a_minus);
        require(std::isfinite(stdp_rate), "massey_sleep: stdp_rate must be finite, got {}", stdp_rate);
        require(std::isfinite(target_weight) && target_weight > 0.0f, "massey_sleep: target_weight must be finite and > 0, got {}",
                target_weight);
        require(std::isfinite(lambda) && lambda > 0.0f, "massey_sleep: lambda must be finite and > 0, got {}", lambda);
    }
};

/// What one cycle did.
struct massey_sleep_report {
    std::uint64_t hidden_spikes = 0;  ///< over rows and steps
    std::uint64_t output_spikes = 0;
    double mean_abs_dw2 = 0.0;        ///< mean |rate dW2| over fc2's weights (before the power law)
};

/// target (|w| / target)^lambda with w's sign, 0 for 0; for V = float or
/// simd::batch, the same bits: r^lambda = r exp((lambda - 1) ln r) with the
/// library's own exp and ln (simd.hpp), within a few ulp of the exact power
/// (tests/sg), exponents clamped to [-87, 88].
template <class V>
inline V power_law_toward(V w, float target, float lambda)
{
    const V a = simd::abs(w);
    const auto zero = a == V(0.0f);
    const V r = simd::select(zero, V(1.0f), a / V(target));
    const V mapped = V(target) * (r * simd::exp_bounded(V(lambda - 1.0f) * simd::log_positive(r)));
    // |mapped| with w's sign bit.
    const auto sign = simd::float_bits(w) & decltype(simd::float_bits(w))(static_cast<std::int32_t>(0x80000000u));
    return simd::select(zero, w, simd::bits_float(simd::float_bits(mapped) | sign));
}

/// Their power-law mapping on an array of weights, in place.
template <class V = simd::batch>
inline void massey_power_law(std::span<float> w, float target, float lambda)
{
    float* x = w.data();
    simd::for_each<V>(w.size(), [=](std::size_t i, auto lane) {
        using L = decltype(lane);
        simd::store(x + i, power_law_toward(simd::load<L>(x + i), target, lambda));
    });
}

template <surrogate S>
using massey_model_t = sequential<linear, leaky<S>, linear, leaky<S>>;


/// One sleep cycle on `params` (changed in place) with the noise given by
/// noise(row, out): out (steps x (hidden + outputs)) is filled with the
/// row's standard normals, step after step, hidden then output values. The
/// overload below draws them from normal_stream; tests pass fixed numbers.
/// V = simd::batch runs the kernels in SIMD lanes, V = float is the scalar
/// reference (the same bits).
template <surrogate S, class V = simd::batch, class Noise>
massey_sleep_report massey_sleep_cycle_with(const massey_model_t<S>& model, std::span<float> params, const massey_sleep_params& p,
                                            Noise&& noise, unsigned threads = 1)
{
    p.validate();
    somnus::detail::require(params.size() == model.parameter_count(), "massey_sleep: {} parameters for a model of {}", params.size(),
                            model.parameter_count());
    const auto& fc1 = model.template layer_at<0>();
    const auto& lif1 = model.template layer_at<1>();
    const auto& fc2 = model.template layer_at<2>();
    const auto& lif2 = model.template layer_at<3>();
    const std::size_t nh = fc1.p.out_features, no = fc2.p.out_features, T = p.steps, B = p.batch;
    // K rows padded to a whole register for narrow outputs.
    const std::size_t stride = no <= simd::width ? simd::width : no;
    const float* b1 = params.data() + fc1.weight_count();
    float* w2 = params.data() + model.parameter_offset(2);
    const float* b2 = w2 + fc2.weight_count();
    const float beta1 = lif1.p.beta, th1 = lif1.p.threshold, beta2 = lif2.p.beta, th2 = lif2.p.threshold;
    const float sd = p.membrane_noise_sd;
    // torch.exp(torch.tensor(-1.0 / tau)): the quotient in double, the exp in float.
    const float decay_pre = std::exp(static_cast<float>(-1.0 / double(p.tau_pre_steps)));
    const float decay_post = std::exp(static_cast<float>(-1.0 / double(p.tau_post_steps)));

    std::vector<somnus::detail::massey_row> rows(B);
    parallel_blocks(B, threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<float> xi(T * (nh + no)), mem1(nh), mem2(no), post(T * no), spk2(T * no), cur2(no), trace(no), future(no);
        std::vector<std::uint32_t> fired(nh + simd::width);
        const S sf1 = lif1.surrogate_fn, sf2 = lif2.surrogate_fn;
        for (std::size_t r = begin; r < end; ++r) {
            auto& row = rows[r];
            row.spikes.clear();
            row.offsets.assign(1, 0);
            row.k.assign(T * stride, 0.0f);
            noise(r, std::span<float>(xi));
            std::fill(mem1.begin(), mem1.end(), 0.0f);
            std::fill(mem2.begin(), mem2.end(), 0.0f);
            std::fill(trace.begin(), trace.end(), 0.0f);
            for (std::size_t t = 0; t < T; ++t) {
                const float* z1 = xi.data() + t * (nh + no);
                const float* z2 = z1 + nh;
                const std::size_t count = somnus::detail::massey_hidden_step<V>(nh, mem1.data(), z1, b1, sd, beta1, th1, sf1, fired.data());
                row.hidden += count;
                row.spikes.insert(row.spikes.end(), fired.begin(), fired.begin() + std::ptrdiff_t(count));
                row.offsets.push_back(static_cast<std::uint32_t>(row.spikes.size()));
                somnus::detail::massey_spike_rows<V>(w2, no, fc2.parameter_count(), fired.data(), count, b2, cur2.data());
                // The output layer, as the hidden one; its trace.
                for (std::size_t o = 0; o < no; ++o) {
                    float x = mem2[o] + sd * z2[o];
                    const float reset = sf2.spike(x - th2);
                    x = beta2 * x + cur2[o] - th2 * reset;
                    mem2[o] = x;
                    const float s = sf2.spike(x - th2);
                    spk2[t * no + o] = s;
                    row.output += s != 0.0f;
                    trace[o] = trace[o] * decay_post + s;
                    post[t * no + o] = trace[o];
                }
            }
            // F[t] = spk2[t] + decay_pre F[t + 1] (what pre_h[i] would meet of
            // the output spikes to come); K = A+ F - A- post.
            std::fill(future.begin(), future.end(), 0.0f);
            for (std::size_t t = T; t-- > 0;)
                for (std::size_t o = 0; o < no; ++o) {
                    future[o] = future[o] * decay_pre + spk2[t * no + o];
                    row.k[t * stride + o] = p.a_plus * future[o] - p.a_minus * post[t * no + o];
                }
        }
    });

    // dW2[i][:] = sum over rows, then steps, where hidden i spiked, of K[t]
    // (each value summed in that order); hidden neurons split over threads,
    // each walking every spike list for its own.
    std::vector<float> dw(nh * stride, 0.0f);
    parallel_blocks(nh, threads, [&](unsigned, std::size_t begin, std::size_t end) {
        for (const auto& row : rows)
            for (std::size_t t = 0; t < T; ++t) {
                const float* k = row.k.data() + t * stride;
                for (std::uint32_t e = row.offsets[t]; e < row.offsets[t + 1]; ++e) {
                    const std::size_t i = row.spikes[e];
                    if (i < begin || i >= end) continue;
                    float* d = dw.data() + i * stride;
                    if constexpr (simd::is_batch<V>) {
                        if (stride == simd::width) {
                            simd::store(d, simd::load<V>(d) + simd::load<V>(k));
                            continue;
                        }
                    }
                    for (std::size_t o = 0; o < no; ++o) d[o] += k[o];
                }
            }
    });
    massey_sleep_report report;
    double abs_sum = 0.0;
    for (std::size_t i = 0; i < nh; ++i)
        for (std::size_t o = 0; o < no; ++o) {
            const float delta = p.stdp_rate * (dw[i * stride + o] / float(B));
            w2[i * no + o] += delta;
            abs_sum += std::fabs(double(delta));
        }
    report.mean_abs_dw2 = abs_sum / double(nh * no);
    for (const auto& row : rows) {
        report.hidden_spikes += row.hidden;
        report.output_spikes += row.output;
    }
    massey_power_law<V>(params.subspan(0, fc1.weight_count()), p.target_weight, p.lambda);
    massey_power_law<V>(std::span<float>(w2, fc2.weight_count()), p.target_weight, p.lambda);
    return report;
}

/// One sleep cycle (see the top of the file) with the noise of cycle `key`
/// drawn from normal_stream(seed, sleep_noise, key, row).
template <surrogate S>
massey_sleep_report massey_sleep_cycle(const massey_model_t<S>& model, std::span<float> params, const massey_sleep_params& p,
                                       std::uint64_t seed, std::uint64_t key, unsigned threads = 1)
{
    return massey_sleep_cycle_with<S, simd::batch>(
        model, params, p,
        [&](std::size_t row, std::span<float> out) {
            normal_stream rng(seed, stream_purpose::sleep_noise, key, row);
            rng.fill(out);
        },
        threads);
}

} // namespace somnus::sg
