// SPDX-License-Identifier: MIT
// The one file that names xsimd. A kernel is written once as a template over
// its value type V: V = float gives the scalar reference, V = simd::batch the
// vectorised path, and simd::for_each runs either over an array with an
// explicit scalar tail. xsimd picks the widest instruction set the compiler
// was told about (-march=...); nothing here requires a particular one.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
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

inline bool any(bool m) { return m; }
inline bool any(const batch_mask& m) { return xsimd::any(m); }

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

inline float reduce_add(float x) { return x; }
inline float reduce_add(const batch& x)
{
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(x);
#else
    return xsimd::hadd(x);
#endif
}

/// Appends index + lane for every set lane of m to out. out must have spare
/// capacity (callers reserve once), so this never allocates in a step.
inline void append_set(bool m, std::size_t index, std::vector<std::uint32_t>& out)
{
    if (m) out.push_back(static_cast<std::uint32_t>(index));
}
inline void append_set(const batch_mask& m, std::size_t index, std::vector<std::uint32_t>& out)
{
    if (!xsimd::any(m)) return;
    alignas(64) bool lanes[width];
    m.store_unaligned(lanes);
    for (std::size_t k = 0; k < width; ++k)
        if (lanes[k]) out.push_back(static_cast<std::uint32_t>(index + k));
}

/// Calls f(i, V{}) for i = 0, W, 2W, ... over [0, n): with V = batch it walks
/// whole batches and finishes the tail with V = float; with V = float it is
/// the plain scalar reference loop. f reads and writes lanes [i, i + width(V)).
template <class V, class F>
inline void for_each(std::size_t n, F&& f)
{
    std::size_t i = 0;
    if constexpr (is_batch<V>) {
        for (; i + width <= n; i += width) f(i, batch{});
    }
    for (; i < n; ++i) f(i, float{});
}

/// Number of lanes a value type covers (1 for float).
template <class V>
inline constexpr std::size_t lanes_of = is_batch<V> ? width : 1;

} // namespace somnus::simd
