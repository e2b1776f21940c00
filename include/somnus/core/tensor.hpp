// SPDX-License-Identifier: MIT
// The one file that names xtensor include paths. Debian's xtensor 0.24 has
// flat paths (<xtensor/xtensor.hpp>); 0.26 moved them into subfolders.
#pragma once

#if __has_include(<xtensor/containers/xtensor.hpp>)
#include <xtensor/containers/xtensor.hpp>
#include <xtensor/core/xmath.hpp>
#include <xtensor/views/xview.hpp>
#else
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#endif

#include <cstddef>

namespace somnus {

/// State vectors and matrices: contiguous, row-major, float.
using vector_f = xt::xtensor<float, 1>;
using matrix_f = xt::xtensor<float, 2>;

inline vector_f make_vector(std::size_t n, float value = 0.0f)
{
    vector_f v = xt::empty<float>({n});
    v.fill(value);
    return v;
}

inline matrix_f make_matrix(std::size_t rows, std::size_t cols, float value = 0.0f)
{
    matrix_f m = xt::empty<float>({rows, cols});
    m.fill(value);
    return m;
}

} // namespace somnus
