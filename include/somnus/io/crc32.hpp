// SPDX-License-Identifier: MIT
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by gzip, PNG
// and somnus checkpoints. Table-driven, eight bytes per step ("slicing by 8",
// Kounavis & Berry 2008), since gzip'd data sets pass tens of MB through it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace somnus::detail {

/// crc32_tables[k][b]: the CRC register after byte b followed by k zero bytes.
inline constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32_tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][n] = c;
    }
    for (std::size_t k = 1; k < 8; ++k)
        for (std::size_t n = 0; n < 256; ++n) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFFu];
    return t;
}();

inline constexpr const std::array<std::uint32_t, 256>& crc32_table = crc32_tables[0];

/// CRC of bytes, continuing from `crc` (the CRC of the bytes before them).
inline std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0)
{
    const auto& t = crc32_tables;
    crc = ~crc;
    const std::uint8_t* p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 8; n -= 8, p += 8) {
        const std::uint32_t lo = crc ^ (p[0] | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
        const std::uint32_t hi = p[4] | std::uint32_t{p[5]} << 8 | std::uint32_t{p[6]} << 16 | std::uint32_t{p[7]} << 24;
        crc = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
              t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
    }
    for (; n; --n, ++p) crc = t[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

} // namespace somnus::detail
