// SPDX-License-Identifier: MIT
// Tests for the example programs' PNG writer (examples/common/png.hpp, on
// stb_image_write): files decoded by stb_image give back the pixels, bad
// sizes are config_errors, and the write is atomic.
#include <doctest/doctest.h>

#include "../../examples/common/plot.hpp"
#include "../../examples/common/png.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

// An independent decoder for the round trip, compiled into this translation
// unit only (PNG only, from memory).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#include <stb/stb_image.h>
#undef STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "../io/scratch.hpp"

using somnus::example::write_png;
using somnus_test::contains;
using somnus_test::thrown;
using bytes = std::vector<std::uint8_t>;

namespace {

std::uint32_t be32(const bytes& b, std::size_t p)
{
    return std::uint32_t{b[p]} << 24 | std::uint32_t{b[p + 1]} << 16 | std::uint32_t{b[p + 2]} << 8 | b[p + 3];
}

struct decoded {
    int w = 0, h = 0, channels = 0;
    bytes pixels;
};

/// The file's signature and header, then its pixels as stb_image reads them.
decoded decode(const bytes& f)
{
    const bytes signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    REQUIRE(f.size() >= 8 + 25);
    REQUIRE(bytes(f.begin(), f.begin() + 8) == signature);
    REQUIRE(be32(f, 8) == 13);
    REQUIRE(std::string(f.begin() + 12, f.begin() + 16) == "IHDR");
    CHECK(f[24] == 8);  // bit depth
    CHECK(f[28] == 0);  // no interlace
    decoded d;
    unsigned char* px = stbi_load_from_memory(f.data(), static_cast<int>(f.size()), &d.w, &d.h, &d.channels, 0);
    REQUIRE_MESSAGE(px != nullptr, "stb_image: " << stbi_failure_reason());
    d.pixels.assign(px, px + static_cast<std::size_t>(d.w) * static_cast<std::size_t>(d.h) *
                                static_cast<std::size_t>(d.channels));
    stbi_image_free(px);
    CHECK(be32(f, 16) == static_cast<std::uint32_t>(d.w));
    CHECK(be32(f, 20) == static_cast<std::uint32_t>(d.h));
    CHECK(f[25] == (d.channels == 1 ? 0 : 2));  // colour type: gray or truecolour
    return d;
}

} // namespace

TEST_SUITE("plot")
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
            images.push_back({1, 1, 3, {1, 2, 3}});
            images.push_back({1, 40, 3, somnus_test::random_bytes(40 * 3, 5)});   // one pixel wide
            images.push_back({300, 1, 1, somnus_test::random_bytes(300, 6)});     // one row
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
            // Noise does not compress.
            images.push_back({700, 600, 3, somnus_test::random_bytes(700 * 600 * 3, 11)});
        }
        for (const auto& im : images) {
            CAPTURE(im.w);
            CAPTURE(im.h);
            CAPTURE(im.channels);
            const auto path = dir / "image.png";
            write_png(path, im.w, im.h, im.pixels, im.channels);
            CHECK_FALSE(std::filesystem::exists(dir / "image.png.tmp"));
            const auto f = somnus_test::read_bytes(path);
            const auto d = decode(f);
            CHECK(d.w == static_cast<int>(im.w));
            CHECK(d.h == static_cast<int>(im.h));
            CHECK(d.channels == im.channels);
            CHECK(d.pixels == im.pixels);
            if (im.w == 256) CHECK(f.size() < im.pixels.size() / 20);  // flat areas compress
        }
    }

    TEST_CASE("write_png: a plot canvas round-trips as RGB")
    {
        somnus_test::scratch_dir dir("png-canvas");
        somnus::plot::canvas c(37, 23, {10, 20, 30});
        c.fill_rect(3, 4, 10, 5, {250, 0, 7});
        const auto path = dir / "c.png";
        write_png(path, c.width(), c.height(), c.pixels(), 3);
        const auto d = decode(somnus_test::read_bytes(path));
        CHECK(d.w == 37);
        CHECK(d.h == 23);
        CHECK(d.channels == 3);
        CHECK(d.pixels == bytes(c.pixels().begin(), c.pixels().end()));
    }

    TEST_CASE("write_png: bad arguments are config_errors and write nothing")
    {
        somnus_test::scratch_dir dir("png-errors");
        const auto path = dir / "x.png";
        const bytes six(6, 1);
        CHECK_THROWS_AS(write_png(path, 2, 2, six, 1), somnus::config_error);  // 4 pixels, 6 bytes
        CHECK_THROWS_AS(write_png(path, 2, 1, six, 1), somnus::config_error);
        CHECK_THROWS_AS(write_png(path, 1, 3, six, 2), somnus::config_error);  // gray + alpha: not offered
        CHECK_THROWS_AS(write_png(path, 1, 2, six, 4), somnus::config_error);
        CHECK_THROWS_AS(write_png(path, 0, 3, six, 1), somnus::config_error);
        CHECK_THROWS_AS(write_png(path, 6, 0, bytes{}, 1), somnus::config_error);
        CHECK(contains(thrown<somnus::config_error>([&] { write_png(path, 1, 3, six, 2); }), "channels must be 1"));
        CHECK(contains(thrown<somnus::config_error>([&] { write_png(path, 0, 3, six, 1); }), "0x3"));
        const auto count = thrown<somnus::config_error>([&] { write_png(path, 2, 2, six, 3); });
        CHECK(contains(count, "6 pixel bytes given for 2x2x3 = 12"));
        CHECK(contains(count, path.string()));
        // Sizes beyond what the encoder counts are refused before the pixel
        // count is looked at, and before any product can overflow.
        const std::size_t huge = std::size_t{1} << 40;
        for (const auto& size : {std::pair{huge, std::size_t{1}}, std::pair{std::size_t{1}, huge},
                                 std::pair{std::size_t{1} << 15, std::size_t{1} << 15}, std::pair{huge, huge}}) {
            const auto w = size.first, h = size.second;
            const auto msg = thrown<somnus::config_error>([&] { write_png(path, w, h, bytes{}, 3); });
            CHECK(contains(msg, "too large"));
        }
        CHECK_FALSE(std::filesystem::exists(path));
        CHECK(std::filesystem::is_empty(dir.path()));

        write_png(path, 2, 1, six, 3);
        CHECK(std::filesystem::exists(path));
    }

    TEST_CASE("write_png: unwritable paths name the path and leave no temporary")
    {
        somnus_test::scratch_dir dir("png-unwritable");
        const bytes six(6, 1);

        const auto nowhere = dir / "no-such-folder" / "y.png";
        const auto msg = thrown<somnus::error>([&] { write_png(nowhere, 2, 1, six, 3); });
        CHECK(contains(msg, nowhere.string()));
        CHECK_FALSE(std::filesystem::exists(dir / "no-such-folder"));

        // A folder in the way of the final name: the rename fails, the old
        // contents stay, and no temporary is left behind.
        std::filesystem::create_directories(dir / "taken.png" / "inside");
        CHECK(contains(thrown<somnus::error>([&] { write_png(dir / "taken.png", 2, 1, six, 3); }), "taken.png"));
        CHECK(std::filesystem::is_directory(dir / "taken.png" / "inside"));
        CHECK_FALSE(std::filesystem::exists(dir / "taken.png.tmp"));
    }

    TEST_CASE("write_png replaces an existing file whole")
    {
        somnus_test::scratch_dir dir("png-replace");
        const auto path = dir / "r.png";
        write_png(path, 3, 1, bytes{1, 2, 3}, 1);
        write_png(path, 1, 2, bytes{9, 8, 7, 6, 5, 4}, 3);
        const auto d = decode(somnus_test::read_bytes(path));
        CHECK(d.w == 1);
        CHECK(d.h == 2);
        CHECK(d.pixels == bytes{9, 8, 7, 6, 5, 4});
        CHECK_FALSE(std::filesystem::exists(dir / "r.png.tmp"));
    }
}
