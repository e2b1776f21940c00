// SPDX-License-Identifier: MIT
// Bilinear resizing of 8-bit grayscale images exactly as PIL does it
// (Image.resize(size, Image.BILINEAR) on a mode "L" image, Pillow 9.4's
// libImaging/Resample.c), which is what torchvision's transforms.Resize does
// to a PIL image, e.g. Massey et al. 2026's Resize((15, 15)) of MNIST.
#pragma once

// Written here, not taken from a library, because the point is PIL's exact
// bytes, which no C++ image library reproduces. The algorithm, per axis of
// in source pixels resized to out:
//   scale = in / out; the filter is the triangle 1 - |x| on |x| < 1, widened
//   by max(scale, 1) (downscaling averages over the source pixels an output
//   pixel covers: antialiasing), so support = max(scale, 1);
//   output pixel o is centred at c = (o + 0.5) scale; it reads the source
//   pixels [lo, hi) with lo = max(0, int(c - support + 0.5)), hi = min(in,
//   int(c + support + 0.5)) (int(): truncation), source pixel s weighted by
//   triangle((s - c + 0.5) / max(scale, 1)), the weights divided by their sum;
//   each weight becomes a 22-bit fixed-point integer, round half away from 0
//   (PIL's PRECISION_BITS = 32 - 8 - 2).
// The image is resized horizontally first, into an 8-bit intermediate image
// holding only the source rows the vertical pass will read, then
// vertically; each output byte is (2^21 + sum of pixel * weight) >> 22,
// clipped to [0, 255]. An axis whose size does not change is not resampled
// (PIL skips that pass); the same size on both axes is a copy.
// The weights are computed in double as PIL computes them, term by term in
// its order; a fused multiply-add cannot change them (the origin is 0 and the
// fixed-point scaling is by a power of two), so the bytes do not depend on
// -ffp-contract. tests/data/test_resize.cpp checks them against PIL.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "mnist.hpp"

namespace somnus {

namespace detail {

/// PIL's fixed-point precision of resampling weights for 8-bit images.
inline constexpr int resample_precision_bits = 22;

/// The taps of one axis: output pixel o reads source pixels first[o] ..
/// first[o] + count[o] - 1 with the 22-bit weights weight[o * taps + k].
struct resample_axis {
    std::size_t in = 0, out = 0, taps = 0;
    std::vector<std::size_t> first, count;
    std::vector<std::int32_t> weight;
};

/// PIL's triangle filter (bilinear_filter in Resample.c).
inline double triangle_filter(double x)
{
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/// PIL's precompute_coeffs and normalize_coeffs_8bpc for the bilinear filter
/// over the whole axis (box 0 .. in).
inline resample_axis bilinear_axis(std::size_t in, std::size_t out)
{
    resample_axis a;
    a.in = in;
    a.out = out;
    // PIL: (double)(in1 - in0) / outSize with in0 = 0, in1 = in as floats
    // (exact for any size below 2^24, which resize_bilinear requires).
    const double scale = double(in) / double(out);
    const double filterscale = scale < 1.0 ? 1.0 : scale;
    const double support = 1.0 * filterscale;
    a.taps = static_cast<std::size_t>(std::ceil(support)) * 2 + 1;
    a.first.resize(out);
    a.count.resize(out);
    a.weight.assign(out * a.taps, 0);
    std::vector<double> k(a.taps);
    for (std::size_t o = 0; o < out; ++o) {
        const double center = 0.0 + (double(o) + 0.5) * scale;
        const double ss = 1.0 / filterscale;
        int lo = static_cast<int>(center - support + 0.5);
        if (lo < 0) lo = 0;
        int hi = static_cast<int>(center + support + 0.5);
        if (hi > static_cast<int>(in)) hi = static_cast<int>(in);
        const int n = hi - lo;
        double sum = 0.0;
        for (int x = 0; x < n; ++x) {
            const double w = triangle_filter((double(x + lo) - center + 0.5) * ss);
            k[static_cast<std::size_t>(x)] = w;
            sum += w;
        }
        for (int x = 0; x < n; ++x)
            if (sum != 0.0) k[static_cast<std::size_t>(x)] /= sum;
        a.first[o] = static_cast<std::size_t>(lo);
        a.count[o] = static_cast<std::size_t>(std::max(n, 0));
        for (int x = 0; x < n; ++x) {
            const double v = k[static_cast<std::size_t>(x)] * double(1 << resample_precision_bits);
            // Truncation toward zero after adding +-0.5: round half away from zero.
            a.weight[o * a.taps + static_cast<std::size_t>(x)] = static_cast<std::int32_t>(v < 0.0 ? v - 0.5 : v + 0.5);
        }
    }
    return a;
}

/// One output byte from a fixed-point sum: PIL's clip8 (an arithmetic shift,
/// then [0, 255]).
inline std::uint8_t clip_fixed_point(std::int64_t sum)
{
    const std::int64_t v = sum >> resample_precision_bits;
    return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

/// Both axes' taps for one resize, computed once for a whole data set.
struct bilinear_plan {
    std::size_t rows = 0, cols = 0, out_rows = 0, out_cols = 0;
    bool horizontal = false, vertical = false;
    resample_axis h, v;
    std::size_t row_first = 0, row_end = 0;  ///< source rows the vertical pass reads

    bilinear_plan(std::size_t rows_, std::size_t cols_, std::size_t out_rows_, std::size_t out_cols_)
        : rows(rows_), cols(cols_), out_rows(out_rows_), out_cols(out_cols_)
    {
        // Sizes up to 2^24 keep PIL's float box coordinates exact; the
        // fixed-point sums stay within 32 bits for any of them.
        constexpr std::size_t max_side = std::size_t{1} << 24;
        require(rows > 0 && cols > 0 && rows <= max_side && cols <= max_side,
                "resize_bilinear: source of {}x{} pixels (rows and cols must be in 1 .. 2^24)", rows, cols);
        require(out_rows > 0 && out_cols > 0 && out_rows <= max_side && out_cols <= max_side,
                "resize_bilinear: output of {}x{} pixels (out_rows and out_cols must be in 1 .. 2^24)", out_rows, out_cols);
        horizontal = out_cols != cols;
        vertical = out_rows != rows;
        h = bilinear_axis(cols, out_cols);
        v = bilinear_axis(rows, out_rows);
        row_first = v.first[0];
        row_end = v.first[out_rows - 1] + v.count[out_rows - 1];
    }

    /// Resizes one image (rows x cols bytes, row-major) into out
    /// (out_rows x out_cols); tmp is scratch.
    void run(const std::uint8_t* src, std::uint8_t* out, std::vector<std::uint8_t>& tmp) const
    {
        if (!horizontal && !vertical) {
            std::copy(src, src + rows * cols, out);
            return;
        }
        const std::uint8_t* mid = src;  // the image the vertical pass reads
        std::size_t mid_first = 0;      // its first row, in source rows
        const std::int64_t half = std::int64_t{1} << (resample_precision_bits - 1);
        if (horizontal) {
            // Only the rows the vertical pass needs (all of them when it is skipped).
            const std::size_t r0 = vertical ? row_first : 0, r1 = vertical ? row_end : rows;
            std::uint8_t* dst = vertical ? (tmp.resize((r1 - r0) * out_cols), tmp.data()) : out;
            for (std::size_t r = r0; r < r1; ++r) {
                const std::uint8_t* line = src + r * cols;
                for (std::size_t o = 0; o < out_cols; ++o) {
                    const std::int32_t* w = h.weight.data() + o * h.taps;
                    const std::uint8_t* p = line + h.first[o];
                    std::int64_t s = half;
                    for (std::size_t k = 0; k < h.count[o]; ++k) s += std::int64_t{p[k]} * w[k];
                    dst[(r - r0) * out_cols + o] = clip_fixed_point(s);
                }
            }
            if (!vertical) return;
            mid = dst;
            mid_first = r0;
        }
        const std::size_t width = horizontal ? out_cols : cols;
        for (std::size_t o = 0; o < out_rows; ++o) {
            const std::int32_t* w = v.weight.data() + o * v.taps;
            const std::uint8_t* base = mid + (v.first[o] - mid_first) * width;
            for (std::size_t c = 0; c < width; ++c) {
                std::int64_t s = half;
                for (std::size_t k = 0; k < v.count[o]; ++k) s += std::int64_t{base[k * width + c]} * w[k];
                out[o * width + c] = clip_fixed_point(s);
            }
        }
    }
};

} // namespace detail

/// One 8-bit grayscale image of rows x cols (row-major) resized to
/// out_rows x out_cols as PIL's Image.resize((out_cols, out_rows),
/// Image.BILINEAR) resizes it (see the top of the file), larger or smaller on
/// either axis. config_error naming the sizes if src does not hold rows x
/// cols bytes or a size is 0.
inline std::vector<std::uint8_t> resize_bilinear(std::span<const std::uint8_t> src, std::size_t rows, std::size_t cols,
                                                 std::size_t out_rows, std::size_t out_cols)
{
    const detail::bilinear_plan plan(rows, cols, out_rows, out_cols);
    detail::require(src.size() == rows * cols, "resize_bilinear: src holds {} bytes, a {}x{} image has {}", src.size(), rows, cols,
                    rows * cols);
    std::vector<std::uint8_t> out(out_rows * out_cols), tmp;
    plan.run(src.data(), out.data(), tmp);
    return out;
}

/// Every image of a data set resized by resize_bilinear (labels, source
/// paths and items_in_file kept), e.g. MNIST to Massey et al.'s 15 x 15.
/// Images are split over `threads` (0: all cores); the result does not depend
/// on the thread count.
inline image_dataset resize_dataset(const image_dataset& d, std::size_t out_rows, std::size_t out_cols, unsigned threads = 1)
{
    const detail::bilinear_plan plan(d.rows, d.cols, out_rows, out_cols);
    detail::require(d.pixels.size() == d.size() * d.rows * d.cols,
                    "resize_dataset: {} pixel bytes for {} images of {}x{}", d.pixels.size(), d.size(), d.rows, d.cols);
    image_dataset r;
    r.rows = out_rows;
    r.cols = out_cols;
    r.labels = d.labels;
    r.images_path = d.images_path;
    r.labels_path = d.labels_path;
    r.items_in_file = d.items_in_file;
    r.pixels.resize(d.size() * out_rows * out_cols);
    const std::size_t in_px = d.rows * d.cols, out_px = out_rows * out_cols;
    parallel_blocks(d.size(), threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<std::uint8_t> tmp;
        for (std::size_t i = begin; i < end; ++i) plan.run(d.pixels.data() + i * in_px, r.pixels.data() + i * out_px, tmp);
    });
    return r;
}

} // namespace somnus
