// SPDX-License-Identifier: MIT
// Checks made before a file is opened or written, so that every reader and
// writer fails the same way: a data_error (inputs) or config_error (outputs)
// that names the path and says what happened. A FIFO, socket or device in
// place of a data file is refused before it is opened, because opening a
// FIFO blocks until someone writes to it.
#pragma once

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <unistd.h>

#include "../core/error.hpp"

namespace somnus {

namespace detail {

inline const char* file_type_name(std::filesystem::file_type t)
{
    switch (t) {
    case std::filesystem::file_type::directory: return "a directory";
    case std::filesystem::file_type::fifo: return "a FIFO (named pipe)";
    case std::filesystem::file_type::socket: return "a socket";
    case std::filesystem::file_type::block: return "a block device";
    case std::filesystem::file_type::character: return "a character device";
    case std::filesystem::file_type::symlink: return "a symbolic link";
    default: return "not a regular file";
    }
}

/// What went wrong when status() failed, in words a user can act on.
inline std::string access_problem(const std::error_code& ec)
{
    if (ec == std::errc::too_many_symbolic_link_levels) return "symbolic link loop (too many levels of symbolic links)";
    if (ec == std::errc::permission_denied) return "permission denied (a folder on the path cannot be searched)";
    if (ec == std::errc::not_a_directory) return "a component of the path is not a folder";
    if (ec == std::errc::filename_too_long) return "path too long";
    return "cannot access: " + ec.message();
}

} // namespace detail

/// Whether path exists, telling "missing" apart from every other reason a
/// lookup fails (a symlink loop, a folder that cannot be searched): those
/// throw a data_error naming the path, so they are never reported as "no
/// such file".
inline bool file_exists(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (st.type() == std::filesystem::file_type::not_found) return false;
    if (ec) throw data_error(fmt::format("{}: {}", path.string(), detail::access_problem(ec)));
    return true;
}

/// Checks that path names a regular file this process may read, and
/// returns its size in bytes. `what` names the expected content for the
/// message ("an IDX file", "a checkpoint"). Throws a data_error naming the
/// path and the problem: no such file, symlink loop, permission denied, or
/// a directory, FIFO, socket or device.
inline std::uint64_t require_regular_file(const std::filesystem::path& path, const char* what)
{
    const std::string name = path.string();
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (st.type() == std::filesystem::file_type::not_found) throw data_error(fmt::format("{}: no such file", name));
    if (ec) throw data_error(fmt::format("{}: {}", name, detail::access_problem(ec)));
    if (st.type() != std::filesystem::file_type::regular)
        throw data_error(fmt::format("{}: is {}, not {}", name, detail::file_type_name(st.type()), what));
    if (::access(path.c_str(), R_OK) != 0) throw data_error(fmt::format("{}: permission denied (cannot read)", name));
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw data_error(fmt::format("{}: cannot determine the file size: {}", name, ec.message()));
    return size;
}

/// Opens a regular file for binary reading after require_regular_file;
/// size receives its length.
inline std::ifstream open_regular_file(const std::filesystem::path& path, const char* what, std::uint64_t& size)
{
    size = require_regular_file(path, what);
    std::ifstream f(path, std::ios::binary);
    if (!f) throw data_error(fmt::format("{}: cannot open for reading", path.string()));
    return f;
}

/// Checks, before any work, that a file can be written at path: its folder
/// exists and is writable, and path is not a directory or other non-regular
/// file (a regular file there is replaced). `flag` names the option or
/// parameter for the message ("--json"). Throws config_error.
inline void require_writable_file(const std::filesystem::path& path, const std::string& flag)
{
    const std::string name = path.string();
    detail::require(!name.empty(), "{}: empty path", flag);
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (st.type() != std::filesystem::file_type::not_found) {
        if (ec) throw config_error(fmt::format("{} {}: {}", flag, name, detail::access_problem(ec)));
        if (st.type() != std::filesystem::file_type::regular)
            throw config_error(fmt::format("{} {}: is {}, cannot write a file there", flag, name,
                                           detail::file_type_name(st.type())));
    }
    auto dir = path.parent_path();
    if (dir.empty()) dir = ".";
    const auto dst = std::filesystem::status(dir, ec);
    if (dst.type() == std::filesystem::file_type::not_found)
        throw config_error(fmt::format("{} {}: folder {} does not exist", flag, name, dir.string()));
    if (ec) throw config_error(fmt::format("{} {}: folder {}: {}", flag, name, dir.string(), detail::access_problem(ec)));
    if (dst.type() != std::filesystem::file_type::directory)
        throw config_error(fmt::format("{} {}: {} is not a folder", flag, name, dir.string()));
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw config_error(fmt::format("{} {}: folder {} is not writable", flag, name, dir.string()));
}

/// Checks, before any work, that a folder can hold output at path: either
/// it is an existing writable folder, or it can be created (its nearest
/// existing ancestor is a writable folder). Throws config_error.
inline void require_writable_folder(const std::filesystem::path& path, const std::string& flag)
{
    const std::string name = path.string();
    detail::require(!name.empty(), "{}: empty path", flag);
    std::filesystem::path p = path;
    for (;;) {
        std::error_code ec;
        const auto st = std::filesystem::status(p, ec);
        if (st.type() != std::filesystem::file_type::not_found) {
            if (ec) throw config_error(fmt::format("{} {}: {}: {}", flag, name, p.string(), detail::access_problem(ec)));
            if (st.type() != std::filesystem::file_type::directory)
                throw config_error(fmt::format("{} {}: {} is {}, not a folder", flag, name, p.string(),
                                               detail::file_type_name(st.type())));
            if (::access(p.c_str(), W_OK | X_OK) != 0)
                throw config_error(fmt::format("{} {}: folder {} is not writable", flag, name, p.string()));
            return;
        }
        auto parent = p.parent_path();
        if (parent.empty() || parent == p) parent = ".";
        if (parent == p) return;
        p = parent;
    }
}

} // namespace somnus
