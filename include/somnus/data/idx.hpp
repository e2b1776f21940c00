// SPDX-License-Identifier: MIT
// Reader for IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.,
// http://yann.lecun.com/exdb/mnist/): 0x00 0x00, element type, rank, rank
// big-endian u32 dimensions, then the elements. Plain or gzip'd (told apart by
// the gzip magic bytes). Unsigned-byte elements (type 0x08) only.
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
#include "../io/inflate.hpp"

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
inline idx_header parse_idx_header(std::span<const std::uint8_t> head, const std::string& name, const char* what)
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
            too_many = elements > idx_max_elements;
        }
    }
    for (std::size_t i = 0; i < rank; ++i)
        if (h.dims[i] == 0) throw data_error(fmt::format("{}: IDX dimension {} of {} is 0", name, i, h.shape()));
    if (too_many)
        throw data_error(fmt::format("{}: IDX header declares {} elements, more than the limit of {}", name, h.shape(),
                                     idx_max_elements));
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

} // namespace detail

/// Reads an IDX file, plain or gzip'd, keeping at most max_items items (the
/// first along dims[0]); the whole file is still validated. Every problem is
/// a data_error naming the path.
inline idx_array read_idx(const std::filesystem::path& path,
                          std::size_t max_items = std::numeric_limits<std::size_t>::max())
{
    const std::string name = path.string();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found) throw data_error(fmt::format("{}: no such file", name));
    if (ec) throw data_error(fmt::format("{}: cannot access: {}", name, ec.message()));
    if (std::filesystem::is_directory(status)) throw data_error(fmt::format("{}: is a directory, not an IDX file", name));
    std::ifstream f(path, std::ios::binary);
    if (!f) throw data_error(fmt::format("{}: cannot open for reading", name));
    f.seekg(0, std::ios::end);
    const auto end = f.tellg();
    if (end < 0) throw data_error(fmt::format("{}: cannot determine the file size", name));
    const auto file_size = static_cast<std::size_t>(end);
    f.seekg(0);

    const auto read = [&](std::uint8_t* dst, std::size_t n) {
        if (n && !f.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n)))
            throw data_error(fmt::format("{}: read error", name));
    };

    // Only a header's worth is read before the size checks, so a forged
    // header cannot make us allocate for data the file does not hold.
    std::array<std::uint8_t, 4 + 4 * idx_max_rank> head{};
    const std::size_t head_n = std::min(file_size, head.size());
    read(head.data(), head_n);

    if (is_gzip(std::span<const std::uint8_t>(head.data(), head_n))) {
        std::vector<std::uint8_t> packed(file_size);
        std::copy_n(head.data(), head_n, packed.data());
        read(packed.data() + head_n, file_size - head_n);
        const char* what = "decompressed file";
        const auto h = detail::parse_idx_header(detail::gunzip(packed, name, head.size(), true), name, what);
        // One byte past the declared size tells "too long" without decoding the rest.
        const std::size_t expected = h.header_bytes + h.elements;
        auto bytes = detail::gunzip(packed, name, expected + 1, true);
        detail::check_idx_size(h, std::min(bytes.size(), expected), bytes.size() > expected, name, what);
        packed = {};
        auto a = detail::make_idx_array(h, max_items);
        const std::size_t keep = a.dims[0] * (h.elements / h.dims[0]);
        bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
        bytes.resize(keep);
        if (keep < h.elements / 2) bytes.shrink_to_fit();
        a.data = std::move(bytes);
        return a;
    }

    const auto h = detail::parse_idx_header(std::span<const std::uint8_t>(head.data(), head_n), name, "file");
    detail::check_idx_size(h, file_size, false, name, "file");
    auto a = detail::make_idx_array(h, max_items);
    a.data.resize(a.dims[0] * (h.elements / h.dims[0]));
    f.seekg(static_cast<std::streamoff>(h.header_bytes));
    read(a.data.data(), a.data.size());
    return a;
}

} // namespace somnus
