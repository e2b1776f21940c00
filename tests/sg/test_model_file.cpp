// SPDX-License-Identifier: MIT
// Saving and loading a surrogate-gradient model (sg/model_file.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <vector>

#include <somnus/io/checkpoint.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/model_file.hpp>
#include <somnus/sg/train.hpp>

#include "../io/scratch.hpp"

using namespace somnus;
using namespace somnus::sg;

namespace {

using lif = sg::leaky<>;
using small_net = sequential<conv2d, max_pool2d, lif, linear, lif>;

small_net make_small(float beta = 0.5f)
{
    return small_net({1, 6, 6}, conv2d(1, 6, 3), max_pool2d(2), lif({beta, 1.0f, true}), linear(24, 3), lif({beta, 1.0f, true}));
}

/// Samples whose class c lights the inputs i with i % 3 == c.
struct samples {
    std::vector<std::vector<std::uint32_t>> offsets, index;
    std::vector<std::vector<float>> value;
    std::vector<std::size_t> labels;
    std::vector<frame_sample> views() const
    {
        std::vector<frame_sample> v;
        for (std::size_t k = 0; k < labels.size(); ++k) v.push_back({offsets[k], index[k], value[k], labels[k]});
        return v;
    }
};

samples make_samples(std::size_t n, std::uint64_t seed)
{
    samples s;
    random_stream rng(seed, stream_purpose::user);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t label = rng.below(3);
        std::vector<std::uint32_t> off{0}, idx;
        std::vector<float> val;
        for (std::size_t t = 0; t < 12; ++t) {
            for (std::uint32_t i = 0; i < 36; ++i)
                if (i % 3 == label && rng.uniform() < 0.5) {
                    idx.push_back(i);
                    val.push_back(1.0f);
                }
            off.push_back(static_cast<std::uint32_t>(idx.size()));
        }
        s.offsets.push_back(off);
        s.index.push_back(idx);
        s.value.push_back(val);
        s.labels.push_back(label);
    }
    return s;
}

} // namespace

TEST_SUITE("sg") {

TEST_CASE("sg model file: a trained model saved and loaded predicts bit for bit the same")
{
    somnus_test::scratch_dir dir("sgmodel");
    const auto net = make_small();
    std::vector<float> w(net.parameter_count());
    net.init(w, 3);
    adam opt(w.size(), {2e-2, 0.9, 0.999, 1e-8});
    trainer tr(net, 1);
    const auto train = make_samples(40, 1), test = make_samples(30, 2);
    const auto views = train.views();
    for (std::size_t b = 0; b < views.size(); b += 10) tr.train_step(w, opt, std::span(views).subspan(b, 10));
    save(dir / "m.ckpt", net, w);
    const auto back = load(dir / "m.ckpt", net);
    REQUIRE(back.size() == w.size());
    CHECK(std::memcmp(back.data(), w.data(), w.size() * sizeof(float)) == 0);
    std::vector<std::size_t> p1(test.labels.size()), p2(test.labels.size());
    tr.evaluate(w, test.views(), p1);
    tr.evaluate(back, test.views(), p2);
    CHECK(p1 == p2);
    // The Gupta member round-trips too, its configuration recorded per layer.
    const auto member = make_gupta_member();
    std::vector<float> m(member.parameter_count());
    member.init(m, 7, 2);
    save(dir / "member.ckpt", member, m);
    CHECK(load(dir / "member.ckpt", member) == m);
    const auto rec = describe(member);
    REQUIRE(rec.find("layer.2.beta") != nullptr);
    CHECK(*rec.find("layer.2.beta") == "0.5");
    CHECK(*rec.find("parameters") == "18254");
    CHECK(*rec.find("input") == "2x34x34");
}

TEST_CASE("sg model file: another configuration, bad values and other files are refused by name")
{
    somnus_test::scratch_dir dir("sgmodel");
    const auto net = make_small();
    std::vector<float> w(net.parameter_count());
    net.init(w, 3);
    save(dir / "m.ckpt", net, w);
    // Another beta: same shapes, another model.
    const auto other = make_small(0.95f);
    const auto msg = somnus_test::thrown<data_error>([&] { (void)load(dir / "m.ckpt", other); });
    CHECK(somnus_test::contains(msg, "m.ckpt"));
    CHECK(somnus_test::contains(msg, "layer.2.beta: this model has 0.95, the file has 0.5"));
    // Another architecture.
    const auto member = make_gupta_member();
    CHECK(somnus_test::contains(somnus_test::thrown<data_error>([&] { (void)load(dir / "m.ckpt", member); }), "parameters: this model has 18254"));
    // A NaN parameter in a file with a valid checksum.
    auto bad = w;
    bad[5] = std::numeric_limits<float>::quiet_NaN();
    {
        checkpoint_writer cw;
        cw.add_text("kind", "somnus sg model");
        cw.add_u64("model_version", std::vector<std::uint64_t>{model_file_version});
        cw.add_text("model", describe(net).text());
        cw.add("parameters", std::span<const float>(bad), {bad.size()});
        cw.save(dir / "nan.ckpt");
    }
    CHECK(somnus_test::contains(somnus_test::thrown<data_error>([&] { (void)load(dir / "nan.ckpt", net); }), "'parameters' holds nan at index 5"));
    // Another version of the model section.
    {
        checkpoint_writer cw;
        cw.add_text("kind", "somnus sg model");
        cw.add_u64("model_version", std::vector<std::uint64_t>{99});
        cw.add_text("model", describe(net).text());
        cw.add("parameters", std::span<const float>(w), {w.size()});
        cw.save(dir / "v99.ckpt");
    }
    CHECK(somnus_test::contains(somnus_test::thrown<data_error>([&] { (void)load(dir / "v99.ckpt", net); }), "this build reads version 1"));
    // Not a model file; altered bytes; missing.
    {
        checkpoint_writer cw;
        cw.add_text("kind", "something else");
        cw.save(dir / "other.ckpt");
    }
    CHECK(somnus_test::contains(somnus_test::thrown<data_error>([&] { (void)load(dir / "other.ckpt", net); }), "not a somnus surrogate-gradient model"));
    auto bytes = somnus_test::read_bytes(dir / "m.ckpt");
    bytes[bytes.size() / 2] ^= 0x40;
    somnus_test::write_bytes(dir / "flip.ckpt", bytes);
    CHECK(somnus_test::contains(somnus_test::thrown<data_error>([&] { (void)load(dir / "flip.ckpt", net); }), "checksum mismatch"));
    CHECK_THROWS_AS((void)load(dir / "missing.ckpt", net), data_error);
    // The parameters given must fit the model.
    std::vector<float> short_w(3);
    CHECK_THROWS_AS(save(dir / "x.ckpt", net, short_w), config_error);
    CHECK_FALSE(std::filesystem::exists(dir / "x.ckpt"));
}

}
