// SPDX-License-Identifier: MIT
// .npy files: xtensor's writer made atomic, and the checked reader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include <somnus/io/npy.hpp>

#include "scratch.hpp"

using namespace somnus;
using somnus_test::scratch_dir;

namespace {

/// A .npy file by hand: version 1, the given header dict, then data bytes.
std::vector<std::uint8_t> npy_bytes(const std::string& dict, std::size_t data_bytes, int version = 1)
{
    std::string header = dict;
    const std::size_t pre = version == 1 ? 10 : 12;
    while ((pre + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    // Sized once and filled in place (growing it by push_back and insert
    // drew a false -Wstringop-overflow from g++ 12 at -march=x86-64-v3).
    const std::size_t n = header.size();
    std::vector<std::uint8_t> b(pre + n + data_bytes, 0);
    const std::uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    std::copy(std::begin(magic), std::end(magic), b.begin());
    b[6] = std::uint8_t(version);
    b[8] = std::uint8_t(n & 0xff);  // header length, little-endian (2 bytes in version 1, 4 after)
    b[9] = std::uint8_t(n >> 8);
    std::copy(header.begin(), header.end(), b.begin() + std::ptrdiff_t(pre));
    return b;
}

std::string refusal(const std::filesystem::path& p)
{
    return somnus_test::thrown<data_error>([&] { (void)read_npy<float>(p); });
}

} // namespace

TEST_SUITE("io") {

TEST_CASE("npy: round trips of every element type and shape")
{
    scratch_dir dir("npy");
    xt::xarray<float> f = {{1.5f, -2.0f, 3.25f}, {0.0f, 1e-30f, 7.0f}};
    write_npy(dir / "f.npy", f);
    CHECK(read_npy<float>(dir / "f.npy") == f);
    xt::xarray<double> d = xt::xarray<double>::from_shape({2, 3, 4});
    for (std::size_t k = 0; k < d.size(); ++k) d.data()[k] = double(k) / 7.0;
    write_npy(dir / "d.npy", d);
    CHECK(read_npy<double>(dir / "d.npy") == d);
    xt::xarray<std::uint8_t> u = {0, 255, 7};
    write_npy(dir / "u.npy", u);
    CHECK(read_npy<std::uint8_t>(dir / "u.npy") == u);
    xt::xarray<std::uint64_t> big = {std::uint64_t{1} << 40, 3};
    write_npy(dir / "big.npy", big);
    CHECK(read_npy<std::uint64_t>(dir / "big.npy") == big);
    xt::xarray<std::int32_t> neg = {-5, 5};
    write_npy(dir / "neg.npy", neg);
    CHECK(read_npy<std::int32_t>(dir / "neg.npy") == neg);
    // Empty and zero-dimensional arrays.
    xt::xarray<float> empty = xt::xarray<float>::from_shape({0, 5});
    write_npy(dir / "empty.npy", empty);
    CHECK(read_npy<float>(dir / "empty.npy").shape() == empty.shape());
    xt::xtensor<float, 1> fixed = {4.0f, 5.0f};
    write_npy(dir / "fixed.npy", fixed);
    CHECK(read_npy<float>(dir / "fixed.npy") == xt::xarray<float>{4.0f, 5.0f});
    // Replaced whole.
    write_npy(dir / "f.npy", u);
    CHECK(read_npy<std::uint8_t>(dir / "f.npy") == u);
}

TEST_CASE("npy: a hand-written header, version 2, and the key order numpy does not promise")
{
    scratch_dir dir("npy");
    somnus_test::write_bytes(dir / "v1.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24));
    CHECK(read_npy<float>(dir / "v1.npy").shape() == std::vector<std::size_t>{2, 3});
    somnus_test::write_bytes(dir / "v2.npy", npy_bytes("{'shape': (4,), 'descr': '<f4', 'fortran_order': False}", 16, 2));
    CHECK(read_npy<float>(dir / "v2.npy").size() == 4);
    somnus_test::write_bytes(dir / "scalar.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4));
    CHECK(read_npy<float>(dir / "scalar.npy").size() == 1);
}

TEST_CASE("npy: bad files are refused by name, before any data is trusted")
{
    scratch_dir dir("npy");
    const auto put = [&](const std::string& name, const std::vector<std::uint8_t>& b) {
        somnus_test::write_bytes(dir / name, b);
        return dir / name;
    };
    const auto good = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
    // Truncated data, padded data.
    auto cut = good;
    cut.resize(cut.size() - 1);
    CHECK(somnus_test::contains(refusal(put("cut.npy", cut)), "needs 24 bytes of data, the file holds 23"));
    auto pad = good;
    pad.push_back(0);
    CHECK(somnus_test::contains(refusal(put("pad.npy", pad)), "the file holds 25"));
    // Another dtype, another byte order, Fortran order.
    CHECK(somnus_test::contains(refusal(put("f8.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24))),
                                "dtype '<f8', expected '<f4'"));
    CHECK(somnus_test::contains(refusal(put("be.npy", npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", 12))),
                                "dtype '>f4'"));
    CHECK(somnus_test::contains(refusal(put("fo.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", 12))),
                                "Fortran-ordered"));
    // A shape whose size overflows, or would need more memory than the file holds.
    CHECK(somnus_test::contains(
        refusal(put("huge.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 12))),
        "overflows"));
    CHECK(somnus_test::contains(refusal(put("many.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }", 12))),
                                "needs 4000000000000 bytes"));
    CHECK(somnus_test::contains(refusal(put("shape.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 8))),
                                "malformed shape"));
    CHECK(somnus_test::contains(refusal(put("noshape.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, }", 8))),
                                "without a shape"));
    // A header longer than the file; not .npy at all; too short; a folder.
    auto longhead = good;
    longhead[8] = 0xff;
    longhead[9] = 0x7f;
    CHECK(somnus_test::contains(refusal(put("long.npy", longhead)), "header of 32767 bytes"));
    CHECK(somnus_test::contains(refusal(put("text.npy", somnus_test::to_bytes("hello, this is not numpy"))), "no \\x93NUMPY"));
    CHECK(somnus_test::contains(refusal(put("short.npy", somnus_test::to_bytes("\x93NUM"))), "shorter than its preamble"));
    auto v9 = good;
    v9[6] = 9;
    CHECK(somnus_test::contains(refusal(put("v9.npy", v9)), "version 9.0"));
    std::filesystem::create_directories(dir / "folder.npy");
    CHECK(somnus_test::contains(refusal(dir / "folder.npy"), "folder.npy"));
    CHECK(somnus_test::contains(refusal(dir / "missing.npy"), "missing.npy"));
    // Every message names the file.
    CHECK(somnus_test::contains(refusal(put("x.npy", cut)), (dir / "x.npy").string()));
}

TEST_CASE("npy: numpy reads what we write and we read what numpy writes")
{
    if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) return;  // checked where numpy is present
    scratch_dir dir("npy");
    xt::xarray<float> f = {{1.5f, -2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}};
    write_npy(dir / "ours.npy", f);
    const std::string check = fmt::format(
        "/usr/bin/python3 -c \"import numpy as np; a = np.load('{}'); assert a.dtype == np.float32 and a.shape == (3, 2) and a[2, 1] == 6.0; "
        "np.save('{}', np.arange(12, dtype=np.uint16).reshape(3, 4)); np.save('{}', np.arange(6.0).reshape(2, 3, order='F').T)\"",
        (dir / "ours.npy").string(), (dir / "theirs.npy").string(), (dir / "fortran.npy").string());
    REQUIRE(std::system(check.c_str()) == 0);
    const auto theirs = read_npy<std::uint16_t>(dir / "theirs.npy");
    CHECK(theirs.shape() == std::vector<std::size_t>{3, 4});
    CHECK(theirs(2, 3) == 11);
    // numpy saves a transposed Fortran array as C order: readable.
    CHECK(read_npy<double>(dir / "fortran.npy").shape() == std::vector<std::size_t>{3, 2});
}

}
