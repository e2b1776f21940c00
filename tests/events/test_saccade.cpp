#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include <somnus/data/mnist.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/saccade.hpp>

#include "../io/scratch.hpp"

using somnus::event;

namespace {

/// A 28x28 test digit: a vertical bar (a "1") or a ring (a "0").
std::vector<std::uint8_t> digit(bool ring)
{
    std::vector<std::uint8_t> img(28 * 28, 0);
    for (int r = 0; r < 28; ++r)
        for (int c = 0; c < 28; ++c) {
            const double d = std::hypot(r - 13.5, c - 13.5);
            const bool ink = ring ? (d > 6.0 && d < 9.0) : (c >= 12 && c < 16 && r >= 4 && r < 24);
            if (ink) img[std::size_t(r) * 28 + std::size_t(c)] = 255;
        }
    return img;
}

somnus::saccade_params quiet()
{
    somnus::saccade_params p;
    p.noise_rate_hz = 0.0f;
    return p;
}

} // namespace

TEST_SUITE("events") {

TEST_CASE("saccade: event times of one pixel match the hand-solved threshold crossings")
{
    // One white pixel on a 4x1 sensor, moved +2, -1, -1 px in three 100 ms
    // saccades. Sensor pixel 1 sees its luminance rise linearly from black to
    // white and back in each half of saccade 1, rise in saccade 2, fall in 3.
    somnus::saccade_params p = quiet();
    p.sensor = {4, 1};
    p.corners_px = {{{0.0f, 0.0f}, {2.0f, 0.0f}, {1.0f, 0.0f}}};
    p.saccade_us = 100000;
    p.black_level = 0.38f;
    p.on_threshold = 0.2f;
    p.off_threshold = 0.25f;
    p.threshold_sigma = 0.0f;
    p.refractory_us = 0;
    const somnus::saccade_synthesizer syn(p, 1);
    const std::vector<std::uint8_t> white{255};
    const auto all = syn.synthesize(white, 1, 1, 0);

    const double b = 0.38, T = 100000.0;
    std::vector<event> expected;
    const auto at = [&](double t, bool on) { expected.push_back({static_cast<std::uint32_t>(t), 1, 0, on}); };
    // ln L = ln b + level; ON every +0.2, OFF every -0.25 from the last event.
    for (double lv : {0.2, 0.4, 0.6, 0.8}) at(T / 2 * (b * std::exp(lv) - b) / (1 - b), true);            // rise
    for (double lv : {0.55, 0.30, 0.05}) at(T - T / 2 * (b * std::exp(lv) - b) / (1 - b), false);         // fall
    for (double lv : {0.25, 0.45, 0.65, 0.85}) at(T + T * (b * std::exp(lv) - b) / (1 - b), true);         // saccade 2
    for (double lv : {0.60, 0.35, 0.10}) at(2 * T + T * (1 - b * std::exp(lv)) / (1 - b), false);         // saccade 3

    std::vector<event> got;
    for (const auto& e : all)
        if (e.x == 1) got.push_back(e);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        CHECK(got[i].on == expected[i].on);
        CHECK(got[i].y == 0);
        // The computed time is floored to whole microseconds; allow the rounding of either side.
        CHECK(std::abs(double(got[i].t_us) - double(expected[i].t_us)) <= 1.0);
    }
    // Pixel 3 never overlaps the white pixel (at most 2 px of motion): no events.
    for (const auto& e : all) CHECK(e.x != 3);
}

TEST_CASE("saccade: the same image with the same seed gives the same recording; other digits, seeds and samples differ")
{
    const somnus::saccade_params p;  // defaults, background activity included
    const somnus::saccade_synthesizer a(p, 7), a2(p, 7), other_seed(p, 8);
    const auto one = digit(false), zero = digit(true);
    const auto r1 = a.synthesize(one, 28, 28, 5);
    CHECK(r1 == a2.synthesize(one, 28, 28, 5));
    CHECK(r1 == a.synthesize(one, 28, 28, 5));
    const auto r0 = a.synthesize(zero, 28, 28, 5);
    CHECK(r0 != r1);
    CHECK(r0.size() > r1.size());  // the ring has more edge than the bar
    CHECK(other_seed.synthesize(one, 28, 28, 5) != r1);  // other thresholds
    const auto r1b = a.synthesize(one, 28, 28, 6);         // other background activity
    CHECK(r1b != r1);
    // Without background activity, the sample key changes nothing.
    const somnus::saccade_synthesizer q(quiet(), 7);
    CHECK(q.synthesize(one, 28, 28, 5) == q.synthesize(one, 28, 28, 6));

    for (const auto* rec : {&r0, &r1}) {
        REQUIRE(!rec->empty());
        for (std::size_t i = 1; i < rec->size(); ++i) REQUIRE((*rec)[i].t_us >= (*rec)[i - 1].t_us);
        for (const auto& e : *rec) REQUIRE((e.x < 34 && e.y < 34 && e.t_us < 315000));
    }
}

TEST_CASE("saccade: real MNIST digits of different classes give different recordings")
{
    const char* env = std::getenv("SOMNUS_MNIST_DIR");
    const std::filesystem::path dir = env ? env : SOMNUS_SOURCE_DIR "/data/mnist";
    std::error_code ec;
    if (!std::filesystem::exists(dir / "train-images-idx3-ubyte", ec) &&
        !std::filesystem::exists(dir / "train-images-idx3-ubyte.gz", ec)) {
        MESSAGE("MNIST not found in " << dir.string() << "; skipped");
        return;
    }
    const auto d = somnus::load_mnist(dir, somnus::mnist_split::train, 20);
    const somnus::saccade_synthesizer syn(somnus::saccade_params{}, 0);
    std::map<int, std::vector<event>> first;  // first recording of each class
    for (std::size_t i = 0; i < d.size(); ++i)
        if (!first.count(d.labels[i])) first[d.labels[i]] = syn.synthesize(d.image(i), 28, 28, i);
    REQUIRE(first.size() >= 5);
    for (auto a = first.begin(); a != first.end(); ++a)
        for (auto b = std::next(a); b != first.end(); ++b) CHECK(a->second != b->second);
    for (const auto& [label, rec] : first) {
        CAPTURE(label);
        const auto s = somnus::summarize(rec);
        CHECK(s.events > 1000);
        CHECK(s.events < 10000);
        CHECK(s.duration_us() > 290000);
    }
}

TEST_CASE("saccade: a blank image gives only background activity, at the set rate")
{
    const std::vector<std::uint8_t> blank(28 * 28, 0);
    CHECK(somnus::saccade_synthesizer(quiet(), 3).synthesize(blank, 28, 28, 0).empty());

    somnus::saccade_params p;
    p.noise_rate_hz = 100.0f;
    p.noise_on_fraction = 0.25f;
    const somnus::saccade_synthesizer syn(p, 3);
    const auto rec = syn.synthesize(blank, 28, 28, 0);
    // 100 Hz x 1156 pixels x 0.315 s = 36 414 expected; Poisson sd 191.
    CHECK(double(rec.size()) == doctest::Approx(36414.0).epsilon(0.03));
    CHECK(double(somnus::summarize(rec).on) / double(rec.size()) == doctest::Approx(0.25).epsilon(0.05));
}

TEST_CASE("saccade: no pixel fires twice within the refractory period")
{
    somnus::saccade_params p = quiet();
    p.refractory_us = 3000;
    const auto img = digit(true);
    const auto with = somnus::saccade_synthesizer(p, 0).synthesize(img, 28, 28, 0);
    p.refractory_us = 0;
    const auto without = somnus::saccade_synthesizer(p, 0).synthesize(img, 28, 28, 0);
    CHECK(with.size() < without.size());
    std::map<int, std::uint32_t> last;
    std::size_t checked = 0;
    for (const auto& e : with) {
        const int px = e.y * 34 + e.x;
        if (last.count(px)) {
            CHECK(e.t_us - last[px] >= 2999);  // times are floored to whole microseconds
            ++checked;
        }
        last[px] = e.t_us;
    }
    CHECK(checked > 100);
}

TEST_CASE("saccade: a synthesised recording goes through the N-MNIST writer, folder loader and frames unchanged")
{
    somnus_test::scratch_dir dir("saccade-tree");
    const somnus::saccade_synthesizer syn(somnus::saccade_params{}, 11);
    const auto rec = syn.synthesize(digit(true), 28, 28, 0);
    std::filesystem::create_directories(dir / "Train/0");
    somnus::write_nmnist(dir.path() / "Train/0/00001.bin", rec);
    const somnus::nmnist_folder folder(dir.path(), somnus::mnist_split::train);
    REQUIRE(folder.size() == 1);
    const auto back = folder.events(0);
    CHECK(back == rec);
    const auto f1 = somnus::accumulate_frames(rec, {34, 34});
    const auto f2 = somnus::accumulate_frames(back, folder.sensor());
    CHECK(f1 == f2);
    CHECK(f1.shape()[0] == rec.back().t_us / 1000 + 1);
}

TEST_CASE("saccade: bad parameters and images are config_errors")
{
    using somnus::config_error;
    somnus::saccade_params p;
    p.black_level = 0.0f;
    CHECK_THROWS_AS(somnus::saccade_synthesizer(p, 0), config_error);
    p = {};
    p.on_threshold = -1.0f;
    CHECK_THROWS_AS(somnus::saccade_synthesizer(p, 0), config_error);
    p = {};
    p.corners_px[1][0] = std::nanf("");
    CHECK_THROWS_AS(somnus::saccade_synthesizer(p, 0), config_error);
    const somnus::saccade_synthesizer syn(somnus::saccade_params{}, 0);
    const std::vector<std::uint8_t> img(27 * 28);
    CHECK(somnus_test::contains(somnus_test::thrown<config_error>([&] { syn.synthesize(img, 28, 28, 0); }),
                                "image of 756 bytes is not 28 x 28"));
}

}
