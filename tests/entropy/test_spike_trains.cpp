// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/entropy/spike_trains.hpp>

using namespace somnus;

namespace {

spike_trains random_trains(std::size_t n, std::size_t bins, double p, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user, n, bins);
    return spike_trains::bernoulli(n, bins, p, rng);
}

} // namespace

TEST_SUITE("entropy") {

TEST_CASE("spike_trains: bits, counts and the padding past the last bin")
{
    spike_trains t(3, 70);
    t.set(0, 0);
    t.set(0, 69);
    t.set(2, 64);
    t.set(2, 64);  // twice: one bit
    CHECK(t.words_per_train() == 2);
    CHECK(t.ones(0) == 2);
    CHECK(t.ones(1) == 0);
    CHECK(t.ones(2) == 1);
    CHECK(t.test(0, 69));
    CHECK_FALSE(t.test(0, 68));
    t.set(0, 69, false);
    CHECK(t.ones(0) == 1);
    // Nothing past bin 69 is ever set.
    CHECK((t.words(0)[1] >> 6) == 0);

    const std::vector<raster_event> ev{{0, 1}, {5, 1}, {69, 2}};
    const auto r = spike_trains::from_events(ev, 3, 70);
    CHECK(r.ones(1) == 2);
    CHECK(r.test(2, 69));
    const std::vector<raster_event> bad{{70, 0}};
    CHECK_THROWS_AS(spike_trains::from_events(bad, 3, 70), config_error);

    const auto bytes = r.unpack();
    const auto back = spike_trains::from_bytes(bytes, 3, 70);
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t b = 0; b < 70; ++b) CHECK(back.test(k, b) == r.test(k, b));
}

TEST_CASE("joint table from n11 and the marginals")
{
    spike_trains x(1, 10), y(1, 10);
    for (std::size_t b : {0, 1, 2, 3}) x.set(0, b);
    for (std::size_t b : {2, 3, 4}) y.set(0, b);
    const auto c = joint_table(x, 0, y, 0);
    CHECK(c.n11 == 2);
    CHECK(c.n10 == 2);
    CHECK(c.n01 == 1);
    CHECK(c.n00 == 5);
    CHECK(c.total() == 10);
}

TEST_CASE("popcount co-occurrence (SIMD and scalar words) equals the plain byte count exactly")
{
    // Awkward lengths: not multiples of 64 bits nor of the SIMD width in words.
    for (const std::size_t bins : {std::size_t{1}, std::size_t{63}, std::size_t{65}, std::size_t{127}, std::size_t{700},
                                   std::size_t{1001}, std::size_t{64 * 9 + 3}}) {
        for (const double p : {0.0, 0.03, 0.5, 1.0}) {
            const std::size_t nx = 13, ny = 5;
            const auto x = random_trains(nx, bins, p, 1 + bins);
            const auto y = random_trains(ny, bins, p == 0.0 ? 0.4 : p, 2 + bins);
            std::vector<std::uint64_t> simd_counts(nx * ny), word_counts(nx * ny), plain(nx * ny), threaded(nx * ny);
            cooccurrence<simd::word_batch>(x, y, simd_counts);
            cooccurrence<std::uint64_t>(x, y, word_counts);
            cooccurrence<simd::word_batch>(x, y, threaded, 3);
            cooccurrence_unpacked(x.unpack(), nx, y.unpack(), ny, bins, plain);
            CAPTURE(bins);
            CAPTURE(p);
            CHECK(simd_counts == plain);
            CHECK(word_counts == plain);
            CHECK(threaded == plain);
            for (std::size_t i = 0; i < nx; ++i)
                for (std::size_t j = 0; j < ny; ++j) CHECK(joint_table(x, i, y, j).n11 == plain[i * ny + j]);
        }
    }
}

TEST_CASE("popcount of SIMD words agrees with std::popcount lane by lane")
{
    random_stream rng(7, stream_purpose::user);
    std::vector<std::uint64_t> w(simd::width_words * 16);
    for (auto& v : w) v = rng();
    w[0] = 0;
    w[1] = ~std::uint64_t{0};
    std::vector<std::uint64_t> out(w.size());
    for (std::size_t i = 0; i < w.size(); i += simd::width_words)
        simd::store_words(out.data() + i, simd::popcount_words(simd::load_words<simd::word_batch>(w.data() + i)));
    for (std::size_t i = 0; i < w.size(); ++i) {
        CHECK(out[i] == static_cast<std::uint64_t>(std::popcount(w[i])));
        CHECK(simd::popcount_words(w[i]) == static_cast<std::uint64_t>(std::popcount(w[i])));
    }
}

TEST_CASE("784 inputs x N outputs: popcount path equals the plain path")
{
    const std::size_t bins = 700;  // 350 ms at dt 0.5 ms
    const auto x = random_trains(784, bins, 0.02, 11), y = random_trains(10, bins, 0.05, 12);
    std::vector<std::uint64_t> fast(784 * 10), plain(784 * 10);
    cooccurrence(x, y, fast, 2);
    cooccurrence_unpacked(x.unpack(), 784, y.unpack(), 10, bins, plain);
    CHECK(fast == plain);
}

TEST_CASE("empty sets and zero-length trains")
{
    spike_trains none(0, 100), zero_len(4, 0);
    std::vector<std::uint64_t> out;
    cooccurrence(none, none, out);
    CHECK(out.empty());
    std::vector<std::uint64_t> z(16, 99);
    cooccurrence(zero_len, zero_len, z);
    for (auto v : z) CHECK(v == 0);
    CHECK(zero_len.ones(0) == 0);
    const auto c = joint_table(zero_len, 0, zero_len, 1);
    CHECK(c.total() == 0);
}

}
