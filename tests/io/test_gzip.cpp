#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <somnus/io/crc32.hpp>
#include <somnus/io/gzip.hpp>

#include "scratch.hpp"

using somnus::data_error;
using somnus_test::contains;
using somnus_test::thrown;
using somnus_test::to_bytes;
using bytes = std::vector<std::uint8_t>;

namespace {

using somnus_test::random_bytes;

/// Words from a small vocabulary: material that compresses like text.
bytes text_like(std::size_t n, std::uint32_t seed)
{
    static const char* words[] = {"spike", "neuron", "synapse", "sleep", "weight", "theta", "membrane", "potential",
                                  "the", "of", "and", "excitatory", "inhibitory", "STDP", "0.0125", "\n"};
    std::mt19937 rng(seed);
    bytes b;
    while (b.size() < n) {
        const std::string w = words[rng() % 16];
        b.insert(b.end(), w.begin(), w.end());
        b.push_back(' ');
    }
    b.resize(n);
    return b;
}

bytes concat(std::initializer_list<bytes> parts)
{
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// The whole decompressed content of path, read `piece` bytes at a time.
bytes read_all(const std::filesystem::path& path, std::size_t piece,
               std::uint64_t limit = somnus::gzip_no_limit)
{
    somnus::gzip_reader z(path, limit);
    bytes out, buf(piece);
    for (;;) {
        const std::size_t n = z.read(buf);
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        if (n < piece) break;
    }
    CHECK(z.done());
    CHECK(z.bytes_out() == out.size());
    CHECK(z.read(buf) == 0);
    return out;
}

/// The message read_all gives for a file holding `content`.
std::string gz_error(const somnus_test::scratch_dir& dir, const bytes& content, std::uint64_t limit = somnus::gzip_no_limit,
                     const std::string& name = "bad.gz")
{
    somnus_test::write_bytes(dir / name, content);
    return thrown<data_error>([&] { somnus::gunzip_file(dir / name, limit); });
}

/// Bitwise CRC-32, the definition, to check the zlib-backed one against.
std::uint32_t crc32_reference(std::span<const std::uint8_t> b, std::uint32_t crc = 0)
{
    crc = ~crc;
    for (const auto x : b) {
        crc ^= x;
        for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

TEST_SUITE("io")
{
    TEST_CASE("crc32: the published check value, the bitwise definition, and continuation")
    {
        CHECK(somnus::detail::crc32(to_bytes("123456789")) == 0xCBF43926u);
        CHECK(somnus::detail::crc32({}) == 0u);
        CHECK(somnus::detail::crc32({}, 0x12345678u) == 0x12345678u);  // zlib would return 0 for an empty span
        CHECK(somnus::detail::crc32(to_bytes("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
        for (const std::size_t n : {1u, 7u, 8u, 9u, 63u, 1000u, 65537u}) {
            const auto b = random_bytes(n, static_cast<std::uint32_t>(n));
            CHECK(somnus::detail::crc32(b) == crc32_reference(b));
            const std::span<const std::uint8_t> all(b);
            const std::size_t cut = n / 3;
            CHECK(somnus::detail::crc32(all.subspan(cut), somnus::detail::crc32(all.first(cut))) ==
                  somnus::detail::crc32(b));
        }
    }

    TEST_CASE("is_gzip: the two magic bytes")
    {
        CHECK(somnus::is_gzip(bytes{0x1F, 0x8B}));
        CHECK(somnus::is_gzip(bytes{0x1F, 0x8B, 8, 0}));
        CHECK_FALSE(somnus::is_gzip(bytes{0x1F}));
        CHECK_FALSE(somnus::is_gzip(bytes{}));
        CHECK_FALSE(somnus::is_gzip(bytes{0x8B, 0x1F}));
        CHECK_FALSE(somnus::is_gzip(bytes{0, 0, 8, 3}));
    }

    TEST_CASE("gzip_reader: zlib-made files of many blocks decode exactly, read in any piece size")
    {
        somnus_test::scratch_dir dir("gz-roundtrip");
        // Random bytes do not compress: 300 KB is several 64 KiB input blocks.
        const auto noise = random_bytes(300'000, 1);
        const auto text = text_like(1'000'000, 2);
        const auto mixed = concat({text_like(70'000, 3), random_bytes(90'000, 4), bytes(200'000, 7)});
        struct variant {
            int level, strategy;
        };
        for (const auto v : {variant{0, Z_DEFAULT_STRATEGY}, variant{1, Z_DEFAULT_STRATEGY}, variant{6, Z_DEFAULT_STRATEGY},
                             variant{9, Z_DEFAULT_STRATEGY}, variant{6, Z_HUFFMAN_ONLY}, variant{6, Z_RLE},
                             variant{6, Z_FIXED}, variant{9, Z_FILTERED}}) {
            CAPTURE(v.level);
            CAPTURE(v.strategy);
            for (const bytes* data : {&noise, &text, &mixed}) {
                const auto gz = somnus_test::gzip_zlib(*data, v.level, v.strategy);
                somnus_test::write_bytes(dir / "f.gz", gz);
                if (data == &noise) CHECK(gz.size() > 4 * 65536);
                CHECK(read_all(dir / "f.gz", 65536) == *data);
                CHECK(read_all(dir / "f.gz", 4093) == *data);
                CHECK(read_all(dir / "f.gz", data->size() + 1) == *data);
                CHECK(somnus::gunzip_file(dir / "f.gz", data->size()) == *data);
            }
        }
        // Byte by byte, on something smaller.
        const auto small = text_like(5000, 5);
        somnus_test::write_bytes(dir / "s.gz", somnus_test::gzip_zlib(small, 9));
        CHECK(read_all(dir / "s.gz", 1) == small);
        // Nothing in, nothing out.
        somnus_test::write_bytes(dir / "e.gz", somnus_test::gzip_zlib({}, 6));
        CHECK(read_all(dir / "e.gz", 100).empty());
        CHECK(somnus::gunzip_file(dir / "e.gz", 0).empty());
    }

    TEST_CASE("gzip_reader: optional header fields (name, comment, extra, header CRC) are read past")
    {
        somnus_test::scratch_dir dir("gz-header");
        const auto data = text_like(20000, 6);
        std::string name = "train-images-idx3-ubyte", comment = "a comment";
        bytes extra{'S', 'N', 4, 0, 1, 2, 3, 4};
        gz_header h{};
        h.name = reinterpret_cast<Bytef*>(name.data());
        h.comment = reinterpret_cast<Bytef*>(comment.data());
        h.extra = extra.data();
        h.extra_len = static_cast<uInt>(extra.size());
        h.hcrc = 1;
        auto gz = somnus_test::gzip_zlib(data, 6, Z_DEFAULT_STRATEGY, &h);
        CHECK((gz[3] & 0x1E) == 0x1E);  // FHCRC, FEXTRA, FNAME, FCOMMENT
        somnus_test::write_bytes(dir / "h.gz", gz);
        CHECK(read_all(dir / "h.gz", 999) == data);

        // A flipped byte in the name: the header CRC catches it.
        gz[12 + extra.size() + 2] ^= 0x01;
        CHECK(contains(gz_error(dir, gz), "bad gzip header in member 1: header crc mismatch"));
    }

    TEST_CASE("gzip_reader: concatenated members decode to their concatenation, as gzip -d does")
    {
        somnus_test::scratch_dir dir("gz-members");
        const auto a = text_like(100'000, 7), b = random_bytes(80'000, 8), c = text_like(3, 9);
        const auto file = concat({somnus_test::gzip_zlib(a, 9), somnus_test::gzip_zlib({}, 1),
                                  somnus_test::gzip_zlib(b, 1), somnus_test::gzip_zlib(c, 6)});
        somnus_test::write_bytes(dir / "m.gz", file);
        const auto all = concat({a, b, c});
        CHECK(read_all(dir / "m.gz", 10000) == all);
        CHECK(read_all(dir / "m.gz", 1 << 20) == all);
        somnus::gzip_reader z(dir / "m.gz");
        bytes buf(all.size() + 10);
        CHECK(z.read(buf) == all.size());
        CHECK(z.members() == 4);
        CHECK(z.bytes_in() == file.size());

        if (somnus_test::have_gzip()) {
            const auto cmd = fmt::format("gzip -dc '{}' > '{}'", (dir / "m.gz").string(), (dir / "m.out").string());
            REQUIRE(std::system(cmd.c_str()) == 0);
            CHECK(somnus_test::read_bytes(dir / "m.out") == all);
        }
    }

    TEST_CASE("gzip_reader: files made by the gzip tool decode as gzip -dc does")
    {
        if (!somnus_test::have_gzip()) {
            MESSAGE("gzip not found; skipping");
            return;
        }
        somnus_test::scratch_dir dir("gz-tool");
        const auto data = concat({text_like(150'000, 10), random_bytes(100'000, 11)});
        for (const int level : {1, 6, 9}) {
            const auto gz = somnus_test::gzip_tool(dir, data, level);
            REQUIRE_FALSE(gz.empty());
            somnus_test::write_bytes(dir / "t.gz", gz);
            CHECK(read_all(dir / "t.gz", 32768) == data);
        }
        // With the file name in the header (no -n).
        somnus_test::write_bytes(dir / "named", data);
        REQUIRE(std::system(fmt::format("gzip -k -f '{}'", (dir / "named").string()).c_str()) == 0);
        CHECK((somnus_test::read_bytes(dir / "named.gz")[3] & 0x08) != 0);
        CHECK(read_all(dir / "named.gz", 5000) == data);
    }

    TEST_CASE("gzip_reader: every problem is a data_error naming the file and what is wrong")
    {
        somnus_test::scratch_dir dir("gz-errors");
        const std::string path = (dir / "bad.gz").string();
        const auto data = text_like(50'000, 12);
        const auto good = somnus_test::gzip_zlib(data, 6);

        SUBCASE("not gzip")
        {
            CHECK(gz_error(dir, to_bytes("hello")) ==
                  path + ": not a gzip file (starts with 0x68 0x65, expected 0x1f 0x8b)");
            CHECK(gz_error(dir, {}) == path + ": not a gzip file (empty)");
            CHECK(gz_error(dir, bytes{0x1F}) == path + ": not a gzip file (starts with 0x1f, expected 0x1f 0x8b)");
            CHECK(gz_error(dir, bytes{0, 0, 8, 3, 0, 0, 0, 1}) ==
                  path + ": not a gzip file (starts with 0x00 0x00, expected 0x1f 0x8b)");
        }
        SUBCASE("bad header")
        {
            auto method = good;
            method[2] = 7;
            CHECK(gz_error(dir, method) == path + ": bad gzip header in member 1: unknown compression method");
            auto flags = good;
            flags[3] = 0x20;
            CHECK(gz_error(dir, flags) == path + ": bad gzip header in member 1: unknown header flags set");
        }
        SUBCASE("corrupt compressed data")
        {
            // BFINAL = 1, BTYPE = 11: the reserved block type.
            const bytes reserved{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x07, 0, 0, 0, 0, 0, 0, 0, 0};
            CHECK(contains(gz_error(dir, reserved), path + ": corrupt gzip data in member 1: invalid block type"));
            // A stored block whose length and its complement disagree.
            const bytes stored{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x01, 5, 0, 5, 0, 'a', 'b', 'c', 'd', 'e'};
            CHECK(contains(gz_error(dir, stored), path + ": corrupt gzip data in member 1: invalid stored block lengths"));
        }
        SUBCASE("truncated, at every length from one byte short down to two")
        {
            const auto small = somnus_test::gzip_zlib(text_like(3000, 13), 9);
            for (std::size_t cut = 2; cut < small.size(); ++cut) {
                CAPTURE(cut);
                const auto e = gz_error(dir, bytes(small.begin(), small.begin() + static_cast<std::ptrdiff_t>(cut)));
                CHECK(contains(e, path + ": truncated gzip file: it ends inside gzip member 1 ("));
            }
            // A long file cut inside a later input block.
            const auto e = gz_error(dir, bytes(good.begin(), good.end() - 3));
            CHECK(contains(e, fmt::format("{} bytes long", good.size() - 3)));
        }
        SUBCASE("CRC and length trailers")
        {
            auto crc = good;
            crc[crc.size() - 6] ^= 0x10;
            CHECK(gz_error(dir, crc) == path + ": gzip CRC mismatch in member 1 (the data or its CRC-32 is corrupt)");
            auto len = good;
            len[len.size() - 4] ^= 0x01;
            CHECK(contains(gz_error(dir, len), path + ": gzip length mismatch in member 1"));
            // In a second member, the message says which.
            CHECK(contains(gz_error(dir, concat({good, crc})), path + ": gzip CRC mismatch in member 2"));
        }
        SUBCASE("trailing garbage after the last member")
        {
            const std::string at = fmt::format("at byte offset {}, after 1 gzip member", good.size());
            CHECK(gz_error(dir, concat({good, to_bytes("xyz")})) == path + ": trailing garbage after the gzip data " + at);
            CHECK(gz_error(dir, concat({good, bytes(512, 0)})) == path + ": trailing garbage after the gzip data " + at);
            CHECK(gz_error(dir, concat({good, bytes{0x1F}})) == path + ": trailing garbage after the gzip data " + at);
            // The magic bytes alone start a member that then ends.
            CHECK(contains(gz_error(dir, concat({good, bytes{0x1F, 0x8B}})), "truncated gzip file: it ends inside gzip member 2"));
            // Garbage found only after many input blocks.
            const auto big = somnus_test::gzip_zlib(random_bytes(200'000, 14), 1);
            CHECK(contains(gz_error(dir, concat({big, big, to_bytes("!")})),
                           fmt::format("trailing garbage after the gzip data at byte offset {}, after 2 gzip members",
                                       2 * big.size())));
        }
        SUBCASE("more output than the caller's limit")
        {
            CHECK(gz_error(dir, good, data.size() - 1) ==
                  path + fmt::format(": decompresses to more than {} bytes, the limit", data.size() - 1));
            CHECK(contains(gz_error(dir, good, 0), "decompresses to more than 0 bytes"));
            somnus_test::write_bytes(dir / "ok.gz", good);
            CHECK(somnus::gunzip_file(dir / "ok.gz", data.size()) == data);
            // The limit counts all members together.
            CHECK(contains(gz_error(dir, concat({good, good}), 2 * data.size() - 1), "more than"));
        }
        SUBCASE("not a regular file")
        {
            CHECK(contains(thrown<data_error>([&] { somnus::gzip_reader z(dir / "missing.gz"); }),
                           (dir / "missing.gz").string() + ": no such file"));
            CHECK(contains(thrown<data_error>([&] { somnus::gzip_reader z(dir.path()); }),
                           dir.path().string() + ": is a directory, not a gzip file"));
            if (somnus_test::make_fifo(dir / "fifo.gz")) {
                somnus_test::fifo_unblocker guard(dir / "fifo.gz");
                CHECK(contains(thrown<data_error>([&] { somnus::gzip_reader z(dir / "fifo.gz"); }),
                               (dir / "fifo.gz").string() + ": is a FIFO (named pipe), not a gzip file"));
                CHECK_FALSE(guard.fired());
            }
        }
    }

    TEST_CASE("gzip_reader: corrupted bytes are refused, never accepted with different content")
    {
        somnus_test::scratch_dir dir("gz-flip");
        const auto data = text_like(4000, 15);
        const auto good = somnus_test::gzip_zlib(data, 9);
        std::mt19937 rng(99);
        std::size_t refused = 0;
        for (int round = 0; round < 400; ++round) {
            auto b = good;
            b[10 + rng() % (b.size() - 10)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            somnus_test::write_bytes(dir / "x.gz", b);
            try {
                const auto out = somnus::gunzip_file(dir / "x.gz", 1 << 20);
                CHECK(out == data);
            } catch (const data_error& e) {
                ++refused;
                CHECK(contains(e.what(), (dir / "x.gz").string() + ": "));
            }
        }
        CHECK(refused >= 395);
    }

    TEST_CASE("regression: a gzip bomb is refused by the caller's limit in bounded time and memory")
    {
        // 16 members of 16 MiB of zeros: 256 MiB from about 260 KB.
        somnus_test::scratch_dir dir("gz-bomb");
        const auto member = somnus_test::gzip_zeros(16u << 20);
        bytes bomb;
        for (int i = 0; i < 16; ++i) bomb.insert(bomb.end(), member.begin(), member.end());
        CHECK(bomb.size() < 300'000);
        somnus_test::write_bytes(dir / "bomb.gz", bomb);

        const auto rss0 = somnus_test::peak_rss_bytes();
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(thrown<data_error>([&] { somnus::gunzip_file(dir / "bomb.gz", 1u << 20); }) ==
              (dir / "bomb.gz").string() + ": decompresses to more than 1048576 bytes, the limit");
        CHECK(seconds_since(t0) < 1.0);

        // Streamed through a 64 KiB buffer, all of it is decoded and checked
        // while memory stays flat.
        somnus::gzip_reader z(dir / "bomb.gz");
        bytes buf(1 << 16);
        std::uint64_t total = 0;
        while (const std::size_t n = z.read(buf)) total += n;
        CHECK(total == std::uint64_t{256} << 20);
        CHECK(z.members() == 16);
        CHECK(z.done());
        MESSAGE("peak memory grew by " << (somnus_test::peak_rss_bytes() - rss0) / 1024 << " KiB");
        CHECK(somnus_test::peak_rss_bytes() - rss0 < (std::uint64_t{16} << 20));
    }

    TEST_CASE("a real data set file decodes as gzip -dc does")
    {
        const std::filesystem::path file = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
        if (!std::filesystem::exists(file) || !somnus_test::have_gzip()) {
            MESSAGE("Fashion-MNIST or gzip not installed; skipping");
            return;
        }
        somnus_test::scratch_dir dir("gz-real");
        const auto cmd = fmt::format("gzip -dc '{}' > '{}'", file.string(), (dir / "labels").string());
        REQUIRE(std::system(cmd.c_str()) == 0);
        const auto expected = somnus_test::read_bytes(dir / "labels");
        CHECK(expected.size() == 10008);
        CHECK(somnus::gunzip_file(file, 1 << 20) == expected);
        CHECK(read_all(file, 777) == expected);
    }
}
