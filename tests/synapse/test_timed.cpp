// SPDX-License-Identifier: MIT
// timed_synapses: storage by presynaptic neuron with an index by
// postsynaptic neuron, transmission, one update per synapse per step when
// either side fired, the inhibitory mirror, clipping one step late, and
// checkpoints that refuse another connectivity.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include <somnus/plasticity/last_spike_timing.hpp>
#include <somnus/synapse/timed.hpp>

#include "../io/scratch.hpp"

using namespace somnus;

namespace {
// 3 presynaptic x 2 postsynaptic: (0,0), (0,1), (1,1), (2,0).
const std::vector<std::uint8_t> mask{1, 1, 0, 1, 1, 0};

timed_synapses<last_spike_timing> make(synapse_sign sign, float w0, weight_bounds b)
{
    return {"test", 3, 2, mask, w0, b, sign, last_spike_timing{}, 1.0f};
}
} // namespace

TEST_SUITE("synapse") {

TEST_CASE("timed_synapses: layout, dense view and transmission")
{
    auto s = make(synapse_sign::excitatory, 0.5f, {0.01f, 25.0f});
    CHECK(s.size() == 4);
    CHECK(std::vector<std::int32_t>(s.targets(0).begin(), s.targets(0).end()) == std::vector<std::int32_t>{0, 1});
    CHECK(std::vector<std::int32_t>(s.sources(0).begin(), s.sources(0).end()) == std::vector<std::int32_t>{0, 2});
    CHECK(std::vector<std::int32_t>(s.sources(1).begin(), s.sources(1).end()) == std::vector<std::int32_t>{0, 1});
    const auto d = s.dense();
    CHECK(d == std::vector<float>{0.5f, 0.5f, 0.0f, 0.5f, 0.5f, 0.0f});
    float target[2] = {0.0f, 0.0f};
    const std::uint32_t pre[] = {0, 2};
    s.propagate(pre, target);
    CHECK(target[0] == 1.0f);
    CHECK(target[1] == 0.5f);
    CHECK(s.total_magnitude() == doctest::Approx(2.0));
}

TEST_CASE("timed_synapses: each synapse with a spiking side changes once, from the times since each side fired")
{
    auto s = make(synapse_sign::excitatory, 0.5f, {0.01f, 25.0f});
    const float eta = 8.0e-4f;
    // Last step presynaptic neuron 0 and postsynaptic neuron 1 fired. Ages
    // after this step: pre {1, 4, 9}, post {6, 1}.
    const std::uint32_t pre_prev[] = {0};
    const std::int32_t pre_fired[] = {1, 0, 0};
    const std::uint32_t post_prev[] = {1};
    const std::int32_t age_pre[] = {1, 4, 9}, age_post[] = {6, 1};
    s.learn(pre_prev, pre_fired, post_prev, age_pre, age_post);
    const auto d = s.dense();
    // (0,0): lag 6 - 1 = 5 >= 0: + eta e^-0.5. (0,1): lag 0: + eta, once
    // although both sides fired. (1,1): lag 1 - 4 = -3: - eta e^-0.4.
    // (2,0): neither side fired: unchanged.
    CHECK(d[0] == doctest::Approx(0.5 + eta * std::exp(-0.5)).epsilon(1e-7));
    CHECK(d[1] == doctest::Approx(0.5 + eta).epsilon(1e-7));
    CHECK(d[3] == doctest::Approx(0.5 - eta * std::exp(-0.4)).epsilon(1e-7));
    CHECK(d[4] == 0.5f);
}

TEST_CASE("timed_synapses: synapses from inhibitory neurons change by the mirror image")
{
    auto s = make(synapse_sign::inhibitory, -0.5f, {-25.0f, -0.01f});
    const std::uint32_t pre_prev[] = {0};
    const std::int32_t pre_fired[] = {1, 0, 0};
    const std::int32_t age_pre[] = {1, 4, 9}, age_post[] = {6, 1};
    s.learn(pre_prev, pre_fired, {}, age_pre, age_post);
    // lag 5 >= 0 makes the weight more negative.
    CHECK(s.dense()[0] == doctest::Approx(-0.5 - 8.0e-4 * std::exp(-0.5)).epsilon(1e-7));
}

TEST_CASE("timed_synapses: a weight pushed past a bound is clipped at the next clip, as their code does")
{
    auto s = make(synapse_sign::excitatory, 0.01f, {0.01f, 25.0f});
    const std::uint32_t pre_prev[] = {1};
    const std::int32_t pre_fired[] = {0, 1, 0};
    const std::int32_t age_pre[] = {9, 4, 9}, age_post[] = {6, 1};
    s.learn(pre_prev, pre_fired, {}, age_pre, age_post);  // (1,1) depressed below 0.01
    CHECK(s.dense()[3] < 0.01f);
    float target[2] = {0.0f, 0.0f};
    const std::uint32_t spikes[] = {1};
    s.propagate(spikes, target);  // transmitted unclipped
    CHECK(target[1] < 0.01f);
    s.clip();
    CHECK(s.dense()[3] == 0.01f);
}

TEST_CASE("timed_synapses: the SIMD walks give the scalar reference's bits")
{
    // 40 x 37 with density 0.4, awkward row lengths; random ages and spikes over 300 steps.
    random_stream rng(3);
    std::vector<std::uint8_t> m(40 * 37);
    for (auto& x : m) x = rng.uniform() < 0.4 ? 1 : 0;
    for (const auto sign : {synapse_sign::excitatory, synapse_sign::inhibitory}) {
        const weight_bounds b = sign == synapse_sign::excitatory ? weight_bounds{0.01f, 0.6f} : weight_bounds{-0.6f, -0.01f};
        const float w0 = sign == synapse_sign::excitatory ? 0.3f : -0.3f;
        timed_synapses<last_spike_timing> a("a", 40, 37, m, w0, b, sign, last_spike_timing{}, 1.0f), v = a;
        std::vector<std::int32_t> age_pre(40), age_post(37), fired(40);
        for (int step = 0; step < 300; ++step) {
            std::vector<std::uint32_t> pre, post;
            std::fill(fired.begin(), fired.end(), 0);
            for (std::uint32_t i = 0; i < 40; ++i)
                if (rng.uniform() < 0.2) {
                    pre.push_back(i);
                    fired[i] = 1;
                }
            for (std::uint32_t j = 0; j < 37; ++j)
                if (rng.uniform() < 0.2) post.push_back(j);
            for (auto& x : age_pre) x = std::int32_t(rng.below(step % 7 == 0 ? 20000 : 60));
            for (auto& x : age_post) x = std::int32_t(rng.below(60));
            a.clip();
            v.clip();
            a.learn<float>(pre, fired, post, age_pre, age_post);
            v.learn<simd::batch>(pre, fired, post, age_pre, age_post);
            REQUIRE(a.dense() == v.dense());
        }
    }
}

TEST_CASE("timed_synapses: lags beyond the table follow the rule")
{
    const auto s = make(synapse_sign::excitatory, 0.5f, {0.01f, 25.0f});
    CHECK(s.change(100000) == 0.0f);
    CHECK(s.change(-100000) == 0.0f);
    CHECK(s.change(20) == doctest::Approx(8.0e-4 * std::exp(-2.0)).epsilon(1e-6));
}

TEST_CASE("timed_synapses: checkpoints round-trip and refuse another connectivity")
{
    somnus_test::scratch_dir dir("timed_synapses");
    auto s = make(synapse_sign::excitatory, 0.5f, {0.01f, 25.0f});
    s.weights()[2] = 3.0f;
    {
        checkpoint_writer w;
        s.save_to(w, "p.");
        w.save(dir / "a.ckpt");
    }
    auto t = make(synapse_sign::excitatory, 0.5f, {0.01f, 25.0f});
    t.load_from(checkpoint_reader(dir / "a.ckpt"), "p.");
    CHECK(t.dense() == s.dense());
    const std::vector<std::uint8_t> other{1, 0, 0, 1, 1, 0};
    timed_synapses<last_spike_timing> u("other", 3, 2, other, 0.5f, {0.01f, 25.0f}, synapse_sign::excitatory, {}, 1.0f);
    CHECK_THROWS_WITH_AS(u.load_from(checkpoint_reader(dir / "a.ckpt"), "p."), doctest::Contains("connects other neurons"), data_error);
}

TEST_CASE("timed_synapses: bad construction is refused by name")
{
    CHECK_THROWS_WITH_AS(make(synapse_sign::excitatory, 30.0f, {0.01f, 25.0f}), doctest::Contains("initial weight"), config_error);
    CHECK_THROWS_AS((timed_synapses<last_spike_timing>("x", 3, 2, std::vector<std::uint8_t>(5, 1), 0.5f, {0.0f, 1.0f},
                                                       synapse_sign::excitatory, {}, 1.0f)),
                    config_error);
}

} // TEST_SUITE
