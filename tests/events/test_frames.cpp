#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include <somnus/data/events.hpp>

#include "../io/scratch.hpp"

using somnus::event;
using somnus::sensor_size;
using somnus_test::contains;
using somnus_test::thrown;

TEST_SUITE("events") {

TEST_CASE("summarize: counts, polarity and time span")
{
    const std::vector<event> ev{{100, 0, 0, true}, {150, 1, 0, false}, {400, 2, 2, true}, {900, 2, 2, true}};
    const auto s = somnus::summarize(ev);
    CHECK(s.events == 4);
    CHECK(s.on == 3);
    CHECK(s.off == 1);
    CHECK(s.first_us == 100);
    CHECK(s.last_us == 900);
    CHECK(s.duration_us() == 800);
    CHECK(s.on_off_ratio() == doctest::Approx(3.0));
    CHECK(somnus::summarize({}).events == 0);
}

TEST_CASE("accumulate_frames: hand-computed counts in [T, 2, H, W]")
{
    const sensor_size s{4, 3};
    const std::vector<event> ev{
        {0, 0, 0, true},       // frame 0, ON, (x0, y0)
        {999, 0, 0, true},     // same bin: count 2
        {999, 3, 2, false},    // frame 0, OFF, (x3, y2)
        {1000, 3, 2, false},   // frame 1
        {2500, 1, 1, true},    // frame 2
        {2999, 1, 1, false},   // frame 2, OFF
    };
    const auto f = somnus::accumulate_frames(ev, s);  // 1000 us windows, frames to hold the last event
    REQUIRE(f.shape()[0] == 3);
    REQUIRE(f.shape()[1] == 2);
    REQUIRE(f.shape()[2] == 3);
    REQUIRE(f.shape()[3] == 4);
    CHECK(f(0, 1, 0, 0) == 2.0f);
    CHECK(f(0, 0, 2, 3) == 1.0f);
    CHECK(f(1, 0, 2, 3) == 1.0f);
    CHECK(f(2, 1, 1, 1) == 1.0f);
    CHECK(f(2, 0, 1, 1) == 1.0f);
    float total = 0.0f;
    for (const float v : f) total += v;
    CHECK(total == 6.0f);

    // Fixed count and start: frame k covers [500 + 2000k, 500 + 2000(k+1)).
    const auto g = somnus::accumulate_frames(ev, s, {2000, 1, 500});
    REQUIRE(g.shape()[0] == 1);
    CHECK(g(0, 1, 0, 0) == 1.0f);  // 999; the event at 0 is before the start
    CHECK(g(0, 0, 2, 3) == 2.0f);  // 999 and 1000
    CHECK(g(0, 1, 1, 1) == 0.0f);  // 2500 is in frame 1, which is not kept
    total = 0.0f;
    for (const float v : g) total += v;
    CHECK(total == 3.0f);

    CHECK(somnus::accumulate_frames({}, s).shape()[0] == 0);
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::accumulate_frames(std::vector<event>{{0, 4, 0, true}}, s); }),
                   "event 0 at x=4, y=0 is outside the 4x3 sensor"));
}

TEST_CASE("denoise: an event with a neighbour within the window is kept, an isolated one dropped")
{
    const sensor_size s{10, 10};
    const std::vector<event> ev{
        {1000, 5, 5, true},    // 0: first of a pair: nothing before it
        {1500, 6, 6, false},   // 1: diagonal neighbour 500 us earlier: kept
        {2000, 0, 9, true},    // 2: isolated: dropped
        {3000, 0, 9, true},    // 3: same pixel only: the pixel itself does not count
        {11500, 7, 6, true},   // 4: neighbour (6,6) exactly 10 000 us earlier: kept
        {21501, 8, 6, true},   // 5: neighbour (7,6) 10 001 us earlier: dropped
    };
    const auto kept = somnus::denoise(ev, s);
    CHECK(kept == std::vector<event>{ev[1], ev[4]});

    // Two-sided: a later neighbour supports as well, so the first of the pair stays.
    const auto both = somnus::denoise(ev, s, {10000, true});
    CHECK(both == std::vector<event>{ev[0], ev[1], ev[4]});

    // Corners and edges: neighbours outside the sensor are not looked at.
    const std::vector<event> corner{{0, 0, 0, true}, {10, 1, 1, true}, {20, 9, 9, false}, {30, 8, 9, false}};
    CHECK(somnus::denoise(corner, s, {100, false}) == std::vector<event>{corner[1], corner[3]});

    CHECK(contains(thrown<somnus::config_error>([&] {
                       somnus::denoise(std::vector<event>{{5, 1, 1, true}, {4, 1, 1, true}}, s);
                   }),
                   "event 1 at 4 us follows 5 us"));
}

TEST_CASE("render_frame_strip: frames side by side, ON green, OFF magenta")
{
    const sensor_size s{2, 2};
    const std::vector<event> ev{{0, 0, 0, true}, {0, 0, 0, true}, {1000, 1, 1, false}};
    const auto img = somnus::render_frame_strip(somnus::accumulate_frames(ev, s), 3);
    CHECK(img.width == 2 * (2 * 3 + 1) + 1);
    CHECK(img.height == 2 * 3 + 2);
    REQUIRE(img.pixels.size() == img.width * img.height * 3);
    const auto px = [&](std::size_t x, std::size_t y) {
        const auto* p = &img.pixels[(y * img.width + x) * 3];
        return std::vector<int>{p[0], p[1], p[2]};
    };
    CHECK(px(0, 0) == std::vector<int>{96, 96, 96});        // border
    CHECK(px(1, 1) == std::vector<int>{0, 255, 0});         // frame 0, pixel (0,0): 2 ON (the maximum)
    CHECK(px(4, 4) == std::vector<int>{0, 0, 0});           // frame 0, pixel (1,1): nothing
    CHECK(px(8 + 4, 4) == std::vector<int>{128, 0, 128});   // frame 1, pixel (1,1): 1 OFF = half the maximum
}

}
