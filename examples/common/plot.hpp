// SPDX-License-Identifier: MIT
// Dependency-free raster plotting for the example programs: an 8-bit RGB
// canvas with clipped primitives and a built-in 5x7 font, two colormaps, a
// "nice number" tick rule, and chart helpers (histogram, line chart, image
// grid, heat map, spike raster) that each return a canvas ready for PNG.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace somnus::plot {

struct rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    friend bool operator==(const rgb&, const rgb&) = default;
};

namespace detail {

// Glyphs are drawn as text art so that a wrong pixel is visible in review;
// build_font() checks the art at compile time. g, p, q and y are drawn two
// rows lower (see glyph_drop) so their tails hang below the line instead of
// squeezing the letter into a look-alike of 9.
struct glyph_art {
    char c;
    std::array<const char*, 7> rows;
};

// clang-format off
inline constexpr glyph_art font_art[] = {
    {' ',  {".....", ".....", ".....", ".....", ".....", ".....", "....."}},
    {'!',  {"..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."}},
    {'"',  {".#.#.", ".#.#.", ".#.#.", ".....", ".....", ".....", "....."}},
    {'#',  {".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."}},
    {'$',  {"..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."}},
    {'%',  {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"}},
    {'&',  {".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"}},
    {'\'', {"..#..", "..#..", "..#..", ".....", ".....", ".....", "....."}},
    {'(',  {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."}},
    {')',  {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."}},
    {'*',  {".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."}},
    {'+',  {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."}},
    {',',  {".....", ".....", ".....", ".....", "..##.", "...#.", "..#.."}},
    {'-',  {".....", ".....", ".....", ".####", ".....", ".....", "....."}},
    {'.',  {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}},
    {'/',  {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."}},
    {'0',  {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1',  {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2',  {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3',  {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4',  {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5',  {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6',  {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7',  {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8',  {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9',  {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {':',  {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."}},
    {';',  {".....", ".##..", ".##..", ".....", ".##..", "..#..", ".#..."}},
    {'<',  {"...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."}},
    {'=',  {".....", ".....", "#####", ".....", "#####", ".....", "....."}},
    {'>',  {".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."}},
    {'?',  {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."}},
    {'@',  {".###.", "#...#", "....#", ".##.#", "#.#.#", "#.#.#", ".###."}},
    {'A',  {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'B',  {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."}},
    {'C',  {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
    {'D',  {"###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."}},
    {'E',  {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F',  {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'G',  {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"}},
    {'H',  {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'I',  {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'J',  {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'K',  {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'L',  {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}},
    {'M',  {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N',  {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"}},
    {'O',  {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'P',  {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'Q',  {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"}},
    {'R',  {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'S',  {".####", "#....", "#....", ".###.", "....#", "....#", "####."}},
    {'T',  {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'U',  {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'V',  {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'W',  {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."}},
    {'X',  {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y',  {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'Z',  {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"}},
    {'[',  {".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."}},
    {'\\', {".....", "#....", ".#...", "..#..", "...#.", "....#", "....."}},
    {']',  {".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."}},
    {'^',  {"..#..", ".#.#.", "#...#", ".....", ".....", ".....", "....."}},
    {'_',  {".....", ".....", ".....", ".....", ".....", ".....", "#####"}},
    {'`',  {".#...", "..#..", ".....", ".....", ".....", ".....", "....."}},
    {'a',  {".....", ".....", ".###.", "....#", ".####", "#...#", ".####"}},
    {'b',  {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."}},
    {'c',  {".....", ".....", ".###.", "#....", "#....", "#...#", ".###."}},
    {'d',  {"....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"}},
    {'e',  {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."}},
    {'f',  {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."}},
    {'g',  {".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
    {'h',  {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'i',  {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."}},
    {'j',  {"...#.", ".....", "..##.", "...#.", "...#.", "#..#.", ".##.."}},
    {'k',  {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."}},
    {'l',  {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'m',  {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"}},
    {'n',  {".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'o',  {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."}},
    {'p',  {"####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."}},
    {'q',  {".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"}},
    {'r',  {".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."}},
    {'s',  {".....", ".....", ".####", "#....", ".###.", "....#", "####."}},
    {'t',  {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."}},
    {'u',  {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"}},
    {'v',  {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'w',  {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."}},
    {'x',  {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"}},
    {'y',  {"#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
    {'z',  {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"}},
    {'{',  {"...#.", "..#..", "..#..", ".#...", "..#..", "..#..", "...#."}},
    {'|',  {"..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'}',  {".#...", "..#..", "..#..", "...#.", "..#..", "..#..", ".#..."}},
    {'~',  {".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."}},
};
// clang-format on

using glyph = std::array<std::uint8_t, 7>;  // bit 4 is the leftmost column

constexpr std::size_t font_first = 32, font_count = 95;

consteval std::array<glyph, font_count> build_font()
{
    static_assert(std::size(font_art) == font_count);
    std::array<glyph, font_count> out{};
    for (std::size_t i = 0; i < font_count; ++i) {
        if (static_cast<std::size_t>(font_art[i].c) != font_first + i) throw "font_art out of ASCII order";
        for (std::size_t r = 0; r < 7; ++r) {
            const char* row = font_art[i].rows[r];
            std::uint8_t bits = 0;
            for (std::size_t k = 0; k < 5; ++k) {
                if (row[k] != '.' && row[k] != '#') throw "glyph rows are five of '.' or '#'";
                bits = static_cast<std::uint8_t>((bits << 1) | (row[k] == '#' ? 1 : 0));
            }
            if (row[5] != '\0') throw "glyph rows are five characters";
            out[i][r] = bits;
        }
    }
    return out;
}

inline constexpr std::array<glyph, font_count> font = build_font();
inline constexpr glyph box_glyph{0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F};

constexpr const glyph& glyph_for(unsigned char b) noexcept
{
    return (b >= font_first && b < font_first + font_count) ? font[b - font_first] : box_glyph;
}

constexpr int glyph_drop(unsigned char b) noexcept { return b == 'g' || b == 'p' || b == 'q' || b == 'y' ? 2 : 0; }

// One glyph (hence one box) per UTF-8 code point, not per byte.
constexpr bool starts_code_point(unsigned char b) noexcept { return (b & 0xC0) != 0x80; }

constexpr int clamp_scale(int scale) noexcept { return std::clamp(scale, 1, 64); }

// Liang-Barsky. Works in double so far-off endpoints never reach integer
// rasterisation (a line to x = 1e12 would otherwise loop for hours).
inline bool clip_segment(double& x0, double& y0, double& x1, double& y1, double xmin, double ymin, double xmax,
                         double ymax) noexcept
{
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return false;
    const double dx = x1 - x0, dy = y1 - y0;
    double t0 = 0.0, t1 = 1.0;
    auto edge = [&](double p, double q) {
        if (p == 0.0) return q >= 0.0;
        const double r = q / p;
        if (p < 0.0) {
            if (r > t1) return false;
            t0 = std::max(t0, r);
        } else {
            if (r < t0) return false;
            t1 = std::min(t1, r);
        }
        return true;
    };
    if (!edge(-dx, x0 - xmin) || !edge(dx, xmax - x0) || !edge(-dy, y0 - ymin) || !edge(dy, ymax - y0)) return false;
    const double ax = x0 + t0 * dx, ay = y0 + t0 * dy, bx = x0 + t1 * dx, by = y0 + t1 * dy;
    x0 = ax;
    y0 = ay;
    x1 = bx;
    y1 = by;
    return true;
}

// Pixel coordinates from arbitrary doubles: NaN to 0, huge values clamped so
// the cast is defined; clipping then discards them.
inline int iround(double v) noexcept
{
    if (std::isnan(v)) return 0;
    return static_cast<int>(std::lround(std::clamp(v, -1e8, 1e8)));
}

}  // namespace detail

/// An RGB image, 8 bits per channel, rows top to bottom. Drawing is clipped
/// to the canvas (and to an optional clip rectangle), so callers may draw
/// anywhere. Coordinates are pixels, x to the right, y down.
class canvas {
public:
    static constexpr std::size_t max_side = std::size_t{1} << 15;
    static constexpr std::size_t max_pixels = std::size_t{1} << 28;

    canvas() = default;

    canvas(std::size_t width, std::size_t height, rgb background = {255, 255, 255})
    {
        if (width > max_side || height > max_side || width * height > max_pixels)
            throw std::length_error("somnus::plot::canvas: image too large");
        w_ = width;
        h_ = height;
        px_.resize(w_ * h_ * 3);
        fill(background);
        unclip();
    }

    std::size_t width() const noexcept { return w_; }
    std::size_t height() const noexcept { return h_; }
    std::span<const std::uint8_t> pixels() const noexcept { return px_; }

    rgb at(std::size_t x, std::size_t y) const
    {
        if (x >= w_ || y >= h_) throw std::out_of_range("somnus::plot::canvas::at");
        const std::uint8_t* p = &px_[(y * w_ + x) * 3];
        return {p[0], p[1], p[2]};
    }

    /// The whole canvas, ignoring the clip rectangle.
    void fill(rgb c) noexcept
    {
        for (std::size_t i = 0; i < px_.size(); i += 3) {
            px_[i] = c.r;
            px_[i + 1] = c.g;
            px_[i + 2] = c.b;
        }
    }

    /// Restricts drawing to [x, x+w) x [y, y+h) (intersected with the canvas).
    void clip(int x, int y, int w, int h) noexcept
    {
        cx0_ = std::clamp<long long>(x, 0, static_cast<long long>(w_));
        cy0_ = std::clamp<long long>(y, 0, static_cast<long long>(h_));
        cx1_ = std::clamp<long long>(static_cast<long long>(x) + std::max(w, 0), cx0_, static_cast<long long>(w_));
        cy1_ = std::clamp<long long>(static_cast<long long>(y) + std::max(h, 0), cy0_, static_cast<long long>(h_));
    }

    void unclip() noexcept
    {
        cx0_ = cy0_ = 0;
        cx1_ = static_cast<long long>(w_);
        cy1_ = static_cast<long long>(h_);
    }

    void set(int x, int y, rgb c) noexcept
    {
        if (x < cx0_ || y < cy0_ || x >= cx1_ || y >= cy1_) return;
        std::uint8_t* p = &px_[(static_cast<std::size_t>(y) * w_ + static_cast<std::size_t>(x)) * 3];
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
    }

    void fill_rect(int x, int y, int w, int h, rgb c) noexcept
    {
        if (w <= 0 || h <= 0) return;
        using ll = long long;
        const ll xa = std::max<ll>(x, cx0_), xb = std::min<ll>(static_cast<ll>(x) + w, cx1_);
        const ll ya = std::max<ll>(y, cy0_), yb = std::min<ll>(static_cast<ll>(y) + h, cy1_);
        for (ll yy = ya; yy < yb; ++yy) {
            std::uint8_t* p = &px_[(static_cast<std::size_t>(yy) * w_ + static_cast<std::size_t>(xa)) * 3];
            for (ll xx = xa; xx < xb; ++xx, p += 3) {
                p[0] = c.r;
                p[1] = c.g;
                p[2] = c.b;
            }
        }
    }

    /// One-pixel outline of the w x h box whose top-left pixel is (x, y).
    void rect(int x, int y, int w, int h, rgb c) noexcept
    {
        if (w <= 0 || h <= 0) return;
        fill_rect(x, y, w, 1, c);
        fill_rect(x, y + h - 1, w, 1, c);
        fill_rect(x, y, 1, h, c);
        fill_rect(x + w - 1, y, 1, h, c);
    }

    /// Bresenham from (x0, y0) to (x1, y1), both ends drawn. Thickness > 1
    /// stamps a square centred on each point.
    void line(int x0, int y0, int x1, int y1, rgb c, int thickness = 1) noexcept
    {
        const int t = detail::clamp_scale(thickness);
        const long long lo_x = cx0_ - t, lo_y = cy0_ - t, hi_x = cx1_ - 1 + t, hi_y = cy1_ - 1 + t;
        auto inside = [&](long long x, long long y) { return x >= lo_x && x <= hi_x && y >= lo_y && y <= hi_y; };
        if (!inside(x0, y0) || !inside(x1, y1)) {
            double ax = x0, ay = y0, bx = x1, by = y1;
            if (!detail::clip_segment(ax, ay, bx, by, static_cast<double>(lo_x), static_cast<double>(lo_y),
                                      static_cast<double>(hi_x), static_cast<double>(hi_y)))
                return;
            x0 = detail::iround(ax);
            y0 = detail::iround(ay);
            x1 = detail::iround(bx);
            y1 = detail::iround(by);
        }
        const int half = (t - 1) / 2;
        const long long dx = std::llabs(static_cast<long long>(x1) - x0);
        const long long dy = -std::llabs(static_cast<long long>(y1) - y0);
        const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        long long err = dx + dy;
        int x = x0, y = y0;
        for (;;) {
            if (t == 1)
                set(x, y, c);
            else
                fill_rect(x - half, y - half, t, t, c);
            if (x == x1 && y == y1) break;
            const long long e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y += sy;
            }
        }
    }

    /// Pixel width of s in the 5x7 font: 6 px per code point (5 + 1 gap)
    /// minus the trailing gap, times scale; 0 for an empty string.
    static int text_width(std::string_view s, int scale = 1) noexcept
    {
        long long n = 0;
        for (char ch : s) n += detail::starts_code_point(static_cast<unsigned char>(ch)) ? 1 : 0;
        if (n == 0) return 0;
        return static_cast<int>(std::min<long long>((6 * n - 1) * detail::clamp_scale(scale), 1LL << 30));
    }

    /// Cap height; the tails of g, p, q, y reach 2 * scale further down.
    static int text_height(int scale = 1) noexcept { return 7 * detail::clamp_scale(scale); }

    /// Left to right with the top-left of the first glyph at (x, y). ASCII
    /// 32..126 have glyphs; anything else draws a box.
    void text(int x, int y, std::string_view s, rgb c, int scale = 1) noexcept
    {
        const int sc = detail::clamp_scale(scale);
        long long cx = x;
        for (char ch : s) {
            const auto b = static_cast<unsigned char>(ch);
            if (!detail::starts_code_point(b)) continue;
            if (cx >= cx1_) break;
            if (cx + 5LL * sc > cx0_) draw_glyph(b, static_cast<int>(cx), y, sc, c, false, 0);
            cx += 6LL * sc;
        }
    }

    /// Rotated a quarter turn anticlockwise (reads bottom to top, as a y-axis
    /// label); (x, y) is the top-left of the text_height x text_width box.
    void text_up(int x, int y, std::string_view s, rgb c, int scale = 1) noexcept
    {
        const int sc = detail::clamp_scale(scale);
        const int w = text_width(s, sc);
        int offset = 0;
        for (char ch : s) {
            const auto b = static_cast<unsigned char>(ch);
            if (!detail::starts_code_point(b)) continue;
            draw_glyph(b, x, y + w, sc, c, true, offset);
            offset += 6 * sc;
        }
    }

private:
    void draw_glyph(unsigned char b, int x, int y, int sc, rgb c, bool up, int offset) noexcept
    {
        const detail::glyph& g = detail::glyph_for(b);
        const int drop = detail::glyph_drop(b);
        for (int r = 0; r < 7; ++r)
            for (int k = 0; k < 5; ++k) {
                if (!((g[static_cast<std::size_t>(r)] >> (4 - k)) & 1)) continue;
                if (up)
                    fill_rect(x + (r + drop) * sc, y - offset - (k + 1) * sc, sc, sc, c);
                else
                    fill_rect(x + k * sc, y + (r + drop) * sc, sc, sc, c);
            }
    }

    std::size_t w_ = 0, h_ = 0;
    std::vector<std::uint8_t> px_;
    long long cx0_ = 0, cy0_ = 0, cx1_ = 0, cy1_ = 0;  // clip rectangle, half-open
};

// ---------------------------------------------------------------- colormaps

using colormap = std::function<rgb(double)>;

namespace detail {
inline double clamp01(double t) noexcept { return std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0); }
inline std::uint8_t to_byte(double v) noexcept
{
    return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
}
}  // namespace detail

/// Black -> red -> yellow -> white; t is clamped to [0, 1] (NaN -> 0).
inline rgb colormap_hot(double t) noexcept
{
    t = detail::clamp01(t);
    return {detail::to_byte(3.0 * t), detail::to_byte(3.0 * t - 1.0), detail::to_byte(3.0 * t - 2.0)};
}

/// Dark blue-purple -> teal -> green -> yellow, linear between nine samples
/// of matplotlib's viridis; t is clamped to [0, 1] (NaN -> 0).
inline rgb colormap_viridis_like(double t) noexcept
{
    static constexpr std::array<rgb, 9> anchors{{{68, 1, 84},
                                                 {71, 45, 123},
                                                 {59, 82, 139},
                                                 {44, 114, 142},
                                                 {33, 145, 140},
                                                 {40, 174, 128},
                                                 {94, 201, 98},
                                                 {173, 220, 48},
                                                 {253, 231, 37}}};
    const double pos = detail::clamp01(t) * static_cast<double>(anchors.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(pos), anchors.size() - 2);
    const double f = pos - static_cast<double>(i);
    auto mix = [f](std::uint8_t a, std::uint8_t b) {
        return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * f));
    };
    const rgb a = anchors[i], b = anchors[i + 1];
    return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

/// Black -> white; t is clamped to [0, 1] (NaN -> 0).
inline rgb colormap_gray(double t) noexcept
{
    const std::uint8_t v = detail::to_byte(detail::clamp01(t));
    return {v, v, v};
}

// -------------------------------------------------------------------- ticks

/// The tick step for a range: the smallest of 1, 2, 5 x 10^k that is at
/// least range / target, and at least min_step (1 for count or index axes).
/// A range that is not positive and finite gives max(1, min_step).
inline double nice_step(double range, int target = 5, double min_step = 0.0) noexcept
{
    if (!(range > 0.0) || !std::isfinite(range)) return std::max(1.0, min_step);
    const double raw = range / std::max(1, target);
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10.0 * decade;
    for (double m : {1.0, 2.0, 5.0})
        if (m * decade >= raw * (1.0 - 1e-9)) {
            step = m * decade;
            break;
        }
    return std::max(step, min_step);
}

namespace detail {
// Ticks k * step for k in [k0, k1]; empty if absurdly many (only possible
// for ranges near the limits of double).
inline std::vector<double> multiples(double k0, double k1, double step)
{
    std::vector<double> out;
    if (!std::isfinite(k0) || !std::isfinite(k1) || k1 < k0 || k1 - k0 > 1000.0) return out;
    for (double k = k0; k <= k1; k += 1.0) {
        double v = k * step;
        if (std::abs(v) < step * 1e-9) v = 0.0;  // no "-0"
        out.push_back(v);
    }
    return out;
}
}  // namespace detail

/// Tick values for an axis that spans exactly [lo, hi]: every multiple of
/// nice_step(hi - lo, target, min_step) inside it (ends included within a
/// 1e-9 relative tolerance). lo == hi gives {lo}; non-finite ends give {}.
/// Examples: (0, 1) -> 0, 0.2, ..., 1; (0, 37) -> 0, 10, 20, 30.
inline std::vector<double> nice_ticks(double lo, double hi, int target = 5, double min_step = 0.0)
{
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (lo > hi) std::swap(lo, hi);
    if (lo == hi) return {lo};
    const double step = nice_step(hi - lo, target, min_step);
    return detail::multiples(std::ceil(lo / step - 1e-9), std::floor(hi / step + 1e-9), step);
}

struct axis_ticks {
    double lo = 0.0, hi = 1.0, step = 1.0;
    std::vector<double> values;
};

/// A "loose" axis: [lo, hi] widened outward to multiples of the step, so
/// both ends carry a tick. Example: (0, 37) -> [0, 40], ticks 0, 10, ..., 40.
inline axis_ticks nice_range(double lo, double hi, int target = 5, double min_step = 0.0)
{
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (lo > hi) std::swap(lo, hi);
    const double step = nice_step(hi - lo, target, min_step);
    const double k0 = std::floor(lo / step + 1e-9), k1 = std::ceil(hi / step - 1e-9);
    return {k0 * step, k1 * step, step, detail::multiples(k0, k1, step)};
}

/// Tick label: as many decimals as the step needs ("0.6", not
/// "0.6000000000000001"); exponent notation for very large or small steps.
inline std::string format_tick(double v, double step)
{
    if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    step = std::abs(step);
    if (!(step > 0.0) || !std::isfinite(step)) step = 1.0;
    if (std::abs(v) < step * 1e-9) v = 0.0;
    char buf[64];
    const double mag = std::abs(v);
    if (step >= 1e-4 && mag < 1e7 && step < 1e6) {
        const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    } else {
        const double top = std::floor(std::log10(std::max(mag, step)));
        const int digits = static_cast<int>(std::clamp(top - std::floor(std::log10(step)) + 1.0, 1.0, 15.0));
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    }
    return buf;
}

// ------------------------------------------------------------------- charts

/// Sizes and colours shared by the chart helpers; text scales multiply the
/// 5x7 font.
struct style {
    int width = 960;
    int height = 600;
    int title_scale = 2;
    int label_scale = 2;
    int tick_scale = 2;
    int pad = 12;
    int line_width = 2;
    rgb background{255, 255, 255};
    rgb ink{25, 25, 25};
    rgb muted{105, 105, 105};
    rgb grid{228, 228, 228};
    rgb bar{70, 130, 180};
    rgb missing{190, 190, 190};
};

struct series {
    std::string name;
    std::vector<double> x, y;
    rgb color{31, 119, 180};
};

/// How image_grid maps values to [0, 1]: each tile divided by its own
/// maximum, or all tiles by the largest value anywhere.
enum class tile_scale { per_tile, global };

namespace detail {

inline std::string fmt_g(double v, int digits = 4)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

// A range of zero (or rounding-noise) width is widened around its middle so
// that nothing downstream divides by zero.
inline std::pair<double, double> expand_degenerate(double lo, double hi) noexcept
{
    if (lo > hi) std::swap(lo, hi);
    if (hi - lo > 1e-9 * std::max(std::abs(lo), std::abs(hi))) return {lo, hi};
    const double mid = lo / 2 + hi / 2;
    const double half = mid == 0.0 ? 0.5 : std::abs(mid) * 0.05;
    return {mid - half, mid + half};
}

struct axis_request {
    double lo = 0.0, hi = 1.0;
    bool loose = false;     // widen to tick multiples
    double min_step = 0.0;  // 1 for counts and indices
    double margin = 0.0;    // > 0: ticks over [lo, hi], axis over [lo - margin, hi + margin]
};

inline axis_ticks make_axis(const axis_request& q, int target)
{
    if (q.margin > 0.0) {
        const double lo = std::min(q.lo, q.hi), hi = std::max(q.lo, q.hi);
        return {lo - q.margin, hi + q.margin, nice_step(hi - lo, target, q.min_step),
                nice_ticks(lo, hi, target, q.min_step)};
    }
    const auto [lo, hi] = expand_degenerate(q.lo, q.hi);
    if (q.loose) return nice_range(lo, hi, target, q.min_step);
    return {lo, hi, nice_step(hi - lo, target, q.min_step), nice_ticks(lo, hi, target, q.min_step)};
}

// About one tick per `spacing` pixels (0: a chart's default), fewer while
// the labels would crowd each other.
inline axis_ticks fit_axis(const axis_request& q, int length, int scale, bool horizontal, int spacing = 0)
{
    const int want = spacing > 0 ? std::clamp(length / spacing, 2, 100)
                                 : std::clamp(length / (horizontal ? 90 : 60), 2, horizontal ? 12 : 10);
    for (int target = want;; --target) {
        axis_ticks a = make_axis(q, target);
        if (target <= 2) return a;
        long long need = 0;
        for (double v : a.values)
            need += horizontal ? canvas::text_width(format_tick(v, a.step), scale) + 12 * clamp_scale(scale)
                               : 3 * canvas::text_height(scale);
        if (need <= length) return a;
    }
}

// Where v falls in [lo, hi] as a fraction. Halving first keeps differences
// of values near the limits of double finite.
inline double fraction(double v, double lo, double hi) noexcept { return (v / 2 - lo / 2) / (hi / 2 - lo / 2); }

// The data-to-pixel map of a chart's plot area; [x0, x1] x [y0, y1] are
// inclusive pixel bounds and data lo/hi land on them exactly.
struct frame {
    int x0 = 0, y0 = 0, x1 = 1, y1 = 1;
    double xlo = 0.0, xhi = 1.0, ylo = 0.0, yhi = 1.0;
    double fx(double x) const noexcept { return x0 + fraction(x, xlo, xhi) * (x1 - x0); }
    double fy(double y) const noexcept { return y1 - fraction(y, ylo, yhi) * (y1 - y0); }
    int w() const noexcept { return x1 - x0 + 1; }
    int h() const noexcept { return y1 - y0 + 1; }
};

constexpr int tick_len = 5;

// Shrinks a scale until the text fits the width, so long titles stay whole.
inline int fit_scale(std::string_view s, int scale, int width)
{
    scale = clamp_scale(scale);
    while (scale > 1 && canvas::text_width(s, scale) > width) --scale;
    return scale;
}

inline int header_height(const style& st, std::string_view title, std::string_view subtitle)
{
    int h = st.pad;
    if (!title.empty()) h += canvas::text_height(st.title_scale) + st.pad;
    if (!subtitle.empty()) h += canvas::text_height(st.tick_scale > 1 ? st.tick_scale - 1 : 1) + st.pad;
    return h;
}

inline void draw_header(canvas& c, const style& st, std::string_view title, std::string_view subtitle)
{
    const int w = static_cast<int>(c.width());
    int y = st.pad;
    if (!title.empty()) {
        const int sc = fit_scale(title, st.title_scale, w - 2 * st.pad);
        c.text((w - canvas::text_width(title, sc)) / 2, y, title, st.ink, sc);
        y += canvas::text_height(st.title_scale) + st.pad;
    }
    if (!subtitle.empty()) {
        const int sc = fit_scale(subtitle, st.tick_scale > 1 ? st.tick_scale - 1 : 1, w - 2 * st.pad);
        c.text((w - canvas::text_width(subtitle, sc)) / 2, y, subtitle, st.muted, sc);
    }
}

inline void draw_centered_message(canvas& c, const frame& f, const style& st, std::string_view msg)
{
    const int sc = clamp_scale(st.label_scale);
    c.text((f.x0 + f.x1 - canvas::text_width(msg, sc)) / 2, (f.y0 + f.y1 - canvas::text_height(sc)) / 2, msg,
           st.muted, sc);
}

struct chart_text {
    std::string_view title, subtitle, x_label, y_label;
};

// Lays out a fixed-size chart and draws everything but the data: header,
// grid, frame, ticks, tick labels, axis labels. bottom_extra reserves rows
// under the x label (the legend).
inline frame draw_chart(canvas& c, const style& st, const chart_text& t, const axis_request& xq,
                        const axis_request& yq, int bottom_extra = 0)
{
    const int W = static_cast<int>(c.width()), H = static_cast<int>(c.height());
    const int tk_h = canvas::text_height(st.tick_scale), lb_h = canvas::text_height(st.label_scale);
    const int top = header_height(st, t.title, t.subtitle);
    const int bottom = 1 + tick_len + 4 + tk_h + st.pad + (t.x_label.empty() ? 0 : lb_h + st.pad) + bottom_extra;

    const axis_ticks ya = fit_axis(yq, std::max(H - top - bottom, 20), st.tick_scale, false);
    int label_w = 0;
    for (double v : ya.values) label_w = std::max(label_w, canvas::text_width(format_tick(v, ya.step), st.tick_scale));
    const int left = st.pad + (t.y_label.empty() ? 0 : lb_h + st.pad) + label_w + 4 + tick_len + 1;
    const int right = st.pad + 3 * 6 * clamp_scale(st.tick_scale);

    frame f;
    f.x0 = left;
    f.y0 = top;
    f.x1 = std::max(W - right - 1, f.x0 + 10);
    f.y1 = std::max(H - bottom - 1, f.y0 + 10);
    axis_ticks xa = fit_axis(xq, f.w(), st.tick_scale, true);
    // The last x label is centred on its tick and may need more right margin.
    for (int pass = 0; pass < 3 && !xa.values.empty(); ++pass) {
        f.xlo = xa.lo;
        f.xhi = xa.hi;
        const int half = canvas::text_width(format_tick(xa.values.back(), xa.step), st.tick_scale) / 2;
        const int over = iround(f.fx(xa.values.back())) + half + st.pad / 2 - (W - 1);
        if (over <= 0 || f.x1 - over <= f.x0 + 10) break;
        f.x1 -= over;
        xa = fit_axis(xq, f.w(), st.tick_scale, true);
    }
    f.xlo = xa.lo;
    f.xhi = xa.hi;
    f.ylo = ya.lo;
    f.yhi = ya.hi;

    draw_header(c, st, t.title, t.subtitle);
    for (double v : xa.values) {
        const int x = iround(f.fx(v));
        c.fill_rect(x, f.y0, 1, f.h(), st.grid);
        c.fill_rect(x, f.y1 + 2, 1, tick_len, st.ink);
        const std::string s = format_tick(v, xa.step);
        c.text(x - canvas::text_width(s, st.tick_scale) / 2, f.y1 + 2 + tick_len + 3, s, st.ink, st.tick_scale);
    }
    for (double v : ya.values) {
        const int y = iround(f.fy(v));
        c.fill_rect(f.x0, y, f.w(), 1, st.grid);
        c.fill_rect(f.x0 - 1 - tick_len, y, tick_len, 1, st.ink);
        const std::string s = format_tick(v, ya.step);
        c.text(f.x0 - 1 - tick_len - 4 - canvas::text_width(s, st.tick_scale), y - tk_h / 2, s, st.ink,
               st.tick_scale);
    }
    c.rect(f.x0 - 1, f.y0 - 1, f.w() + 2, f.h() + 2, st.ink);
    if (!t.x_label.empty()) {
        const int sc = fit_scale(t.x_label, st.label_scale, W - 2 * st.pad);
        c.text((f.x0 + f.x1 - canvas::text_width(t.x_label, sc)) / 2, f.y1 + 2 + tick_len + 4 + tk_h + st.pad,
               t.x_label, st.ink, sc);
    }
    if (!t.y_label.empty()) {
        const int sc = fit_scale(t.y_label, st.label_scale, H - 2 * st.pad);
        c.text_up(st.pad, (f.y0 + f.y1 - canvas::text_width(t.y_label, sc)) / 2, t.y_label, st.ink, sc);
    }
    return f;
}

inline canvas chart_canvas(const style& st)
{
    return canvas(static_cast<std::size_t>(std::clamp(st.width, 200, 8192)),
                  static_cast<std::size_t>(std::clamp(st.height, 150, 8192)), st.background);
}

}  // namespace detail

/// Counts of the finite values in `bins` equal-width bins spanning
/// [min, max] (bins == 0: about sqrt(n)); bar height is proportional to the
/// count on a y axis from 0. NaN and infinities are skipped and reported in
/// the subtitle.
inline canvas histogram(std::span<const double> values, std::size_t bins, std::string_view title,
                        std::string_view x_label, const style& st = {})
{
    std::vector<double> v;
    v.reserve(values.size());
    for (double x : values)
        if (std::isfinite(x)) v.push_back(x);
    const std::size_t skipped = values.size() - v.size();
    if (bins == 0) bins = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(std::sqrt(v.size()))), 1, 100);
    bins = std::min<std::size_t>(bins, 1u << 16);

    double lo = 0.0, hi = 1.0, mean = 0.0, sd = 0.0;
    if (!v.empty()) {
        const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
        lo = *mn;
        hi = *mx;
        // Welford: no overflow or cancellation trouble for large inputs.
        double m2 = 0.0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double d = v[i] - mean;
            mean += d / static_cast<double>(i + 1);
            m2 += d * (v[i] - mean);
        }
        sd = v.size() > 1 ? std::sqrt(m2 / static_cast<double>(v.size() - 1)) : 0.0;
    }
    std::tie(lo, hi) = detail::expand_degenerate(lo, hi);

    std::vector<std::size_t> counts(bins, 0);
    for (double x : v) {
        const double pos = detail::fraction(x, lo, hi) * static_cast<double>(bins);
        const auto i = !(pos > 0.0)                       ? std::size_t{0}
                       : pos >= static_cast<double>(bins) ? bins - 1
                                                          : static_cast<std::size_t>(pos);
        ++counts[i];
    }
    const std::size_t max_count = v.empty() ? 0 : *std::max_element(counts.begin(), counts.end());

    std::string subtitle = "n = " + std::to_string(v.size());
    if (!v.empty())
        subtitle += ",  mean " + detail::fmt_g(mean) + ",  sd " + detail::fmt_g(sd) + ",  range [" +
                    detail::fmt_g(v.empty() ? 0.0 : *std::min_element(v.begin(), v.end())) + ", " +
                    detail::fmt_g(*std::max_element(v.begin(), v.end())) + "]";
    if (skipped) subtitle += ",  " + std::to_string(skipped) + " non-finite skipped";

    canvas c = detail::chart_canvas(st);
    const detail::frame f =
        detail::draw_chart(c, st, {title, subtitle, x_label, "count"}, {lo, hi},
                           {0.0, static_cast<double>(std::max<std::size_t>(max_count, 1)), true, 1.0});
    if (v.empty()) {
        detail::draw_centered_message(c, f, st, "no data");
        return c;
    }
    for (std::size_t i = 0; i < bins; ++i) {
        if (counts[i] == 0) continue;
        const double e0 = lo + (hi / 2 - lo / 2) * (2.0 * static_cast<double>(i) / static_cast<double>(bins));
        const double e1 = lo + (hi / 2 - lo / 2) * (2.0 * static_cast<double>(i + 1) / static_cast<double>(bins));
        const int xa = detail::iround(f.fx(e0));
        int xb = i + 1 == bins ? f.x1 : detail::iround(f.fx(e1)) - 1;
        if (xb - xa >= 3) --xb;  // a background gap between wide bars
        xb = std::max(xb, xa);
        const int h = detail::iround(static_cast<double>(counts[i]) / f.yhi * f.h());
        c.fill_rect(xa, f.y1 - h + 1, xb - xa + 1, h, st.bar);
    }
    return c;
}

/// One polyline per series over shared axes; non-finite points break the
/// line, points beyond min(x.size(), y.size()) are ignored. y_range fixes
/// the y axis (data outside is clipped); otherwise both axes widen to nice
/// tick multiples around the data. Named series get a legend below the plot.
namespace detail {

/// How xy_chart draws its series: joined by lines or as markers alone, with
/// or without error bars (errors[s][i]: the half-length at point i of series
/// s; missing, NaN or negative entries draw none).
struct xy_options {
    bool lines = true;
    const std::vector<std::vector<double>>* errors = nullptr;
};

inline double error_at(const xy_options& o, std::size_t s, std::size_t i)
{
    if (!o.errors || s >= o.errors->size() || i >= (*o.errors)[s].size()) return 0.0;
    const double e = (*o.errors)[s][i];
    return std::isfinite(e) && e > 0.0 ? e : 0.0;
}

inline canvas xy_chart(const std::vector<series>& data, const xy_options& opt, std::string_view title, std::string_view x_label,
                       std::string_view y_label, std::optional<std::pair<double, double>> y_range, const style& st)
{
    constexpr double inf = std::numeric_limits<double>::infinity();
    double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
    std::size_t points = 0;
    for (std::size_t si = 0; si < data.size(); ++si) {
        const series& s = data[si];
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                const double e = error_at(opt, si, i);
                xlo = std::min(xlo, s.x[i]);
                xhi = std::max(xhi, s.x[i]);
                ylo = std::min(ylo, s.y[i] - e);
                yhi = std::max(yhi, s.y[i] + e);
                ++points;
            }
    }
    if (points == 0) xlo = ylo = 0.0, xhi = yhi = 1.0;

    detail::axis_request yq{ylo, yhi, true};
    if (y_range && std::isfinite(y_range->first) && std::isfinite(y_range->second) &&
        y_range->first != y_range->second)
        yq = {std::min(y_range->first, y_range->second), std::max(y_range->first, y_range->second), false};

    canvas c = detail::chart_canvas(st);
    const int W = static_cast<int>(c.width());
    const int sc = st.tick_scale, th = canvas::text_height(sc), swatch = 6 * detail::clamp_scale(sc) * 3;

    // Legend entries flow left to right and wrap; measure first to reserve rows.
    struct placed {
        const series* s;
        int x, row;
    };
    std::vector<placed> legend;
    int rows = 0, x = st.pad;
    for (const series& s : data) {
        if (s.name.empty()) continue;
        const int w = swatch + th / 2 + canvas::text_width(s.name, sc);
        if (rows == 0 || (x + w > W - st.pad && x > st.pad)) {
            ++rows;
            x = st.pad;
        }
        legend.push_back({&s, x, rows - 1});
        x += w + 2 * th;
    }
    const int row_h = th + th / 2;
    const int legend_h = rows ? rows * row_h + st.pad + st.pad / 2 : 0;

    const detail::frame f = detail::draw_chart(c, st, {title, {}, x_label, y_label}, {xlo, xhi, true}, yq, legend_h);

    const int legend_y = static_cast<int>(c.height()) - legend_h + st.pad / 2;
    for (const placed& p : legend) {
        const int y = legend_y + p.row * row_h;
        c.fill_rect(p.x, y + th / 2 - st.line_width / 2, swatch, std::max(st.line_width, 1), p.s->color);
        c.text(p.x + swatch + th / 2, y, p.s->name, st.ink, sc);
    }
    if (points == 0) {
        detail::draw_centered_message(c, f, st, "no data");
        return c;
    }

    c.clip(f.x0, f.y0, f.w(), f.h());
    for (std::size_t si = 0; si < data.size(); ++si) {
        const series& s = data[si];
        const std::size_t n = std::min(s.x.size(), s.y.size());
        std::size_t finite = 0;
        for (std::size_t i = 0; i < n; ++i) finite += std::isfinite(s.x[i]) && std::isfinite(s.y[i]);
        bool have_prev = false;
        double px = 0.0, py = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
                have_prev = false;
                continue;
            }
            const double qx = f.fx(s.x[i]), qy = f.fy(s.y[i]);
            if (const double e = error_at(opt, si, i); e > 0.0) {
                const int x = detail::iround(qx), top = detail::iround(f.fy(s.y[i] + e)), bottom = detail::iround(f.fy(s.y[i] - e));
                const int cap = 3 + st.line_width;
                c.line(x, top, x, bottom, s.color, std::max(st.line_width / 2, 1));
                c.line(x - cap, top, x + cap, top, s.color, std::max(st.line_width / 2, 1));
                c.line(x - cap, bottom, x + cap, bottom, s.color, std::max(st.line_width / 2, 1));
            }
            if (have_prev && opt.lines) {
                double ax = px, ay = py, bx = qx, by = qy;
                if (detail::clip_segment(ax, ay, bx, by, f.x0 - 2.0, f.y0 - 2.0, f.x1 + 2.0, f.y1 + 2.0))
                    c.line(detail::iround(ax), detail::iround(ay), detail::iround(bx), detail::iround(by), s.color,
                           st.line_width);
            }
            // Markers only where they stay readable, and always for a lone point.
            if (finite <= 40 || !opt.lines) {
                const int m = 2 + st.line_width;
                c.fill_rect(detail::iround(qx) - m / 2, detail::iround(qy) - m / 2, m + 1, m + 1, s.color);
            }
            px = qx;
            py = qy;
            have_prev = true;
        }
    }
    c.unclip();
    return c;
}

} // namespace detail

/// Series joined by lines (markers too, up to 40 points per series).
inline canvas line_chart(const std::vector<series>& data, std::string_view title, std::string_view x_label,
                         std::string_view y_label, std::optional<std::pair<double, double>> y_range = std::nullopt,
                         const style& st = {})
{
    return detail::xy_chart(data, {}, title, x_label, y_label, y_range, st);
}

/// A line chart with an error bar of half-length errors[s][i] at point i of
/// series s (e.g. one standard error of a mean over seeds); the y axis
/// spans the bars.
inline canvas error_bar_chart(const std::vector<series>& data, const std::vector<std::vector<double>>& errors,
                              std::string_view title, std::string_view x_label, std::string_view y_label,
                              std::optional<std::pair<double, double>> y_range = std::nullopt, const style& st = {})
{
    return detail::xy_chart(data, {true, &errors}, title, x_label, y_label, y_range, st);
}

/// Points only: one marker per (x, y), no lines.
inline canvas scatter_chart(const std::vector<series>& data, std::string_view title, std::string_view x_label,
                            std::string_view y_label, std::optional<std::pair<double, double>> y_range = std::nullopt,
                            const style& st = {})
{
    return detail::xy_chart(data, {false, nullptr}, title, x_label, y_label, y_range, st);
}

/// Where image_grid puts things: cols = ceil(sqrt(n)), rows = ceil(n / cols),
/// each cell (tile_w * zoom) x (tile_h * zoom) with 1-px separators around
/// and between cells. Tile k sits at column k % cols, row k / cols.
struct grid_layout {
    std::size_t cols = 1, rows = 1, cell_w = 0, cell_h = 0;
    std::size_t width() const noexcept { return cols * (cell_w + 1) + 1; }
    std::size_t height() const noexcept { return rows * (cell_h + 1) + 1; }
    std::size_t tile_x(std::size_t k) const noexcept { return 1 + (k % cols) * (cell_w + 1); }
    std::size_t tile_y(std::size_t k) const noexcept { return 1 + (k / cols) * (cell_h + 1); }
};

/// n == 0 lays out one empty cell; zoom 0 counts as 1.
inline grid_layout image_grid_layout(std::size_t n_tiles, std::size_t tile_w, std::size_t tile_h, std::size_t zoom)
{
    zoom = std::max<std::size_t>(zoom, 1);
    grid_layout g;
    g.cols = 1;
    while (g.cols * g.cols < n_tiles) ++g.cols;
    g.rows = n_tiles == 0 ? 1 : (n_tiles + g.cols - 1) / g.cols;
    g.cell_w = tile_w * zoom;
    g.cell_h = tile_h * zoom;
    return g;
}

/// n_tiles images of tile_h rows x tile_w columns, stored one after another
/// row-major, drawn as a near-square grid (see grid_layout) through `fn`.
/// A value v becomes fn(v / max) with max the tile's largest finite value
/// (per_tile) or the largest anywhere (global); max <= 0 and non-finite
/// values give fn(0). Unused cells and separators are grey.
inline canvas image_grid(std::span<const float> tiles, std::size_t n_tiles, std::size_t tile_w, std::size_t tile_h,
                         std::size_t zoom = 1, const colormap& fn = colormap_hot,
                         tile_scale scaling = tile_scale::per_tile)
{
    if (tile_w == 0 || tile_h == 0) throw std::invalid_argument("somnus::plot::image_grid: empty tile size");
    const std::size_t tile_n = tile_w * tile_h;
    if (n_tiles > tiles.size() / tile_n)
        throw std::invalid_argument("somnus::plot::image_grid: " + std::to_string(tiles.size()) +
                                    " values cannot hold " + std::to_string(n_tiles) + " tiles of " +
                                    std::to_string(tile_w) + "x" + std::to_string(tile_h));
    zoom = std::max<std::size_t>(zoom, 1);
    const grid_layout g = image_grid_layout(n_tiles, tile_w, tile_h, zoom);
    canvas c(g.width(), g.height(), {96, 96, 96});

    auto tile_max = [&](std::size_t k0, std::size_t k1) {
        float m = 0.0f;
        for (std::size_t i = k0 * tile_n; i < k1 * tile_n; ++i)
            if (std::isfinite(tiles[i])) m = std::max(m, tiles[i]);
        return m;
    };
    const float global_max = scaling == tile_scale::global ? tile_max(0, n_tiles) : 0.0f;
    std::vector<rgb> row(g.cell_w);
    for (std::size_t k = 0; k < n_tiles; ++k) {
        const float m = scaling == tile_scale::global ? global_max : tile_max(k, k + 1);
        const float* t = tiles.data() + k * tile_n;
        const int x0 = static_cast<int>(g.tile_x(k)), y0 = static_cast<int>(g.tile_y(k));
        for (std::size_t y = 0; y < tile_h; ++y) {
            for (std::size_t x = 0; x < tile_w; ++x) {
                const float v = t[y * tile_w + x];
                const double u = (m > 0.0f && std::isfinite(v)) ? static_cast<double>(v) / m : 0.0;
                const rgb col = fn(u);
                c.fill_rect(x0 + static_cast<int>(x * zoom), y0 + static_cast<int>(y * zoom), static_cast<int>(zoom),
                            static_cast<int>(zoom), col);
            }
        }
    }
    return c;
}

/// A rows x cols matrix (row-major, row 0 at the top) as cell_px squares
/// coloured by fn over [min, max] of the finite values, with a colour bar.
/// Non-finite cells are grey. Cells large enough show their value.
inline canvas heat_map(std::span<const double> values, std::size_t rows, std::size_t cols, std::string_view title,
                       std::string_view row_label, std::string_view col_label, std::size_t cell_px = 16,
                       const colormap& fn = colormap_viridis_like, const style& st = {})
{
    if (rows != 0 && cols > values.size() / rows)
        throw std::invalid_argument("somnus::plot::heat_map: " + std::to_string(values.size()) +
                                    " values cannot fill " + std::to_string(rows) + "x" + std::to_string(cols));
    // Shrink cells rather than build a picture nobody can open.
    constexpr std::size_t max_side = 16384;
    if (rows > max_side || cols > max_side)
        throw std::invalid_argument("somnus::plot::heat_map: more than 16384 rows or columns");
    cell_px = std::clamp<std::size_t>(cell_px, 1, 512);
    cell_px = std::min(cell_px, max_side / std::max<std::size_t>({rows, cols, 1}));
    const std::size_t n = rows * cols;
    constexpr double inf = std::numeric_limits<double>::infinity();
    double vlo = inf, vhi = -inf;
    bool integers = true;
    std::size_t missing = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = values[i];
        if (!std::isfinite(v)) {
            ++missing;
            continue;
        }
        vlo = std::min(vlo, v);
        vhi = std::max(vhi, v);
        integers = integers && v == std::round(v) && std::abs(v) < 1e6;
    }
    const bool any = missing < n;
    if (!any) vlo = 0.0, vhi = 1.0;
    const auto [clo, chi] = detail::expand_degenerate(vlo, vhi);

    const int cell = static_cast<int>(cell_px);
    const int tk_h = canvas::text_height(st.tick_scale), lb_h = canvas::text_height(st.label_scale);
    const int pw = static_cast<int>(std::max<std::size_t>(cols, 1) * cell_px);
    const int ph = static_cast<int>(std::max<std::size_t>(rows, 1) * cell_px);
    const int bar_h = std::max(ph, 160), bar_w = 16;

    // Index axes: integer ticks over [0, n-1], drawn at cell centres.
    const auto ra = detail::fit_axis({0.0, static_cast<double>(std::max<std::size_t>(rows, 1) - 1), false, 1.0, 0.5},
                                     ph, st.tick_scale, false, 3 * tk_h);
    const int col_spacing = canvas::text_width("00", st.tick_scale) + 12 * detail::clamp_scale(st.tick_scale);
    const auto ca = detail::fit_axis({0.0, static_cast<double>(std::max<std::size_t>(cols, 1) - 1), false, 1.0, 0.5},
                                     pw, st.tick_scale, true, col_spacing);
    const auto ba = detail::fit_axis({clo, chi}, bar_h, st.tick_scale, false);
    int row_w = 0, bar_lw = 0;
    for (double v : ra.values) row_w = std::max(row_w, canvas::text_width(format_tick(v, ra.step), st.tick_scale));
    for (double v : ba.values) bar_lw = std::max(bar_lw, canvas::text_width(format_tick(v, ba.step), st.tick_scale));

    std::string subtitle = std::to_string(rows) + " x " + std::to_string(cols);
    if (any) subtitle += ",  values " + detail::fmt_g(vlo) + " .. " + detail::fmt_g(vhi);
    if (missing) subtitle += ",  " + std::to_string(missing) + " non-finite (grey)";

    const int top = detail::header_height(st, title, subtitle);
    const int left = st.pad + (row_label.empty() ? 0 : lb_h + st.pad) + row_w + 4 + detail::tick_len + 1;
    const int bar_x = left + pw + 1 + 2 * st.pad;
    const int right_edge = bar_x + bar_w + 1 + detail::tick_len + 4 + bar_lw + st.pad;
    const int bottom = 1 + detail::tick_len + 4 + tk_h + st.pad + (col_label.empty() ? 0 : lb_h + st.pad);
    const int title_w =
        std::max(canvas::text_width(title, st.title_scale), canvas::text_width(subtitle, 1)) + 2 * st.pad;
    const int W = std::max({right_edge, title_w, 200});
    const int H = top + std::max(ph, bar_h) + bottom;
    canvas c(static_cast<std::size_t>(W), static_cast<std::size_t>(H), st.background);
    detail::draw_header(c, st, title, subtitle);

    // Values go in the cells only if every one of them fits.
    auto cell_text = [&](double v) { return integers ? detail::fmt_g(v, 7) : detail::fmt_g(v, 3); };
    int widest = 0;
    if (cell_px >= 16)
        for (std::size_t i = 0; i < n; ++i)
            if (std::isfinite(values[i])) widest = std::max(widest, canvas::text_width(cell_text(values[i]), 1));
    const int note_scale = cell_px < 16 || widest + 4 > cell ? 0 : (2 * widest + 6 <= cell && cell >= 24 ? 2 : 1);

    const int x0 = left, y0 = top;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < cols; ++k) {
            const double v = values[r * cols + k];
            const int x = x0 + static_cast<int>(k) * cell, y = y0 + static_cast<int>(r) * cell;
            if (!std::isfinite(v)) {
                c.fill_rect(x, y, cell, cell, st.missing);
                continue;
            }
            const rgb col = fn(detail::fraction(v, clo, chi));
            c.fill_rect(x, y, cell, cell, col);
            if (note_scale > 0) {
                // Dark text on light cells and vice versa (Rec. 601 luma).
                const double luma = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b;
                const std::string s = cell_text(v);
                const int sc = note_scale;
                c.text(x + (cell - canvas::text_width(s, sc)) / 2, y + (cell - canvas::text_height(sc)) / 2, s,
                       luma > 128 ? rgb{0, 0, 0} : rgb{255, 255, 255}, sc);
            }
        }
    if (n == 0) c.fill_rect(x0, y0, pw, ph, st.missing);
    c.rect(x0 - 1, y0 - 1, pw + 2, ph + 2, st.ink);

    for (double v : ra.values) {
        const int y = y0 + detail::iround(v * cell + cell / 2.0);
        c.fill_rect(x0 - 1 - detail::tick_len, y, detail::tick_len, 1, st.ink);
        const std::string s = format_tick(v, ra.step);
        c.text(x0 - 1 - detail::tick_len - 4 - canvas::text_width(s, st.tick_scale), y - tk_h / 2, s, st.ink,
               st.tick_scale);
    }
    for (double v : ca.values) {
        const int x = x0 + detail::iround(v * cell + cell / 2.0);
        c.fill_rect(x, y0 + ph + 1, 1, detail::tick_len, st.ink);
        const std::string s = format_tick(v, ca.step);
        c.text(x - canvas::text_width(s, st.tick_scale) / 2, y0 + ph + 1 + detail::tick_len + 3, s, st.ink,
               st.tick_scale);
    }
    if (!col_label.empty())
        c.text(x0 + (pw - canvas::text_width(col_label, st.label_scale)) / 2,
               y0 + ph + 1 + detail::tick_len + 4 + tk_h + st.pad, col_label, st.ink, st.label_scale);
    if (!row_label.empty())
        c.text_up(st.pad, y0 + (ph - canvas::text_width(row_label, st.label_scale)) / 2, row_label, st.ink,
                  st.label_scale);

    // Colour bar: top is the maximum.
    for (int y = 0; y < bar_h; ++y)
        c.fill_rect(bar_x, y0 + y, bar_w, 1, fn(1.0 - static_cast<double>(y) / std::max(bar_h - 1, 1)));
    c.rect(bar_x - 1, y0 - 1, bar_w + 2, bar_h + 2, st.ink);
    for (double v : ba.values) {
        const int y = y0 + detail::iround((1.0 - detail::fraction(v, clo, chi)) * (bar_h - 1));
        c.fill_rect(bar_x + bar_w + 1, y, detail::tick_len, 1, st.ink);
        c.text(bar_x + bar_w + 1 + detail::tick_len + 4, y - tk_h / 2, format_tick(v, ba.step), st.ink, st.tick_scale);
    }
    return c;
}

/// Spike raster: a mark per (time, neuron) event, time along x over
/// [0, t_max], neuron 0 at the bottom. Events outside the ranges or with
/// non-finite time are skipped (and counted in the subtitle). t_max <= 0
/// or non-finite uses the latest event; n_neurons == 0 uses the largest
/// neuron index + 1.
inline canvas raster(std::span<const std::pair<double, std::uint32_t>> events, double t_max, std::uint32_t n_neurons,
                     std::string_view title, std::string_view x_label = "time (ms)",
                     std::string_view y_label = "neuron", const style& st = {})
{
    if (!(t_max > 0.0) || !std::isfinite(t_max)) {
        t_max = 0.0;
        for (const auto& e : events)
            if (std::isfinite(e.first)) t_max = std::max(t_max, e.first);
        if (!(t_max > 0.0)) t_max = 1.0;
    }
    if (n_neurons == 0) {
        for (const auto& e : events) n_neurons = std::max(n_neurons, e.second);
        n_neurons = n_neurons == std::numeric_limits<std::uint32_t>::max() ? n_neurons : n_neurons + 1;
    }
    auto usable = [&](const std::pair<double, std::uint32_t>& e) {
        return std::isfinite(e.first) && e.first >= 0.0 && e.first <= t_max && e.second < n_neurons;
    };
    const auto shown = static_cast<std::size_t>(std::count_if(events.begin(), events.end(), usable));
    std::string subtitle = std::to_string(shown) + " spikes from " + std::to_string(n_neurons) + " neurons";
    if (shown != events.size()) subtitle += ",  " + std::to_string(events.size() - shown) + " outside range skipped";

    canvas c = detail::chart_canvas(st);
    const detail::frame f = detail::draw_chart(c, st, {title, subtitle, x_label, y_label}, {0.0, t_max},
                                               {0.0, static_cast<double>(n_neurons - 1), false, 1.0, 0.5});
    if (shown == 0) {
        detail::draw_centered_message(c, f, st, "no spikes");
        return c;
    }
    // Tall ticks when each neuron has rows to spare, single dots otherwise.
    const double band = static_cast<double>(f.h()) / n_neurons;
    const int half = band >= 3.0 ? static_cast<int>(band * 0.4) : 0;
    const int dot = band >= 2.0 && band < 3.0 ? 2 : 1;
    c.clip(f.x0, f.y0, f.w(), f.h());
    for (const auto& e : events) {
        if (!usable(e)) continue;
        const int x = detail::iround(f.fx(e.first)), y = detail::iround(f.fy(static_cast<double>(e.second)));
        c.fill_rect(x, y - half, dot, 2 * half + dot, st.ink);
    }
    c.unclip();
    return c;
}

}  // namespace somnus::plot
