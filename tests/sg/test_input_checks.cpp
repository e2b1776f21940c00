// SPDX-License-Identifier: MIT
// The trainer's checks of what it is given, at its boundary: NaN or infinite
// inputs and malformed sparse samples are refused with the sample's index
// and the problem, before any sample runs and before Adam moves a weight;
// the frame file and channels_last refuse the same.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <somnus/sg/adam.hpp>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/sleep.hpp>
#include <somnus/sg/train.hpp>

#include "../io/scratch.hpp"

using namespace somnus;
using namespace somnus::sg;

namespace {

using small_t = sequential<linear, leaky<>, linear, leaky<>>;

small_t small_model()
{
    const leaky<>::params lif{0.9f, 1.0f, true};
    return small_t({6, 1, 1}, linear(6, 8), leaky<>(lif), linear(8, 3), leaky<>(lif));
}

/// Two good samples of three frames over 6 inputs; the caller breaks one.
struct samples {
    std::vector<std::uint32_t> offsets0{0, 2, 3, 5}, index0{0, 4, 2, 1, 5};
    std::vector<float> value0{1, 1, 2, 1, 1};
    std::vector<std::uint32_t> offsets1{0, 1, 1, 2}, index1{3, 0};
    std::vector<float> value1{1, 0.5f};

    std::vector<frame_sample> views() const { return {{offsets0, index0, value0, 1}, {offsets1, index1, value1, 2}}; }
};

} // namespace

TEST_SUITE("sg") {

TEST_CASE("regression (issue 23): the trainer refuses NaN or infinite inputs and malformed sparse samples, naming the sample")
{
    const auto net = small_model();
    std::vector<float> w(net.parameter_count());
    net.init(w, 1);
    trainer<small_t> t(net, 1);
    adam opt(w.size());
    {
        const samples good;
        const auto v = good.views();
        CHECK_NOTHROW(t.evaluate(w, v));
    }
    const auto refused = [&](const samples& s, const char* what) {
        const auto before = w;
        const auto v = s.views();
        CHECK_THROWS_WITH_AS(t.train_step(w, opt, v), doctest::Contains(what), config_error);
        CHECK_THROWS_WITH_AS(t.evaluate(w, v), doctest::Contains(what), config_error);
        CHECK(w == before);  // refused before Adam moved anything
    };
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    samples s;
    s.value1[1] = nan;
    refused(s, "sample 1: frame 2: input 0 has the value nan");
    s = {};
    s.value0[3] = -inf;
    refused(s, "sample 0: frame 2: input 1 has the value -inf");
    // Offsets that do not start at 0: the entries before would be ignored.
    s = {};
    s.offsets1 = {1, 1, 1, 2};
    refused(s, "sample 1: frame offsets run from 1 to 2");
    // Offsets that overshoot the entries and come back: frame 0 would read
    // past the end before the decrease was seen.
    s = {};
    s.offsets0 = {0, 100, 3, 5};
    refused(s, "sample 0: frame 1: offsets decrease");
    // Entries without any frame.
    s = {};
    s.offsets1.clear();
    refused(s, "sample 1: 2 entries but no frame offsets");
    s = {};
    s.value1.pop_back();
    refused(s, "sample 1: 2 input indices but 1 values");
    s = {};
    s.index0[2] = 6;
    refused(s, "sample 0: frame 1: input index 6 outside the model's 6 inputs");
    s = {};
    s.index0[1] = 0;
    refused(s, "sample 0: frame 0: input indices not increasing");

    // Static samples: a NaN or infinite pixel.
    std::vector<float> x0(6, 0.5f), x1(6, 0.25f);
    x1[4] = inf;
    const std::vector<static_sample> statics{{x0, 0}, {x1, 1}};
    CHECK_THROWS_WITH_AS(t.train_step(w, opt, statics, 5), doctest::Contains("sample 1: input 4 has the value inf"), config_error);
    x1[4] = nan;
    CHECK_THROWS_WITH_AS(t.evaluate(w, std::span<const static_sample>(statics), 5), doctest::Contains("sample 1: input 4 has the value nan"),
                         config_error);
}

TEST_CASE("regression (issue 23): frame files with NaN values and malformed frames for channels_last are refused")
{
    frame_set set;
    set.shape = {2, 2, 2};
    set.add(1, {0, 1, 3}, {0, 5, 7}, {1.0f, 1.0f, 2.0f});
    set.add(0, {0, 1}, {3}, {std::numeric_limits<float>::quiet_NaN()});
    const somnus_test::scratch_dir dir("sgf");
    write_frame_file(dir / "nan.sgf", set);
    CHECK_THROWS_WITH_AS(read_frame_file(dir / "nan.sgf"), doctest::Contains("sample 1: entry 0 has the value nan"), data_error);

    std::vector<std::uint32_t> index;
    std::vector<float> value;
    const std::vector<std::uint32_t> chw{0, 5, 7};
    const std::vector<float> v{1.0f, 1.0f, 2.0f};
    const std::vector<std::uint32_t> overshoot{0, 100, 3};
    CHECK_THROWS_WITH_AS(channels_last(overshoot, chw, v, set.shape, index, value), doctest::Contains("offsets decrease"), config_error);
    const std::vector<std::uint32_t> too_many{0, 1, 4};
    CHECK_THROWS_AS(channels_last(too_many, chw, v, set.shape, index, value), config_error);
    const std::vector<std::uint32_t> ok{0, 1, 3}, outside{0, 8, 7};
    CHECK_THROWS_WITH_AS(channels_last(ok, outside, v, set.shape, index, value), doctest::Contains("index 8 outside a frame of 8"),
                         config_error);
    CHECK_THROWS_AS(channels_last(set, 2, index, value), config_error);
    channels_last(ok, chw, v, set.shape, index, value);
    CHECK(index == std::vector<std::uint32_t>{0, 3, 7});  // (c, y, x) = (0,0,0), (1,0,1), (1,1,1) channels-last
}

TEST_CASE("regression (issue 23): sg::sleep_phase refuses a duration too long to count in steps instead of running for ever")
{
    const auto net = make_gupta_member();
    std::vector<float> w(net.parameter_count());
    net.init(w, 2);
    const auto w0 = w;
    sleep_params p;
    CHECK_THROWS_WITH_AS(sleep_phase(net, w, 1e300, p, 0), doctest::Contains("2^40"), config_error);
    p.dt_ms = 1e-30f;
    CHECK_THROWS_WITH_AS(sleep_phase(net, w, 1000.0, p, 0), doctest::Contains("duration_ms"), config_error);
    p = {};
    p.decay.every_ms = 1e300;
    CHECK_THROWS_WITH_AS(sleep_phase(net, w, 10.0, p, 0), doctest::Contains("decay.every_ms"), config_error);
    CHECK(w == w0);
}

} // TEST_SUITE
