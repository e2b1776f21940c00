// SPDX-License-Identifier: MIT
// PNG pictures for the example programs: 8-bit gray or RGB, encoded in
// memory by stb_image_write (Debian libstb-dev; one IDAT chunk, a filter
// chosen per row), its rows compressed by zlib at level 9 (linked through
// somnus::somnus; our plots come out 20-75 % smaller than with stb's own
// compressor), and written atomically, to path + ".tmp" and then renamed
// into place (somnus/io/atomic_file.hpp).
//
// stb_image_write's implementation is compiled here, with internal linkage
// (STB_IMAGE_WRITE_STATIC), in every translation unit that includes this
// header: a program of one translation unit or of many links without
// defining STB_IMAGE_WRITE_IMPLEMENTATION anywhere else. A translation unit
// that includes this header must not also include <stb/stb_image_write.h>
// for itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <zlib.h>

#include <somnus/core/error.hpp>
#include <somnus/io/atomic_file.hpp>

namespace somnus::example::detail {

/// stb_image_write's STBIW_ZLIB_COMPRESS hook: a zlib stream of data in a
/// malloc'd buffer, which stb frees with free(); null when zlib fails.
inline unsigned char* png_zlib_compress(unsigned char* data, int data_len, int* out_len, int /*stb's level*/)
{
    const auto in_len = static_cast<uLong>(data_len);
    uLongf len = compressBound(in_len);
    auto* out = static_cast<unsigned char*>(std::malloc(len));
    if (out == nullptr) return nullptr;
    if (compress2(out, &len, data, in_len, Z_BEST_COMPRESSION) != Z_OK) {
        std::free(out);
        return nullptr;
    }
    *out_len = static_cast<int>(len);
    return out;
}

} // namespace somnus::example::detail

// A system header, so that -Wall -Wextra -Wpedantic stay about our code; the
// pragmas cover the case where a build puts the stb folder on a plain -I path.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO  // only the in-memory writers; files go through write_file_atomically
#define STBIW_ZLIB_COMPRESS somnus::example::detail::png_zlib_compress
#include <stb/stb_image_write.h>
#undef STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace somnus::example {

namespace detail {

/// stb_image_write counts bytes in int: the filtered rows, (width x channels
/// + 1) x height bytes, the compressed stream (for noise slightly larger)
/// and the whole file. 2^29 bytes (512 MiB) of rows keeps every count well
/// inside int.
inline constexpr std::size_t png_max_filtered_bytes = std::size_t{1} << 29;

inline void png_append(void* context, void* data, int size)
{
    auto& out = *static_cast<std::vector<std::uint8_t>*>(context);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out.insert(out.end(), bytes, bytes + size);
}

/// The complete PNG file in memory; path only names the file in messages.
inline std::vector<std::uint8_t> encode_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                                            std::span<const std::uint8_t> pixels, int channels)
{
    using somnus::detail::require;
    const auto name = path.string();
    require(channels == 1 || channels == 3, "{}: write_png: channels must be 1 (gray) or 3 (RGB), not {}", name,
            channels);
    require(width >= 1 && height >= 1, "{}: write_png: image size {}x{} has no pixels", name, width, height);
    // Divisions, not products, so the check itself cannot overflow.
    const std::size_t c = static_cast<std::size_t>(channels);
    require(width < png_max_filtered_bytes / c && width * c + 1 <= png_max_filtered_bytes / height,
            "{}: write_png: image size {}x{}x{} too large (at most {} bytes of filtered rows)", name, width, height,
            channels, png_max_filtered_bytes);
    const std::size_t row = width * c;
    require(pixels.size() == row * height, "{}: write_png: {} pixel bytes given for {}x{}x{} = {}", name,
            pixels.size(), width, height, channels, row * height);

    std::vector<std::uint8_t> out;
    if (!stbi_write_png_to_func(png_append, &out, static_cast<int>(width), static_cast<int>(height), channels,
                                pixels.data(), static_cast<int>(row)))
        throw error(
            fmt::format("{}: write_png: could not encode {}x{}x{} (out of memory)", name, width, height, channels));
    return out;
}

} // namespace detail

/// Writes an 8-bit PNG of width x height pixels, row-major, `channels` bytes
/// per pixel (1 gray, 3 RGB). Bad sizes or a pixel count that does not match
/// them are a config_error; a file that cannot be written is an error naming
/// the path, and leaves any previous file at path untouched.
inline void write_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                      std::span<const std::uint8_t> pixels, int channels)
{
    somnus::write_file_atomically(path, detail::encode_png(path, width, height, pixels, channels));
}

} // namespace somnus::example
