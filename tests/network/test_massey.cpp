// SPDX-License-Identifier: MIT
// The network of Massey et al. 2026: its four connectivity masks (densities
// within binomial bounds, no self-connections, no I -> E reverse of an
// E -> I synapse), equal initial weights, the same spikes for the same seed
// (and on another thread), a committed behaviour checksum, and a sleep
// phase with the input off and the early stop.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include <somnus/network/massey.hpp>
#include <somnus/sleep/recipes.hpp>

using namespace somnus;

namespace {

massey_config seeded(std::uint64_t seed)
{
    massey_config c;
    c.seed = seed;
    return c;
}

std::vector<std::uint8_t> test_image(std::size_t k)
{
    random_stream rng(11, k);
    std::vector<std::uint8_t> image(225, 0);
    for (std::size_t r = 3; r < 12; ++r)
        for (std::size_t c = 4; c < 11; ++c)
            if (rng.uniform() < 0.5) image[r * 15 + c] = static_cast<std::uint8_t>(100 + rng.below(156));
    return image;
}

/// Trains on `images` images (1 000 steps each) and returns an FNV-1a hash
/// of every spike (step, population, neuron).
std::uint64_t run(massey_network<>& net, std::size_t images, std::uint64_t first = 0)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const auto mix = [&](std::uint64_t x) {
        for (int b = 0; b < 8; ++b) {
            h ^= (x >> (8 * b)) & 0xff;
            h *= 0x100000001b3ULL;
        }
    };
    std::vector<float> rates(225);
    poisson_encoder enc(225, 1.0f);
    for (std::size_t k = first; k < first + images; ++k) {
        massey_input_rates(net.config(), test_image(k), rates);
        random_stream rng(net.config().seed, stream_purpose::input_spikes, 1, k);
        enc.begin(rates, 1000, rng);
        net.train(enc, 1000, k);
        mix(k);
        for (const auto c : net.exc_population().counts) mix(c);
        for (const auto c : net.inh_population().counts) mix(c);
    }
    return h;
}

std::size_t count(const std::vector<std::uint8_t>& m)
{
    std::size_t n = 0;
    for (const auto x : m) n += x;
    return n;
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("massey_network: masks have their densities, no self-connections and no reverse inhibition")
{
    massey_config cfg;
    cfg.seed = 4;
    const auto m = massey_network<>::draw_masks(cfg);
    // Within 5 binomial standard deviations of p n.
    const auto near = [](std::size_t k, std::size_t n, double p) { return std::abs(double(k) - p * n) <= 5.0 * std::sqrt(n * p * (1 - p)); };
    CHECK(near(count(m[0]), 225 * 200, 0.10));
    CHECK(near(count(m[1]), 200 * 200, 0.15 * 199.0 / 200.0));
    CHECK(near(count(m[2]), 200 * 50, 0.20));
    // I -> E keeps 0.25 of the pairs whose reverse E -> I is absent (0.8 of them).
    CHECK(near(count(m[3]), 50 * 200, 0.25 * 0.8));
    for (std::size_t i = 0; i < 200; ++i) CHECK(m[1][i * 200 + i] == 0);
    for (std::size_t i = 0; i < 200; ++i)
        for (std::size_t j = 0; j < 50; ++j)
            if (m[2][i * 50 + j] != 0) REQUIRE(m[3][j * 200 + i] == 0);
    cfg.no_reciprocal_inhibition = false;
    const auto all = massey_network<>::draw_masks(cfg);
    CHECK(count(all[3]) > count(m[3]));
    CHECK(all[0] == m[0]);  // the same draws, only the rule applied or not

    massey_config c4;
    c4.seed = 4;
    const auto net = make_massey(c4);
    CHECK(net.input_to_exc().size() == count(m[0]));
    CHECK(net.inh_to_exc().size() == count(m[3]));
    for (const float w : net.input_to_exc().weights()) REQUIRE(w == 0.15f);
    for (const float w : net.exc_to_exc().weights()) REQUIRE(w == 0.3f);
    for (const float w : net.exc_to_inh().weights()) REQUIRE(w == 0.6f);
    for (const float w : net.inh_to_exc().weights()) REQUIRE(w == -0.5f);
}

TEST_CASE("massey_network: the same seed gives the same spikes, on any thread")
{
    auto a = make_massey(seeded(9));
    auto b = make_massey(seeded(9));
    auto c = b.clone();
    std::uint64_t on_thread = 0;
    std::thread t([&] { on_thread = run(c, 3); });
    const auto here = run(a, 3);
    t.join();
    CHECK(here == run(b, 3, 0));
    CHECK(here == on_thread);
    auto d = make_massey(seeded(10));
    CHECK(run(d, 3) != here);
}

TEST_CASE("massey_network: behaviour checksum of a seeded run (changes only with the model)")
{
    auto net = make_massey(seeded(1));
    const auto h = run(net, 2);
    CHECK(h == 15809863474050972972ULL);
}

TEST_CASE("massey_network: noise off makes the response independent of the noise stream")
{
    auto a = make_massey(seeded(2));
    auto b = a.clone();
    a.set_noise(false);
    b.set_noise(false);
    std::vector<float> rates(225);
    poisson_encoder e1(225, 1.0f), e2(225, 1.0f);
    massey_input_rates(a.config(), test_image(0), rates);
    random_stream r1(5), r2(5);
    e1.begin(rates, 1000, r1);
    e2.begin(rates, 1000, r2);
    const auto p = a.respond(e1, 1000, 1);
    const auto q = b.respond(e2, 1000, 2);
    CHECK(p.spikes == q.spikes);
    CHECK(a.exc_population().state.v == b.exc_population().state.v);
}

TEST_CASE("massey_network: their sleep runs with the input off and stops at the start-of-training totals")
{
    auto net = make_massey(seeded(3));
    const double e0 = net.excitatory_total(), i0 = net.inhibitory_total();
    run(net, 3);
    CHECK(net.excitatory_total() != e0);
    // Without the stop, the full length; the totals fall toward the baseline.
    auto free = recipes::massey_2026(-1.0, -1.0);
    auto copy = net.clone();
    const auto rep = copy.sleep(free, 2000.0);
    CHECK(rep.steps == 2000);
    CHECK(rep.input_spikes == 0);
    CHECK(rep.excitatory_spikes > 0);  // the noise drives the network
    // The stop: with the current totals as the baseline, it ends before the first step.
    auto at_once = recipes::massey_2026(net.excitatory_total(), net.inhibitory_total());
    const auto none = net.clone().sleep(at_once, 2000.0);
    CHECK(none.steps == 0);
    (void)i0;
}

} // TEST_SUITE
