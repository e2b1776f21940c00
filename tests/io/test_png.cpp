#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <somnus/io/adler32.hpp>
#include <somnus/io/crc32.hpp>
#include <somnus/io/deflate.hpp>
#include <somnus/io/inflate.hpp>
#include <somnus/io/png.hpp>

#include "scratch.hpp"

using somnus_test::contains;
using somnus_test::thrown;
using bytes = std::vector<std::uint8_t>;

namespace {

using somnus_test::random_bytes;

std::uint32_t be32(const bytes& b, std::size_t p)
{
    return std::uint32_t{b[p]} << 24 | std::uint32_t{b[p + 1]} << 16 | std::uint32_t{b[p + 2]} << 8 | b[p + 3];
}

struct chunk {
    std::string type;
    bytes data;
    bool crc_ok;
};

/// Splits a PNG file into chunks, checking the signature and framing.
std::vector<chunk> read_chunks(const bytes& f)
{
    const bytes signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    REQUIRE(f.size() >= 8);
    REQUIRE(bytes(f.begin(), f.begin() + 8) == signature);
    std::vector<chunk> out;
    std::size_t p = 8;
    while (p < f.size()) {
        REQUIRE(f.size() - p >= 12);
        const std::size_t len = be32(f, p);
        REQUIRE(f.size() - p - 12 >= len);
        chunk c;
        c.type.assign(f.begin() + static_cast<std::ptrdiff_t>(p + 4), f.begin() + static_cast<std::ptrdiff_t>(p + 8));
        c.data.assign(f.begin() + static_cast<std::ptrdiff_t>(p + 8), f.begin() + static_cast<std::ptrdiff_t>(p + 8 + len));
        const auto crc = somnus::detail::crc32(std::span<const std::uint8_t>(f).subspan(p + 4, len + 4));
        c.crc_ok = crc == be32(f, p + 8 + len);
        out.push_back(std::move(c));
        p += 12 + len;
    }
    return out;
}

/// Checks the whole file and returns the decompressed, filter-prefixed rows.
bytes check_png(const bytes& f, std::size_t w, std::size_t h, int channels)
{
    const auto chunks = read_chunks(f);
    REQUIRE(chunks.size() >= 3);
    for (const auto& c : chunks) CHECK_MESSAGE(c.crc_ok, "bad CRC in chunk " << c.type);
    CHECK(chunks.front().type == "IHDR");
    CHECK(chunks.back().type == "IEND");
    CHECK(chunks.back().data.empty());
    const auto& ihdr = chunks.front().data;
    REQUIRE(ihdr.size() == 13);
    CHECK(be32(ihdr, 0) == w);
    CHECK(be32(ihdr, 4) == h);
    CHECK(ihdr[8] == 8);                        // bit depth
    CHECK(ihdr[9] == (channels == 1 ? 0 : 2));  // gray / truecolor
    CHECK(ihdr[10] == 0);
    CHECK(ihdr[11] == 0);
    CHECK(ihdr[12] == 0);
    bytes z;
    for (std::size_t i = 1; i + 1 < chunks.size(); ++i) {
        CHECK(chunks[i].type == "IDAT");  // and consecutive
        z.insert(z.end(), chunks[i].data.begin(), chunks[i].data.end());
    }
    REQUIRE(z.size() >= 6);
    CHECK((z[0] & 0x0F) == 8);
    CHECK((z[0] * 256 + z[1]) % 31 == 0);
    CHECK((z[1] & 0x20) == 0);
    // The raw deflate stream between the zlib header and the Adler-32.
    const auto raw = somnus::inflate(std::span<const std::uint8_t>(z).subspan(2, z.size() - 6), "IDAT", 1u << 30);
    CHECK(be32(z, z.size() - 4) == somnus::detail::adler32(raw));
    CHECK(somnus::zlib_decompress(z, "IDAT", 1u << 30) == raw);
    return raw;
}

/// Undoes the per-row filters (PNG spec 9.2), counting each filter type used.
bytes unfilter(const bytes& raw, std::size_t w, std::size_t h, int channels, std::array<int, 5>& used)
{
    const std::size_t bpp = static_cast<std::size_t>(channels), row = w * bpp;
    REQUIRE(raw.size() == (row + 1) * h);
    bytes px(row * h);
    for (std::size_t y = 0; y < h; ++y) {
        const std::uint8_t type = raw[y * (row + 1)];
        REQUIRE(type < 5);
        ++used[type];
        for (std::size_t x = 0; x < row; ++x) {
            const int a = x >= bpp ? px[y * row + x - bpp] : 0;
            const int b = y ? px[(y - 1) * row + x] : 0;
            const int c = x >= bpp && y ? px[(y - 1) * row + x - bpp] : 0;
            int pred = 0;
            if (type == 1) pred = a;
            if (type == 2) pred = b;
            if (type == 3) pred = (a + b) >> 1;
            if (type == 4) {
                const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
                pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
            }
            px[y * row + x] = static_cast<std::uint8_t>(raw[y * (row + 1) + 1 + x] + pred);
        }
    }
    return px;
}

} // namespace

TEST_SUITE("io")
{
    TEST_CASE("write_png: gray and RGB files decode to the given pixels")
    {
        somnus_test::scratch_dir dir("png");
        struct image {
            std::size_t w, h;
            int channels;
            bytes pixels;
        };
        std::vector<image> images;
        {
            bytes gray(5 * 3);
            for (std::size_t i = 0; i < gray.size(); ++i) gray[i] = static_cast<std::uint8_t>(17 * i);
            images.push_back({5, 3, 1, gray});
            bytes rgb(4 * 2 * 3);
            for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(255 - 10 * i);
            images.push_back({4, 2, 3, rgb});
            images.push_back({1, 1, 1, {200}});
            // A checkerboard: plots are mostly flat areas, which must compress.
            bytes board(256 * 256);
            for (std::size_t i = 0; i < board.size(); ++i) board[i] = ((i % 256) / 16 + i / 256 / 16) % 2 ? 255 : 30;
            images.push_back({256, 256, 1, board});
            // Gradients across, down and diagonal, in colour, plus a noisy band.
            bytes grad(90 * 70 * 3);
            for (std::size_t y = 0; y < 70; ++y)
                for (std::size_t x = 0; x < 90; ++x) {
                    std::uint8_t* p = grad.data() + (y * 90 + x) * 3;
                    p[0] = static_cast<std::uint8_t>(3 * x);
                    p[1] = static_cast<std::uint8_t>(y < 35 ? 2 * y : 7 * x + 3 * y);
                    p[2] = static_cast<std::uint8_t>(y > 50 ? (x * 2654435761u >> 7) : 100);
                }
            images.push_back({90, 70, 3, grad});
            // Noise does not compress: stored blocks, more than one IDAT chunk.
            images.push_back({700, 600, 3, random_bytes(700 * 600 * 3, 11)});
        }
        std::array<int, 5> filters{};
        for (const auto& im : images) {
            CAPTURE(im.w);
            CAPTURE(im.h);
            const auto path = dir / "image.png";
            somnus::write_png(path, im.w, im.h, im.pixels, im.channels);
            CHECK_FALSE(std::filesystem::exists(dir / "image.png.tmp"));
            const auto f = somnus_test::read_bytes(path);
            CHECK(unfilter(check_png(f, im.w, im.h, im.channels), im.w, im.h, im.channels, filters) == im.pixels);
            if (im.w == 256) CHECK(f.size() < im.pixels.size() / 20);  // flat areas compress
            if (im.w == 700) CHECK(read_chunks(f).size() >= 4);       // IHDR, 2+ IDAT, IEND
        }
        // The row filters in use go beyond None, so unfiltering is tested.
        CHECK(filters[0] > 0);
        CHECK(filters[1] + filters[2] + filters[3] + filters[4] > 0);
        MESSAGE("rows per filter type None/Sub/Up/Average/Paeth: " << filters[0] << " " << filters[1] << " "
                                                                       << filters[2] << " " << filters[3] << " " << filters[4]);
    }

    TEST_CASE("write_png: bad arguments and unwritable paths")
    {
        somnus_test::scratch_dir dir("png-errors");
        const auto path = dir / "x.png";
        const bytes six(6, 1);
        CHECK_THROWS_AS(somnus::write_png(path, 2, 2, six, 1), somnus::config_error);
        CHECK_THROWS_AS(somnus::write_png(path, 2, 1, six, 1), somnus::config_error);
        CHECK_THROWS_AS(somnus::write_png(path, 1, 3, six, 2), somnus::config_error);
        CHECK_THROWS_AS(somnus::write_png(path, 0, 3, six, 1), somnus::config_error);
        CHECK_THROWS_AS(somnus::write_png(path, 6, 0, bytes{}, 1), somnus::config_error);
        CHECK(contains(thrown<somnus::config_error>([&] { somnus::write_png(path, 2, 2, six, 3); }), "6 pixel bytes"));
        CHECK_FALSE(std::filesystem::exists(path));
        somnus::write_png(path, 2, 1, six, 3);
        CHECK(std::filesystem::exists(path));

        const auto nowhere = dir / "no-such-folder" / "y.png";
        const auto msg = thrown<somnus::error>([&] { somnus::write_png(nowhere, 2, 1, six, 3); });
        CHECK(contains(msg, nowhere.string()));
        CHECK_FALSE(std::filesystem::exists(nowhere));

        // A folder in the way of the final name: the rename fails, the old
        // contents stay, and no temporary is left behind.
        std::filesystem::create_directories(dir / "taken.png" / "inside");
        CHECK(contains(thrown<somnus::error>([&] { somnus::write_png(dir / "taken.png", 2, 1, six, 3); }), "taken.png"));
        CHECK(std::filesystem::is_directory(dir / "taken.png" / "inside"));
        CHECK_FALSE(std::filesystem::exists(dir / "taken.png.tmp"));
    }

    TEST_CASE("write_png replaces an existing file whole")
    {
        somnus_test::scratch_dir dir("png-replace");
        const auto path = dir / "r.png";
        somnus::write_png(path, 3, 1, bytes{1, 2, 3}, 1);
        somnus::write_png(path, 1, 2, bytes{9, 8, 7, 6, 5, 4}, 3);
        std::array<int, 5> filters{};
        CHECK(unfilter(check_png(somnus_test::read_bytes(path), 1, 2, 3), 1, 2, 3, filters) == bytes{9, 8, 7, 6, 5, 4});
    }

    TEST_CASE("deflate encoder round-trips, and gzip agrees")
    {
        std::vector<bytes> inputs{{}, {7}, bytes(3, 'a'), bytes(1000, 0), random_bytes(70000, 1), random_bytes(200000, 2)};
        {
            // Short repeats at many distances, long runs, and matches that
            // reach back exactly 32768 bytes.
            bytes m = random_bytes(40000, 3);
            std::copy(m.begin(), m.begin() + 300, m.begin() + 32768);
            for (std::size_t i = 5000; i < 15000; ++i) m[i] = m[i - 1 - i % 97];
            m.insert(m.end(), 70000, 0x55);
            inputs.push_back(m);
        }
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            CAPTURE(k);
            const auto& in = inputs[k];
            const auto d = somnus::detail::deflate(in);
            CHECK(d.size() <= in.size() + 5 * (in.size() / 65535 + 1));
            CHECK(somnus::inflate(d, "enc", in.size()) == in);
            const auto z = somnus::detail::zlib_compress(in);
            CHECK(somnus::zlib_decompress(z, "enc", in.size()) == in);
            const auto s = somnus::detail::deflate_stored(in);
            CHECK(somnus::inflate(s, "enc", in.size()) == in);
        }
        CHECK(somnus::detail::deflate(bytes(1000, 0)).size() < 20);

        if (!somnus_test::have_gzip()) {
            MESSAGE("gzip not found; skipping the cross-check");
            return;
        }
        // An independent decoder: wrap each stream as a gzip member and let
        // `gzip -dc` check it (CRC included) and reproduce the input.
        somnus_test::scratch_dir dir("deflate");
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            CAPTURE(k);
            const auto& in = inputs[k];
            bytes g{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
            const auto d = somnus::detail::deflate(in);
            g.insert(g.end(), d.begin(), d.end());
            const std::uint32_t crc = somnus::detail::crc32(in), n = static_cast<std::uint32_t>(in.size());
            for (int s = 0; s < 32; s += 8) g.push_back(static_cast<std::uint8_t>(crc >> s));
            for (int s = 0; s < 32; s += 8) g.push_back(static_cast<std::uint8_t>(n >> s));
            somnus_test::write_bytes(dir / "e.gz", g);
            const auto cmd = fmt::format("gzip -dc '{}' > '{}'", (dir / "e.gz").string(), (dir / "e").string());
            REQUIRE(std::system(cmd.c_str()) == 0);
            CHECK(somnus_test::read_bytes(dir / "e") == in);
        }
    }
}
