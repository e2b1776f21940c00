// SPDX-License-Identifier: MIT
// Streaming, bounded gzip decompression (RFC 1952) through zlib. Decoding
// DEFLATE is not this library's job, so we use zlib (Debian zlib1g-dev), the
// reference implementation, fuzzed for decades and faster than the decoder
// we used to carry; this header adds only what a data loader needs on top:
// the file read a block at a time, output handed to the caller a span at a
// time and bounded by a caller-given limit, and every failure a data_error
// that names the file and the problem.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include <zlib.h>

#include "../core/error.hpp"
#include "file.hpp"

namespace somnus {

/// True if bytes start like a gzip member (magic 1f 8b).
inline bool is_gzip(std::span<const std::uint8_t> bytes)
{
    return bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
}

/// No limit on the decompressed size.
inline constexpr std::uint64_t gzip_no_limit = std::numeric_limits<std::uint64_t>::max();

/// Decompresses a gzip file a block at a time: read(out) fills `out` with
/// the next decompressed bytes, so the caller holds only what it asked for.
///
/// - A file of several members (`cat a.gz b.gz`) decodes to their
///   concatenation, as `gzip -d` does (RFC 1952 2.2).
/// - Each member's CRC-32 and length trailer is checked by zlib. Bytes after
///   the last member that do not start another one ("trailing garbage",
///   zero padding included) are an error, where `gzip -d` only warns.
/// - More than max_output decompressed bytes in all is an error, raised
///   after at most one byte past the limit has been produced.
///
/// Every problem is a data_error naming the file: not gzip, corrupt data,
/// truncated file, CRC or length mismatch, trailing garbage, over the limit.
/// read() returns fewer bytes than asked only at the end of the data, and
/// by then the whole file has been validated.
class gzip_reader {
public:
    /// Opens path, which must be a regular file (else data_error).
    explicit gzip_reader(const std::filesystem::path& path, std::uint64_t max_output = gzip_no_limit)
        : owned_(std::make_unique<std::ifstream>()), name_(path.string()), max_output_(max_output)
    {
        // require_regular_file, then open in place: moving an ifstream trips
        // a false -Wstringop-overflow in GCC 12 under the sanitizers.
        require_regular_file(path, "a gzip file");
        owned_->open(path, std::ios::binary);
        if (!*owned_) throw data_error(fmt::format("{}: cannot open for reading", name_));
        in_ = owned_.get();
        start();
    }

    /// Decompresses `in` from its current position; `name` starts every
    /// message. `in` must outlive the reader.
    gzip_reader(std::istream& in, std::string name, std::uint64_t max_output = gzip_no_limit)
        : in_(&in), name_(std::move(name)), max_output_(max_output)
    {
        start();
    }

    /// Fills `out` from the front; returns how many bytes (fewer than
    /// out.size() only at the end of the data, 0 after it).
    std::size_t read(std::span<std::uint8_t> out)
    {
        std::size_t n = 0;
        while (n < out.size() && !done_) {
            if (between_members_) {
                next_member();
                continue;
            }
            if (z_->avail_in == 0) fill();
            // Never produce more than one byte past the limit.
            const std::uint64_t allowed = max_output_ - std::min(max_output_, out_total_);
            std::size_t room = out.size() - n;
            if (allowed < gzip_no_limit && room > allowed + 1) room = static_cast<std::size_t>(allowed + 1);
            room = std::min<std::size_t>(room, UINT_MAX);
            const uInt in_before = z_->avail_in;
            z_->next_out = out.data() + n;
            z_->avail_out = static_cast<uInt>(room);
            const int rc = ::inflate(z_.get(), Z_NO_FLUSH);
            const std::size_t produced = room - z_->avail_out;
            n += produced;
            out_total_ += produced;
            in_total_ += in_before - z_->avail_in;
            if (out_total_ > max_output_)
                throw data_error(fmt::format("{}: decompresses to more than {} bytes, the limit", name_, max_output_));
            if (rc == Z_STREAM_END) {
                ++members_;
                between_members_ = true;
            } else if (rc == Z_BUF_ERROR || (rc == Z_OK && produced == 0 && in_before == z_->avail_in)) {
                // No progress: zlib needs input the file does not have.
                if (z_->avail_in == 0 && eof_) truncated();
            } else if (rc != Z_OK) {
                zlib_failed(rc);
            }
        }
        return n;
    }

    /// Whether the end of the data has been reached (and validated).
    bool done() const { return done_; }
    /// Decompressed bytes delivered so far.
    std::uint64_t bytes_out() const { return out_total_; }
    /// Compressed bytes consumed so far.
    std::uint64_t bytes_in() const { return in_total_; }
    /// gzip members completed so far.
    std::size_t members() const { return members_; }
    const std::string& name() const { return name_; }

private:
    static constexpr std::size_t block = std::size_t{1} << 16;

    struct z_deleter {
        void operator()(z_stream* z) const
        {
            ::inflateEnd(z);
            delete z;
        }
    };

    void start()
    {
        buffer_.resize(block);
        auto z = std::make_unique<z_stream>();
        std::memset(z.get(), 0, sizeof(z_stream));
        // 16 + MAX_WBITS: gzip container only, the largest window.
        const int rc = ::inflateInit2(z.get(), 16 + MAX_WBITS);
        if (rc == Z_MEM_ERROR) throw std::bad_alloc();
        if (rc != Z_OK) throw error(fmt::format("{}: zlib inflateInit2 failed ({})", name_, rc));
        z_.reset(z.release());
        fill();
        if (z_->avail_in == 0) throw data_error(fmt::format("{}: not a gzip file (empty)", name_));
        check_magic("not a gzip file");
    }

    /// Tops the input buffer up, keeping the bytes zlib has not consumed.
    void fill()
    {
        if (eof_) return;
        const std::size_t kept = z_->avail_in;
        if (kept && z_->next_in != buffer_.data()) std::memmove(buffer_.data(), z_->next_in, kept);
        in_->read(reinterpret_cast<char*>(buffer_.data() + kept), static_cast<std::streamsize>(block - kept));
        const auto got = static_cast<std::size_t>(in_->gcount());
        if (in_->bad()) throw data_error(fmt::format("{}: read error after {} bytes", name_, in_total_ + kept));
        if (got < block - kept) eof_ = true;
        z_->next_in = buffer_.data();
        z_->avail_in = static_cast<uInt>(kept + got);
    }

    void check_magic(const char* problem)
    {
        if (z_->avail_in < 2 && !eof_) fill();
        const std::uint8_t* p = z_->next_in;
        if (z_->avail_in >= 2 && p[0] == 0x1F && p[1] == 0x8B) return;
        if (members_ == 0)
            throw data_error(fmt::format("{}: {} (starts with 0x{:02x}{}, expected 0x1f 0x8b)", name_, problem, p[0],
                                         z_->avail_in >= 2 ? fmt::format(" 0x{:02x}", p[1]) : std::string()));
        throw data_error(fmt::format("{}: {} at byte offset {}, after {} gzip member{}", name_, problem, in_total_,
                                     members_, members_ == 1 ? "" : "s"));
    }

    /// After a member's trailer: the clean end, another member, or garbage.
    void next_member()
    {
        if (z_->avail_in == 0) fill();
        if (z_->avail_in == 0) {
            done_ = true;
            return;
        }
        check_magic("trailing garbage after the gzip data");
        if (::inflateReset(z_.get()) != Z_OK) throw error(fmt::format("{}: zlib inflateReset failed", name_));
        between_members_ = false;
    }

    [[noreturn]] void truncated() const
    {
        throw data_error(fmt::format("{}: truncated gzip file: it ends inside gzip member {} ({} bytes long, "
                                     "{} bytes decompressed)",
                                     name_, members_ + 1, in_total_, out_total_));
    }

    [[noreturn]] void zlib_failed(int rc) const
    {
        if (rc == Z_MEM_ERROR) throw std::bad_alloc();
        const std::string msg = z_->msg ? z_->msg : "zlib error " + std::to_string(rc);
        const std::size_t member = members_ + 1;
        if (msg == "incorrect data check")
            throw data_error(fmt::format("{}: gzip CRC mismatch in member {} (the data or its CRC-32 is corrupt)", name_,
                                         member));
        if (msg == "incorrect length check")
            throw data_error(fmt::format("{}: gzip length mismatch in member {} (the trailer's length is not the "
                                         "decompressed length)",
                                         name_, member));
        if (msg == "unknown compression method" || msg == "unknown header flags set" || msg == "header crc mismatch" ||
            msg == "incorrect header check")
            throw data_error(fmt::format("{}: bad gzip header in member {}: {}", name_, member, msg));
        throw data_error(fmt::format("{}: corrupt gzip data in member {}: {} (near compressed byte {})", name_, member,
                                     msg, in_total_));
    }

    std::unique_ptr<std::ifstream> owned_;
    std::istream* in_ = nullptr;
    std::string name_;
    std::uint64_t max_output_;
    std::unique_ptr<z_stream, z_deleter> z_;
    std::vector<std::uint8_t> buffer_;
    std::uint64_t in_total_ = 0, out_total_ = 0;
    std::size_t members_ = 0;
    bool eof_ = false, between_members_ = false, done_ = false;
};

/// The whole decompressed content of a gzip file, at most max_output bytes
/// (else data_error). Memory grows with the data actually decoded, never
/// with what a trailer or a header claims.
inline std::vector<std::uint8_t> gunzip_file(const std::filesystem::path& path, std::uint64_t max_output)
{
    gzip_reader z(path, max_output);
    std::vector<std::uint8_t> out;
    std::size_t want = std::size_t{1} << 16;
    for (;;) {
        const std::size_t at = out.size();
        // The reader stops one byte past the limit; so does the buffer.
        if (max_output != gzip_no_limit) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, max_output + 1 - at));
        out.resize(at + want);
        const std::size_t got = z.read(std::span<std::uint8_t>(out).subspan(at));
        out.resize(at + got);
        if (got < want) break;
        want = std::max(want, out.size() / 2);
    }
    out.shrink_to_fit();
    return out;
}

} // namespace somnus
