// SPDX-License-Identifier: MIT
// Entropies and mutual information of binary spike trains (Capozzi et al.):
// each train binned at dt is a binary variable, H(X) = -sum_x p(x) log p(x),
// I(X;Y) = H(X) + H(Y) - H(X,Y) from the joint 2 x 2 table. Every quantity
// is computed by an entropy_estimator policy, so plug_in gives the plug-in
// values and miller_madow corrects H(X), H(Y) and H(X,Y) alike: its MI
// correction is [(m_x - 1) + (m_y - 1) - (m_xy - 1)] / 2N nats.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "plug_in.hpp"
#include "spike_trains.hpp"

namespace somnus {

namespace detail {
/// Rounding can leave a true zero as +-1e-17; report it as 0 (never -0).
inline double snap_zero(double x) { return std::abs(x) < 1e-12 ? 0.0 : x; }
} // namespace detail

/// Entropy of one binary variable seen `ones` times in `bins` bins.
template <entropy_estimator E>
double binary_entropy(std::uint64_t ones, std::uint64_t bins, const E& e)
{
    const std::array<std::uint64_t, 2> c{bins - std::min(ones, bins), std::min(ones, bins)};
    return e.entropy(std::span<const std::uint64_t>(c));
}

/// Entropy of train k (per-neuron spike entropy).
template <entropy_estimator E>
double train_entropy(const spike_trains& t, std::size_t k, const E& e)
{
    return binary_entropy(t.ones(k), t.bins(), e);
}

/// Entropy of every train of a set.
template <entropy_estimator E>
std::vector<double> train_entropies(const spike_trains& t, const E& e)
{
    std::vector<double> h(t.size());
    for (std::size_t k = 0; k < t.size(); ++k) h[k] = train_entropy(t, k, e);
    return h;
}

template <entropy_estimator E>
double joint_entropy(const joint_counts& c, const E& e)
{
    const auto cells = c.cells();
    return e.entropy(std::span<const std::uint64_t>(cells));
}

/// I(X;Y) = H(X) + H(Y) - H(X,Y) with the estimator's entropies. Plug-in MI
/// is >= 0; a bias-corrected MI may be slightly negative for independent
/// trains, which is the point of the correction (it is not clipped).
template <entropy_estimator E>
double mutual_information(const joint_counts& c, const E& e)
{
    const auto x = c.x(), y = c.y();
    const double i = e.entropy(std::span<const std::uint64_t>(x)) + e.entropy(std::span<const std::uint64_t>(y)) - joint_entropy(c, e);
    return detail::snap_zero(i);
}

/// I(x_i; y_j): config_error for i or j outside its set.
template <entropy_estimator E>
double mutual_information(const spike_trains& x, std::size_t i, const spike_trains& y, std::size_t j, const E& e)
{
    return mutual_information(joint_table(x, i, y, j), e);
}

/// MI of a general rows x cols contingency table (row-major counts).
template <entropy_estimator E>
double mutual_information(std::span<const std::uint64_t> table, std::size_t rows, std::size_t cols, const E& e)
{
    detail::require(table.size() == detail::checked_elements("mutual_information", rows, cols, sizeof(std::uint64_t)),
                    "mutual_information: {} counts for a {} x {} table", table.size(), rows, cols);
    detail::checked_elements("mutual_information: row sums", rows, 1, sizeof(std::uint64_t));
    detail::checked_elements("mutual_information: column sums", cols, 1, sizeof(std::uint64_t));
    std::vector<std::uint64_t> r(rows, 0), c(cols, 0);
    for (std::size_t a = 0; a < rows; ++a)
        for (std::size_t b = 0; b < cols; ++b) {
            r[a] += table[a * cols + b];
            c[b] += table[a * cols + b];
        }
    return detail::snap_zero(e.entropy(std::span<const std::uint64_t>(r)) + e.entropy(std::span<const std::uint64_t>(c)) - e.entropy(table));
}

/// MI between every x train and every y train: mi[i * y.size() + j].
struct mi_matrix {
    std::size_t n_x = 0, n_y = 0;
    std::vector<double> mi;
    double at(std::size_t i, std::size_t j) const { return mi[i * n_y + j]; }
    /// Per y train, the sum over x trains (Capozzi et al.'s per-output-neuron MI).
    std::vector<double> sum_over_x() const
    {
        std::vector<double> s(n_y, 0.0);
        for (std::size_t i = 0; i < n_x; ++i)
            for (std::size_t j = 0; j < n_y; ++j) s[j] += mi[i * n_y + j];
        return s;
    }
};

/// All pairwise MIs, counting with the popcount path (W = simd::word_batch)
/// or its scalar reference (W = std::uint64_t).
template <class W = simd::word_batch, entropy_estimator E>
mi_matrix mutual_information_matrix(const spike_trains& x, const spike_trains& y, const E& e, unsigned threads = 1)
{
    mi_matrix m{x.size(), y.size(), std::vector<double>(detail::checked_elements(
                                                   "mutual_information_matrix", x.size(), y.size(), sizeof(double) + sizeof(std::uint64_t)))};
    std::vector<std::uint64_t> n11(x.size() * y.size());
    cooccurrence<W>(x, y, n11, threads);
    std::vector<std::uint64_t> ox(x.size()), oy(y.size());
    for (std::size_t i = 0; i < x.size(); ++i) ox[i] = x.ones(i);
    for (std::size_t j = 0; j < y.size(); ++j) oy[j] = y.ones(j);
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = 0; j < y.size(); ++j)
            m.mi[i * y.size() + j] = mutual_information(detail::joint_from_trains(n11[i * y.size() + j], ox[i], oy[j], x.bins()), e);
    return m;
}

} // namespace somnus
