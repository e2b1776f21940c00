// SPDX-License-Identifier: MIT
// Writing a file so that a crash, a power loss or a full disk never leaves
// half of it: the bytes go to path + ".tmp", which is fsync'ed, renamed over
// path, and the folder fsync'ed so the rename itself is on disk.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "../core/error.hpp"

namespace somnus {

namespace detail {

inline std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

/// write(2) all of bytes to fd, retrying short writes and EINTR; errno on failure.
inline int write_all(int fd, const char* p, std::size_t n)
{
    while (n > 0) {
        const ssize_t k = ::write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += k;
        n -= static_cast<std::size_t>(k);
    }
    return 0;
}

} // namespace detail

/// Replaces the file at path with bytes, atomically and durably. Failures
/// throw somnus::error naming the path and the reason, remove the temporary
/// file and leave any previous file at path untouched.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const char> bytes)
{
    auto tmp = path;
    tmp += ".tmp";
    const auto fail = [&](const std::string& what, int e) {
        ::unlink(tmp.c_str());
        throw error(fmt::format("{}: {}: {}", path.string(), what, detail::errno_text(e)));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw error(fmt::format("{}: cannot open {} for writing: {}", path.string(), tmp.string(), detail::errno_text(errno)));
    if (const int e = detail::write_all(fd, bytes.data(), bytes.size())) {
        ::close(fd);
        fail("write failed", e);
    }
    if (::fsync(fd) != 0) {
        const int e = errno;
        ::close(fd);
        fail("fsync failed", e);
    }
    if (::close(fd) != 0) fail("close failed", errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(fmt::format("cannot rename {} into place", tmp.filename().string()), errno);
    // The rename is durable once the folder is; a folder that cannot be
    // opened or synced (some file systems) does not undo a complete write.
    auto dir = path.parent_path();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes)
{
    write_file_atomically(path, std::span<const char>(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

} // namespace somnus
