// SPDX-License-Identifier: MIT
// Adaptive exponential integrate-and-fire, Brette & Gerstner 2005
// (J. Neurophysiol. 94:3637), defaults from their Table 1:
//   C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w + I
//   tau_w dw/dt = a (V - E_L) - w
//   if V > V_peak: V = V_reset, w += b.
// Units: pF, nS, mV, ms, pA (pA / pF = mV / ms). Forward Euler; the exponent is
// capped so that a single step cannot overflow. I = i_bias + i_syn, where
// synapses add to i_syn, which decays with tau_syn_ms (0: lasts one step).
#pragma once

#include <cmath>
#include <cstddef>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "relax.hpp"

namespace somnus {

struct adex {
    struct params {
        float c_pF = 281.0f;
        float g_l_nS = 30.0f;
        float e_l_mV = -70.6f;
        float v_t_mV = -50.4f;
        float delta_t_mV = 2.0f;
        float tau_w_ms = 144.0f;
        float a_nS = 4.0f;
        float b_pA = 80.5f;
        float v_reset_mV = -70.6f;
        float v_peak_mV = 20.0f;
        float refractory_ms = 0.0f;
        float i_bias_pA = 0.0f;
        float tau_syn_ms = 5.0f;
        /// Largest exponent (V - V_T)/Delta_T evaluated; above it V is past
        /// the peak within one step anyway.
        float max_exponent = 20.0f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("c_pF", c_pF);
            f("g_l_nS", g_l_nS);
            f("e_l_mV", e_l_mV);
            f("v_t_mV", v_t_mV);
            f("delta_t_mV", delta_t_mV);
            f("tau_w_ms", tau_w_ms);
            f("a_nS", a_nS);
            f("b_pA", b_pA);
            f("v_reset_mV", v_reset_mV);
            f("v_peak_mV", v_peak_mV);
            f("refractory_ms", refractory_ms);
            f("i_bias_pA", i_bias_pA);
            f("tau_syn_ms", tau_syn_ms);
            f("max_exponent", max_exponent);
        }
    };

    struct state {
        vector_f v, w, i_syn, since_spike_ms;
        std::size_t size() const { return v.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 4> fields()
        {
            return {state_field{"v", &v},
                state_field{"w", &w},
                state_field{"i_syn", &i_syn},
                state_field{"since_spike_ms", &since_spike_ms}};
        }
    };

    struct coefficients {
        float dt_over_c, g_l, e_l, v_t, delta_t, inv_delta_t, dt_over_tau_w, a, b, v_reset, v_peak;
        float dt, refractory, i_bias, syn_keep, max_exponent;
    };

    adex(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "adex: dt_ms must be positive, got {}", dt_ms);
        detail::require(p.c_pF > 0.0f && p.tau_w_ms > 0.0f && p.delta_t_mV > 0.0f,
                        "adex: c_pF, tau_w_ms and delta_t_mV must be positive");
        detail::require(p.tau_syn_ms >= 0.0f, "adex: tau_syn_ms must be >= 0, got {}", p.tau_syn_ms);
        const float keep = p.tau_syn_ms > 0.0f ? static_cast<float>(std::exp(-double(dt_ms) / p.tau_syn_ms)) : 0.0f;
        c_ = {dt_ms / p.c_pF, p.g_l_nS, p.e_l_mV, p.v_t_mV, p.delta_t_mV, 1.0f / p.delta_t_mV,
              dt_ms / p.tau_w_ms, p.a_nS, p.b_pA, p.v_reset_mV, p.v_peak_mV,
              dt_ms, p.refractory_ms, p.i_bias_pA, keep, p.max_exponent};
    }

    const params& parameters() const { return p_; }
    float dt_ms() const { return dt_; }

    state make_state(std::size_t n) const
    {
        return state{make_vector(n, p_.e_l_mV), make_vector(n), make_vector(n), make_vector(n, 1.0e9f)};
    }

    float* input(state& s, channel) const { return s.i_syn.data(); }

    template <class V>
    static simd::mask_t<V> kernel(V& v, V& w, V& i_syn, V& since, const coefficients& c)
    {
        since = since + V(c.dt);
        const auto integrating = since >= V(c.refractory);
        const V x = simd::min((v - V(c.v_t)) * V(c.inv_delta_t), V(c.max_exponent));
        const V leak = V(c.g_l) * (V(c.e_l) - v);
        const V spike_current = V(c.g_l) * V(c.delta_t) * simd::exp(x);
        const V dv = (leak + spike_current - w + V(c.i_bias) + i_syn) * V(c.dt_over_c);
        const V dw = (V(c.a) * (v - V(c.e_l)) - w) * V(c.dt_over_tau_w);
        v = simd::select(integrating, v + dv, v);
        w = w + dw;
        i_syn = simd::flush_tiny(i_syn * V(c.syn_keep));
        const auto fire = v > V(c.v_peak);
        v = simd::select(fire, V(c.v_reset), v);
        w = simd::select(fire, w + V(c.b), w);
        since = simd::select(fire, V(0.0f), since);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const coefficients c = c_;
        simd::step_arrays<V>(s.size(), out, std::array{s.v.data(), s.w.data(), s.i_syn.data(), s.since_spike_ms.data()},
                             std::array<const float*, 0>{},
                             [c](auto& x, const auto&) { return kernel(x[0], x[1], x[2], x[3], c); });
    }

    /// No closed form: steps the model, discarding spikes.
    void relax(state& s, double ms) const { detail::step_without_input(*this, s, detail::steps_in(ms, dt_), false); }

private:
    params p_;
    float dt_;
    coefficients c_{};
};

static_assert(neuron_model<adex>);

} // namespace somnus
