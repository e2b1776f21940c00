// SPDX-License-Identifier: MIT
// Helpers for the file-format tests: a private temporary folder, whole-file
// reads and writes, fixtures compressed by the system's gzip tool, and
// catching an exception's message.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace somnus_test {

/// A fresh folder under the system temp dir, removed with its contents.
class scratch_dir {
public:
    explicit scratch_dir(const std::string& tag)
    {
        static std::atomic<unsigned> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                fmt::format("somnus-{}-{:08x}-{}", tag, std::random_device{}(), counter++);
        std::filesystem::create_directories(path_);
    }
    ~scratch_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// n bytes from a seeded generator (fixtures must not change between runs).
inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& p, std::span<const std::uint8_t> bytes)
{
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }

inline bool have_gzip()
{
    static const bool ok = std::system("gzip --version >/dev/null 2>&1") == 0;
    return ok;
}

/// data compressed by `gzip -<level> -n` (no name or time in the header).
inline std::vector<std::uint8_t> gzip_tool(const scratch_dir& dir, std::span<const std::uint8_t> data, int level,
                                           const std::string& name = "fixture")
{
    const auto plain = dir / name;
    write_bytes(plain, data);
    const auto cmd = fmt::format("gzip -{} -n -k -f '{}'", level, plain.string());
    if (std::system(cmd.c_str()) != 0) return {};
    auto packed = plain;
    packed += ".gz";
    return read_bytes(packed);
}

/// The message of the E that f throws, or a marker saying what happened instead.
template <class E, class F>
std::string thrown(F&& f)
{
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<wrong exception type: ") + e.what() + ">";
    }
    return "<no exception>";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace somnus_test
