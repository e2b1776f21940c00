#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <somnus/io/adler32.hpp>
#include <somnus/io/crc32.hpp>
#include <somnus/io/inflate.hpp>

#include "scratch.hpp"

using somnus::data_error;
using somnus_test::contains;
using somnus_test::thrown;
using somnus_test::to_bytes;
using bytes = std::vector<std::uint8_t>;

namespace {

using somnus_test::random_bytes;

/// Builds deflate streams bit by bit: put() sends a value least significant
/// bit first (header fields, extra bits), code() sends a Huffman code most
/// significant bit first, as RFC 1951 3.1.1 prescribes.
struct bit_builder {
    bytes out;
    unsigned used = 8;
    bit_builder& put(std::uint32_t v, unsigned k)
    {
        for (unsigned i = 0; i < k; ++i) bit((v >> i) & 1u);
        return *this;
    }
    bit_builder& code(std::uint32_t c, unsigned len)
    {
        for (unsigned i = len; i-- > 0;) bit((c >> i) & 1u);
        return *this;
    }
    void bit(std::uint32_t b)
    {
        if (used == 8) out.push_back(0), used = 0;
        out.back() = static_cast<std::uint8_t>(out.back() | (b << used++));
    }
};

// Fixed Huffman codes (RFC 1951 3.2.6) of the symbols the tests use.
bit_builder& fixed_literal(bit_builder& b, unsigned s) { return b.code(0x30 + s, 8); }  // s < 144
bit_builder& fixed_symbol(bit_builder& b, unsigned s)                                   // s >= 256
{
    return s < 280 ? b.code(s - 256, 7) : b.code(0xC0 + (s - 280), 8);
}

bytes raw_inflate(const bytes& b, std::size_t max = 1 << 20) { return somnus::inflate(b, "raw", max); }

/// One gzip member around a raw deflate stream of `plain`.
bytes gzip_member(const bytes& deflate, const bytes& plain, std::uint8_t flags = 0, const bytes& extra_header = {})
{
    // Reserving first keeps GCC 12 from a false -Warray-bounds on the inserts.
    bytes g;
    g.reserve(18 + extra_header.size() + deflate.size());
    for (std::uint8_t x : {std::uint8_t(0x1F), std::uint8_t(0x8B), std::uint8_t(8), flags, std::uint8_t(0), std::uint8_t(0),
                           std::uint8_t(0), std::uint8_t(0), std::uint8_t(0), std::uint8_t(0xFF)})
        g.push_back(x);
    g.insert(g.end(), extra_header.begin(), extra_header.end());
    g.insert(g.end(), deflate.begin(), deflate.end());
    const std::uint32_t crc = somnus::detail::crc32(plain);
    const auto n = static_cast<std::uint32_t>(plain.size());
    for (int s = 0; s < 32; s += 8) g.push_back(static_cast<std::uint8_t>(crc >> s));
    for (int s = 0; s < 32; s += 8) g.push_back(static_cast<std::uint8_t>(n >> s));
    return g;
}

bytes stored_block(const std::string& s, bool final)
{
    bytes b(5 + s.size());
    b[0] = static_cast<std::uint8_t>(final ? 1 : 0);
    b[1] = static_cast<std::uint8_t>(s.size());
    b[2] = static_cast<std::uint8_t>(s.size() >> 8);
    b[3] = static_cast<std::uint8_t>(~s.size());
    b[4] = static_cast<std::uint8_t>(~s.size() >> 8);
    std::copy(s.begin(), s.end(), b.begin() + 5);
    return b;
}

/// Words from a small vocabulary: dynamic-Huffman material for gzip.
bytes text_like(std::size_t n, std::uint32_t seed)
{
    static const char* words[] = {"spike", "neuron", "synapse", "sleep", "weight", "theta", "membrane", "potential",
                                  "the", "of", "and", "excitatory", "inhibitory", "STDP", "0.0125", "\n"};
    std::mt19937 rng(seed);
    bytes b;
    while (b.size() < n) {
        const std::string w = words[rng() % 16];
        b.insert(b.end(), w.begin(), w.end());
        b.push_back(' ');
    }
    b.resize(n);
    return b;
}

/// BTYPE of the first deflate block in a gzip member.
unsigned first_block_type(const bytes& gz) { return (gz[somnus::detail::gzip_header(gz, 0, "t")] >> 1) & 3u; }

/// Dynamic block: literals 'a' (1 bit), 256 and 257 (2 bits); one distance
/// code (symbol 0) of length dist_len. Sends 'a', a 3-byte match at distance
/// 1 whose distance code is dist_bits, then end-of-block: "aaaa" if valid.
bytes dynamic_block(unsigned dist_len, unsigned dist_bits)
{
    bit_builder b;
    b.put(1, 1).put(2, 2);               // final, dynamic
    b.put(258 - 257, 5).put(0, 5);       // HLIT 258, HDIST 1
    b.put(18 - 4, 4);                    // HCLEN 18: code lengths up to symbol 1 in the permuted order
    // Code-length code, order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
    // 18 -> "0", 0 -> "10", 1 -> "110", 2 -> "111".
    const unsigned cl[18] = {0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3};
    for (const unsigned l : cl) b.put(l, 3);
    const auto zeros = [&](unsigned n) { b.code(0, 1).put(n - 11, 7); };  // symbol 18
    const auto len = [&](unsigned l) {
        if (l == 0) b.code(2, 2);
        else if (l == 1) b.code(6, 3);
        else b.code(7, 3);
    };
    zeros(97);             // 0..96
    len(1);                // 'a' = 97
    zeros(138), zeros(20); // 98..255
    len(2), len(2);        // 256, 257
    len(dist_len);         // distance symbol 0
    b.code(0, 1);          // 'a'
    b.code(3, 2);          // 257: length 3
    b.code(dist_bits, dist_len);
    b.code(2, 2);          // 256
    return b.out;
}

} // namespace

TEST_SUITE("io")
{
    TEST_CASE("crc32 and adler32 match the published check values")
    {
        const auto digits = to_bytes("123456789");
        CHECK(somnus::detail::crc32(digits) == 0xCBF43926u);
        CHECK(somnus::detail::crc32({}) == 0u);
        CHECK(somnus::detail::adler32(digits) == 0x091E01DEu);
        CHECK(somnus::detail::adler32(to_bytes("Wikipedia")) == 0x11E60398u);
        CHECK(somnus::detail::adler32({}) == 1u);

        // Continuation over any split equals one pass, for lengths that
        // exercise the 8-byte CRC steps and the Adler reduction runs.
        const auto data = random_bytes(20011, 5);
        const std::span<const std::uint8_t> all(data);
        for (const std::size_t cut : {0u, 1u, 7u, 8u, 13u, 5552u, 5553u, 20000u, 20011u}) {
            CHECK(somnus::detail::crc32(all.subspan(cut), somnus::detail::crc32(all.first(cut))) ==
                  somnus::detail::crc32(all));
            CHECK(somnus::detail::adler32(all.subspan(cut), somnus::detail::adler32(all.first(cut))) ==
                  somnus::detail::adler32(all));
        }
        // Bytewise reference for the sliced CRC.
        std::uint32_t c = 0xFFFFFFFFu;
        for (const auto byte : data) {
            c ^= byte;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        CHECK(somnus::detail::crc32(data) == ~c);
        // Adler-32 of 100000 x 0xFF, from the definition with 64-bit sums.
        const bytes ff(100000, 0xFF);
        std::uint64_t a = 1, b2 = 0;
        for (const auto byte : ff) a = (a + byte) % 65521, b2 = (b2 + a) % 65521;
        CHECK(somnus::detail::adler32(ff) == static_cast<std::uint32_t>(b2 << 16 | a));
    }

    TEST_CASE("hand-written deflate streams decode")
    {
        CHECK(raw_inflate(stored_block("hello", true)) == to_bytes("hello"));
        CHECK(raw_inflate(stored_block("", true)).empty());
        CHECK(raw_inflate({0x03, 0x00}).empty());  // empty fixed block
        // zlib's raw deflate of "hello hello hello hello": fixed codes, overlapping match.
        CHECK(raw_inflate({0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0xC8, 0x40, 0x27, 0x01}) ==
              to_bytes("hello hello hello hello"));

        SUBCASE("a match reaches back into the previous block")
        {
            auto s = stored_block("abc", false);
            bit_builder b;
            b.put(1, 1).put(1, 2);
            fixed_symbol(b, 257);  // length 3
            b.code(2, 5);          // distance symbol 2: distance 3
            fixed_symbol(b, 256);
            s.insert(s.end(), b.out.begin(), b.out.end());
            CHECK(raw_inflate(s) == to_bytes("abcabc"));
        }
        SUBCASE("fixed block with a run (distance 1, length 258 via symbol 285)")
        {
            bit_builder b;
            b.put(1, 1).put(1, 2);
            fixed_literal(b, 'z');
            fixed_symbol(b, 285);
            b.code(0, 5);
            fixed_symbol(b, 256);
            CHECK(raw_inflate(b.out) == bytes(259, 'z'));
        }
        SUBCASE("dynamic block with a single one-bit distance code")
        {
            CHECK(raw_inflate(dynamic_block(1, 0)) == to_bytes("aaaa"));
        }
    }

    TEST_CASE("malformed deflate streams are data_errors naming the problem")
    {
        const auto err = [](const bytes& b) { return thrown<data_error>([&] { somnus::inflate(b, "x.gz", 1 << 20); }); };
        CHECK(contains(err({0x07}), "x.gz: corrupt deflate data: invalid block type 3"));
        CHECK(contains(err({0x01, 0x05, 0x00, 0xFA, 0xFE, 'h', 'e', 'l', 'l', 'o'}), "complement"));
        CHECK(contains(err({0x01, 0x05, 0x00, 0xFA, 0xFF, 'h', 'e'}), "truncated"));
        CHECK(contains(err({}), "truncated"));
        CHECK(contains(err(stored_block("ab", false)), "truncated"));  // no final block
        auto trailing = stored_block("hello", true);
        trailing.push_back(0);
        CHECK(contains(err(trailing), "unexpected bytes after"));

        bit_builder far;
        far.put(1, 1).put(1, 2);
        fixed_literal(far, 'a');
        fixed_symbol(far, 257);
        far.code(1, 5);  // distance 2, but only one byte is out
        fixed_symbol(far, 256);
        CHECK(contains(err(far.out), "distance too far back"));

        bit_builder bad_len;
        bad_len.put(1, 1).put(1, 2);
        fixed_symbol(bad_len, 286);
        CHECK(contains(err(bad_len.out), "invalid literal/length symbol"));

        bit_builder bad_dist;
        bad_dist.put(1, 1).put(1, 2);
        fixed_literal(bad_dist, 'a');
        fixed_symbol(bad_dist, 257);
        bad_dist.code(30, 5);
        CHECK(contains(err(bad_dist.out), "invalid distance symbol"));

        // Dynamic-block headers.
        CHECK(contains(err(bit_builder{}.put(5, 3).put(30, 5).put(0, 5).put(0, 4).out), "too many literal/length codes"));
        CHECK(contains(err(bit_builder{}.put(5, 3).put(0, 5).put(30, 5).put(0, 4).out), "too many distance codes"));
        // Four code-length codes of one bit each: over-subscribed.
        CHECK(contains(err(bit_builder{}.put(5, 3).put(0, 5).put(0, 5).put(0, 4).put(1, 3).put(1, 3).put(1, 3).put(1, 3).out),
                       "over-subscribed"));
        // One code-length code of two bits: incomplete.
        CHECK(contains(err(bit_builder{}.put(5, 3).put(0, 5).put(0, 5).put(0, 4).put(2, 3).put(0, 9).out), "incomplete"));
        {
            // Code-length code {16: "1", 0: "0"}; the first length is "repeat previous".
            bit_builder b;
            b.put(5, 3).put(0, 5).put(0, 5).put(0, 4).put(1, 3).put(0, 3).put(0, 3).put(1, 3);
            b.code(1, 1).put(0, 2);
            CHECK(contains(err(b.out), "no previous length"));
        }
        {
            // Code-length code {18: "1", 0: "0"}: 258 zeros leave no end-of-block code,
            // 276 zeros overrun the 258 lengths.
            bit_builder b;
            b.put(5, 3).put(0, 5).put(0, 5).put(0, 4).put(0, 3).put(0, 3).put(1, 3).put(1, 3);
            b.code(1, 1).put(127, 7).code(1, 1).put(109, 7);
            CHECK(contains(err(b.out), "no end-of-block code"));
            bit_builder c;
            c.put(5, 3).put(0, 5).put(0, 5).put(0, 4).put(0, 3).put(0, 3).put(1, 3).put(1, 3);
            c.code(1, 1).put(127, 7).code(1, 1).put(127, 7);
            CHECK(contains(err(c.out), "runs past the end"));
        }
        // A single distance code longer than one bit is incomplete; an
        // unused code pattern of the one-bit code is an invalid code.
        CHECK(contains(err(dynamic_block(2, 0)), "incomplete"));
        CHECK(contains(err(dynamic_block(1, 1)), "invalid Huffman code"));
    }

    TEST_CASE("gzip container: header fields, members, trailers")
    {
        const auto hello = to_bytes("hello");
        const auto deflated = stored_block("hello", true);
        const auto g = gzip_member(deflated, hello);
        CHECK(somnus::gunzip(g, "h.gz", 100) == hello);
        CHECK(somnus::is_gzip(g));
        CHECK_FALSE(somnus::is_gzip(hello));

        SUBCASE("optional header fields, with header CRC")
        {
            bytes header{0x1F, 0x8B, 8, 0x1E, 0, 0, 0, 0, 0, 3, 3, 0, 'x', 'y', 'z'};  // FEXTRA FNAME FCOMMENT FHCRC
            for (const char ch : std::string("name.idx")) header.push_back(static_cast<std::uint8_t>(ch));
            header.push_back(0);
            header.push_back('c');
            header.push_back(0);
            const std::uint32_t hcrc = somnus::detail::crc32(header);
            bytes gz = header;
            gz.push_back(static_cast<std::uint8_t>(hcrc));
            gz.push_back(static_cast<std::uint8_t>(hcrc >> 8));
            const auto body = gzip_member(deflated, hello);
            gz.insert(gz.end(), body.begin() + 10, body.end());
            CHECK(somnus::gunzip(gz, "h.gz", 100) == hello);
            gz[header.size()] ^= 1;
            CHECK(contains(thrown<data_error>([&] { somnus::gunzip(gz, "h.gz", 100); }), "h.gz: gzip header CRC mismatch"));
            // No terminator for the file name: truncated header, at every cut.
            for (std::size_t cut = 2; cut <= header.size() + 1; ++cut) {
                const bytes part(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(cut));
                CHECK(contains(thrown<data_error>([&] { somnus::gunzip(part, "h.gz", 100); }), "h.gz: truncated gzip header"));
            }
        }
        SUBCASE("concatenated members and what may follow them")
        {
            const auto world = to_bytes(" world");
            bytes two = g;
            const auto g2 = gzip_member(stored_block(" world", true), world);
            two.insert(two.end(), g2.begin(), g2.end());
            CHECK(somnus::gunzip(two, "h.gz", 100) == to_bytes("hello world"));
            CHECK(contains(thrown<data_error>([&] { somnus::gunzip(two, "h.gz", 10); }), "exceeds the limit of 10 bytes"));
            for (const bytes& tail : {bytes{0}, bytes{0x1F}, to_bytes("garbage")}) {
                bytes t = g;
                t.insert(t.end(), tail.begin(), tail.end());
                CHECK(contains(thrown<data_error>([&] { somnus::gunzip(t, "h.gz", 100); }), "h.gz: unexpected bytes after gzip member"));
            }
        }
        SUBCASE("header and trailer errors")
        {
            const auto err = [](const bytes& b) { return thrown<data_error>([&] { somnus::gunzip(b, "h.gz", 100); }); };
            CHECK(contains(err({}), "h.gz: not a gzip file"));
            CHECK(contains(err(to_bytes("hello, this is plain text")), "h.gz: not a gzip file"));
            bytes m = g;
            m[2] = 7;
            CHECK(contains(err(m), "compression method 7"));
            m = g;
            m[3] = 0x20;
            CHECK(contains(err(m), "reserved gzip header flags"));
            m = g;
            m[g.size() - 8] ^= 0x40;
            CHECK(contains(err(m), "h.gz: gzip CRC mismatch"));
            m = g;
            m[g.size() - 4] ^= 0x01;
            CHECK(contains(err(m), "h.gz: gzip size mismatch"));
            m = g;
            m[g.size() - 1] = 0xFF;  // ISIZE near 4 GiB must not make the decoder reserve it
            CHECK(contains(err(m), "size mismatch"));
            m = g;
            m.resize(g.size() - 3);
            CHECK(contains(err(m), "truncated gzip trailer"));
            // Every truncation is an error, never a crash.
            for (std::size_t cut = 0; cut < g.size(); ++cut) {
                const bytes part(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(cut));
                CHECK(contains(err(part), "h.gz: "));
            }
        }
    }

    TEST_CASE("output cap")
    {
        const bytes run(100000, 'q');
        bit_builder b;
        b.put(1, 1).put(1, 2);
        fixed_literal(b, 'q');
        for (int i = 0; i < 387; ++i) fixed_symbol(b, 285).code(0, 5);  // 387 x 258 + 1 = 99847
        for (int i = 0; i < 153; ++i) fixed_literal(b, 'q');
        fixed_symbol(b, 256);
        const auto g = gzip_member(b.out, run);
        CHECK(somnus::gunzip(g, "q.gz", 100000) == run);
        CHECK(contains(thrown<data_error>([&] { somnus::gunzip(g, "q.gz", 99999); }),
                       "q.gz: decompressed data exceeds the limit of 99999 bytes"));
        CHECK(contains(thrown<data_error>([&] { somnus::gunzip(g, "q.gz", 0); }), "exceeds"));
        CHECK(contains(thrown<data_error>([&] { somnus::inflate(b.out, "q", 5000); }), "exceeds the limit of 5000"));
        // Prefix mode (used to peek at file headers) stops quietly at the cap.
        CHECK(somnus::detail::gunzip(g, "q.gz", 1000, true) == bytes(1000, 'q'));
        CHECK(somnus::detail::gunzip(g, "q.gz", 3, true) == bytes(3, 'q'));
        CHECK(somnus::detail::gunzip(g, "q.gz", 200000, true) == run);
    }

    TEST_CASE("round trips through the gzip tool")
    {
        if (!somnus_test::have_gzip()) {
            MESSAGE("gzip not found; skipping");
            return;
        }
        somnus_test::scratch_dir dir("inflate");
        std::vector<std::pair<std::string, bytes>> inputs;
        inputs.emplace_back("empty", bytes{});
        inputs.emplace_back("one byte", bytes{42});
        inputs.emplace_back("short text", to_bytes("hello hello hello, gzip"));
        inputs.emplace_back("random 100 KiB", random_bytes(100 * 1024, 1));
        inputs.emplace_back("text 300 KiB", text_like(300 * 1024, 2));
        inputs.emplace_back("zeros 1 MiB", bytes(1 << 20, 0));
        {
            // Repeats 31000 bytes back, near the 32 KiB window edge, inside noise.
            auto far = random_bytes(70000, 3);
            std::copy(far.begin(), far.begin() + 1000, far.begin() + 32000);
            std::copy(far.begin() + 5000, far.begin() + 8000, far.begin() + 37760);
            inputs.emplace_back("far matches", far);
        }
        {
            // Runs, text and noise in turns: block types change along the way.
            bytes mix;
            for (std::uint32_t k = 0; k < 6; ++k) {
                const auto t = text_like(20000, 10 + k);
                const auto r = random_bytes(15000, 20 + k);
                mix.insert(mix.end(), t.begin(), t.end());
                mix.insert(mix.end(), r.begin(), r.end());
                mix.insert(mix.end(), 5000 + 1000 * k, static_cast<std::uint8_t>(k));
            }
            inputs.emplace_back("mixed", mix);
        }
        std::array<int, 4> block_types{};
        for (const auto& [what, data] : inputs) {
            for (const int level : {1, 6, 9}) {
                CAPTURE(what);
                CAPTURE(level);
                const auto gz = somnus_test::gzip_tool(dir, data, level);
                REQUIRE(gz.size() >= 18);
                ++block_types[first_block_type(gz)];
                CHECK(somnus::gunzip(gz, "fixture.gz", data.size()) == data);
                if (!data.empty())
                    CHECK(contains(thrown<data_error>([&] { somnus::gunzip(gz, "fixture.gz", data.size() - 1); }),
                                   "exceeds"));
            }
        }
        // The fixtures exercise stored, fixed and dynamic blocks.
        CHECK(block_types[0] > 0);
        CHECK(block_types[1] > 0);
        CHECK(block_types[2] > 0);
        CHECK(block_types[3] == 0);

        // `cat a.gz b.gz` decodes to a then b.
        const auto a = text_like(5000, 7), b = random_bytes(3000, 8);
        auto cat = somnus_test::gzip_tool(dir, a, 6, "a");
        const auto gb = somnus_test::gzip_tool(dir, b, 6, "b");
        cat.insert(cat.end(), gb.begin(), gb.end());
        auto ab = a;
        ab.insert(ab.end(), b.begin(), b.end());
        CHECK(somnus::gunzip(cat, "cat.gz", 1 << 20) == ab);
    }

    TEST_CASE("corrupted gzip data is rejected, never accepted with different content")
    {
        if (!somnus_test::have_gzip()) {
            MESSAGE("gzip not found; skipping");
            return;
        }
        somnus_test::scratch_dir dir("inflate-corrupt");
        bytes data = text_like(3000, 4);
        const auto r = random_bytes(300, 9);
        data.insert(data.end(), r.begin(), r.end());
        const auto gz = somnus_test::gzip_tool(dir, data, 9);
        REQUIRE(gz.size() > 100);
        REQUIRE(first_block_type(gz) == 2);

        // Every prefix is refused.
        for (std::size_t cut = 0; cut < gz.size(); ++cut) {
            const bytes part(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(cut));
            CHECK_THROWS_AS(somnus::gunzip(part, "c.gz", 1 << 20), data_error);
        }
        // Every bit flip outside MTIME/XFL/OS (which nothing checks) either
        // fails or leaves the content unchanged (padding bits after the end
        // of the last block); the trailer flips always fail.
        std::size_t rejected = 0, total = 0;
        for (std::size_t i = 0; i < gz.size(); ++i) {
            if (i >= 4 && i < 10) continue;
            for (unsigned bit = 0; bit < 8; ++bit) {
                bytes m = gz;
                m[i] ^= static_cast<std::uint8_t>(1u << bit);
                ++total;
                try {
                    const auto out = somnus::gunzip(m, "c.gz", 1 << 20);
                    CHECK(out == data);
                    CHECK(i < gz.size() - 8);
                } catch (const data_error&) {
                    ++rejected;
                }
            }
        }
        CHECK(rejected + 8 >= total);
    }

    TEST_CASE("random input never crashes the decoder")
    {
        std::mt19937 rng(20240611);
        std::size_t ok = 0, failed = 0;
        const auto attempt = [&](auto&& f) {
            try {
                f();
                ++ok;
            } catch (const data_error&) {
                ++failed;
            }
        };
        for (int k = 0; k < 2000; ++k) {
            bytes b = random_bytes(1 + rng() % 600, static_cast<std::uint32_t>(rng()));
            attempt([&] { somnus::inflate(b, "r", 1 << 20); });
            // The same bytes after a valid gzip header, and as the body of
            // blocks of each type (first three bits forced).
            bytes g{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
            g.insert(g.end(), b.begin(), b.end());
            attempt([&] { somnus::gunzip(g, "r.gz", 1 << 20); });
            b[0] = static_cast<std::uint8_t>((b[0] & ~7u) | (k % 3) << 1 | 1);
            attempt([&] { somnus::inflate(b, "r", 1 << 20); });
        }
        CHECK(ok + failed == 6000);
        CHECK(failed > 0);
    }

    TEST_CASE("a real data set file decodes as gzip -dc does")
    {
        const std::filesystem::path f = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
        if (!std::filesystem::exists(f) || !somnus_test::have_gzip()) {
            MESSAGE("Fashion-MNIST (dataset-fashion-mnist) or gzip not found; skipping");
            return;
        }
        somnus_test::scratch_dir dir("inflate-real");
        const auto ref = dir / "ref";
        REQUIRE(std::system(fmt::format("gzip -dc '{}' > '{}'", f.string(), ref.string()).c_str()) == 0);
        const auto t0 = std::chrono::steady_clock::now();
        const auto out = somnus::gunzip(somnus_test::read_bytes(f), f.filename().string(), std::size_t{1} << 30);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        MESSAGE("decoded " << out.size() << " bytes in " << s << " s");
        CHECK(out.size() == 7840016);
        CHECK(out == somnus_test::read_bytes(ref));
    }
}
