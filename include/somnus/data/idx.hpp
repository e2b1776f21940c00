// SPDX-License-Identifier: MIT
// Reader for IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.,
// http://yann.lecun.com/exdb/mnist/): 0x00 0x00, element type, rank, rank
// big-endian u32 dimensions, then the elements. Plain or gzip'd (told apart by
// the gzip magic bytes, decompressed as a stream through io/gzip.hpp).
// Unsigned-byte elements (type 0x08) only.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/ranges.h>

#include "../core/error.hpp"
#include "../io/file.hpp"
#include "../io/gzip.hpp"

namespace somnus {

/// An IDX file's contents: dims[0] items of dims[1] x ... x dims[rank-1] bytes.
struct idx_array {
    /// Dimensions of what was loaded; dims[0] may be fewer than the file holds.
    std::vector<std::size_t> dims;
    std::vector<std::uint8_t> data;
    /// dims[0] as declared in the file, before any max_items cut.
    std::size_t items_in_file = 0;

    std::size_t rank() const { return dims.size(); }
};

/// More elements than this in one file is treated as corruption.
inline constexpr std::uint64_t idx_max_elements = std::uint64_t{1} << 31;
inline constexpr std::size_t idx_max_rank = 4;

namespace detail {

struct idx_header {
    std::vector<std::size_t> dims;
    std::size_t header_bytes = 0;
    std::size_t elements = 0;

    std::string shape() const { return fmt::format("{}", fmt::join(dims, "x")); }
};

inline const char* idx_type_name(std::uint8_t t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return nullptr;
    }
}

/// Validates the header at the start of `head` (which may hold more than
/// the header). `what` is "file" or "decompressed file", for messages.
inline idx_header parse_idx_header(std::span<const std::uint8_t> head, const std::string& name, const char* what,
                                   std::uint64_t max_elements = idx_max_elements)
{
    const auto short_header = [&](std::size_t need) {
        return data_error(fmt::format("{}: truncated IDX header: needs {} bytes, {} has {}", name, need, what, head.size()));
    };
    if (head.size() < 4) throw short_header(4);
    if (head[0] != 0 || head[1] != 0)
        throw data_error(fmt::format("{}: not an IDX file: starts with 0x{:02x} 0x{:02x}, expected 0x00 0x00", name,
                                     head[0], head[1]));
    const std::uint8_t type = head[2];
    if (type != 0x08) {
        const char* known = idx_type_name(type);
        if (known)
            throw data_error(fmt::format("{}: IDX element type 0x{:02x} ({}) not supported, only 0x08 (unsigned byte)",
                                         name, type, known));
        throw data_error(fmt::format("{}: not an IDX file: unknown element type 0x{:02x}", name, type));
    }
    const std::size_t rank = head[3];
    if (rank < 1 || rank > idx_max_rank)
        throw data_error(fmt::format("{}: IDX rank {} out of range 1..{}", name, rank, idx_max_rank));

    idx_header h;
    h.header_bytes = 4 + 4 * rank;
    if (head.size() < h.header_bytes) throw short_header(h.header_bytes);
    std::uint64_t elements = 1;
    bool too_many = false;
    for (std::size_t i = 0; i < rank; ++i) {
        const std::uint8_t* p = head.data() + 4 + 4 * i;
        const std::uint32_t d = std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
        h.dims.push_back(d);
        // Both factors are below 2^32, so the product fits in 64 bits; once
        // past the cap, stop multiplying.
        if (!too_many) {
            elements *= d;
            too_many = elements > max_elements;
        }
    }
    for (std::size_t i = 0; i < rank; ++i)
        if (h.dims[i] == 0) throw data_error(fmt::format("{}: IDX dimension {} of {} is 0", name, i, h.shape()));
    if (too_many)
        throw data_error(fmt::format("{}: IDX header declares {} elements, more than the limit of {}", name, h.shape(),
                                     max_elements));
    h.elements = static_cast<std::size_t>(elements);
    return h;
}

/// Checks that `total` bytes (header included) is exactly what the header declares.
inline void check_idx_size(const idx_header& h, std::size_t total, bool more, const std::string& name, const char* what)
{
    const std::size_t expected = h.header_bytes + h.elements;
    if (total == expected && !more) return;
    const std::string has = more ? fmt::format("more than {}", total - h.header_bytes)
                                 : std::to_string(total - h.header_bytes);
    throw data_error(fmt::format("{}: {}: header declares {} = {} bytes of data, {} has {}", name,
                                 total < expected ? "truncated" : "trailing bytes", h.shape(), h.elements, what, has));
}

inline idx_array make_idx_array(idx_header h, std::size_t max_items)
{
    idx_array a;
    a.items_in_file = h.dims[0];
    a.dims = std::move(h.dims);
    a.dims[0] = std::min(a.dims[0], max_items);
    return a;
}

/// Reads and validates a header through read(dst, n), which returns how
/// many bytes it gave (fewer only at the end of the data), so that no more
/// than the header is consumed.
template <class Read>
idx_header read_idx_header(Read&& read, const std::string& name, const char* what, std::uint64_t max_elements)
{
    std::array<std::uint8_t, 4 + 4 * idx_max_rank> head{};
    std::size_t got = read(head.data(), 4);
    if (got == 4 && head[3] >= 1 && head[3] <= idx_max_rank) got += read(head.data() + 4, std::size_t{4} * head[3]);
    return parse_idx_header(std::span<const std::uint8_t>(head.data(), got), name, what, max_elements);
}

/// An IDX file opened for reading: plain, or through a gzip_reader.
struct idx_source {
    std::string name;
    std::uint64_t file_size = 0;
    std::ifstream file;
    bool gzip = false;

    explicit idx_source(const std::filesystem::path& path) : name(path.string())
    {
        file_size = require_regular_file(path, "an IDX file");
        file.open(path, std::ios::binary);
        if (!file) throw data_error(fmt::format("{}: cannot open for reading", name));
        std::array<std::uint8_t, 2> magic{};
        const std::size_t n = read_plain(magic.data(), magic.size());
        gzip = is_gzip(std::span<const std::uint8_t>(magic.data(), n));
        file.clear();
        file.seekg(0);
    }

    std::size_t read_plain(std::uint8_t* dst, std::size_t n)
    {
        file.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
        if (file.bad()) throw data_error(fmt::format("{}: read error", name));
        return static_cast<std::size_t>(file.gcount());
    }
};

inline constexpr std::size_t idx_block = std::size_t{1} << 16;

/// The gzip'd case of read_idx: the header from the first decompressed
/// bytes, then the kept items, then the rest decoded into one block and
/// counted, so the length is checked against the header and every gzip
/// trailer is verified.
inline idx_array read_idx_gzip(idx_source& src, std::size_t max_items, std::uint64_t max_elements)
{
    const std::string& name = src.name;
    const char* what = "decompressed file";
    gzip_reader z(src.file, name);
    const auto read = [&](std::uint8_t* dst, std::size_t n) { return z.read(std::span<std::uint8_t>(dst, n)); };
    const auto h = read_idx_header(read, name, what, max_elements);
    auto a = make_idx_array(h, max_items);
    const std::size_t keep = a.dims[0] * (h.elements / h.dims[0]);

    // The buffer grows with the bytes actually decoded, capped at what is
    // kept: a header declaring gigabytes over a small file costs what the
    // file holds. The first guess covers real data sets (they compress 2-5x).
    const std::uint64_t guess = src.file_size > keep / 8 ? keep : 8 * src.file_size + idx_block;
    a.data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(keep, guess)));
    while (a.data.size() < keep) {
        if (a.data.size() == a.data.capacity()) a.data.reserve(std::min(keep, std::max(2 * a.data.capacity(), idx_block)));
        const std::size_t at = a.data.size(), want = std::min(keep, a.data.capacity()) - at;
        a.data.resize(at + want);
        const std::size_t got = read(a.data.data() + at, want);
        a.data.resize(at + got);
        if (got < want) check_idx_size(h, h.header_bytes + a.data.size(), false, name, what);
    }

    // The rest, one block at a time, stopping one byte past the declared
    // size so a gzip bomb is refused without being decoded in full.
    const std::uint64_t rest = h.elements - keep;
    std::vector<std::uint8_t> scratch(static_cast<std::size_t>(std::min<std::uint64_t>(idx_block, rest + 1)));
    std::uint64_t seen = 0;
    for (;;) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), rest - seen + 1));
        const std::size_t got = read(scratch.data(), want);
        seen += got;
        if (got < want) {
            check_idx_size(h, h.header_bytes + keep + static_cast<std::size_t>(seen), false, name, what);
            return a;
        }
        if (seen > rest) check_idx_size(h, h.header_bytes + h.elements, true, name, what);
    }
}

} // namespace detail

/// Reads an IDX file, plain or gzip'd (told apart by the gzip magic bytes),
/// keeping at most max_items items (the first along dims[0]); the whole file
/// is still validated: structure, a regular file (a FIFO or a directory is
/// refused before it is opened), and a length of exactly what the header
/// declares. More than max_elements (at most idx_max_elements) declared is
/// refused from the header. Memory: the kept items and one 64 KiB block;
/// nothing is allocated for the declared size before the data is there.
/// Every problem is a data_error naming the path.
inline idx_array read_idx(const std::filesystem::path& path,
                          std::size_t max_items = std::numeric_limits<std::size_t>::max(),
                          std::uint64_t max_elements = idx_max_elements)
{
    max_elements = std::min(max_elements, idx_max_elements);
    detail::idx_source src(path);
    if (src.gzip) return detail::read_idx_gzip(src, max_items, max_elements);

    const std::string& name = src.name;
    const auto read = [&](std::uint8_t* dst, std::size_t n) { return src.read_plain(dst, n); };
    // Only the header is read before the size check, so a forged header
    // cannot make us allocate for data the file does not hold.
    const auto h = detail::read_idx_header(read, name, "file", max_elements);
    detail::check_idx_size(h, static_cast<std::size_t>(src.file_size), false, name, "file");
    auto a = detail::make_idx_array(h, max_items);
    a.data.resize(a.dims[0] * (h.elements / h.dims[0]));
    if (read(a.data.data(), a.data.size()) != a.data.size())
        throw data_error(fmt::format("{}: read error (the file shrank while being read)", name));
    return a;
}

/// The dimensions an IDX file's header declares (plain or gzip'd), read and
/// validated without reading the data: for checks (rank, image size) made
/// before a large file is loaded. The length is checked by read_idx.
inline std::vector<std::size_t> read_idx_dims(const std::filesystem::path& path,
                                              std::uint64_t max_elements = idx_max_elements)
{
    max_elements = std::min(max_elements, idx_max_elements);
    detail::idx_source src(path);
    if (src.gzip) {
        gzip_reader z(src.file, src.name);
        const auto read = [&](std::uint8_t* dst, std::size_t n) { return z.read(std::span<std::uint8_t>(dst, n)); };
        return detail::read_idx_header(read, src.name, "decompressed file", max_elements).dims;
    }
    const auto read = [&](std::uint8_t* dst, std::size_t n) { return src.read_plain(dst, n); };
    return detail::read_idx_header(read, src.name, "file", max_elements).dims;
}

} // namespace somnus
