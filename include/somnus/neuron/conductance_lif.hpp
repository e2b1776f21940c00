// SPDX-License-Identifier: MIT
// Conductance-based leaky integrate-and-fire neuron with a threshold offset,
// as in Diehl & Cook 2015 (Front. Comput. Neurosci. 9:99) and their Brian code:
//   tau_m dv/dt = (v_rest - v) + ge (e_exc - v) + gi (e_inh - v)
//   dge/dt = -ge / tau_ge,   dgi/dt = -gi / tau_gi
//   fires when v > v_thresh + theta - theta_offset; then v = v_reset.
// Integration: forward Euler for every variable, as Brian 1 chose for these
// (non-linear) equations in the authors' simulation, or exponential Euler:
// exact conductance decay, and v moved exactly toward its equilibrium for the
// step-averaged conductances. Both deliver exactly the charge w * tau of an
// input spike. Forward Euler is unstable once dt (1 + ge + gi) / tau_m > 2
// (gi > 399 at dt = 0.5 ms: some 24 inhibitory spikes in one step); the
// exponential scheme is stable for any conductance.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "relax.hpp"

namespace somnus {

struct conductance_lif {
    enum class integration { euler, exponential };

    struct params {
        float tau_m_ms = 100.0f;
        float v_rest_mV = -65.0f;
        float v_reset_mV = -65.0f;
        float v_thresh_mV = -52.0f;
        float e_exc_mV = 0.0f;
        float e_inh_mV = -100.0f;
        float tau_ge_ms = 1.0f;
        float tau_gi_ms = 2.0f;
        /// v is held (not integrated) this long after a spike.
        float refractory_ms = 5.0f;
        /// No spike until this long after the previous one, even once v
        /// integrates again. 0 = the paper (refractory_ms alone). Diehl &
        /// Cook's code gates spikes on a timer that grows at 100 ms per second,
        /// i.e. 50 ms of lockout for a 5 ms "refractory" period.
        float lockout_ms = 0.0f;
        /// Threshold is v_thresh + theta - theta_offset.
        float theta_offset_mV = 20.0f;
        /// theta of every neuron at construction.
        float theta_init_mV = 20.0f;
        /// v at construction (the original starts 40 mV below rest).
        float v_init_mV = -105.0f;
        /// Default: exponential, stable for any conductance. euler reproduces
        /// the authors' Brian 1 simulation step for step, but runs away when
        /// many inhibitory spikes coincide (docs/guide.md).
        integration scheme = integration::exponential;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("tau_m_ms", tau_m_ms);
            f("v_rest_mV", v_rest_mV);
            f("v_reset_mV", v_reset_mV);
            f("v_thresh_mV", v_thresh_mV);
            f("e_exc_mV", e_exc_mV);
            f("e_inh_mV", e_inh_mV);
            f("tau_ge_ms", tau_ge_ms);
            f("tau_gi_ms", tau_gi_ms);
            f("refractory_ms", refractory_ms);
            f("lockout_ms", lockout_ms);
            f("theta_offset_mV", theta_offset_mV);
            f("theta_init_mV", theta_init_mV);
            f("v_init_mV", v_init_mV);
            f("scheme", scheme == integration::euler ? "euler" : "exponential");
        }
    };

    /// Diehl & Cook 2015 excitatory neurons.
    static params diehl_cook_excitatory() { return params{}; }
    /// Diehl & Cook 2015 inhibitory neurons (no adaptive threshold).
    static params diehl_cook_inhibitory()
    {
        params p;
        p.tau_m_ms = 10.0f;
        p.v_rest_mV = -60.0f;
        p.v_reset_mV = -45.0f;
        p.v_thresh_mV = -40.0f;
        p.e_inh_mV = -85.0f;
        p.refractory_ms = 2.0f;
        p.theta_offset_mV = 0.0f;
        p.theta_init_mV = 0.0f;
        p.v_init_mV = -100.0f;
        return p;
    }

    struct state {
        vector_f v, ge, gi, theta;
        vector_f since_spike_ms;  ///< time since the last spike (large at start)
        std::size_t size() const { return v.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 5> fields()
        {
            return {state_field{"v", &v},
                state_field{"ge", &ge},
                state_field{"gi", &gi},
                state_field{"theta", &theta},
                state_field{"since_spike_ms", &since_spike_ms}};
        }
    };

    /// Per-step constants derived once from params and dt.
    struct coefficients {
        float dt_over_tau, decay_ge, decay_gi, v_rest, v_reset, e_exc, e_inh;
        float mean_ge, mean_gi;  ///< step-average of a conductance / its start-of-step value
        float rest_decay;        ///< exponential scheme: the factor on v - v_rest of a step without conductance
        float threshold_base;  ///< v_thresh - theta_offset
        bool exponential;
        float dt, refractory, fire_after;
    };

    conductance_lif(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "conductance_lif: dt_ms must be positive, got {}", dt_ms);
        detail::require(p.tau_m_ms > 0.0f && p.tau_ge_ms > 0.0f && p.tau_gi_ms > 0.0f,
                        "conductance_lif: time constants must be positive (tau_m_ms={}, tau_ge_ms={}, tau_gi_ms={})",
                        p.tau_m_ms, p.tau_ge_ms, p.tau_gi_ms);
        detail::require(p.refractory_ms >= 0.0f && p.lockout_ms >= 0.0f,
                        "conductance_lif: refractory_ms and lockout_ms must be >= 0");
        detail::require(p.scheme == integration::exponential || (dt_ms <= p.tau_ge_ms && dt_ms <= p.tau_gi_ms && dt_ms < p.tau_m_ms),
                        "conductance_lif: forward Euler needs dt_ms ({}) <= every time constant (tau_ge_ms={}, tau_gi_ms={}, tau_m_ms={})",
                        dt_ms, p.tau_ge_ms, p.tau_gi_ms, p.tau_m_ms);
        c_.dt_over_tau = dt_ms / p.tau_m_ms;
        const auto decay = [&](float tau) {
            const double x = double(dt_ms) / tau;
            return p.scheme == integration::euler ? 1.0 - x : std::exp(-x);
        };
        const auto mean = [&](float tau) {
            const double x = double(dt_ms) / tau;
            return p.scheme == integration::euler ? 1.0 : -std::expm1(-x) / x;
        };
        c_.decay_ge = static_cast<float>(decay(p.tau_ge_ms));
        c_.decay_gi = static_cast<float>(decay(p.tau_gi_ms));
        c_.mean_ge = static_cast<float>(mean(p.tau_ge_ms));
        c_.mean_gi = static_cast<float>(mean(p.tau_gi_ms));
        c_.exponential = p.scheme == integration::exponential;
        c_.rest_decay = simd::exp_nonpositive(-c_.dt_over_tau);
        c_.v_rest = p.v_rest_mV;
        c_.v_reset = p.v_reset_mV;
        c_.e_exc = p.e_exc_mV;
        c_.e_inh = p.e_inh_mV;
        c_.threshold_base = p.v_thresh_mV - p.theta_offset_mV;
        c_.dt = dt_ms;
        c_.refractory = p.refractory_ms;
        c_.fire_after = p.lockout_ms > p.refractory_ms ? p.lockout_ms : p.refractory_ms;
    }

    const params& parameters() const { return p_; }
    const coefficients& coeffs() const { return c_; }
    float dt_ms() const { return dt_; }

    state make_state(std::size_t n) const
    {
        return state{make_vector(n, p_.v_init_mV), make_vector(n), make_vector(n),
                     make_vector(n, p_.theta_init_mV), make_vector(n, 1.0e9f)};
    }

    float* input(state& s, channel c) const { return c == channel::excitatory ? s.ge.data() : s.gi.data(); }

    /// One step of one lane group: v (held while refractory), conductances,
    /// then threshold and reset. Returns the lanes that fired.
    template <bool Exponential, class V>
    static simd::mask_t<V> kernel(V& v, V& ge, V& gi, const V& theta, V& since, const coefficients& c)
    {
        since = since + V(c.dt);
        const auto integrating = since >= V(c.refractory);
        V next;
        if (simd::all((ge == V(0.0f)) && (gi == V(0.0f)))) {
            // No conductance in any lane (most of the inhibitory layer, most
            // of the time): the general update below reduces to these exact
            // operations (x * 0 terms add a signed zero, total is exactly 1,
            // and exp_nonpositive gives the same bits in every lane).
            if constexpr (Exponential) next = V(c.v_rest) + (v - V(c.v_rest)) * V(c.rest_decay);
            else next = v + (V(c.v_rest) - v) * V(c.dt_over_tau);
            v = simd::select(integrating, next, v);
            ge = V(0.0f);  // what flush_tiny makes of 0 * decay
            gi = V(0.0f);
            const auto fire = (v > V(c.threshold_base) + theta) && (since >= V(c.fire_after));
            v = simd::select(fire, V(c.v_reset), v);
            since = simd::select(fire, V(0.0f), since);
            return fire;
        }
        if constexpr (Exponential) {
            const V ge_bar = ge * V(c.mean_ge), gi_bar = gi * V(c.mean_gi);
            const V total = V(1.0f) + ge_bar + gi_bar;
            const V v_inf = (V(c.v_rest) + ge_bar * V(c.e_exc) + gi_bar * V(c.e_inh)) / total;
            next = v_inf + (v - v_inf) * simd::exp_nonpositive(-total * V(c.dt_over_tau));
        } else {
            next = v + ((V(c.v_rest) - v) + ge * (V(c.e_exc) - v) + gi * (V(c.e_inh) - v)) * V(c.dt_over_tau);
        }
        v = simd::select(integrating, next, v);
        ge = simd::flush_tiny(ge * V(c.decay_ge));
        gi = simd::flush_tiny(gi * V(c.decay_gi));
        const auto fire = (v > V(c.threshold_base) + theta) && (since >= V(c.fire_after));
        v = simd::select(fire, V(c.v_reset), v);
        since = simd::select(fire, V(0.0f), since);
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        if (c_.exponential) step_with<true, V>(s, out);
        else step_with<false, V>(s, out);
    }

    /// Conductances below this (in units of the leak conductance) are
    /// negligible: ignoring one moves v by less than 1e-5 mV.
    static constexpr float negligible_conductance = 1.0e-6f;

    /// True when, with no further input, every neuron relaxes to rest without
    /// firing and relax() is exact but for rounding: conductances negligible,
    /// v at or below threshold, and rest below threshold.
    bool settled(const state& s) const
    {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const float threshold = c_.threshold_base + s.theta[i];
            if (std::abs(s.ge[i]) > negligible_conductance || std::abs(s.gi[i]) > negligible_conductance || s.v[i] > threshold ||
                c_.v_rest > threshold)
                return false;
        }
        return true;
    }

    /// Advances ms with no input. Steps while the conductances still matter
    /// (until each is below negligible_conductance), then jumps in closed
    /// form: with ge = gi = 0 one step is linear in v - v_rest, so n steps
    /// multiply it by a factor to the n-th power. Spikes in this time are
    /// discarded (none occur once settled()).
    void relax(state& s, double ms) const
    {
        long steps = detail::steps_in(ms, dt_);
        spike_list fired;
        while (steps > 0 && !conductances_negligible(s)) {
            fired.clear();
            step(s, fired);
            --steps;
        }
        if (steps <= 0) return;
        // With the conductances negligible, one step scales v - v_rest by
        // (1 - dt/tau) (Euler) or exp(-dt/tau) (exponential Euler).
        const double per_step = c_.exponential ? std::exp(-double(c_.dt_over_tau)) : 1.0 - double(c_.dt_over_tau);
        const float ge_keep = static_cast<float>(std::pow(double(c_.decay_ge), double(steps)));
        const float gi_keep = static_cast<float>(std::pow(double(c_.decay_gi), double(steps)));
        const float elapsed = static_cast<float>(double(steps) * dt_);
        const auto all_steps = static_cast<float>(std::pow(per_step, double(steps)));  // most neurons integrate throughout
        for (std::size_t i = 0; i < s.size(); ++i) {
            const long n = detail::integrating_steps(s.since_spike_ms[i], c_.refractory, dt_, steps);
            const float factor = n == steps ? all_steps : static_cast<float>(std::pow(per_step, double(n)));
            s.v[i] = c_.v_rest + (s.v[i] - c_.v_rest) * factor;
            s.ge[i] *= ge_keep;
            s.gi[i] *= gi_keep;
            s.since_spike_ms[i] += elapsed;
        }
    }

private:
    static bool conductances_negligible(const state& s)
    {
        for (std::size_t i = 0; i < s.size(); ++i)
            if (std::abs(s.ge[i]) > negligible_conductance || std::abs(s.gi[i]) > negligible_conductance) return false;
        return true;
    }

    template <bool Exponential, class V>
    void step_with(state& s, spike_list& out) const
    {
        const coefficients c = c_;
        simd::step_arrays<V, true>(s.size(), out, std::array{s.v.data(), s.ge.data(), s.gi.data(), s.since_spike_ms.data()},
                             std::array<const float*, 1>{s.theta.data()},
                             [c](auto& x, const auto& r) { return kernel<Exponential>(x[0], x[1], x[2], r[0], x[3], c); });
    }

    params p_;
    float dt_;
    coefficients c_{};
};

static_assert(neuron_model<conductance_lif>);
static_assert(has_threshold_offset<conductance_lif>);

} // namespace somnus
