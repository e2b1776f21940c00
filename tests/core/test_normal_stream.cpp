// SPDX-License-Identifier: MIT
// normal_stream: the SIMD and scalar paths give the same bits; the values
// follow N(0, 1) (moments, quantiles against the exact inverse CDF on every
// segment of the table); streams are keyed; and the simd.hpp functions it is
// built from (log_positive, exp_bounded, erfinv, lookup32, compress_indices)
// against their references.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <somnus/core/normal_stream.hpp>

using namespace somnus;

namespace {

/// The exact upper quantile at tail probability s / 2 (z with erfc(z / sqrt 2) = s), by bisection in double.
double upper_quantile(double s)
{
    double lo = 0.0, hi = 10.0;
    for (int k = 0; k < 200; ++k) {
        const double mid = 0.5 * (lo + hi);
        (std::erfc(mid / std::sqrt(2.0)) > s ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

} // namespace

TEST_SUITE("core") {

TEST_CASE("normal_stream: SIMD and scalar give the same bits, any fill length; keys give other streams")
{
    normal_stream a(5, stream_purpose::sleep_noise, 3, 1), b(5, stream_purpose::sleep_noise, 3, 1), c(5, stream_purpose::sleep_noise, 3, 2);
    for (const std::size_t n : {1u, 15u, 16u, 17u, 1000u, 4099u}) {
        std::vector<float> x(n), y(n), z(n);
        a.fill<simd::word_batch>(x);
        b.fill<std::uint64_t>(y);
        c.fill(z);
        REQUIRE(x == y);
        CHECK(x != z);
    }
}

TEST_CASE("normal_stream: mean, variance, kurtosis and tail fractions of N(0, 1)")
{
    normal_stream g(11, 1);
    std::vector<float> x(4000000);
    g.fill(x);
    double m = 0, v = 0, k4 = 0;
    std::size_t beyond2 = 0, beyond3 = 0, negative = 0;
    for (const float z : x) {
        m += z;
        v += double(z) * z;
        k4 += double(z) * z * z * z;
        beyond2 += std::fabs(z) > 2.0f;
        beyond3 += std::fabs(z) > 3.0f;
        negative += z < 0.0f;
    }
    const double n = double(x.size());
    m /= n;
    v /= n;
    k4 /= n;
    CHECK(std::fabs(m) < 5 * std::sqrt(1.0 / n));
    CHECK(v == doctest::Approx(1.0).epsilon(5 * std::sqrt(2.0 / n)));
    CHECK(k4 == doctest::Approx(3.0).epsilon(0.01));
    CHECK(double(beyond2) / n == doctest::Approx(0.0455003).epsilon(0.01));
    CHECK(double(beyond3) / n == doctest::Approx(0.0026998).epsilon(0.05));
    CHECK(double(negative) / n == doctest::Approx(0.5).epsilon(0.002));
}

TEST_CASE("normal_stream: 32 random bits land within 3e-7 of their exact quantile on the table, 2e-6 in the far tail")
{
    // The value of bits b: sign bit 31, k = bits 8..30, s = (2^24 - 2k - 1) / 2^24.
    double worst = 0.0, worst_tail = 0.0;
    std::vector<std::uint32_t> ks;
    for (std::uint32_t k = 0; k < (1u << 23); k += 997) ks.push_back(k);
    for (std::uint32_t k = (1u << 23) - 40000; k < (1u << 23); ++k) ks.push_back(k);  // the far tail, every value
    for (const std::uint32_t k : ks) {
        const std::uint32_t bits = k << 8;
        const double s = (16777215.0 - 2.0 * k) / 16777216.0;
        const double exact = upper_quantile(s);
        const float z = normal_stream::transform(static_cast<std::int32_t>(bits));
        const float zn = normal_stream::transform(static_cast<std::int32_t>(bits | 0x80000000u));
        REQUIRE(zn == -z);
        (s >= 1.0 / 256 ? worst : worst_tail) = std::max(s >= 1.0 / 256 ? worst : worst_tail, std::fabs(double(z) - exact));
    }
    MESSAGE("worst absolute error: ", worst, " on the table, ", worst_tail, " in the tail (erfinv)");
    CHECK(worst < 3e-7);
    CHECK(worst_tail < 2e-6);  // erfinv's relative error of a few 1e-7 on |z| up to 5.4
}

TEST_CASE("log_positive, exp_bounded, erfinv: within a few ulp, scalar and SIMD the same bits")
{
    std::vector<float> xs;
    for (int k = 0; k < 200000; ++k) xs.push_back(std::ldexp(1.0f + float(k % 1000) / 1000.0f, (k / 1000) - 100));
    for (float x : {1.0f, 0.5f, 2.0f, 1e-45f, 1e-40f, 1.17549435e-38f, 3e38f}) xs.push_back(x);
    while (xs.size() % simd::width) xs.push_back(1.0f);
    double worst_log = 0, worst_exp = 0;
    std::size_t differ = 0;
    for (std::size_t k = 0; k < xs.size(); k += simd::width) {
        alignas(64) float lv[simd::width], ev[simd::width];
        const auto x = simd::load<simd::batch>(&xs[k]);
        simd::store(lv, simd::log_positive(x));
        const auto e_in = x * simd::batch(1e-3f) - simd::batch(0.5f);
        simd::store(ev, simd::exp_bounded(e_in));
        for (std::size_t l = 0; l < simd::width; ++l) {
            const float xl = xs[k + l], ls = simd::log_positive(xl), es = simd::exp_bounded(xl * 1e-3f - 0.5f);
            differ += ls != lv[l] || es != ev[l];
            const double le = std::log(double(xl)), ee = std::exp(double(xl * 1e-3f - 0.5f));
            const auto ulp = [](double v) { const float r = float(v); return double(std::nextafter(std::fabs(r), INFINITY) - std::fabs(r)); };
            worst_log = std::max(worst_log, std::fabs(ls - le) / ulp(le));
            if (ee < 1e38) worst_exp = std::max(worst_exp, std::fabs(es - ee) / ulp(ee));
        }
    }
    MESSAGE("log: ", worst_log, " ulp, exp: ", worst_exp, " ulp");
    CHECK(differ == 0);
    CHECK(worst_log <= 2.0);
    CHECK(worst_exp <= 2.0);
    CHECK(simd::exp_bounded(200.0f) == simd::exp_bounded(88.0f));
    // erfinv: erf(erfinv(x)) = x.
    double worst_erf = 0;
    for (int k = -999; k <= 999; ++k) {
        const float x = float(k) / 1000.0f;
        const float y = simd::erfinv(x);
        alignas(64) float v[simd::width];
        simd::store(v, simd::erfinv(simd::batch(x)));
        REQUIRE(v[0] == y);
        worst_erf = std::max(worst_erf, std::fabs(std::erf(double(y)) - double(x)));
    }
    CHECK(worst_erf < 1e-6);
}

TEST_CASE("compress_indices and bitmask: the lanes that hold, in order; lookup32 reads the table")
{
    alignas(64) float lanes[simd::width];
    for (std::size_t k = 0; k < simd::width; ++k) lanes[k] = (k * 7) % 3 == 0 ? 1.0f : 0.0f;
    const auto m = simd::load<simd::batch>(lanes) != simd::batch(0.0f);
    std::vector<std::uint32_t> out(2 * simd::width);
    const std::size_t n = simd::compress_indices(m, 100, out.data());
    std::vector<std::uint32_t> want;
    std::uint64_t bits = 0;
    for (std::size_t k = 0; k < simd::width; ++k)
        if (lanes[k] != 0.0f) {
            want.push_back(static_cast<std::uint32_t>(100 + k));
            bits |= std::uint64_t{1} << k;
        }
    CHECK(std::vector<std::uint32_t>(out.begin(), out.begin() + std::ptrdiff_t(n)) == want);
    CHECK(simd::bitmask(m) == bits);
    float table[32];
    for (int k = 0; k < 32; ++k) table[k] = float(k * k) + 0.5f;
    alignas(64) std::int32_t idx[simd::width];
    for (std::size_t k = 0; k < simd::width; ++k) idx[k] = static_cast<std::int32_t>((k * 13 + 5) % 32);
    alignas(64) float got[simd::width];
    simd::store(got, simd::lookup32(table, simd::int_batch::load_aligned(idx)));
    for (std::size_t k = 0; k < simd::width; ++k) CHECK(got[k] == simd::lookup32(table, idx[k]));
}

} // TEST_SUITE
