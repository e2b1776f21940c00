// SPDX-License-Identifier: MIT
// Additive pair-based STDP with exponential windows, trace formulation
// (Song, Miller & Abbott 2000; Morrison, Diesmann & Gerstner 2008):
//   on a pre spike:  w -= a_minus x_post      on a post spike: w += a_plus x_pre
// All-to-all pairing adds 1 to a trace per spike; nearest-spike pairing resets
// it to 1, so only the most recent spike of the partner counts.
#pragma once

#include "../core/concepts.hpp"

namespace somnus {

enum class pairing { all_to_all, nearest };

template <pairing Pairing>
struct pair_stdp {
    struct params {
        float tau_plus_ms = 20.0f;   ///< presynaptic trace (potentiation window)
        float tau_minus_ms = 20.0f;  ///< postsynaptic trace (depression window)
        float a_plus = 0.005f;
        float a_minus = 0.00525f;    ///< a_minus / a_plus = 1.05, as Song et al.

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("tau_plus_ms", tau_plus_ms);
            f("tau_minus_ms", tau_minus_ms);
            f("a_plus", a_plus);
            f("a_minus", a_minus);
        }
    };
    params p{};
    /// on_pre is -nu * post trace: zero onto neurons with no recent spike.
    static constexpr bool on_pre_needs_post_trace = true;

    static constexpr trace_bump bump = Pairing == pairing::all_to_all ? trace_bump::add : trace_bump::set;
    std::array<trace_spec, 1> pre_traces() const { return {trace_spec{p.tau_plus_ms, bump}}; }
    std::array<trace_spec, 1> post_traces() const { return {trace_spec{p.tau_minus_ms, bump}}; }

    template <class V>
    V on_pre(V, const traces<V, 1>&, const traces<V, 1>& post) const { return V(-p.a_minus) * post[0]; }
    template <class V>
    V on_post(V, const traces<V, 1>& pre, const traces<V, 1>&) const { return V(p.a_plus) * pre[0]; }
};

using pair_stdp_all_to_all = pair_stdp<pairing::all_to_all>;
using pair_stdp_nearest = pair_stdp<pairing::nearest>;

static_assert(plasticity_rule<pair_stdp_all_to_all>);
static_assert(plasticity_rule<pair_stdp_nearest>);

} // namespace somnus
