// SPDX-License-Identifier: MIT
// What every layer of the surrogate-gradient engine shares: the shape of a
// sample's activation, one time step's activation (dense values, and the
// indices of the non-zero ones when the producer knows them: spikes and
// event frames are sparse), and the layer concept sequential<...> composes.
//
// Activations are channels-last, [y][x][c] flattened (index (y * W + x) * C
// + c), so that a convolution's inner loops run over contiguous channels.
//
// A layer L (concept sg::layer) provides:
//   L::work                          its per-sample state and tape: what the
//                                    backward pass keeps of each step
//   l.configure(in)                  fixes the input shape; returns the output's
//   l.parameter_count()              floats of weights and biases
//   l.init(params, rng)              PyTorch's default initialisation
//   l.make_work(steps)               a tape for up to `steps` steps
//   l.begin(work)                    a new sample: state to zero, tape emptied
//   l.forward(params, in, out, work, record)
//                                    one step; record = false keeps no tape
//   l.backward(params, g_out, g_in, g_params, work, t)
//                                    step t (called for t = T-1 ... 0 in turn):
//                                    g_in = d loss / d input (may be null: not
//                                    needed), g_params += d loss / d params
//
// and may provide, each named by a concept below and used only through it:
//   l.weight_count()                 the weights' share of its parameters,
//                                    drawn before the biases (layer_with_weight_count)
//   l.prepare(params, work)          derive what backward_steps needs once the
//                                    parameters last changed (layer_with_prepare)
//   l.backward_steps(params, g_outs, g_ins, g_params, work, T)
//                                    all T steps at once, [t][value], the same
//                                    bits as backward for t = T-1 ... 0
//                                    (layer_with_backward_steps)
//   work.tape_bytes()                bytes its tape holds, for the trainer's
//                                    report (work_with_tape_bytes)
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"

namespace somnus::sg {

/// A sample's activation shape: channels, height, width.
struct shape3 {
    std::size_t c = 0, h = 1, w = 1;
    std::size_t size() const { return c * h * w; }
    friend bool operator==(const shape3&, const shape3&) = default;
};

/// One step's activation of one sample.
struct activation {
    std::vector<float> v;           ///< dense values, channels-last
    std::vector<std::uint32_t> nz;  ///< increasing indices of the non-zero values, when has_nz
    bool has_nz = false;

    void resize(std::size_t n)
    {
        v.assign(n, 0.0f);
        nz.clear();
        nz.reserve(n);
        has_nz = false;
    }
    /// All zero, with an empty non-zero list.
    void clear()
    {
        if (has_nz) {
            for (const auto i : nz) v[i] = 0.0f;
        } else {
            std::fill(v.begin(), v.end(), 0.0f);
        }
        nz.clear();
        has_nz = true;
    }
    /// Sets v[i] = x (i increasing across calls, x != 0) and lists i.
    void push(std::uint32_t i, float x)
    {
        v[i] = x;
        nz.push_back(i);
    }
};

/// The non-zero inputs of each step, appended step after step: what a layer
/// that multiplies its input by weights keeps for its weight gradient.
struct sparse_tape {
    std::vector<std::uint32_t> offsets{0};
    std::vector<std::uint32_t> index;
    std::vector<float> value;

    void clear()
    {
        offsets.assign(1, 0);
        index.clear();
        value.clear();
    }
    void append(const activation& a)
    {
        if (a.has_nz) {
            for (const auto i : a.nz) {
                index.push_back(i);
                value.push_back(a.v[i]);
            }
        } else {
            for (std::size_t i = 0; i < a.v.size(); ++i)
                if (a.v[i] != 0.0f) {
                    index.push_back(static_cast<std::uint32_t>(i));
                    value.push_back(a.v[i]);
                }
        }
        offsets.push_back(static_cast<std::uint32_t>(index.size()));
    }
    std::size_t steps() const { return offsets.size() - 1; }
    std::span<const std::uint32_t> index_at(std::size_t t) const
    {
        return std::span(index).subspan(offsets[t], offsets[t + 1] - offsets[t]);
    }
    std::span<const float> value_at(std::size_t t) const
    {
        return std::span(value).subspan(offsets[t], offsets[t + 1] - offsets[t]);
    }
    std::size_t bytes() const { return offsets.capacity() * 4 + index.capacity() * 4 + value.capacity() * 4; }
};

/// Calls f(i, x) for every non-zero x = a.v[i], in increasing i.
template <class F>
void for_each_nonzero(const activation& a, F&& f)
{
    if (a.has_nz) {
        for (const auto i : a.nz) f(i, a.v[i]);
    } else {
        for (std::size_t i = 0; i < a.v.size(); ++i)
            if (a.v[i] != 0.0f) f(static_cast<std::uint32_t>(i), a.v[i]);
    }
}

/// PyTorch's default initialisation of conv and linear layers: weights
/// kaiming_uniform(a = sqrt 5) and biases uniform, both U(-b, b) with
/// b = 1 / sqrt(fan_in).
inline void pytorch_uniform(std::span<float> x, std::size_t fan_in, random_stream& rng)
{
    const float b = 1.0f / std::sqrt(float(fan_in));
    for (auto& v : x) v = rng.uniform(-b, b);
}

template <class L>
concept layer = requires(L l, const L cl, shape3 s, std::span<float> p, random_stream& rng, typename L::work& w, const float* cp,
                         const activation& in, activation& out, const float* g_out, float* g_in, float* g_p, std::size_t t) {
    { l.configure(s) } -> std::same_as<shape3>;
    { cl.parameter_count() } -> std::convertible_to<std::size_t>;
    cl.init(p, rng);
    { cl.make_work(t) } -> std::same_as<typename L::work>;
    cl.begin(w);
    cl.forward(cp, in, out, w, true);
    cl.backward(cp, g_out, g_in, g_p, w, t);
};

/// Optional members of a layer (see the list at the top).
template <class L>
concept layer_with_weight_count = requires(const L l) {
    { l.weight_count() } -> std::convertible_to<std::size_t>;
};
template <class L>
concept layer_with_prepare = requires(const L l, const float* p, typename L::work& w) { l.prepare(p, w); };
template <class L>
concept layer_with_backward_steps = requires(const L l, const float* p, const float* g_out, float* g_in, float* g_p, typename L::work& w,
                                             std::size_t T) { l.backward_steps(p, g_out, g_in, g_p, w, T); };
template <class W>
concept work_with_tape_bytes = requires(const W w) {
    { w.tape_bytes() } -> std::convertible_to<std::size_t>;
};

} // namespace somnus::sg
