// SPDX-License-Identifier: MIT
// Power-law weight-dependent STDP of Diehl & Cook 2015 (their eq. for the
// "pre-and-post" comparison, after Querlioz et al. 2013), used by Capozzi et al.:
//   on a post spike: dw = eta (x_pre - x_tar) (w_max - w)^mu
// x_pre grows by 1 per presynaptic spike and decays with tau_pre_ms; a
// synapse whose input was recent (x_pre > x_tar) is potentiated, a silent one
// depressed. The papers give the form, not the numbers: the defaults below
// are illustrative and every experiment states the values it used.
#pragma once

#include "../core/concepts.hpp"

namespace somnus {

struct power_law {
    struct params {
        float tau_pre_ms = 20.0f;
        float eta = 0.01f;
        float x_tar = 0.4f;
        float w_max = 1.0f;
        float mu = 0.2f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("tau_pre_ms", tau_pre_ms);
            f("eta", eta);
            f("x_tar", x_tar);
            f("w_max", w_max);
            f("mu", mu);
        }
    };
    params p{};
    /// on_pre is zero everywhere: a presynaptic spike only transmits.
    static constexpr bool on_pre_needs_post_trace = true;

    std::array<trace_spec, 1> pre_traces() const { return {trace_spec{p.tau_pre_ms, trace_bump::add}}; }
    std::array<trace_spec, 0> post_traces() const { return {}; }

    template <class V>
    V on_pre(V, const traces<V, 1>&, const traces<V, 0>&) const { return V(0.0f); }
    template <class V>
    V on_post(V w, const traces<V, 1>& pre, const traces<V, 0>&) const
    {
        // Above w_max the base would be negative; the bound is reached, so no growth.
        const V room = simd::max(V(p.w_max) - w, V(0.0f));
        return V(p.eta) * (pre[0] - V(p.x_tar)) * simd::pow(room, V(p.mu));
    }
};

static_assert(plasticity_rule<power_law>);

} // namespace somnus
