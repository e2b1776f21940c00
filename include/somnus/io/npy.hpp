// SPDX-License-Identifier: MIT
// NumPy's .npy files: the arrays behind every figure, for numpy.load and
// matplotlib. Writing is xtensor's (xt::dump_npy), made atomic; reading back
// is checked before a byte of data is trusted: the magic string and version,
// the header length against the file, the dtype against the type asked for,
// C order, and the shape's element count times the item size against the
// bytes the file holds (with overflow checks), so a truncated, padded or
// foreign file is refused by name instead of read as garbage.
#pragma once

#include <bit>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

#include "../core/error.hpp"
#include "atomic_file.hpp"
#include "file.hpp"

namespace somnus {

/// Writes e to path as a .npy file (xtensor's encoding), atomically: a
/// previous file at path is replaced whole or left untouched.
template <class E>
void write_npy(const std::filesystem::path& path, const xt::xexpression<E>& e)
{
    const std::string bytes = xt::dump_npy(e);
    write_file_atomically(path, std::span<const char>(bytes.data(), bytes.size()));
}

namespace detail {

/// The .npy descriptor of T: '<f4', '<u8', '|u1', '|b1', ...
template <class T>
std::string npy_descr()
{
    static_assert(std::is_arithmetic_v<T>, "npy: arithmetic element types only");
    static_assert(std::endian::native == std::endian::little, "npy: little-endian hosts only");
    const char kind = std::is_same_v<T, bool> ? 'b' : std::is_floating_point_v<T> ? 'f' : std::is_signed_v<T> ? 'i' : 'u';
    return fmt::format("{}{}{}", sizeof(T) == 1 ? '|' : '<', kind, sizeof(T));
}

/// The value of key in the header's dict literal, as its raw text
/// ('<f4', False, (3, 4)); empty if absent.
inline std::string_view npy_field(std::string_view header, std::string_view key)
{
    const std::string quoted = fmt::format("'{}'", key);
    const auto at = header.find(quoted);
    if (at == std::string_view::npos) return {};
    auto p = header.find(':', at + quoted.size());
    if (p == std::string_view::npos) return {};
    ++p;
    while (p < header.size() && header[p] == ' ') ++p;
    if (p >= header.size()) return {};
    const char open = header[p];
    if (open == '(' || open == '\'') {
        const auto end = header.find(open == '(' ? ')' : '\'', p + 1);
        return end == std::string_view::npos ? std::string_view{} : header.substr(p, end - p + 1);
    }
    const auto end = header.find_first_of(",} \n", p);
    return header.substr(p, end == std::string_view::npos ? std::string_view::npos : end - p);
}

} // namespace detail

/// Reads a .npy file written with elements of type T in C order. Refuses,
/// with a data_error naming the file and the problem: a file that is not
/// regular or not .npy, a header longer than the file, another dtype
/// (including another byte order), Fortran order, a malformed shape, and a
/// shape whose size times the item size is not exactly the data the file
/// holds (so memory stays bounded by the file's size).
template <class T>
xt::xarray<T> read_npy(const std::filesystem::path& path)
{
    std::uint64_t size = 0;
    auto in = open_regular_file(path, "a .npy file", size);
    const auto fail = [&](const std::string& what) { throw data_error(fmt::format("{}: {}", path.string(), what)); };
    char lead[10];
    if (size < sizeof lead || !in.read(lead, sizeof lead)) fail(fmt::format("not a .npy file ({} bytes, shorter than its preamble)", size));
    if (std::memcmp(lead, "\x93NUMPY", 6) != 0) fail("not a .npy file (no \\x93NUMPY magic string)");
    const int major = static_cast<unsigned char>(lead[6]);
    if (major < 1 || major > 3) fail(fmt::format(".npy format version {}.{}, expected 1, 2 or 3", major, int(static_cast<unsigned char>(lead[7]))));
    std::uint64_t header_len = 0, preamble = 10;
    if (major == 1) {
        header_len = static_cast<unsigned char>(lead[8]) | (std::uint64_t(static_cast<unsigned char>(lead[9])) << 8);
    } else {
        char more[2];
        if (size < 12 || !in.read(more, 2)) fail("truncated .npy preamble");
        header_len = 0;
        const unsigned char b[4] = {static_cast<unsigned char>(lead[8]), static_cast<unsigned char>(lead[9]),
                                    static_cast<unsigned char>(more[0]), static_cast<unsigned char>(more[1])};
        for (int k = 3; k >= 0; --k) header_len = (header_len << 8) | b[k];
        preamble = 12;
    }
    if (header_len > size - preamble)
        fail(fmt::format("header of {} bytes, but the file holds only {} after its preamble", header_len, size - preamble));
    std::string header(header_len, '\0');
    if (!in.read(header.data(), std::streamsize(header_len))) fail("cannot read the header");
    const auto descr = detail::npy_field(header, "descr");
    const std::string want = detail::npy_descr<T>();
    const bool same = descr == fmt::format("'{}'", want) ||
                      (sizeof(T) > 1 && descr == fmt::format("'={}'", want.substr(1))) ||  // native order spelled '='
                      (sizeof(T) == 1 && descr == fmt::format("'<{}'", want.substr(1)));
    if (!same) fail(fmt::format("dtype {}, expected '{}'", descr.empty() ? std::string_view("(none)") : descr, want));
    const auto order = detail::npy_field(header, "fortran_order");
    if (order != "False") fail(order == "True" ? "Fortran-ordered array; C order expected" : "header without fortran_order");
    const auto shape_text = detail::npy_field(header, "shape");
    if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')') fail("header without a shape");
    std::vector<std::size_t> shape;
    std::uint64_t count = 1;
    for (std::size_t p = 1; p + 1 < shape_text.size();) {
        while (p + 1 < shape_text.size() && (shape_text[p] == ' ' || shape_text[p] == ',')) ++p;
        if (p + 1 >= shape_text.size()) break;
        std::uint64_t d = 0;
        std::size_t digits = 0;
        while (p + 1 < shape_text.size() && std::isdigit(static_cast<unsigned char>(shape_text[p]))) {
            if (d > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) fail(fmt::format("shape {} overflows", shape_text));
            d = d * 10 + std::uint64_t(shape_text[p++] - '0');
            ++digits;
        }
        if (digits == 0) fail(fmt::format("malformed shape {}", shape_text));
        if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / d) fail(fmt::format("shape {} overflows", shape_text));
        count *= d;
        shape.push_back(static_cast<std::size_t>(d));
    }
    const std::uint64_t data = size - preamble - header_len;
    if (count > data / sizeof(T) || count * sizeof(T) != data)
        fail(fmt::format("shape {} of '{}' needs {} bytes of data, the file holds {}", shape_text, want,
                         count > std::numeric_limits<std::uint64_t>::max() / sizeof(T) ? std::string("more than 2^64")
                                                                                       : std::to_string(count * sizeof(T)),
                         data));
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    if (count > 0 && !in.read(reinterpret_cast<char*>(out.data()), std::streamsize(data))) fail("cannot read the data");
    return out;
}

} // namespace somnus
