// SPDX-License-Identifier: MIT
// Leaky "beta" neuron with reset by subtraction, as snnTorch's Leaky
// (Eshraghian et al. 2023, "Training spiking neural networks using lessons
// from deep learning"):
//   mem[t] = beta mem[t-1] + input[t] - spk[t-1] threshold,   spk[t] = mem[t] > threshold
// The subtraction for a spike lands in the next step, undecayed, as in snnTorch.
#pragma once

#include <cmath>
#include <cstddef>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "relax.hpp"

namespace somnus {

struct leaky {
    struct params {
        float beta = 0.5f;
        float threshold = 1.0f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("beta", beta);
            f("threshold", threshold);
        }
    };

    struct state {
        vector_f mem;
        vector_f in;     ///< input accumulated for this step
        vector_f spiked; ///< 1 where the neuron fired last step, else 0
        std::size_t size() const { return mem.size(); }
        /// Every state variable by name, for checkpoints.
        std::array<state_field, 3> fields()
        {
            return {state_field{"mem", &mem},
                state_field{"in", &in},
                state_field{"spiked", &spiked}};
        }
    };

    leaky(params p, float dt_ms) : p_(p), dt_(dt_ms)
    {
        detail::require(dt_ms > 0.0f, "leaky: dt_ms must be positive, got {}", dt_ms);
        detail::require(p.beta >= 0.0f && p.beta <= 1.0f, "leaky: beta must be in [0, 1], got {}", p.beta);
        detail::require(p.threshold > 0.0f, "leaky: threshold must be positive, got {}", p.threshold);
    }

    const params& parameters() const { return p_; }
    float dt_ms() const { return dt_; }

    state make_state(std::size_t n) const { return state{make_vector(n), make_vector(n), make_vector(n)}; }

    float* input(state& s, channel) const { return s.in.data(); }

    template <class V>
    static simd::mask_t<V> kernel(V& mem, V& in, V& spiked, const params& p)
    {
        mem = V(p.beta) * mem + in - spiked * V(p.threshold);
        in = V(0.0f);
        const auto fire = mem > V(p.threshold);
        spiked = simd::select(fire, V(1.0f), V(0.0f));
        return fire;
    }

    template <class V = simd::batch>
    void step(state& s, spike_list& out) const
    {
        const params p = p_;
        simd::step_arrays<V>(s.size(), out, std::array{s.mem.data(), s.in.data(), s.spiked.data()}, std::array<const float*, 0>{},
                             [p](auto& x, const auto&) { return kernel(x[0], x[1], x[2], p); });
    }

    /// Steps until a step passes with no spike (input and pending resets are
    /// then used up and mem <= threshold everywhere); after that decay alone
    /// acts, in closed form mem * beta^n.
    void relax(state& s, double ms) const
    {
        const long steps = detail::step_without_input(*this, s, detail::steps_in(ms, dt_), true);
        if (steps <= 0) return;
        const float k = static_cast<float>(std::pow(double(p_.beta), double(steps)));
        for (std::size_t i = 0; i < s.size(); ++i) s.mem[i] *= k;
    }

private:
    params p_;
    float dt_;
};

static_assert(neuron_model<leaky>);

} // namespace somnus
