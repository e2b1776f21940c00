// SPDX-License-Identifier: MIT
// Receptive fields of the neurons of a layer on image inputs: neuron j's field
// is column j of the [input][neuron] weight matrix, laid out as the image.
// Tadros, Krishnan & Bazhenov 2019's measure of how well formed a field is: the
// mean over pixels of the variance of each pixel's 3x3 neighbourhood.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/tensor.hpp"

namespace somnus {

/// Neuron `neuron`'s receptive field: column `neuron` of the [input][neuron]
/// weights w, in input order (for image inputs, the row-major image).
inline std::vector<float> receptive_field(const matrix_f& w, std::size_t neuron)
{
    const std::size_t n_in = w.shape()[0], n = w.shape()[1];
    detail::require(neuron < n, "receptive_field: neuron {} of a layer of {}", neuron, n);
    std::vector<float> field(n_in);
    for (std::size_t i = 0; i < n_in; ++i) field[i] = w(i, neuron);
    return field;
}

/// Every neuron's receptive field, one after another ([neuron][input], the
/// transpose of w): field j is elements j * n_inputs .. (j + 1) * n_inputs - 1.
inline std::vector<float> receptive_fields(const matrix_f& w)
{
    const std::size_t n_in = w.shape()[0], n = w.shape()[1];
    std::vector<float> fields(n * n_in);
    for (std::size_t i = 0; i < n_in; ++i)
        for (std::size_t j = 0; j < n; ++j) fields[j * n_in + i] = w(i, j);
    return fields;
}

namespace detail {

template <class T>
double neighbourhood_variance_of(const T* f, std::size_t rows, std::size_t cols)
{
    double total = 0.0;
    for (std::size_t y = 0; y < rows; ++y) {
        const std::size_t y0 = y == 0 ? 0 : y - 1, y1 = std::min(y + 1, rows - 1);
        for (std::size_t x = 0; x < cols; ++x) {
            const std::size_t x0 = x == 0 ? 0 : x - 1, x1 = std::min(x + 1, cols - 1);
            double sum = 0.0;
            for (std::size_t v = y0; v <= y1; ++v)
                for (std::size_t u = x0; u <= x1; ++u) sum += double(f[v * cols + u]);
            const double count = double((y1 - y0 + 1) * (x1 - x0 + 1));
            const double m = sum / count;
            double ss = 0.0;
            for (std::size_t v = y0; v <= y1; ++v)
                for (std::size_t u = x0; u <= x1; ++u) ss += (double(f[v * cols + u]) - m) * (double(f[v * cols + u]) - m);
            total += ss / count;
        }
    }
    return total / double(rows * cols);
}

template <class T>
double checked_neighbourhood_variance(std::span<const T> field, std::size_t rows, std::size_t cols)
{
    detail::require(rows > 0 && cols > 0, "neighbourhood_variance: field of {}x{} pixels", rows, cols);
    detail::require(field.size() == rows * cols, "neighbourhood_variance: field of {} values for {}x{} pixels",
                    field.size(), rows, cols);
    for (std::size_t i = 0; i < field.size(); ++i)
        detail::require(std::isfinite(double(field[i])), "neighbourhood_variance: field[{}] is {}", i, double(field[i]));
    return neighbourhood_variance_of(field.data(), rows, cols);
}

} // namespace detail

/// Mean 3x3-neighbourhood pixel variance of a rows x cols field (row-major):
/// for each pixel, the population variance (divided by the count, not count
/// - 1) of the values in its 3x3 neighbourhood that lie inside the field
/// (9 inside, 6 on an edge, 4 at a corner; nothing is padded, so the border
/// adds no variance of its own), then the unweighted mean over all pixels.
/// A constant field gives 0; a field of isolated speckles gives more than a
/// smooth, digit-like one.
inline double neighbourhood_variance(std::span<const float> field, std::size_t rows, std::size_t cols)
{
    return detail::checked_neighbourhood_variance(field, rows, cols);
}
inline double neighbourhood_variance(std::span<const double> field, std::size_t rows, std::size_t cols)
{
    return detail::checked_neighbourhood_variance(field, rows, cols);
}

/// neighbourhood_variance of every neuron's field, for [input][neuron]
/// weights on rows x cols images; the result does not depend on `threads`
/// (0 = hardware threads).
inline std::vector<double> neighbourhood_variances(const matrix_f& w, std::size_t rows, std::size_t cols,
                                                   unsigned threads = 1)
{
    const std::size_t n_in = w.shape()[0], n = w.shape()[1];
    detail::require(rows > 0 && cols > 0 && n_in == rows * cols,
                    "neighbourhood_variances: {} inputs are not {}x{} images", n_in, rows, cols);
    for (std::size_t i = 0; i < w.size(); ++i)
        detail::require(std::isfinite(w.data()[i]), "neighbourhood_variances: weight ({}, {}) is {}", i / n, i % n,
                        w.data()[i]);
    std::vector<double> out(n);
    parallel_blocks(n, threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<float> field(n_in);
        for (std::size_t j = begin; j < end; ++j) {
            for (std::size_t i = 0; i < n_in; ++i) field[i] = w(i, j);
            out[j] = detail::neighbourhood_variance_of(field.data(), rows, cols);
        }
    });
    return out;
}

} // namespace somnus
