// SPDX-License-Identifier: MIT
// Batches through a sequential model: one training step (forward over T
// steps, the loss, backward through time, Adam) and evaluation. The samples
// of a batch are split over threads; each sample's gradient goes to its own
// buffer and the buffers are summed in sample order, so the result is the
// same bits for any thread count. A batch runs for as many steps as its
// longest sample, the others padded with empty frames (as a padded
// DataLoader batch in snnTorch's tutorial 7).
//
// A sample is its frames as sparse lists (frame_sample): frame t holds the
// non-zero inputs index[offsets[t] .. offsets[t+1]) with their values, the
// indices increasing, channels-last like every activation.
//
// Or, for a model whose first layer is linear, a static sample: one dense
// input (an image) presented at every one of `steps` steps, as a snnTorch
// loop that feeds the same x every step. The first layer then runs once
// per sample (its output is the same every step), the rest per step, and
// backpropagation sums the gradient at the first layer's output over the
// steps before one outer product with the input: the bias gradient is the
// same bits as feeding the frame every step (the same sums in the same
// order), the weight gradient x (sum_t g_t) instead of sum_t x g_t, equal up
// to float rounding; everything else (spikes, loss, the other layers'
// gradients) is the same bits (tests/sg). The first layer's gradient is
// summed over the batch per input row, in sample order.
//
// The loss is a count loss (mse_count_loss: one gradient for every step) or
// a step loss (cross_entropy_spike_loss: each step's outputs recorded and
// given their own gradient); loss.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "adam.hpp"
#include "kernels.hpp"
#include "linear.hpp"
#include "loss.hpp"
#include "sequential.hpp"

namespace somnus::sg {

struct frame_sample {
    std::span<const std::uint32_t> offsets;  ///< frames + 1 entries
    std::span<const std::uint32_t> index;
    std::span<const float> value;
    std::size_t label = 0;

    std::size_t frames() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

/// One dense input of the model's input size, shown at every step.
struct static_sample {
    std::span<const float> input;
    std::size_t label = 0;
};

/// What one batch gave.
struct batch_stats {
    double loss = 0.0;         ///< the loss of the batch (Loss::mean of the per-sample sums)
    std::size_t correct = 0;   ///< samples whose predicted class is the label
    std::size_t samples = 0;
    std::size_t steps = 0;     ///< T: the longest sample's frames
    std::uint64_t hidden_spikes = 0;  ///< non-zero outputs of every layer but the last, all samples and steps
    double accuracy() const { return samples ? double(correct) / double(samples) : 0.0; }
};

template <class Model, class Loss = mse_count_loss>
class trainer {
public:
    trainer(const Model& model, unsigned threads, Loss loss = {}) : model_(model), loss_(loss), threads_(std::max(1u, threads)) {}

    /// One Adam step on the batch.
    batch_stats train_step(std::span<float> params, adam& opt, std::span<const frame_sample> batch)
    {
        const std::size_t P = model_.parameter_count();
        detail::require(params.size() == P, "trainer: {} parameters for a model of {}", params.size(), P);
        grads_.assign(batch.size() * P, 0.0f);
        auto stats = run(params, batch, true);
        total_.assign(P, 0.0f);
        for (std::size_t b = 0; b < batch.size(); ++b) {
            const float* g = grads_.data() + b * P;
            for (std::size_t i = 0; i < P; ++i) total_[i] += g[i];
        }
        opt.step(params, total_);
        return stats;
    }

    /// The batch's loss and accuracy without learning; predictions[b] gets
    /// sample b's class when given.
    batch_stats evaluate(std::span<const float> params, std::span<const frame_sample> batch, std::span<std::size_t> predictions = {})
    {
        detail::require(predictions.empty() || predictions.size() == batch.size(), "trainer::evaluate: {} predictions for {} samples",
                        predictions.size(), batch.size());
        return run(params, batch, false, predictions);
    }

    /// One Adam step on a batch of static samples, each shown for `steps`
    /// steps (see the top of the file; the model's first layer is linear).
    batch_stats train_step(std::span<float> params, adam& opt, std::span<const static_sample> batch, std::size_t steps)
    {
        const std::size_t P = model_.parameter_count();
        detail::require(params.size() == P, "trainer: {} parameters for a model of {}", params.size(), P);
        auto stats = run_static(params, batch, steps, true);
        reduce_static(batch);
        opt.step(params, total_);
        return stats;
    }

    /// The loss and accuracy of static samples without learning.
    batch_stats evaluate(std::span<const float> params, std::span<const static_sample> batch, std::size_t steps,
                         std::span<std::size_t> predictions = {})
    {
        detail::require(predictions.empty() || predictions.size() == batch.size(), "trainer::evaluate: {} predictions for {} samples",
                        predictions.size(), batch.size());
        return run_static(params, batch, steps, false, predictions);
    }

    /// Steps a new workspace's tapes are reserved for (a real N-MNIST
    /// recording is about 310 frames); longer batches grow them.
    static constexpr std::size_t workspace_reserve_steps = 1024;

    /// The summed gradient of the last train_step (before Adam used it).
    std::span<const float> last_gradient() const { return total_; }
    /// The tape of one sample of the last batch, in bytes, for one thread.
    std::size_t tape_bytes() const { return tape_bytes_; }

private:
    batch_stats run(std::span<const float> params, std::span<const frame_sample> batch, bool learn, std::span<std::size_t> predictions = {})
    {
        const std::size_t B = batch.size(), P = model_.parameter_count(), C = model_.output_shape().size();
        batch_stats stats;
        stats.samples = B;
        const std::size_t n_in = model_.input_shape().size();
        for (std::size_t b = 0; b < B; ++b) check_sample(batch[b], b, n_in, C);
        for (const auto& s : batch) stats.steps = std::max(stats.steps, s.frames());
        const std::size_t T = stats.steps;
        // Reserved for at most workspace_reserve_steps: one long first batch
        // must not size every thread's tapes (they grow if a batch needs it).
        if (workspaces_.size() < threads_) workspaces_.resize(threads_, model_.make_workspace(std::min(T, workspace_reserve_steps)));
        std::vector<double> sq(B, 0.0);
        std::vector<std::uint8_t> hit(B, 0);
        std::vector<std::uint64_t> spikes(B, 0);
        parallel_blocks(B, threads_, [&](unsigned worker, std::size_t begin, std::size_t end) {
            auto& ws = workspaces_[worker];
            std::vector<float> counts(C), outputs, g_steps;
            for (std::size_t b = begin; b < end; ++b) {
                const auto& s = batch[b];
                model_.begin(ws);
                std::fill(counts.begin(), counts.end(), 0.0f);
                outputs.resize(T * C);
                for (std::size_t t = 0; t < T; ++t) {
                    auto& in = ws.input();
                    in.clear();
                    if (t < s.frames())
                        for (std::uint32_t e = s.offsets[t]; e < s.offsets[t + 1]; ++e) in.push(s.index[e], s.value[e]);
                    model_.forward(params, ws, learn);
                    const auto& out = ws.output();
                    for (std::size_t c = 0; c < C; ++c) counts[c] += out.v[c];
                    std::copy(out.v.begin(), out.v.end(), outputs.begin() + std::ptrdiff_t(t * C));
                    for (std::size_t k = 1; k < Model::depth; ++k) spikes[b] += ws.acts[k].has_nz ? ws.acts[k].nz.size() : 0;
                }
                sq[b] = sample_loss(outputs, counts, s.label, T);
                const std::size_t pred = predicted_class(counts);
                hit[b] = pred == s.label;
                if (!predictions.empty()) predictions[b] = pred;
                if (!learn) continue;
                output_gradients(outputs, counts, s.label, T, B, g_steps);
                std::span<float> gp(grads_.data() + b * P, P);
                for (std::size_t t = T; t-- > 0;) model_.backward(params, ws, std::span<const float>(g_steps).subspan(t * C, C), gp, t);
                if (worker == 0) tape_bytes_ = tape_size(ws);
            }
        });
        double summed = 0.0;
        for (std::size_t b = 0; b < B; ++b) {
            summed += sq[b];
            stats.correct += hit[b];
            stats.hidden_spikes += spikes[b];
        }
        stats.loss = B && T ? Loss::mean(summed, B, C, T) : 0.0;
        return stats;
    }

    batch_stats run_static(std::span<const float> params, std::span<const static_sample> batch, std::size_t steps, bool learn,
                           std::span<std::size_t> predictions = {})
    {
        using first_layer = std::remove_cvref_t<decltype(model_.template layer_at<0>())>;
        static_assert(std::is_same_v<first_layer, linear>, "trainer: static samples need a model whose first layer is sg::linear");
        const std::size_t B = batch.size(), P = model_.parameter_count(), C = model_.output_shape().size(), T = steps;
        const std::size_t n_in = model_.input_shape().size(), n1 = model_.shape(1).size(), R = P - model_.parameter_offset(1);
        detail::require(params.size() == P, "trainer: {} parameters for a model of {}", params.size(), P);
        detail::require(T > 0, "trainer: static samples need at least one step, got {}", T);
        for (std::size_t b = 0; b < B; ++b) check_sample(batch[b], b, n_in, C);
        batch_stats stats;
        stats.samples = B;
        stats.steps = T;
        if (learn) {
            rest_blocks_.resize(B);
            first_grads_.assign(B * n1, 0.0f);
        }
        if (workspaces_.size() < threads_) workspaces_.resize(threads_, model_.make_workspace(std::min(T, workspace_reserve_steps)));
        std::vector<double> losses(B, 0.0);
        std::vector<std::uint8_t> hit(B, 0);
        std::vector<std::uint64_t> spikes(B, 0);
        if (first_out_.size() < threads_) first_out_.resize(threads_);
        // Each worker backpropagates into its own zeroed scratch (in cache),
        // then keeps of it only the 16-value blocks that are not all zero.
        const std::size_t R_pad = (R + gradient_block - 1) / gradient_block * gradient_block;
        if (rest_scratch_.size() < threads_) rest_scratch_.resize(threads_);
        for (auto& sc : rest_scratch_)
            if (sc.size() != R_pad) sc.assign(R_pad, 0.0f);
        parallel_blocks(B, threads_, [&](unsigned worker, std::size_t begin, std::size_t end) {
            auto& ws = workspaces_[worker];
            if (learn) model_.prepare(params, ws);
            std::vector<float> counts(C), outputs(T * C), g_steps;
            // The first layer's outputs of the whole block at once (the same
            // bits as its forward() sample by sample).
            auto& first_out = first_out_[worker];
            std::vector<float> inputs((end - begin) * n_in);
            for (std::size_t b = begin; b < end; ++b) std::copy(batch[b].input.begin(), batch[b].input.end(), inputs.begin() + std::ptrdiff_t((b - begin) * n_in));
            first_out.resize((end - begin) * n1);
            model_.template layer_at<0>().forward_batch(params.data(), inputs.data(), end - begin, first_out.data());
            for (std::size_t b = begin; b < end; ++b) {
                const auto& s = batch[b];
                model_.begin(ws);
                auto& a1 = ws.acts[1];
                std::copy(first_out.begin() + std::ptrdiff_t((b - begin) * n1), first_out.begin() + std::ptrdiff_t((b - begin + 1) * n1), a1.v.begin());
                a1.nz.clear();
                a1.has_nz = false;
                std::fill(counts.begin(), counts.end(), 0.0f);
                for (std::size_t t = 0; t < T; ++t) {
                    model_.forward_layers(params, ws, 1, learn);
                    const auto& out = ws.output();
                    for (std::size_t c = 0; c < C; ++c) counts[c] += out.v[c];
                    std::copy(out.v.begin(), out.v.end(), outputs.begin() + std::ptrdiff_t(t * C));
                    for (std::size_t k = 1; k < Model::depth; ++k) spikes[b] += ws.acts[k].has_nz ? ws.acts[k].nz.size() : 0;
                }
                losses[b] = sample_loss(outputs, counts, s.label, T);
                const std::size_t pred = predicted_class(counts);
                hit[b] = pred == s.label;
                if (!predictions.empty()) predictions[b] = pred;
                if (!learn) continue;
                output_gradients(outputs, counts, s.label, T, B, g_steps);
                auto& scratch = rest_scratch_[worker];
                model_.backward_steps(params, ws, g_steps, std::span<float>(scratch).first(R), 1);
                keep_nonzero_blocks(scratch, rest_blocks_[b]);
                // The gradient at the first layer's output, summed over steps
                // in backpropagation's order (t = T-1 ... 0, as its bias gradient).
                float* total = first_grads_.data() + b * n1;
                const float* g1 = ws.step_grads[1].data();
                for (std::size_t t = T; t-- > 0;) add(n1, g1 + t * n1, total);
                if (worker == 0) tape_bytes_ = tape_size(ws);
            }
        });
        double summed = 0.0;
        for (std::size_t b = 0; b < B; ++b) {
            summed += losses[b];
            stats.correct += hit[b];
            stats.hidden_spikes += spikes[b];
        }
        stats.loss = B ? Loss::mean(summed, B, C, T) : 0.0;
        return stats;
    }

    /// The checks of a batch, once per call before any sample runs (the
    /// kernels then trust every index and value): a config_error naming
    /// sample b and what is wrong with it.
    static void check_sample(const frame_sample& s, std::size_t b, std::size_t n_in, std::size_t C)
    {
        detail::require(s.label < C, "trainer: sample {}: label {} for a model of {} classes", b, s.label, C);
        detail::require(s.index.size() == s.value.size(), "trainer: sample {}: {} input indices but {} values", b, s.index.size(),
                        s.value.size());
        if (s.offsets.empty()) {
            detail::require(s.index.empty(), "trainer: sample {}: {} entries but no frame offsets", b, s.index.size());
            return;
        }
        detail::require(s.offsets.front() == 0 && s.offsets.back() == s.index.size(),
                        "trainer: sample {}: frame offsets run from {} to {}, not from 0 to its {} entries", b, s.offsets.front(),
                        s.offsets.back(), s.index.size());
        // Every offset first, so that no frame's entries are read past the end.
        for (std::size_t t = 0; t < s.frames(); ++t)
            detail::require(s.offsets[t] <= s.offsets[t + 1], "trainer: sample {}: frame {}: offsets decrease ({} then {})", b, t,
                            s.offsets[t], s.offsets[t + 1]);
        for (std::size_t t = 0; t < s.frames(); ++t)
            for (std::uint32_t e = s.offsets[t]; e < s.offsets[t + 1]; ++e) {
                detail::require(s.index[e] < n_in, "trainer: sample {}: frame {}: input index {} outside the model's {} inputs", b, t,
                                s.index[e], n_in);
                detail::require(e == s.offsets[t] || s.index[e] > s.index[e - 1],
                                "trainer: sample {}: frame {}: input indices not increasing ({} after {})", b, t, s.index[e],
                                s.index[e - 1]);
                detail::require(std::isfinite(s.value[e]), "trainer: sample {}: frame {}: input {} has the value {} (must be finite)", b,
                                t, s.index[e], s.value[e]);
            }
    }

    static void check_sample(const static_sample& s, std::size_t b, std::size_t n_in, std::size_t C)
    {
        detail::require(s.label < C, "trainer: sample {}: label {} for a model of {} classes", b, s.label, C);
        detail::require(s.input.size() == n_in, "trainer: sample {}: {} values for a model of {} inputs", b, s.input.size(), n_in);
        for (std::size_t i = 0; i < n_in; ++i)
            detail::require(std::isfinite(s.input[i]), "trainer: sample {}: input {} has the value {} (must be finite)", b, i, s.input[i]);
    }

    /// total_ from the static path's per-sample gradients, summed in sample
    /// order: the first layer's bias from the summed output gradients, its
    /// weight row i from x[i] times them (samples with x[i] = 0 add
    /// nothing), the other layers' from their own buffers. Rows are split
    /// over the threads; each is summed whole by one.
    void reduce_static(std::span<const static_sample> batch)
    {
        const std::size_t B = batch.size(), P = model_.parameter_count(), n_in = model_.input_shape().size(),
                          n1 = model_.shape(1).size(), P0 = model_.parameter_offset(1), R = P - P0;
        total_.assign(P, 0.0f);
        // For each input, the samples where it is not zero, in sample order.
        column_offsets_.assign(n_in + 1, 0);
        for (const auto& s : batch)
            for (std::size_t i = 0; i < n_in; ++i) column_offsets_[i + 1] += s.input[i] != 0.0f;
        for (std::size_t i = 0; i < n_in; ++i) column_offsets_[i + 1] += column_offsets_[i];
        column_sample_.resize(column_offsets_[n_in]);
        column_value_.resize(column_offsets_[n_in]);
        std::vector<std::size_t> fill(column_offsets_.begin(), column_offsets_.end() - 1);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t i = 0; i < n_in; ++i)
                if (batch[b].input[i] != 0.0f) {
                    column_sample_[fill[i]] = static_cast<std::uint32_t>(b);
                    column_value_[fill[i]++] = batch[b].input[i];
                }
        // Tasks: n_in weight rows, then the bias, then the other layers in
        // runs of about n1 values.
        const std::size_t blocks = (R + gradient_block - 1) / gradient_block, per_task = (n1 + gradient_block - 1) / gradient_block;
        const std::size_t tasks = n_in + 1 + (blocks + per_task - 1) / per_task;
        parallel_blocks(tasks, threads_, [&](unsigned, std::size_t begin, std::size_t end) {
            for (std::size_t task = begin; task < end; ++task) {
                if (task < n_in) {
                    weight_row(task);
                } else if (task == n_in) {
                    float* bias = total_.data() + n_in * n1;
                    for (std::size_t b = 0; b < B; ++b) add(n1, first_grads_.data() + b * n1, bias);
                } else {
                    // Blocks [from, to) of the other layers, sample after sample.
                    const std::size_t per_task = (n1 + gradient_block - 1) / gradient_block;
                    const std::size_t from = (task - n_in - 1) * per_task, to = from + per_task;
                    for (std::size_t b = 0; b < B; ++b) {
                        const auto& kb = rest_blocks_[b];
                        auto e = std::lower_bound(kb.index.begin(), kb.index.end(), static_cast<std::uint32_t>(from));
                        for (; e != kb.index.end() && *e < to; ++e) {
                            const std::size_t k = std::size_t(e - kb.index.begin()), at = std::size_t{*e} * gradient_block;
                            const std::size_t count = std::min(gradient_block, R - at);
                            add(count, kb.value.data() + k * gradient_block, total_.data() + P0 + at);
                        }
                    }
                }
            }
        });
    }

    /// A sample's gradient of the layers after the first as the blocks of
    /// gradient_block values that are not all zero (a layer fed by spikes
    /// touches few weight rows); the sum over samples skips the others,
    /// which would have added zeros: the same bits as dense buffers.
    struct kept_blocks {
        std::vector<std::uint32_t> index;
        std::vector<float> value;
    };
    static constexpr std::size_t gradient_block = simd::width >= 16 ? simd::width : 16;

    /// Moves the non-zero blocks of scratch into kept and zeroes them there.
    static void keep_nonzero_blocks(std::vector<float>& scratch, kept_blocks& kept)
    {
        kept.index.clear();
        kept.value.clear();
        const std::size_t blocks = scratch.size() / gradient_block;
        for (std::size_t k = 0; k < blocks; ++k) {
            float* x = scratch.data() + k * gradient_block;
            bool any = false;
            for (std::size_t j = 0; j < gradient_block; j += simd::width)
                any |= simd::any(simd::load<simd::batch>(x + j) != simd::batch(0.0f));
            if (!any) continue;
            kept.index.push_back(static_cast<std::uint32_t>(k));
            kept.value.insert(kept.value.end(), x, x + gradient_block);
            std::fill(x, x + gradient_block, 0.0f);
        }
    }

    /// Row i of the first layer's weight gradient: sum over the samples
    /// where x[i] != 0, in sample order, of x[i] times the sample's summed
    /// output gradient; 64 outputs at a time in registers (each value the
    /// same bits as one axpy per sample).
    void weight_row(std::size_t i)
    {
        const std::size_t n1 = model_.shape(1).size();
        float* row = total_.data() + i * n1;
        const std::size_t e0 = column_offsets_[i], e1 = column_offsets_[i + 1];
        const float* g = first_grads_.data();
        using V = simd::batch;
        constexpr std::size_t W = simd::width;
        std::size_t o = 0;
        for (; o + 4 * W <= n1; o += 4 * W) {
            V a0(0.0f), a1(0.0f), a2(0.0f), a3(0.0f);
            for (std::size_t e = e0; e < e1; ++e) {
                const V x(column_value_[e]);
                const float* t = g + std::size_t{column_sample_[e]} * n1 + o;
                a0 = a0 + x * simd::load<V>(t);
                a1 = a1 + x * simd::load<V>(t + W);
                a2 = a2 + x * simd::load<V>(t + 2 * W);
                a3 = a3 + x * simd::load<V>(t + 3 * W);
            }
            simd::store(row + o, a0);
            simd::store(row + o + W, a1);
            simd::store(row + o + 2 * W, a2);
            simd::store(row + o + 3 * W, a3);
        }
        for (std::size_t e = e0; e < e1; ++e) axpy(n1 - o, column_value_[e], g + std::size_t{column_sample_[e]} * n1 + o, row + o);
    }

    /// The sample's loss: its squared error (count loss) or its per-step
    /// losses summed (step loss).
    double sample_loss(std::span<const float> outputs, std::span<const float> counts, std::size_t label, std::size_t T) const
    {
        if constexpr (step_loss<Loss>) {
            const std::size_t C = counts.size();
            double sum = 0.0;
            for (std::size_t t = 0; t < T; ++t) sum += loss_.step_loss(outputs.subspan(t * C, C), label);
            return sum;
        } else {
            return loss_.squared_error(counts, label, T);
        }
    }

    /// d loss / d output of every step, [t][class].
    void output_gradients(std::span<const float> outputs, std::span<const float> counts, std::size_t label, std::size_t T, std::size_t B,
                          std::vector<float>& g) const
    {
        const std::size_t C = counts.size();
        g.resize(T * C);
        if constexpr (step_loss<Loss>) {
            for (std::size_t t = 0; t < T; ++t) loss_.step_gradient(outputs.subspan(t * C, C), label, B, std::span<float>(g).subspan(t * C, C));
        } else {
            loss_.gradient(counts, label, T, B, std::span<float>(g).first(C));
            for (std::size_t t = 1; t < T; ++t) std::copy(g.begin(), g.begin() + std::ptrdiff_t(C), g.begin() + std::ptrdiff_t(t * C));
        }
    }

    static std::size_t tape_size(const typename Model::workspace& ws)
    {
        std::size_t bytes = 0;
        std::apply(
            [&](const auto&... w) {
                (
                    [&](const auto& x) {
                        if constexpr (work_with_tape_bytes<std::remove_cvref_t<decltype(x)>>) bytes += x.tape_bytes();
                    }(w),
                    ...);
            },
            ws.work);
        return bytes;
    }

    const Model& model_;
    Loss loss_;
    unsigned threads_;
    std::vector<typename Model::workspace> workspaces_;
    std::vector<float> grads_, total_;
    std::vector<float> first_grads_, column_value_;  ///< static path
    std::vector<kept_blocks> rest_blocks_;            ///< static path: per sample
    std::vector<std::vector<float>> rest_scratch_;    ///< static path: per worker
    std::vector<std::vector<float>> first_out_;                   ///< static path: per worker
    std::vector<std::size_t> column_offsets_;
    std::vector<std::uint32_t> column_sample_;
    std::size_t tape_bytes_ = 0;
};

} // namespace somnus::sg
