// SPDX-License-Identifier: MIT
// Small DEFLATE encoder (RFC 1951) and zlib wrapper (RFC 1950) for writing
// PNG files: greedy LZ77 over hash chains, fixed Huffman codes (3.2.6),
// falling back to stored blocks when that would be smaller.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "adler32.hpp"
#include "deflate_tables.hpp"

namespace somnus::detail {

class deflate_bit_writer {
public:
    explicit deflate_bit_writer(std::vector<std::uint8_t>& out) : out_(out) {}
    /// Appends the k (<= 32) low bits of `bits`, least significant first.
    void put(std::uint32_t bits, unsigned k)
    {
        acc_ |= std::uint64_t{bits} << n_;
        n_ += k;
        while (n_ >= 8) {
            out_.push_back(static_cast<std::uint8_t>(acc_));
            acc_ >>= 8;
            n_ -= 8;
        }
    }
    void flush()
    {
        if (n_) put(0, 8 - n_);
    }

private:
    std::vector<std::uint8_t>& out_;
    std::uint64_t acc_ = 0;
    unsigned n_ = 0;
};

inline constexpr std::uint32_t reverse_bits(std::uint32_t code, unsigned len)
{
    std::uint32_t r = 0;
    for (unsigned b = 0; b < len; ++b) r |= ((code >> b) & 1u) << (len - 1 - b);
    return r;
}

struct fixed_code {
    std::uint16_t bits;  ///< already bit-reversed, ready for an LSB-first stream
    std::uint8_t len;
};

/// The fixed literal/length code of RFC 1951 3.2.6.
inline constexpr std::array<fixed_code, 288> fixed_literal_codes = [] {
    std::array<fixed_code, 288> t{};
    for (std::uint32_t s = 0; s < 288; ++s) {
        std::uint32_t code, len;
        if (s < 144) code = 0x30 + s, len = 8;
        else if (s < 256) code = 0x190 + (s - 144), len = 9;
        else if (s < 280) code = s - 256, len = 7;
        else code = 0xC0 + (s - 280), len = 8;
        t[s] = {static_cast<std::uint16_t>(reverse_bits(code, len)), static_cast<std::uint8_t>(len)};
    }
    return t;
}();

/// Stored blocks only (RFC 1951 3.2.4): at most 65535 bytes each.
inline std::vector<std::uint8_t> deflate_stored(std::span<const std::uint8_t> data)
{
    std::vector<std::uint8_t> out;
    out.reserve(data.size() + 5 * (data.size() / 65535 + 1));
    std::size_t i = 0;
    do {
        const std::size_t len = data.size() - i < 65535 ? data.size() - i : 65535;
        const bool last = i + len == data.size();
        out.push_back(last ? 1 : 0);  // BFINAL, BTYPE 00, padding to the byte boundary
        out.push_back(static_cast<std::uint8_t>(len));
        out.push_back(static_cast<std::uint8_t>(len >> 8));
        out.push_back(static_cast<std::uint8_t>(~len));
        out.push_back(static_cast<std::uint8_t>(~len >> 8));
        out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                   data.begin() + static_cast<std::ptrdiff_t>(i + len));
        i += len;
    } while (i < data.size());
    return out;
}

/// One fixed-Huffman block; the stored encoding instead if that is smaller.
inline std::vector<std::uint8_t> deflate(std::span<const std::uint8_t> data)
{
    constexpr unsigned hash_bits = 15;
    constexpr std::size_t window = 32768, max_match = 258;
    // Candidates tried per position. A run of equal bytes fills the chain
    // with its own short-distance matches, so the longer ones further back
    // (e.g. the row above in an image) need a fairly deep search.
    constexpr unsigned max_chain = 256;
    std::vector<std::uint8_t> out;
    out.reserve(data.size() / 4 + 16);
    deflate_bit_writer w(out);
    w.put(1, 1);  // BFINAL
    w.put(1, 2);  // BTYPE 01: fixed codes
    const auto literal = [&](unsigned s) { w.put(fixed_literal_codes[s].bits, fixed_literal_codes[s].len); };

    // head[h] = 1 + the latest position whose next 3 bytes hash to h;
    // prev[p % window] = the position before p on the same chain (same encoding).
    std::vector<std::uint32_t> head(std::size_t{1} << hash_bits, 0), prev(window, 0);
    const std::size_t n = data.size();
    const auto hash = [&](std::size_t i) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16 | std::uint32_t{data[i + 1]} << 8 | data[i + 2];
        return (v * 2654435761u) >> (32 - hash_bits);
    };
    const auto insert = [&](std::size_t i, std::uint32_t h) {
        prev[i % window] = head[h];
        head[h] = static_cast<std::uint32_t>(i + 1);
    };
    std::size_t i = 0;
    while (i < n) {
        std::size_t best = 0, dist = 0;
        if (n - i >= 3) {
            const auto h = hash(i);
            const std::size_t limit = n - i < max_match ? n - i : max_match;
            // Chain entries only get older, and an entry's prev link is intact
            // while it is within the window (it is overwritten window positions later).
            std::size_t cand = head[h];
            for (unsigned depth = 0; cand && i - (cand - 1) <= window && depth < max_chain; ++depth) {
                const std::size_t c = cand - 1;
                if (data[c + best] == data[i + best]) {
                    std::size_t l = 0;
                    while (l < limit && data[c + l] == data[i + l]) ++l;
                    if (l > best) {
                        best = l, dist = i - c;
                        if (l == limit) break;
                    }
                }
                cand = prev[c % window];
            }
            insert(i, h);
            if (best < 3) best = 0;
        }
        if (!best) {
            literal(data[i++]);
            continue;
        }
        unsigned ls = 28;
        while (deflate_len_base[ls] > best) --ls;
        literal(257 + ls);
        w.put(static_cast<std::uint32_t>(best - deflate_len_base[ls]), deflate_len_extra[ls]);
        unsigned ds = 29;
        while (deflate_dist_base[ds] > dist) --ds;
        w.put(reverse_bits(ds, 5), 5);
        w.put(static_cast<std::uint32_t>(dist - deflate_dist_base[ds]), deflate_dist_extra[ds]);
        // Index the positions inside the match too, so later repeats find them.
        for (std::size_t j = i + 1; j < i + best && n - j >= 3; ++j) insert(j, hash(j));
        i += best;
    }
    literal(256);
    w.flush();
    const std::size_t stored_size = n + 5 * (n / 65535 + 1);
    return out.size() <= stored_size ? out : deflate_stored(data);
}

/// zlib stream (RFC 1950): header 78 01, deflate data, big-endian Adler-32.
inline std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data)
{
    std::vector<std::uint8_t> out{0x78, 0x01};  // deflate, 32 KiB window; 0x7801 % 31 == 0
    const auto body = deflate(data);
    out.insert(out.end(), body.begin(), body.end());
    const std::uint32_t a = adler32(data);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(a >> s));
    return out;
}

} // namespace somnus::detail
