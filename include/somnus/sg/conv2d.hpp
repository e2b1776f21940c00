// SPDX-License-Identifier: MIT
// 2-D convolution, stride 1, no padding ("valid"), as torch.nn.Conv2d(in,
// out, k): out[oy][ox][o] = b[o] + sum_{i,ky,kx} in[oy+ky][ox+kx][i] w[o][i][ky][kx].
//
// Forward scatters each non-zero input into the outputs it reaches: an input
// at (y, x, i) adds x * w[i][ky][kx][.] to the output row (y-ky, x-kx) for
// every tap, a contiguous run over the output channels (the weights are kept
// [i][ky][kx][o] for that). Event frames are ~0.6 % non-zero and spike maps
// binary and sparse, so this does a small fraction of the dense work; the
// weight gradient is the same scatter in reverse over the recorded inputs.
// The input gradient is dense: for each input (y, x) and channel i, a dot
// product over the output channels of each tap.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kernels.hpp"
#include "layer.hpp"

namespace somnus::sg {

struct conv2d {
    struct params {
        std::size_t in_channels = 1, out_channels = 1, kernel = 3;
        template <class F>
        void each_field(F&& f) const
        {
            f("in_channels", in_channels);
            f("out_channels", out_channels);
            f("kernel", kernel);
        }
    };
    params p{};
    shape3 in{}, out{};

    conv2d() = default;
    conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel) : p{in_channels, out_channels, kernel} {}

    struct work {
        sparse_tape inputs;
        std::vector<float> acc;  ///< backward scratch, one row of output channels
        std::size_t tape_bytes() const { return inputs.bytes(); }
    };

    shape3 configure(shape3 s)
    {
        detail::require(p.in_channels > 0 && p.out_channels > 0 && p.kernel > 0, "conv2d: channels and kernel must be positive");
        detail::require(s.c == p.in_channels, "conv2d: input has {} channels, the layer {}", s.c, p.in_channels);
        detail::require(s.h >= p.kernel && s.w >= p.kernel, "conv2d: a {0}x{0} kernel on a {1}x{2} input", p.kernel, s.h, s.w);
        in = s;
        out = {p.out_channels, s.h - p.kernel + 1, s.w - p.kernel + 1};
        return out;
    }
    std::size_t weight_count() const { return p.in_channels * p.kernel * p.kernel * p.out_channels; }
    std::size_t parameter_count() const { return weight_count() + p.out_channels; }
    /// Weight w[o][i][ky][kx] (torch's order) in the layer's parameters.
    std::size_t weight_index(std::size_t o, std::size_t i, std::size_t ky, std::size_t kx) const
    {
        return ((i * p.kernel + ky) * p.kernel + kx) * p.out_channels + o;
    }
    std::size_t bias_index(std::size_t o) const { return weight_count() + o; }

    void init(std::span<float> x, random_stream& rng) const
    {
        pytorch_uniform(x, p.in_channels * p.kernel * p.kernel, rng);
    }
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
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, ic = p.in_channels;
        const float* bias = prm + weight_count();
        for (std::size_t q = 0; q < oh * ow; ++q) std::copy(bias, bias + oc, o.v.data() + q * oc);
        o.nz.clear();
        o.has_nz = false;
        for_each_nonzero(a, [&](std::uint32_t idx, float x) {
            const std::size_t i = idx % ic, pos = idx / ic, y = pos / in.w, xx = pos % in.w;
            // Taps with 0 <= y - ky < oh and 0 <= x - kx < ow.
            const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
            const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
            for (std::size_t ky = ky0; ky <= ky1; ++ky)
                for (std::size_t kx = kx0; kx <= kx1; ++kx)
                    axpy<V>(oc, x, prm + ((i * k + ky) * k + kx) * oc, o.v.data() + ((y - ky) * ow + (xx - kx)) * oc);
        });
        if (record) w.inputs.append(a);
    }

    template <class V = fast>
    void backward(const float* prm, const float* g_out, float* g_in, float* g_prm, work& w, std::size_t t) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, ic = p.in_channels;
        // Bias: every output position.
        float* gb = g_prm + weight_count();
        for (std::size_t q = 0; q < oh * ow; ++q) add<V>(oc, g_out + q * oc, gb);
        // Weights: the recorded non-zero inputs of step t.
        const auto idx = w.inputs.index_at(t);
        const auto val = w.inputs.value_at(t);
        for (std::size_t e = 0; e < idx.size(); ++e) {
            const std::size_t i = idx[e] % ic, pos = idx[e] / ic, y = pos / in.w, xx = pos % in.w;
            const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
            const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
            for (std::size_t ky = ky0; ky <= ky1; ++ky)
                for (std::size_t kx = kx0; kx <= kx1; ++kx)
                    axpy<V>(oc, val[e], g_out + ((y - ky) * ow + (xx - kx)) * oc, g_prm + ((i * k + ky) * k + kx) * oc);
        }
        if (g_in == nullptr) return;
        // Input: g_in[y][x][i] = sum over taps and o of g_out[y-ky][x-kx][o] w[i][ky][kx][o],
        // the products summed lane-wise over the taps (in registers, fused
        // multiply-adds, when the output channels fill 1 to 4 whole batches)
        // and reduced once.
        if constexpr (simd::is_batch<V>) {
            if (oc % simd::width == 0) {
                switch (oc / simd::width) {
                case 1: return input_gradient<V, 1>(prm, g_out, g_in);
                case 2: return input_gradient<V, 2>(prm, g_out, g_in);
                case 3: return input_gradient<V, 3>(prm, g_out, g_in);
                case 4: return input_gradient<V, 4>(prm, g_out, g_in);
                default: break;
                }
            }
        }
        w.acc.resize(oc);
        float* acc = w.acc.data();
        for (std::size_t y = 0; y < in.h; ++y)
            for (std::size_t xx = 0; xx < in.w; ++xx) {
                const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
                const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
                float* gi = g_in + (y * in.w + xx) * ic;
                for (std::size_t i = 0; i < ic; ++i) {
                    std::fill(acc, acc + oc, 0.0f);
                    for (std::size_t ky = ky0; ky <= ky1; ++ky)
                        for (std::size_t kx = kx0; kx <= kx1; ++kx)
                            mul_add<V>(oc, g_out + ((y - ky) * ow + (xx - kx)) * oc, prm + ((i * k + ky) * k + kx) * oc, acc);
                    gi[i] = sum<V>(oc, acc);
                }
            }
    }

private:
    /// The input gradient with N batches of output channels held in
    /// registers, for IB input channels at once (independent accumulators, and
    /// each output row loaded once per block).
    template <class V, std::size_t N>
    void input_gradient(const float* prm, const float* g_out, float* g_in) const
    {
        constexpr std::size_t IB = N >= 8 ? 1 : 8 / N;
        const std::size_t ic = p.in_channels;
        const std::size_t k = p.kernel, ow = out.w;
        for (std::size_t y = 0; y < in.h; ++y)
            for (std::size_t xx = 0; xx < in.w;) {
                // Two neighbouring inputs whose taps are all inside share the
                // weight loads (when the registers allow it).
                if constexpr (N * IB * 2 <= 16) {
                    if (xx >= k - 1 && xx + 1 < ow && ic % IB == 0) {
                        for (std::size_t i0 = 0; i0 < ic; i0 += IB) input_gradient_pair<V, N, IB>(prm, g_out, g_in, y, xx, i0);
                        xx += 2;
                        continue;
                    }
                }
                std::size_t i0 = 0;
                for (; i0 + IB <= ic; i0 += IB) input_gradient_block<V, N, IB>(prm, g_out, g_in, y, xx, i0);
                for (; i0 < ic; ++i0) input_gradient_block<V, N, 1>(prm, g_out, g_in, y, xx, i0);
                ++xx;
            }
    }

    /// input_gradient_block for inputs (y, x) and (y, x + 1), both with all
    /// k taps across (k - 1 <= x, x + 1 < out.w).
    template <class V, std::size_t N, std::size_t B>
    void input_gradient_pair(const float* prm, const float* g_out, float* g_in, std::size_t y, std::size_t xx, std::size_t i0) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, ic = p.in_channels;
        const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
        const std::size_t stride = k * k * oc;
        V acc0[B][N], acc1[B][N];
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t n = 0; n < N; ++n) acc0[b][n] = acc1[b][n] = simd::splat<V>(0.0f);
        for (std::size_t ky = ky0; ky <= ky1; ++ky)
            for (std::size_t kx = 0; kx < k; ++kx) {
                const float* g0 = g_out + ((y - ky) * ow + (xx - kx)) * oc;
                const float* g1 = g0 + oc;
                const float* wt = prm + ((i0 * k + ky) * k + kx) * oc;
                for (std::size_t n = 0; n < N; ++n) {
                    const V a = simd::load<V>(g0 + n * simd::width), c = simd::load<V>(g1 + n * simd::width);
                    for (std::size_t b = 0; b < B; ++b) {
                        const V wv = simd::load<V>(wt + b * stride + n * simd::width);
                        acc0[b][n] = simd::fma(a, wv, acc0[b][n]);
                        acc1[b][n] = simd::fma(c, wv, acc1[b][n]);
                    }
                }
            }
        float* gi0 = g_in + (y * in.w + xx) * ic + i0;
        float* gi1 = gi0 + ic;
        for (std::size_t b = 0; b < B; ++b) {
            V t0 = acc0[b][0], t1 = acc1[b][0];
            for (std::size_t n = 1; n < N; ++n) {
                t0 = t0 + acc0[b][n];
                t1 = t1 + acc1[b][n];
            }
            gi0[b] = simd::reduce_add(t0);
            gi1[b] = simd::reduce_add(t1);
        }
    }

    template <class V, std::size_t N, std::size_t B>
    void input_gradient_block(const float* prm, const float* g_out, float* g_in, std::size_t y, std::size_t xx, std::size_t i0) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, ic = p.in_channels;
        const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
        const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
        const std::size_t stride = k * k * oc;  // the next input channel, same tap
        V acc[B][N];
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t n = 0; n < N; ++n) acc[b][n] = simd::splat<V>(0.0f);
        for (std::size_t ky = ky0; ky <= ky1; ++ky)
            for (std::size_t kx = kx0; kx <= kx1; ++kx) {
                const float* g = g_out + ((y - ky) * ow + (xx - kx)) * oc;
                const float* wt = prm + ((i0 * k + ky) * k + kx) * oc;
                for (std::size_t n = 0; n < N; ++n) {
                    const V gv = simd::load<V>(g + n * simd::width);
                    for (std::size_t b = 0; b < B; ++b) acc[b][n] = simd::fma(gv, simd::load<V>(wt + b * stride + n * simd::width), acc[b][n]);
                }
            }
        float* gi = g_in + (y * in.w + xx) * ic + i0;
        for (std::size_t b = 0; b < B; ++b) {
            V total = acc[b][0];
            for (std::size_t n = 1; n < N; ++n) total = total + acc[b][n];
            gi[b] = simd::reduce_add(total);
        }
    }
};

static_assert(layer<conv2d> && layer_with_weight_count<conv2d> && work_with_tape_bytes<conv2d::work>);

} // namespace somnus::sg
