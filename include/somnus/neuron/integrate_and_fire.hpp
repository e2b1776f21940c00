// SPDX-License-Identifier: MIT
// Current-based (leaky) integrate-and-fire neuron with a threshold offset.
// With tau_m_ms = infinity it is the perfect integrator of Diehl et al. 2015 /
// Capozzi et al.:
//   dv = sum_s w delta(t - s)          (each input spike adds its weight to v)
//   v relaxes as v_rest + (v - v_rest) exp(-dt / tau_m) between inputs;
//   fires when v > v_thresh + theta; then v = v_reset and v is held for refractory_ms.
// theta is a per-neuron offset that homeostasis may move (adaptive_threshold
// gives Diehl & Cook 2015's adaptive threshold); it starts at theta_init_mV.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "relax.hpp"

namespace somnus {

struct integrate_and_fire {
    struct params {
        float tau_m_ms = std::numeric_limits<float>::infinity();
        float v_rest_mV = 0.0f;
        float v_reset_mV = 0.0f;
        float v_thresh_mV = 1.0f;
        float refractory_ms = 0.0f;
        /// theta of every neuron at construction; the threshold is
        /// v_thresh + theta. 0 with no homeostasis keeps a fixed threshold.
        float theta_init_mV = 0.0f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("tau_m_ms", tau_m_ms);
            f("v_rest_mV", v_rest_mV);
            f("v_reset_mV", v_reset_mV);
            f("v_thresh_mV", v_thresh_mV);
            f("refractory_ms", refractory_ms);
            f("theta_init_mV", theta_init_mV);
        }
    };

    struct state {
        vector_f v;
        vector_f in_exc, in_inh;  ///< weights arrived this step, added to / subtracted from v
        vector_f theta;           ///< threshold offset, moved only by homeostasis
        vector_f since_spike_ms;
        std::size_t size() const { return v.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 5> fields()
        {
            return {state_field{"v", &v},
                state_field{"in_exc", &in_exc},
                state_field{"in_inh", &in_inh},
                state_field{"theta", &theta},
                state_field{"since_spike_ms", &since_spike_ms}};
        }
    };

    struct coefficients {
        float keep, v_rest, v_reset, v_thresh, dt, refractory;
    };

    integrate_and_fire(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f && std::isfinite(dt_ms), "integrate_and_fire: dt_ms must be positive and finite, got {}", dt_ms);
        detail::require(p.tau_m_ms > 0.0f, "integrate_and_fire: tau_m_ms must be positive (infinity: no leak), got {}", p.tau_m_ms);
        detail::require(p.refractory_ms >= 0.0f && std::isfinite(p.refractory_ms),
                        "integrate_and_fire: refractory_ms must be >= 0 and finite, got {}", p.refractory_ms);
        detail::require(std::isfinite(p.v_rest_mV) && std::isfinite(p.v_reset_mV) && std::isfinite(p.v_thresh_mV) &&
                            std::isfinite(p.theta_init_mV),
                        "integrate_and_fire: v_rest_mV ({}), v_reset_mV ({}), v_thresh_mV ({}) and theta_init_mV ({}) must be finite",
                        p.v_rest_mV, p.v_reset_mV, p.v_thresh_mV, p.theta_init_mV);
        c_ = {static_cast<float>(std::exp(-double(dt_ms) / double(p.tau_m_ms))), p.v_rest_mV, p.v_reset_mV,
              p.v_thresh_mV, dt_ms, p.refractory_ms};
    }

    const params& parameters() const { return p_; }
    const coefficients& coeffs() const { return c_; }
    float dt_ms() const { return dt_; }

    state make_state(std::size_t n) const
    {
        return state{make_vector(n, p_.v_rest_mV), make_vector(n), make_vector(n), make_vector(n, p_.theta_init_mV),
                     make_vector(n, 1.0e9f)};
    }

    float* input(state& s, channel c) const { return c == channel::excitatory ? s.in_exc.data() : s.in_inh.data(); }

    /// One step of one lane group. Input arriving while a neuron is
    /// refractory is discarded. With tau_m infinite keep is exactly 1, and
    /// with v_rest = 0 the update is exactly v + in_exc - in_inh.
    template <class V>
    static simd::mask_t<V> kernel(V& v, V& in_exc, V& in_inh, const V& theta, V& since, const coefficients& c)
    {
        since = since + V(c.dt);
        const auto integrating = since >= V(c.refractory);
        const V next = V(c.v_rest) + (v - V(c.v_rest)) * V(c.keep) + in_exc - in_inh;
        v = simd::select(integrating, next, v);
        in_exc = V(0.0f);
        in_inh = V(0.0f);
        const auto fire = v > V(c.v_thresh) + theta;
        v = simd::select(fire, V(c.v_reset), v);
        since = simd::select(fire, V(0.0f), since);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const coefficients c = c_;
        simd::step_arrays<V>(s.size(), out, std::array{s.v.data(), s.in_exc.data(), s.in_inh.data(), s.since_spike_ms.data()},
                             std::array<const float*, 1>{s.theta.data()},
                             [c](auto& x, const auto& r) { return kernel(x[0], x[1], x[2], r[0], x[3], c); });
    }

    /// Steps until nothing can fire without new input (no queued input, and
    /// every v and v_rest at or below the neuron's threshold), then closed
    /// form: v decays geometrically toward v_rest, which cannot cross the
    /// threshold from below. A neuron whose rest lies above its threshold
    /// keeps firing, so then every step is taken. theta is left alone
    /// (homeostasis owns it). Spikes in this time are discarded.
    void relax(state& s, double ms) const
    {
        long steps = detail::steps_in(ms, dt_);
        spike_list fired;
        fired.reserve(s.size());
        while (steps > 0 && !quiet(s)) {
            fired.clear();
            step(s, fired);
            --steps;
        }
        if (steps <= 0) return;
        const float elapsed = static_cast<float>(double(steps) * dt_);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const long n = detail::integrating_steps(s.since_spike_ms[i], c_.refractory, dt_, steps);
            s.v[i] = c_.v_rest + (s.v[i] - c_.v_rest) * static_cast<float>(std::pow(double(c_.keep), double(n)));
            s.since_spike_ms[i] += elapsed;
        }
    }

private:
    /// True when no neuron can fire again without new input. Not named
    /// settled(): competitive_network would then jump its rests in closed
    /// form, which changes the rounding of the trace decay and so the
    /// trained weights of existing results.
    bool quiet(const state& s) const
    {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const float threshold = c_.v_thresh + s.theta[i];
            if (s.in_exc[i] != 0.0f || s.in_inh[i] != 0.0f || s.v[i] > threshold || c_.v_rest > threshold) return false;
        }
        return true;
    }

    params p_;
    float dt_;
    coefficients c_{};
};

static_assert(neuron_model<integrate_and_fire>);
static_assert(has_threshold_offset<integrate_and_fire>);

} // namespace somnus
