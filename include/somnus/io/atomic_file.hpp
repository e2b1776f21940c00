// SPDX-License-Identifier: MIT
// Writing a file so that a crash or a full disk never leaves half of it:
// the bytes go to path + ".tmp", which is renamed over path once complete.
#pragma once

#include <filesystem>
#include <fstream>
#include <span>
#include <system_error>

#include "../core/error.hpp"

namespace somnus {

/// Replaces the file at path with bytes, atomically. Failures throw
/// somnus::error naming the path, remove the temporary file and leave any
/// previous file at path untouched.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const char> bytes)
{
    auto tmp = path;
    tmp += ".tmp";
    const auto discard = [&] {
        std::error_code ignore;
        std::filesystem::remove(tmp, ignore);
    };
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw error(fmt::format("{}: cannot open for writing", tmp.string()));
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        f.close();
        if (!f) {
            discard();
            throw error(fmt::format("{}: write failed", tmp.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        discard();
        throw error(fmt::format("{}: cannot rename {} into place: {}", path.string(), tmp.filename().string(), ec.message()));
    }
}

inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes)
{
    write_file_atomically(path, std::span<const char>(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}


} // namespace somnus
