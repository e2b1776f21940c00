// SPDX-License-Identifier: MIT
// Builds against an installed somnus::readout, whose package config must find
// xtensor-blas, LAPACK/BLAS and liblbfgs, and separates two classes.
#include <somnus/readout/pca_logistic.hpp>

#include <cstdio>
#include <vector>

int main()
{
    const xt::xtensor<double, 2> x = {{0.0, 0.1, 1.0}, {0.1, 0.0, 1.0}, {0.0, 0.0, 1.0}, {1.0, 0.9, 1.0}, {0.9, 1.0, 1.0}, {1.0, 1.0, 1.0}};
    const std::vector<int> y{3, 3, 3, 8, 8, 8};
    somnus::pca_logistic readout;
    const auto& fit = readout.fit(x, y);
    const double accuracy = readout.accuracy(x, y);
    std::printf("consumer_readout: %zu component(s), %d L-BFGS iterations, accuracy %.2f\n", readout.n_components(),
                fit.iterations, accuracy);
    return fit.converged && accuracy == 1.0 ? 0 : 1;
}
