// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include <somnus/encoding/poisson.hpp>
#include <somnus/encoding/replay.hpp>

using namespace somnus;

namespace {
std::vector<std::vector<std::uint32_t>> plan(poisson_encoder& enc, std::span<const float> rates, std::uint32_t steps,
                                             random_stream rng)
{
    enc.begin(rates, steps, rng);
    std::vector<std::vector<std::uint32_t>> out(steps);
    for (std::uint32_t t = 0; t < steps; ++t) enc.emit(t, out[t]);
    return out;
}
} // namespace

TEST_SUITE("encoding") {

TEST_CASE("poisson: spike counts match rate x time within a statistical bound")
{
    const std::size_t n = 1000;
    const std::uint32_t steps = 10000;  // 5 s at dt 0.5 ms
    poisson_encoder enc(n, 0.5f);
    std::vector<float> rates(n);
    for (std::size_t i = 0; i < n; ++i) rates[i] = i < 500 ? 20.0f : 63.75f;
    const auto spikes = plan(enc, rates, steps, random_stream(11, 0));
    std::vector<double> count(n, 0.0);
    std::size_t steps_with_i0 = 0;
    for (const auto& s : spikes) {
        for (std::size_t k = 1; k < s.size(); ++k) REQUIRE(s[k - 1] < s[k]);  // one spike per input per step, sorted
        for (auto i : s) count[i] += 1.0;
    }
    for (const auto& s : spikes) steps_with_i0 += !s.empty() && s.front() == 0;
    for (auto [lo, hi, rate] : {std::tuple{0, 500, 20.0}, std::tuple{500, 1000, 63.75}}) {
        double total = 0.0;
        for (int i = lo; i < hi; ++i) total += count[i];
        const double p = rate * 0.5e-3;
        const double mean = 500.0 * steps * p;
        const double sd = std::sqrt(500.0 * steps * p * (1.0 - p));
        CAPTURE(rate);
        CHECK(std::abs(total - mean) < 5.0 * sd);
    }
    CHECK(steps_with_i0 == std::size_t(count[0]));
    CHECK(enc.planned_spikes() == std::size_t(std::accumulate(count.begin(), count.end(), 0.0)));
}

TEST_CASE("poisson: inter-spike gaps are geometric (mean 1/p, variance (1-p)/p^2)")
{
    poisson_encoder enc(1, 1.0f);
    const float rate[] = {100.0f};  // p = 0.1 per 1 ms step
    const auto spikes = plan(enc, rate, 400000, random_stream(5));
    std::vector<double> gaps;
    long last = -1;
    for (std::size_t t = 0; t < spikes.size(); ++t)
        if (!spikes[t].empty()) {
            if (last >= 0) gaps.push_back(double(long(t) - last));
            last = long(t);
        }
    double m = 0.0, v = 0.0;
    for (double g : gaps) m += g;
    m /= double(gaps.size());
    for (double g : gaps) v += (g - m) * (g - m);
    v /= double(gaps.size() - 1);
    CHECK(m == doctest::Approx(10.0).epsilon(0.02));
    CHECK(v == doctest::Approx(90.0).epsilon(0.05));
}

TEST_CASE("poisson: same seed and key give identical spikes; other keys differ; zero rate is silent")
{
    poisson_encoder enc(784, 0.5f);
    std::vector<float> rates(784, 30.0f);
    rates[0] = 0.0f;
    const auto a = plan(enc, rates, 700, random_stream(1, 2, 99));
    const auto b = plan(enc, rates, 700, random_stream(1, 2, 99));
    const auto c = plan(enc, rates, 700, random_stream(1, 2, 100));
    const auto d = plan(enc, rates, 700, random_stream(2, 2, 99));
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a != d);
    for (const auto& s : a) CHECK((s.empty() || s.front() != 0));
}

TEST_CASE("poisson: rates at or above 1/dt fire every step; bad rates are rejected")
{
    poisson_encoder enc(2, 1.0f);
    const float rates[] = {1000.0f, 5000.0f};
    const auto s = plan(enc, rates, 50, random_stream(3));
    for (const auto& step : s) CHECK(step == std::vector<std::uint32_t>{0, 1});
    random_stream rng(1);
    const float bad[] = {-1.0f, 2.0f};
    CHECK_THROWS_AS(enc.begin(bad, 10, rng), config_error);
    const float nan[] = {std::nanf(""), 2.0f};
    CHECK_THROWS_AS(enc.begin(nan, 10, rng), config_error);
    const float wrong_size[] = {1.0f};
    CHECK_THROWS_AS(enc.begin(wrong_size, 10, rng), config_error);
}

TEST_CASE("replay: a recorded raster comes back step by step, in order, repeatably")
{
    replay_encoder enc(10);
    const std::vector<raster_event> raster{{5, 3}, {0, 9}, {5, 1}, {2, 4}, {9, 0}};
    enc.begin(raster);
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::vector<std::uint32_t>> got(10);
        for (std::uint32_t t = 0; t < 10; ++t) enc.emit(t, got[t]);
        CHECK(got[0] == std::vector<std::uint32_t>{9});
        CHECK(got[2] == std::vector<std::uint32_t>{4});
        CHECK(got[5] == std::vector<std::uint32_t>{1, 3});
        CHECK(got[9] == std::vector<std::uint32_t>{0});
        CHECK(got[1].empty());
    }
    const std::vector<raster_event> bad{{0, 10}};
    CHECK_THROWS_AS(enc.begin(bad), config_error);
}

}
