// SPDX-License-Identifier: MIT
// Adaptive threshold of Diehl & Cook 2015: every spike raises the neuron's
// threshold offset theta by theta_plus; theta decays with tau_theta:
//   dtheta/dt = -theta / tau_theta,   theta += theta_plus on each spike.
// With tau_theta = 1e7 ms a step's decay (5e-8 relative) is below float
// resolution, so the decay is applied in closed form once per presentation;
// within one 500 ms presentation it moves theta by less than 0.005 %.
#pragma once

#include <cmath>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

struct adaptive_threshold {
    struct params {
        float theta_plus_mV = 0.05f;
        double tau_theta_ms = 1.0e7;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("theta_plus_mV", theta_plus_mV);
            f("tau_theta_ms", tau_theta_ms);
        }
    };
    params p{};
    /// on_spikes() moves thresholds only (core/concepts.hpp).
    static constexpr bool leaves_weights_on_spikes = true;

    adaptive_threshold() = default;
    explicit adaptive_threshold(params q) : p(q)
    {
        detail::require(q.tau_theta_ms > 0.0, "adaptive_threshold: tau_theta_ms must be positive, got {}", q.tau_theta_ms);
    }


    void on_spikes(layer_ref layer, std::span<const std::uint32_t> spikes)
    {
        if (layer.theta == nullptr) return;
        float* theta = layer.theta->data();
        for (const auto j : spikes) theta[j] += p.theta_plus_mV;
    }

    void after_presentation(layer_ref layer, double ms)
    {
        if (layer.theta == nullptr) return;
        const auto keep = static_cast<float>(std::exp(-ms / p.tau_theta_ms));
        for (auto& t : *layer.theta) t *= keep;
    }
};

static_assert(homeostasis_rule<adaptive_threshold>);

} // namespace somnus
