// SPDX-License-Identifier: MIT
// Multiplicative synaptic scaling toward a target firing rate (Turrigiano et
// al. 1998; van Rossum, Bi & Turrigiano 2000): each neuron keeps a running
// estimate r of its rate (exponential average with tau_avg_ms) and after each
// presentation scales all its incoming weights by
//   1 + eta (r_target - r) / r_target      (never below 0)
// so neurons that fire too little grow their inputs and vice versa. Every
// plastic projection onto the layer is scaled (layer_ref::incoming).
#pragma once

#include <cmath>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../synapse/rows.hpp"
#include "normalize_incoming.hpp"

namespace somnus {

struct synaptic_scaling {
    struct params {
        float target_rate_hz = 5.0f;
        float eta = 0.01f;
        double tau_avg_ms = 10000.0;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("target_rate_hz", target_rate_hz);
            f("eta", eta);
            f("tau_avg_ms", tau_avg_ms);
        }
    };
    params p{};

    synaptic_scaling() = default;
    explicit synaptic_scaling(params q) : p(q)
    {
        detail::require(q.target_rate_hz > 0.0f, "synaptic_scaling: target_rate_hz must be positive, got {}", q.target_rate_hz);
        detail::require(q.tau_avg_ms > 0.0, "synaptic_scaling: tau_avg_ms must be positive, got {}", q.tau_avg_ms);
    }


    void after_presentation(layer_ref layer, double ms)
    {
        const std::size_t n = layer.spike_counts.size();
        if (rate_hz_.size() != n) {
            rate_hz_ = make_vector(n, p.target_rate_hz);
            factor_ = make_vector(n);
        }
        if (ms <= 0.0) return;
        const auto a = static_cast<float>(1.0 - std::exp(-ms / p.tau_avg_ms));
        for (std::size_t j = 0; j < n; ++j) {
            const float observed = static_cast<float>(layer.spike_counts[j] * 1000.0 / ms);
            rate_hz_[j] += a * (observed - rate_hz_[j]);
            const float f = 1.0f + p.eta * (p.target_rate_hz - rate_hz_[j]) / p.target_rate_hz;
            factor_[j] = f > 0.0f ? f : 0.0f;
        }
        // Every plastic projection onto the layer (absent synapses of a
        // sparse one are 0 and stay 0).
        if (layer.incoming.empty()) detail::scale_columns(layer.w_in, factor_.data());
        for (auto& proj : layer.incoming) {
            if (!proj.values.empty()) {
                for (std::size_t k = 0; k < proj.values.size(); ++k) proj.values[k] *= factor_[proj.value_post[k]];
            } else if (proj.weights != nullptr) {
                detail::scale_columns(*proj.weights, factor_.data());
            }
            for (std::size_t j = 0; j < proj.changed.size(); ++j)
                if (factor_[j] != 1.0f) proj.changed[j] = 1;
        }
        for (std::size_t j = 0; j < layer.changed.size(); ++j)
            if (factor_[j] != 1.0f) layer.changed[j] = 1;
    }

    /// Each neuron's running rate estimate (Hz).
    const vector_f& rates_hz() const { return rate_hz_; }

private:
    vector_f rate_hz_, factor_;
};

static_assert(homeostasis_rule<synaptic_scaling>);

} // namespace somnus
