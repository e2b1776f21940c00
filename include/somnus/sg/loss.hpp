// SPDX-License-Identifier: MIT
// snnTorch's functional.mse_count_loss(correct_rate, incorrect_rate) and
// accuracy_rate, on output spike counts over T steps:
//   target[c] = int(T * correct_rate) for the sample's class, int(T * incorrect_rate) else
//   loss = mean over batch x classes of (count[c] - target[c])^2, divided by T
// so an all-silent network at T = 311 scores (248^2 + 9 * 62^2) / 10 / 311 = 30.90.
// Accuracy: the class with the most output spikes (the first on a tie, as
// torch.argmax).
// cross_entropy_spike_loss: torch.nn.CrossEntropyLoss applied to each step's
// output spikes as logits, summed over steps (Massey et al. 2026's SG
// control, snntorch/main.py):
//   loss = sum_t mean_b [ ln sum_c exp(S[t][b][c]) - S[t][b][label_b] ]
//   d loss / d S[t][b][c] = (softmax(S[t][b])[c] - [c = label_b]) / batch
// computed in double (torch: float) and handed to backpropagation as float.
// A loss is either a count loss (concept count_loss: a function of the
// counts over all steps, the same gradient at every step) or a step loss
// (concept step_loss: a sum over steps, a gradient per step).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>

#include "../core/error.hpp"

namespace somnus::sg {

struct mse_count_loss {
    double correct_rate = 0.8, incorrect_rate = 0.2;

    /// int(T * rate), in double as Python computes it.
    double target(bool correct, std::size_t steps) const
    {
        return std::floor(double(steps) * (correct ? correct_rate : incorrect_rate));
    }
    /// sum over classes of (count - target)^2 for one sample (the batch's
    /// loss is the sum over samples / (batch * classes * T)).
    double squared_error(std::span<const float> counts, std::size_t label, std::size_t steps) const
    {
        detail::require(label < counts.size(), "mse_count_loss: label {} of {} classes", label, counts.size());
        double s = 0.0;
        for (std::size_t c = 0; c < counts.size(); ++c) {
            const double d = double(counts[c]) - target(c == label, steps);
            s += d * d;
        }
        return s;
    }
    /// The batch's loss from the summed squared errors.
    static double mean(double summed, std::size_t batch, std::size_t classes, std::size_t steps)
    {
        return summed / double(batch * classes) / double(steps);
    }
    /// d loss / d count[c] of one sample in a batch of `batch`:
    /// 2 (count - target) / (batch * classes * T).
    void gradient(std::span<const float> counts, std::size_t label, std::size_t steps, std::size_t batch, std::span<float> g) const
    {
        const double scale = 2.0 / (double(batch) * double(counts.size()) * double(steps));
        for (std::size_t c = 0; c < counts.size(); ++c)
            g[c] = static_cast<float>(scale * (double(counts[c]) - target(c == label, steps)));
    }
};

/// snnTorch-style CE on each step's spikes, summed over steps; see the top
/// of the file.
struct cross_entropy_spike_loss {
    /// ln sum_c exp(out[c]) - out[label] for one step of one sample.
    double step_loss(std::span<const float> out, std::size_t label) const
    {
        detail::require(label < out.size(), "cross_entropy_spike_loss: label {} of {} classes", label, out.size());
        double m = out[0];
        for (const float x : out) m = std::max(m, double(x));
        double z = 0.0;
        for (const float x : out) z += exponent(double(x) - m);
        return std::log(z) + m - double(out[label]);
    }
    /// d loss / d out[c] for one step of one sample in a batch of `batch`.
    void step_gradient(std::span<const float> out, std::size_t label, std::size_t batch, std::span<float> g) const
    {
        double m = out[0];
        for (const float x : out) m = std::max(m, double(x));
        double z = 0.0;
        for (const float x : out) z += exponent(double(x) - m);
        const double scale = 1.0 / double(batch);
        for (std::size_t c = 0; c < out.size(); ++c)
            g[c] = static_cast<float>((exponent(double(out[c]) - m) / z - (c == label ? 1.0 : 0.0)) * scale);
    }
    /// The batch's loss from the summed per-sample losses: the sum over steps
    /// of each step's batch mean.
    static double mean(double summed, std::size_t batch, std::size_t, std::size_t) { return summed / double(batch); }

private:
    /// exp, with the two values binary spikes give (0 and -1 after the
    /// maximum is subtracted) computed once.
    static double exponent(double x)
    {
        static const double e_minus_1 = std::exp(-1.0);
        if (x == 0.0) return 1.0;
        if (x == -1.0) return e_minus_1;
        return std::exp(x);
    }
};

/// A loss over the output spike counts of all steps (its gradient is the
/// same at every step).
template <class L>
concept count_loss = requires(const L l, std::span<const float> counts, std::span<float> g, std::size_t n) {
    { l.squared_error(counts, n, n) } -> std::convertible_to<double>;
    l.gradient(counts, n, n, n, g);
    { L::mean(1.0, n, n, n) } -> std::convertible_to<double>;
};

/// A loss summed over steps, with a gradient for each step's outputs.
template <class L>
concept step_loss = requires(const L l, std::span<const float> out, std::span<float> g, std::size_t n) {
    { l.step_loss(out, n) } -> std::convertible_to<double>;
    l.step_gradient(out, n, n, g);
    { L::mean(1.0, n, n, n) } -> std::convertible_to<double>;
};

static_assert(count_loss<mse_count_loss> && !step_loss<mse_count_loss>);
static_assert(step_loss<cross_entropy_spike_loss> && !count_loss<cross_entropy_spike_loss>);

/// The predicted class: argmax of the counts, the first on a tie.
inline std::size_t predicted_class(std::span<const float> counts)
{
    std::size_t best = 0;
    for (std::size_t c = 1; c < counts.size(); ++c)
        if (counts[c] > counts[best]) best = c;
    return best;
}

} // namespace somnus::sg
