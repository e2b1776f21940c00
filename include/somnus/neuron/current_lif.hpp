// SPDX-License-Identifier: MIT
// Current-based leaky integrate-and-fire neuron with a filtered synaptic
// current, per-step membrane noise, a clipped membrane and an adaptive
// threshold, no refractory period: the one model of every neuron in Massey,
// Hubin, Nichele & Saebo 2026 (arXiv:2601.08447), as their code runs it
// (DESIGN.md section 9a), forward Euler with step dt:
//   i   <- i + (-i + in) dt / tau_syn                  (in: the summed weights of last step's spikes)
//   v   <- v + (-(v - v_rest) + R i) dt / tau_m + xi    (xi: noise, drawn by the network)
//   v   <- clip(v, v_min, v_max);  fire if v > threshold (the threshold of the previous step)
//   a   <- a - a dt / tau_a, plus delta_a on a spike;  threshold <- clip(theta0 + a, th_min, th_max)
//   v   <- v_reset on a spike
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <span>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/normal.hpp"
#include "relax.hpp"

namespace somnus {

struct current_lif {
    /// Defaults: Massey et al.'s code (src/train.py, src/big_comb.py at
    /// commit 40b7d33), in their units (mV, ms; R times the current is mV).
    struct params {
        float tau_syn_ms = 30.0f;
        float tau_m_ms = 30.0f;
        float resistance = 30.0f;
        float v_rest_mV = -70.0f;
        float v_reset_mV = -80.0f;
        float v_min_mV = -100.0f;
        float v_max_mV = 40.0f;
        float threshold_mV = -55.0f;        ///< theta0: the threshold with no adaptation
        float threshold_min_mV = -90.0f;
        float threshold_max_mV = 0.0f;
        float adaptation_mV = 3.0f;         ///< added to the threshold by each spike
        float tau_adaptation_ms = 100.0f;
        /// Standard deviation of the noise added to v in each step (their
        /// var_noise = 2 is a standard deviation: numpy's normal(0, scale=2)).
        /// Per step, not per sqrt(ms), as in their code.
        float noise_sd_mV = 2.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("tau_syn_ms", tau_syn_ms);
            f("tau_m_ms", tau_m_ms);
            f("resistance", resistance);
            f("v_rest_mV", v_rest_mV);
            f("v_reset_mV", v_reset_mV);
            f("v_min_mV", v_min_mV);
            f("v_max_mV", v_max_mV);
            f("threshold_mV", threshold_mV);
            f("threshold_min_mV", threshold_min_mV);
            f("threshold_max_mV", threshold_max_mV);
            f("adaptation_mV", adaptation_mV);
            f("tau_adaptation_ms", tau_adaptation_ms);
            f("noise_sd_mV", noise_sd_mV);
        }
    };

    struct state {
        vector_f v;          ///< membrane potential (mV)
        vector_f i_syn;      ///< filtered synaptic current
        vector_f a;          ///< threshold adaptation (mV)
        vector_f threshold;  ///< current threshold (mV)
        vector_f in;         ///< summed weights of the spikes arriving this step; cleared by step
        vector_f noise;      ///< this step's membrane noise (mV); cleared by step
        std::size_t size() const { return v.size(); }
        std::array<state_field, 6> fields()
        {
            return {state_field{"v", &v}, state_field{"i_syn", &i_syn}, state_field{"a", &a}, state_field{"threshold", &threshold},
                    state_field{"in", &in}, state_field{"noise", &noise}};
        }
    };

    current_lif(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "current_lif: dt_ms must be positive, got {}", dt_ms);
        bool finite = true;
        p.each_field([&](const char*, float x) { finite = finite && std::isfinite(x); });
        detail::require(finite, "current_lif: every parameter must be finite");
        detail::require(p.tau_syn_ms > 0.0f && p.tau_m_ms > 0.0f && p.tau_adaptation_ms > 0.0f,
                        "current_lif: tau_syn_ms ({}), tau_m_ms ({}) and tau_adaptation_ms ({}) must be positive", p.tau_syn_ms,
                        p.tau_m_ms, p.tau_adaptation_ms);
        detail::require(p.v_min_mV <= p.v_max_mV, "current_lif: v_min_mV {} above v_max_mV {}", p.v_min_mV, p.v_max_mV);
        detail::require(p.threshold_min_mV <= p.threshold_max_mV, "current_lif: threshold_min_mV {} above threshold_max_mV {}",
                        p.threshold_min_mV, p.threshold_max_mV);
        detail::require(p.noise_sd_mV >= 0.0f, "current_lif: noise_sd_mV must be >= 0, got {}", p.noise_sd_mV);
        syn_rate_ = dt_ms / p.tau_syn_ms;
        mem_rate_ = dt_ms / p.tau_m_ms;
        adapt_rate_ = dt_ms / p.tau_adaptation_ms;
    }

    const params& parameters() const { return p_; }
    float dt_ms() const { return dt_; }

    /// n neurons at rest: v = v_rest, no current, no adaptation, the threshold at theta0.
    state make_state(std::size_t n) const
    {
        state s{make_vector(n, p_.v_rest_mV), make_vector(n), make_vector(n), make_vector(n, initial_threshold()), make_vector(n),
                make_vector(n)};
        return s;
    }
    float initial_threshold() const { return std::min(std::max(p_.threshold_mV, p_.threshold_min_mV), p_.threshold_max_mV); }

    /// Both channels are the same current: an inhibitory synapse carries a
    /// negative weight.
    float* input(state& s, channel) const { return s.in.data(); }

    /// This step's noise: noise_sd_mV times standard normal numbers from rng,
    /// one per neuron in order (normal_ziggurat).
    void draw_noise(state& s, random_stream& rng) const
    {
        if (p_.noise_sd_mV > 0.0f) fill_normal(rng, std::span<float>(s.noise.data(), s.noise.size()), p_.noise_sd_mV);
    }

    struct constants {
        float syn_rate, mem_rate, adapt_rate, resistance, v_rest, v_reset, v_min, v_max, theta0, th_min, th_max, jump;
    };
    constants kernel_constants() const
    {
        return {syn_rate_,     mem_rate_,      adapt_rate_,        p_.resistance,       p_.v_rest_mV,          p_.v_reset_mV,
                p_.v_min_mV,   p_.v_max_mV,    p_.threshold_mV,    p_.threshold_min_mV, p_.threshold_max_mV, p_.adaptation_mV};
    }

    /// One step for the lanes of V, written once for float (the scalar
    /// reference) and simd::batch; returns which lanes fired.
    template <class V>
    static simd::mask_t<V> kernel(V& v, V& i_syn, V& a, V& threshold, V& in, V& noise, const constants& c)
    {
        i_syn = i_syn + (in - i_syn) * V(c.syn_rate);
        v = v + ((V(c.v_rest) - v) + V(c.resistance) * i_syn) * V(c.mem_rate) + noise;
        v = simd::clamp(v, V(c.v_min), V(c.v_max));
        const auto fire = v > threshold;
        a = a - a * V(c.adapt_rate);
        a = simd::select(fire, a + V(c.jump), a);
        threshold = simd::clamp(V(c.theta0) + a, V(c.th_min), V(c.th_max));
        v = simd::select(fire, V(c.v_reset), v);
        in = V(0.0f);
        noise = V(0.0f);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const constants c = kernel_constants();
        simd::step_arrays<V>(s.size(), out,
                             std::array{s.v.data(), s.i_syn.data(), s.a.data(), s.threshold.data(), s.in.data(), s.noise.data()},
                             std::array<const float*, 0>{},
                             [c](auto& x, const auto&) { return kernel(x[0], x[1], x[2], x[3], x[4], x[5], c); });
    }

    /// ms with no input and no noise, stepped (Euler has no simpler closed
    /// form with the current filter; the rest is rarely long for this model).
    void relax(state& s, double ms) const { detail::step_without_input(*this, s, detail::steps_in(ms, dt_), false); }

private:
    params p_;
    float dt_;
    float syn_rate_ = 0.0f, mem_rate_ = 0.0f, adapt_rate_ = 0.0f;
};

static_assert(neuron_model<current_lif>);

} // namespace somnus
