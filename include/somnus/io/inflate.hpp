// SPDX-License-Identifier: MIT
// DEFLATE decoder (RFC 1951) with the gzip (RFC 1952) and zlib (RFC 1950)
// containers: whole buffer in, whole buffer out, output capped by the caller.
// Written for untrusted files: every malformed stream is a data_error that
// names the file and the problem; nothing reads out of bounds or loops.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "adler32.hpp"
#include "crc32.hpp"
#include "deflate_tables.hpp"

namespace somnus {
namespace detail {

/// Thrown inside the decoder when output would pass the cap in "keep the
/// prefix" mode; never escapes this header.
struct inflate_limit_reached {};

/// LSB-first bit reader over a byte span. Peeking past the end yields zero
/// bits; only consuming them is an error, so a code that fits in the real
/// bits decodes even when it sits at the very end of the input.
class inflate_bits {
public:
    inflate_bits(std::span<const std::uint8_t> in, std::size_t pos, const std::string& name)
        : in_(in), pos_(pos), name_(name) {}

    std::uint32_t peek(unsigned n)
    {
        if (count_ < n) refill();
        return static_cast<std::uint32_t>(bits_ & ((std::uint64_t{1} << n) - 1));
    }
    void skip(unsigned n)
    {
        if (n > count_) truncated();
        bits_ >>= n;
        count_ -= n;
    }
    std::uint32_t take(unsigned n)
    {
        const std::uint32_t v = peek(n);
        skip(n);
        return v;
    }
    unsigned available() { refill(); return count_; }
    /// Drops the bits up to the next byte boundary and hands the buffered
    /// whole bytes back to the input, so pos() is the next unread byte.
    void align()
    {
        skip(count_ % 8);
        pos_ -= count_ / 8;
        bits_ = 0;
        count_ = 0;
    }
    std::size_t pos() const { return pos_; }
    void advance(std::size_t n) { pos_ += n; }
    std::span<const std::uint8_t> input() const { return in_; }

    [[noreturn]] void truncated() const
    {
        throw data_error(fmt::format("{}: truncated compressed data (input ends inside a deflate stream)", name_));
    }

private:
    void refill()
    {
        if constexpr (std::endian::native == std::endian::little) {
            if (in_.size() - pos_ >= 8) {
                // Load 8 bytes, keep the whole ones that fit. The bits of a
                // partly fitting byte above count_ equal that next input
                // byte, so a later load ORs in the same value.
                std::uint64_t w;
                std::memcpy(&w, in_.data() + pos_, 8);
                bits_ |= w << count_;
                pos_ += (63 - count_) >> 3;
                count_ |= 56;
                return;
            }
        }
        while (count_ <= 56 && pos_ < in_.size()) {
            bits_ |= std::uint64_t{in_[pos_++]} << count_;
            count_ += 8;
        }
    }

    std::span<const std::uint8_t> in_;
    std::size_t pos_;
    const std::string& name_;
    std::uint64_t bits_ = 0;
    unsigned count_ = 0;
};

/// Canonical Huffman code: a table indexed by the next fast_bits input bits
/// for the short codes, and per-length counts for the rare long ones.
struct huffman_code {
    static constexpr unsigned max_bits = 15;
    static constexpr unsigned fast_bits = 10;
    static constexpr unsigned max_symbols = 288;

    /// symbol << 4 | length; 0 where the code is longer than fast_bits or unused.
    std::array<std::uint16_t, 1u << fast_bits> fast{};
    std::array<std::uint16_t, max_bits + 1> count{};
    /// Symbols ordered by (code length, symbol), i.e. by canonical code.
    std::array<std::uint16_t, max_symbols> sorted{};

    /// Returns nullptr on success, else what is wrong with the lengths.
    /// A code with unused bit patterns is accepted only when it has no
    /// symbol or a single one-bit symbol (RFC 1951 3.2.7 allows one distance
    /// code); decoding an unused pattern then fails.
    const char* build(const std::uint8_t* lengths, unsigned n, bool allow_single)
    {
        count.fill(0);
        for (unsigned s = 0; s < n; ++s) ++count[lengths[s]];
        count[0] = 0;
        int left = 1;
        unsigned used = 0;
        for (unsigned len = 1; len <= max_bits; ++len) {
            left = 2 * left - count[len];
            if (left < 0) return "over-subscribed Huffman code lengths";
            used += count[len];
        }
        if (left > 0 && used != 0 && !(allow_single && used == 1 && count[1] == 1))
            return "incomplete Huffman code lengths";

        std::array<std::uint16_t, max_bits + 2> offset{};
        for (unsigned len = 1; len <= max_bits; ++len)
            offset[len + 1] = static_cast<std::uint16_t>(offset[len] + count[len]);
        for (unsigned s = 0; s < n; ++s)
            if (lengths[s]) sorted[offset[lengths[s]]++] = static_cast<std::uint16_t>(s);

        fast.fill(0);
        std::uint32_t code = 0;
        unsigned k = 0;
        for (unsigned len = 1; len <= fast_bits; ++len) {
            for (unsigned i = 0; i < count[len]; ++i, ++k, ++code) {
                // Huffman codes are sent most significant bit first into an
                // LSB-first stream, so the table is indexed by the reversed code.
                std::uint32_t rev = 0;
                for (unsigned b = 0; b < len; ++b) rev |= ((code >> b) & 1u) << (len - 1 - b);
                const auto entry = static_cast<std::uint16_t>(sorted[k] << 4 | len);
                for (std::uint32_t j = rev; j < (1u << fast_bits); j += 1u << len) fast[j] = entry;
            }
            code <<= 1;
        }
        return nullptr;
    }
};

class inflater {
public:
    inflater(const std::string& name, std::size_t limit, bool keep_prefix)
        : name_(name), limit_(limit), keep_prefix_(keep_prefix) {}

    /// Decodes one deflate stream starting at byte `pos` of `in`, appending
    /// to the output; returns the position of the first byte after it.
    std::size_t run(std::span<const std::uint8_t> in, std::size_t pos)
    {
        inflate_bits br(in, pos, name_);
        const std::size_t start = n_;
        bool last = false;
        while (!last) {
            last = br.take(1) != 0;
            switch (br.take(2)) {
            case 0: stored(br); break;
            case 1: codes(br, fixed().lit, fixed().dist, start); break;
            case 2: {
                dynamic(br);
                codes(br, lit_, dist_, start);
                break;
            }
            default: corrupt("invalid block type 3", br);
            }
        }
        br.align();
        return br.pos();
    }

    /// Sizes the output buffer up front (capped by the limit), e.g. from a
    /// gzip trailer, so that large files are not copied while growing.
    void expect(std::size_t bytes)
    {
        if (bytes > limit_) bytes = limit_;
        if (bytes > out_.size()) out_.resize(bytes);
    }

    std::size_t size() const { return n_; }
    std::span<const std::uint8_t> output(std::size_t from) const { return {out_.data() + from, n_ - from}; }
    std::vector<std::uint8_t> take()
    {
        out_.resize(n_);
        return std::move(out_);
    }

private:
    struct fixed_codes {
        huffman_code lit, dist;
        fixed_codes()
        {
            std::array<std::uint8_t, 288> l{};
            for (unsigned s = 0; s < 288; ++s) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
            lit.build(l.data(), 288, false);
            std::array<std::uint8_t, 32> d{};
            d.fill(5);
            dist.build(d.data(), 32, false);
        }
    };
    static const fixed_codes& fixed()
    {
        static const fixed_codes f;
        return f;
    }

    [[noreturn]] void corrupt(const char* what, const inflate_bits& br) const
    {
        throw data_error(fmt::format("{}: corrupt deflate data: {} (near byte {})", name_, what, br.pos()));
    }

    unsigned decode(inflate_bits& br, const huffman_code& h)
    {
        const std::uint16_t e = h.fast[br.peek(huffman_code::fast_bits)];
        if (e) {
            br.skip(e & 15u);
            return e >> 4;
        }
        // Long code: walk the canonical code one length at a time; codes of
        // length L occupy [first, first + count[L]) among L-bit values.
        std::uint32_t bits = br.peek(huffman_code::max_bits);
        int code = 0, first = 0, index = 0;
        for (unsigned len = 1; len <= huffman_code::max_bits; ++len) {
            code |= static_cast<int>(bits & 1u);
            bits >>= 1;
            const int c = h.count[len];
            if (code - first < c) {
                br.skip(len);
                return h.sorted[static_cast<std::size_t>(index + code - first)];
            }
            index += c;
            first = (first + c) << 1;
            code <<= 1;
        }
        // Zero-padded past the end, a complete code always matches, so a miss
        // is a real unused pattern of an incomplete code, unless no bits are left.
        if (br.available() == 0) br.truncated();
        corrupt("invalid Huffman code", br);
    }

    /// Room for k more bytes: k, or fewer if the cap cuts in (prefix mode).
    std::size_t room(std::size_t k)
    {
        if (k <= out_.size() - n_) return k;
        std::size_t want = k;
        if (k > limit_ - n_) {
            if (!keep_prefix_)
                throw data_error(fmt::format("{}: decompressed data exceeds the limit of {} bytes", name_, limit_));
            want = limit_ - n_;
        }
        if (want > out_.size() - n_) {
            // Grow geometrically but never past the cap: memory follows the
            // data actually decoded, not any size a header claims.
            std::size_t cap = out_.size() < limit_ / 2 ? out_.size() * 2 : limit_;
            if (cap < std::size_t{1} << 16) cap = limit_ < (std::size_t{1} << 16) ? limit_ : std::size_t{1} << 16;
            if (cap < n_ + want) cap = n_ + want;
            out_.resize(cap);
        }
        return want;
    }

    void stored(inflate_bits& br)
    {
        br.align();
        const auto in = br.input();
        std::size_t p = br.pos();
        if (in.size() - p < 4) br.truncated();
        const std::uint32_t len = in[p] | std::uint32_t{in[p + 1]} << 8;
        const std::uint32_t nlen = in[p + 2] | std::uint32_t{in[p + 3]} << 8;
        if ((len ^ 0xFFFFu) != nlen) corrupt("stored block length does not match its complement", br);
        p += 4;
        br.advance(4);
        if (in.size() - p < len) br.truncated();
        const std::size_t k = room(len);
        if (k) std::memcpy(out_.data() + n_, in.data() + p, k);
        n_ += k;
        if (k < len) throw inflate_limit_reached{};
        br.advance(len);
    }

    void dynamic(inflate_bits& br)
    {
        const unsigned nlit = br.take(5) + 257, ndist = br.take(5) + 1, nlen = br.take(4) + 4;
        if (nlit > 286) corrupt("too many literal/length codes", br);
        if (ndist > 30) corrupt("too many distance codes", br);
        static constexpr std::array<std::uint8_t, 19> order{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        std::array<std::uint8_t, 19> cl{};
        for (unsigned i = 0; i < nlen; ++i) cl[order[i]] = static_cast<std::uint8_t>(br.take(3));
        if (const char* bad = len_.build(cl.data(), 19, false)) corrupt(bad, br);

        // Literal/length and distance code lengths form one run-length coded
        // sequence; a repeat may cross from one into the other.
        std::array<std::uint8_t, 286 + 30> lens{};
        unsigned i = 0;
        while (i < nlit + ndist) {
            const unsigned sym = decode(br, len_);
            if (sym < 16) {
                lens[i++] = static_cast<std::uint8_t>(sym);
                continue;
            }
            std::uint8_t value = 0;
            unsigned repeat;
            if (sym == 16) {
                if (i == 0) corrupt("repeat of a code length with no previous length", br);
                value = lens[i - 1];
                repeat = 3 + br.take(2);
            } else if (sym == 17) {
                repeat = 3 + br.take(3);
            } else {
                repeat = 11 + br.take(7);
            }
            if (repeat > nlit + ndist - i) corrupt("code length repeat runs past the end", br);
            for (; repeat; --repeat) lens[i++] = value;
        }
        if (lens[256] == 0) corrupt("no end-of-block code", br);
        if (const char* bad = lit_.build(lens.data(), nlit, false)) corrupt(bad, br);
        if (const char* bad = dist_.build(lens.data() + nlit, ndist, true)) corrupt(bad, br);
    }

    void codes(inflate_bits& br, const huffman_code& lit, const huffman_code& dist, std::size_t start)
    {
        for (;;) {
            unsigned sym = decode(br, lit);
            if (sym < 256) {
                if (n_ == out_.size() && room(1) == 0) throw inflate_limit_reached{};
                out_[n_++] = static_cast<std::uint8_t>(sym);
                continue;
            }
            if (sym == 256) return;
            sym -= 257;
            if (sym >= 29) corrupt("invalid literal/length symbol", br);
            const std::size_t len = deflate_len_base[sym] + br.take(deflate_len_extra[sym]);
            const unsigned dsym = decode(br, dist);
            if (dsym >= 30) corrupt("invalid distance symbol", br);
            const std::size_t d = deflate_dist_base[dsym] + br.take(deflate_dist_extra[dsym]);
            if (d > n_ - start) corrupt("distance too far back", br);
            const std::size_t k = room(len);
            std::uint8_t* dst = out_.data() + n_;
            const std::uint8_t* src = dst - d;
            // A copy may overlap its own output (d < k repeats the last d bytes).
            if (d >= 8 && out_.size() - n_ >= k + 8) {
                // 8-byte steps may write up to 7 bytes past the match, into
                // buffer space not yet in use; each step reads only bytes
                // already written since d >= 8.
                for (std::size_t j = 0; j < k; j += 8) std::memcpy(dst + j, src + j, 8);
            } else if (d == 1) {
                std::memset(dst, *src, k);
            } else if (d >= k) {
                std::memcpy(dst, src, k);
            } else {
                for (std::size_t j = 0; j < k; ++j) dst[j] = src[j];
            }
            n_ += k;
            if (k < len) throw inflate_limit_reached{};
        }
    }

    const std::string& name_;
    std::size_t limit_;
    bool keep_prefix_;
    std::vector<std::uint8_t> out_;
    std::size_t n_ = 0;
    huffman_code len_, lit_, dist_;
};

inline std::uint32_t read_le32(std::span<const std::uint8_t> b, std::size_t p)
{
    return b[p] | std::uint32_t{b[p + 1]} << 8 | std::uint32_t{b[p + 2]} << 16 | std::uint32_t{b[p + 3]} << 24;
}

/// Parses one gzip member header at pos; returns where the deflate data starts.
inline std::size_t gzip_header(std::span<const std::uint8_t> in, std::size_t pos, const std::string& name)
{
    const auto need = [&](std::size_t p, std::size_t k) {
        if (in.size() - p < k) throw data_error(fmt::format("{}: truncated gzip header", name));
    };
    const std::size_t begin = pos;
    if (in.size() - pos < 2 || in[pos] != 0x1F || in[pos + 1] != 0x8B)
        throw data_error(fmt::format("{}: not a gzip file (bad magic bytes)", name));
    need(pos, 10);
    if (in[pos + 2] != 8) throw data_error(fmt::format("{}: unsupported gzip compression method {}", name, in[pos + 2]));
    const std::uint8_t flags = in[pos + 3];
    if (flags & 0xE0u) throw data_error(fmt::format("{}: reserved gzip header flags set (0x{:02x})", name, flags));
    pos += 10;
    if (flags & 0x04u) {  // FEXTRA
        need(pos, 2);
        const std::size_t xlen = in[pos] | std::size_t{in[pos + 1]} << 8;
        pos += 2;
        need(pos, xlen);
        pos += xlen;
    }
    for (const std::uint8_t f : {std::uint8_t{0x08}, std::uint8_t{0x10}}) {  // FNAME, FCOMMENT: zero-terminated
        if (!(flags & f)) continue;
        while (true) {
            need(pos, 1);
            if (in[pos++] == 0) break;
        }
    }
    if (flags & 0x02u) {  // FHCRC: low 16 bits of the CRC-32 of the header so far
        need(pos, 2);
        const std::uint32_t stored = in[pos] | std::uint32_t{in[pos + 1]} << 8;
        if ((crc32(in.subspan(begin, pos - begin)) & 0xFFFFu) != stored)
            throw data_error(fmt::format("{}: gzip header CRC mismatch", name));
        pos += 2;
    }
    return pos;
}

/// Decodes all gzip members of `in`. With keep_prefix, stops quietly once
/// `limit` bytes are out and returns them unchecked (for peeking at headers).
inline std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in, const std::string& name, std::size_t limit,
                                        bool keep_prefix)
{
    if (in.empty()) throw data_error(fmt::format("{}: not a gzip file (empty)", name));
    inflater z(name, limit, keep_prefix);
    // The last member's ISIZE (its length mod 2^32) sizes the buffer once
    // instead of growing it, but only up to 64x the input: a forged trailer
    // must not make a small file reserve gigabytes. Output beyond that (real
    // data sets compress 2-5x) just grows the buffer.
    if (in.size() >= 18) {
        const std::size_t isize = read_le32(in, in.size() - 4);
        z.expect(std::min(isize, 64 * in.size()));
    }
    std::size_t pos = 0;
    try {
        // RFC 1952 2.2: a gzip file is a series of members, e.g. from `cat a.gz b.gz`.
        do {
            if (pos > 0 && (in.size() - pos < 2 || in[pos] != 0x1F || in[pos + 1] != 0x8B))
                throw data_error(fmt::format("{}: unexpected bytes after gzip member, at byte {}", name, pos));
            const std::size_t start = z.size();
            pos = z.run(in, gzip_header(in, pos, name));
            if (in.size() - pos < 8) throw data_error(fmt::format("{}: truncated gzip trailer", name));
            const std::uint32_t crc = crc32(z.output(start));
            const std::uint32_t stored_crc = read_le32(in, pos);
            if (crc != stored_crc)
                throw data_error(
                    fmt::format("{}: gzip CRC mismatch (stored 0x{:08x}, computed 0x{:08x})", name, stored_crc, crc));
            const std::uint32_t isize = read_le32(in, pos + 4);
            if (isize != static_cast<std::uint32_t>(z.size() - start))
                throw data_error(fmt::format("{}: gzip size mismatch (trailer says {} bytes mod 2^32, decoded {})", name,
                                             isize, z.size() - start));
            pos += 8;
        } while (pos < in.size());
    } catch (const inflate_limit_reached&) {
    }
    return z.take();
}

} // namespace detail

/// True if bytes start like a gzip member (magic 1f 8b).
inline bool is_gzip(std::span<const std::uint8_t> bytes)
{
    return bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
}

/// Decompresses a gzip file (one member or several concatenated), checking
/// each member's CRC-32 and size. More than max_output bytes of output is a
/// data_error; name_for_errors starts every error message.
inline std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> bytes, const std::string& name_for_errors,
                                        std::size_t max_output)
{
    return detail::gunzip(bytes, name_for_errors, max_output, false);
}

/// Decodes one raw deflate stream that must fill `bytes` exactly.
inline std::vector<std::uint8_t> inflate(std::span<const std::uint8_t> bytes, const std::string& name_for_errors,
                                         std::size_t max_output)
{
    detail::inflater z(name_for_errors, max_output, false);
    if (z.run(bytes, 0) != bytes.size())
        throw data_error(fmt::format("{}: unexpected bytes after the deflate stream", name_for_errors));
    return z.take();
}

/// Decodes a zlib stream (2-byte header, deflate data, big-endian Adler-32),
/// as found in PNG IDAT chunks. Preset dictionaries are refused.
inline std::vector<std::uint8_t> zlib_decompress(std::span<const std::uint8_t> bytes, const std::string& name_for_errors,
                                                 std::size_t max_output)
{
    const std::string& name = name_for_errors;
    if (bytes.size() < 2) throw data_error(fmt::format("{}: truncated zlib header", name));
    const unsigned cmf = bytes[0], flg = bytes[1];
    if ((cmf & 15u) != 8 || (cmf >> 4) > 7)
        throw data_error(fmt::format("{}: unsupported zlib compression method/window (0x{:02x})", name, cmf));
    if ((cmf * 256 + flg) % 31 != 0) throw data_error(fmt::format("{}: zlib header check failed", name));
    if (flg & 0x20u) throw data_error(fmt::format("{}: zlib preset dictionary not supported", name));
    detail::inflater z(name, max_output, false);
    const std::size_t pos = z.run(bytes, 2);
    if (bytes.size() - pos < 4) throw data_error(fmt::format("{}: truncated zlib trailer", name));
    const std::uint32_t stored = std::uint32_t{bytes[pos]} << 24 | std::uint32_t{bytes[pos + 1]} << 16 |
                                 std::uint32_t{bytes[pos + 2]} << 8 | bytes[pos + 3];
    const std::uint32_t computed = detail::adler32(z.output(0));
    if (stored != computed)
        throw data_error(
            fmt::format("{}: zlib Adler-32 mismatch (stored 0x{:08x}, computed 0x{:08x})", name, stored, computed));
    if (pos + 4 != bytes.size()) throw data_error(fmt::format("{}: unexpected bytes after the zlib stream", name));
    return z.take();
}

} // namespace somnus
