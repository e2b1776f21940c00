// SPDX-License-Identifier: MIT
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by gzip, PNG
// and somnus checkpoints: a thin wrapper over zlib's crc32_z, which is
// already linked for gzip'd data and faster than a table of our own.
#pragma once

#include <cstdint>
#include <span>

#include <zlib.h>

namespace somnus::detail {

/// CRC of bytes, continuing from `crc` (the CRC of the bytes before them).
inline std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0)
{
    // zlib returns the initial value 0 for a null buffer, whatever crc is.
    if (bytes.empty()) return crc;
    return static_cast<std::uint32_t>(::crc32_z(crc, bytes.data(), bytes.size()));
}

} // namespace somnus::detail
