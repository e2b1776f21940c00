// SPDX-License-Identifier: MIT
// sparse_synapses (synapse/sparse.hpp): the drawn connectivity and its three
// views (mask, index lists, zeros in the weights), deliveries by hand,
// learning against a plain-loop reference, shared traces, equality with
// dense_synapses at full connectivity, and checkpoints.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/plasticity/diehl_cook_triplet.hpp>
#include <somnus/plasticity/none.hpp>
#include <somnus/plasticity/pair_stdp.hpp>
#include <somnus/synapse/dense.hpp>
#include <somnus/synapse/sparse.hpp>

#include "../io/scratch.hpp"

using namespace somnus;
using somnus_test::scratch_dir;

// Every member that is not itself a template compiles for these rules.
template class somnus::sparse_synapses<somnus::diehl_cook_triplet>;
template class somnus::sparse_synapses<somnus::pair_stdp_nearest>;
template class somnus::sparse_synapses<somnus::no_plasticity>;

namespace {

constexpr float dt = 0.5f;
using triplet_sparse = sparse_synapses<diehl_cook_triplet>;

triplet_sparse make(std::size_t n_pre, std::size_t n_post, float p, bool self, std::uint64_t seed, diehl_cook_triplet rule = {})
{
    return triplet_sparse(n_pre, n_post, rule, dt, weight_bounds{}, sparse_connectivity{p, self, seed});
}

/// Each neuron of n spikes with probability p, in increasing order.
std::vector<std::uint32_t> random_spikes(std::size_t n, double p, random_stream& rng)
{
    std::vector<std::uint32_t> s;
    for (std::uint32_t i = 0; i < n; ++i)
        if (rng.bernoulli(p)) s.push_back(i);
    return s;
}

/// A [trace][neuron] matrix's values, in order.
std::vector<float> flat(const matrix_f& m) { return {m.data(), m.data() + m.size()}; }
std::vector<float> trace_row(const matrix_f& m, std::size_t k) { return {m.data() + k * m.shape()[1], m.data() + (k + 1) * m.shape()[1]}; }
bool all_zero(const matrix_f& m) { return std::all_of(m.data(), m.data() + m.size(), [](float x) { return x == 0.0f; }); }

/// A rule that learns fast, so clipping at both bounds happens often.
diehl_cook_triplet fast_triplet()
{
    diehl_cook_triplet r;
    r.p.nu_pre = 0.25f;
    r.p.nu_post = 0.3f;
    return r;
}

/// The connectivity's three views agree, and the lists are increasing.
template <class S>
void check_consistent(const S& s)
{
    const std::size_t np = s.n_pre(), nq = s.n_post();
    const auto mask = s.connected();
    REQUIRE(mask.size() == np * nq);
    std::size_t count = 0;
    for (std::size_t i = 0; i < np; ++i) {
        std::vector<std::uint32_t> expect;
        for (std::uint32_t j = 0; j < nq; ++j)
            if (mask[i * nq + j] != 0) expect.push_back(j);
        const auto t = s.targets(i);
        CHECK(std::vector<std::uint32_t>(t.begin(), t.end()) == expect);
        count += expect.size();
    }
    for (std::size_t j = 0; j < nq; ++j) {
        std::vector<std::uint32_t> expect;
        for (std::uint32_t i = 0; i < np; ++i)
            if (mask[i * nq + j] != 0) expect.push_back(i);
        const auto src = s.sources(j);
        CHECK(std::vector<std::uint32_t>(src.begin(), src.end()) == expect);
    }
    CHECK(s.n_synapses() == count);
    for (std::size_t k = 0; k < np * nq; ++k)
        if (mask[k] == 0) REQUIRE(s.weights().data()[k] == 0.0f);
}

/// Plain loops over every pair, skipping those with no synapse, with the
/// trace arithmetic written out: the reference for diehl_cook_triplet.
struct triplet_reference {
    std::size_t np, nq;
    std::vector<std::uint8_t> mask;
    diehl_cook_triplet rule;
    weight_bounds b;
    std::vector<float> w, pre, post1, post2;
    std::vector<std::uint8_t> changed;
    float f_pre, f_post1, f_post2, floor = 1.0e-6f;

    triplet_reference(const triplet_sparse& s)
        : np(s.n_pre()), nq(s.n_post()), mask(s.connected().begin(), s.connected().end()), rule(s.rule()), b(s.bounds()),
          w(s.weights().begin(), s.weights().end()), pre(np, 0.0f), post1(nq, 0.0f), post2(nq, 0.0f), changed(nq, 1),
          f_pre(float(std::exp(-double(dt) / double(rule.p.tau_pre_ms)))),
          f_post1(float(std::exp(-double(dt) / double(rule.p.tau_post1_ms)))),
          f_post2(float(std::exp(-double(dt) / double(rule.p.tau_post2_ms))))
    {
    }

    float clip(float x) const { return std::min(std::max(x, b.w_min), b.w_max); }
    static void decay(std::vector<float>& x, float f, float floor)
    {
        for (auto& v : x) {
            const float y = v * f;
            v = std::fabs(y) < floor ? 0.0f : y;
        }
    }
    void decay()
    {
        decay(pre, f_pre, floor);
        decay(post1, f_post1, floor);
        decay(post2, f_post2, floor);
    }
    void pre_step(const std::vector<std::uint32_t>& spikes, std::vector<float>& target, float scale, bool learn)
    {
        for (const auto i : spikes) {
            for (std::size_t j = 0; j < nq; ++j) {
                if (mask[i * nq + j] == 0) continue;
                float& x = w[i * nq + j];
                target[j] += x * scale;
                if (!learn) continue;
                const float next = clip(x + -rule.p.nu_pre * post1[j]);
                if (next != x) changed[j] = 1;
                x = next;
            }
            if (learn) pre[i] = 1.0f;
        }
    }
    void post_step(const std::vector<std::uint32_t>& spikes)
    {
        for (const auto j : spikes) {
            for (std::size_t i = 0; i < np; ++i) {
                if (mask[i * nq + j] == 0) continue;
                float& x = w[i * nq + j];
                const float next = clip(x + rule.p.nu_post * pre[i] * post2[j]);
                if (next != x) changed[j] = 1;
                x = next;
            }
            post1[j] = 1.0f;
            post2[j] = 1.0f;
        }
    }
};

template <class A, class B>
void check_same_state(A& a, B& b)
{
    CHECK(a.weights_untracked() == b.weights_untracked());
    CHECK(a.pre_traces() == b.pre_traces());
    CHECK(a.post_traces() == b.post_traces());
    const auto ca = a.changed_columns(), cb = b.changed_columns();
    CHECK(std::vector<std::uint8_t>(ca.begin(), ca.end()) == std::vector<std::uint8_t>(cb.begin(), cb.end()));
}

/// Overwrites element k of section `name` (f32 or u64) and re-seals the
/// checksum, so only the value checks can catch it.
template <class T>
void forge(const std::filesystem::path& p, const std::string& name, std::size_t k, T value)
{
    auto b = somnus_test::read_bytes(p);
    std::string key = std::string(1, char(name.size())) + std::string(1, '\0') + name;
    const auto it = std::search(b.begin(), b.end(), key.begin(), key.end());
    REQUIRE(it != b.end());
    std::size_t at = static_cast<std::size_t>(it - b.begin()) + key.size();
    REQUIRE(b[at] == (sizeof(T) == 4 ? 0 : 1));
    const std::size_t rank = b[at + 1];
    at += 2 + 8 * rank + sizeof(T) * k;
    std::memcpy(b.data() + at, &value, sizeof(T));
    const std::uint32_t crc = detail::crc32(std::span<const std::uint8_t>(b.data(), b.size() - 4));
    std::memcpy(b.data() + b.size() - 4, &crc, 4);
    somnus_test::write_bytes(p, b);
}

} // namespace

TEST_SUITE("synapse") {

TEST_CASE("sparse connectivity: no self connections, consistent views, binomial counts, seeded")
{
    for (const float p : {0.0f, 0.02f, 0.1f, 0.5f, 0.9f, 1.0f}) {
        CAPTURE(p);
        auto s = make(200, 200, p, false, 11);
        random_stream rng(5, stream_purpose::init_weights);
        s.initialise_uniform(0.1f, 0.9f, rng);
        check_consistent(s);
        for (std::size_t i = 0; i < 200; ++i) CHECK(s.connected()[i * 200 + i] == 0);
        // Existing synapses got a weight from [0.1, 0.9]; the others stayed 0.
        for (std::size_t k = 0; k < s.connected().size(); ++k)
            if (s.connected()[k] != 0) REQUIRE(s.weights().data()[k] >= 0.1f);
        const double pairs = 200.0 * 199.0;
        const double mean = pairs * p, sigma = std::sqrt(pairs * p * (1.0 - p));
        CHECK(std::abs(double(s.n_synapses()) - mean) <= 5.0 * sigma);
        if (p == 1.0f) CHECK(s.n_synapses() == 200 * 199);
        if (p == 0.0f) CHECK(s.n_synapses() == 0);
    }

    // Between two populations, with self connections allowed (the diagonal is an ordinary pair).
    auto r = make(150, 80, 0.3f, true, 4);
    check_consistent(r);
    const double pairs = 150.0 * 80.0;
    CHECK(std::abs(double(r.n_synapses()) - pairs * 0.3) <= 5.0 * std::sqrt(pairs * 0.3 * 0.7));

    const auto a = make(100, 100, 0.1f, false, 7), b = make(100, 100, 0.1f, false, 7), c = make(100, 100, 0.1f, false, 8);
    CHECK(std::ranges::equal(a.connected(), b.connected()));
    CHECK(!std::ranges::equal(a.connected(), c.connected()));
    // Allowing self connections adds diagonal synapses and changes nothing else.
    const auto d = make(100, 100, 0.1f, true, 7);
    std::size_t diagonal = 0;
    for (std::size_t i = 0; i < 100; ++i)
        for (std::size_t j = 0; j < 100; ++j) {
            if (i != j) CHECK(d.connected()[i * 100 + j] == a.connected()[i * 100 + j]);
            else diagonal += d.connected()[i * 100 + j];
        }
    CHECK(d.n_synapses() == a.n_synapses() + diagonal);
    CHECK(diagonal > 0);
}

TEST_CASE("sparse connectivity: bad settings are refused, naming the value")
{
    const auto refused = [](std::size_t np, std::size_t nq, sparse_connectivity c, const char* message, weight_bounds b = {},
                            float step = dt) {
        CAPTURE(message);
        CHECK_THROWS_WITH_AS(triplet_sparse(np, nq, {}, step, b, c), doctest::Contains(message), config_error);
    };
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    refused(10, 10, {-0.1f, false, 0}, "probability must be in [0, 1], got -0.1");
    refused(10, 10, {1.5f, false, 0}, "got 1.5");
    refused(10, 10, {nan, false, 0}, "got nan");
    refused(10, 10, {inf, false, 0}, "got inf");
    refused(10, 12, {0.1f, false, 0}, "self_connections = false needs n_pre == n_post");
    refused(10, 10, {0.1f, false, 0}, "w_min <= w_max, got [1, 0]", weight_bounds{1.0f, 0.0f});
    refused(10, 10, {0.1f, false, 0}, "finite", weight_bounds{0.0f, inf});
    refused(10, 10, {0.1f, false, 0}, "dt_ms must be positive, got 0", {}, 0.0f);
    CHECK_NOTHROW(triplet_sparse(10, 12, {}, dt, {}, {0.1f, true, 0}));

    auto s = make(10, 10, 0.5f, false, 1);
    random_stream rng(1);
    CHECK_THROWS_WITH_AS(s.initialise_uniform(0.5f, 1.5f, rng), doctest::Contains("outside the bounds [0, 1]"), config_error);
    CHECK_THROWS_WITH_AS(s.initialise_uniform(0.6f, 0.4f, rng), doctest::Contains("lo <= hi"), config_error);
    trace_set<2> wrong(9, diehl_cook_triplet{}.post_traces(), dt);
    float target[10] = {};
    const std::uint32_t spike[] = {0};
    CHECK_THROWS_WITH_AS(s.presynaptic_step(spike, target, 1.0f, true, wrong), doctest::Contains("do not match"), config_error);
}

TEST_CASE("sparse synapses: deliveries and learning by hand on three neurons")
{
    // Seed 10 at p = 0.5 draws the synapses 0->2, 1->0, 2->0 and 2->1 (a
    // change in the draws shows here first).
    auto s = make(3, 3, 0.5f, false, 10);
    const std::vector<std::uint8_t> expected_mask = {0, 0, 1, 1, 0, 0, 1, 1, 0};
    REQUIRE(std::ranges::equal(s.connected(), expected_mask));
    CHECK(std::ranges::equal(s.targets(2), std::vector<std::uint32_t>{0, 1}));
    CHECK(std::ranges::equal(s.sources(0), std::vector<std::uint32_t>{1, 2}));
    s.weights()(0, 2) = 0.3f;
    s.weights()(1, 0) = 0.2f;
    s.weights()(2, 0) = 0.5f;
    s.weights()(2, 1) = 0.7f;

    std::vector<float> target(3, 1.0f);
    const std::uint32_t spikes_02[] = {0, 2};
    s.presynaptic_step(spikes_02, target.data(), 0.5f, false);
    CHECK(target[0] == 1.0f + 0.5f * 0.5f);
    CHECK(target[1] == 1.0f + 0.7f * 0.5f);
    CHECK(target[2] == 1.0f + 0.3f * 0.5f);
    CHECK(s.pre_traces()(0, 0) == 0.0f);  // no learning, no bump

    std::ranges::fill(s.changed_columns(), std::uint8_t{0});
    const std::uint32_t n0[] = {0}, n1[] = {1}, n2[] = {2};
    // 0 fires: its post traces become 1; on_post saw post2 = 0, so nothing changes.
    s.postsynaptic_step(n0);
    CHECK(s.post_traces()(0, 0) == 1.0f);
    CHECK(s.post_traces()(1, 0) == 1.0f);
    CHECK(s.weights_untracked()(2, 0) == 0.5f);
    // 2 fires: delivers its weights before learning, then depresses 2->0 by nu_pre * post1[0].
    std::ranges::fill(target, 0.0f);
    s.presynaptic_step(n2, target.data(), 1.0f, true);
    CHECK(target == std::vector<float>{0.5f, 0.7f, 0.0f});
    const float w20 = 0.5f + -0.0001f * 1.0f;
    CHECK(s.weights_untracked()(2, 0) == w20);
    CHECK(s.weights_untracked()(2, 1) == 0.7f);  // 1 has no trace yet
    CHECK(s.pre_traces()(0, 2) == 1.0f);
    // 1 fires: 2->1 sees post2[1] = 0 before the bump.
    s.postsynaptic_step(n1);
    CHECK(s.weights_untracked()(2, 1) == 0.7f);
    // 0 fires again: 2->0 potentiated by nu_post * pre[2] * post2[0]; 1->0 has no pre trace.
    s.postsynaptic_step(n0);
    CHECK(s.weights_untracked()(2, 0) == w20 + 0.01f * 1.0f * 1.0f);
    CHECK(s.weights_untracked()(1, 0) == 0.2f);
    CHECK(std::ranges::equal(s.changed_columns(), std::vector<std::uint8_t>{1, 0, 0}));
    // Nothing was written where no synapse exists.
    for (std::size_t k = 0; k < 9; ++k)
        if (expected_mask[k] == 0) CHECK(s.weights_untracked().data()[k] == 0.0f);
}

TEST_CASE("sparse synapses: learning equals a plain-loop reference bit for bit")
{
    struct shape {
        std::size_t np, nq;
        float p;
        bool self;
    };
    for (const shape sh : {shape{30, 30, 0.2f, false}, shape{25, 41, 0.35f, true}, shape{17, 17, 1.0f, false}}) {
        CAPTURE(sh.np);
        CAPTURE(sh.nq);
        auto s = make(sh.np, sh.nq, sh.p, sh.self, 21, fast_triplet());
        random_stream init(3, stream_purpose::init_weights);
        s.initialise_uniform(0.0f, 1.0f, init);
        triplet_reference ref(s);
        random_stream rng(17, sh.np, sh.nq);
        std::vector<float> target(sh.nq, 0.0f), ref_target(sh.nq, 0.0f);
        for (int step = 0; step < 400; ++step) {
            s.decay_traces();
            ref.decay();
            const auto pre = random_spikes(sh.np, 0.08, rng), post = random_spikes(sh.nq, 0.08, rng);
            const bool learn = step % 37 != 5;
            s.presynaptic_step(pre, target.data(), 0.75f, learn);
            ref.pre_step(pre, ref_target, 0.75f, learn);
            if (learn) {
                s.postsynaptic_step(post);
                ref.post_step(post);
            }
            if (step % 50 == 49) {
                std::ranges::fill(s.changed_columns(), std::uint8_t{0});
                std::ranges::fill(ref.changed, std::uint8_t{0});
            }
        }
        CHECK(target == ref_target);
        CHECK(flat(s.weights_untracked()) == ref.w);
        CHECK(trace_row(s.pre_traces(), 0) == ref.pre);
        CHECK(trace_row(s.post_traces(), 0) == ref.post1);
        CHECK(trace_row(s.post_traces(), 1) == ref.post2);
        CHECK(std::ranges::equal(s.changed_columns(), ref.changed));
        // Clipping was exercised at both bounds, and unconnected pairs stayed 0.
        std::size_t at_min = 0, at_max = 0;
        for (std::size_t k = 0; k < ref.w.size(); ++k) {
            if (ref.mask[k] == 0) CHECK(ref.w[k] == 0.0f);
            else {
                at_min += ref.w[k] == 0.0f;
                at_max += ref.w[k] == 1.0f;
            }
        }
        CAPTURE(at_min);
        CAPTURE(at_max);
        CHECK(at_min > 0);
        CHECK(at_max > 0);
    }
}

TEST_CASE("sparse synapses: learning from shared traces equals learning from own ones")
{
    const diehl_cook_triplet rule = fast_triplet();
    // Two projections onto the same 40 neurons share one trace_set, which the
    // test decays and bumps as a population would; each has an own-trace twin.
    auto own_a = make(40, 40, 0.15f, false, 1, rule), own_b = make(40, 40, 0.3f, false, 2, rule);
    random_stream init(9, stream_purpose::init_weights);
    own_a.initialise_uniform(0.2f, 0.8f, init);
    own_b.initialise_uniform(0.2f, 0.8f, init);
    auto shared_a = own_a, shared_b = own_b;
    triplet_sparse::post_traces_type traces(40, rule.post_traces(), dt);
    random_stream rng(23);
    std::vector<float> t_own(40, 0.0f), t_shared(40, 0.0f);
    for (int step = 0; step < 300; ++step) {
        if (step % 100 == 99) {
            own_a.decay_traces(7.5);
            own_b.decay_traces(7.5);
            shared_a.decay_pre_traces(7.5);
            shared_b.decay_pre_traces(7.5);
            traces.decay(7.5);
        } else {
            own_a.decay_traces();
            own_b.decay_traces();
            shared_a.decay_pre_traces();
            shared_b.decay_pre_traces();
            traces.decay();
        }
        const auto pre_a = random_spikes(40, 0.1, rng), pre_b = random_spikes(40, 0.1, rng), post = random_spikes(40, 0.1, rng);
        own_a.presynaptic_step(pre_a, t_own.data(), 1.0f, true);
        own_b.presynaptic_step(pre_b, t_own.data(), 0.5f, true);
        shared_a.presynaptic_step(pre_a, t_shared.data(), 1.0f, true, traces);
        shared_b.presynaptic_step(pre_b, t_shared.data(), 0.5f, true, traces);
        own_a.postsynaptic_step(post);
        own_b.postsynaptic_step(post);
        shared_a.postsynaptic_step(post, traces, false);
        shared_b.postsynaptic_step(post, traces, false);
        for (const auto j : post) traces.bump(j);
    }
    CHECK(t_own == t_shared);
    CHECK(own_a.weights() == shared_a.weights());
    CHECK(own_b.weights() == shared_b.weights());
    CHECK(own_a.pre_traces() == shared_a.pre_traces());
    CHECK(own_b.pre_traces() == shared_b.pre_traces());
    CHECK(own_a.post_traces() == traces.values());
    CHECK(own_b.post_traces() == traces.values());
    CHECK(std::ranges::equal(own_a.changed_columns(), shared_a.changed_columns()));
    // The shared projections never touched their own traces.
    CHECK(all_zero(shared_a.post_traces()));
}

TEST_CASE_TEMPLATE("sparse synapses at full connectivity equal dense_synapses bit for bit", R, diehl_cook_triplet,
                   pair_stdp_all_to_all, pair_stdp_nearest)
{
    R rule{};
    if constexpr (std::is_same_v<R, diehl_cook_triplet>) rule = fast_triplet();
    else {
        rule.p.a_plus = 0.2f;
        rule.p.a_minus = 0.2f;
    }
    for (const bool event_driven : {true, false}) {
        CAPTURE(event_driven);
        const std::size_t np = 37, nq = 53;  // not multiples of any SIMD width
        const weight_bounds b{0.05f, 0.95f};
        sparse_synapses<R> s(np, nq, rule, dt, b, sparse_connectivity{1.0f, true, 5});
        REQUIRE(s.n_synapses() == np * nq);
        random_stream init(4, stream_purpose::init_weights);
        s.initialise_uniform(0.05f, 0.95f, init);
        dense_synapses<R> d(np, nq, rule, dt, b);
        d.set_event_driven(event_driven);
        d.weights() = s.weights();
        random_stream rng(31);
        std::vector<float> ts(nq, 0.0f), td(nq, 0.0f);
        for (int step = 0; step < 300; ++step) {
            if (step % 80 == 79) {
                s.decay_traces(3.0);
                d.decay_traces(3.0);
            } else {
                s.decay_traces();
                d.decay_traces();
            }
            const auto pre = random_spikes(np, 0.1, rng), post = random_spikes(nq, 0.1, rng);
            s.presynaptic_step(pre, ts.data(), 0.5f, true);
            d.presynaptic_step(pre, td.data(), 0.5f, true);
            s.postsynaptic_step(post);
            d.postsynaptic_step(post);
            if (step % 60 == 59) {
                std::ranges::fill(s.changed_columns(), std::uint8_t{0});
                std::ranges::fill(d.changed_columns(), std::uint8_t{0});
            }
        }
        CHECK(ts == td);
        check_same_state(s, d);
    }
}

TEST_CASE("sparse synapses with a static rule only deliver")
{
    sparse_synapses<no_plasticity> s(20, 20, {}, dt, {}, {0.4f, false, 3});
    random_stream init(1);
    s.initialise_uniform(0.0f, 1.0f, init);
    const matrix_f before = s.weights();
    std::vector<float> target(20, 0.0f), expect(20, 0.0f);
    const std::vector<std::uint32_t> spikes = {1, 4, 19};
    for (const auto i : spikes)
        for (const auto j : s.targets(i)) expect[j] += before(i, j) * 2.0f;
    s.presynaptic_step(spikes, target.data(), 2.0f, true);
    s.postsynaptic_step(spikes);
    s.decay_traces();
    CHECK(target == expect);
    CHECK(s.weights() == before);
    CHECK(!s.spikes_in_flight());
    CHECK(s.history_steps() == 0);
}

TEST_CASE("sparse synapses: checkpoint round trip, and tampered files refused leaving the object unchanged")
{
    scratch_dir dir("sparse");
    const auto path = dir / "rec.ckpt";
    const diehl_cook_triplet rule = fast_triplet();
    auto trained = make(30, 30, 0.2f, false, 6, rule);
    random_stream init(2, stream_purpose::init_weights);
    trained.initialise_uniform(0.0f, 1.0f, init);
    random_stream rng(8);
    std::vector<float> target(30, 0.0f);
    const auto run = [&](triplet_sparse& s, random_stream& r, int steps) {
        for (int step = 0; step < steps; ++step) {
            s.decay_traces();
            s.presynaptic_step(random_spikes(30, 0.1, r), target.data(), 1.0f, true);
            s.postsynaptic_step(random_spikes(30, 0.1, r));
        }
    };
    run(trained, rng, 100);
    std::ranges::fill(trained.changed_columns(), std::uint8_t{0});
    run(trained, rng, 3);
    REQUIRE(!all_zero(trained.post_traces()));
    {
        checkpoint_writer w;
        trained.save_to(w, "rec.");
        w.save(path);
    }

    // Round trip, then both continue alike.
    auto loaded = make(30, 30, 0.2f, false, 6, rule);
    loaded.load_from(checkpoint_reader(path), "rec.");
    check_same_state(loaded, trained);
    auto rng_copy = rng;
    run(trained, rng, 50);
    run(loaded, rng_copy, 50);
    check_same_state(loaded, trained);

    // Without its own post traces (shared ones are the population's to save).
    {
        checkpoint_writer w;
        trained.save_to(w, "rec.", false);
        w.save(dir / "shared.ckpt");
    }
    CHECK(!checkpoint_reader(dir / "shared.ckpt").has("rec.post_traces"));
    auto shared = make(30, 30, 0.2f, false, 6, rule);
    shared.load_from(checkpoint_reader(dir / "shared.ckpt"), "rec.", false);
    CHECK(shared.weights() == trained.weights());
    CHECK(all_zero(shared.post_traces()));

    {
        checkpoint_writer w;
        trained.save_to(w, "rec.");
        w.save(path);
    }
    // The object to load into has a state of its own, which a refusal must keep.
    const auto refuse_into = [&](triplet_sparse victim, const std::filesystem::path& file, const char* message) {
        CAPTURE(message);
        auto before = victim;
        CHECK_THROWS_WITH_AS(victim.load_from(checkpoint_reader(file), "rec."), doctest::Contains(message), data_error);
        CHECK(victim.weights_untracked() == before.weights_untracked());
        CHECK(victim.pre_traces() == before.pre_traces());
        CHECK(victim.post_traces() == before.post_traces());
        CHECK(std::ranges::equal(victim.changed_columns(), before.changed_columns()));
    };
    auto victim = make(30, 30, 0.2f, false, 6, rule);
    random_stream other(99);
    victim.initialise_uniform(0.3f, 0.6f, other);
    run(victim, other, 20);

    refuse_into(make(30, 30, 0.2f, false, 7, rule), path, "'rec.connected' is other connectivity than this projection's");
    refuse_into(make(30, 30, 0.2f, true, 6, rule), path, "'rec.connected' is other connectivity");
    refuse_into(make(31, 31, 0.2f, false, 6, rule), path, "section 'rec.weights' has shape 30x30, expected 31x31");

    std::size_t unconnected = 0, connected = 0;
    while (trained.connected()[unconnected] != 0) ++unconnected;
    while (trained.connected()[connected] == 0) ++connected;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    struct forgery {
        const char* section;
        std::size_t index;
        float value;
        const char* message;
    };
    for (const forgery& f : {forgery{"rec.weights", unconnected, 0.25f, "where no synapse exists"},
                             forgery{"rec.weights", connected, 1.5f, "outside the bounds [0, 1]"},
                             forgery{"rec.weights", connected, nan, "outside the bounds"},
                             forgery{"rec.pre_traces", 3, nan, "'rec.pre_traces' holds nan"},
                             forgery{"rec.post_traces", 40, std::numeric_limits<float>::infinity(), "'rec.post_traces' holds inf"}}) {
        CAPTURE(f.section);
        {
            checkpoint_writer w;
            trained.save_to(w, "rec.");
            w.save(path);
        }
        forge(path, f.section, f.index, f.value);
        refuse_into(victim, path, f.message);
    }

    // A flipped connectivity bit, with weights that are otherwise fine.
    {
        checkpoint_writer w;
        trained.save_to(w, "rec.");
        w.save(path);
    }
    const auto words = checkpoint_reader(path).read_u64("rec.connected");
    forge(path, "rec.connected", unconnected / 64, words[unconnected / 64] ^ (std::uint64_t{1} << (unconnected % 64)));
    refuse_into(victim, path, fmt::format("1 pairs differ, the first [{}][{}]", unconnected / 30, unconnected % 30).c_str());
    {
        checkpoint_writer w;
        trained.save_to(w, "rec.");
        w.save(path);
    }
    forge(path, "rec.connected", words.size() - 1, words.back() | (~std::uint64_t{0} << (900 % 64)));
    refuse_into(victim, path, "'rec.connected' sets bits past the last");

    // A file written without connectivity.
    {
        checkpoint_writer w;
        w.add("rec.weights", trained.weights());
        w.add("rec.pre_traces", trained.pre_traces());
        w.add("rec.post_traces", trained.post_traces());
        w.save(dir / "old.ckpt");
    }
    refuse_into(victim, dir / "old.ckpt", "section 'rec.connected' is missing");
}

} // TEST_SUITE
