// SPDX-License-Identifier: MIT
// Izhikevich 2003, "Simple model of spiking neurons" (IEEE TNN 14:1569):
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u)
//   if v >= v_peak: v = c, u += d.
// Forward Euler at the network's dt. I = i_bias + i_syn, where synapses add
// their weights to i_syn, which then decays with tau_syn_ms (0: lasts one step).
#pragma once

#include <cmath>
#include <cstddef>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "relax.hpp"

namespace somnus {

struct izhikevich {
    /// Defaults: regular spiking (RS) cortical neuron.
    struct params {
        float a = 0.02f;
        float b = 0.2f;
        float c_mV = -65.0f;
        float d = 8.0f;
        float v_peak_mV = 30.0f;
        float i_bias = 0.0f;
        float tau_syn_ms = 0.0f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("a", a);
            f("b", b);
            f("c_mV", c_mV);
            f("d", d);
            f("v_peak_mV", v_peak_mV);
            f("i_bias", i_bias);
            f("tau_syn_ms", tau_syn_ms);
        }
    };
    static params regular_spiking() { return params{}; }
    static params fast_spiking() { return params{0.1f, 0.2f, -65.0f, 2.0f, 30.0f, 0.0f, 0.0f}; }
    static params chattering() { return params{0.02f, 0.2f, -50.0f, 2.0f, 30.0f, 0.0f, 0.0f}; }
    static params intrinsically_bursting() { return params{0.02f, 0.2f, -55.0f, 4.0f, 30.0f, 0.0f, 0.0f}; }

    struct state {
        vector_f v, u, i_syn;
        std::size_t size() const { return v.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 3> fields()
        {
            return {state_field{"v", &v},
                state_field{"u", &u},
                state_field{"i_syn", &i_syn}};
        }
    };

    struct coefficients {
        float dt, a_dt, b, c, d, v_peak, i_bias, syn_keep;
    };

    izhikevich(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "izhikevich: dt_ms must be positive, got {}", dt_ms);
        detail::require(p.tau_syn_ms >= 0.0f, "izhikevich: tau_syn_ms must be >= 0, got {}", p.tau_syn_ms);
        const float keep = p.tau_syn_ms > 0.0f ? static_cast<float>(std::exp(-double(dt_ms) / p.tau_syn_ms)) : 0.0f;
        c_ = {dt_ms, p.a * dt_ms, p.b, p.c_mV, p.d, p.v_peak_mV, p.i_bias, keep};
    }

    const params& parameters() const { return p_; }
    float dt_ms() const { return dt_; }

    /// At rest: v = c, u = b v.
    state make_state(std::size_t n) const
    {
        return state{make_vector(n, p_.c_mV), make_vector(n, p_.b * p_.c_mV), make_vector(n)};
    }

    float* input(state& s, channel) const { return s.i_syn.data(); }

    template <class V>
    static simd::mask_t<V> kernel(V& v, V& u, V& i_syn, const coefficients& c)
    {
        const V current = V(c.i_bias) + i_syn;
        const V dv = (V(0.04f) * v * v + V(5.0f) * v + V(140.0f) - u + current) * V(c.dt);
        const V du = (V(c.b) * v - u) * V(c.a_dt);
        v = v + dv;
        u = u + du;
        i_syn = simd::flush_tiny(i_syn * V(c.syn_keep));
        const auto fire = v >= V(c.v_peak);
        v = simd::select(fire, V(c.c), v);
        u = simd::select(fire, u + V(c.d), u);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const coefficients c = c_;
        simd::step_arrays<V>(s.size(), out, std::array{s.v.data(), s.u.data(), s.i_syn.data()}, std::array<const float*, 0>{},
                             [c](auto& x, const auto&) { return kernel(x[0], x[1], x[2], c); });
    }

    /// No closed form: steps the model, discarding spikes.
    void relax(state& s, double ms) const { detail::step_without_input(*this, s, detail::steps_in(ms, dt_), false); }

private:
    params p_;
    float dt_;
    coefficients c_{};
};

static_assert(neuron_model<izhikevich>);

} // namespace somnus
