// SPDX-License-Identifier: MIT
// The dense inner loops of the surrogate-gradient engine, written once for
// V = float (the scalar reference) and V = simd::batch (xsimd, the
// architecture the translation unit is compiled for):
//   axpy      y[i] += a * x[i]                (scatter of one input into a row)
//   dot       sum_i x[i] * y[i]               (gather of one output's gradient)
//   add       y[i] += x[i]
//   mul_add   acc[i] += x[i] * y[i]         (dot products summed lane-wise first)
//   sum       sum_i x[i]
//   add_rows  y[i] += x[r][i] for r = 0, 1, ... (a bias gradient over positions)
//   axpy_whole  axpy in whole registers past n (rows shorter than a register)
// axpy and add give the same bits on both paths (one multiply, one add per
// lane; somnus compiles with -ffp-contract=off); dot sums in lanes and then
// across them, so the two paths agree to rounding (tests/sg).
#pragma once

#include <algorithm>
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

/// axpy (y[i] += a * x[i], i < n) in whole registers: x and y must be
/// readable and y writable up to n rounded up to whole registers. The
/// lanes past n add -0, which leaves every value as it is, so a row
/// shorter than a register (12 channels in 16 lanes) needs no scalar tail.
/// The same bits as axpy.
template <class V = fast>
inline void axpy_whole(std::size_t n, float a, const float* x, float* y)
{
    if constexpr (simd::is_batch<V>) {
        const V va = simd::splat<V>(a);
        std::size_t i = 0;
        for (; i + simd::width <= n; i += simd::width) simd::store(y + i, simd::load<V>(y + i) + va * simd::load<V>(x + i));
        if (i < n) {
            static const V lane = [] {
                alignas(64) float k[simd::width];
                for (std::size_t j = 0; j < simd::width; ++j) k[j] = float(j);
                return simd::load<V>(k);
            }();
            const auto inside = lane < V(float(n - i));
            simd::store(y + i, simd::load<V>(y + i) + simd::select(inside, va * simd::load<V>(x + i), V(-0.0f)));
        }
    } else {
        axpy<V>(n, a, x, y);
    }
}

/// y[i] += x[r * stride + i] for r = 0 .. rows-1 in turn, i < n <= stride:
/// the same additions in the same order as add() row after row (the same
/// bits), the running sums held in registers instead of stored and
/// reloaded at every row. A last part of fewer than a register's lanes
/// loads whole registers (the lanes past n read the next row, and are
/// dropped) while they stay inside the rows, and finishes the last rows one
/// lane at a time.
template <class V = fast>
inline void add_rows(std::size_t rows, std::size_t n, std::size_t stride, const float* x, float* y)
{
    std::size_t i = 0;
    if constexpr (simd::is_batch<V>) {
        for (; i + 2 * simd::width <= n; i += 2 * simd::width) {
            V a = simd::load<V>(y + i), b = simd::load<V>(y + i + simd::width);
            for (std::size_t r = 0; r < rows; ++r) {
                a = a + simd::load<V>(x + r * stride + i);
                b = b + simd::load<V>(x + r * stride + i + simd::width);
            }
            simd::store(y + i, a);
            simd::store(y + i + simd::width, b);
        }
        for (; i + simd::width <= n; i += simd::width) {
            V a = simd::load<V>(y + i);
            for (std::size_t r = 0; r < rows; ++r) a = a + simd::load<V>(x + r * stride + i);
            simd::store(y + i, a);
        }
        if (i < n && rows > 0) {
            alignas(64) float lanes[simd::width] = {};
            std::copy(y + i, y + n, lanes);
            V a = simd::load<V>(lanes);
            std::size_t r = 0;
            for (; r < rows && r * stride + i + simd::width <= rows * stride; ++r) a = a + simd::load<V>(x + r * stride + i);
            simd::store(lanes, a);
            for (; r < rows; ++r)
                for (std::size_t j = i; j < n; ++j) lanes[j - i] += x[r * stride + j];
            std::copy(lanes, lanes + (n - i), y + i);
            return;
        }
    }
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = i; j < n; ++j) y[j] += x[r * stride + j];
}

} // namespace somnus::sg
