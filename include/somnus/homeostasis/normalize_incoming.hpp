// SPDX-License-Identifier: MIT
// Divisive normalisation of each neuron's incoming weights to a fixed sum,
// applied before every presentation (Diehl & Cook 2015: sum 78 for 784
// inputs, i.e. a mean weight of 0.1):
//   w[i][j] *= target_sum / sum_i w[i][j]
// A neuron whose incoming weights are all zero is left alone.
#pragma once

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../synapse/dense.hpp"

namespace somnus {

namespace detail {

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

} // namespace detail

struct normalize_incoming {
    struct params {
        float target_sum = 78.0f;
    };
    params p{};

    normalize_incoming() = default;
    explicit normalize_incoming(params q) : p(q)
    {
        detail::require(q.target_sum > 0.0f, "normalize_incoming: target_sum must be positive, got {}", q.target_sum);
    }

    void before_presentation(layer_ref layer) { normalize(layer.w_in); }
    void on_spikes(layer_ref, std::span<const std::uint32_t>) {}
    void after_presentation(layer_ref, double) {}

    void normalize(matrix_f& w)
    {
        const std::size_t cols = w.shape()[1];
        if (factor_.size() != cols) factor_ = make_vector(cols);
        detail::column_sums(w, factor_.data());
        for (auto& f : factor_) f = f > 0.0f ? p.target_sum / f : 1.0f;
        detail::scale_columns(w, factor_.data());
    }

private:
    vector_f factor_;  ///< column sums, then scale factors; sized on first use
};

static_assert(homeostasis_rule<normalize_incoming>);

} // namespace somnus
