// SPDX-License-Identifier: MIT
// simd::exp_nonpositive: within 2 ulp of e^x, the same bits in scalar and
// vector form.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/core/simd.hpp>

using namespace somnus;

TEST_SUITE("core") {

TEST_CASE("exp_nonpositive: within 2 ulp of e^x on [-87, 0], scalar and SIMD give the same bits")
{
    std::vector<float> xs;
    for (int k = 0; k <= 2000000; ++k) xs.push_back(-87.0f * float(k) / 2000000.0f);
    for (float x : {0.0f, -0.0f, -1e-30f, -1e-8f, -0.34657359f, -0.34657360f, -1.0f, -86.99f, -87.0f}) xs.push_back(x);
    while (xs.size() % simd::width != 0) xs.push_back(-0.5f);
    double worst = 0.0;
    std::size_t differ = 0;
    for (std::size_t k = 0; k < xs.size(); k += simd::width) {
        alignas(64) float out[simd::width];
        simd::exp_nonpositive(simd::batch::load_unaligned(&xs[k])).store_aligned(out);
        for (std::size_t l = 0; l < simd::width; ++l) {
            const float x = xs[k + l], s = simd::exp_nonpositive(x);
            if (out[l] != s) ++differ;
            const double exact = std::exp(double(x));
            const float rounded = static_cast<float>(exact);
            const double ulp = double(std::nextafter(rounded, INFINITY) - rounded);
            worst = std::max(worst, std::abs(double(s) - exact) / ulp);
        }
    }
    MESSAGE("worst error: ", worst, " ulp");
    CHECK(differ == 0);
    CHECK(worst <= 2.0);
    CHECK(simd::exp_nonpositive(0.0f) == 1.0f);
    // Below -87 the input is clamped: a tiny positive value, never 0 or garbage.
    CHECK(simd::exp_nonpositive(-1000.0f) == simd::exp_nonpositive(-87.0f));
    CHECK(simd::exp_nonpositive(-1000.0f) > 0.0f);
}

}

TEST_SUITE("core") {

TEST_CASE("load_first and store_first touch lanes 0 .. k-1 only")
{
    for (std::size_t k = 0; k <= simd::width; ++k) {
        CAPTURE(k);
        std::vector<float> src(2 * simd::width), dst(2 * simd::width, -1.0f);
        for (std::size_t i = 0; i < src.size(); ++i) src[i] = float(i) + 0.5f;
        alignas(64) float lanes[simd::width];
        simd::load_first(src.data() + 3, k).store_aligned(lanes);
        for (std::size_t l = 0; l < simd::width; ++l) CHECK(lanes[l] == (l < k ? src[3 + l] : 0.0f));
        simd::store_first(dst.data() + 3, simd::batch(7.0f), k);
        for (std::size_t i = 0; i < dst.size(); ++i) CHECK(dst[i] == (i >= 3 && i < 3 + k ? 7.0f : -1.0f));
        const auto idle = simd::lanes_from(k);
        alignas(64) bool flags[simd::width];
        idle.store_aligned(flags);
        for (std::size_t l = 0; l < simd::width; ++l) CHECK(flags[l] == (l >= k));
    }
}

}
