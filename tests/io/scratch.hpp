// SPDX-License-Identifier: MIT
// Helpers for the file-format tests: a private temporary folder, whole-file
// reads and writes, fixtures compressed by zlib or by the system's gzip tool,
// FIFOs, the process's peak memory, and catching an exception's message.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <zlib.h>

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

/// data as one gzip member made by zlib. header, if given, sets the
/// optional header fields (name, comment, extra, header CRC).
inline std::vector<std::uint8_t> gzip_zlib(std::span<const std::uint8_t> data, int level = 6,
                                           int strategy = Z_DEFAULT_STRATEGY, gz_header* header = nullptr)
{
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, strategy) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    if (header && deflateSetHeader(&z, header) != Z_OK) throw std::runtime_error("deflateSetHeader failed");
    std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(data.size())) + 1024);
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

/// n zero bytes as one gzip member, made by zlib a block at a time, so that
/// a bomb fixture costs no memory of its own (memory tests measure the reader).
inline std::vector<std::uint8_t> gzip_zeros(std::size_t n)
{
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    static const std::vector<std::uint8_t> zeros(1 << 16, 0);
    std::vector<std::uint8_t> out, buf(1 << 16);
    for (;;) {
        const std::size_t in = std::min(n, zeros.size());
        n -= in;
        z.next_in = const_cast<Bytef*>(zeros.data());
        z.avail_in = static_cast<uInt>(in);
        const int flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
        int rc;
        do {
            z.next_out = buf.data();
            z.avail_out = static_cast<uInt>(buf.size());
            rc = deflate(&z, flush);
            out.insert(out.end(), buf.begin(), buf.end() - z.avail_out);
        } while (z.avail_out == 0);
        if (flush == Z_FINISH) {
            deflateEnd(&z);
            if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
            return out;
        }
    }
}

inline bool running_as_root() { return ::geteuid() == 0; }

/// The most memory this process has held at once (ru_maxrss), in bytes. It
/// only grows: a test compares it before and after a call, and a call that
/// stays below an earlier peak shows no growth at all.
inline std::uint64_t peak_rss_bytes()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

/// Makes a FIFO at path; false if the system refuses.
inline bool make_fifo(const std::filesystem::path& path) { return ::mkfifo(path.c_str(), 0600) == 0; }

/// While alive, makes sure nobody blocks forever on the FIFO at path: after
/// `patience`, it opens the FIFO for writing and closes it again, so a
/// reader stuck in open() sees an empty file. A test that should never
/// open the FIFO then fails instead of hanging.
class fifo_unblocker {
public:
    explicit fifo_unblocker(std::filesystem::path path, std::chrono::milliseconds patience = std::chrono::seconds(5))
        : path_(std::move(path)), thread_([this, patience] {
              std::unique_lock<std::mutex> lock(mutex_);
              while (!stop_) {
                  if (cv_.wait_for(lock, patience, [this] { return stop_; })) return;
                  const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK);
                  if (fd >= 0) {
                      fired_ = true;
                      ::close(fd);
                  }
              }
          })
    {
    }
    ~fifo_unblocker()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    fifo_unblocker(const fifo_unblocker&) = delete;
    fifo_unblocker& operator=(const fifo_unblocker&) = delete;

    /// Whether a reader had to be unblocked (someone opened the FIFO).
    bool fired() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return fired_;
    }

private:
    std::filesystem::path path_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false, fired_ = false;
    std::thread thread_;
};

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
