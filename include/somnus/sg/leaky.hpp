// SPDX-License-Identifier: MIT
// Leaky integrate-and-fire layer, as snnTorch's Leaky(beta, threshold = 1,
// reset_mechanism = "subtract") with its defaults (reset_delay, the reset
// detached from the graph):
//   mem[t] = beta mem[t-1] + in[t] - threshold S[t-1],   S[t] = spike(mem[t] - threshold)
// with mem[-1] = S[-1] = 0 at the start of every sample. The spike is the
// surrogate policy's forward (strictly above threshold for snnTorch's);
// backward uses its derivative:
//   g_mem[t] = g_S[t] spike'(u[t]) + g_mem[t+1] (beta - [reset attached] threshold spike'(u[t]))
// and the input's gradient is g_mem[t]. The tape keeps mem[t] per neuron per
// step (4 bytes). detach_reset = false keeps the reset in the graph (the
// finite-difference checks need it with a smooth spike).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "layer.hpp"
#include "surrogate.hpp"

namespace somnus::sg {

template <surrogate Surrogate = arctan>
struct leaky {
    struct params {
        float beta = 0.5f;
        float threshold = 1.0f;
        bool detach_reset = true;
        template <class F>
        void each_field(F&& f) const
        {
            f("beta", beta);
            f("threshold", threshold);
            f("detach_reset", detach_reset);
        }
    };
    params p{};
    Surrogate surrogate_fn{};
    shape3 in{}, out{};

    leaky() = default;
    explicit leaky(params q, Surrogate s = {}) : p(q), surrogate_fn(s) {}

    struct work {
        std::vector<float> mem, spike;  ///< state: membrane and last step's spikes
        std::vector<float> history;     ///< [step][neuron] membrane after the step
        std::vector<float> carry;       ///< backward: g_mem[t+1]
        std::size_t steps = 0;
    };

    shape3 configure(shape3 s)
    {
        detail::require(std::isfinite(p.beta) && p.beta >= 0.0f && p.beta <= 1.0f, "leaky: beta must be in [0, 1], got {}", p.beta);
        detail::require(std::isfinite(p.threshold) && p.threshold > 0.0f, "leaky: threshold must be finite and > 0, got {}",
                        p.threshold);
        in = out = s;
        return out;
    }
    std::size_t parameter_count() const { return 0; }
    void init(std::span<float>, random_stream&) const {}
    work make_work(std::size_t steps) const
    {
        work w;
        w.mem.assign(in.size(), 0.0f);
        w.spike.assign(in.size(), 0.0f);
        w.carry.assign(in.size(), 0.0f);
        w.history.reserve(steps * in.size());
        return w;
    }
    void begin(work& w) const
    {
        std::fill(w.mem.begin(), w.mem.end(), 0.0f);
        std::fill(w.spike.begin(), w.spike.end(), 0.0f);
        std::fill(w.carry.begin(), w.carry.end(), 0.0f);
        w.history.clear();
        w.steps = 0;
    }

    void forward(const float*, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t n = in.size();
        const float beta = p.beta, th = p.threshold;
        float* mem = w.mem.data();
        float* spk = w.spike.data();
        for (std::size_t i = 0; i < n; ++i) mem[i] = beta * mem[i] + a.v[i] - th * spk[i];
        o.nz.clear();
        for (std::size_t i = 0; i < n; ++i) {
            const float s = surrogate_fn.spike(mem[i] - th);
            spk[i] = s;
            o.v[i] = s;
            if (s != 0.0f) o.nz.push_back(static_cast<std::uint32_t>(i));
        }
        o.has_nz = true;
        if (record) {
            w.history.insert(w.history.end(), mem, mem + n);
            ++w.steps;
        }
    }

    void backward(const float*, const float* g_out, float* g_in, float*, work& w, std::size_t t) const
    {
        const std::size_t n = in.size();
        const float beta = p.beta, th = p.threshold;
        const float* mem = w.history.data() + t * n;
        float* carry = w.carry.data();
        const Surrogate sf = surrogate_fn;
        if (p.detach_reset) {
            for (std::size_t i = 0; i < n; ++i) carry[i] = g_out[i] * sf.derivative(mem[i] - th) + carry[i] * beta;
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const float d = sf.derivative(mem[i] - th);
                carry[i] = g_out[i] * d + carry[i] * (beta - th * d);
            }
        }
        if (g_in) std::copy(carry, carry + n, g_in);
    }
};

static_assert(layer<leaky<arctan>>);

} // namespace somnus::sg
