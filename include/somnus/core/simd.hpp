// SPDX-License-Identifier: MIT
// The one file that names xsimd. A kernel is written once as a template over
// its value type V: V = float gives the scalar reference, V = simd::batch the
// vectorised path, and simd::for_each runs either over an array with an
// explicit scalar tail. xsimd picks the widest instruction set the compiler
// was told about (-march=...); nothing here requires a particular one.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

// GCC 12 warns inside its own intrinsics headers: "(may be) used uninitialized"
// where _mm512_undefined_ps() is uninitialised on purpose (GCC PR 105593),
// and "array subscript outside bounds" for batch loads in loops it has proven
// never run (a 5-element array is walked in 16-lane batches zero times).
// A diagnostic pragma's state is looked up at the warning's location, so
// silencing them around the include covers exactly those headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <immintrin.h>
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
#else
#include <xsimd/xsimd.hpp>
#endif

namespace somnus::simd {

using batch = xsimd::batch<float>;
using batch_mask = xsimd::batch_bool<float>;

/// Lanes in one batch for the architecture this translation unit targets.
inline constexpr std::size_t width = batch::size;

/// Name of that architecture ("avx512bw", "avx2", "sse2", ...).
inline const char* arch_name() { return xsimd::default_arch::name(); }

template <class V>
inline constexpr bool is_batch = std::is_same_v<V, batch>;

/// Comparison result type: bool for float, batch_mask for batch.
template <class V>
using mask_t = std::conditional_t<is_batch<V>, batch_mask, bool>;

template <class V>
inline V load(const float* p)
{
    if constexpr (is_batch<V>) return batch::load_unaligned(p);
    else return *p;
}

inline void store(float* p, float v) { *p = v; }
inline void store(float* p, const batch& v) { v.store_unaligned(p); }

/// Small unsigned integers kept as bytes (0 .. 255), one per lane: loaded
/// as floats (width bytes read), and floats holding such integers stored
/// as bytes (width bytes written); a widening or narrowing move on AVX-512
/// and AVX2, a lane loop elsewhere.
template <class V>
inline V load_bytes(const std::uint8_t* p)
{
    if constexpr (!is_batch<V>) {
        return float(*p);
    } else {
#if defined(__AVX512F__)
        if constexpr (width == 16)
            return batch(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)))));
#endif
#if defined(__AVX2__)
        if constexpr (width == 8) return batch(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)))));
#endif
        alignas(64) float lanes[width];
        for (std::size_t k = 0; k < width; ++k) lanes[k] = float(p[k]);
        return batch::load_aligned(lanes);
    }
}
inline void store_bytes(std::uint8_t* p, float v) { *p = static_cast<std::uint8_t>(v); }
inline void store_bytes(std::uint8_t* p, const batch& v)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)));
        return;
    }
#endif
    alignas(64) float lanes[width];
    v.store_aligned(lanes);
    for (std::size_t k = 0; k < width; ++k) p[k] = static_cast<std::uint8_t>(lanes[k]);
}

template <class V>
inline V splat(float x) { return V(x); }

// Scalar forms mirror the vector instructions' semantics so both paths give
// the same bits (min/max pick the second operand when the first is NaN, as
// the x86 instructions do).
inline float select(bool m, float a, float b) { return m ? a : b; }
inline batch select(const batch_mask& m, const batch& a, const batch& b) { return xsimd::select(m, a, b); }
inline float min(float a, float b) { return a < b ? a : b; }
inline float max(float a, float b) { return a > b ? a : b; }
inline batch min(const batch& a, const batch& b) { return xsimd::min(a, b); }
inline batch max(const batch& a, const batch& b) { return xsimd::max(a, b); }
template <class V>
inline V clamp(const V& x, const V& lo, const V& hi) { return min(max(x, lo), hi); }

/// a * b + c in one rounding (fused): for dot-product kernels whose SIMD and
/// scalar paths are compared within a tolerance, never bit for bit.
inline float fma(float a, float b, float c) { return std::fma(a, b, c); }
inline batch fma(const batch& a, const batch& b, const batch& c) { return xsimd::fma(a, b, c); }
/// a * b + c in one rounding on every target with fused multiply-add
/// instructions (AVX-512, FMA3; xsimd 8 leaves fma unfused on AVX-512), so
/// that a SIMD kernel and its scalar reference (std::fma) give the same
/// bits there; unfused (xsimd's fma) elsewhere.
inline float fused_fma(float a, float b, float c) { return std::fma(a, b, c); }
inline batch fused_fma(const batch& a, const batch& b, const batch& c)
{
#if defined(__AVX512F__)
    return batch(_mm512_fmadd_ps(a, b, c));
#elif defined(__FMA__) && defined(__AVX__)
    return batch(_mm256_fmadd_ps(a, b, c));
#else
    return xsimd::fma(a, b, c);
#endif
}
inline float abs(float x) { return std::fabs(x); }
inline batch abs(const batch& x) { return xsimd::abs(x); }

inline bool any(bool m) { return m; }
inline bool any(const batch_mask& m) { return xsimd::any(m); }
inline bool all(bool m) { return m; }
inline bool all(const batch_mask& m) { return xsimd::all(m); }

/// exp and pow: the vector versions are xsimd's polynomial approximations, so
/// scalar and vector agree to a few ulp rather than bit for bit.
inline float exp(float x) { return std::exp(x); }
inline batch exp(const batch& x) { return xsimd::exp(x); }
inline float pow(float x, float y) { return x > 0.0f ? std::pow(x, y) : 0.0f; }
/// x^y for x >= 0 (0^y = 0 for y > 0). Not xsimd::pow: in xsimd 8.1 it does
/// not compile for AVX-512BW without optimisation.
inline batch pow(const batch& x, const batch& y)
{
    return xsimd::select(x > batch(0.0f), xsimd::exp(y * xsimd::log(x)), batch(0.0f));
}

/// x, or 0 where |x| < 1e-30. Exponentially decaying variables (synaptic
/// conductances, currents) otherwise end up as subnormal numbers, where they
/// stay forever (the smallest one times a decay factor above 1/2 rounds back
/// to itself) and make every operation on them several times slower.
template <class V>
inline V flush_tiny(const V& x)
{
    return select(abs(x) < V(1.0e-30f), V(0.0f), x);
}

namespace detail {

/// e^r for |r| <= ln2 / 2: Cephes' degree-6 polynomial.
template <class V>
inline V exp_reduced(V r)
{
    V p = V(1.9875691500e-4f);
    p = p * r + V(1.3981999507e-3f);
    p = p * r + V(8.3334519073e-3f);
    p = p * r + V(4.1665795894e-2f);
    p = p * r + V(1.6666665459e-1f);
    p = p * r + V(5.0000001201e-1f);
    return p * (r * r) + r + V(1.0f);
}

/// e^x for x in [-87, 88] (the callers clamp): Cody-Waite reduction
/// x = n ln2 + r, |r| <= ln2 / 2, Cephes' degree-6 polynomial for e^r, and
/// 2^n assembled in the exponent field; the same operations for both value
/// types, so the same bits.
template <class V>
inline V exp_clamped(V x)
{
    // |x| < ln2 / 2 in every lane (a neuron's decay over one step): n is
    // 0 (or -0) everywhere, so the reduction leaves r = x and the scale is
    // 1, and the polynomial alone gives the same bits.
    if constexpr (is_batch<V>)
        if (xsimd::all(xsimd::abs(x) < V(0.3465f))) return exp_reduced(x);
    V n;
    if constexpr (is_batch<V>) n = xsimd::nearbyint(x * V(1.44269504088896341f));
    else n = std::nearbyint(x * 1.44269504088896341f);
    V r = x - n * V(0.693359375f);
    r = r - n * V(-2.12194440e-4f);
    const V y = exp_reduced(r);
    // 2^n for n in [-126, 127]: biased exponent n + 127, no mantissa.
    if constexpr (is_batch<V>) {
        const auto bits = (xsimd::to_int(n) + 127) << 23;
        return y * xsimd::bitwise_cast<batch>(bits);
    } else {
        const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
        float scale;
        std::memcpy(&scale, &bits, sizeof scale);
        return y * scale;
    }
}

} // namespace detail

/// e^x for x <= 0 (inputs below -87 give e^-87, about 1.6e-38), written once
/// for both value types with the same operations, so scalar and vector
/// results are the same bits on every instruction set (detail::exp_clamped).
/// Within 2 ulp of the exact value (tests/core). Cheaper than a general exp:
/// no overflow or NaN handling.
template <class V>
inline V exp_nonpositive(V x)
{
    return detail::exp_clamped(max(x, V(-87.0f)));
}

/// e^x for finite x, clamped to [-87, 88] (e^88 is about 1.7e38), the same
/// bits in scalar and vector form; within 2 ulp of the exact value.
template <class V>
inline V exp_bounded(V x)
{
    return detail::exp_clamped(min(max(x, V(-87.0f)), V(88.0f)));
}

/// ln x for finite x > 0 (subnormals included), the same bits in scalar and
/// vector form: x = m 2^e with m in [sqrt(1/2), sqrt(2)), Cephes' logf
/// polynomial for ln m, e ln 2 added in two parts. Within 2 ulp (tests/core).
template <class V>
inline V log_positive(V x)
{
    // Subnormals scaled into the normal range first.
    const auto tiny = x < V(1.17549435e-38f);
    x = select(tiny, x * V(33554432.0f), x);  // 2^25
    V e, m;
    if constexpr (is_batch<V>) {
        const auto bits = xsimd::bitwise_cast<xsimd::batch<std::int32_t>>(x);
        e = xsimd::to_float(((bits >> 23) & 0xff) - 126);
        m = xsimd::bitwise_cast<batch>((bits & 0x007fffff) | 0x3f000000);
    } else {
        std::int32_t bits;
        std::memcpy(&bits, &x, sizeof bits);
        e = static_cast<float>(((bits >> 23) & 0xff) - 126);
        const std::int32_t mb = (bits & 0x007fffff) | 0x3f000000;
        std::memcpy(&m, &mb, sizeof m);
    }
    e = e - select(tiny, V(25.0f), V(0.0f));
    // m in [0.5, 1): below sqrt(1/2), use 2m and e - 1.
    const auto low = m < V(0.707106781186547524f);
    e = e - select(low, V(1.0f), V(0.0f));
    m = select(low, m + m, m) - V(1.0f);
    const V z = m * m;
    V y = V(7.0376836292e-2f);
    y = y * m + V(-1.1514610310e-1f);
    y = y * m + V(1.1676998740e-1f);
    y = y * m + V(-1.2420140846e-1f);
    y = y * m + V(1.4249322787e-1f);
    y = y * m + V(-1.6668057665e-1f);
    y = y * m + V(2.0000714765e-1f);
    y = y * m + V(-2.4999993993e-1f);
    y = y * m + V(3.3333331174e-1f);
    y = y * m * z;
    y = y + e * V(-2.12194440e-4f);
    y = y - V(0.5f) * z;
    return m + y + e * V(0.693359375f);
}

/// The inverse error function for x in (-1, 1), the same bits in scalar and
/// vector form: Giles' single-precision approximation ("Approximating the
/// erfinv function", GPU Computing Gems, 2011), w = -ln((1 - x)(1 + x)), one
/// polynomial for w < 5 and one in sqrt(w) beyond; relative error a few
/// 1e-7. sqrt(2) erfinv(2u - 1) turns a uniform u into a standard normal.
template <class V>
inline V erfinv(V x)
{
    V w = V(0.0f) - log_positive((V(1.0f) - x) * (V(1.0f) + x));
    const V c = w - V(2.5f);
    V p = V(2.81022636e-08f);
    p = V(3.43273939e-07f) + p * c;
    p = V(-3.5233877e-06f) + p * c;
    p = V(-4.39150654e-06f) + p * c;
    p = V(0.00021858087f) + p * c;
    p = V(-0.00125372503f) + p * c;
    p = V(-0.00417768164f) + p * c;
    p = V(0.246640727f) + p * c;
    p = V(1.50140941f) + p * c;
    const auto tail = w >= V(5.0f);
    if (any(tail)) {
        // Beyond about 2.9 standard deviations: rare, so computed only when needed.
        V q = V(-0.000200214257f);
        V s;
        if constexpr (is_batch<V>) s = xsimd::sqrt(w) - V(3.0f);
        else s = std::sqrt(w) - 3.0f;
        q = V(0.000100950558f) + q * s;
        q = V(0.00134934322f) + q * s;
        q = V(-0.00367342844f) + q * s;
        q = V(0.00573950773f) + q * s;
        q = V(-0.0076224613f) + q * s;
        q = V(0.00943887047f) + q * s;
        q = V(1.00167406f) + q * s;
        q = V(2.83297682f) + q * s;
        p = select(tail, q, p);
    }
    return p * x;
}

inline float sqrt(float x) { return std::sqrt(x); }
inline batch sqrt(const batch& x) { return xsimd::sqrt(x); }

// ------------------------------------------------------- integer lanes
// 32-bit integers in as many lanes as a float batch (int_batch), for bit
// manipulation of floats, written once for both value types: I = int32_t
// with V = float, I = int_batch with V = batch.

using int_batch = xsimd::batch<std::int32_t>;

inline float to_float(std::int32_t x) { return static_cast<float>(x); }
inline batch to_float(const int_batch& x) { return xsimd::to_float(x); }
inline std::int32_t float_bits(float x)
{
    std::int32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}
inline int_batch float_bits(const batch& x) { return xsimd::bitwise_cast<int_batch>(x); }
inline float bits_float(std::int32_t b)
{
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}
inline batch bits_float(const int_batch& b) { return xsimd::bitwise_cast<batch>(b); }
inline std::int32_t max(std::int32_t a, std::int32_t b) { return a > b ? a : b; }
inline int_batch max(const int_batch& a, const int_batch& b) { return xsimd::max(a, b); }
/// Shift right filling with zeros (the sign bit included).
inline std::int32_t shift_right_logical(std::int32_t x, int k) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) >> k); }
inline int_batch shift_right_logical(const int_batch& x, int k)
{
    return xsimd::bitwise_cast<int_batch>(xsimd::bitwise_cast<xsimd::batch<std::uint32_t>>(x) >> k);
}
/// Bit k set where lane k of the mask holds (lane 0 the lowest bit): a
/// mask register read as an integer on AVX-512, a movemask on AVX.
inline std::uint64_t bitmask(bool m) { return m ? 1u : 0u; }
template <class M>
    requires std::is_same_v<M, batch_mask>
inline std::uint64_t bitmask(const M& m)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) return static_cast<std::uint64_t>(static_cast<__mmask16>(m));
#endif
#if defined(__AVX__)
    if constexpr (width == 8) return static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_ps(m)));
#endif
    alignas(64) bool lanes[width];
    m.store_aligned(lanes);
    std::uint64_t bits = 0;
    for (std::size_t k = 0; k < width; ++k) bits |= std::uint64_t{lanes[k]} << k;
    return bits;
}

/// Writes base + k for every lane k where m holds, in increasing k, to out
/// and returns how many: a compress on AVX-512 (no branch per lane; out
/// must have room for `width` values), a bit loop elsewhere.
inline std::size_t compress_indices(bool m, std::uint32_t base, std::uint32_t* out)
{
    out[0] = base;
    return m ? 1 : 0;
}
template <class M>
    requires std::is_same_v<M, batch_mask>
inline std::size_t compress_indices(const M& m, std::uint32_t base, std::uint32_t* out)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        const __mmask16 k = m;
        const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(base)),
                                             _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
        _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(k, idx));
        return static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(k)));
    }
#endif
    std::size_t count = 0;
    for (std::uint64_t bits = bitmask(m); bits != 0; bits &= bits - 1)
        out[count++] = base + static_cast<std::uint32_t>(__builtin_ctzll(bits));
    return count;
}

/// table[i] for i in [0, 32), lane by lane: a 32-entry table of floats, in
/// registers on AVX-512 (one two-source permute), gathered elsewhere; the
/// same values either way.
inline float lookup32(const float* table, std::int32_t i) { return table[i]; }
inline batch lookup32(const float* table, const xsimd::batch<std::int32_t>& i)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        return batch(_mm512_permutex2var_ps(_mm512_loadu_ps(table), i, _mm512_loadu_ps(table + 16)));
    } else {
        return batch::gather(table, i);
    }
#else
    return batch::gather(table, i);
#endif
}

inline float reduce_add(float x) { return x; }
inline float reduce_add(const batch& x)
{
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(x);
#else
    return xsimd::hadd(x);
#endif
}

/// Calls f(i, V{}) for i = 0, W, 2W, ... over [0, n): with V = batch it walks
/// whole batches and finishes the tail with V = float; with V = float it is
/// the plain scalar reference loop. f reads and writes lanes [i, i + width(V)).
/// Write f to capture by value (see for_each_firing for why).
template <class V, class F>
inline void for_each(std::size_t n, F f)
{
    std::size_t i = 0;
    if constexpr (is_batch<V>) {
        for (; i + width <= n; i += width) f(i, batch{});
    }
    for (; i < n; ++i) f(i, float{});
}

/// Like for_each, for kernels that return which lanes fired: appends the
/// indices of firing lanes to out, in increasing order. The kernel loop itself
/// contains no call: firing batches are noted in a stack buffer and appended
/// after each chunk. (A push_back inside the loop, even on a path rarely
/// taken, makes GCC keep every constant and the loop counter in memory,
/// because calls clobber all vector registers.) Kernels should capture by
/// value, and f is taken by value: vector stores may alias anything, so
/// captures reached through a reference are re-read after every store.
template <class V, class F>
[[gnu::always_inline]] inline void for_each_firing(std::size_t n, std::vector<std::uint32_t>& out, F f)
{
    constexpr std::size_t chunk = 256;  // a multiple of every batch width; small enough to need no stack probes
    alignas(64) bool fired[chunk];
    std::uint32_t hits[chunk];
    for (std::size_t base = 0; base < n; base += chunk) {
        const std::size_t end = n - base < chunk ? n : base + chunk;
        std::size_t i = base, noted = 0, batch_end = base;
        if constexpr (is_batch<V>) {
            for (; i + width <= end; i += width) {
                const auto m = f(i, batch{});
                if (xsimd::any(m)) {
                    m.store_unaligned(fired + (i - base));
                    hits[noted++] = static_cast<std::uint32_t>(i);
                }
            }
            batch_end = i;
        }
        for (; i < end; ++i) {
            if (f(i, float{})) {
                fired[i - base] = true;
                hits[noted++] = static_cast<std::uint32_t>(i);
            }
        }
        for (std::size_t h = 0; h < noted; ++h) {
            const std::size_t start = hits[h], lanes = start < batch_end ? width : 1;
            if (std::endian::native == std::endian::little && lanes % 8 == 0) {
                // Eight flags at a time: the set bytes of a word, lowest first.
                for (std::size_t k = 0; k < lanes; k += 8) {
                    std::uint64_t word;
                    std::memcpy(&word, fired + (start + k - base), sizeof word);
                    while (word != 0) {
                        const int byte = __builtin_ctzll(word) / 8;
                        out.push_back(static_cast<std::uint32_t>(start + k + static_cast<std::size_t>(byte)));
                        word &= ~(std::uint64_t{0xff} << (8 * byte));
                    }
                }
            } else {
                for (std::size_t k = 0; k < lanes; ++k)
                    if (fired[start + k - base]) out.push_back(static_cast<std::uint32_t>(start + k));
            }
        }
    }
}

/// The lanes first, first + 1, ..., width - 1 of a batch (first <= width).
inline batch_mask lanes_from(std::size_t first)
{
    alignas(64) static constexpr std::array<float, 64> index = [] {
        std::array<float, 64> a{};
        for (std::size_t l = 0; l < a.size(); ++l) a[l] = static_cast<float>(l);
        return a;
    }();
    static_assert(width <= index.size());
    return batch::load_aligned(index.data()) >= batch(static_cast<float>(first));
}

#if defined(__AVX2__) && !defined(__AVX512F__)
/// All ones in the 32-bit lanes 0 .. k-1 of eight.
inline __m256i first_lanes_avx2(std::size_t k)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

/// Lanes 0 .. k-1 of a batch loaded from p (k <= width), the others 0;
/// nothing at or beyond p + k is read. Masked loads where the target has
/// them (AVX-512, AVX), else element by element.
inline batch load_first(const float* p, std::size_t k)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) return batch(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << k) - 1u), p));
#elif defined(__AVX2__)
    if constexpr (width == 8) return batch(_mm256_maskload_ps(p, first_lanes_avx2(k)));
#endif
    alignas(64) float buf[width] = {};
    for (std::size_t l = 0; l < k; ++l) buf[l] = p[l];
    return batch::load_aligned(buf);
}

/// Stores lanes 0 .. k-1 of x to p (k <= width); nothing else is written.
inline void store_first(float* p, const batch& x, std::size_t k)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << k) - 1u), x);
        return;
    }
#elif defined(__AVX2__)
    if constexpr (width == 8) {
        _mm256_maskstore_ps(p, first_lanes_avx2(k), x);
        return;
    }
#endif
    alignas(64) float buf[width];
    x.store_aligned(buf);
    for (std::size_t l = 0; l < k; ++l) p[l] = buf[l];
}

/// The loop of every neuron model's step: for each group of lanes, the
/// read-write arrays rw and the read-only arrays ro are loaded,
/// kernel(rw_lanes, ro_lanes) updates rw_lanes in place and returns which
/// lanes fired, and rw_lanes are stored back. Firing indices go to out.
///
/// With BatchTail, the last n % width neurons are stepped as one batch too,
/// loaded and stored with masks (load_first, store_first: nothing past n
/// is read or written; the idle lanes hold zeros and their results, spikes
/// included, are dropped). Only for kernels whose scalar and vector forms
/// give the same bits (no simd::exp, pow or fma): then the results do not
/// change, and a network of 100 neurons on 16 lanes no longer steps its last
/// 4 neurons at a sixteenth of the speed. (A batch overlapping the last
/// whole one would read what that one just stored: a store-forwarding stall.)
/// Always inlined: called out of line, the kernel's captured constants went
/// through the stack as a closure written field by field and read back
/// with wide loads (a store-forwarding stall on every call, some 7 ns per
/// population per step; bench_neuron's N = 0 cases).
template <class V, bool BatchTail = false, std::size_t W, std::size_t R, class Kernel>
[[gnu::always_inline]] inline void step_arrays(std::size_t n, std::vector<std::uint32_t>& out, std::array<float*, W> rw,
                                               std::array<const float*, R> ro, Kernel kernel)
{
    const auto lanes = [=](std::size_t i, auto lane) {
        using L = decltype(lane);
        std::array<L, W> x;
        for (std::size_t k = 0; k < W; ++k) x[k] = load<L>(rw[k] + i);
        std::array<L, R> r;
        if constexpr (R > 0)
            for (std::size_t k = 0; k < R; ++k) r[k] = load<L>(ro[k] + i);
        const auto fire = kernel(x, r);
        for (std::size_t k = 0; k < W; ++k) store(rw[k] + i, x[k]);
        return fire;
    };
    if constexpr (BatchTail && is_batch<V>) {
        const std::size_t whole = n - n % width, tail = n - whole;
        for_each_firing<V>(whole, out, lanes);
        if (tail == 0) return;
        std::array<batch, W> x;
        for (std::size_t k = 0; k < W; ++k) x[k] = load_first(rw[k] + whole, tail);
        std::array<batch, R> r;
        if constexpr (R > 0)
            for (std::size_t k = 0; k < R; ++k) r[k] = load_first(ro[k] + whole, tail);
        const batch_mask fire = kernel(x, r) && !lanes_from(tail);
        for (std::size_t k = 0; k < W; ++k) store_first(rw[k] + whole, x[k], tail);
        if (any(fire)) {
            alignas(64) bool fired[width];
            fire.store_aligned(fired);
            for (std::size_t l = 0; l < tail; ++l)
                if (fired[l]) out.push_back(static_cast<std::uint32_t>(whole + l));
        }
        return;
    }
    for_each_firing<V>(n, out, lanes);
}

/// Number of lanes a value type covers (1 for float).
template <class V>
inline constexpr std::size_t lanes_of = is_batch<V> ? width : 1;

// ---------------------------------------------------------------- bit words
// Bit-packed data (binary spike trains) in 64-bit words: W = std::uint64_t is
// the scalar reference, W = word_batch handles width_words words at once.
// popcount is written once for both with the same shift-and-add steps
// (no instruction-set-specific popcount is required), so the two paths
// count exactly the same bits.

using word_batch = xsimd::batch<std::uint64_t>;

/// 64-bit words in one word_batch.
inline constexpr std::size_t width_words = word_batch::size;

template <class W>
inline constexpr bool is_word_batch = std::is_same_v<W, word_batch>;

/// The 64-bit words of a word_batch as twice as many 32-bit lanes (on
/// little-endian x86: word j's low half in lane 2j, its high half in 2j + 1).
inline int_batch word_halves(const word_batch& w) { return xsimd::bitwise_cast<int_batch>(w); }

template <class W>
inline W load_words(const std::uint64_t* p)
{
    if constexpr (is_word_batch<W>) return word_batch::load_unaligned(p);
    else return *p;
}

inline void store_words(std::uint64_t* p, std::uint64_t v) { *p = v; }
inline void store_words(std::uint64_t* p, const word_batch& v) { v.store_unaligned(p); }

/// Set bits of each 64-bit lane (SWAR: pairs, nibbles, bytes, then the
/// byte counts folded into the low byte).
template <class W>
inline W popcount_words(W x)
{
    x = x - ((x >> 1) & W(0x5555555555555555ULL));
    x = (x & W(0x3333333333333333ULL)) + ((x >> 2) & W(0x3333333333333333ULL));
    x = (x + (x >> 4)) & W(0x0f0f0f0f0f0f0f0fULL);
    x = x + (x >> 8);
    x = x + (x >> 16);
    x = x + (x >> 32);
    return x & W(0x7fULL);
}

// ------------------------------------------------------------ index lanes
// Gathers and scatters through 32-bit indices, for walks over sparse
// synapses: I = std::int32_t is the scalar reference (plain indexing),
// I = index_batch the vector path (one gather or scatter per batch).

using index_batch = int_batch;
static_assert(index_batch::size == batch::size, "index and float batches must have the same lanes");

/// The index type that goes with a value type: int32 for float, index_batch for batch.
template <class V>
using index_t = std::conditional_t<is_batch<V>, index_batch, std::int32_t>;

template <class I>
inline I load_index(const std::int32_t* p)
{
    if constexpr (std::is_same_v<I, index_batch>) return index_batch::load_unaligned(p);
    else return *p;
}
// xsimd 8.1 routes gathers for avx512bw to its element-by-element fallback,
// so the hardware instructions are named here where the target has them.
inline float gather(const float* base, std::int32_t i) { return base[i]; }
inline batch gather(const float* base, const index_batch& i)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) return batch(_mm512_i32gather_ps(__m512i(i), base, 4));
#elif defined(__AVX2__)
    if constexpr (width == 8) return batch(_mm256_i32gather_ps(base, __m256i(i), 4));
#endif
    alignas(64) std::int32_t at[width];
    alignas(64) float out[width];
    i.store_aligned(at);
    for (std::size_t k = 0; k < width; ++k) out[k] = base[at[k]];
    return batch::load_aligned(out);
}
inline std::int32_t gather(const std::int32_t* base, std::int32_t i) { return base[i]; }
inline index_batch gather(const std::int32_t* base, const index_batch& i)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) return index_batch(_mm512_i32gather_epi32(__m512i(i), base, 4));
#elif defined(__AVX2__)
    if constexpr (width == 8) return index_batch(_mm256_i32gather_epi32(base, __m256i(i), 4));
#endif
    alignas(64) std::int32_t at[width], out[width];
    i.store_aligned(at);
    for (std::size_t k = 0; k < width; ++k) out[k] = base[at[k]];
    return index_batch::load_aligned(out);
}
inline void scatter(float* base, std::int32_t i, float v) { base[i] = v; }
/// Lanes with equal indices: the highest lane's value lands.
inline void scatter(float* base, const index_batch& i, const batch& v)
{
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        _mm512_i32scatter_ps(base, __m512i(i), __m512(v), 4);
        return;
    }
#endif
    alignas(64) std::int32_t at[width];
    alignas(64) float val[width];
    i.store_aligned(at);
    v.store_aligned(val);
    for (std::size_t k = 0; k < width; ++k) base[at[k]] = val[k];
}
inline std::int32_t min(std::int32_t a, std::int32_t b) { return a < b ? a : b; }
inline index_batch min(const index_batch& a, const index_batch& b) { return xsimd::min(a, b); }
inline bool any(const xsimd::batch_bool<std::int32_t>& m) { return xsimd::any(m); }
/// Calls f(k) for every lane k where m holds, in increasing k.
template <class F>
inline void for_each_set_lane(bool m, F&& f)
{
    if (m) f(std::size_t{0});
}
template <class F>
inline void for_each_set_lane(const batch_mask& m, F&& f)
{
    if (!xsimd::any(m)) return;
    alignas(64) bool flags[width];
    m.store_aligned(flags);
    for (std::size_t k = 0; k < width; ++k)
        if (flags[k]) f(k);
}

} // namespace somnus::simd
