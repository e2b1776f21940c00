// SPDX-License-Identifier: MIT
// Divisive normalisation of each neuron's incoming weights to a fixed sum,
// applied before every presentation (Diehl & Cook 2015: sum 78 for 784
// inputs, i.e. a mean weight of 0.1):
//   w[i][j] *= target_sum / sum_i w[i][j]
// A neuron whose incoming weights are all zero is left alone. Given the
// layer's changed-column flags, only columns whose weights changed since
// their last normalisation are revisited: the others already sum to the
// target (rescaling them would only add rounding noise).
// It acts on the layer's feed-forward input w_in only (layer_ref), as Diehl
// & Cook's normalisation does; other plastic projections onto the layer (a
// recurrent one) are left to their own dynamics.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../synapse/rows.hpp"

namespace somnus {

struct normalize_incoming {
    struct params {
        float target_sum = 78.0f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("target_sum", target_sum);
        }
    };
    params p{};

    normalize_incoming() = default;
    explicit normalize_incoming(params q) : p(q)
    {
        detail::require(q.target_sum > 0.0f, "normalize_incoming: target_sum must be positive, got {}", q.target_sum);
    }

    void before_presentation(layer_ref layer) { normalize(layer.w_in, layer.changed); }

    /// Rescales every column (changed empty) or the flagged ones, clearing
    /// their flags. Each column's sum is accumulated in row order either way,
    /// so a column gets the same bits whichever path handles it.
    void normalize(matrix_f& w, std::span<std::uint8_t> changed = {})
    {
        const std::size_t rows = w.shape()[0], cols = w.shape()[1];
        detail::require(changed.empty() || changed.size() == cols, "normalize_incoming: {} change flags for {} columns",
                        changed.size(), cols);
        if (factor_.size() != cols) factor_ = make_vector(cols);
        which_.clear();
        for (std::size_t j = 0; j < changed.size(); ++j)
            if (changed[j] != 0) which_.push_back(static_cast<std::uint32_t>(j));
        if (changed.empty() || which_.size() * 8 > cols) {
            // Many columns: two passes over whole rows (factor 1 leaves a column's bits alone).
            detail::column_sums(w, factor_.data());
            for (std::size_t j = 0; j < cols; ++j) {
                const float f = factor_[j];
                factor_[j] = (changed.empty() || changed[j] != 0) && f > 0.0f ? p.target_sum / f : 1.0f;
            }
            detail::scale_columns(w, factor_.data());
        } else {
            // Few columns: visit only their synapses, row by row.
            sums_.assign(which_.size(), 0.0f);
            for (std::size_t i = 0; i < rows; ++i) {
                const float* row = w.data() + i * cols;
                for (std::size_t a = 0; a < which_.size(); ++a) sums_[a] += row[which_[a]];
            }
            for (auto& f : sums_) f = f > 0.0f ? p.target_sum / f : 1.0f;
            for (std::size_t i = 0; i < rows; ++i) {
                float* row = w.data() + i * cols;
                for (std::size_t a = 0; a < which_.size(); ++a) row[which_[a]] *= sums_[a];
            }
        }
        std::fill(changed.begin(), changed.end(), std::uint8_t{0});
    }

private:
    vector_f factor_;  ///< column sums, then scale factors; sized on first use
    std::vector<std::uint32_t> which_;  ///< flagged columns
    std::vector<float> sums_;           ///< their sums, then factors
};

static_assert(homeostasis_rule<normalize_incoming>);

} // namespace somnus
