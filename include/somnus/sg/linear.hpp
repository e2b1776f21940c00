// SPDX-License-Identifier: MIT
// Fully connected layer, as torch.nn.Linear(in, out) on the flattened input:
// out[o] = b[o] + sum_i in[i] w[o][i]. The weights are kept [i][o], so that a
// non-zero input adds one contiguous row (spikes are sparse); the input
// gradient is one dot product per input.
#pragma once

#include <cstddef>
#include <span>

#include "kernels.hpp"
#include "layer.hpp"

namespace somnus::sg {

struct linear {
    struct params {
        std::size_t in_features = 1, out_features = 1;
        template <class F>
        void each_field(F&& f) const
        {
            f("in_features", in_features);
            f("out_features", out_features);
        }
    };
    params p{};
    shape3 in{}, out{};

    linear() = default;
    linear(std::size_t in_features, std::size_t out_features) : p{in_features, out_features} {}

    struct work {
        sparse_tape inputs;
    };

    shape3 configure(shape3 s)
    {
        detail::require(p.in_features > 0 && p.out_features > 0, "linear: features must be positive");
        detail::require(s.size() == p.in_features, "linear: input of {} values ({}x{}x{}), the layer takes {}", s.size(), s.c, s.h, s.w,
                        p.in_features);
        in = s;
        out = {p.out_features, 1, 1};
        return out;
    }
    std::size_t weight_count() const { return p.in_features * p.out_features; }
    std::size_t parameter_count() const { return weight_count() + p.out_features; }
    /// Weight w[o][i] (torch's order) in the layer's parameters.
    std::size_t weight_index(std::size_t o, std::size_t i) const { return i * p.out_features + o; }
    std::size_t bias_index(std::size_t o) const { return weight_count() + o; }

    void init(std::span<float> x, random_stream& rng) const { pytorch_uniform(x, p.in_features, rng); }
    work make_work(std::size_t steps) const
    {
        work w;
        w.inputs.offsets.reserve(steps + 1);
        return w;
    }
    void begin(work& w) const { w.inputs.clear(); }

    template <class V = fast>
    void forward(const float* prm, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t no = p.out_features;
        std::copy(prm + weight_count(), prm + weight_count() + no, o.v.data());
        o.nz.clear();
        o.has_nz = false;
        for_each_nonzero(a, [&](std::uint32_t i, float x) { axpy<V>(no, x, prm + i * no, o.v.data()); });
        if (record) w.inputs.append(a);
    }

    template <class V = fast>
    void backward(const float* prm, const float* g_out, float* g_in, float* g_prm, work& w, std::size_t t) const
    {
        const std::size_t no = p.out_features;
        add<V>(no, g_out, g_prm + weight_count());
        const auto idx = w.inputs.index_at(t);
        const auto val = w.inputs.value_at(t);
        for (std::size_t e = 0; e < idx.size(); ++e) axpy<V>(no, val[e], g_out, g_prm + idx[e] * no);
        if (g_in == nullptr) return;
        for (std::size_t i = 0; i < p.in_features; ++i) g_in[i] = dot<V>(no, g_out, prm + i * no);
    }
};

static_assert(layer<linear>);

} // namespace somnus::sg
