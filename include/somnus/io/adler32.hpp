// SPDX-License-Identifier: MIT
// Adler-32 checksum (RFC 1950, section 8.2), the trailer of zlib streams and
// so of PNG image data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace somnus::detail {

/// Adler-32 of bytes, continuing from `adler` (the checksum of the bytes before them).
inline std::uint32_t adler32(std::span<const std::uint8_t> bytes, std::uint32_t adler = 1)
{
    constexpr std::uint32_t mod = 65521;
    // 5552 is the longest run for which b cannot overflow 32 bits before the
    // next reduction: 255 n (n + 1) / 2 + (n + 1) (mod - 1) < 2^32.
    constexpr std::size_t run = 5552;
    std::uint32_t a = adler & 0xFFFFu, b = adler >> 16;
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::size_t end = i + (bytes.size() - i < run ? bytes.size() - i : run);
        for (; i < end; ++i) {
            a += bytes[i];
            b += a;
        }
        a %= mod;
        b %= mod;
    }
    return (b << 16) | a;
}

} // namespace somnus::detail
