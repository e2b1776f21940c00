// SPDX-License-Identifier: MIT
// An offline phase for a surrogate-gradient model between training epochs:
// the sleep the STDP network gets (sleep/weights.hpp's stochastic_decay; our
// reading of Massey et al. 2026's abstract, DESIGN.md section 9), applied to
// a sequential model's flat parameters. For duration_ms, in steps of dt_ms:
//   - external input is suppressed: the data are replaced by noise, every
//     input unit firing (value 1) independently with probability
//     rate_hz * dt per step (sparse random frames);
//   - the model runs forward, one continuous sample from rest, with no tape,
//     no gradient and no learning; the phase reports its spikes;
//   - every weight w of the conv and linear layers relaxes toward the
//     baseline b with time constant tau and diffuses with stationary standard
//     deviation sigma, exactly as stochastic_decay: every every_ms (rounded
//     to whole steps, at least one), and the remainder at the end, with
//     a = exp(-h / tau) for an interval h,
//       w <- b + (w - b) a + sigma sqrt(1 - a^2) xi,   xi ~ N(0, 1).
//
// Choices (stated, because the paper's are not public):
//   - Only weights decay; biases are untouched. A bias is not a synapse but
//     the neuron's constant drive, the gradient-trained counterpart of a
//     threshold, and stochastic_decay acts on the STDP network's synaptic
//     weights only, never on its thresholds.
//   - The baseline is the caller's (params.decay.baseline). For these signed
//     weights, initialised symmetric about 0, the natural homeostatic
//     baseline is 0 (the STDP network's 0.1 is for weights in [0, 1]); the
//     weights are not clipped (the layers have no bounds).
//   - dt_ms defaults to 1 ms: one step is one frame of tonic's
//     ToFrame(time_window = 1000 us), the time base of the training data.
//   - The spontaneous activity changes no weight (the model has no local
//     plasticity rule; consolidation by activity needs one), so the decay is
//     the same whether the forward pass runs or not, and it is run to measure
//     what the sleeping network does. Within a step the order is the STDP
//     network's: the decay (when due) first, then the input and the forward
//     step, so each step runs on the weights decayed so far.
//   - Random numbers: input noise from random_stream(seed, sleep_noise, key,
//     0); the weights are cut into fixed blocks of decay_block values, block
//     j drawing from random_stream(seed, sleep_noise, key, 1 + j) for the
//     whole phase, so the same seed and key give the same bits for any
//     thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../core/steps.hpp"
#include "../sleep/weights.hpp"
#include "layer.hpp"

namespace somnus::sg {

/// The weights of one layer in a model's flat parameter vector (its biases
/// follow them and are not included).
struct weight_tensor {
    std::size_t layer = 0;   ///< index in the sequential model
    std::size_t offset = 0;  ///< first weight in the flat parameters
    std::size_t count = 0;   ///< weights
    std::size_t fan_in = 0;  ///< inputs per output: PyTorch's init bound is 1 / sqrt(fan_in)
};

/// Every layer with weights (conv2d, linear: those with weight_count()), in
/// layer order.
template <class Model>
std::vector<weight_tensor> weight_tensors(const Model& m)
{
    std::vector<weight_tensor> out;
    const auto add = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
        const auto& l = m.template layer_at<K>();
        if constexpr (requires { l.weight_count(); }) {
            const std::size_t w = l.weight_count(), outputs = l.parameter_count() - w;
            out.push_back({K, m.parameter_offset(K), w, outputs > 0 ? w / outputs : w});
        }
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) { (add(std::integral_constant<std::size_t, K>{}), ...); }(
        std::make_index_sequence<Model::depth>{});
    return out;
}

struct sleep_params {
    float noise_rate_hz = 10.0f;  ///< per input unit (noise_drive's default)
    float dt_ms = 1.0f;           ///< one frame of ToFrame(1000 us)
    /// Baseline 0 for signed weights; tau, sigma and every_ms as the
    /// library's stochastic_decay defaults.
    stochastic_decay::params decay{0.0f, 1000.0, 0.0f, 10.0};
    bool run_activity = true;     ///< false: decay only (the weights come out the same)

    template <class F>
    void each_field(F&& f) const
    {
        f("noise_rate_hz", noise_rate_hz);
        f("dt_ms", dt_ms);
        f("baseline", decay.baseline);
        f("tau_ms", decay.tau_ms);
        f("sigma", decay.sigma);
        f("every_ms", decay.every_ms);
        f("run_activity", run_activity);
    }

    /// config_error naming the bad value.
    void validate() const
    {
        somnus::detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "sg::sleep_phase: dt_ms must be finite and > 0, got {}", dt_ms);
        somnus::detail::require(std::isfinite(noise_rate_hz) && noise_rate_hz >= 0.0f && double(noise_rate_hz) * dt_ms * 1e-3 <= 1.0,
                                "sg::sleep_phase: noise_rate_hz must be finite and in [0, 1 / dt] ({} Hz at dt {} ms), got {}", 1e3 / dt_ms,
                                dt_ms, noise_rate_hz);
        const auto& d = decay;
        somnus::detail::require(std::isfinite(d.baseline) && std::isfinite(d.sigma) && d.sigma >= 0.0f && d.tau_ms > 0.0 &&
                                    !std::isnan(d.tau_ms) && std::isfinite(d.every_ms) && d.every_ms >= 0.0,
                                "sg::sleep_phase: decay baseline {}, tau_ms {}, sigma {}, every_ms {} "
                                "(need tau > 0, sigma >= 0, every >= 0)",
                                d.baseline, d.tau_ms, d.sigma, d.every_ms);
    }
};

/// What one phase did.
struct sleep_report {
    std::uint64_t steps = 0;
    std::uint64_t input_spikes = 0;   ///< noise inputs over the phase
    std::uint64_t hidden_spikes = 0;  ///< spikes of the spiking layers (those listing their non-zeros) but the last
    std::uint64_t output_spikes = 0;  ///< non-zero outputs of the last layer
    std::uint64_t decays = 0;         ///< applications of the decay
    double decayed_ms = 0.0;          ///< time the decay covered (steps * dt)
};

/// Weights per random block: fixed, so that the numbers do not depend on the
/// thread count.
inline constexpr std::size_t decay_block = 4096;

/// Sleep duration for a sleep fraction f of the training time:
/// sleep = wake * f / (1 - f), so that sleep / (wake + sleep) = f.
inline double sleep_ms_for_fraction(double wake_ms, double fraction)
{
    somnus::detail::require(std::isfinite(fraction) && fraction >= 0.0 && fraction < 1.0,
                            "sleep_ms_for_fraction: the fraction must be in [0, 1), got {}", fraction);
    somnus::detail::require(std::isfinite(wake_ms) && wake_ms >= 0.0,
                            "sleep_ms_for_fraction: the wake time must be finite and >= 0 ms, got {}", wake_ms);
    return wake_ms * fraction / (1.0 - fraction);
}

/// Simulated time of samples of `frames` frames each at dt_ms per frame.
template <class Samples>
double wake_ms_of(const Samples& samples, double dt_ms = 1.0)
{
    double frames = 0.0;
    for (const auto& s : samples) frames += double(s.frames());
    return frames * dt_ms;
}

/// One offline phase of duration_ms (rounded to whole steps) on `params`
/// (the model's flat parameters, changed in place); see the top of the file.
/// threads >= 2 overlaps the decay with the forward pass (a helper thread
/// computes the weights of the coming decay intervals while the model runs
/// on the current ones); the bits are the same for any thread count.
template <class Model>
sleep_report sleep_phase(const Model& model, std::span<float> params, double duration_ms, const sleep_params& p, std::uint64_t seed,
                         std::uint64_t key = 0, unsigned threads = 1)
{
    p.validate();
    somnus::detail::require(params.size() == model.parameter_count(), "sg::sleep_phase: {} parameters for a model of {}", params.size(),
                            model.parameter_count());
    sleep_report report;
    const std::uint64_t T = somnus::detail::steps_of("sg::sleep_phase: duration_ms", duration_ms, p.dt_ms);
    report.steps = T;
    if (T == 0) return report;

    // The weights as fixed blocks (offset, size), each with its own stream.
    std::vector<std::pair<std::size_t, std::size_t>> blocks;
    for (const auto& t : weight_tensors(model))
        for (std::size_t at = 0; at < t.count; at += decay_block) blocks.emplace_back(t.offset + at, std::min(decay_block, t.count - at));
    std::vector<random_stream> decay_rng;
    decay_rng.reserve(blocks.size());
    for (std::size_t j = 0; j < blocks.size(); ++j) decay_rng.emplace_back(seed, stream_purpose::sleep_noise, key, 1 + j);
    const float b = p.decay.baseline;
    // One application over `steps` steps to the parameter vector at w.
    const auto decay = [&](float* w, std::uint64_t steps) {
        const double h = double(steps) * double(p.dt_ms);
        const double a = std::exp(-h / p.decay.tau_ms);
        // In float as stochastic_decay computes it, so both give the same bits.
        const auto keep = static_cast<float>(a);
        const auto spread = static_cast<float>(double(p.decay.sigma) * std::sqrt(std::max(0.0, 1.0 - a * a)));
        for (std::size_t j = 0; j < blocks.size(); ++j) {
            float* x = w + blocks[j].first;
            const std::size_t n = blocks[j].second;
            if (spread == 0.0f) {
                for (std::size_t i = 0; i < n; ++i) x[i] = b + (x[i] - b) * keep;
            } else {
                auto& rng = decay_rng[j];
                for (std::size_t i = 0; i < n; ++i) x[i] = b + (x[i] - b) * keep + spread * static_cast<float>(rng.normal());
            }
        }
        ++report.decays;
        report.decayed_ms += h;
    };

    // Applications inside the phase: before steps every - 1, 2 every - 1, ...
    // (the STDP network's order: the mechanism's step, then the network's);
    // what is left after the last one is applied at the end. Interval k
    // (k = 0 .. K) runs its steps on the weights after k applications.
    const std::uint64_t every = somnus::detail::steps_every("sg::sleep_phase: decay.every_ms", p.decay.every_ms, p.dt_ms);
    const std::uint64_t K = every == 0 ? 0 : T / every;
    const std::uint64_t left = every == 0 ? T : T - K * every;
    const auto interval_begin = [&](std::uint64_t k) { return k == 0 ? std::uint64_t{0} : k * every - 1; };
    const auto interval_end = [&](std::uint64_t k) { return k == K ? T : (k + 1) * every - 1; };

    if (!p.run_activity) {
        for (std::uint64_t k = 0; k < K; ++k) decay(params.data(), every);
        if (left > 0) decay(params.data(), left);
        return report;
    }

    // Noise input: the (step, unit) grid read in order is one Bernoulli
    // process, so the gaps between spikes are geometric.
    random_stream noise_rng(seed, stream_purpose::sleep_noise, key, 0);
    const std::size_t n_in = model.input_shape().size();
    const double step_p = double(p.noise_rate_hz) * double(p.dt_ms) * 1e-3;
    const std::uint64_t never = std::numeric_limits<std::uint64_t>::max();
    const double log_q = step_p > 0.0 && step_p < 1.0 ? std::log1p(-step_p) : 0.0;
    const auto gap = [&]() -> std::uint64_t {
        if (step_p <= 0.0) return never;
        if (step_p >= 1.0) return 1;
        return noise_rng.geometric_log(log_q);
    };
    std::uint64_t next = gap();  // 1-based position of the next spike in the grid
    std::uint64_t grid = 0;      // positions consumed so far
    auto ws = model.make_workspace(1);
    model.begin(ws);
    // Steps [from, to) on the parameters w.
    const auto run_steps = [&](std::span<const float> w, std::uint64_t from, std::uint64_t to) {
        for (std::uint64_t t = from; t < to; ++t) {
            auto& in = ws.input();
            in.clear();
            const std::uint64_t step_end = grid + n_in;
            while (next != never && next <= step_end) {
                in.push(static_cast<std::uint32_t>(next - 1 - grid), 1.0f);
                const std::uint64_t g = gap();
                next = g == never || next > never - g ? never : next + g;
            }
            grid = step_end;
            report.input_spikes += in.nz.size();
            model.forward(w, ws, false);
            for (std::size_t k = 1; k < Model::depth; ++k) report.hidden_spikes += ws.acts[k].has_nz ? ws.acts[k].nz.size() : 0;
            for_each_nonzero(ws.output(), [&](std::uint32_t, float) { ++report.output_spikes; });
        }
    };

    if (threads <= 1 || K == 0) {
        for (std::uint64_t k = 0; k <= K; ++k) {
            if (k > 0) decay(params.data(), every);
            run_steps(params, interval_begin(k), interval_end(k));
        }
    } else {
        // Chunks of C intervals in two halves: while the model runs on chunk
        // r - 1's weights, the helper computes chunk r's (the decay needs
        // no activity). Each half holds C parameter vectors (about 4 MB in all).
        const std::size_t P = params.size();
        const std::uint64_t C = std::clamp<std::uint64_t>((std::size_t{1} << 19) / std::max<std::size_t>(P, 1), 1, 256);
        const std::uint64_t chunks = (K + 1 + C - 1) / C;
        std::array<std::vector<float>, 2> half{std::vector<float>(C * P), std::vector<float>(C * P)};
        std::vector<float> current(params.begin(), params.end());
        for (std::uint64_t r = 0; r <= chunks; ++r) {
            parallel_blocks(2, 2, [&](unsigned, std::size_t task, std::size_t) {
                if (task == 0 && r >= 1) {
                    const auto& h = half[(r - 1) % 2];
                    for (std::uint64_t k = (r - 1) * C; k < std::min(K + 1, r * C); ++k)
                        run_steps(std::span<const float>(h).subspan((k - (r - 1) * C) * P, P), interval_begin(k), interval_end(k));
                }
                if (task == 1 && r < chunks) {
                    auto& h = half[r % 2];
                    for (std::uint64_t k = r * C; k < std::min(K + 1, (r + 1) * C); ++k) {
                        if (k > 0) decay(current.data(), every);
                        std::copy(current.begin(), current.end(), h.begin() + std::ptrdiff_t((k - r * C) * P));
                    }
                }
            });
        }
        std::copy(current.begin(), current.end(), params.begin());
    }
    if (left > 0) decay(params.data(), left);
    return report;
}

} // namespace somnus::sg
