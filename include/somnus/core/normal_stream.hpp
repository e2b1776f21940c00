// SPDX-License-Identifier: MIT
// Standard normal floats in bulk, fast enough for noise on every neuron of a
// large network at every step: eight xoshiro256** streams, each a
// random_stream keyed (seed, keys..., lane), run side by side in SIMD lanes.
#pragma once

// Each 64-bit draw of lane j gives two normals, from its low and its high 32
// bits: bit 31 is the sign and bits 8 .. 30 a uniform k < 2^23, so that
// |z| is the quantile of t = (k + 1/2) / 2^23, z = sqrt(2) erfinv(t),
// computed from s = 1 - t (exact) by a degree-4 polynomial on one of 32
// segments of s (an in-register table on AVX-512), or by simd::erfinv in the
// far tails. Output block k (16 values) is lane 0's low, lane 0's high,
// lane 1's low, ... lane 7's high of draw k: the order a little-endian SIMD
// register of the eight 64-bit draws already has when read as 32-bit lanes,
// so the scalar reference (W = std::uint64_t) and the vector path
// (W = simd::word_batch, any width dividing 8) give the same bits.
// An inverse-CDF transform of a 23-bit uniform: |z| < 5.4 (tails beyond
// probability 2^-24 are cut), each value within 3e-7 of its exact quantile
// (1e-6 in the far tails; tests/core/test_normal_stream.cpp).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "random.hpp"
#include "simd.hpp"

namespace somnus {

class normal_stream {
public:
    static constexpr std::size_t lanes = 8;
    /// Normals per draw of every lane.
    static constexpr std::size_t block = 2 * lanes;

    template <class... Keys>
    explicit normal_stream(std::uint64_t seed, Keys... keys)
    {
        for (std::size_t j = 0; j < lanes; ++j) {
            const random_stream r(seed, keys..., j);
            for (std::size_t w = 0; w < 4; ++w) s_[w][j] = r.state()[w];
        }
    }

    /// Fills out with standard normals, block after block; a last partial
    /// block is drawn whole and its rest dropped.
    template <class W = simd::word_batch>
    void fill(std::span<float> out)
    {
        static_assert(std::is_same_v<W, std::uint64_t> || lanes % simd::width_words == 0,
                      "normal_stream: the SIMD word width must divide 8 lanes");
        alignas(64) float tmp[block];
        std::size_t at = 0;
        const std::size_t n = out.size();
        for (; at + block <= n; at += block) draw<W>(out.data() + at);
        if (at < n) {
            draw<W>(tmp);
            std::memcpy(out.data() + at, tmp, (n - at) * sizeof(float));
        }
    }

    /// The standard normal made from 32 random bits (scalar; what every
    /// lane computes), for tests.
    static float transform(std::int32_t bits) { return to_normal<float>(bits); }

private:
    template <class W>
    static W rotl(W x, int k)
    {
        return (x << k) | (x >> (64 - k));
    }

    /// One draw of every lane into out[0 .. 16).
    template <class W>
    void draw(float* out)
    {
        if constexpr (std::is_same_v<W, std::uint64_t>) {
            for (std::size_t j = 0; j < lanes; ++j) {
                const std::uint64_t r = next<W>(j);
                out[2 * j] = to_normal<float>(static_cast<std::int32_t>(static_cast<std::uint32_t>(r)));
                out[2 * j + 1] = to_normal<float>(static_cast<std::int32_t>(static_cast<std::uint32_t>(r >> 32)));
            }
        } else {
            constexpr std::size_t ww = simd::width_words;
            for (std::size_t j = 0; j < lanes; j += ww) simd::store(out + 2 * j, to_normal<simd::batch>(simd::word_halves(next<W>(j))));
        }
    }

    /// xoshiro256** on lanes j .. j + width of the state (as random_stream's
    /// operator(), with the multiplications by 5 and 9 as shifts and adds).
    template <class W>
    W next(std::size_t j)
    {
        W s0, s1, s2, s3;
        if constexpr (std::is_same_v<W, std::uint64_t>) {
            s0 = s_[0][j], s1 = s_[1][j], s2 = s_[2][j], s3 = s_[3][j];
        } else {
            s0 = W::load_aligned(&s_[0][j]), s1 = W::load_aligned(&s_[1][j]), s2 = W::load_aligned(&s_[2][j]),
            s3 = W::load_aligned(&s_[3][j]);
        }
        const W x5 = (s1 << 2) + s1;
        const W r7 = rotl(x5, 7);
        const W result = (r7 << 3) + r7;
        const W t = s1 << 17;
        s2 = s2 ^ s0;
        s3 = s3 ^ s1;
        s1 = s1 ^ s2;
        s0 = s0 ^ s3;
        s2 = s2 ^ t;
        s3 = rotl(s3, 45);
        if constexpr (std::is_same_v<W, std::uint64_t>) {
            s_[0][j] = s0, s_[1][j] = s1, s_[2][j] = s2, s_[3][j] = s3;
        } else {
            s0.store_aligned(&s_[0][j]), s1.store_aligned(&s_[1][j]), s2.store_aligned(&s_[2][j]), s3.store_aligned(&s_[3][j]);
        }
        return result;
    }

    /// 32 random bits (as a signed integer) to a standard normal; see the
    /// top of the file.
    template <class V, class I>
    static V to_normal(I bits)
    {
        const I k = simd::shift_right_logical(bits, 8) & I(0x7fffff);
        const I odd = I(16777215) - (k + k);  // 2^24 - 2k - 1
        // 2^-24 s: the upper tail probability, doubled.
        const V s = simd::to_float(odd) * V(5.9604644775390625e-8f);
        const I sb = simd::float_bits(s);
        // Segment: s's exponent and two leading mantissa bits, 0 .. 31 for
        // s in [2^-8, 1); its start s0 and d = s - s0 (exact).
        const I idx = simd::max((sb >> 21) - I(476), I(0));
        const V d = s - simd::bits_float(sb & I(static_cast<std::int32_t>(0xffe00000u)));
        V p = simd::lookup32(quantile_c4, idx);
        p = p * d + simd::lookup32(quantile_c3, idx);
        p = p * d + simd::lookup32(quantile_c2, idx);
        p = p * d + simd::lookup32(quantile_c1, idx);
        p = p * d + simd::lookup32(quantile_c0, idx);
        const auto tail = s < V(0.00390625f);  // 2^-8
        if (simd::any(tail)) p = simd::select(tail, V(1.41421356237309505f) * simd::erfinv(V(1.0f) - s), p);
        // The sign: bit 31.
        return simd::bits_float(simd::float_bits(p) ^ (bits & I(static_cast<std::int32_t>(0x80000000u))));
    }

    // sqrt(2) erfinv(1 - s), the upper standard normal quantile at tail
    // probability s / 2, on the 32 segments of s in [2^-8, 1): on segment
    // j = 4 (e + 8) + m (s in 2^e [1 + m / 4, 1 + (m + 1) / 4), e = -8 .. -1),
    // c0 + c1 d + ... + c4 d^4 in d = s - segment start, least squares on
    // Chebyshev nodes against Python's statistics.NormalDist().inv_cdf;
    // within 2.7e-7 of it at every s the generator makes (about 1 ulp of the
    // larger values; checked in tests/core). s < 2^-8 (|z| > 2.88, one value in
    // 256) uses simd::erfinv.
    static constexpr float quantile_c0[32] = {
        2.885635e+00f, 2.8146648e+00f, 2.755549e+00f, 2.7047327e+00f, 2.6600673e+00f, 2.5840197e+00f, 2.520502e+00f,
        2.465771e+00f, 2.417559e+00f, 2.335233e+00f, 2.2662268e+00f, 2.2065752e+00f, 2.1538746e+00f, 2.0635278e+00f,
        1.9874278e+00f, 1.9213507e+00f, 1.8627318e+00f, 1.7616704e+00f, 1.6759397e+00f, 1.6010087e+00f, 1.5341204e+00f,
        1.4177971e+00f, 1.3180109e+00f, 1.2298588e+00f, 1.1503493e+00f, 1.0099901e+00f, 8.8714653e-01f, 7.764217e-01f,
        6.744897e-01f, 4.887764e-01f, 3.1863934e-01f, 1.5731068e-01f};
    static constexpr float quantile_c1[32] = {
        -8.0575676e+01f, -6.582127e+01f, -5.582977e+01f, -4.859768e+01f, -4.310904e+01f, -3.5316593e+01f, -3.0031546e+01f,
        -2.6201052e+01f, -2.3290604e+01f, -1.9152466e+01f, -1.6340961e+01f, -1.4300202e+01f, -1.2747606e+01f, -1.0536539e+01f,
        -9.031496e+00f, -7.937364e+00f, -7.1038866e+00f, -5.915154e+00f, -5.104746e+00f, -4.514983e+00f, -4.0654407e+00f,
        -3.4241445e+00f, -2.9872723e+00f, -2.6699607e+00f, -2.428841e+00f, -2.0871906e+00f, -1.8576268e+00f, -1.6941878e+00f,
        -1.5733938e+00f, -1.4123176e+00f, -1.3185748e+00f, -1.2689135e+00f};
    static constexpr float quantile_c2[32] = {
        9.341581e+03f, 6.0877637e+03f, 4.2903896e+03f, 3.1919314e+03f, 2.4649504e+03f, 1.6090022e+03f, 1.13554e+03f,
        8.458442e+02f, 6.5392267e+02f, 4.2764975e+02f, 3.022888e+02f, 2.254788e+02f, 1.745322e+02f, 1.14372284e+02f,
        8.098004e+01f, 6.0487324e+01f, 4.6875977e+01f, 3.0773502e+01f, 2.1816105e+01f, 1.6308466e+01f, 1.264414e+01f,
        8.299284e+00f, 5.8754244e+00f, 4.380978e+00f, 3.383995e+00f, 2.1965823e+00f, 1.5292017e+00f, 1.1135436e+00f,
        8.3235675e-01f, 4.8650995e-01f, 2.7653825e-01f, 1.2634847e-01f};
    static constexpr float quantile_c3[32] = {
        -1.4590136e+06f, -7.717814e+05f, -4.570921e+05f, -2.930059e+05f, -1.9180442e+05f, -1.0160326e+05f, -6.0248535e+04f,
        -3.8662207e+04f, -2.5336734e+04f, -1.344364e+04f, -7.983151e+03f, -5.129331e+03f, -3.3657944e+03f, -1.7893357e+03f,
        -1.0643197e+03f, -6.8485223e+02f, -4.500719e+02f, -2.3981108e+02f, -1.4292351e+02f, -9.212809e+01f, -6.0656403e+01f,
        -3.2412594e+01f, -1.9369715e+01f, -1.2519373e+01f, -8.268941e+00f, -4.4475513e+00f, -2.6809232e+00f, -1.7536805e+00f,
        -1.1795452e+00f, -6.713031e-01f, -4.4897753e-01f, -3.5060167e-01f};
    static constexpr float quantile_c4[32] = {
        1.8387914e+08f, 8.320309e+07f, 4.3052836e+07f, 2.4502248e+07f, 1.2066134e+07f, 5.466619e+06f, 2.8317262e+06f,
        1.6131385e+06f, 7.9537306e+05f, 3.6087416e+05f, 1.8717039e+05f, 1.06744055e+05f, 5.270724e+04f, 2.3954986e+04f,
        1.2442795e+04f, 7.105446e+03f, 3.5143748e+03f, 1.6004172e+03f, 8.327125e+02f, 4.7623264e+02f, 2.359967e+02f,
        1.0770831e+02f, 5.6144398e+01f, 3.2157974e+01f, 1.5962584e+01f, 7.293778e+00f, 3.799714e+00f, 2.1692133e+00f,
        1.0620705e+00f, 4.5938313e-01f, 2.0154709e-01f, 5.775593e-02f};

    alignas(64) std::array<std::array<std::uint64_t, lanes>, 4> s_{};
};

} // namespace somnus
