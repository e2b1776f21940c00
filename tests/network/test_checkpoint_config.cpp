// SPDX-License-Identifier: MIT
// A checkpoint records the configuration that shaped its state: loading it
// under another one is refused with both values named; protocol settings may
// differ and are reported; values a checksum cannot vouch for are validated.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include <somnus/network/competitive.hpp>

#include "../io/scratch.hpp"
#include "synthetic.hpp"

using namespace somnus;
using somnus_test::scratch_dir;

namespace {

competitive_config small(std::size_t n_exc)
{
    competitive_config c;
    c.n_exc = n_exc;
    c.seed = 3;
    return c;
}

diehl_cook_network make(competitive_config cfg, conductance_lif::integration scheme = conductance_lif::integration::exponential,
                        float lockout_ms = 0.0f)
{
    auto exc = conductance_lif::diehl_cook_excitatory();
    auto inh = conductance_lif::diehl_cook_inhibitory();
    exc.scheme = inh.scheme = scheme;
    exc.lockout_ms = lockout_ms;
    return diehl_cook_network(cfg, conductance_lif(exc, cfg.dt_ms), conductance_lif(inh, cfg.dt_ms));
}

std::vector<char> bytes_of(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Overwrites float k of section `name` and re-seals the checksum, so only
/// the value checks can catch it.
void forge_float(const std::filesystem::path& p, const std::string& name, std::size_t k, float value)
{
    auto b = bytes_of(p);
    const std::string key = std::string(1, char(name.size())) + std::string(1, '\0') + name;
    const auto it = std::search(b.begin(), b.end(), key.begin(), key.end());
    REQUIRE(it != b.end());
    std::size_t at = static_cast<std::size_t>(it - b.begin()) + key.size();
    REQUIRE(b[at] == 0);  // kind f32
    const auto rank = static_cast<std::uint8_t>(b[at + 1]);
    at += 2 + 8 * rank + 4 * k;
    std::memcpy(b.data() + at, &value, 4);
    const std::uint32_t crc = detail::crc32(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(b.data()), b.size() - 4));
    std::memcpy(b.data() + b.size() - 4, &crc, 4);
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("regression: a checkpoint saved under other delays, integrator or refractoriness is refused, naming both values")
{
    scratch_dir dir("cfg");
    const auto data = test::make_bars(4, 3, 1);
    auto cfg = small(6);
    cfg.input_delay_max_ms = 10.0f;
    auto saved = make(cfg, conductance_lif::integration::euler, 50.0f);
    for (std::size_t k = 0; k < data.size(); ++k) saved.train(data.image(k));
    const auto path = dir / "delays.ckpt";
    saved.save(path);

    auto no_delays = make(small(6), conductance_lif::integration::euler, 50.0f);
    const matrix_f before = no_delays.weights();
    CHECK_THROWS_WITH_AS(no_delays.load(path),
                         doctest::Contains("config.input_delay_max_ms: this network has 0, the file has 10"), data_error);
    CHECK(no_delays.weights() == before);
    CHECK(!no_delays.input_synapses().has_delays());

    auto other_scheme = make(cfg, conductance_lif::integration::exponential, 50.0f);
    CHECK_THROWS_WITH_AS(other_scheme.load(path), doctest::Contains("exc.scheme: this network has exponential, the file has euler"),
                         data_error);
    auto other_refractory = make(cfg, conductance_lif::integration::euler, 0.0f);
    CHECK_THROWS_WITH_AS(other_refractory.load(path), doctest::Contains("exc.lockout_ms: this network has 0, the file has 50"),
                         data_error);
    auto other_size = make([&] { auto c = cfg; c.n_exc = 7; return c; }());
    CHECK_THROWS_WITH_AS(other_size.load(path), doctest::Contains("this network has 784 x 7"), data_error);

    auto same = make(cfg, conductance_lif::integration::euler, 50.0f);
    const auto report = same.load(path);
    CHECK(report.configuration_recorded);
    CHECK(report.notes.empty());
    CHECK(same.weights() == saved.weights());
}

TEST_CASE("a rule or homeostasis parameter that differs is refused; the policy types are recorded")
{
    scratch_dir dir("cfg");
    const auto cfg = small(5);
    const auto path = dir / "rule.ckpt";
    make(cfg).save(path);
    const auto exc = conductance_lif(conductance_lif::diehl_cook_excitatory(), cfg.dt_ms);
    const auto inh = conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms);
    diehl_cook_triplet rule;
    rule.p.nu_post = 0.02f;
    diehl_cook_network faster(cfg, exc, inh, rule);
    CHECK_THROWS_WITH_AS(faster.load(path), doctest::Contains("rule.nu_post: this network has 0.02, the file has 0.01"), data_error);
    normalize_incoming norm;
    norm.p.target_sum = 60.0f;
    diehl_cook_network other_norm(cfg, exc, inh, {}, diehl_cook_homeostasis(adaptive_threshold{}, norm));
    CHECK_THROWS_WITH_AS(other_norm.load(path), doctest::Contains("homeostasis.1.target_sum"), data_error);

    const auto rec = make(cfg).configuration();
    REQUIRE(rec.find("rule.model") != nullptr);
    CHECK(*rec.find("rule.model") == "somnus::diehl_cook_triplet");
    CHECK(*rec.find("exc.model") == "somnus::conductance_lif");
    CHECK(*rec.find("homeostasis.0.model") == "somnus::adaptive_threshold");
}

TEST_CASE("protocol settings may differ on load: the network keeps its own and the report says so")
{
    scratch_dir dir("cfg");
    const auto path = dir / "protocol.ckpt";
    make(small(5)).save(path);
    auto cfg = small(5);
    cfg.seed = 9;
    cfg.max_repeats = 1;
    auto net = make(cfg);
    const auto report = net.load(path);
    REQUIRE(report.notes.size() == 2);
    CHECK(report.notes[0] == "config.max_repeats: this network has 1, the file has 40");
    CHECK(report.notes[1] == "config.seed: this network has 9, the file has 3");
    CHECK(net.config().seed == 9);
}

TEST_CASE("regression: a checkpoint with a valid checksum but NaN or out-of-range values is refused")
{
    scratch_dir dir("cfg");
    const auto data = test::make_bars(2, 3, 1);
    auto net = make(small(4));
    for (std::size_t k = 0; k < data.size(); ++k) net.train(data.image(k));
    const auto path = dir / "values.ckpt";
    const float nan = std::numeric_limits<float>::quiet_NaN();
    struct forgery {
        const char* section;
        std::size_t index;
        float value;
        const char* message;
    };
    for (const forgery& f : {forgery{"input.weights", 5, 1.5f, "outside the bounds [0, 1]"},
                             forgery{"input.weights", 0, -0.25f, "outside the bounds"},
                             forgery{"input.weights", 3, nan, "outside the bounds"},
                             forgery{"exc.theta", 1, nan, "'exc.theta' holds nan"},
                             forgery{"exc.v", 0, std::numeric_limits<float>::infinity(), "'exc.v' holds inf"},
                             forgery{"inh.ge", 2, nan, "'inh.ge' holds nan"},
                             forgery{"exc.post_traces", 0, nan, "'exc.post_traces' holds nan"},
                             forgery{"mean_image", 7, 300.0f, "outside the pixel range"}}) {
        CAPTURE(f.section);
        net.save(path);
        forge_float(path, f.section, f.index, f.value);
        auto fresh = make(small(4));
        const matrix_f before = fresh.weights();
        CHECK_THROWS_WITH_AS(fresh.load(path), doctest::Contains(f.message), data_error);
        CHECK(fresh.weights() == before);
    }
}

TEST_CASE("a checkpoint written before configurations were recorded loads by shape, with a note")
{
    scratch_dir dir("cfg");
    auto net = make(small(4));
    // What save() wrote before the "config" section existed.
    checkpoint_writer w;
    w.add_text("network", "competitive_network");
    const std::uint64_t shape[] = {784, 4};
    w.add_u64("shape", shape);
    const std::uint64_t seen[] = {0};
    w.add_u64("images_seen", seen);
    net.input_synapses().save_to(w, "input.");
    w.add("mean_image", std::span<const float>(net.mean_image()));
    auto exc = net.exc_state();
    auto inh = net.inh_state();
    for (const auto& f : exc.fields()) w.add(std::string("exc.") + f.name, *f.values);
    for (const auto& f : inh.fields()) w.add(std::string("inh.") + f.name, *f.values);
    const auto path = dir / "old.ckpt";
    w.save(path);
    auto other = make(small(4));
    const auto report = other.load(path);
    CHECK(!report.configuration_recorded);
    REQUIRE(report.notes.size() == 1);
    CHECK(report.notes[0].find("no configuration") != std::string::npos);
    CHECK(other.weights() == net.weights());
}

TEST_CASE("param_record: exact values, parse round trip, differences by name")
{
    param_record a;
    a.add("x", 0.1f);
    a.add("n", std::size_t{3});
    a.add("on", true);
    a.add("mode", "euler");
    CHECK(a.text() == "x = 0.1\nn = 3\non = true\nmode = euler\n");
    const auto b = param_record::parse(a.text(), "mem");
    CHECK(b.entries() == a.entries());
    param_record c;
    c.add("x", 0.1f + 1e-8f);  // the next float up prints differently
    c.add("n", std::size_t{3});
    c.add("extra", 1);
    const auto d = a.differences(c, "A", "B");
    REQUIRE(d.size() == 4);
    CHECK(d[0].starts_with("x: A 0.1, B 0.10000001"));
    CHECK(d[1] == "on: A true, B has none");
    CHECK(d[3] == "extra: A has none, B 1");
    CHECK_THROWS_AS(param_record::parse("no equals sign\n", "f.ckpt"), data_error);
    CHECK_THROWS_AS(a.add("x", 2.0f), config_error);
}

}
