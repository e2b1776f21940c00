// SPDX-License-Identifier: MIT
// Modulation for the length of a phase: transmission gains per projection
// (Tadros et al. 2019 raise excitatory (AMPA) and lower inhibitory (GABA)
// currents in sleep), and neuron parameters (leak, time constants,
// thresholds, adaptation), which the network rebuilds its models from and
// restores, bit for bit, when the phase ends.
#pragma once

#include <cmath>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

/// Every excitatory projection's gain times `excitatory`, every inhibitory
/// one's times `inhibitory`.
struct scale_gains {
    struct params {
        float excitatory = 1.0f;
        float inhibitory = 1.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("excitatory", excitatory);
            f("inhibitory", inhibitory);
        }
    };
    params p{};

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.excitatory) && p.excitatory >= 0.0f && std::isfinite(p.inhibitory) && p.inhibitory >= 0.0f,
                        "scale_gains: factors must be finite and >= 0, got {} and {}", p.excitatory, p.inhibitory);
        for (auto& proj : c.projections) *proj.gain *= proj.sign == synapse_sign::excitatory ? p.excitatory : p.inhibitory;
    }
};

/// One projection's gain (by name, e.g. "inh_to_exc") times `factor`.
struct scale_gain {
    struct params {
        std::string_view projection = "input_to_exc";
        float factor = 1.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("projection", projection);
            f("factor", factor);
        }
    };
    params p{};

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.factor) && p.factor >= 0.0f, "scale_gain: factor must be finite and >= 0, got {}", p.factor);
        auto* proj = c.projection(p.projection);
        detail::require(proj != nullptr, "scale_gain: the network has no projection \"{}\"", p.projection);
        *proj->gain *= p.factor;
    }
};

/// Which neuron population a modulation acts on.
enum class population_kind { exc, inh };

/// Applies f to the params of one population's neuron model at the start
/// of the phase: f(params&) may change any field (a leak, a time constant,
/// a threshold). The network rebuilds the model from them and restores the
/// waking model after the phase.
template <class F, population_kind Which = population_kind::exc>
struct modulate_parameters {
    F f;

    template <class Context>
    void begin(Context& c)
    {
        if constexpr (Which == population_kind::exc) f(c.exc_params);
        else f(c.inh_params);
        c.models_changed = true;
    }
};

template <population_kind Which = population_kind::exc, class F>
modulate_parameters<F, Which> modulate(F f)
{
    return {std::move(f)};
}

/// The membrane leak of one population times `factor` (> 1 leaks faster):
/// tau_m_ms / factor, for any model whose params have tau_m_ms.
template <population_kind Which = population_kind::exc>
struct scale_leak {
    struct params {
        float factor = 1.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("factor", factor);
        }
    };
    params p{};

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.factor) && p.factor > 0.0f, "scale_leak: factor must be finite and > 0, got {}", p.factor);
        auto& q = [&]() -> auto& {
            if constexpr (Which == population_kind::exc) return c.exc_params;
            else return c.inh_params;
        }();
        static_assert(requires(std::remove_reference_t<decltype(q)>& x) { x.tau_m_ms /= 1.0f; },
                      "scale_leak: the neuron model's params have no tau_m_ms");
        q.tau_m_ms /= p.factor;
        c.models_changed = true;
    }
};

static_assert(sleep_mechanism<scale_gains>);
static_assert(sleep_mechanism<scale_gain>);

} // namespace somnus
