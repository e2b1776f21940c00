// SPDX-License-Identifier: MIT
// The dense inner loops of the surrogate-gradient engine, written once for
// V = float (the scalar reference) and V = simd::batch (xsimd, the
// architecture the translation unit is compiled for):
//   axpy      y[i] += a * x[i]                (scatter of one input into a row)
//   dot       sum_i x[i] * y[i]               (gather of one output's gradient)
//   add       y[i] += x[i]
//   mul_add   acc[i] += x[i] * y[i]         (dot products summed lane-wise first)
//   sum       sum_i x[i]
// axpy and add give the same bits on both paths (one multiply, one add per
// lane; somnus compiles with -ffp-contract=off); dot sums in lanes and then
// across them, so the two paths agree to rounding (tests/sg).
#pragma once

#include <cstddef>

#include "../core/simd.hpp"

namespace somnus::sg {

/// The value type the engine runs its kernels with.
using fast = simd::batch;

template <class V = fast>
inline void axpy(std::size_t n, float a, const float* x, float* y)
{
    const V va = simd::splat<V>(a);
    std::size_t i = 0;
    if constexpr (simd::is_batch<V>) {
        for (; i + simd::width <= n; i += simd::width) simd::store(y + i, simd::load<V>(y + i) + va * simd::load<V>(x + i));
    }
    for (; i < n; ++i) y[i] += a * x[i];
}

template <class V = fast>
inline void add(std::size_t n, const float* x, float* y)
{
    std::size_t i = 0;
    if constexpr (simd::is_batch<V>) {
        for (; i + simd::width <= n; i += simd::width) simd::store(y + i, simd::load<V>(y + i) + simd::load<V>(x + i));
    }
    for (; i < n; ++i) y[i] += x[i];
}

template <class V = fast>
inline float dot(std::size_t n, const float* x, const float* y)
{
    std::size_t i = 0;
    float tail = 0.0f;
    if constexpr (simd::is_batch<V>) {
        V acc = simd::splat<V>(0.0f);
        for (; i + simd::width <= n; i += simd::width) acc = acc + simd::load<V>(x + i) * simd::load<V>(y + i);
        tail = simd::reduce_add(acc);
    }
    for (; i < n; ++i) tail += x[i] * y[i];
    return tail;
}

template <class V = fast>
inline void mul_add(std::size_t n, const float* x, const float* y, float* acc)
{
    std::size_t i = 0;
    if constexpr (simd::is_batch<V>) {
        for (; i + simd::width <= n; i += simd::width)
            simd::store(acc + i, simd::load<V>(acc + i) + simd::load<V>(x + i) * simd::load<V>(y + i));
    }
    for (; i < n; ++i) acc[i] += x[i] * y[i];
}

template <class V = fast>
inline float sum(std::size_t n, const float* x)
{
    std::size_t i = 0;
    float tail = 0.0f;
    if constexpr (simd::is_batch<V>) {
        V acc = simd::splat<V>(0.0f);
        for (; i + simd::width <= n; i += simd::width) acc = acc + simd::load<V>(x + i);
        tail = simd::reduce_add(acc);
    }
    for (; i < n; ++i) tail += x[i];
    return tail;
}

} // namespace somnus::sg
