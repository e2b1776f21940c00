// SPDX-License-Identifier: MIT
// Tests for the example programs' plotting layer: canvas primitives and
// clipping, the bitmap font, tick rule, colormaps, and the chart helpers
// read back pixel by pixel.
#include <doctest/doctest.h>

#include "../../examples/common/plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

using namespace somnus::plot;

namespace {

constexpr rgb white{255, 255, 255}, black{0, 0, 0}, red{255, 0, 0}, blue{0, 0, 255}, green{0, 255, 0};
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

std::size_t count(const canvas& c, rgb col)
{
    std::size_t n = 0;
    for (std::size_t y = 0; y < c.height(); ++y)
        for (std::size_t x = 0; x < c.width(); ++x) n += c.at(x, y) == col;
    return n;
}

canvas drawn(std::string_view s, int scale = 1)
{
    canvas c(100, 40);
    c.text(2, 2, s, black, scale);
    return c;
}

std::size_t lit(std::string_view s, int scale = 1) { return count(drawn(s, scale), black); }

void check_ticks(const std::vector<double>& got, const std::vector<double>& want)
{
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]));
}

}  // namespace

TEST_SUITE("plot") {

TEST_CASE("canvas: drawing off the canvas is clipped, never written")
{
    canvas c(10, 8);
    CHECK(c.width() == 10);
    CHECK(c.height() == 8);
    CHECK(c.pixels().size() == 10u * 8u * 3u);
    CHECK(count(c, white) == 80);

    c.set(-1, 0, black);
    c.set(10, 0, black);
    c.set(0, -1, black);
    c.set(0, 8, black);
    c.set(std::numeric_limits<int>::max(), std::numeric_limits<int>::min(), black);
    c.line(-50, -3, -2, 100, black);                      // wholly outside
    c.line(20, 20, 1000000000, -1000000000, black, 5);    // wholly outside, thick
    c.fill_rect(10, 0, 5, 5, black);
    c.rect(-20, -20, 5, 5, black);
    c.text(-100, 0, "888", black, 1);
    c.text(0, 100, "888", black, 3);
    CHECK(count(c, white) == 80);

    c.fill_rect(-5, -5, 8, 7, black);  // covers [0, 3) x [0, 2)
    CHECK(count(c, black) == 6);
    CHECK(c.at(2, 1) == black);
    CHECK(c.at(3, 1) == white);
    CHECK(c.at(2, 2) == white);
    CHECK_THROWS_AS((void)c.at(10, 0), std::out_of_range);

    // A line from far outside to far outside crosses only the visible diagonal.
    canvas d(10, 10);
    d.line(-1000, -1000, 2000, 2000, black);
    CHECK(count(d, black) == 10);
    for (int i = 0; i < 10; ++i) CHECK(d.at(static_cast<std::size_t>(i), static_cast<std::size_t>(i)) == black);

    CHECK_THROWS_AS(canvas(canvas::max_side + 1, 1), std::length_error);
}

TEST_CASE("canvas: clip rectangle confines drawing")
{
    canvas c(10, 10);
    c.clip(2, 3, 4, 2);  // [2, 6) x [3, 5)
    c.fill_rect(0, 0, 10, 10, black);
    CHECK(count(c, black) == 8);
    CHECK(c.at(2, 3) == black);
    CHECK(c.at(5, 4) == black);
    CHECK(c.at(6, 4) == white);
    CHECK(c.at(2, 5) == white);
    c.unclip();
    c.set(0, 0, red);
    CHECK(c.at(0, 0) == red);
}

TEST_CASE("canvas: Bresenham line sets both endpoints and one pixel per major step")
{
    canvas c(12, 12);
    c.line(1, 1, 8, 5, black);
    CHECK(c.at(1, 1) == black);
    CHECK(c.at(8, 5) == black);
    CHECK(count(c, black) == 8);  // x is the major axis: 8 columns, one pixel each
    for (std::size_t x = 1; x <= 8; ++x) {
        std::size_t in_column = 0;
        for (std::size_t y = 0; y < 12; ++y) in_column += c.at(x, y) == black;
        CHECK(in_column == 1);
    }

    canvas v(5, 9);
    v.line(2, 8, 2, 0, red);
    CHECK(count(v, red) == 9);

    canvas p(5, 5);
    p.line(3, 3, 3, 3, red);
    CHECK(count(p, red) == 1);

    canvas t(20, 20);
    t.line(5, 10, 14, 10, blue, 3);  // a 3x3 square stamped on each point
    CHECK(count(t, blue) == 12 * 3);
    CHECK(t.at(4, 9) == blue);
    CHECK(t.at(15, 11) == blue);
    CHECK(t.at(16, 10) == white);

    canvas r(10, 10);
    r.rect(1, 2, 4, 3, black);
    CHECK(count(r, black) == 10);  // perimeter of 4 x 3
    CHECK(r.at(2, 3) == white);
}

TEST_CASE("font: lit pixel counts of known glyphs")
{
    CHECK(lit("1") == 10);
    CHECK(lit("8") == 17);
    CHECK(lit("1") != lit("8"));
    CHECK(lit("1", 2) == 40);
    CHECK(lit(" ") == 0);
    CHECK(lit("-") == 4);
    CHECK(lit("88") == 34);
    // Anything without a glyph draws the 5x7 box outline: 5 + 5 + 2 * 5.
    CHECK(lit("\x01") == 20);
    CHECK(lit("\xce\xb8") == 20);  // one UTF-8 code point, one box
    CHECK(lit("a") != lit("A"));
    const canvas box = drawn("\x01");
    constexpr std::string_view needed =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,:;-+%/()[]=<>_#'";
    for (char ch : needed) {
        if (ch == ' ') continue;
        CAPTURE(ch);
        const canvas g = drawn(std::string_view(&ch, 1));
        CHECK(count(g, black) > 0);
        CHECK_FALSE(std::equal(g.pixels().begin(), g.pixels().end(), box.pixels().begin()));
    }
}

TEST_CASE("font: glyph placement, descenders, rotated text")
{
    canvas c(20, 20);
    c.text(3, 4, "E", black);
    CHECK(c.at(3, 4) == black);   // top-left of E
    CHECK(c.at(7, 4) == black);   // top-right
    CHECK(c.at(7, 10) == black);  // bottom-right
    CHECK(c.at(7, 11) == white);

    canvas g(20, 20);
    g.text(0, 0, "g", black);
    std::size_t lowest = 0;
    for (std::size_t y = 0; y < 20; ++y)
        for (std::size_t x = 0; x < 20; ++x)
            if (g.at(x, y) == black) lowest = y;
    CHECK(lowest == 8);  // two rows below the 7-row cell

    // Rotated text covers a text_height x text_width box.
    canvas u(30, 30);
    u.text_up(5, 2, "LL", black);
    std::size_t min_x = 99, max_x = 0, min_y = 99, max_y = 0;
    for (std::size_t y = 0; y < 30; ++y)
        for (std::size_t x = 0; x < 30; ++x)
            if (u.at(x, y) == black) {
                min_x = std::min(min_x, x);
                max_x = std::max(max_x, x);
                min_y = std::min(min_y, y);
                max_y = std::max(max_y, y);
            }
    CHECK(min_x == 5);
    CHECK(max_x == 11);
    CHECK(min_y == 2);
    CHECK(max_y == 2 + 11 - 1);
    CHECK(count(u, black) == 2 * 11);  // L: 7 + 4 pixels
}

TEST_CASE("font: text_width is (6 n - 1) * scale over code points")
{
    CHECK(canvas::text_width("") == 0);
    CHECK(canvas::text_width("", 3) == 0);
    CHECK(canvas::text_width("a") == 5);
    CHECK(canvas::text_width("abc") == 17);
    CHECK(canvas::text_width("abc", 2) == 34);
    CHECK(canvas::text_width("\xce\xb8x") == 11);
    CHECK(canvas::text_height(3) == 21);

    // The last lit column of "88" is the width minus one.
    canvas c(40, 10);
    c.text(0, 0, "88", black);
    std::size_t right = 0;
    for (std::size_t y = 0; y < 10; ++y)
        for (std::size_t x = 0; x < 40; ++x)
            if (c.at(x, y) == black) right = std::max(right, x);
    CHECK(right + 1 == static_cast<std::size_t>(canvas::text_width("88")));
}

TEST_CASE("ticks: step is the smallest 1, 2, 5 x 10^k >= range / target")
{
    CHECK(nice_step(1.0, 5) == doctest::Approx(0.2));
    CHECK(nice_step(37.0, 5) == doctest::Approx(10.0));
    CHECK(nice_step(100.0, 5) == doctest::Approx(20.0));
    CHECK(nice_step(10.0, 5) == doctest::Approx(2.0));
    CHECK(nice_step(0.0042, 5) == doctest::Approx(0.001));
    CHECK(nice_step(60000.0, 5) == doctest::Approx(20000.0));
    CHECK(nice_step(3.0, 5, 1.0) == doctest::Approx(1.0));  // integer axes never step below 1
    CHECK(nice_step(0.0, 5) == 1.0);
    CHECK(nice_step(nan_v, 5) == 1.0);

    check_ticks(nice_ticks(0.0, 1.0), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
    check_ticks(nice_ticks(1.0, 0.0), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
    check_ticks(nice_ticks(0.0, 37.0), {0.0, 10.0, 20.0, 30.0});
    check_ticks(nice_ticks(-3.7, 12.2), {0.0, 5.0, 10.0});
    check_ticks(nice_ticks(0.0, 3.0, 5, 1.0), {0.0, 1.0, 2.0, 3.0});
    check_ticks(nice_ticks(0.6, 1.0), {0.6, 0.7, 0.8, 0.9, 1.0});
    check_ticks(nice_ticks(-1.0, 1.0, 4), {-1.0, -0.5, 0.0, 0.5, 1.0});
    check_ticks(nice_ticks(2.5, 2.5), {2.5});
    CHECK(nice_ticks(nan_v, 1.0).empty());
    CHECK(nice_ticks(0.0, inf_v).empty());
    // No "-0" from rounding.
    for (double v : nice_ticks(-3.7, 12.2)) CHECK_FALSE((v == 0.0 && std::signbit(v)));

    const axis_ticks a = nice_range(0.0, 37.0);
    CHECK(a.lo == 0.0);
    CHECK(a.hi == doctest::Approx(40.0));
    CHECK(a.step == doctest::Approx(10.0));
    check_ticks(a.values, {0.0, 10.0, 20.0, 30.0, 40.0});
    const axis_ticks b = nice_range(12.3, 17.9);  // step 2 (5.6 / 5 = 1.12 -> 2)
    CHECK(b.lo == doctest::Approx(12.0));
    CHECK(b.hi == doctest::Approx(18.0));
    check_ticks(b.values, {12.0, 14.0, 16.0, 18.0});
}

TEST_CASE("ticks: labels carry the decimals the step needs")
{
    CHECK(format_tick(0.6000000000000001, 0.2) == "0.6");
    CHECK(format_tick(3 * 0.1, 0.1) == "0.3");
    CHECK(format_tick(0.25, 0.05) == "0.25");
    CHECK(format_tick(-0.0, 1.0) == "0");
    CHECK(format_tick(1e-17, 0.2) == "0.0");
    CHECK(format_tick(20000.0, 10000.0) == "20000");
    CHECK(format_tick(-5.0, 5.0) == "-5");
    CHECK(format_tick(2e-5, 1e-5) == "2e-05");
    CHECK(format_tick(1.2e8, 2e7) == "1.2e+08");
}

TEST_CASE("colormaps: end points, clamping, ordering")
{
    CHECK(colormap_hot(0.0) == black);
    CHECK(colormap_hot(1.0) == white);
    CHECK(colormap_hot(1.0 / 3.0) == red);
    CHECK(colormap_hot(2.0 / 3.0) == rgb{255, 255, 0});
    CHECK(colormap_hot(-4.0) == colormap_hot(0.0));
    CHECK(colormap_hot(9.0) == colormap_hot(1.0));
    CHECK(colormap_hot(nan_v) == colormap_hot(0.0));

    CHECK(colormap_viridis_like(0.0) == rgb{68, 1, 84});
    CHECK(colormap_viridis_like(1.0) == rgb{253, 231, 37});
    CHECK(colormap_viridis_like(2.0) == colormap_viridis_like(1.0));
    CHECK(colormap_viridis_like(nan_v) == colormap_viridis_like(0.0));
    // Perceptually ordered: lightness rises throughout; blue end to yellow end.
    auto luma = [](rgb c) { return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b; };
    for (int i = 0; i < 100; ++i)
        CHECK(luma(colormap_viridis_like(i / 100.0)) < luma(colormap_viridis_like((i + 1) / 100.0)));
    CHECK(colormap_viridis_like(0.1).b > colormap_viridis_like(0.1).g);
    CHECK(colormap_viridis_like(0.9).g > colormap_viridis_like(0.9).b);
}

TEST_CASE("histogram: bar heights are proportional to counts")
{
    const style st{};
    // Three bins over [0.5, 2.5]: counts 1, 2, 4 (the NaN is skipped).
    const std::vector<double> v{0.5, 1.5, 1.5, nan_v, 2.5, 2.5, 2.5, 2.5};
    const canvas c = histogram(v, 3, "t", "x");
    CHECK(c.width() == static_cast<std::size_t>(st.width));
    CHECK(c.height() == static_cast<std::size_t>(st.height));

    // Bar pixels per column, grouped into runs of neighbouring columns.
    std::vector<std::pair<std::size_t, std::size_t>> runs;  // (height, width)
    std::size_t prev = 0;
    for (std::size_t x = 0; x < c.width(); ++x) {
        std::size_t h = 0;
        for (std::size_t y = 0; y < c.height(); ++y) h += c.at(x, y) == st.bar;
        if (h > 0 && h == prev)
            ++runs.back().second;
        else if (h > 0)
            runs.emplace_back(h, 1);
        prev = h;
    }
    REQUIRE(runs.size() == 3);
    const double h1 = static_cast<double>(runs[0].first);
    CHECK(h1 > 50);
    CHECK(static_cast<double>(runs[1].first) == doctest::Approx(2 * h1).epsilon(0.02));
    CHECK(static_cast<double>(runs[2].first) == doctest::Approx(4 * h1).epsilon(0.02));
    CHECK(runs[0].second > 100);  // bins fill the axis width
    CHECK(runs[1].second + 2 >= runs[0].second);
    CHECK(runs[1].second <= runs[0].second + 2);
}

TEST_CASE("histogram: empty, non-finite and degenerate inputs")
{
    const style st{};
    CHECK(count(histogram({}, 10, "empty", "x"), st.bar) == 0);
    const std::vector<double> bad{nan_v, inf_v, -inf_v};
    CHECK(count(histogram(bad, 10, "bad", "x"), st.bar) == 0);
    const std::vector<double> same(20, 3.0);
    CHECK(count(histogram(same, 10, "same", "x"), st.bar) > 0);
    CHECK(count(histogram(same, 0, "auto bins", "x"), st.bar) > 0);
    const std::vector<double> extreme{-1e308, 1e308, 0.0};
    CHECK(count(histogram(extreme, 2, "extreme", "x"), st.bar) > 0);
    style tiny;
    tiny.width = 1;
    tiny.height = 1;
    const canvas t = histogram(same, 5, "a title far longer than the canvas is wide", "x", tiny);
    CHECK(t.width() >= 1);
}

TEST_CASE("line_chart: draws inside the plot, clips to a fixed y range")
{
    const rgb ink_a{1, 2, 3}, ink_b{4, 5, 6};
    series up{"", {0.0, 1.0}, {0.0, 1.0}, ink_a};
    const canvas c = line_chart({up}, "t", "x", "y");
    CHECK(count(c, ink_a) > 200);

    // Entirely above a fixed range: nothing drawn (unnamed, so no legend swatch).
    series high{"", {0.0, 1.0, 2.0}, {10.0, 20.0, 15.0}, ink_b};
    CHECK(count(line_chart({high}, "t", "x", "y", std::pair{0.0, 1.0}), ink_b) == 0);
    // A named series gets a legend swatch even when its data is clipped away.
    high.name = "high";
    CHECK(count(line_chart({high}, "t", "x", "y", std::pair{0.0, 1.0}), ink_b) > 0);

    // Crossing the fixed range: drawn, but never outside the plot area,
    // which the grid lines span from edge to edge.
    const style st{};
    series cross{"", {0.0, 1.0}, {-1e12, 1e12}, ink_a};
    const canvas k = line_chart({cross}, "t", "x", "y", std::pair{0.0, 1.0});
    std::size_t x0 = k.width(), x1 = 0, y0 = k.height(), y1 = 0;
    for (std::size_t y = 0; y < k.height(); ++y)
        for (std::size_t x = 0; x < k.width(); ++x)
            if (k.at(x, y) == st.grid) {
                x0 = std::min(x0, x);
                x1 = std::max(x1, x);
                y0 = std::min(y0, y);
                y1 = std::max(y1, y);
            }
    REQUIRE(x0 < x1);
    REQUIRE(y0 < y1);
    std::size_t inside = 0, outside = 0;
    for (std::size_t y = 0; y < k.height(); ++y)
        for (std::size_t x = 0; x < k.width(); ++x)
            if (k.at(x, y) == ink_a) ++(x >= x0 && x <= x1 && y >= y0 && y <= y1 ? inside : outside);
    CHECK(inside > 0);
    CHECK(outside == 0);
}

TEST_CASE("line_chart: empty, NaN, mismatched and degenerate series")
{
    const rgb ink{7, 8, 9};
    CHECK_NOTHROW(line_chart({}, "empty", "x", "y"));
    CHECK(count(line_chart({series{"", {nan_v, 1.0}, {2.0, inf_v}, ink}}, "nan", "x", "y"), ink) == 0);
    CHECK(count(line_chart({series{"", {0.0, 1.0, 2.0}, {5.0}, ink}}, "short y", "x", "y"), ink) > 0);
    CHECK(count(line_chart({series{"", {1.0}, {1.0}, ink}}, "one point", "x", "y"), ink) > 0);
    CHECK(count(line_chart({series{"", {0.0, 1.0, 2.0}, {4.0, 4.0, 4.0}}}, "flat", "x", "y"), rgb{31, 119, 180}) > 0);
    CHECK_NOTHROW(line_chart({series{"s", {0.0, 1.0}, {0.0, 1.0}, ink}}, "bad range", "x", "y", std::pair{1.0, 1.0}));
    CHECK_NOTHROW(line_chart({series{"s", {0.0, 1.0}, {0.0, 1.0}, ink}}, "nan range", "x", "y", std::pair{nan_v, 1.0}));
}

TEST_CASE("error_bar_chart: bars span y +- e in the series colour; scatter_chart draws markers, no lines")
{
    const rgb ink{11, 12, 13};
    const series s{"", {0.0, 1.0}, {0.0, 0.0}, ink};
    // The bars make the range: without them a flat series has no extent.
    const canvas plain = line_chart({s}, "t", "x", "y");
    const canvas bars = error_bar_chart({s}, {{1.0, 1.0}}, "t", "x", "y");
    CHECK(count(bars, ink) > count(plain, ink));
    std::size_t y0 = bars.height(), y1 = 0;
    for (std::size_t y = 0; y < bars.height(); ++y)
        for (std::size_t x = 0; x < bars.width(); ++x)
            if (bars.at(x, y) == ink) {
                y0 = std::min(y0, y);
                y1 = std::max(y1, y);
            }
    CHECK(y1 - y0 > bars.height() / 3);  // about the plot's full height: -1 .. 1
    // Missing, NaN and negative errors draw no bar.
    CHECK(count(error_bar_chart({s}, {{nan_v, -1.0}}, "t", "x", "y"), ink) == count(plain, ink));
    CHECK(count(error_bar_chart({s}, {}, "t", "x", "y"), ink) == count(plain, ink));

    // Two far-apart points: a line joins them, a scatter does not.
    const series two{"", {0.0, 10.0}, {0.0, 10.0}, ink};
    const auto line = count(line_chart({two}, "t", "x", "y"), ink), dots = count(scatter_chart({two}, "t", "x", "y"), ink);
    CHECK(dots > 0);
    CHECK(dots < line / 4);
    // Many points: markers on every one (a line chart drops them past 40).
    series many{"", {}, {}, ink};
    for (int i = 0; i < 100; ++i) {
        many.x.push_back(i);
        many.y.push_back(i % 7);
    }
    CHECK(count(scatter_chart({many}, "t", "x", "y"), ink) >= 100 * 9);
}

TEST_CASE("image_grid: near-square layout with 1-px separators")
{
    const grid_layout g = image_grid_layout(5, 2, 3, 1);
    CHECK(g.cols == 3);
    CHECK(g.rows == 2);
    CHECK(g.width() == 3 * (2 + 1) + 1);
    CHECK(g.height() == 2 * (3 + 1) + 1);
    CHECK(g.tile_x(4) == 1 + 1 * 3);
    CHECK(g.tile_y(4) == 1 + 1 * 4);
    CHECK(image_grid_layout(6400, 28, 28, 1).cols == 80);
    CHECK(image_grid_layout(6400, 28, 28, 1).width() == 80 * 29 + 1);
    CHECK(image_grid_layout(100, 28, 28, 3).cols == 10);
    CHECK(image_grid_layout(101, 28, 28, 3).cols == 11);
    CHECK(image_grid_layout(101, 28, 28, 3).rows == 10);
    CHECK(image_grid_layout(1, 28, 28, 1).cols == 1);

    // 5 tiles of 2 wide x 3 high, row-major; tile 4 peaks at (x 1, y 1).
    std::vector<float> t(5 * 6, 0.0f);
    t[4 * 6 + 1 * 2 + 1] = 0.5f;
    const canvas c = image_grid(t, 5, 2, 3, 1, colormap_hot, tile_scale::per_tile);
    CHECK(c.width() == 10);
    CHECK(c.height() == 9);
    CHECK(c.at(5, 6) == white);  // tile 4 at (4, 5), pixel (1, 1) of it
    CHECK(count(c, white) == 1);
    CHECK(count(c, black) == 5 * 6 - 1);
    const rgb sep = c.at(0, 0);
    CHECK(sep != black);
    CHECK(c.at(3, 5) == sep);  // vertical separator between tiles 3 and 4
    CHECK(c.at(5, 4) == sep);  // horizontal separator above tile 4
    CHECK(c.at(7, 5) == sep);  // the sixth, unused cell

    // Zoom repeats each value as a zoom x zoom block.
    const canvas z = image_grid(t, 5, 2, 3, 2, colormap_hot);
    CHECK(z.width() == 3 * (4 + 1) + 1);
    const grid_layout gz = image_grid_layout(5, 2, 3, 2);
    const std::size_t zx = gz.tile_x(4) + 2, zy = gz.tile_y(4) + 2;
    CHECK(z.at(zx, zy) == white);
    CHECK(z.at(zx + 1, zy + 1) == white);
    CHECK(count(z, white) == 4);
}

TEST_CASE("image_grid: per-tile versus global scaling, bad values")
{
    // Tile 0 peaks at 1.0, tile 1 at 0.5 (pixel 0 of each 1x1 tile).
    const std::vector<float> t{1.0f, 0.5f};
    const canvas per = image_grid(t, 2, 1, 1, 1, colormap_gray, tile_scale::per_tile);
    const canvas all = image_grid(t, 2, 1, 1, 1, colormap_gray, tile_scale::global);
    const grid_layout g = image_grid_layout(2, 1, 1, 1);
    CHECK(per.at(g.tile_x(1), g.tile_y(1)) == white);
    CHECK(all.at(g.tile_x(1), g.tile_y(1)) == colormap_gray(0.5));
    CHECK(all.at(g.tile_x(0), g.tile_y(0)) == white);

    // NaN and inf neither light up nor set the maximum; all-zero tiles are dark.
    const float fnan = std::numeric_limits<float>::quiet_NaN(), finf = std::numeric_limits<float>::infinity();
    const std::vector<float> bad{fnan, 0.25f, finf, 0.0f, 0.0f, 0.0f};
    const canvas b = image_grid(bad, 2, 3, 1, 1, colormap_gray);
    const grid_layout gb = image_grid_layout(2, 3, 1, 1);
    CHECK(b.at(gb.tile_x(0), gb.tile_y(0)) == black);
    CHECK(b.at(gb.tile_x(0) + 1, gb.tile_y(0)) == white);
    CHECK(b.at(gb.tile_x(0) + 2, gb.tile_y(0)) == black);
    CHECK(b.at(gb.tile_x(1), gb.tile_y(1)) == black);

    const canvas e = image_grid({}, 0, 28, 28, 0);
    CHECK(e.width() == 28 + 2);
    CHECK_THROWS_AS(image_grid(t, 3, 1, 1), std::invalid_argument);
    CHECK_THROWS_AS(image_grid(t, 1, 0, 1), std::invalid_argument);
}

TEST_CASE("heat_map: cells in row-major order, row 0 on top, missing cells grey")
{
    // A colormap that marks the extremes exactly.
    auto marks = [](double u) { return u <= 0.0 ? red : u >= 1.0 ? blue : green; };
    const style st{};
    const std::vector<double> v{0.0, 2.0, nan_v, 1.0, 5.0, 4.0};
    const canvas c = heat_map(v, 2, 3, "t", "row", "col", 10, marks);

    // The first red pixel in scan order is the top-left of cell (0, 0); the
    // colour bar's red row lies far lower.
    std::size_t rx = 0, ry = 0;
    bool found = false;
    for (std::size_t y = 0; y < c.height() && !found; ++y)
        for (std::size_t x = 0; x < c.width() && !found; ++x)
            if (c.at(x, y) == red) rx = x, ry = y, found = true;
    REQUIRE(found);
    auto cell = [&](std::size_t r, std::size_t k) { return c.at(rx + k * 10 + 5, ry + r * 10 + 5); };
    CHECK(cell(0, 0) == red);
    CHECK(cell(0, 1) == green);
    CHECK(cell(0, 2) == st.missing);
    CHECK(cell(1, 0) == green);
    CHECK(cell(1, 1) == blue);
    CHECK(cell(1, 2) == green);
    CHECK(c.at(rx + 9, ry + 9) == red);
    CHECK(c.at(rx + 10, ry + 10) == blue);
    CHECK(c.at(rx + 19, ry + 19) == blue);
    // One cell each plus one colour-bar row each.
    CHECK(count(c, red) == 100 + 16);
    CHECK(count(c, blue) == 100 + 16);
    CHECK(count(c, st.missing) == 100);
}

TEST_CASE("heat_map: empty, all-missing, constant and too-short inputs")
{
    const style st{};
    CHECK_NOTHROW(heat_map({}, 0, 0, "empty", "r", "c"));
    const std::vector<double> bad{nan_v, inf_v, -inf_v, nan_v};
    CHECK(count(heat_map(bad, 2, 2, "bad", "r", "c", 10), st.missing) == 400);
    const std::vector<double> same(6, 7.0);
    CHECK_NOTHROW(heat_map(same, 2, 3, "same", "r", "c", 0));
    CHECK_THROWS_AS(heat_map(same, 3, 3, "short", "r", "c"), std::invalid_argument);
    // Cells shrink to keep the picture a sane size.
    const std::vector<double> wide(2 * 5000, 1.0);
    const canvas w = heat_map(wide, 2, 5000, "wide", "r", "c", 100);
    CHECK(w.width() < 20000);
}

TEST_CASE("raster: time to the right, neuron 0 at the bottom, bad events skipped")
{
    const style st{};
    // Same number of spikes, so the subtitles match and only the marks differ.
    const std::vector<std::pair<double, std::uint32_t>> a{{10.0, 0}, {90.0, 1}}, b{{90.0, 0}, {10.0, 1}};
    const canvas ca = raster(a, 100.0, 2, "r"), cb = raster(b, 100.0, 2, "r");
    REQUIRE(ca.width() == cb.width());
    double left_y = 0, right_y = 0, left_n = 0, right_n = 0;
    for (std::size_t y = 0; y < ca.height(); ++y)
        for (std::size_t x = 0; x < ca.width(); ++x)
            if (ca.at(x, y) == st.ink && cb.at(x, y) != st.ink) {
                (x < ca.width() / 2 ? left_y : right_y) += static_cast<double>(y);
                (x < ca.width() / 2 ? left_n : right_n) += 1;
            }
    REQUIRE(left_n > 0);
    REQUIRE(right_n > 0);
    CHECK(left_y / left_n > right_y / right_n);  // the early spike is neuron 0: lower

    // Events outside the ranges draw nothing: identical to a raster without them
    // apart from the subtitle, which sits above the plot.
    std::vector<std::pair<double, std::uint32_t>> with_bad = a;
    with_bad.push_back({nan_v, 0});
    with_bad.push_back({-5.0, 1});
    with_bad.push_back({500.0, 0});
    with_bad.push_back({50.0, 7});
    const canvas cbad = raster(with_bad, 100.0, 2, "r");
    std::size_t differ_low = 0;
    for (std::size_t y = ca.height() / 4; y < ca.height(); ++y)
        for (std::size_t x = 0; x < ca.width(); ++x) differ_low += ca.at(x, y) != cbad.at(x, y);
    CHECK(differ_low == 0);

    CHECK_NOTHROW(raster({}, 0.0, 0, "empty"));
    CHECK_NOTHROW(raster(with_bad, nan_v, 0, "auto"));
    const std::vector<std::pair<double, std::uint32_t>> top{{1.0, 0xFFFFFFFFu}};
    CHECK_NOTHROW(raster(top, 2.0, 0, "max index"));
}

}  // TEST_SUITE
