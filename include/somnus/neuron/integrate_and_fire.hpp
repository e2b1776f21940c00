// SPDX-License-Identifier: MIT
// Current-based (leaky) integrate-and-fire neuron. With tau_m_ms = infinity it
// is the perfect integrator of Diehl et al. 2015 / Capozzi et al.:
//   dv = sum_s w delta(t - s)          (each input spike adds its weight to v)
//   v relaxes as v_rest + (v - v_rest) exp(-dt / tau_m) between inputs;
//   fires when v > v_thresh; then v = v_reset and v is held for refractory_ms.
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
    };

    struct state {
        vector_f v;
        vector_f in_exc, in_inh;  ///< weights arrived this step, added to / subtracted from v
        vector_f since_spike_ms;
        std::size_t size() const { return v.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 4> fields()
        {
            return {state_field{"v", &v},
                state_field{"in_exc", &in_exc},
                state_field{"in_inh", &in_inh},
                state_field{"since_spike_ms", &since_spike_ms}};
        }
    };

    struct coefficients {
        float keep, v_rest, v_reset, v_thresh, dt, refractory;
    };

    integrate_and_fire(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "integrate_and_fire: dt_ms must be positive, got {}", dt_ms);
        detail::require(p.tau_m_ms > 0.0f, "integrate_and_fire: tau_m_ms must be positive, got {}", p.tau_m_ms);
        detail::require(p.refractory_ms >= 0.0f, "integrate_and_fire: refractory_ms must be >= 0, got {}", p.refractory_ms);
        c_ = {static_cast<float>(std::exp(-double(dt_ms) / double(p.tau_m_ms))), p.v_rest_mV, p.v_reset_mV,
              p.v_thresh_mV, dt_ms, p.refractory_ms};
    }

    const params& parameters() const { return p_; }
    float dt_ms() const { return dt_; }

    state make_state(std::size_t n) const
    {
        return state{make_vector(n, p_.v_rest_mV), make_vector(n), make_vector(n), make_vector(n, 1.0e9f)};
    }

    float* input(state& s, channel c) const { return c == channel::excitatory ? s.in_exc.data() : s.in_inh.data(); }

    template <class V>
    static simd::mask_t<V> kernel(V& v, V& in_exc, V& in_inh, V& since, const coefficients& c)
    {
        since = since + V(c.dt);
        const auto integrating = since >= V(c.refractory);
        const V next = V(c.v_rest) + (v - V(c.v_rest)) * V(c.keep) + in_exc - in_inh;
        v = simd::select(integrating, next, v);
        in_exc = V(0.0f);
        in_inh = V(0.0f);
        const auto fire = v > V(c.v_thresh);
        v = simd::select(fire, V(c.v_reset), v);
        since = simd::select(fire, V(0.0f), since);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const coefficients c = c_;
        simd::step_arrays<V>(s.size(), out, std::array{s.v.data(), s.in_exc.data(), s.in_inh.data(), s.since_spike_ms.data()},
                             std::array<const float*, 0>{},
                             [c](auto& x, const auto&) { return kernel(x[0], x[1], x[2], x[3], c); });
    }

    /// Steps until a step passes with no spike (queued input used up, every
    /// v at or below threshold), then closed form: v decays geometrically
    /// toward v_rest, which cannot cross the threshold from below when
    /// v_rest <= v_thresh.
    void relax(state& s, double ms) const
    {
        const bool settles = c_.v_rest <= c_.v_thresh;
        const long steps = detail::step_without_input(*this, s, detail::steps_in(ms, dt_), settles);
        if (steps <= 0) return;
        const float elapsed = static_cast<float>(double(steps) * dt_);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const long n = detail::integrating_steps(s.since_spike_ms[i], c_.refractory, dt_, steps);
            s.v[i] = c_.v_rest + (s.v[i] - c_.v_rest) * static_cast<float>(std::pow(double(c_.keep), double(n)));
            s.since_spike_ms[i] += elapsed;
        }
    }

private:
    params p_;
    float dt_;
    coefficients c_{};
};

static_assert(neuron_model<integrate_and_fire>);

} // namespace somnus
