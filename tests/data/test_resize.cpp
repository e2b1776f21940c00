// SPDX-License-Identifier: MIT
// resize_bilinear (data/resize.hpp) against hand-computed PIL arithmetic
// (a constant image, a ramp upscaled, one bright pixel's spread) and against
// PIL's own bytes on seeded random images (resize_pil/fixture.txt, made by
// resize_pil/make_fixture.py with Pillow 9.4); check_resize_pil.py does the
// same on real MNIST and Fashion-MNIST when PIL is installed (ctest resize_pil).
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/data/resize.hpp>

using namespace somnus;
using bytes = std::vector<std::uint8_t>;

namespace {

bytes from_hex(const std::string& s)
{
    bytes b(s.size() / 2);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
    return b;
}

} // namespace

TEST_SUITE("data") {

TEST_CASE("resize_bilinear: a constant image stays constant at any size, down and up")
{
    random_stream rng(3, stream_purpose::user);
    for (int k = 0; k < 200; ++k) {
        const std::size_t r = 1 + rng.below(40), c = 1 + rng.below(40), orow = 1 + rng.below(40), ocol = 1 + rng.below(40);
        const auto v = static_cast<std::uint8_t>(rng.below(256));
        const auto out = resize_bilinear(bytes(r * c, v), r, c, orow, ocol);
        REQUIRE(out.size() == orow * ocol);
        for (const auto x : out) REQUIRE(x == v);
    }
}

TEST_CASE("resize_bilinear: the same size is a copy; one axis unchanged is left alone")
{
    random_stream rng(4, stream_purpose::user);
    bytes img(9 * 13);
    for (auto& x : img) x = static_cast<std::uint8_t>(rng.below(256));
    CHECK(resize_bilinear(img, 9, 13, 9, 13) == img);
    // 9 x 13 -> 9 x 26: each row is resized on its own, as a 1 x 13 image.
    const auto wide = resize_bilinear(img, 9, 13, 9, 26);
    for (std::size_t r = 0; r < 9; ++r) {
        const bytes row(img.begin() + std::ptrdiff_t(r * 13), img.begin() + std::ptrdiff_t(r * 13 + 13));
        const auto one = resize_bilinear(row, 1, 13, 1, 26);
        CHECK(bytes(wide.begin() + std::ptrdiff_t(r * 26), wide.begin() + std::ptrdiff_t(r * 26 + 26)) == one);
    }
}

TEST_CASE("resize_bilinear: [0, 255] upscaled to 4 pixels by hand (PIL gives 0 64 191 255)")
{
    // Scale 1/2, support 1; centres 0.25, 0.75, 1.25, 1.75. Pixel 0 reads
    // only source 0; pixel 1 weights 0.75 and 0.25: 255 * 0.25 * 2^22 + 2^21
    // >> 22 = 64; pixel 2: 191; pixel 3 reads only source 1.
    CHECK(resize_bilinear(bytes{0, 255}, 1, 2, 1, 4) == bytes{0, 64, 191, 255});
    CHECK(resize_bilinear(bytes{0, 255}, 2, 1, 4, 1) == bytes{0, 64, 191, 255});
}

TEST_CASE("resize_bilinear: one bright pixel of a 4x4 image spreads over 2x2 as PIL's fixed point (47 15 / 16 5)")
{
    // Scale 2, support 2: output 0 reads sources 0, 1, 2 with weights
    // 3/7, 3/7, 1/7 (22-bit: 1797559, 1797559, 599186), output 1 reads 1, 2, 3
    // with 1/7, 3/7, 3/7. Horizontal pass on row 1: 255 -> 109 and 36 (rounded
    // to bytes); vertical: 109 -> 47 and 16, 36 -> 15 and 5.
    const auto w = detail::bilinear_axis(4, 2);
    CHECK(w.first == std::vector<std::size_t>{0, 1});
    CHECK(w.count == std::vector<std::size_t>{3, 3});
    CHECK(w.weight[0] == 1797559);
    CHECK(w.weight[2] == 599186);
    CHECK(w.weight[0] + w.weight[1] + w.weight[2] == 1 << 22);
    bytes img(16, 0);
    img[1 * 4 + 1] = 255;
    CHECK(resize_bilinear(img, 4, 4, 2, 2) == bytes{47, 15, 16, 5});
}

TEST_CASE("resize_bilinear: PIL's bytes on seeded random images of 14 size pairs (resize_pil/fixture.txt)")
{
    std::ifstream f(std::string(SOMNUS_TEST_DATA_DIR) + "/resize_pil/fixture.txt");
    REQUIRE(f.good());
    std::string line;
    int cases = 0;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream in(line);
        std::size_t r, c, orow, ocol;
        std::string src, pil;
        in >> r >> c >> orow >> ocol >> src >> pil;
        INFO(r << "x" << c << " -> " << orow << "x" << ocol);
        const auto s = from_hex(src), expect = from_hex(pil);
        REQUIRE(s.size() == r * c);
        REQUIRE(expect.size() == orow * ocol);
        CHECK(resize_bilinear(s, r, c, orow, ocol) == expect);
        ++cases;
    }
    CHECK(cases == 28);
}

TEST_CASE("resize_dataset: every image as resize_bilinear, labels kept, the same bytes on 1 and 3 threads")
{
    image_dataset d;
    d.rows = 28;
    d.cols = 28;
    random_stream rng(5, stream_purpose::user);
    for (int i = 0; i < 7; ++i) {
        for (int p = 0; p < 28 * 28; ++p) d.pixels.push_back(rng.uniform() < 0.7 ? 0 : static_cast<std::uint8_t>(rng.below(256)));
        d.labels.push_back(static_cast<std::uint8_t>(i % 10));
    }
    const auto one = resize_dataset(d, 15, 15, 1), three = resize_dataset(d, 15, 15, 3);
    CHECK(one.rows == 15);
    CHECK(one.cols == 15);
    CHECK(one.labels == d.labels);
    CHECK(one.pixels == three.pixels);
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto r = resize_bilinear(d.image(i), 28, 28, 15, 15);
        CHECK(bytes(one.image(i).begin(), one.image(i).end()) == r);
    }
}

TEST_CASE("resize_bilinear: bad sizes are refused, naming them")
{
    CHECK_THROWS_WITH_AS(resize_bilinear(bytes(10), 3, 4, 2, 2), doctest::Contains("holds 10 bytes, a 3x4 image has 12"), config_error);
    CHECK_THROWS_WITH_AS(resize_bilinear(bytes(12), 3, 4, 0, 2), doctest::Contains("output of 0x2"), config_error);
    CHECK_THROWS_WITH_AS(resize_bilinear(bytes{}, 0, 4, 2, 2), doctest::Contains("source of 0x4"), config_error);
    image_dataset d;
    d.rows = 2;
    d.cols = 2;
    d.pixels = bytes(7);
    d.labels = {1, 2};
    CHECK_THROWS_WITH_AS(resize_dataset(d, 1, 1), doctest::Contains("7 pixel bytes for 2 images of 2x2"), config_error);
}

} // TEST_SUITE
