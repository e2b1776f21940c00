// SPDX-License-Identifier: MIT
// Fully connected layer, as torch.nn.Linear(in, out) on the flattened input:
// out[o] = b[o] + sum_i in[i] w[o][i]. The weights are kept [i][o], so that a
// non-zero input adds one contiguous row (spikes are sparse); the input
// gradient is one dot product per input.
// A narrow layer (fewer outputs than SIMD lanes, e.g. a 10-class readout)
// keeps a row in one register: the SIMD path loads whole registers from the
// row onward (reading into the next row or the biases, never past the
// layer's parameters) and ignores or restores the extra lanes, the same bits
// as the scalar loops. backward (from weights it transposes once per
// sample) and backward_steps, after prepare(), compute the input
// gradient of every step from a transposed copy of such weights, lanes over
// inputs; again the same bits (each sum in the order of the scalar dot).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/simd.hpp"
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
        std::vector<float> weights_t;  ///< prepare(): w[o][i], for narrow layers
        const float* prepared = nullptr;
        bool transposed_this_sample = false;  ///< backward(): weights_t made since begin()
        std::size_t tape_bytes() const { return inputs.bytes(); }
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
    void begin(work& w) const
    {
        w.inputs.clear();
        w.transposed_this_sample = false;
    }

    /// Output lanes of the narrow SIMD path: fewer outputs than a register holds.
    template <class V>
    bool narrow() const
    {
        return simd::is_batch<V> && p.out_features < simd::lanes_of<V>;
    }

    template <class V = fast>
    void forward(const float* prm, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t no = p.out_features;
        if constexpr (simd::is_batch<V>) {
            if (narrow<V>()) {
                alignas(64) float acc_lanes[simd::width] = {};
                std::copy(prm + weight_count(), prm + weight_count() + no, acc_lanes);
                V acc = simd::load<V>(acc_lanes);
                // Rows that end a whole register before the layer's end load
                // directly (a local loop: the accumulator stays in a register).
                const std::size_t direct = parameter_count() >= simd::width ? (parameter_count() - simd::width) / no + 1 : 0;
                if (a.has_nz) {
                    for (const std::uint32_t i : a.nz) acc = acc + V(a.v[i]) * (i < direct ? simd::load<V>(prm + std::size_t{i} * no) : row<V>(prm, i));
                } else {
                    for (std::size_t i = 0; i < p.in_features; ++i)
                        if (a.v[i] != 0.0f) acc = acc + V(a.v[i]) * (i < direct ? simd::load<V>(prm + i * no) : row<V>(prm, i));
                }
                simd::store(acc_lanes, acc);
                std::copy(acc_lanes, acc_lanes + no, o.v.data());
                o.nz.clear();
                o.has_nz = false;
                if (record) w.inputs.append(a);
                return;
            }
        }
        std::copy(prm + weight_count(), prm + weight_count() + no, o.v.data());
        o.nz.clear();
        o.has_nz = false;
        for_each_nonzero(a, [&](std::uint32_t i, float x) { axpy<V>(no, x, prm + i * no, o.v.data()); });
        if (record) w.inputs.append(a);
    }

    /// forward() of `count` dense inputs ([n][in_features], zeros skipped)
    /// into outputs ([n][out_features]), the same bits, with the weights read
    /// in blocks of outputs that stay in the L1 cache across the inputs.
    template <class V = fast>
    void forward_batch(const float* prm, const float* inputs, std::size_t count, float* outputs) const
    {
        const std::size_t ni = p.in_features, no = p.out_features;
        const float* bias = prm + weight_count();
        if constexpr (simd::is_batch<V>) {
            constexpr std::size_t K = 2, span = K * simd::width;  // 32 outputs: in_features * 128 bytes of weights
            // Each input's non-zero entries, listed once (no branch per block).
            std::vector<std::uint32_t> nz_offsets(count + 1, 0), nz_index;
            std::vector<float> nz_value;
            for (std::size_t n = 0; n < count; ++n) {
                const float* x = inputs + n * ni;
                for (std::size_t i = 0; i < ni; ++i)
                    if (x[i] != 0.0f) {
                        nz_index.push_back(static_cast<std::uint32_t>(i));
                        nz_value.push_back(x[i]);
                    }
                nz_offsets[n + 1] = static_cast<std::uint32_t>(nz_index.size());
            }
            std::size_t o = 0;
            for (; o + span <= no; o += span)
                for (std::size_t n = 0; n < count; ++n) {
                    V acc0 = simd::load<V>(bias + o), acc1 = simd::load<V>(bias + o + simd::width);
                    for (std::uint32_t e = nz_offsets[n]; e < nz_offsets[n + 1]; ++e) {
                        const float* r = prm + std::size_t{nz_index[e]} * no + o;
                        const V x(nz_value[e]);
                        acc0 = acc0 + x * simd::load<V>(r);
                        acc1 = acc1 + x * simd::load<V>(r + simd::width);
                    }
                    simd::store(outputs + n * no + o, acc0);
                    simd::store(outputs + n * no + o + simd::width, acc1);
                }
            if (o == no) return;
            // The last outputs, sample by sample.
            for (std::size_t n = 0; n < count; ++n) {
                const float* x = inputs + n * ni;
                float* out = outputs + n * no;
                std::copy(bias + o, bias + no, out + o);
                for (std::size_t i = 0; i < ni; ++i)
                    if (x[i] != 0.0f) axpy<V>(no - o, x[i], prm + i * no + o, out + o);
            }
        } else {
            for (std::size_t n = 0; n < count; ++n) {
                const float* x = inputs + n * ni;
                float* out = outputs + n * no;
                std::copy(bias, bias + no, out);
                for (std::size_t i = 0; i < ni; ++i)
                    if (x[i] != 0.0f) axpy<V>(no, x[i], prm + i * no, out);
            }
        }
    }

    template <class V = fast>
    void backward(const float* prm, const float* g_out, float* g_in, float* g_prm, work& w, std::size_t t) const
    {
        accumulate_parameters<V>(g_out, g_prm, w, t);
        if (g_in == nullptr) return;
        const std::size_t no = p.out_features;
        if constexpr (simd::is_batch<V>) {
            if (narrow<V>()) {
                // Lanes over inputs from weights transposed once per sample
                // (begin() drops them), the same bits as the dots below.
                if (!w.transposed_this_sample) {
                    prepare(prm, w);
                    w.transposed_this_sample = true;
                }
                const float* wt = w.weights_t.data();
                simd::for_each<V>(p.in_features, [=, ni = p.in_features](std::size_t i, auto lane) {
                    using L = decltype(lane);
                    L acc(0.0f);
                    for (std::size_t o = 0; o < no; ++o) acc = acc + L(g_out[o]) * simd::load<L>(wt + o * ni + i);
                    simd::store(g_in + i, acc);
                });
                return;
            }
        }
        for (std::size_t i = 0; i < p.in_features; ++i) g_in[i] = dot<V>(no, g_out, prm + i * no);
    }

    /// Derived data for backward_steps: a transposed copy of narrow weights.
    /// Call after the parameters last changed, before backward_steps.
    void prepare(const float* prm, work& w) const
    {
        const std::size_t ni = p.in_features, no = p.out_features;
        if (no >= simd::width) return;
        w.weights_t.resize(ni * no);
        for (std::size_t i = 0; i < ni; ++i)
            for (std::size_t o = 0; o < no; ++o) w.weights_t[o * ni + i] = prm[i * no + o];
        w.prepared = prm;
    }

    /// Every recorded step at once, t = T-1 down to 0: g_out and g_in hold
    /// [t][features]. The same bits as backward() step by step.
    template <class V = fast>
    void backward_steps(const float* prm, const float* g_out, float* g_in, float* g_prm, work& w, std::size_t steps) const
    {
        const std::size_t ni = p.in_features, no = p.out_features;
        for (std::size_t t = steps; t-- > 0;) accumulate_parameters<V>(g_out + t * no, g_prm, w, t);
        if (g_in == nullptr) return;
        if (!narrow<V>() || w.prepared != prm) {
            for (std::size_t t = steps; t-- > 0;)
                for (std::size_t i = 0; i < ni; ++i) g_in[t * ni + i] = dot<V>(no, g_out + t * no, prm + i * no);
            return;
        }
        // Lanes over inputs, the outputs summed in the scalar dot's order
        // (from +0, o = 0, 1, ...); four steps at a time share the weight
        // loads and give four independent chains of additions.
        const float* wt = w.weights_t.data();
        std::size_t t = 0;
        for (; t + 4 <= steps; t += 4) {
            const float* g = g_out + t * no;
            float* gi = g_in + t * ni;
            simd::for_each<V>(ni, [=](std::size_t i, auto lane) {
                using L = decltype(lane);
                L a0(0.0f), a1(0.0f), a2(0.0f), a3(0.0f);
                for (std::size_t o = 0; o < no; ++o) {
                    const L x = simd::load<L>(wt + o * ni + i);
                    a0 = a0 + L(g[o]) * x;
                    a1 = a1 + L(g[no + o]) * x;
                    a2 = a2 + L(g[2 * no + o]) * x;
                    a3 = a3 + L(g[3 * no + o]) * x;
                }
                simd::store(gi + i, a0);
                simd::store(gi + ni + i, a1);
                simd::store(gi + 2 * ni + i, a2);
                simd::store(gi + 3 * ni + i, a3);
            });
        }
        for (; t < steps; ++t) {
            const float* g = g_out + t * no;
            float* gi = g_in + t * ni;
            simd::for_each<V>(ni, [=](std::size_t i, auto lane) {
                using L = decltype(lane);
                L acc(0.0f);
                for (std::size_t o = 0; o < no; ++o) acc = acc + L(g[o]) * simd::load<L>(wt + o * ni + i);
                simd::store(gi + i, acc);
            });
        }
    }

private:
    /// Row i of the weights as one register (narrow layers): a whole-register
    /// load where it stays inside the layer's parameters, else a padded copy.
    template <class V>
    V row(const float* prm, std::size_t i) const
    {
        const std::size_t at = i * p.out_features;
        if (at + simd::width <= parameter_count()) return simd::load<V>(prm + at);
        alignas(64) float lanes[simd::width] = {};
        std::copy(prm + at, prm + at + p.out_features, lanes);
        return simd::load<V>(lanes);
    }

    /// d loss / d params of step t: the bias gets g_out, the row of each
    /// non-zero input x gets x g_out.
    template <class V>
    void accumulate_parameters(const float* g_out, float* g_prm, work& w, std::size_t t) const
    {
        const std::size_t no = p.out_features;
        add<V>(no, g_out, g_prm + weight_count());
        const auto idx = w.inputs.index_at(t);
        const auto val = w.inputs.value_at(t);
        if constexpr (simd::is_batch<V>) {
            if (narrow<V>()) {
                // Whole registers read and written back; the lanes past the
                // row (the next row or the biases) get -0, which leaves every
                // value as it was, so the store needs no mask (a masked store
                // is slow, and stalls the next read of the row).
                alignas(64) float g_lanes[simd::width] = {};
                std::copy(g_out, g_out + no, g_lanes);
                const V g = simd::load<V>(g_lanes);
                alignas(64) float lane_no[simd::width];
                for (std::size_t k = 0; k < simd::width; ++k) lane_no[k] = float(k);
                const auto inside = simd::load<V>(lane_no) < V(float(no));
                // A register over row i also covers the next m - 1 rows. The
                // list (increasing rows) is taken in m interleaved passes
                // (positions 0, m, 2m, ..., then 1, m + 1, ...), so that a
                // row is not read right after a store that overlaps it
                // (which cannot be forwarded and stalls). Each row is
                // touched once per step: the order among rows changes no value.
                const std::size_t m = (simd::width + no - 1) / no;
                for (std::size_t pass = 0; pass < m; ++pass)
                    for (std::size_t e = pass; e < idx.size(); e += m) {
                        const std::size_t at = std::size_t{idx[e]} * no;
                        if (at + simd::width <= parameter_count()) {
                            simd::store(g_prm + at, simd::load<V>(g_prm + at) + simd::select(inside, V(val[e]) * g, V(-0.0f)));
                        } else {
                            axpy<float>(no, val[e], g_out, g_prm + at);
                        }
                    }
                return;
            }
        }
        for (std::size_t e = 0; e < idx.size(); ++e) axpy<V>(no, val[e], g_out, g_prm + idx[e] * no);
    }
};

static_assert(layer<linear> && layer_with_weight_count<linear> && layer_with_prepare<linear> && layer_with_backward_steps<linear> &&
              work_with_tape_bytes<linear::work>);

} // namespace somnus::sg
