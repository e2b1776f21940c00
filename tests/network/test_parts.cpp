// SPDX-License-Identifier: MIT
// Networks from parts: the fixed projections' deliveries by hand, shared
// postsynaptic traces against a projection's own, the recurrent network's
// step against a plain-loop reference, and what the protocol does for any
// topology (checkpoints, sleep, homeostasis over every plastic projection).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "../io/scratch.hpp"
#include "somnus/somnus.hpp"
#include "synthetic.hpp"

using namespace somnus;

namespace {

competitive_config tiny(std::size_t n_exc, std::uint64_t seed)
{
    competitive_config c;
    c.n_exc = n_exc;
    c.seed = seed;
    c.present_ms = 100.0f;
    c.rest_ms = 50.0f;
    return c;
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("one_to_one and all_but_self deliver what a hand computation gives")
{
    std::vector<float> target(5, 1.0f);
    const std::vector<std::uint32_t> spikes{1, 3};
    one_to_one o{5, 2.0f, 0.5f};
    o.deliver(spikes, target.data());
    CHECK(target == std::vector<float>{1.0f, 2.0f, 1.0f, 2.0f, 1.0f});

    std::fill(target.begin(), target.end(), 0.0f);
    all_but_self a{5, 3.0f, 2.0f};  // each spike gives 6 to everyone but its own neuron
    a.deliver(spikes, target.data());
    CHECK(target == std::vector<float>{12.0f, 6.0f, 12.0f, 6.0f, 12.0f});
    a.deliver({}, target.data());  // no spikes, no change
    CHECK(target == std::vector<float>{12.0f, 6.0f, 12.0f, 6.0f, 12.0f});
}

TEST_CASE("shared postsynaptic traces give the bits of a projection's own, with and without delays")
{
    for (const bool delays : {false, true}) {
        CAPTURE(delays);
        const std::size_t n_pre = 30, n_post = 12;
        dense_synapses<diehl_cook_triplet> own(n_pre, n_post, {}, 0.5f), shared(n_pre, n_post, {}, 0.5f);
        trace_set<2> traces(n_post, diehl_cook_triplet{}.post_traces(), 0.5f);
        random_stream rng(5, stream_purpose::user);
        for (auto& w : own.weights()) w = rng.uniform(0.0f, 1.0f);
        shared.weights() = own.weights();
        if (delays) {
            std::vector<std::uint8_t> d(n_pre * n_post);
            for (auto& x : d) x = static_cast<std::uint8_t>(rng.below(6));
            own.set_delays(d);
            shared.set_delays(d);
        }
        std::vector<float> ge_own(n_post, 0.0f), ge_shared(n_post, 0.0f);
        for (int t = 0; t < 400; ++t) {
            std::vector<std::uint32_t> pre, post;
            for (std::uint32_t i = 0; i < n_pre; ++i)
                if (rng.uniform() < 0.1) pre.push_back(i);
            for (std::uint32_t j = 0; j < n_post; ++j)
                if (rng.uniform() < 0.05) post.push_back(j);
            own.decay_traces();
            shared.decay_pre_traces();
            traces.decay();
            own.presynaptic_step(pre, ge_own.data(), 0.7f, true);
            shared.presynaptic_step(pre, ge_shared.data(), 0.7f, true, traces);
            own.postsynaptic_step(post);
            shared.postsynaptic_step(post, traces, false);
            for (const auto j : post) traces.bump(j);
        }
        CHECK(own.weights() == shared.weights());
        CHECK(own.post_traces() == traces.values());
        CHECK(own.pre_traces() == shared.pre_traces());
        CHECK(ge_own == ge_shared);
    }
}

TEST_CASE("recurrent network: one step equals a plain-loop reference, bit for bit")
{
    auto cfg = tiny(16, 3);
    cfg.n_input = 40;
    cfg.input_rows = cfg.input_cols = 0;  // not an image
    recurrent_params rp;
    rp.probability = 0.3f;
    rp.w_init_max = 0.6f;  // strong enough that recurrent spikes matter
    auto net = make_recurrent(cfg, rp);
    const auto& syn_in = net.input_synapses();
    const auto& rec = net.recurrent_synapses();
    const std::size_t n_in = cfg.n_input, n = cfg.n_exc;

    // The reference's own copies of everything a step touches.
    const conductance_lif exc_model = net.exc_population().model, inh_model = net.inh_population().model;
    auto exc = net.exc_population().state;
    auto inh = net.inh_population().state;
    matrix_f w_in = syn_in.weights(), w_rec = rec.weights();
    const auto connected = rec.connected();
    const diehl_cook_triplet rule{};
    const auto pre_spec = rule.pre_traces();
    const auto post_spec = rule.post_traces();
    std::vector<float> x_in(n_in, 0.0f), x_rec(n, 0.0f), post1(n, 0.0f), post2(n, 0.0f);
    const auto factor = [&](float tau) { return static_cast<float>(std::exp(-double(cfg.dt_ms) / double(tau))); };
    const float f_pre = factor(pre_spec[0].tau_ms), f1 = factor(post_spec[0].tau_ms), f2 = factor(post_spec[1].tau_ms);
    const float floor_pre = 1e-6f * pre_spec[0].amount, floor1 = 1e-6f * post_spec[0].amount, floor2 = 1e-6f * post_spec[1].amount;
    const auto decay = [](std::vector<float>& x, float f, float floor) {
        for (auto& v : x) {
            const float y = v * f;
            v = std::abs(y) < floor ? 0.0f : y;
        }
    };
    const auto clip = [&](float w, weight_bounds b) { return std::min(std::max(w, b.w_min), b.w_max); };

    random_stream rng(11, stream_purpose::user);
    std::size_t recurrent_spikes = 0;
    for (int t = 0; t < 600; ++t) {
        std::vector<std::uint32_t> in;
        for (std::uint32_t i = 0; i < n_in; ++i)
            if (rng.uniform() < 0.3) in.push_back(i);
        net.step(in, true);

        decay(x_in, f_pre, floor_pre);
        decay(x_rec, f_pre, floor_pre);
        decay(post1, f1, floor1);
        decay(post2, f2, floor2);
        spike_list es, is;
        exc_model.step<float>(exc, es);
        inh_model.step<float>(inh, is);
        const auto on_pre = [&](float w, float pre, std::size_t j, weight_bounds b) {
            return clip(w + rule.on_pre<float>(w, traces<float, 1>{pre}, traces<float, 2>{post1[j], post2[j]}), b);
        };
        const auto on_post = [&](float w, float pre, std::size_t j, weight_bounds b) {
            return clip(w + rule.on_post<float>(w, traces<float, 1>{pre}, traces<float, 2>{post1[j], post2[j]}), b);
        };
        for (const auto i : in) {
            for (std::size_t j = 0; j < n; ++j) {
                exc.ge[j] += w_in(i, j) * 1.0f;
                w_in(i, j) = on_pre(w_in(i, j), x_in[i], j, cfg.bounds);
            }
            x_in[i] = pre_spec[0].amount;
        }
        for (const auto i : es) {
            for (std::size_t j = 0; j < n; ++j) {
                if (!connected[i * n + j]) continue;
                exc.ge[j] += w_rec(i, j) * 1.0f;
                w_rec(i, j) = on_pre(w_rec(i, j), x_rec[i], j, rp.bounds);
            }
            x_rec[i] = pre_spec[0].amount;
        }
        for (const auto j : es) inh.ge[j] += cfg.w_exc_inh * 1.0f;
        if (!is.empty()) {
            const float w = cfg.w_inh_exc * 1.0f;
            for (std::size_t k = 0; k < n; ++k) exc.gi[k] += w * float(is.size());
            for (const auto j : is) exc.gi[j] -= w;
        }
        for (const auto j : es) {
            for (std::size_t i = 0; i < n_in; ++i) w_in(i, j) = on_post(w_in(i, j), x_in[i], j, cfg.bounds);
            for (std::size_t i = 0; i < n; ++i)
                if (connected[i * n + j]) w_rec(i, j) = on_post(w_rec(i, j), x_rec[i], j, rp.bounds);
        }
        for (const auto j : es) {
            post1[j] = post_spec[0].amount;
            post2[j] = post_spec[1].amount;
        }
        recurrent_spikes += es.size();

        REQUIRE(net.exc_population().spikes == es);
        REQUIRE(net.inh_population().spikes == is);
    }
    CHECK(recurrent_spikes > 20);
    CHECK(syn_in.weights() == w_in);
    CHECK(rec.weights() == w_rec);
    CHECK(net.exc_population().state.v == exc.v);
    CHECK(net.exc_population().state.ge == exc.ge);
    CHECK(net.exc_population().state.gi == exc.gi);
    const auto& tr = net.exc_population().traces.values();
    for (std::size_t j = 0; j < n; ++j) {
        CHECK(tr(0, j) == post1[j]);
        CHECK(tr(1, j) == post2[j]);
    }
}

TEST_CASE("recurrent network: no self-connections; checkpoints continue exactly; sleep keeps absent synapses at zero")
{
    const auto data = test::make_bars(24, 3, 5);
    recurrent_params rp;
    rp.probability = 0.25f;
    auto net = make_recurrent(tiny(10, 7), rp);
    const auto& rec = net.recurrent_synapses();
    for (std::size_t j = 0; j < 10; ++j) CHECK(rec.connected()[j * 10 + j] == 0);
    CHECK(rec.n_synapses() > 0);
    for (std::size_t k = 0; k < 12; ++k) net.train(data.image(k));

    somnus_test::scratch_dir dir("recurrent");
    const auto path = dir.path() / "net.ckpt";
    net.save(path);
    auto resumed = make_recurrent(tiny(10, 7), rp);
    resumed.load(path);
    for (std::size_t k = 12; k < 24; ++k) {
        net.train(data.image(k));
        resumed.train(data.image(k));
    }
    CHECK(net.weights() == resumed.weights());
    CHECK(net.recurrent_synapses().weights() == resumed.recurrent_synapses().weights());
    CHECK(net.exc_state().theta == resumed.exc_state().theta);

    // Another connection probability shapes the saved state: refused.
    recurrent_params other = rp;
    other.probability = 0.5f;
    auto different = make_recurrent(tiny(10, 7), other);
    CHECK_THROWS_AS(different.load(path), data_error);

    // Sleep: input suppressed, spontaneous activity, stochastic decay toward
    // a baseline over every plastic projection, the recurrent one included.
    combine<spontaneous_activity, stochastic_decay> phase;
    phase.get<0>().p.rate_hz = 200.0f;
    phase.get<0>().p.weight = 5.0f;
    phase.get<1>().p = {0.2f, 200.0f, 0.05f, 10.0f};
    const matrix_f before = rec.weights();
    const auto report = net.sleep(phase, 500.0);
    CHECK(report.input_spikes == 0);
    CHECK(report.excitatory_spikes > 0);
    CHECK(rec.weights() != before);
    for (std::size_t i = 0; i < 10; ++i)
        for (std::size_t j = 0; j < 10; ++j)
            if (rec.connected()[i * 10 + j] == 0) CHECK(rec.weights()(i, j) == 0.0f);
}

TEST_CASE("homeostasis sees every plastic projection: synaptic scaling scales the recurrent weights too")
{
    using scaled = recurrent_network<conductance_lif, conductance_lif, diehl_cook_triplet, synaptic_scaling>;
    auto cfg = tiny(8, 2);
    recurrent_params rp;
    rp.probability = 0.5f;
    scaled net(cfg, rp, conductance_lif(conductance_lif::diehl_cook_excitatory(), cfg.dt_ms),
               conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms), {}, synaptic_scaling({5.0f, 0.5f, 100.0}));
    const auto layer = net.layer();
    REQUIRE(layer.incoming.size() == 2);
    CHECK(std::string(layer.incoming[1].name) == "exc_to_exc");
    const matrix_f before = net.recurrent_synapses().weights();
    std::vector<std::uint8_t> blank(784, 0);  // silent neurons: scaling grows every incoming weight
    net.train(blank);
    const auto& after = net.recurrent_synapses().weights();
    std::size_t grew = 0;
    for (std::size_t k = 0; k < after.size(); ++k) {
        if (before.data()[k] > 0.0f) grew += after.data()[k] > before.data()[k];
        if (before.data()[k] == 0.0f) CHECK(after.data()[k] == 0.0f);
    }
    CHECK(grew > 0);
}

TEST_CASE("a checkpoint written before traces were shared (traces under input.) loads and continues exactly")
{
    const auto data = test::make_bars(16, 3, 9);
    auto net = make_diehl_cook(tiny(6, 4));
    for (std::size_t k = 0; k < 8; ++k) net.train(data.image(k));
    // The old layout: the input projection kept the excitatory neurons' traces.
    checkpoint_writer w;
    w.add_text("network", "competitive_network");
    w.add_text("config", net.configuration().text());
    const std::uint64_t shape[] = {784, 6}, seen[] = {net.images_seen()}, sleeps[] = {0};
    w.add_u64("shape", shape);
    w.add_u64("images_seen", seen);
    w.add_u64("sleeps_done", sleeps);
    auto syn = net.input_synapses();
    syn.post_traces() = net.exc_population().traces.values();
    syn.save_to(w, "input.");
    w.add("mean_image", net.mean_image());
    auto exc = net.exc_state();
    auto inh = net.inh_state();
    for (const auto& f : exc.fields()) w.add(std::string("exc.") + f.name, *f.values);
    for (const auto& f : inh.fields()) w.add(std::string("inh.") + f.name, *f.values);
    somnus_test::scratch_dir dir("legacy");
    w.save(dir.path() / "old.ckpt");

    auto old = make_diehl_cook(tiny(6, 4));
    old.load(dir.path() / "old.ckpt");
    for (std::size_t k = 8; k < 16; ++k) {
        net.train(data.image(k));
        old.train(data.image(k));
    }
    CHECK(old.weights() == net.weights());
    CHECK(old.exc_state().theta == net.exc_state().theta);
}

}
