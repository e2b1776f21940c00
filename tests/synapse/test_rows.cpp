// SPDX-License-Identifier: MIT
// The row kernels (synapse/rows.hpp): scalar and SIMD paths give the same
// bits on awkward sizes, and the sums are the row-order float sums.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <random>
#include <vector>

#include <somnus/synapse/rows.hpp>

using namespace somnus;

namespace {

constexpr std::size_t sizes[] = {0, 1, 3, 7, 15, 16, 17, 31, 33, 63, 65, 100, 784, 1001};

std::vector<float> random_values(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

matrix_f random_matrix(std::size_t rows, std::size_t cols, unsigned seed)
{
    matrix_f w = make_matrix(rows, cols);
    const auto v = random_values(rows * cols, seed);
    std::copy(v.begin(), v.end(), w.data());
    return w;
}

bool same_bits(const float* a, const float* b, std::size_t n) { return n == 0 || std::memcmp(a, b, n * sizeof(float)) == 0; }

} // namespace

TEST_SUITE("synapse") {

TEST_CASE("add_row: scalar and SIMD give the same bits, tail included")
{
    for (const std::size_t n : sizes) {
        CAPTURE(n);
        const auto row = random_values(n, 1);
        auto scalar = random_values(n, 2), vector = scalar;
        detail::add_row<float>(scalar.data(), row.data(), n, 0.37f);
        detail::add_row<simd::batch>(vector.data(), row.data(), n, 0.37f);
        CHECK(same_bits(scalar.data(), vector.data(), n));
        const auto before = random_values(n, 2);
        for (std::size_t j = 0; j < n; ++j) CHECK(scalar[j] == before[j] + row[j] * 0.37f);
    }
}

TEST_CASE("column_sums: scalar and SIMD give the row-order sum of each column")
{
    for (const std::size_t cols : sizes) {
        for (const std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{29}}) {
            CAPTURE(cols);
            CAPTURE(rows);
            const matrix_f w = random_matrix(rows, cols, 3);
            std::vector<float> scalar(cols, -9.0f), vector(cols, 9.0f);  // overwritten, not added to
            detail::column_sums<float>(w, scalar.data());
            detail::column_sums<simd::batch>(w, vector.data());
            CHECK(same_bits(scalar.data(), vector.data(), cols));
            for (std::size_t j = 0; j < cols; ++j) {
                float s = 0.0f;
                for (std::size_t i = 0; i < rows; ++i) s = s + w(i, j) * 1.0f;
                CHECK(scalar[j] == s);
            }
        }
    }
}

TEST_CASE("scale_columns: scalar and SIMD give the same bits")
{
    for (const std::size_t cols : sizes) {
        CAPTURE(cols);
        const auto factor = random_values(cols, 4);
        matrix_f scalar = random_matrix(7, cols, 5), vector = scalar;
        const matrix_f before = scalar;
        detail::scale_columns<float>(scalar, factor.data());
        detail::scale_columns<simd::batch>(vector, factor.data());
        CHECK(same_bits(scalar.data(), vector.data(), scalar.size()));
        for (std::size_t i = 0; i < 7; ++i)
            for (std::size_t j = 0; j < cols; ++j) CHECK(scalar(i, j) == before(i, j) * factor[j]);
    }
}

}
