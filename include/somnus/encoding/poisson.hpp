// SPDX-License-Identifier: MIT
// Poisson rate encoder. Each input spikes in each step independently with
// probability p = rate dt (a Bernoulli process, as Brian's PoissonGroup), but
// the spikes are drawn as geometric gaps between successive spikes: one
// random draw per spike (plus one per active input) instead of one per input
// per step. A presentation is planned by begin() and bucketed by step, so
// emit() is a copy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

class poisson_encoder {
public:
    poisson_encoder(std::size_t n_inputs, float dt_ms) : n_(n_inputs), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "poisson_encoder: dt_ms must be positive, got {}", dt_ms);
    }

    std::size_t size() const { return n_; }
    float dt_ms() const { return dt_; }

    /// Plans `steps` steps of input at rates_hz (one rate per input, >= 0).
    void begin(std::span<const float> rates_hz, std::uint32_t steps, random_stream& rng)
    {
        detail::require(rates_hz.size() == n_, "poisson_encoder: {} rates given for {} inputs", rates_hz.size(), n_);
        events_.clear();
        for (std::size_t i = 0; i < n_; ++i) {
            const float r = rates_hz[i];
            detail::require(r >= 0.0f && r < std::numeric_limits<float>::infinity(),
                            "poisson_encoder: rate of input {} is {} Hz", i, r);
            if (r == 0.0f) continue;
            const double p = std::min(1.0, double(r) * double(dt_) * 1.0e-3);
            const double log_q = p < 1.0 ? std::log1p(-p) : 0.0;
            const auto gap_of = [&] { return p < 1.0 ? rng.geometric_log(log_q) : std::uint64_t{1}; };
            // Step of the first spike is (trials to first success) - 1.
            std::uint64_t t = gap_of() - 1;
            while (t < steps) {
                events_.push_back({static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(i)});
                const std::uint64_t gap = gap_of();
                if (gap >= steps) break;
                t += gap;
            }
        }
        // Counting sort by step; inputs stay in increasing order within a step.
        offsets_.assign(std::size_t(steps) + 1, 0);
        for (const auto& e : events_) ++offsets_[e.step + 1];
        for (std::size_t s = 0; s < steps; ++s) offsets_[s + 1] += offsets_[s];
        by_step_.resize(events_.size());
        cursor_.assign(offsets_.begin(), offsets_.end() - 1);
        for (const auto& e : events_) by_step_[cursor_[e.step]++] = e.input;
        steps_ = steps;
    }

    /// Appends the inputs that fire at `step` (steps past the plan emit nothing).
    void emit(std::uint32_t step, spike_list& out) const
    {
        if (step >= steps_) return;
        out.insert(out.end(), by_step_.begin() + offsets_[step], by_step_.begin() + offsets_[step + 1]);
    }

    /// Spikes planned for the current presentation.
    std::size_t planned_spikes() const { return by_step_.size(); }
    std::uint32_t steps() const { return steps_; }

private:
    struct event {
        std::uint32_t step, input;
    };
    std::size_t n_;
    float dt_;
    std::uint32_t steps_ = 0;
    std::vector<event> events_;
    std::vector<std::uint32_t> offsets_, cursor_, by_step_;
};

static_assert(rate_encoder<poisson_encoder>);

} // namespace somnus
