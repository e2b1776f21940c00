// SPDX-License-Identifier: MIT
// The checkpoint container: round trip, and refusal of everything that is
// not a complete checkpoint, before any payload is read or allocated.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include <somnus/io/checkpoint.hpp>

#include "scratch.hpp"

using namespace somnus;
using somnus_test::scratch_dir;

namespace {

void write_bytes(const std::filesystem::path& p, const std::vector<char>& b)
{
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::vector<char> bytes_of(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// A small valid checkpoint with one section of each kind.
void write_sample(const std::filesystem::path& p)
{
    checkpoint_writer w;
    const std::vector<float> f{1.5f, -2.0f, 3.25f};
    w.add("floats", std::span<const float>(f));
    const std::uint64_t u[] = {7, 8};
    w.add_u64("ints", u);
    w.add_text("text", "hello");
    w.save(p);
}

} // namespace

TEST_SUITE("io") {

TEST_CASE("checkpoint round trip, and the temporary file is gone")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "a.ckpt";
    write_sample(p);
    CHECK(!std::filesystem::exists(dir / "a.ckpt.tmp"));
    const checkpoint_reader r(p);
    vector_f f = make_vector(3);
    r.read("floats", f);
    CHECK(f(0) == 1.5f);
    CHECK(f(2) == 3.25f);
    CHECK(r.read_u64("ints") == std::vector<std::uint64_t>{7, 8});
    CHECK(r.read_text("text") == "hello");
    vector_f wrong = make_vector(4);
    CHECK_THROWS_WITH_AS(r.read("floats", wrong), doctest::Contains("has shape 3, expected 4"), data_error);
    CHECK_THROWS_WITH_AS(r.read_text("nope"), doctest::Contains("'nope' is missing"), data_error);
}

TEST_CASE("regression: --load of a directory is refused by name, not std::bad_alloc")
{
    scratch_dir dir("ckpt");
    CHECK_THROWS_WITH_AS(checkpoint_reader{dir.path()}, doctest::Contains("is a directory"), data_error);
}

TEST_CASE("regression: a FIFO in place of a checkpoint is refused, not waited on")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "fifo.ckpt";
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("FIFO"), data_error);
}

TEST_CASE("regression: a huge sparse file is refused from its size and headers, without reading it")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "sparse.ckpt";
    write_sample(p);
    const auto good = bytes_of(p);
    // Past the size limit: refused on its size alone.
    std::filesystem::resize_file(p, checkpoint_max_bytes + 1);
    CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("GiB a checkpoint may hold"), data_error);
    // 1 GiB of zeros after a valid checkpoint: the section walk finds the
    // bytes its headers do not account for before the checksum pass.
    write_bytes(p, good);
    std::filesystem::resize_file(p, std::uint64_t{1} << 30);
    CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("trailing bytes after the last section"), data_error);
}

TEST_CASE("a section header that declares more than the file holds is refused before allocation")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "big.ckpt";
    write_sample(p);
    auto b = bytes_of(p);
    // The first section's only dimension (u64 after "floats", kind, rank).
    const auto at = std::search(b.begin(), b.end(), std::begin("floats"), std::end("floats") - 1) - b.begin() + 6 + 2;
    const std::uint64_t huge = std::uint64_t{1} << 38;
    std::memcpy(b.data() + at, &huge, 8);
    write_bytes(p, b);
    CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("section 'floats' declares"), data_error);
    // A section count no file of this size could hold.
    write_sample(p);
    b = bytes_of(p);
    const std::uint32_t many = 0xFFFFFFFFu;
    std::memcpy(b.data() + 12, &many, 4);
    write_bytes(p, b);
    CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("sections, more than"), data_error);
}

TEST_CASE("truncated, flipped, foreign and empty files are refused with the path")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "x.ckpt";
    write_sample(p);
    const auto good = bytes_of(p);
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
        write_bytes(p, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
        CHECK_THROWS_WITH_AS(checkpoint_reader{p}, doctest::Contains("x.ckpt"), data_error);
    }
    for (std::size_t k = 0; k < good.size(); ++k) {
        auto b = good;
        b[k] ^= 0x04;
        write_bytes(p, b);
        CHECK_THROWS_AS(checkpoint_reader{p}, data_error);
    }
    CHECK_THROWS_WITH_AS(checkpoint_reader{dir / "missing.ckpt"}, doctest::Contains("no such file"), data_error);
}

TEST_CASE("a failed atomic write names the path and leaves the old file")
{
    scratch_dir dir("ckpt");
    const auto p = dir / "keep.ckpt";
    write_sample(p);
    const auto before = bytes_of(p);
    CHECK_THROWS_WITH_AS(write_file_atomically(dir / "no-such-folder" / "x.ckpt", std::span<const char>()),
                         doctest::Contains("no-such-folder"), error);
    // Renaming over a directory fails: the old directory stays, no .tmp is left.
    std::filesystem::create_directory(dir / "d.ckpt");
    CHECK_THROWS_AS(write_file_atomically(dir / "d.ckpt", std::span<const char>(before)), error);
    CHECK(!std::filesystem::exists(dir / "d.ckpt.tmp"));
    CHECK(bytes_of(p) == before);
}

}
