// SPDX-License-Identifier: MIT
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by gzip, PNG
// and somnus checkpoints. Table-driven, one byte per step.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace somnus::detail {

inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[n] = c;
    }
    return t;
}();

/// CRC of bytes, continuing from `crc` (the CRC of the bytes before them).
inline std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0)
{
    crc = ~crc;
    for (const auto b : bytes) crc = crc32_table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

} // namespace somnus::detail
