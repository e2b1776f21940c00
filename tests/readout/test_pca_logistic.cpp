// SPDX-License-Identifier: MIT
// readout/pca_logistic.hpp on cases checkable by hand: PCA of data with a
// known covariance, sklearn's 95 % rule, constant features, separable
// classes, the penalty, bad input. The comparison with scikit-learn itself is
// the ctest readout_sklearn (sklearn_reference.py + sklearn_compare.cpp).
#if defined(SOMNUS_HAVE_READOUT)

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <somnus/readout/pca_logistic.hpp>

using namespace somnus;

namespace {

using matrix = xt::xtensor<double, 2>;

// Column c of the 8 x 8 Sylvester Hadamard matrix: +-1, and for c >= 1 of
// zero mean and orthogonal to every other column.
double hadamard(std::size_t row, std::size_t c) { return std::popcount(row & c) % 2 == 0 ? 1.0 : -1.0; }

// 8 samples whose centred columns are orthogonal with the given sample
// variances (ddof 1): column j is sqrt(var_j * 7 / 8) * Hadamard column j + 1.
matrix orthogonal_data(const std::vector<double>& variance)
{
    matrix x = xt::empty<double>({std::size_t(8), variance.size()});
    for (std::size_t i = 0; i < 8; ++i)
        for (std::size_t j = 0; j < variance.size(); ++j)
            x(i, j) = 0.25 + std::sqrt(variance[j] * 7.0 / 8.0) * hadamard(i, j + 1);
    return x;
}

// A rotation of 3-space: about z by 30 degrees, then about x by 45 degrees.
matrix rotation()
{
    const double a = std::acos(-1.0) / 6.0, b = std::acos(-1.0) / 4.0;
    const matrix rz = {{std::cos(a), -std::sin(a), 0.0}, {std::sin(a), std::cos(a), 0.0}, {0.0, 0.0, 1.0}};
    const matrix rx = {{1.0, 0.0, 0.0}, {0.0, std::cos(b), -std::sin(b)}, {0.0, std::sin(b), std::cos(b)}};
    return xt::linalg::dot(rz, rx);
}

// Gaussian clusters around per-class centres: [sample][feature] and labels.
struct labelled {
    matrix x;
    std::vector<int> y;
};

labelled clusters(const std::vector<int>& labels, std::size_t features, double separation, double noise, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    labelled out{xt::empty<double>({labels.size(), features}), labels};
    for (std::size_t i = 0; i < labels.size(); ++i)
        for (std::size_t j = 0; j < features; ++j) {
            // Class c's centre: separation along feature (c mod features), a
            // weaker pattern on the others.
            const int c = labels[i];
            const double centre = (std::size_t(std::abs(c)) % features == j ? separation : 0.0) +
                                  0.3 * separation * std::sin(double(c * 7 + int(j)));
            out.x(i, j) = centre + noise * normal(rng);
        }
    return out;
}

std::vector<int> repeat_labels(const std::vector<int>& classes, const std::vector<std::size_t>& counts)
{
    std::vector<int> y;
    for (std::size_t k = 0; k < classes.size(); ++k) y.insert(y.end(), counts[k], classes[k]);
    return y;
}

double frobenius(const matrix& w) { return std::sqrt(xt::sum(w * w)()); }

} // namespace

TEST_SUITE("readout") {

TEST_CASE("pca_logistic: PCA of rotated data with known variances 9, 4, 1 gives ratios 9/14, 4/14, 1/14 and the rotation's axes")
{
    const matrix r = rotation();
    const matrix x = xt::linalg::dot(orthogonal_data({9.0, 4.0, 1.0}), r);
    principal_components pca;
    pca.fit(x, 1.0, false);
    REQUIRE(pca.n_components() == 3);
    const std::array<double, 3> variance{9.0, 4.0, 1.0};
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(pca.explained_variance()(k) == doctest::Approx(variance[k]).epsilon(1e-12));
        CHECK(pca.explained_variance_ratio()(k) == doctest::Approx(variance[k] / 14.0).epsilon(1e-12));
        // Component k is row k of the rotation, up to sign.
        double dot = 0.0;
        for (std::size_t j = 0; j < 3; ++j) dot += pca.components()(k, j) * r(k, j);
        CHECK(std::abs(dot) == doctest::Approx(1.0).epsilon(1e-12));
    }
    // Unwhitened projections have the explained variances; whitened ones unit variance.
    const matrix z = pca.transform(x);
    principal_components white;
    white.fit(x, 1.0, true);
    const matrix zw = white.transform(x);
    for (std::size_t k = 0; k < 3; ++k) {
        double mean = 0.0, ss = 0.0, ssw = 0.0;
        for (std::size_t i = 0; i < 8; ++i) {
            mean += z(i, k);
            ss += z(i, k) * z(i, k);
            ssw += zw(i, k) * zw(i, k);
        }
        CHECK(std::abs(mean) < 1e-12);
        CHECK(ss / 7.0 == doctest::Approx(variance[k]).epsilon(1e-12));
        CHECK(ssw / 7.0 == doctest::Approx(1.0).epsilon(1e-12));
    }
    // Cumulative ratios 9/14 = 0.643, 13/14 = 0.929, 1: the 95 % rule keeps 3,
    // 90 % keeps 2, 50 % keeps 1.
    principal_components p95, p90, p50;
    p95.fit(x, 0.95);
    p90.fit(x, 0.90);
    p50.fit(x, 0.50);
    CHECK(p95.n_components() == 3);
    CHECK(p90.n_components() == 2);
    CHECK(p50.n_components() == 1);
}

TEST_CASE("pca_logistic: standardising orthogonal columns of any variance leaves equal ratios")
{
    const matrix x = orthogonal_data({9.0, 4.0, 1.0, 0.25});
    standard_scaler scaler;
    scaler.fit(x);
    for (std::size_t j = 0; j < 4; ++j) {
        CHECK(scaler.mean()(j) == doctest::Approx(0.25).epsilon(1e-14));
        // Population standard deviation (ddof 0): sqrt(var * 7 / 8).
        CHECK(scaler.scale()(j) == doctest::Approx(std::sqrt(std::array{9.0, 4.0, 1.0, 0.25}[j] * 7.0 / 8.0)).epsilon(1e-14));
    }
    principal_components pca;
    pca.fit(scaler.transform(x), 0.95);
    REQUIRE(pca.n_components() == 4);  // 0.25, 0.5, 0.75 are <= 0.95, then + 1
    for (std::size_t k = 0; k < 4; ++k) CHECK(pca.explained_variance_ratio()(k) == doctest::Approx(0.25).epsilon(1e-12));
}

TEST_CASE("pca_logistic: the 95 % rule is numpy's searchsorted(cumsum, kept, side='right') + 1")
{
    // Binary fractions, so the cumulative sums are exact: a cumulative ratio
    // equal to the threshold counts as below it and one more component is kept.
    const std::vector<double> spectrum{0.5, 0.25, 0.125, 0.0625, 0.0625};
    CHECK(detail::components_for_variance(spectrum, 0.4) == 1);
    CHECK(detail::components_for_variance(spectrum, 0.5) == 2);
    CHECK(detail::components_for_variance(spectrum, 0.75) == 3);
    CHECK(detail::components_for_variance(spectrum, 0.875) == 4);
    CHECK(detail::components_for_variance(spectrum, 0.9) == 4);
    CHECK(detail::components_for_variance(spectrum, 0.95) == 5);
    CHECK(detail::components_for_variance(spectrum, 0.99) == 5);  // capped at every component
    CHECK(detail::components_for_variance(spectrum, 1.0) == 5);
    CHECK(detail::components_for_variance(std::vector<double>{0.6, 0.3, 0.06, 0.04}, 0.95) == 3);

    // The same spectrum as data: variances 8, 4, 2, 1, 1 (ratios as above).
    principal_components pca;
    pca.fit(orthogonal_data({8.0, 4.0, 2.0, 1.0, 1.0}), 0.9);
    CHECK(pca.n_components() == 4);
    pca.fit(orthogonal_data({8.0, 4.0, 2.0, 1.0, 1.0}), 0.95);
    CHECK(pca.n_components() == 5);
}

TEST_CASE("pca_logistic: constant features get scale 1 and change nothing")
{
    const auto data = clusters(repeat_labels({0, 1, 2}, {20, 15, 25}), 6, 2.0, 1.0, 11);
    // The same data with a zero column, a 0.1 column (whose mean is not exactly
    // 0.1 in floating point) and a 0.5 column in between.
    matrix padded = xt::empty<double>({data.x.shape()[0], std::size_t(9)});
    for (std::size_t i = 0; i < padded.shape()[0]; ++i) {
        const std::array<double, 9> row{data.x(i, 0), 0.0, data.x(i, 1), data.x(i, 2), 0.1, data.x(i, 3), data.x(i, 4), 0.5,
                                        data.x(i, 5)};
        std::copy(row.begin(), row.end(), &padded(i, 0));
    }
    pca_logistic plain, with_constants;
    plain.fit(data.x, data.y);
    with_constants.fit(padded, data.y);
    for (const std::size_t j : {1, 4, 7}) CHECK(with_constants.scaler().scale()(j) == 1.0);
    CHECK(with_constants.scaler().mean()(7) == 0.5);
    REQUIRE(with_constants.n_components() == plain.n_components());
    for (std::size_t k = 0; k < plain.n_components(); ++k) {
        CHECK(with_constants.explained_variance_ratio()(k) == doctest::Approx(plain.explained_variance_ratio()(k)).epsilon(1e-10));
        for (const std::size_t j : {1, 4, 7}) CHECK(std::abs(with_constants.components()(k, j)) < 1e-12);
    }
    CHECK(with_constants.predict(padded) == plain.predict(data.x));
    const matrix d = with_constants.decision_function(padded) - plain.decision_function(data.x);
    CHECK(xt::amax(xt::abs(d))() < 1e-6);
}

TEST_CASE("pca_logistic: separable classes with arbitrary labels are all classified right, at the optimum")
{
    const std::vector<int> classes{-1, 4, 8};  // centres along features 1, 4, 2
    const auto train = clusters(repeat_labels(classes, {30, 20, 25}), 6, 8.0, 0.5, 3);
    const auto test = clusters(repeat_labels(classes, {10, 10, 10}), 6, 8.0, 0.5, 4);
    pca_logistic readout;
    const auto report = readout.fit(train.x, train.y);
    CHECK(report.converged);
    CHECK(report.iterations > 0);
    CHECK(readout.classes() == classes);
    CHECK(readout.accuracy(train.x, train.y) == 1.0);
    CHECK(readout.accuracy(test.x, test.y) == 1.0);
    CHECK(readout.predict(test.x) == test.y);

    // The optimum's conditions: the intercepts' gradient is zero, so the
    // predicted probabilities of each class sum to its count; the weights'
    // gradient is zero, so W = C * sum_i (onehot_i - p_i) z_i^T.
    const matrix z = readout.transform(train.x), s = readout.decision_function(train.x);
    const std::size_t n = z.shape()[0], m = z.shape()[1];
    matrix residual_z = xt::zeros<double>({std::size_t(3), m});
    std::array<double, 3> probability_sum{};
    for (std::size_t i = 0; i < n; ++i) {
        const double top = std::max({s(i, 0), s(i, 1), s(i, 2)});
        const double norm = std::exp(s(i, 0) - top) + std::exp(s(i, 1) - top) + std::exp(s(i, 2) - top);
        for (std::size_t k = 0; k < 3; ++k) {
            const double p = std::exp(s(i, k) - top) / norm;
            probability_sum[k] += p;
            const double r = (train.y[i] == classes[k] ? 1.0 : 0.0) - p;
            for (std::size_t j = 0; j < m; ++j) residual_z(k, j) += r * z(i, j);
        }
    }
    CHECK(probability_sum[0] == doctest::Approx(30.0).epsilon(1e-6));
    CHECK(probability_sum[1] == doctest::Approx(20.0).epsilon(1e-6));
    CHECK(probability_sum[2] == doctest::Approx(25.0).epsilon(1e-6));
    CHECK(xt::amax(xt::abs(readout.logistic().coefficients() - residual_z))() < 1e-6);
}

TEST_CASE("pca_logistic: the penalty shrinks the coefficients as C falls, towards predicting the commonest class")
{
    const auto data = clusters(repeat_labels({0, 1, 2, 3}, {25, 15, 10, 10}), 8, 1.5, 1.0, 7);
    double previous = std::numeric_limits<double>::infinity();
    for (const double c : {100.0, 1.0, 0.01, 1e-4}) {
        pca_logistic_params p;
        p.inverse_regularisation = c;
        pca_logistic readout(p);
        CHECK(readout.fit(data.x, data.y).converged);
        const double norm = frobenius(readout.logistic().coefficients());
        CHECK(norm < previous);
        previous = norm;
    }
    CHECK(previous < 1e-2);
    pca_logistic_params p;
    p.inverse_regularisation = 1e-8;
    pca_logistic flat(p);
    flat.fit(data.x, data.y);
    for (const int label : flat.predict(data.x)) CHECK(label == 0);
}

TEST_CASE("pca_logistic: the sign rule changes component signs, not predictions")
{
    const auto train = clusters(repeat_labels({0, 1, 2, 3, 4}, {12, 12, 12, 12, 12}), 10, 1.0, 1.0, 21);
    const auto test = clusters(repeat_labels({0, 1, 2, 3, 4}, {20, 20, 20, 20, 20}), 10, 1.0, 1.0, 22);
    pca_logistic_params p;
    p.sign = pca_sign::components;
    pca_logistic by_components(p);
    p.sign = pca_sign::scores;
    pca_logistic by_scores(p);
    by_components.fit(train.x, train.y);
    by_scores.fit(train.x, train.y);
    REQUIRE(by_components.n_components() == by_scores.n_components());
    const matrix z = by_scores.transform(train.x);
    for (std::size_t k = 0; k < by_components.n_components(); ++k) {
        // sklearn >= 1.5: each component's largest-magnitude loading is positive.
        const auto row = xt::row(by_components.components(), std::ptrdiff_t(k));
        const auto big = std::max_element(row.begin(), row.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
        CHECK(*big > 0.0);
        // sklearn <= 1.4: each component's largest-magnitude training score is positive.
        const auto col = xt::col(z, std::ptrdiff_t(k));
        const auto top = std::max_element(col.begin(), col.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
        CHECK(*top > 0.0);
        double dot = 0.0;
        for (std::size_t j = 0; j < row.size(); ++j) dot += row(j) * by_scores.components()(k, j);
        CHECK(std::abs(dot) == doctest::Approx(1.0).epsilon(1e-12));
    }
    CHECK(by_components.predict(test.x) == by_scores.predict(test.x));
}

TEST_CASE("pca_logistic: two classes, and a test label absent from the fit set counts as wrong")
{
    const auto train = clusters(repeat_labels({2, 5}, {15, 15}), 4, 6.0, 0.5, 31);
    pca_logistic readout;
    CHECK(readout.fit(train.x, train.y).converged);
    CHECK(readout.classes() == std::vector<int>{2, 5});
    CHECK(readout.accuracy(train.x, train.y) == 1.0);
    std::vector<int> relabelled = train.y;
    relabelled[0] = 9;  // a class the readout never saw
    CHECK(readout.accuracy(train.x, relabelled) == doctest::Approx(29.0 / 30.0));
}

TEST_CASE("pca_logistic: bad input and settings are refused with the problem named")
{
    const auto data = clusters(repeat_labels({0, 1}, {5, 5}), 3, 2.0, 1.0, 41);
    pca_logistic readout;
    CHECK_THROWS_WITH_AS(readout.predict(data.x), doctest::Contains("not fitted"), config_error);
    CHECK_THROWS_WITH_AS(readout.fit(data.x, std::vector<int>(9, 0)),
                         doctest::Contains("X has 10 samples but y has 9 labels"), data_error);
    matrix nan_x = data.x;
    nan_x(3, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(readout.fit(nan_x, data.y), doctest::Contains("X(3, 2) = nan is not finite"), data_error);
    const matrix one = xt::view(data.x, xt::range(0, 1), xt::all());
    CHECK_THROWS_WITH_AS(readout.fit(one, std::vector<int>{0}), doctest::Contains("at least 2 are needed"), data_error);
    CHECK_THROWS_WITH_AS(readout.fit(data.x, std::vector<int>(10, 4)),
                         doctest::Contains("every label is 4; at least 2 classes are needed"), data_error);
    matrix flat = xt::ones<double>({std::size_t(10), std::size_t(3)});
    CHECK_THROWS_WITH_AS(readout.fit(flat, data.y), doctest::Contains("every feature is constant"), data_error);

    readout.fit(data.x, data.y);
    const matrix wide = xt::zeros<double>({std::size_t(2), std::size_t(4)});
    CHECK_THROWS_WITH_AS(readout.predict(wide), doctest::Contains("X has 4 features, the fit had 3"), data_error);
    CHECK_THROWS_WITH_AS(readout.accuracy(data.x, std::vector<int>{0, 1}), doctest::Contains("y has 2 labels"), data_error);

    const auto refused = [](auto edit, const char* message) {
        pca_logistic_params p;
        edit(p);
        CHECK_THROWS_WITH_AS(pca_logistic{p}, doctest::Contains(message), config_error);
    };
    refused([](auto& p) { p.variance_kept = 0.0; }, "variance_kept = 0 is not in (0, 1]");
    refused([](auto& p) { p.variance_kept = 1.5; }, "variance_kept = 1.5 is not in (0, 1]");
    refused([](auto& p) { p.inverse_regularisation = -1.0; }, "inverse_regularisation (C) = -1");
    refused([](auto& p) { p.max_iterations = 0; }, "max_iterations = 0");
    refused([](auto& p) { p.tolerance = 0.0; }, "tolerance = 0");
}

} // TEST_SUITE

#endif // SOMNUS_HAVE_READOUT
