#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <somnus/data/nmnist.hpp>

#include "../io/scratch.hpp"

using somnus::data_error;
using somnus::event;
using somnus_test::contains;
using somnus_test::thrown;
using bytes = std::vector<std::uint8_t>;

namespace {

/// One 5-byte record, written out by hand.
bytes record(std::uint8_t x, std::uint8_t y, bool on, std::uint32_t t)
{
    return {x, y, static_cast<std::uint8_t>((on ? 0x80 : 0) | ((t >> 16) & 0x7F)), static_cast<std::uint8_t>(t >> 8),
            static_cast<std::uint8_t>(t)};
}

bytes concat(std::initializer_list<bytes> parts)
{
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// n events in time order on a 34x34 sensor, with gaps up to max_gap us.
std::vector<event> random_events(std::size_t n, std::uint32_t seed, std::uint32_t max_gap = 300)
{
    std::mt19937 rng(seed);
    std::vector<event> ev(n);
    std::uint32_t t = rng() % 1000;
    for (auto& e : ev) {
        t += rng() % (max_gap + 1);
        e = {t, static_cast<std::uint16_t>(rng() % 34), static_cast<std::uint16_t>(rng() % 34), (rng() & 1) != 0};
    }
    return ev;
}

std::string read_error(const somnus_test::scratch_dir& dir, const bytes& content, const std::string& name = "bad.bin")
{
    somnus_test::write_bytes(dir / name, content);
    return thrown<data_error>([&] { somnus::read_nmnist(dir / name); });
}

} // namespace

TEST_SUITE("events") {

TEST_CASE("nmnist: an event is encoded as the format's 40 bits, big-endian")
{
    const std::vector<event> ev{{0x123456, 3, 33, true}, {0x7FFFFF, 33, 0, false}};
    CHECK(somnus::encode_nmnist(ev) == bytes{3, 33, 0x92, 0x34, 0x56, 33, 0, 0x7F, 0xFF, 0xFF});
    CHECK(somnus::decode_nmnist(somnus::encode_nmnist(ev)) == ev);
}

TEST_CASE("nmnist: an overflow marker (y == 240) adds 2^13 us to every later timestamp and is not an event")
{
    const auto file = concat({record(1, 2, false, 100), record(0, 240, false, 0), record(1, 2, true, 50),
                              record(7, 240, true, 123), record(5, 6, false, 60)});
    const auto ev = somnus::decode_nmnist(file);
    REQUIRE(ev.size() == 3);
    CHECK(ev[0] == event{100, 1, 2, false});
    CHECK(ev[1] == event{50 + 8192, 1, 2, true});
    CHECK(ev[2] == event{60 + 2 * 8192, 5, 6, false});

    somnus_test::scratch_dir dir("nmnist-marker");
    somnus_test::write_bytes(dir / "m.bin", file);
    somnus::nmnist_reader r(dir / "m.bin");
    event e;
    std::vector<event> streamed;
    while (r.next(e)) streamed.push_back(e);
    CHECK(streamed == ev);
    CHECK(r.overflow_markers() == 2);
    CHECK(r.bytes_read() == 25);
}

TEST_CASE("nmnist: a raw timestamp dropping by more than half the 23-bit range is a wrap-around")
{
    const auto ev = somnus::decode_nmnist(concat({record(0, 0, true, 0x7FFFF0), record(1, 1, true, 5)}));
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].t_us == (1u << 23) + 5);
}

TEST_CASE("nmnist: writer then reader gives back exactly the events written")
{
    somnus_test::scratch_dir dir("nmnist-roundtrip");
    for (const std::uint32_t seed : {1u, 2u, 3u}) {
        auto ev = random_events(20000 + seed, seed);
        // Past 2^23 us: the writer relies on wrap-arounds, the reader undoes them.
        for (auto& e : ev) e.t_us += seed == 3 ? 8'300'000u : 0u;
        const auto path = dir / fmt::format("r{}.bin", seed);
        somnus::write_nmnist(path, ev);
        CHECK(std::filesystem::file_size(path) == ev.size() * 5);
        CHECK(somnus::read_nmnist(path) == ev);

        // The streaming writer writes the same bytes; the reader in odd-sized pieces reads the same events.
        const auto path2 = dir / fmt::format("s{}.bin", seed);
        {
            somnus::nmnist_writer w(path2);
            for (std::size_t i = 0; i < ev.size(); i += 777)
                w.write(std::span<const event>(ev).subspan(i, std::min<std::size_t>(777, ev.size() - i)));
            CHECK_FALSE(std::filesystem::exists(path2));  // only the .tmp until close()
            w.close();
        }
        CHECK(somnus_test::read_bytes(path2) == somnus_test::read_bytes(path));
        somnus::nmnist_reader r(path2);
        std::vector<event> got, piece(13);
        while (const std::size_t n = r.read(piece)) got.insert(got.end(), piece.begin(), piece.begin() + long(n));
        CHECK(got == ev);
    }
    // An empty recording is a valid, empty file.
    somnus::write_nmnist(dir / "empty.bin", std::vector<event>{});
    CHECK(somnus::read_nmnist(dir / "empty.bin").empty());
}

TEST_CASE("nmnist: a writer destroyed before close() leaves nothing behind")
{
    somnus_test::scratch_dir dir("nmnist-abandon");
    {
        somnus::nmnist_writer w(dir / "a.bin");
        w.write(event{1, 1, 1, true});
    }
    CHECK_FALSE(std::filesystem::exists(dir / "a.bin"));
    CHECK_FALSE(std::filesystem::exists(dir / "a.bin.tmp"));
}

TEST_CASE("nmnist: the writer refuses events the format cannot carry")
{
    using somnus::config_error;
    const auto msg = [](std::vector<event> ev, somnus::sensor_size s = {}) {
        return thrown<config_error>([&] { somnus::encode_nmnist(ev, s); });
    };
    CHECK(contains(msg({{0, 34, 0, true}}), "event 0 at x=34, y=0 is outside the 34x34 sensor"));
    CHECK(contains(msg({{10, 1, 1, true}, {9, 1, 1, true}}), "event 1 at 9 us follows 10 us"));
    CHECK(contains(msg({{1u << 23, 1, 1, true}}), "event 0 at 8388608 us cannot be stored"));
    CHECK(contains(msg({{5, 1, 1, true}, {5 + (1u << 23), 1, 1, true}}), "event 1 at 8388613 us cannot be stored"));
    CHECK(contains(msg({}, {300, 10}), "sensor 300x10"));
    CHECK(contains(msg({}, {10, 241}), "sensor 10x241"));
}

TEST_CASE("nmnist: corrupt files give data_error naming file, byte offset and problem")
{
    somnus_test::scratch_dir dir("nmnist-corrupt");
    const auto good = concat({record(1, 1, true, 10), record(2, 2, false, 20), record(3, 3, true, 30)});

    auto truncated = good;
    truncated.pop_back();
    auto e = read_error(dir, truncated, "short.bin");
    CHECK(contains(e, "short.bin: length 14 bytes is not a multiple of 5 (a truncated event at byte offset 10)"));

    e = read_error(dir, concat({good, record(34, 3, true, 40)}), "x.bin");
    CHECK(contains(e, "x.bin: byte offset 15: event at x=34, y=3 is outside the 34x34 sensor"));
    e = read_error(dir, concat({record(0, 200, true, 40), good}), "y.bin");
    CHECK(contains(e, "y.bin: byte offset 0: event at x=0, y=200 is outside"));

    e = read_error(dir, concat({good, record(4, 4, true, 29)}), "back.bin");
    CHECK(contains(e, "back.bin: byte offset 15: timestamp goes backwards from 30 us to 29 us"));
    CHECK(contains(e, "not a 23-bit wrap-around"));
    // A drop of exactly half the range is still "backwards".
    e = read_error(dir, concat({record(0, 0, true, 1u << 22), record(0, 0, true, 0)}), "half.bin");
    CHECK(contains(e, "byte offset 5: timestamp goes backwards from 4194304 us to 0 us"));

    CHECK(contains(thrown<data_error>([&] { somnus::read_nmnist(dir / "nope.bin"); }), "nope.bin: no such file"));
    CHECK(contains(thrown<data_error>([&] { somnus::read_nmnist(dir.path()); }), "is a directory"));
    // Each problem is found by the in-memory decoder too.
    CHECK(contains(thrown<data_error>([&] { somnus::decode_nmnist(truncated, "mem"); }), "mem: length 14 bytes"));

    // A larger sensor accepts what the 34x34 one refuses.
    somnus_test::write_bytes(dir / "wide.bin", concat({record(100, 3, true, 40)}));
    CHECK(somnus::read_nmnist(dir / "wide.bin", {128, 128}).size() == 1);
}

TEST_CASE("nmnist: arbitrary bytes never crash the reader; only data_error is thrown")
{
    somnus_test::scratch_dir dir("nmnist-fuzz");
    std::mt19937 rng(2024);
    const auto valid = somnus::encode_nmnist(random_events(200, 7));
    std::size_t accepted = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        bytes b;
        if (round % 2 == 0) {
            b = somnus_test::random_bytes(rng() % 64, static_cast<std::uint32_t>(round));
            // Bias towards the sensor so that the time checks are reached too.
            for (std::size_t i = 0; i + 1 < b.size(); i += 5) {
                b[i] %= (round % 4 == 0) ? 35 : 256;
                b[i + 1] = static_cast<std::uint8_t>(rng() % 8 == 0 ? 240 : b[i + 1] % 35);
            }
        } else {
            b = valid;
            const int flips = 1 + int(rng() % 4);
            for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
            if (rng() % 4 == 0) b.resize(rng() % b.size());
        }
        try {
            const auto ev = somnus::decode_nmnist(b, "fuzz", {34, 34});
            ++accepted;
            for (std::size_t i = 0; i < ev.size(); ++i) {
                REQUIRE(ev[i].x < 34);
                REQUIRE(ev[i].y < 34);
                if (i) REQUIRE(ev[i].t_us >= ev[i - 1].t_us);
            }
        } catch (const data_error&) {
            ++refused;
        }
        if (round % 10 == 0) {  // through a file and the streaming reader as well
            somnus_test::write_bytes(dir / "f.bin", b);
            try {
                somnus::read_nmnist(dir / "f.bin");
            } catch (const data_error&) {
            }
        }
    }
    CHECK(accepted > 100);
    CHECK(refused > 100);
}

TEST_CASE("nmnist_folder: Train/Test, one folder per digit, one .bin per recording")
{
    somnus_test::scratch_dir dir("nmnist-folder");
    const auto root = dir.path();
    for (const char* sub : {"Train/0", "Train/1", "Train/7", "Test/4"}) std::filesystem::create_directories(root / sub);
    const std::vector<event> a{{1, 1, 1, true}}, b{{2, 2, 2, false}, {3, 3, 3, true}}, c{{4, 4, 4, true}};
    somnus::write_nmnist(root / "Train/0/00002.bin", a);
    somnus::write_nmnist(root / "Train/1/00001.bin", b);
    somnus::write_nmnist(root / "Train/7/00010.bin", c);
    somnus_test::write_bytes(root / "Train/1/readme.txt", somnus_test::to_bytes("not a recording"));
    somnus::write_nmnist(root / "Test/4/00001.bin", c);

    const somnus::nmnist_folder train(root, somnus::mnist_split::train);
    REQUIRE(train.size() == 3);
    CHECK(train.label(0) == 1);  // 00001 before 00002 before 00010
    CHECK(train.label(1) == 0);
    CHECK(train.label(2) == 7);
    CHECK(train.events(0) == b);
    CHECK(train.events(1) == a);
    CHECK(train.events(2) == c);
    CHECK(train.sample(2).path.filename() == "00010.bin");
    const somnus::nmnist_folder test(root, somnus::mnist_split::test);
    REQUIRE(test.size() == 1);
    CHECK(test.label(0) == 4);

    // A corrupt recording is reported by path when it is read.
    somnus_test::write_bytes(root / "Train/7/00010.bin", bytes{1, 2, 3});
    CHECK(contains(thrown<data_error>([&] { train.events(2); }), "00010.bin: length 3 bytes"));

    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root / "nothing", somnus::mnist_split::train); }),
                   "nothing: no such folder"));
    std::filesystem::remove_all(root / "Test");
    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::test); }),
                   "Test: no such folder"));
    std::filesystem::create_directories(root / "Test/3");
    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::test); }), "no recordings"));
}

TEST_CASE("regression: a FIFO in place of an N-MNIST recording is refused, not waited on")
{
    somnus_test::scratch_dir dir("nmnist-fifo");
    const auto fifo = dir / "00001.bin";
    REQUIRE(somnus_test::make_fifo(fifo));
    somnus_test::fifo_unblocker guard(fifo);
    const std::string expected = fifo.string() + ": is a FIFO (named pipe), not an N-MNIST recording";
    CHECK(thrown<data_error>([&] { somnus::read_nmnist(fifo); }) == expected);
    CHECK(thrown<data_error>([&] { somnus::nmnist_reader r(fifo); }) == expected);
    CHECK_FALSE(guard.fired());
}

TEST_CASE("nmnist_folder: a .bin that is not a regular file is refused when the folder is listed, naming it")
{
    somnus_test::scratch_dir dir("nmnist-folder-fifo");
    const auto root = dir.path();
    std::filesystem::create_directories(root / "Train/2");
    somnus::write_nmnist(root / "Train/2/00001.bin", std::vector<event>{{1, 1, 1, true}});
    const auto fifo = root / "Train/2/00002.bin";
    REQUIRE(somnus_test::make_fifo(fifo));
    somnus_test::fifo_unblocker guard(fifo);
    CHECK(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::train); }) ==
          fifo.string() + ": is a FIFO (named pipe), not an N-MNIST recording");
    std::filesystem::remove(fifo);
    std::filesystem::create_directories(root / "Train/2/00003.bin");
    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::train); }),
                   "00003.bin: is a directory, not an N-MNIST recording"));
    std::filesystem::remove(root / "Train/2/00003.bin");
    std::filesystem::create_symlink(root / "Train/2/gone.bin", root / "Train/2/00004.bin");
    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::train); }),
                   "00004.bin: no such file"));
    std::filesystem::remove(root / "Train/2/00004.bin");
    // A symlink to a recording is a recording.
    std::filesystem::create_symlink(root / "Train/2/00001.bin", root / "Train/2/00005.bin");
    CHECK(somnus::nmnist_folder(root, somnus::mnist_split::train).size() == 2);
    // A loop on the way is named as one, not as a missing folder.
    std::filesystem::create_symlink(root / "Test", root / "Test-b");
    std::filesystem::create_symlink(root / "Test-b", root / "Test");
    CHECK(contains(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::test); }),
                   "symbolic link loop"));
    CHECK_FALSE(guard.fired());
}

TEST_CASE("regression: read_nmnist does not allocate for the whole file before decoding")
{
    somnus_test::scratch_dir dir("nmnist-huge");
    const auto path = dir / "huge.bin";
    // A bad first record, then zeros to 1 GB: a sparse file, no disk used.
    somnus_test::write_bytes(path, concat({record(200, 3, true, 10), record(1, 1, true, 20)}));
    std::filesystem::resize_file(path, 1'000'000'000);
    const auto rss0 = somnus_test::peak_rss_bytes();
    const auto t0 = std::chrono::steady_clock::now();
    // Over the limit for one recording: refused before anything is read.
    CHECK(thrown<data_error>([&] { somnus::read_nmnist(path); }) ==
          path.string() + ": 1000000000 bytes, more than the limit of 67108864 bytes for one N-MNIST recording (real "
                          "ones are about 100 KB; nmnist_reader streams longer files)");
    // With the limit raised, decoding starts and stops at the bad record.
    const auto bad = path.string() + ": byte offset 0: event at x=200, y=3 is outside the 34x34 sensor";
    CHECK(thrown<data_error>([&] { somnus::read_nmnist(path, {}, 2'000'000'000); }) == bad);
    // 100 GB: a data_error, never std::bad_alloc, from read_nmnist and from the streaming reader.
    std::filesystem::resize_file(path, 100'000'000'000);
    CHECK(contains(thrown<data_error>([&] { somnus::read_nmnist(path); }), ": 100000000000 bytes, more than the limit"));
    CHECK(thrown<data_error>([&] { somnus::read_nmnist(path, {}, std::numeric_limits<std::uint64_t>::max()); }) == bad);
    CHECK(thrown<data_error>([&] {
              somnus::nmnist_reader r(path);
              event e;
              r.next(e);
          }) == bad);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(seconds < 1.0);
    MESSAGE("peak memory grew by " << (somnus_test::peak_rss_bytes() - rss0) / 1024 << " KiB");
    CHECK(somnus_test::peak_rss_bytes() - rss0 < (std::uint64_t{16} << 20));

    // A valid file is read whole, whatever its size under the limit; the
    // vector holds the events, not a slot per byte.
    const auto ev = random_events(150'000, 11);
    somnus::write_nmnist(dir / "long.bin", ev);
    const auto got = somnus::read_nmnist(dir / "long.bin");
    CHECK(got == ev);
    CHECK(got.capacity() < 2 * ev.size());
    CHECK(thrown<data_error>([&] { somnus::read_nmnist(dir / "long.bin", {}, 5 * ev.size() - 5); }) ==
          (dir / "long.bin").string() +
              fmt::format(": {} bytes, more than the limit of {} bytes for one N-MNIST recording (real ones are about "
                          "100 KB; nmnist_reader streams longer files)",
                          5 * ev.size(), 5 * ev.size() - 5));
}

}

TEST_CASE("regression: nmnist_folder reports class folders other than 0-9 (07, 10), naming them, not skipping them")
{
    somnus_test::scratch_dir dir("nmnist-class-folders");
    const auto root = dir.path();
    std::filesystem::create_directories(root / "Train/3");
    somnus::write_nmnist(root / "Train/3/00001.bin", std::vector<event>{{1, 1, 1, true}});
    somnus_test::write_bytes(root / "Train/README", somnus_test::to_bytes("a file beside the class folders is left alone"));
    CHECK(somnus::nmnist_folder(root, somnus::mnist_split::train).size() == 1);
    for (const char* bad : {"07", "10", "seven"}) {
        const auto sub = root / "Train" / bad;
        std::filesystem::create_directories(sub);
        somnus::write_nmnist(sub / "00002.bin", std::vector<event>{{1, 1, 1, true}});
        CHECK(thrown<data_error>([&] { somnus::nmnist_folder(root, somnus::mnist_split::train); }) ==
              sub.string() + ": not a class folder (N-MNIST class folders are named 0 to 9)");
        std::filesystem::remove_all(sub);
    }
}
