// SPDX-License-Identifier: MIT
// Row kernels over a row-major [rows][cols] weight matrix, shared by the
// synapses (a spike adds its row to the target) and the homeostasis rules
// that rescale columns (column sums accumulate whole rows, in row order).
// Each is written once over its value type V (float: the scalar reference,
// simd::batch: the vector path with a scalar tail); both give the same bits.
#pragma once

#include <algorithm>
#include <cstddef>

#include "../core/simd.hpp"
#include "../core/tensor.hpp"

namespace somnus::detail {

/// target[j] += scale * row[j] for j in [0, n).
template <class V>
inline void add_row(float* target, const float* row, std::size_t n, float scale)
{
    simd::for_each<V>(n, [=](std::size_t j, auto lane) {
        using L = decltype(lane);
        simd::store(target + j, simd::load<L>(target + j) + simd::load<L>(row + j) * L(scale));
    });
}

/// sums[j] = sum_i w[i][j] for a row-major [rows][cols] matrix.
template <class V = simd::batch>
inline void column_sums(const matrix_f& w, float* sums)
{
    const std::size_t rows = w.shape()[0], cols = w.shape()[1];
    std::fill(sums, sums + cols, 0.0f);
    for (std::size_t i = 0; i < rows; ++i) add_row<V>(sums, w.data() + i * cols, cols, 1.0f);
}

/// w[i][j] *= factor[j] for every row i.
template <class V = simd::batch>
inline void scale_columns(matrix_f& w, const float* factor)
{
    const std::size_t rows = w.shape()[0], cols = w.shape()[1];
    for (std::size_t i = 0; i < rows; ++i) {
        float* row = w.data() + i * cols;
        simd::for_each<V>(cols, [=](std::size_t j, auto lane) {
            using L = decltype(lane);
            simd::store(row + j, simd::load<L>(row + j) * simd::load<L>(factor + j));
        });
    }
}

} // namespace somnus::detail
