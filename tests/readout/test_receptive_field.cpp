// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <somnus/core/tensor.hpp>
#include <somnus/readout/receptive_field.hpp>

using namespace somnus;

namespace {

std::vector<double> checkerboard(std::size_t rows, std::size_t cols, double amplitude)
{
    std::vector<double> f(rows * cols);
    for (std::size_t y = 0; y < rows; ++y)
        for (std::size_t x = 0; x < cols; ++x) f[y * cols + x] = (x + y) % 2 == 0 ? amplitude : 0.0;
    return f;
}

} // namespace

TEST_SUITE("readout") {

TEST_CASE("neighbourhood variance: a constant field gives 0")
{
    CHECK(neighbourhood_variance(std::vector<float>(28 * 28, 0.37f), 28, 28) == doctest::Approx(0.0));
    CHECK(neighbourhood_variance(std::vector<double>(5 * 3, -2.0), 5, 3) == 0.0);
    CHECK(neighbourhood_variance(std::vector<double>{4.0}, 1, 1) == 0.0);  // one pixel, its own neighbourhood
}

TEST_CASE("neighbourhood variance: a 3x3 field computed by hand")
{
    // 1 2 3 / 4 5 6 / 7 8 9. Corners, e.g. {1,2,4,5}: mean 3, variance 10/4 = 2.5.
    // Top and bottom edges, e.g. {1..6}: variance 17.5/6. Left and right edges,
    // e.g. {1,2,4,5,7,8}: variance 37.5/6 = 6.25. Centre {1..9}: (81 - 1)/12.
    // Mean over the 9 pixels: (4 * 2.5 + 2 * 17.5/6 + 2 * 6.25 + 80/12) / 9 = 35 / 9.
    const std::vector<double> f{1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(neighbourhood_variance(f, 3, 3) == doctest::Approx(35.0 / 9.0).epsilon(1e-14));
    // Transposed, the same value (edges swap roles); shifted, the same; scaled by 2, four times.
    const std::vector<double> t{1, 4, 7, 2, 5, 8, 3, 6, 9};
    CHECK(neighbourhood_variance(t, 3, 3) == doctest::Approx(35.0 / 9.0).epsilon(1e-14));
    std::vector<float> shifted, doubled;
    for (const double v : f) {
        shifted.push_back(float(v + 100.0));
        doubled.push_back(float(2.0 * v));
    }
    CHECK(neighbourhood_variance(shifted, 3, 3) == doctest::Approx(35.0 / 9.0).epsilon(1e-12));
    CHECK(neighbourhood_variance(doubled, 3, 3) == doctest::Approx(4.0 * 35.0 / 9.0).epsilon(1e-12));
}

TEST_CASE("neighbourhood variance: checkerboards and a single row")
{
    // An interior 3x3 window of a 0/a checkerboard holds 5 of one value and 4
    // of the other: variance (5/9)(4/9) a^2 = 20/81 a^2. Edge windows (6
    // values) and corner windows (4) hold equal numbers of each: a^2 / 4.
    const double a = 0.8;
    for (const auto& shape : {std::pair<std::size_t, std::size_t>{28, 28}, {2, 2}, {5, 8}, {3, 7}}) {
        const std::size_t rows = shape.first, cols = shape.second;
        CAPTURE(rows);
        CAPTURE(cols);
        const double interior = double((rows - 2) * (cols - 2)), border = double(rows * cols) - interior;
        const double expect = (interior * 20.0 / 81.0 + border * 0.25) * a * a / double(rows * cols);
        CHECK(neighbourhood_variance(checkerboard(rows, cols, a), rows, cols) == doctest::Approx(expect).epsilon(1e-13));
    }
    // 28x28 in numbers: (676 * 20/81 + 108 / 4) / 784 = 0.24735... for a = 1.
    CHECK(neighbourhood_variance(checkerboard(28, 28, 1.0), 28, 28) ==
          doctest::Approx((676.0 * 20.0 / 81.0 + 27.0) / 784.0).epsilon(1e-13));
    // One row 0 3 0 3: windows {0,3}, {0,3,0}, {3,0,3}, {0,3} with variances
    // 2.25, 2, 2, 2.25: mean 2.125. As a column, the same.
    CHECK(neighbourhood_variance(std::vector<double>{0, 3, 0, 3}, 1, 4) == doctest::Approx(2.125).epsilon(1e-14));
    CHECK(neighbourhood_variance(std::vector<double>{0, 3, 0, 3}, 4, 1) == doctest::Approx(2.125).epsilon(1e-14));
}

TEST_CASE("receptive fields: columns of the [input][neuron] matrix; one statistic per neuron")
{
    // 9 inputs (3x3 images), 3 neurons: 1..9, constant 0.5, and 9..1.
    matrix_f w = make_matrix(9, 3);
    for (std::size_t i = 0; i < 9; ++i) {
        w(i, 0) = float(i + 1);
        w(i, 1) = 0.5f;
        w(i, 2) = float(9 - i);
    }
    const auto f0 = receptive_field(w, 0);
    CHECK(f0 == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(receptive_field(w, 2) == std::vector<float>{9, 8, 7, 6, 5, 4, 3, 2, 1});
    const auto all = receptive_fields(w);
    REQUIRE(all.size() == 27);
    for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t i = 0; i < 9; ++i) CHECK(all[j * 9 + i] == w(i, j));
    const auto v = neighbourhood_variances(w, 3, 3);
    REQUIRE(v.size() == 3);
    CHECK(v[0] == doctest::Approx(35.0 / 9.0).epsilon(1e-14));
    CHECK(v[1] == 0.0);
    CHECK(v[2] == doctest::Approx(35.0 / 9.0).epsilon(1e-14));
    CHECK(neighbourhood_variances(w, 3, 3, 2) == v);
    CHECK(v[0] == neighbourhood_variance(f0, 3, 3));

    // A 28x28 layer of 7 neurons: any thread count gives the same values.
    matrix_f big = make_matrix(784, 7);
    for (std::size_t i = 0; i < 784; ++i)
        for (std::size_t j = 0; j < 7; ++j) big(i, j) = float((i * 31 + j * 17) % 11) / 11.0f;
    const auto one = neighbourhood_variances(big, 28, 28, 1);
    CHECK(neighbourhood_variances(big, 28, 28, 3) == one);
    for (std::size_t j = 0; j < 7; ++j) CHECK(one[j] == neighbourhood_variance(receptive_field(big, j), 28, 28));
}

TEST_CASE("receptive fields: bad input is refused by name")
{
    matrix_f w = make_matrix(9, 2, 1.0f);
    CHECK_THROWS_WITH_AS(receptive_field(w, 2), doctest::Contains("receptive_field: neuron 2 of a layer of 2"),
                         config_error);
    CHECK_THROWS_WITH_AS(neighbourhood_variances(w, 4, 4), doctest::Contains("9 inputs are not 4x4 images"), config_error);
    w(4, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH_AS(neighbourhood_variances(w, 3, 3), doctest::Contains("weight (4, 1) is nan"), config_error);
    CHECK_THROWS_WITH_AS(neighbourhood_variance(std::vector<float>(8), 3, 3),
                         doctest::Contains("neighbourhood_variance: field of 8 values for 3x3 pixels"), config_error);
    CHECK_THROWS_WITH_AS(neighbourhood_variance(std::vector<double>{1, std::nan(""), 2, 3}, 2, 2),
                         doctest::Contains("field[1] is nan"), config_error);
    CHECK_THROWS_AS(neighbourhood_variance(std::vector<double>{}, 0, 0), config_error);
}

}
