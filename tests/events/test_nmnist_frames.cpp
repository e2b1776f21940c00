#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <somnus/data/nmnist_frames.hpp>

#include "../io/scratch.hpp"

using somnus::event;
using somnus_test::contains;
using somnus_test::thrown;

namespace {

/// Two neighbouring events at 0 and two at `end_us` (each pair passes both
/// denoise filters), with events at pixel (5, 5) every 4 s between, so that
/// the 23-bit timestamps wrap around.
std::vector<event> spanning(std::uint32_t end_us)
{
    std::vector<event> e{{0, 1, 1, true}, {0, 2, 1, true}};
    for (std::uint32_t t = 4'000'000; t < end_us; t += 4'000'000) e.push_back({t, 5, 5, false});
    e.push_back({end_us, 1, 1, true});
    e.push_back({end_us + 1, 2, 1, true});
    return e;
}

} // namespace

TEST_CASE("regression: an N-MNIST recording spanning a long time is refused by its frame count before its frames are built")
{
    somnus_test::scratch_dir dir("nmnist-long-recording");
    const auto root = dir.path();
    std::filesystem::create_directories(root / "Test/3");
    // 70 minutes in about 5 KB; then 2 s.
    somnus::write_nmnist(root / "Test/3/00001.bin", spanning(4'000'000'000u));
    somnus::write_nmnist(root / "Test/3/00002.bin", spanning(2'000'000));
    const somnus::nmnist_folder test(root, somnus::mnist_split::test);
    CHECK(std::filesystem::file_size(test.sample(0).path) < 6000);
    for (const auto kind : {somnus::nmnist_frame_kind::tonic, somnus::nmnist_frame_kind::somnus}) {
        const std::string m = thrown<somnus::data_error>([&] { somnus::nmnist_recording_frames(test, 0, kind); });
        CHECK(contains(m, test.sample(0).path.string() + ": spans 400000"));
        CHECK(contains(m, "more than the 1000 allowed"));
        CHECK(contains(thrown<somnus::data_error>([&] { somnus::nmnist_bounded_events(test, 0, kind, 10000, "--max-frames"); }),
                       "--max-frames raises the bound up to 10000"));
    }
    // 2 s: 2 000 frames of 1 ms, refused by default, made when the bound is raised.
    CHECK(contains(thrown<somnus::data_error>([&] { somnus::nmnist_recording_frames(test, 1, somnus::nmnist_frame_kind::tonic); }),
                   "00002.bin: spans 2000 frames of 1 ms (2.0 s)"));
    const auto events = test.events(1);
    const auto made = somnus::nmnist_recording_frames(test, 1, somnus::nmnist_frame_kind::tonic, 2000);
    CHECK(made == somnus::tonic_to_sparse_frames(somnus::tonic_denoise(events, test.sensor(), 10000), test.sensor(), 1000));
    CHECK(made.frames == 2000);
    const auto own = somnus::nmnist_recording_frames(test, 1, somnus::nmnist_frame_kind::somnus, 2002);
    CHECK(own == somnus::accumulate_sparse_frames(somnus::denoise(events, test.sensor()), test.sensor(), {1000, 0, 0}));
    // The bound itself is bounded.
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::nmnist_bounded_events(test, 1, somnus::nmnist_frame_kind::tonic, 0, "--max-frames"); }),
                   "--max-frames 0: must be in [1, 10000]"));
    CHECK(contains(thrown<somnus::config_error>([&] { somnus::nmnist_bounded_events(test, 1, somnus::nmnist_frame_kind::tonic, 10001); }),
                   "max_frames 10001"));
}
