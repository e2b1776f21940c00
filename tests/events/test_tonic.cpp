// SPDX-License-Identifier: MIT
// tonic's Denoise and ToFrame (data/tonic.hpp): hand-computed cases, a naive
// restatement of each definition on random and synthesised streams, the
// sparse frames against the dense ones, and the tonic test recording when
// SOMNUS_TONIC_NMNIST_SAMPLE names it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include <somnus/data/events.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/saccade.hpp>
#include <somnus/data/tonic.hpp>

#include "../io/scratch.hpp"

using somnus::event;
using somnus::sensor_size;
using somnus_test::contains;
using somnus_test::thrown;

namespace {

/// tonic's Denoise stated without the per-pixel memory: event i is kept if
/// an earlier event in the list at a 4-neighbour fired less than filter_time
/// before it, or if it is earlier than filter_time and has a 4-neighbour
/// inside the (max x + 1) x (max y + 1) box of all the events (that
/// neighbour's memory still holds its initial filter_time).
std::vector<event> naive_tonic_denoise(const std::vector<event>& ev, std::uint32_t filter_time)
{
    int max_x = 0, max_y = 0;
    for (const auto& e : ev) {
        max_x = std::max<int>(max_x, e.x);
        max_y = std::max<int>(max_y, e.y);
    }
    std::vector<event> kept;
    for (std::size_t i = 0; i < ev.size(); ++i) {
        const int x = ev[i].x, y = ev[i].y;
        bool ok = false;
        for (std::size_t j = 0; j < i && !ok; ++j) {
            const int dx = std::abs(int(ev[j].x) - x), dy = std::abs(int(ev[j].y) - y);
            ok = dx + dy == 1 && std::uint64_t{ev[j].t_us} + filter_time > ev[i].t_us;
        }
        const bool has_neighbour = x > 0 || x < max_x || y > 0 || y < max_y;
        if (ok || (ev[i].t_us < filter_time && has_neighbour)) kept.push_back(ev[i]);
    }
    return kept;
}

/// tonic's ToFrame stated window by window: whole windows from the first
/// event while they end at or before the last event, at least one; each
/// event counted in the windows [start, end) that hold it.
xt::xtensor<float, 4> naive_tonic_to_frame(const std::vector<event>& ev, sensor_size s, std::uint32_t window)
{
    std::size_t n = 1;
    xt::xtensor<float, 4> f = xt::zeros<float>({n, std::size_t{2}, std::size_t{s.height}, std::size_t{s.width}});
    if (ev.empty()) return f;
    while (std::uint64_t{ev.front().t_us} + (n + 1) * std::uint64_t{window} <= ev.back().t_us) ++n;
    f = xt::zeros<float>({n, std::size_t{2}, std::size_t{s.height}, std::size_t{s.width}});
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t start = ev.front().t_us + k * std::uint64_t{window}, end = start + window;
        for (const auto& e : ev)
            if (e.t_us >= start && e.t_us < end) f(k, e.on ? 1 : 0, e.y, e.x) += 1.0f;
    }
    return f;
}

/// Events on an s-sized sensor in time order: gaps of 0 .. max_gap us (equal
/// times included), starting anywhere in 0 .. first_max us.
std::vector<event> random_events(std::mt19937& rng, sensor_size s, std::size_t n, std::uint32_t max_gap,
                                 std::uint32_t first_max)
{
    std::vector<event> ev(n);
    std::uint32_t t = static_cast<std::uint32_t>(rng() % (first_max + 1));
    for (auto& e : ev) {
        e.t_us = t;
        e.x = static_cast<std::uint16_t>(rng() % s.width);
        e.y = static_cast<std::uint16_t>(rng() % s.height);
        e.on = rng() & 1u;
        t += static_cast<std::uint32_t>(rng() % (max_gap + 1));
    }
    return ev;
}

bool same(const xt::xtensor<float, 4>& a, const xt::xtensor<float, 4>& b)
{
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}

float total(const xt::xtensor<float, 4>& f)
{
    float s = 0.0f;
    for (const float v : f) s += v;
    return s;
}

} // namespace

TEST_SUITE("events") {

TEST_CASE("tonic_denoise: 4 neighbours, strict window, memory written for dropped events too")
{
    const sensor_size s{10, 10};
    const std::vector<event> ev{
        {200, 5, 5, true},   // 0: no neighbour has fired and t >= filter_time: dropped
        {250, 6, 5, false},  // 1: (5,5) fired 50 us earlier: kept
        {300, 5, 6, true},   // 2: (5,5) fired exactly 100 us earlier, not less: dropped
        {320, 6, 6, true},   // 3: (5,6) fired 20 us earlier; event 2 was dropped but wrote its pixel: kept
        {330, 7, 7, true},   // 4: (6,6) is a diagonal, not one of the 4 neighbours: dropped
        {340, 7, 7, true},   // 5: the pixel itself does not count: dropped
    };
    CHECK(somnus::tonic_denoise(ev, s, 100) == std::vector<event>{ev[1], ev[3]});
    // The library's filter: 8 neighbours, window inclusive, so 2, 4 and 5 stay too.
    CHECK(somnus::denoise(ev, s, {100, false}) == std::vector<event>{ev[1], ev[2], ev[3], ev[4], ev[5]});
}

TEST_CASE("tonic_denoise: the memory starts at filter_time, so every event before it passes")
{
    const sensor_size s{10, 10};
    const std::vector<event> ev{
        {0, 3, 3, true},      // nothing fired anywhere yet: kept
        {5000, 8, 1, false},  // kept
        {9999, 0, 0, true},   // a corner: its neighbours (1,0) and (0,1) are in the memory: kept
        {10000, 9, 9, true},  // not earlier than filter_time and no neighbour fired: dropped
    };
    CHECK(somnus::tonic_denoise(ev, s) == std::vector<event>{ev[0], ev[1], ev[2]});
    CHECK(somnus::denoise(ev, s).empty());  // the library's needs a neighbour that fired

    // tonic sizes the memory from the events: all at (0, 0) is a 1 x 1
    // memory with no neighbour to read, so even early events are dropped ...
    const std::vector<event> origin{{0, 0, 0, true}, {1, 0, 0, false}};
    CHECK(somnus::tonic_denoise(origin, s).empty());
    // ... while one event anywhere else gives (0, 0) a neighbour in the memory.
    const std::vector<event> widened{{0, 0, 0, true}, {1, 0, 0, false}, {2, 4, 0, true}};
    CHECK(somnus::tonic_denoise(widened, s) == widened);
    // A single column: the memory is 1 wide, and the neighbours above and below count.
    const std::vector<event> column{{0, 0, 0, true}, {1, 0, 3, false}};
    CHECK(somnus::tonic_denoise(column, s) == column);

    CHECK(somnus::tonic_denoise(ev, s, 0).empty());  // filter_time 0 keeps nothing
    CHECK(somnus::tonic_denoise({}, s).empty());
}

TEST_CASE("tonic_denoise: border pixels read only the neighbours inside the memory, never wrapping a row")
{
    const sensor_size s{10, 10};
    const std::vector<event> ev{
        {20000, 9, 9, true},  // 0: fixes the memory at 10 x 10; isolated: dropped
        {20001, 0, 0, true},  // 1: isolated: dropped
        {20002, 1, 0, true},  // 2: (0,0) 1 us before: kept
        {20003, 0, 1, true},  // 3: (0,0): kept
        {20004, 9, 8, true},  // 4: (9,9): kept
        {20005, 9, 3, true},  // 5: isolated: dropped
        {20006, 0, 4, true},  // 6: (9,3) is the pixel before (0,4) in row-major order, not a neighbour: dropped
        {20007, 9, 5, true},  // 7: isolated: dropped; (0,6) follows it in row-major order ...
        {20008, 0, 6, true},  // 8: ... so this one is isolated too: dropped
        {20009, 8, 5, true},  // 9: (9,5): kept
    };
    CHECK(somnus::tonic_denoise(ev, s) == std::vector<event>{ev[2], ev[3], ev[4], ev[9]});
    CHECK(somnus::tonic_denoise(ev, s) == naive_tonic_denoise(ev, 10000));
}

TEST_CASE("tonic_denoise: of two neighbours at the same time, only the later in the list is supported")
{
    const sensor_size s{10, 10};
    const std::vector<event> ev{{500, 4, 4, true}, {500, 5, 4, true}};
    CHECK(somnus::tonic_denoise(ev, s, 100) == std::vector<event>{ev[1]});
}

TEST_CASE("tonic_denoise: off the sensor or out of time order is a config_error")
{
    const sensor_size s{4, 3};
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::tonic_denoise(std::vector<event>{{0, 1, 3, true}}, s); }),
                   "tonic_denoise: event 0 at x=1, y=3 is outside the 4x3 sensor"));
    CHECK(contains(thrown<somnus::config_error>([&] {
                       somnus::tonic_denoise(std::vector<event>{{5, 1, 1, true}, {4, 1, 1, true}}, s);
                   }),
                   "tonic_denoise: events must be in time order; event 1 at 4 us follows 5 us"));
}

TEST_CASE("tonic_frame_count: whole windows from the first event, at least one")
{
    CHECK(somnus::tonic_frame_count(654, 311175, 1000) == 310);  // the tonic test recording (DESIGN.md section 8)
    CHECK(somnus::tonic_frame_count(654, 311175) == 310);
    CHECK(somnus::tonic_frame_count(0, 0) == 1);
    CHECK(somnus::tonic_frame_count(100, 1099) == 1);  // shorter than a window
    CHECK(somnus::tonic_frame_count(100, 1100) == 1);  // exactly one window: the last event is left out
    CHECK(somnus::tonic_frame_count(100, 2099) == 1);
    CHECK(somnus::tonic_frame_count(100, 2100) == 2);
    CHECK(somnus::tonic_frame_count(0, 4'294'967'295u, 1) == 4'294'967'295u);
    CHECK(contains(thrown<somnus::config_error>([] { somnus::tonic_frame_count(0, 10, 0); }),
                   "time_window_us must be positive"));
    CHECK(contains(thrown<somnus::config_error>([] { somnus::tonic_frame_count(10, 9); }), "last_us 9 is before first_us 10"));
}

TEST_CASE("tonic_to_frame: frames from the first event, boundary events open the next frame, the partial window is dropped")
{
    const sensor_size s{4, 3};
    const std::vector<event> ev{
        {500, 0, 0, true},    // frame 0 = [500, 1500), ON
        {1499, 0, 0, true},   // frame 0: count 2
        {1500, 3, 2, false},  // on the boundary: frame 1 = [1500, 2500), OFF
        {2499, 1, 1, false},  // frame 1
        {2500, 1, 1, true},   // [2500, 3500) is not whole (last event 3400): dropped
        {3400, 2, 2, true},   // dropped
    };
    const auto f = somnus::tonic_to_frame(ev, s);
    REQUIRE(f.shape()[0] == 2);
    REQUIRE(f.shape()[1] == 2);
    REQUIRE(f.shape()[2] == 3);
    REQUIRE(f.shape()[3] == 4);
    CHECK(f(0, 1, 0, 0) == 2.0f);
    CHECK(f(1, 0, 2, 3) == 1.0f);
    CHECK(f(1, 0, 1, 1) == 1.0f);
    CHECK(f(1, 1, 1, 1) == 0.0f);
    CHECK(total(f) == 4.0f);
    CHECK(same(f, naive_tonic_to_frame(ev, s, 1000)));

    // The library's frames start at 0 and go on to hold the last event.
    const auto g = somnus::accumulate_frames(ev, s);
    CHECK(g.shape()[0] == 4);
    CHECK(total(g) == 6.0f);
}

TEST_CASE("tonic_to_frame: short recordings, the DESIGN.md time span, polarity channels, empty input")
{
    const sensor_size s{4, 3};
    // Shorter than one window: one frame holding everything.
    const auto a = somnus::tonic_to_frame(std::vector<event>{{100, 1, 0, false}, {1099, 2, 1, true}}, s);
    REQUIRE(a.shape()[0] == 1);
    CHECK(a(0, 0, 0, 1) == 1.0f);  // OFF is channel 0
    CHECK(a(0, 1, 1, 2) == 1.0f);  // ON is channel 1
    CHECK(total(a) == 2.0f);
    // Exactly one window long: still one frame, and the last event is out of it.
    const auto b = somnus::tonic_to_frame(std::vector<event>{{100, 1, 0, false}, {1100, 2, 1, true}}, s);
    REQUIRE(b.shape()[0] == 1);
    CHECK(total(b) == 1.0f);

    // 654 .. 311 175 us: 310 frames; an event at 310 653 is in the last, one at 310 654 past it.
    const std::vector<event> span{{654, 0, 0, true}, {310653, 1, 0, false}, {310654, 2, 0, true}, {311175, 3, 0, false}};
    const auto c = somnus::tonic_to_frame(span, s);
    REQUIRE(c.shape()[0] == 310);
    CHECK(c(0, 1, 0, 0) == 1.0f);
    CHECK(c(309, 0, 0, 1) == 1.0f);
    CHECK(total(c) == 2.0f);

    // No events: one empty frame, as tonic's ToFrame.
    const auto d = somnus::tonic_to_frame({}, s);
    REQUIRE(d.shape()[0] == 1);
    CHECK(d.shape()[1] == 2);
    CHECK(total(d) == 0.0f);
}

TEST_CASE("tonic_to_frame: zero window, events off the sensor or out of order are config_errors")
{
    const sensor_size s{4, 3};
    const std::vector<event> ok{{0, 1, 1, true}};
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::tonic_to_frame(ok, s, 0); }),
                   "tonic_to_frame: time_window_us must be positive"));
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::tonic_to_sparse_frames(ok, s, 0); }),
                   "tonic_to_sparse_frames: time_window_us must be positive"));
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::tonic_to_frame(std::vector<event>{{0, 4, 0, true}}, s); }),
                   "tonic_to_frame: event 0 at x=4, y=0 is outside the 4x3 sensor"));
    CHECK(contains(thrown<somnus::config_error>([&] {
                       somnus::tonic_to_sparse_frames(std::vector<event>{{9, 1, 1, true}, {3, 1, 1, true}}, s);
                   }),
                   "tonic_to_sparse_frames: events must be in time order; event 1 at 3 us follows 9 us"));
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::accumulate_sparse_frames(ok, s, {0, 0, 0}); }),
                   "accumulate_sparse_frames: window_us must be positive"));
}

TEST_CASE("tonic transforms equal a naive restatement on random streams")
{
    std::mt19937 rng(20240611);
    const std::uint32_t filter_times[] = {0, 1, 50, 100, 1000};
    const std::uint32_t windows[] = {1, 7, 100, 1000};
    std::size_t kept_some = 0, dropped_some = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const sensor_size s{static_cast<std::uint16_t>(1 + rng() % 6), static_cast<std::uint16_t>(1 + rng() % 5)};
        const std::uint32_t ft = filter_times[rng() % 5], window = windows[rng() % 4];
        const std::size_t n = rng() % 120;
        const std::uint32_t max_gap = 1 + rng() % 60;
        const auto ev = random_events(rng, s, n, max_gap, 2 * ft);
        CAPTURE(trial);
        const auto kept = somnus::tonic_denoise(ev, s, ft);
        CHECK(kept == naive_tonic_denoise(ev, ft));
        kept_some += !kept.empty();
        dropped_some += kept.size() < ev.size();
        const auto f = somnus::tonic_to_frame(ev, s, window);
        CHECK(same(f, naive_tonic_to_frame(ev, s, window)));
        const auto sparse = somnus::tonic_to_sparse_frames(ev, s, window);
        CHECK(sparse == somnus::to_sparse_frames(f));
        CHECK(same(sparse.to_dense(), f));
    }
    CHECK(kept_some > 100);  // the streams exercise both outcomes
    CHECK(dropped_some > 100);
}

TEST_CASE("tonic transforms equal a naive restatement on synthesised N-MNIST recordings")
{
    const somnus::saccade_synthesizer synth(somnus::saccade_params{}, 7);
    std::vector<std::uint8_t> image(28 * 28, 0);
    for (std::size_t r = 6; r < 22; ++r)
        for (std::size_t c = 9; c < 19; ++c) image[r * 28 + c] = static_cast<std::uint8_t>(r * 11 + c * 3);
    for (std::uint64_t sample = 0; sample < 2; ++sample) {
        const auto ev = synth.synthesize(image, 28, 28, sample);
        const sensor_size s = synth.params().sensor;
        REQUIRE(ev.size() > 500);
        const auto kept = somnus::tonic_denoise(ev, s);
        CHECK(kept == naive_tonic_denoise(ev, 10000));
        CHECK(kept.size() < ev.size());
        const auto f = somnus::tonic_to_frame(kept, s);
        CHECK(same(f, naive_tonic_to_frame(kept, s, 1000)));
        CHECK(f.shape()[0] == somnus::tonic_frame_count(kept.front().t_us, kept.back().t_us));
        CHECK(somnus::tonic_to_sparse_frames(kept, s) == somnus::to_sparse_frames(f));
    }
}

TEST_CASE("sparse_frames: flat index (p * H + y) * W + x, counts, increasing order, padding")
{
    const sensor_size s{4, 3};
    const std::vector<event> ev{{0, 3, 2, true}, {10, 0, 1, false}, {20, 3, 2, true}, {1000, 1, 0, false}, {2000, 0, 0, true}};
    const auto sp = somnus::tonic_to_sparse_frames(ev, s);
    REQUIRE(sp.frames == 2);
    CHECK(sp.channels == 2);
    CHECK(sp.height == 3);
    CHECK(sp.width == 4);
    CHECK(sp.frame_size() == 24);
    CHECK(sp.offsets == std::vector<std::uint32_t>{0, 2, 3});
    CHECK(sp.index == std::vector<std::uint32_t>{4, 23, 1});  // (0*3+1)*4+0, (1*3+2)*4+3; (0*3+0)*4+1
    CHECK(sp.value == std::vector<float>{1.0f, 2.0f, 1.0f});
    CHECK(sp.nonzeros() == 3);
    CHECK(sp.index_at(1).size() == 1);
    CHECK(sp.value_at(0)[1] == 2.0f);

    auto padded = sp;
    padded.pad_to(5);
    CHECK(padded.frames == 5);
    CHECK(padded.offsets == std::vector<std::uint32_t>{0, 2, 3, 3, 3, 3});
    const auto dense = padded.to_dense();
    CHECK(dense.shape()[0] == 5);
    CHECK(total(dense) == 4.0f);
    CHECK(contains(thrown<somnus::config_error>([&] { padded.pad_to(4); }), "4 frames is fewer than the 5 held"));

    const auto empty = somnus::tonic_to_sparse_frames({}, s);
    CHECK(empty.frames == 1);
    CHECK(empty.offsets == std::vector<std::uint32_t>{0, 0});
    CHECK(somnus::accumulate_sparse_frames({}, s).frames == 0);
}

TEST_CASE("accumulate_sparse_frames equals accumulate_frames, start, frame count and order of events free")
{
    std::mt19937 rng(5);
    for (int trial = 0; trial < 300; ++trial) {
        const sensor_size s{static_cast<std::uint16_t>(1 + rng() % 7), static_cast<std::uint16_t>(1 + rng() % 7)};
        const std::size_t n = rng() % 100;
        const std::uint32_t max_gap = rng() % 300;
        auto ev = random_events(rng, s, n, max_gap, 500);
        if (trial % 3 == 0) std::shuffle(ev.begin(), ev.end(), rng);  // the library's framing needs no time order
        const somnus::frame_params p{static_cast<std::uint32_t>(1 + rng() % 400), rng() % 4 == 0 ? rng() % 6 : 0,
                                     static_cast<std::uint32_t>(rng() % 3 == 0 ? rng() % 2000 : 0)};
        CAPTURE(trial);
        const auto dense = somnus::accumulate_frames(ev, s, p);
        const auto sparse = somnus::accumulate_sparse_frames(ev, s, p);
        CHECK(sparse == somnus::to_sparse_frames(dense));
        CHECK(same(sparse.to_dense(), dense));
    }
}

TEST_CASE("to_sparse_frames keeps any non-zero value of any channel count")
{
    xt::xtensor<float, 4> d = xt::zeros<float>({std::size_t{2}, std::size_t{3}, std::size_t{2}, std::size_t{2}});
    d(0, 2, 1, 0) = 0.5f;
    d(1, 0, 0, 1) = -3.0f;
    const auto s = somnus::to_sparse_frames(d);
    CHECK(s.channels == 3);
    CHECK(s.offsets == std::vector<std::uint32_t>{0, 1, 2});
    CHECK(s.index == std::vector<std::uint32_t>{10, 1});
    CHECK(s.value == std::vector<float>{0.5f, -3.0f});
    CHECK(same(s.to_dense(), d));
}

// tonic's test recording (test/test_data/sample_nmnist.bin in neuromorphs/tonic,
// 21 625 bytes; not shipped here). The figures were computed by running tonic's
// own denoise_numpy and to_frame_numpy (commit d0cb6df, 2025) on that file.
TEST_CASE("tonic test recording: 4 325 events, 4 012 after Denoise(10000), 310 frames")
{
    const char* path = std::getenv("SOMNUS_TONIC_NMNIST_SAMPLE");
    if (!path || !std::filesystem::is_regular_file(path)) {
        MESSAGE("SOMNUS_TONIC_NMNIST_SAMPLE not set or not a file; skipping the tonic recording check");
        return;
    }
    const sensor_size s{34, 34};
    const auto ev = somnus::read_nmnist(path, s);
    const auto st = somnus::summarize(ev);
    CHECK(st.events == 4325);
    CHECK(st.on == 2145);
    CHECK(st.off == 2180);
    CHECK(st.first_us == 654);
    CHECK(st.last_us == 311175);
    const auto kept = somnus::tonic_denoise(ev, s);
    CHECK(kept.size() == 4012);
    std::size_t on = 0;
    std::uint64_t t_sum = 0;
    for (const auto& e : kept) {
        on += e.on;
        t_sum += e.t_us;
    }
    CHECK(on == 1927);
    CHECK(t_sum == 645162858u);
    const auto f = somnus::tonic_to_frame(kept, s);
    REQUIRE(f.shape()[0] == 310);
    std::uint64_t weighted = 0;
    std::size_t i = 0, nonzero = 0;
    float top = 0.0f;
    for (const float v : f) {
        weighted += static_cast<std::uint64_t>(v) * (i++ % 9973 + 1);
        nonzero += v != 0.0f;
        top = std::max(top, v);
    }
    CHECK(total(f) == 4011.0f);
    CHECK(nonzero == 4007);
    CHECK(top == 2.0f);
    CHECK(weighted == 20034313u);
    CHECK(somnus::tonic_to_sparse_frames(kept, s) == somnus::to_sparse_frames(f));
}

} // TEST_SUITE
