// SPDX-License-Identifier: MIT
// Max pooling over size x size windows with stride size, as
// torch.nn.MaxPool2d(size): out (H / size) x (W / size), rows and columns
// past the last whole window dropped. The gradient goes to the window's
// maximum, the first one in row-major order when several are equal (as
// PyTorch's CPU kernel picks it); the tape keeps its position in the window
// (one byte per output per step).
// The 2x2 window runs in SIMD lanes over the channels (V = simd::batch; the
// scalar reference V = float): a register that reaches past a pixel's
// channels computes lanes of the next one, which that pixel then rewrites
// (only while the register stays inside the arrays; the rest lane by lane).
// The same comparisons in the same order, so the same bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/simd.hpp"
#include "kernels.hpp"
#include "layer.hpp"

namespace somnus::sg {

struct max_pool2d {
    struct params {
        std::size_t size = 2;
        template <class F>
        void each_field(F&& f) const
        {
            f("size", size);
        }
    };
    params p{};
    shape3 in{}, out{};

    max_pool2d() = default;
    explicit max_pool2d(std::size_t size) : p{size} {}

    struct work {
        std::vector<std::uint8_t> arg;  ///< [step][output]: position of the maximum in its window
        std::size_t steps = 0;
        std::size_t tape_bytes() const { return arg.capacity(); }
    };

    shape3 configure(shape3 s)
    {
        detail::require(p.size >= 1 && p.size <= 15, "max_pool2d: window size {} (1..15)", p.size);
        detail::require(s.h >= p.size && s.w >= p.size, "max_pool2d: a {0}x{0} window on a {1}x{2} input", p.size, s.h, s.w);
        in = s;
        out = {s.c, s.h / p.size, s.w / p.size};
        return out;
    }
    std::size_t parameter_count() const { return 0; }
    void init(std::span<float>, random_stream&) const {}
    work make_work(std::size_t steps) const
    {
        work w;
        w.arg.reserve(steps * out.size());
        return w;
    }
    void begin(work& w) const
    {
        w.arg.clear();
        w.steps = 0;
    }

    template <class V = fast>
    void forward(const float*, const activation& a, activation& o, work& w, bool record) const
    {
        const std::size_t c = in.c, s = p.size;
        std::uint8_t* arg = nullptr;
        if (record) {
            w.arg.resize((w.steps + 1) * out.size());
            arg = w.arg.data() + w.steps * out.size();
            ++w.steps;
        }
        o.nz.clear();
        o.has_nz = false;
        if (s == 2) {
            // The common case, branch-free over the channels (contiguous).
            const std::size_t n_in = a.v.size(), n_out = out.size();
            for (std::size_t py = 0; py < out.h; ++py)
                for (std::size_t px = 0; px < out.w; ++px) {
                    const std::size_t i00 = ((2 * py) * in.w + 2 * px) * c;
                    const float* a00 = a.v.data() + i00;
                    const float* a01 = a00 + c;
                    const float* a10 = a00 + in.w * c;
                    const float* a11 = a10 + c;
                    const std::size_t q0 = (py * out.w + px) * c;
                    float* ov = o.v.data() + q0;
                    std::uint8_t* at = arg ? arg + q0 : nullptr;
                    std::size_t ch = 0;
                    if constexpr (simd::is_batch<V>) {
                        for (; ch < c && q0 + ch + simd::width <= n_out && i00 + (in.w + 1) * c + ch + simd::width <= n_in; ch += simd::width) {
                            V m = simd::load<V>(a00 + ch), k(0.0f);
                            const V x1 = simd::load<V>(a01 + ch), x2 = simd::load<V>(a10 + ch), x3 = simd::load<V>(a11 + ch);
                            k = simd::select(x1 > m, V(1.0f), k);
                            m = simd::select(x1 > m, x1, m);
                            k = simd::select(x2 > m, V(2.0f), k);
                            m = simd::select(x2 > m, x2, m);
                            k = simd::select(x3 > m, V(3.0f), k);
                            m = simd::select(x3 > m, x3, m);
                            simd::store(ov + ch, m);
                            if (at) simd::store_bytes(at + ch, k);
                        }
                    }
                    for (; ch < c; ++ch) {
                        float m = a00[ch];
                        std::uint8_t k = 0;
                        k = a01[ch] > m ? 1 : k;
                        m = a01[ch] > m ? a01[ch] : m;
                        k = a10[ch] > m ? 2 : k;
                        m = a10[ch] > m ? a10[ch] : m;
                        k = a11[ch] > m ? 3 : k;
                        m = a11[ch] > m ? a11[ch] : m;
                        ov[ch] = m;
                        if (at) at[ch] = k;
                    }
                }
            return;
        }
        for (std::size_t py = 0; py < out.h; ++py)
            for (std::size_t px = 0; px < out.w; ++px)
                for (std::size_t ch = 0; ch < c; ++ch) {
                    float best = a.v[((py * s) * in.w + px * s) * c + ch];
                    std::uint8_t at = 0;
                    for (std::size_t dy = 0; dy < s; ++dy)
                        for (std::size_t dx = 0; dx < s; ++dx) {
                            const float x = a.v[((py * s + dy) * in.w + px * s + dx) * c + ch];
                            if (x > best) {
                                best = x;
                                at = static_cast<std::uint8_t>(dy * s + dx);
                            }
                        }
                    const std::size_t q = (py * out.w + px) * c + ch;
                    o.v[q] = best;
                    if (arg) arg[q] = at;
                }
    }

    template <class V = fast>
    void backward(const float*, const float* g_out, float* g_in, float*, work& w, std::size_t t) const
    {
        if (g_in == nullptr) return;
        const std::size_t c = in.c, s = p.size;
        const std::uint8_t* arg = w.arg.data() + t * out.size();
        if (s == 2) {
            // Every position of every window written (the gradient where
            // the maximum was, else zero), input row after input row, x
            // increasing: a register past a position's channels writes into
            // the next position, written next (or into a dropped column or
            // row, zeroed after).
            const std::size_t row = in.w * c, n_out = out.size();
            float* end = g_in + in.size();
            for (std::size_t py = 0; py < out.h; ++py) {
                for (std::size_t dy = 0; dy < 2; ++dy)
                    for (std::size_t px = 0; px < out.w; ++px)
                        for (std::size_t dx = 0; dx < 2; ++dx) {
                            const float k = float(2 * dy + dx);
                            const std::size_t q0 = (py * out.w + px) * c;
                            float* d = g_in + ((2 * py + dy) * in.w + 2 * px + dx) * c;
                            std::size_t ch = 0;
                            if constexpr (simd::is_batch<V>) {
                                for (; ch < c && d + ch + simd::width <= end && q0 + ch + simd::width <= n_out; ch += simd::width)
                                    simd::store(d + ch, simd::select(simd::load_bytes<V>(arg + q0 + ch) == V(k), simd::load<V>(g_out + q0 + ch), V(0.0f)));
                            }
                            for (; ch < c; ++ch) d[ch] = float(arg[q0 + ch]) == k ? g_out[q0 + ch] : 0.0f;
                        }
                if (in.w > 2 * out.w)
                    for (std::size_t y = 2 * py; y < 2 * py + 2; ++y) std::fill(g_in + (y * in.w + 2 * out.w) * c, g_in + (y + 1) * row, 0.0f);
            }
            std::fill(g_in + 2 * out.h * row, end, 0.0f);
            return;
        }
        std::fill(g_in, g_in + in.size(), 0.0f);
        // Where each position in the window lies from the window's corner
        // (no division per element).
        std::size_t offset[15 * 15];
        for (std::size_t dy = 0; dy < s; ++dy)
            for (std::size_t dx = 0; dx < s; ++dx) offset[dy * s + dx] = (dy * in.w + dx) * c;
        for (std::size_t py = 0; py < out.h; ++py)
            for (std::size_t px = 0; px < out.w; ++px) {
                const std::size_t q0 = (py * out.w + px) * c;
                float* corner = g_in + ((py * s) * in.w + px * s) * c;
                for (std::size_t ch = 0; ch < c; ++ch) corner[offset[arg[q0 + ch]] + ch] = g_out[q0 + ch];
            }
    }
};

static_assert(layer<max_pool2d> && work_with_tape_bytes<max_pool2d::work>);

} // namespace somnus::sg
