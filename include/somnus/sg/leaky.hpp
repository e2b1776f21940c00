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
// finite-difference checks need it with a smooth spike). Forward and
// backward run in SIMD lanes when the surrogate takes batches
// (batch_surrogate), the same bits as the scalar loops.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "../core/simd.hpp"
#include "kernels.hpp"
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
        std::vector<std::uint32_t> fired;  ///< forward scratch: this step's spiking neurons
        std::size_t steps = 0;
        std::size_t tape_bytes() const { return history.capacity() * sizeof(float); }
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
        w.fired.assign(in.size() + simd::width, 0);  // compress_indices writes whole registers
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

    /// One step. V = simd::batch runs the SIMD path when the surrogate
    /// takes batches (batch_surrogate), V = float the scalar reference; the
    /// two give the same bits.
    template <class V = fast>
    void forward(const float*, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t n = in.size();
        o.nz.clear();
        if constexpr (simd::is_batch<V> && batch_surrogate<Surrogate>) {
            const V beta(p.beta), th(p.threshold);
            float* mem = w.mem.data();
            float* spk = w.spike.data();
            const float* x = a.v.data();
            float* out = o.v.data();
            std::uint32_t* fired = w.fired.data();
            std::size_t count = 0, i = 0;
            // Firing lanes compressed straight from the comparison's mask.
            for (; i + simd::width <= n; i += simd::width) {
                const V m = beta * simd::load<V>(mem + i) + simd::load<V>(x + i) - th * simd::load<V>(spk + i);
                const V s = surrogate_fn.spike(m - th);
                simd::store(mem + i, m);
                simd::store(spk + i, s);
                simd::store(out + i, s);
                count += simd::compress_indices(s != V(0.0f), static_cast<std::uint32_t>(i), fired + count);
            }
            for (; i < n; ++i) {
                mem[i] = p.beta * mem[i] + x[i] - p.threshold * spk[i];
                const float s = surrogate_fn.spike(mem[i] - p.threshold);
                spk[i] = s;
                out[i] = s;
                if (s != 0.0f) fired[count++] = static_cast<std::uint32_t>(i);
            }
            o.nz.assign(fired, fired + count);
        } else {
            const float beta = p.beta, th = p.threshold;
            float* mem = w.mem.data();
            float* spk = w.spike.data();
            for (std::size_t i = 0; i < n; ++i) mem[i] = beta * mem[i] + a.v[i] - th * spk[i];
            for (std::size_t i = 0; i < n; ++i) {
                const float s = surrogate_fn.spike(mem[i] - th);
                spk[i] = s;
                o.v[i] = s;
                if (s != 0.0f) o.nz.push_back(static_cast<std::uint32_t>(i));
            }
        }
        o.has_nz = true;
        if (record) {
            w.history.insert(w.history.end(), w.mem.begin(), w.mem.end());
            ++w.steps;
        }
    }

    template <class V = fast>
    void backward(const float*, const float* g_out, float* g_in, float*, work& w, std::size_t t) const
    {
        const std::size_t n = in.size();
        const float beta = p.beta, th = p.threshold;
        const float* mem = w.history.data() + t * n;
        float* carry = w.carry.data();
        const Surrogate sf = surrogate_fn;
        if constexpr (simd::is_batch<V> && batch_surrogate<Surrogate>) {
            const bool detach = p.detach_reset;
            simd::for_each<V>(n, [=](std::size_t i, auto lane) {
                using L = decltype(lane);
                const L d = sf.derivative(simd::load<L>(mem + i) - L(th));
                const L c = simd::load<L>(carry + i);
                const L next = detach ? simd::load<L>(g_out + i) * d + c * L(beta) : simd::load<L>(g_out + i) * d + c * (L(beta) - L(th) * d);
                simd::store(carry + i, next);
            });
        } else if (p.detach_reset) {
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

static_assert(layer<leaky<arctan>> && work_with_tape_bytes<leaky<arctan>::work>);

} // namespace somnus::sg
