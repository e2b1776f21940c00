// SPDX-License-Identifier: MIT
// snnTorch's functional.mse_count_loss(correct_rate, incorrect_rate) and
// accuracy_rate, on output spike counts over T steps:
//   target[c] = int(T * correct_rate) for the sample's class, int(T * incorrect_rate) else
//   loss = mean over batch x classes of (count[c] - target[c])^2, divided by T
// so an all-silent network at T = 311 scores (248^2 + 9 * 62^2) / 10 / 311 = 30.90.
// Accuracy: the class with the most output spikes (the first on a tie, as
// torch.argmax).
#pragma once

#include <cmath>
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

/// The predicted class: argmax of the counts, the first on a tie.
inline std::size_t predicted_class(std::span<const float> counts)
{
    std::size_t best = 0;
    for (std::size_t c = 1; c < counts.size(); ++c)
        if (counts[c] > counts[best]) best = c;
    return best;
}

} // namespace somnus::sg
