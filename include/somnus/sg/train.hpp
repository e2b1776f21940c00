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
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "adam.hpp"
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

/// What one batch gave.
struct batch_stats {
    double loss = 0.0;         ///< mse_count_loss of the batch
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
        for (const auto& s : batch) stats.steps = std::max(stats.steps, s.frames());
        const std::size_t T = stats.steps;
        const std::size_t n_in = model_.input_shape().size();
        for (const auto& s : batch) {
            detail::require(s.label < C, "trainer: label {} for a model of {} classes", s.label, C);
            detail::require(s.index.size() == s.value.size() && (s.offsets.empty() || s.offsets.back() == s.index.size()),
                            "trainer: a sample's frame lists do not match ({} offsets, {} indices, {} values)", s.offsets.size(),
                            s.index.size(), s.value.size());
            for (std::size_t t = 0; t < s.frames(); ++t) {
                detail::require(s.offsets[t] <= s.offsets[t + 1], "trainer: frame {} of a sample: offsets decrease", t);
                for (std::uint32_t e = s.offsets[t]; e < s.offsets[t + 1]; ++e)
                    detail::require(s.index[e] < n_in && (e == s.offsets[t] || s.index[e] > s.index[e - 1]),
                                    "trainer: frame {} of a sample: input index {} (of {}) out of order or range", t, s.index[e], n_in);
            }
        }
        if (workspaces_.size() < threads_) workspaces_.resize(threads_, model_.make_workspace(T));
        std::vector<double> sq(B, 0.0);
        std::vector<std::uint8_t> hit(B, 0);
        std::vector<std::uint64_t> spikes(B, 0);
        parallel_blocks(B, threads_, [&](unsigned worker, std::size_t begin, std::size_t end) {
            auto& ws = workspaces_[worker];
            std::vector<float> counts(C), g(C);
            for (std::size_t b = begin; b < end; ++b) {
                const auto& s = batch[b];
                model_.begin(ws);
                std::fill(counts.begin(), counts.end(), 0.0f);
                for (std::size_t t = 0; t < T; ++t) {
                    auto& in = ws.input();
                    in.clear();
                    if (t < s.frames())
                        for (std::uint32_t e = s.offsets[t]; e < s.offsets[t + 1]; ++e) in.push(s.index[e], s.value[e]);
                    model_.forward(params, ws, learn);
                    const auto& out = ws.output();
                    for (std::size_t c = 0; c < C; ++c) counts[c] += out.v[c];
                    for (std::size_t k = 1; k < Model::depth; ++k) spikes[b] += ws.acts[k].has_nz ? ws.acts[k].nz.size() : 0;
                }
                sq[b] = loss_.squared_error(counts, s.label, T);
                const std::size_t pred = predicted_class(counts);
                hit[b] = pred == s.label;
                if (!predictions.empty()) predictions[b] = pred;
                if (!learn) continue;
                loss_.gradient(counts, s.label, T, B, g);
                std::span<float> gp(grads_.data() + b * P, P);
                for (std::size_t t = T; t-- > 0;) model_.backward(params, ws, g, gp, t);
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

    static std::size_t tape_size(const typename Model::workspace& ws)
    {
        std::size_t bytes = 0;
        std::apply(
            [&](const auto&... w) {
                (
                    [&](const auto& x) {
                        if constexpr (requires { x.inputs.bytes(); }) bytes += x.inputs.bytes();
                        if constexpr (requires { x.history.capacity(); }) bytes += x.history.capacity() * sizeof(float);
                        if constexpr (requires { x.arg.capacity(); }) bytes += x.arg.capacity();
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
    std::size_t tape_bytes_ = 0;
};

} // namespace somnus::sg
