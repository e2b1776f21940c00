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
// When the output channels fill whole registers (conv2's 32), both run a
// kernel row's taps with the pointers stepped in registers (axpy_taps).
// Rows of channels that do not fill whole registers (conv1's 12) run as
// whole registers where they stay inside the arrays (kernels axpy_whole:
// the extra lanes add -0), the same bits. The biases every step starts
// from are laid out once per sample. Dense enough inputs (at least one
// non-zero per output position: busy spike maps) are gathered instead,
// output position by output position, with the sums in registers and in
// the scatter's order (the same bits).
// The input gradient: when at most half the output gradients are non-zero
// (behind a max pool, at most a quarter are), each non-zero g_out[y][x][o]
// is scattered into the inputs it came from, g_in[y+ky][x+kx][.] +=
// g w[.][ky][kx][o], for each kernel row one run over (kx, i) of weights
// transposed to [o][ky][kx][i] once per sample; each input's sum is taken
// in a fixed order (output positions k + 1 columns apart, see
// sparse_input_gradient, then channels),
// fused multiply-adds on both the SIMD and the scalar path (the same bits
// wherever the target has FMA instructions; simd::fused_fma).
// Otherwise it is dense: for each input (y, x) and channel i, a dot
// product over the output channels of each tap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
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
    struct input_coord {
        std::uint32_t channel, y, x;
    };
    std::vector<input_coord> coord;  ///< configure(): per input index

    conv2d() = default;
    conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel) : p{in_channels, out_channels, kernel} {}

    struct work {
        sparse_tape inputs;
        std::vector<float> acc;  ///< backward scratch, one row of output channels
        // Sparse input gradient (backward scratch): the weights as
        // [o][ky][kx][i] with the input channels padded to whole registers
        // (transposed for the parameters at `transposed_for`, once per
        // sample), the input gradient in that padding, and the non-zero
        // output gradients of a step by position.
        std::vector<float> weights_t, g_in_pad, g_value;
        std::vector<std::uint32_t> g_offsets, g_channel;
        const float* transposed_for = nullptr;
        std::vector<float> bias_image;  ///< forward: the biases at every output position, made once per sample
        std::vector<std::uint32_t> at_offsets, at_index;  ///< gather_forward: non-zero inputs by position
        std::vector<float> at_value;
        bool bias_ready = false;
        std::size_t tape_bytes() const { return inputs.bytes(); }
    };

    shape3 configure(shape3 s)
    {
        detail::require(p.in_channels > 0 && p.out_channels > 0 && p.kernel > 0, "conv2d: channels and kernel must be positive");
        detail::require(s.c == p.in_channels, "conv2d: input has {} channels, the layer {}", s.c, p.in_channels);
        detail::require(s.h >= p.kernel && s.w >= p.kernel, "conv2d: a {0}x{0} kernel on a {1}x{2} input", p.kernel, s.h, s.w);
        in = s;
        out = {p.out_channels, s.h - p.kernel + 1, s.w - p.kernel + 1};
        // Each input index's channel, row and column, looked up instead of
        // divided out for every non-zero input.
        coord.resize(in.size());
        for (std::size_t idx = 0; idx < in.size(); ++idx)
            coord[idx] = {static_cast<std::uint32_t>(idx % in.c), static_cast<std::uint32_t>(idx / in.c / in.w),
                          static_cast<std::uint32_t>(idx / in.c % in.w)};
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
    void begin(work& w) const
    {
        w.inputs.clear();
        w.transposed_for = nullptr;
        w.bias_ready = false;
    }

    /// Output channels rounded up to whole registers: what axpy_whole
    /// touches of a row.
    std::size_t whole_channels() const { return (p.out_channels + simd::width - 1) / simd::width * simd::width; }

    /// Calls f(std::integral_constant<std::size_t, N>{}) and returns true
    /// when the output channels fill N = 1 to 4 whole registers (the
    /// register kernels' shapes); false, calling nothing, otherwise.
    template <class V, class F>
    bool in_whole_registers(F&& f) const
    {
        if constexpr (simd::is_batch<V>) {
            if (p.out_channels % simd::width != 0) return false;
            switch (p.out_channels / simd::width) {
            case 1: f(std::integral_constant<std::size_t, 1>{}); return true;
            case 2: f(std::integral_constant<std::size_t, 2>{}); return true;
            case 3: f(std::integral_constant<std::size_t, 3>{}); return true;
            case 4: f(std::integral_constant<std::size_t, 4>{}); return true;
            default: return false;
            }
        }
        return false;
    }

    template <class V = fast>
    void forward(const float* prm, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w;
        const float* bias = prm + weight_count();
        if constexpr (simd::is_batch<V>) {
            if (a.has_nz && a.nz.size() >= oh * ow && weight_count() < (std::size_t{1} << 32) &&
                in_whole_registers<V>([&](auto n) { gather_forward<V, n>(prm, a, o, w); })) {
                if (record) w.inputs.append(a);
                return;
            }
        }
        if (!w.bias_ready) {
            w.bias_image.resize(oh * ow * oc);
            for (std::size_t q = 0; q < oh * ow; ++q) std::copy(bias, bias + oc, w.bias_image.data() + q * oc);
            w.bias_ready = true;
        }
        std::copy(w.bias_image.begin(), w.bias_image.end(), o.v.begin());
        o.nz.clear();
        o.has_nz = false;
        if (in_whole_registers<V>([&](auto n) { scatter_forward<V, n>(prm, a, o.v.data()); })) {
            if (record) w.inputs.append(a);
            return;
        }
        // Rows whose whole registers stay inside the outputs and the
        // parameters take axpy_whole (channels not a multiple of the lanes).
        const std::size_t wc = whole_channels(), out_limit = o.v.size() >= wc ? o.v.size() - wc : 0,
                          w_limit = parameter_count() - std::min(parameter_count(), wc);
        const bool ragged = oc % simd::width != 0;
        for_each_nonzero(a, [&](std::uint32_t idx, float x) {
            const std::size_t i = coord[idx].channel, y = coord[idx].y, xx = coord[idx].x;
            // Taps with 0 <= y - ky < oh and 0 <= x - kx < ow.
            const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
            const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
            // Every output gets one product per input, whatever the tap
            // order: ragged rows take kx in two passes (even, odd steps from
            // kx0), so that no whole register reloads a row the previous
            // one partly stored.
            const std::size_t passes = ragged ? 2 : 1, step = ragged ? 2 : 1;
            for (std::size_t ky = ky0; ky <= ky1; ++ky)
                for (std::size_t pass = 0; pass < passes; ++pass)
                for (std::size_t kx = kx0 + pass; kx <= kx1; kx += step) {
                    const std::size_t wa = ((i * k + ky) * k + kx) * oc, oa = ((y - ky) * ow + (xx - kx)) * oc;
                    if (ragged && wa <= w_limit && oa <= out_limit)
                        axpy_whole<V>(oc, x, prm + wa, o.v.data() + oa);
                    else
                        axpy<V>(oc, x, prm + wa, o.v.data() + oa);
                }
        });
        if (record) w.inputs.append(a);
    }

    template <class V = fast>
    void backward(const float* prm, const float* g_out, float* g_in, float* g_prm, work& w, std::size_t t) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, ic = p.in_channels;
        // Bias: every output position.
        float* gb = g_prm + weight_count();
        add_rows<V>(oh * ow, oc, oc, g_out, gb);
        // Weights: the recorded non-zero inputs of step t.
        const auto idx = w.inputs.index_at(t);
        const auto val = w.inputs.value_at(t);
        if (!in_whole_registers<V>([&](auto n) { scatter_weight_gradient<V, n>(idx, val, g_out, g_prm); }))
            scatter_weight_gradient_general<V>(idx, val, g_out, g_prm);
        if (g_in == nullptr) return;
        if (sparse_input_gradient<V>(prm, g_out, g_in, w)) return;
        // Input: g_in[y][x][i] = sum over taps and o of g_out[y-ky][x-kx][o] w[i][ky][kx][o],
        // the products summed lane-wise over the taps (in registers, fused
        // multiply-adds, when the output channels fill 1 to 4 whole batches)
        // and reduced once.
        if (in_whole_registers<V>([&](auto n) { input_gradient<V, n>(prm, g_out, g_in); })) return;
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

    /// Floats of one kernel row's transposed weights (k taps x in_channels,
    /// contiguous as the inputs they meet), padded to whole registers.
    std::size_t padded_row() const { return (p.kernel * p.in_channels + simd::width - 1) / simd::width * simd::width; }

    /// The input gradient from the non-zero output gradients (see the top of
    /// the file), if at most half of them are non-zero; false (nothing
    /// written) otherwise. An output gradient g at (y, x) meets, for each
    /// kernel row ky, the k x in_channels inputs from (y + ky, x) on, one
    /// contiguous run: g_in[run] += g w_t[o][ky][run], registers past the
    /// run's end adding g x 0 (padded weights; the scratch has room for
    /// them) to the next inputs, which leaves them unchanged.
    template <class V>
    bool sparse_input_gradient(const float* prm, const float* g_out, float* g_in, work& w) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, ow = out.w, ic = p.in_channels, kr = padded_row();
        const std::size_t positions = out.h * out.w, taps = k * k;
        // The non-zero output gradients, position after position, channels increasing.
        w.g_offsets.resize(positions + 1);
        w.g_channel.resize(positions * oc + simd::width);  // compress_indices writes whole registers
        w.g_value.resize(positions * oc);
        std::uint32_t* channel = w.g_channel.data();
        float* value = w.g_value.data();
        std::size_t count = 0;
        w.g_offsets[0] = 0;
        for (std::size_t q = 0; q < positions; ++q) {
            const float* g = g_out + q * oc;
            const std::size_t first = count;
            std::size_t o = 0;
            if constexpr (simd::is_batch<V>) {
                for (; o + simd::width <= oc; o += simd::width)
                    count += simd::compress_indices(simd::load<V>(g + o) != V(0.0f), static_cast<std::uint32_t>(o), channel + count);
            }
            for (; o < oc; ++o) {
                channel[count] = static_cast<std::uint32_t>(o);
                count += g[o] != 0.0f;
            }
            for (std::size_t e = first; e < count; ++e) value[e] = g[channel[e]];
            w.g_offsets[q + 1] = static_cast<std::uint32_t>(count);
        }
        if (2 * count > positions * oc) return false;
        if (w.transposed_for != prm) {
            // w_t[o][ky][kx * ic + i] = w[i][ky][kx][o], zeros past k * ic.
            w.weights_t.assign(oc * k * kr, 0.0f);
            for (std::size_t i = 0; i < ic; ++i)
                for (std::size_t tap = 0; tap < taps; ++tap)
                    for (std::size_t o = 0; o < oc; ++o)
                        w.weights_t[(o * k + tap / k) * kr + (tap % k) * ic + i] = prm[(i * taps + tap) * oc + o];
            w.transposed_for = prm;
        }
        w.g_in_pad.assign(in.size() + kr, 0.0f);
        float* gi = w.g_in_pad.data();
        const float* wt = w.weights_t.data();
        const std::size_t row = k * kr;  // one output channel's transposed weights
        const std::size_t runs = kr / simd::width, units = k * runs;
        // Output positions taken k + 1 columns apart (phase by phase, rows
        // in turn): the registers of one position never partly overlap
        // those of the position just before (a load that partly overlaps a
        // recent store waits for it), and the next row's at the same column
        // are the same addresses.
        for (std::size_t phase = 0; phase <= k; ++phase)
        for (std::size_t qy = 0; qy < out.h; ++qy)
        for (std::size_t qx = phase; qx < ow; qx += k + 1) {
            const std::size_t q = qy * ow + qx;
            const std::size_t e0 = w.g_offsets[q], e1 = w.g_offsets[q + 1];
            if (e0 == e1) continue;
            float* corner = gi + (qy * in.w + qx) * ic;  // input (y, x): tap (0, 0)
            if constexpr (simd::is_batch<V>) {
                // Registers over (kernel row, register of the run) units,
                // blocks of 8 (then 4) at once: independent sums, the non-zero list
                // walked once per block.
                const auto dst = [&](std::size_t u) { return corner + (u / runs) * in.w * ic + (u % runs) * simd::width; };
                std::size_t u0 = 0;
                for (; u0 + 8 <= units; u0 += 8) scatter_units<V, 8>(dst, u0, wt + u0 * simd::width, row, channel + e0, value + e0, e1 - e0);
                for (; u0 + 4 <= units; u0 += 4) scatter_units<V, 4>(dst, u0, wt + u0 * simd::width, row, channel + e0, value + e0, e1 - e0);
                for (; u0 < units; ++u0) scatter_units<V, 1>(dst, u0, wt + u0 * simd::width, row, channel + e0, value + e0, e1 - e0);
            } else {
                for (std::size_t ky = 0; ky < k; ++ky) {
                    float* d = corner + ky * in.w * ic;
                    for (std::size_t j = 0; j < k * ic; ++j) {
                        float acc = d[j];
                        for (std::size_t e = e0; e < e1; ++e) acc = simd::fused_fma(value[e], wt[std::size_t{channel[e]} * row + ky * kr + j], acc);
                        d[j] = acc;
                    }
                }
            }
        }
        std::copy(gi, gi + in.size(), g_in);
        return true;
    }

private:
    /// The weight gradient's scatter for channels that do not fill whole
    /// registers (conv1's 12): taps in forward's order.
    template <class V>
    void scatter_weight_gradient_general(std::span<const std::uint32_t> idx, std::span<const float> val, const float* g_out,
                                         float* g_prm) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w;
        const std::size_t wc = whole_channels(), out_limit = out.size() >= wc ? out.size() - wc : 0,
                          w_limit = parameter_count() - std::min(parameter_count(), wc);
        const bool ragged = oc % simd::width != 0;
        for (std::size_t e = 0; e < idx.size(); ++e) {
            const std::size_t i = coord[idx[e]].channel, y = coord[idx[e]].y, xx = coord[idx[e]].x;
            const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
            const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
            const std::size_t passes = ragged ? 2 : 1, step = ragged ? 2 : 1;
            for (std::size_t ky = ky0; ky <= ky1; ++ky)
                for (std::size_t pass = 0; pass < passes; ++pass)
                for (std::size_t kx = kx0 + pass; kx <= kx1; kx += step) {  // as in forward
                    const std::size_t ga = ((y - ky) * ow + (xx - kx)) * oc, wa = ((i * k + ky) * k + kx) * oc;
                    if (ragged && ga <= out_limit && wa <= w_limit)
                        axpy_whole<V>(oc, val[e], g_out + ga, g_prm + wa);
                    else
                        axpy<V>(oc, val[e], g_out + ga, g_prm + wa);
                }
        }
    }

    /// For the input at c, each kernel row's run of taps that stays inside
    /// the output: f(weight offset of w[i][ky][kx0][0], output offset of
    /// (y - ky, x - kx0), taps kx0 .. kx1), rows ky increasing.
    template <class F>
    void tap_runs(const input_coord& c, F&& f) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, oh = out.h, ow = out.w, y = c.y, xx = c.x;
        const std::size_t ky0 = y >= oh ? y - oh + 1 : 0, ky1 = std::min(k - 1, y);
        const std::size_t kx0 = xx >= ow ? xx - ow + 1 : 0, kx1 = std::min(k - 1, xx);
        for (std::size_t ky = ky0; ky <= ky1; ++ky)
            f(((c.channel * k + ky) * k + kx0) * oc, ((y - ky) * ow + (xx - kx0)) * oc, kx1 - kx0 + 1);
    }

    /// dst += x src for `taps` rows of N whole registers, the pointers
    /// moving by their steps after each: one multiply and one add per lane,
    /// as axpy (the same bits), every address stepped in registers (axpy in
    /// a general loop re-reads its sizes and pointers after each store,
    /// which may alias them).
    template <class V, std::size_t N>
    static void axpy_taps(std::size_t taps, const V& x, const float* src, std::ptrdiff_t src_step, float* dst, std::ptrdiff_t dst_step)
    {
        for (std::size_t t = 0; t < taps; ++t, src += src_step, dst += dst_step)
            for (std::size_t n = 0; n < N; ++n)
                simd::store(dst + n * simd::width, simd::load<V>(dst + n * simd::width) + x * simd::load<V>(src + n * simd::width));
    }

    /// forward()'s scatter when the output channels fill N whole registers:
    /// the non-zero inputs in increasing index, each adding x w[i][ky][kx][.]
    /// to output (y - ky, x - kx), taps ky, then kx: axpy's additions in
    /// axpy's order.
    template <class V, std::size_t N>
    void scatter_forward(const float* prm, const activation& a, float* out_v) const
    {
        const auto step = static_cast<std::ptrdiff_t>(N * simd::width);
        const auto one = [&](std::uint32_t idx, float x) {
            const V vx(x);
            tap_runs(coord[idx], [&](std::size_t wo, std::size_t oo, std::size_t taps) {
                axpy_taps<V, N>(taps, vx, prm + wo, step, out_v + oo, -step);
            });
        };
        if (a.has_nz) {
            for (const std::uint32_t idx : a.nz) one(idx, a.v[idx]);
        } else {
            for (std::size_t idx = 0; idx < a.v.size(); ++idx)
                if (a.v[idx] != 0.0f) one(static_cast<std::uint32_t>(idx), a.v[idx]);
        }
    }

    /// backward()'s weight gradient when the output channels fill N whole
    /// registers: each recorded input (in order), taps ky, then kx,
    /// g_w[i][ky][kx][.] += x g_out[y - ky][x - kx][.], as axpy adds it.
    template <class V, std::size_t N>
    void scatter_weight_gradient(std::span<const std::uint32_t> idx, std::span<const float> val, const float* g_out, float* g_prm) const
    {
        const auto step = static_cast<std::ptrdiff_t>(N * simd::width);
        for (std::size_t e = 0; e < idx.size(); ++e) {
            const V vx(val[e]);
            tap_runs(coord[idx[e]], [&](std::size_t wo, std::size_t oo, std::size_t taps) {
                axpy_taps<V, N>(taps, vx, g_out + oo, -step, g_prm + wo, step);
            });
        }
    }

    /// forward() for denser inputs (spike maps), the outputs gathered: each
    /// output position's N registers of channels start from the biases and
    /// add, tap after tap (ky, then kx), the non-zero inputs at that tap's
    /// input position (channels increasing), x times the weights. That is
    /// the order in which the scatter adds them (inputs in increasing index,
    /// each once per output), so the same bits, with the sums in registers.
    template <class V, std::size_t N>
    void gather_forward(const float* prm, const activation& a, activation& o, work& w) const
    {
        const std::size_t oc = p.out_channels, k = p.kernel, ow = out.w, positions = in.h * in.w;
        // The non-zero inputs by position (the list is in increasing index:
        // positions in order, channels increasing within one), each with its
        // column and its weights' offset (channel i: w[i][0][0][.]).
        w.at_offsets.assign(positions + 1, 0);
        w.at_index.resize(2 * a.nz.size());
        w.at_value.resize(a.nz.size());
        for (std::size_t e = 0; e < a.nz.size(); ++e) {
            const std::uint32_t idx = a.nz[e];
            ++w.at_offsets[coord[idx].y * in.w + coord[idx].x + 1];
            w.at_index[2 * e] = static_cast<std::uint32_t>(coord[idx].channel * k * k * oc);
            w.at_index[2 * e + 1] = coord[idx].x;
            w.at_value[e] = a.v[idx];
        }
        for (std::size_t q = 0; q < positions; ++q) w.at_offsets[q + 1] += w.at_offsets[q];
        const std::uint32_t* off = w.at_offsets.data();
        const std::uint32_t* wi = w.at_index.data();
        const float* xv = w.at_value.data();
        const float* bias = prm + weight_count();
        for (std::size_t qy = 0; qy < out.h; ++qy)
            for (std::size_t qx = 0; qx < ow; ++qx) {
                V acc[N];
                for (std::size_t n = 0; n < N; ++n) acc[n] = simd::load<V>(bias + n * simd::width);
                // Kernel row ky meets the inputs at (qy + ky, qx .. qx + k - 1):
                // one run of the list, in the order of kx, then channels.
                for (std::size_t ky = 0; ky < k; ++ky) {
                    const std::size_t row = (qy + ky) * in.w + qx;
                    for (std::uint32_t e = off[row]; e < off[row + k]; ++e) {
                        const V x(xv[e]);
                        const float* wr = prm + wi[2 * e] + (ky * k + (wi[2 * e + 1] - qx)) * oc;  // tap kx = x - qx
                        for (std::size_t n = 0; n < N; ++n) acc[n] = acc[n] + x * simd::load<V>(wr + n * simd::width);
                    }
                }
                float* dst = o.v.data() + (qy * ow + qx) * oc;
                for (std::size_t n = 0; n < N; ++n) simd::store(dst + n * simd::width, acc[n]);
            }
        o.nz.clear();
        o.has_nz = false;
    }

    /// U registers of the padded input gradient, units u0 .. u0 + U - 1
    /// (dst(u): where unit u lies), each += value[e] times its weights
    /// (w + channel[e] * row + unit's offset), e = 0, 1, ...: fused
    /// multiply-adds, as the scalar path.
    template <class V, std::size_t U, class Dst>
    static void scatter_units(const Dst& dst, std::size_t u0, const float* w, std::size_t row, const std::uint32_t* channel,
                              const float* value, std::size_t n)
    {
        float* d[U];
        V acc[U];
        for (std::size_t u = 0; u < U; ++u) {
            d[u] = dst(u0 + u);
            acc[u] = simd::load<V>(d[u]);
        }
        for (std::size_t e = 0; e < n; ++e) {
            const V g(value[e]);
            const float* wr = w + std::size_t{channel[e]} * row;
            for (std::size_t u = 0; u < U; ++u) acc[u] = simd::fused_fma(g, simd::load<V>(wr + u * simd::width), acc[u]);
        }
        for (std::size_t u = 0; u < U; ++u) simd::store(d[u], acc[u]);
    }

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
