// SPDX-License-Identifier: MIT
// Minimal PNG writer (PNG spec, ISO/IEC 15948 / W3C REC-PNG): 8-bit grayscale
// or RGB, no interlace, a filter chosen per row, one zlib stream split over
// IDAT chunks. Written to path + ".tmp" and then renamed into place.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "atomic_file.hpp"
#include "crc32.hpp"
#include "deflate.hpp"

namespace somnus {

namespace detail {

inline void png_put32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

/// Appends length, type, data and the CRC-32 of type and data.
inline void png_chunk(std::vector<std::uint8_t>& out, const char (&type)[5], std::span<const std::uint8_t> data)
{
    png_put32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    png_put32(out, crc32(std::span<const std::uint8_t>(out).subspan(start)));
}

inline std::uint8_t png_paeth(int a, int b, int c)
{
    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return static_cast<std::uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/// Writes the filter type byte and the filtered row to out. Of the five
/// filters (PNG spec 9.2: None, Sub, Up, Average, Paeth) it picks the one
/// with the smallest sum of |byte| read as signed, the spec's suggested
/// heuristic (12.8): flat areas and gradients turn into runs of zeros.
inline void png_filter_row(const std::uint8_t* row, const std::uint8_t* prior, std::size_t len, std::size_t bpp,
                           std::uint8_t* out)
{
    std::vector<std::uint8_t> trial(len);
    std::uint64_t best_cost = ~std::uint64_t{0};
    for (std::uint8_t type = 0; type < 5; ++type) {
        std::uint64_t cost = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const int a = i >= bpp ? row[i - bpp] : 0, b = prior ? prior[i] : 0;
            const int c = i >= bpp && prior ? prior[i - bpp] : 0;
            const int predicted = type == 0 ? 0 : type == 1 ? a : type == 2 ? b : type == 3 ? (a + b) / 2 : png_paeth(a, b, c);
            trial[i] = static_cast<std::uint8_t>(row[i] - predicted);
            cost += static_cast<std::uint64_t>(std::abs(static_cast<int>(static_cast<std::int8_t>(trial[i]))));
        }
        if (cost < best_cost) {
            best_cost = cost;
            out[0] = type;
            std::copy(trial.begin(), trial.end(), out + 1);
        }
    }
}

/// The complete PNG file in memory.
inline std::vector<std::uint8_t> encode_png(std::size_t width, std::size_t height, std::span<const std::uint8_t> pixels,
                                            int channels)
{
    require(channels == 1 || channels == 3, "write_png: channels must be 1 (gray) or 3 (RGB), not {}", channels);
    constexpr std::size_t max_side = 0x7FFFFFFF;  // PNG limits each side to 2^31 - 1
    require(width >= 1 && width <= max_side && height >= 1 && height <= max_side,
            "write_png: image size {}x{} outside 1..2^31-1", width, height);
    const std::size_t row = width * static_cast<std::size_t>(channels);
    require((row + 1) * height / height == row + 1, "write_png: image size {}x{} too large", width, height);
    require(pixels.size() == row * height, "write_png: {} pixel bytes given for {}x{}x{} = {}", pixels.size(), width,
            height, channels, row * height);

    std::vector<std::uint8_t> out{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<std::uint8_t> ihdr;
    png_put32(ihdr, static_cast<std::uint32_t>(width));
    png_put32(ihdr, static_cast<std::uint32_t>(height));
    // bit depth 8; color type 0 gray or 2 RGB; deflate; adaptive filtering; no interlace
    ihdr.insert(ihdr.end(), {8, static_cast<std::uint8_t>(channels == 1 ? 0 : 2), 0, 0, 0});
    png_chunk(out, "IHDR", ihdr);

    std::vector<std::uint8_t> raw((row + 1) * height);
    for (std::size_t y = 0; y < height; ++y)
        png_filter_row(pixels.data() + y * row, y ? pixels.data() + (y - 1) * row : nullptr, row,
                       static_cast<std::size_t>(channels), raw.data() + y * (row + 1));
    const auto z = zlib_compress(raw);
    // Chunks of at most 1 MiB keep every length far below the 2^31 - 1 cap.
    constexpr std::size_t idat_max = std::size_t{1} << 20;
    for (std::size_t i = 0; i < z.size(); i += idat_max)
        png_chunk(out, "IDAT", std::span<const std::uint8_t>(z).subspan(i, std::min(idat_max, z.size() - i)));
    png_chunk(out, "IEND", {});
    return out;
}

} // namespace detail

/// Writes an 8-bit PNG of width x height pixels, row-major, `channels` bytes
/// per pixel (1 gray, 3 RGB). Bad sizes are a config_error; a file that
/// cannot be written is an error naming the path, and leaves any previous
/// file at path untouched.
inline void write_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                      std::span<const std::uint8_t> pixels, int channels)
{
    write_file_atomically(path, detail::encode_png(width, height, pixels, channels));
}

} // namespace somnus
