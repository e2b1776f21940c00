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
#include "samples.hpp"

using namespace somnus;
using namespace somnus::sg;
using namespace somnus_test_sg;

namespace {

using lif = sg::leaky<>;
using small_net = sequential<conv2d, max_pool2d, lif, linear, lif>;

small_net make_small(float beta = 0.5f)
{
    return small_net({1, 6, 6}, conv2d(1, 6, 3), max_pool2d(2), lif({beta, 1.0f, true}), linear(24, 3), lif({beta, 1.0f, true}));
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
    const auto train = make_samples(40, 12, 36, 0.5, 3, true, 1), test = make_samples(30, 12, 36, 0.5, 3, true, 2);
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
