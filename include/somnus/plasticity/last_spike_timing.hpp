// SPDX-License-Identifier: MIT
// The nearest-spike pair rule of Massey, Hubin, Nichele & Saebo 2026
// (arXiv:2601.08447), as their code runs it (src/weight_funcs.py,
// spike_timing, at commit 40b7d33; DESIGN.md section 9a). With t_pre and
// t_post the times since each neuron last fired and lag = t_post - t_pre:
//   lag >= 0:  dw = +eta exp(-lag / tau_ltp)       lag < 0:  dw = -eta exp(lag / tau_ltd)
// for an excitatory presynaptic neuron (an inhibitory one gets -dw). Since
// lag >= 0 means the presynaptic spike is the more recent one, the code
// potentiates pre-after-post pairs and depresses causal ones, the reverse of
// textbook STDP; `convention` offers both (the code's made their data).
#pragma once

#include <cmath>
#include <string_view>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

/// Which pairs potentiate.
enum class timing_convention {
    pre_after_post = 0,   ///< Massey et al.'s code: the presynaptic spike after (or with) the postsynaptic one
    pre_before_post = 1,  ///< textbook STDP (Bi & Poo 1998): causal pairs potentiate
};

inline std::string_view to_string(timing_convention c)
{
    return c == timing_convention::pre_after_post ? "pre_after_post" : "pre_before_post";
}

struct last_spike_timing {
    struct params {
        float eta = 8.0e-4f;        ///< learning rate (theirs: 8e-4 for excitatory, 5e-3 for inhibitory presynaptic neurons)
        float tau_ltp_ms = 10.0f;   ///< time constant of the potentiating side
        float tau_ltd_ms = 7.5f;    ///< time constant of the depressing side
        timing_convention convention = timing_convention::pre_after_post;

        template <class F>
        void each_field(F&& f) const
        {
            f("eta", eta);
            f("tau_ltp_ms", tau_ltp_ms);
            f("tau_ltd_ms", tau_ltd_ms);
            f("convention", static_cast<int>(convention));
        }
    };
    params p{};

    last_spike_timing() = default;
    explicit last_spike_timing(params q) : p(q)
    {
        detail::require(std::isfinite(q.eta) && std::isfinite(q.tau_ltp_ms) && std::isfinite(q.tau_ltd_ms) && q.tau_ltp_ms > 0.0f &&
                            q.tau_ltd_ms > 0.0f,
                        "last_spike_timing: eta {} must be finite, tau_ltp_ms {} and tau_ltd_ms {} positive", q.eta, q.tau_ltp_ms,
                        q.tau_ltd_ms);
    }

    /// Weight change of a synapse from an excitatory neuron, for
    /// lag_ms = (time since the postsynaptic spike) - (time since the
    /// presynaptic spike).
    template <class V>
    V change(V lag_ms) const
    {
        const V lag = p.convention == timing_convention::pre_after_post ? lag_ms : V(0.0f) - lag_ms;
        const auto up = lag >= V(0.0f);
        const V ltp = V(p.eta) * simd::exp(V(0.0f) - lag / V(p.tau_ltp_ms));
        const V ltd = V(0.0f) - V(p.eta) * simd::exp(lag / V(p.tau_ltd_ms));
        return simd::select(up, ltp, ltd);
    }
};

static_assert(timing_rule<last_spike_timing>);

} // namespace somnus
