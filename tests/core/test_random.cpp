// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include <somnus/core/random.hpp>

using namespace somnus;

TEST_SUITE("core") {

TEST_CASE("random_stream: fixed output for a fixed key (a change here changes every experiment)")
{
    random_stream a(42, stream_purpose::input_spikes, 7);
    random_stream b(42, stream_purpose::input_spikes, 7);
    for (int k = 0; k < 1000; ++k) REQUIRE(a() == b());
    CHECK(random_stream(42, 1)() != random_stream(42, 2)());
    CHECK(random_stream(42, 1)() != random_stream(43, 1)());
    CHECK(random_stream(42, 1, 2)() != random_stream(42, 2, 1)());
}

TEST_CASE("random_stream: streams keyed by work item give the same numbers on any number of threads")
{
    auto work = [](std::size_t item) {
        random_stream r(9, stream_purpose::user, item);
        double s = 0.0;
        for (int k = 0; k < 1000; ++k) s += r.uniform();
        return s;
    };
    std::vector<double> serial(64), threaded(64);
    for (std::size_t i = 0; i < 64; ++i) serial[i] = work(i);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < 4; ++t)
        pool.emplace_back([&, t] {
            for (std::size_t i = t; i < 64; i += 4) threaded[i] = work(i);
        });
    for (auto& th : pool) th.join();
    CHECK(serial == threaded);
}

TEST_CASE("random_stream: distributions have the right moments")
{
    random_stream r(1);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0, se = 0;
    std::vector<int> bins(7, 0);
    for (int k = 0; k < n; ++k) {
        const double u = r.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        su += u;
        su2 += u * u;
        const double z = r.normal();
        sn += z;
        sn2 += z * z;
        se += r.exponential(2.0);
        ++bins[r.below(7)];
    }
    CHECK(su / n == doctest::Approx(0.5).epsilon(0.01));
    CHECK(su2 / n - (su / n) * (su / n) == doctest::Approx(1.0 / 12).epsilon(0.02));
    CHECK(std::abs(sn / n) < 0.01);
    CHECK(sn2 / n == doctest::Approx(1.0).epsilon(0.02));
    CHECK(se / n == doctest::Approx(2.0).epsilon(0.02));
    for (int b : bins) CHECK(b == doctest::Approx(n / 7.0).epsilon(0.03));
    CHECK(r.geometric(1.0) == 1);
    CHECK(r.geometric(0.0) == std::numeric_limits<std::uint64_t>::max());
}

}

TEST_CASE("keyed_permutation: a permutation fixed by the seed and keys")
{
    const auto a = somnus::keyed_permutation(100, 7, 1, 2);
    auto sorted = a;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == i);
    CHECK(a == somnus::keyed_permutation(100, 7, 1, 2));
    CHECK(a != somnus::keyed_permutation(100, 7, 1, 3));
    somnus::random_stream rng(7, somnus::stream_purpose::shuffle, 1, 2);
    CHECK(a == somnus::random_permutation(100, rng));
}
