// SPDX-License-Identifier: MIT
// Image perturbations for robustness tests, after the Bazhenov lab's protocol
// (Tadros, Krishnan & Bazhenov 2019): additive Gaussian noise of variance v on
// images scaled to [0, 1], clipped to [0, 1]; and Gaussian blur of standard
// deviation sigma pixels, a separable, truncated and normalised kernel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "mnist.hpp"

namespace somnus {

// ---------------------------------------------------------------- noise ----

namespace detail {

/// A value in [0, 255] to the nearest byte, ties upward (floor(x + 0.5)).
inline std::uint8_t round_to_byte(double x)
{
    return static_cast<std::uint8_t>(std::floor(std::clamp(x, 0.0, 255.0) + 0.5));
}

inline void require_noise_variance(const char* who, double variance)
{
    detail::require(std::isfinite(variance) && variance >= 0.0, "{}: variance must be finite and >= 0, got {}", who,
                    variance);
}

} // namespace detail

/// Additive Gaussian noise on one image: every pixel p (0..255) becomes
/// round(255 * clamp(p / 255 + sqrt(variance) * z, 0, 1)), with z standard
/// normal, rounding to the nearest byte with ties upward, so variance 0 gives
/// the image back unchanged. z is drawn in pixel order from the stream
/// (seed, stream_purpose::image_noise, key); give each image its own key
/// (e.g. its index). The same standard normals serve every variance, so the
/// noise levels of one image differ only in scale (common random numbers:
/// smoother accuracy curves); change the seed for independent draws.
/// `in` and `out` may be the same span.
inline void add_gaussian_noise(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, double variance,
                               std::uint64_t seed, std::uint64_t key)
{
    detail::require_noise_variance("add_gaussian_noise", variance);
    detail::require(in.size() == out.size(), "add_gaussian_noise: input of {} pixels, output of {}", in.size(),
                    out.size());
    const double sd = std::sqrt(variance);
    random_stream rng(seed, stream_purpose::image_noise, key);
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double x = double(in[i]) / 255.0 + sd * rng.normal();
        out[i] = detail::round_to_byte(255.0 * std::clamp(x, 0.0, 1.0));
    }
}

/// The noise above on every image of a set, image i keyed by i: the result
/// does not depend on `threads` (0 = hardware threads). Labels, geometry and
/// provenance are copied.
inline image_dataset add_gaussian_noise(const image_dataset& d, double variance, std::uint64_t seed,
                                        unsigned threads = 1)
{
    detail::require_noise_variance("add_gaussian_noise", variance);
    detail::require(d.pixels.size() == d.size() * d.pixels_per_image(),
                    "add_gaussian_noise: image set holds {} pixels for {} images of {}x{}", d.pixels.size(), d.size(),
                    d.rows, d.cols);
    image_dataset out = d;
    const std::size_t px = d.pixels_per_image();
    parallel_blocks(d.size(), threads, [&](unsigned, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            add_gaussian_noise(d.image(i), std::span<std::uint8_t>(out.pixels).subspan(i * px, px), variance, seed, i);
    });
    return out;
}

// ----------------------------------------------------------------- blur ----

/// The sampled Gaussian of standard deviation sigma_px, truncated at radius
/// r = ceil(truncate * sigma_px) and normalised to sum 1: 2r + 1 weights,
/// w[r + k] proportional to exp(-k^2 / (2 sigma^2)). sigma_px = 0 gives {1}
/// (the identity). truncate = 3 keeps all but 0.27 % of the mass before
/// normalisation; MATLAB's imgaussfilt uses 2 (filter size 2 ceil(2 sigma) + 1).
inline std::vector<double> gaussian_kernel(double sigma_px, double truncate = 3.0)
{
    detail::require(std::isfinite(sigma_px) && sigma_px >= 0.0, "gaussian_kernel: sigma_px must be finite and >= 0, got {}",
                    sigma_px);
    detail::require(std::isfinite(truncate) && truncate > 0.0, "gaussian_kernel: truncate must be finite and > 0, got {}",
                    truncate);
    if (sigma_px == 0.0) return {1.0};
    const double radius = std::ceil(truncate * sigma_px);
    detail::require(radius <= 1.0e6, "gaussian_kernel: radius ceil({} * {}) is too large", truncate, sigma_px);
    const auto r = static_cast<std::ptrdiff_t>(radius);
    std::vector<double> w(static_cast<std::size_t>(2 * r + 1));
    double sum = 0.0;
    for (std::ptrdiff_t k = -r; k <= r; ++k) {
        const double v = std::exp(-double(k * k) / (2.0 * sigma_px * sigma_px));
        w[static_cast<std::size_t>(k + r)] = v;
        sum += v;
    }
    for (auto& v : w) v /= sum;
    return w;
}

namespace detail {

inline void require_blur_geometry(std::size_t in, std::size_t out, std::size_t rows, std::size_t cols)
{
    detail::require(rows > 0 && cols > 0, "gaussian_blur: image of {}x{} pixels", rows, cols);
    detail::require(in == rows * cols, "gaussian_blur: input of {} pixels for a {}x{} image", in, rows, cols);
    detail::require(out == rows * cols, "gaussian_blur: output of {} pixels for a {}x{} image", out, rows, cols);
}

/// Separable convolution with clamp-to-edge borders: rows first, then
/// columns, both in double. `tmp` holds the row pass (rows * cols).
template <class In, class Store>
void blur_separable(const In* in, std::size_t rows, std::size_t cols, const std::vector<double>& w,
                    std::vector<double>& tmp, Store&& store)
{
    const auto r = static_cast<std::ptrdiff_t>(w.size() / 2);
    const auto R = static_cast<std::ptrdiff_t>(rows), C = static_cast<std::ptrdiff_t>(cols);
    const auto at = [](std::ptrdiff_t i, std::ptrdiff_t n) { return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(i, 0, n - 1)); };
    tmp.assign(rows * cols, 0.0);
    for (std::ptrdiff_t y = 0; y < R; ++y)
        for (std::ptrdiff_t x = 0; x < C; ++x) {
            double s = 0.0;
            for (std::ptrdiff_t k = -r; k <= r; ++k)
                s += w[static_cast<std::size_t>(k + r)] * double(in[static_cast<std::size_t>(y) * cols + at(x + k, C)]);
            tmp[static_cast<std::size_t>(y) * cols + static_cast<std::size_t>(x)] = s;
        }
    for (std::ptrdiff_t y = 0; y < R; ++y)
        for (std::ptrdiff_t x = 0; x < C; ++x) {
            double s = 0.0;
            for (std::ptrdiff_t k = -r; k <= r; ++k)
                s += w[static_cast<std::size_t>(k + r)] * tmp[at(y + k, R) * cols + static_cast<std::size_t>(x)];
            store(static_cast<std::size_t>(y) * cols + static_cast<std::size_t>(x), s);
        }
}

} // namespace detail

/// Gaussian blur of a rows x cols image (row-major), kernel gaussian_kernel
/// (sigma_px, truncate) along rows and then along columns. Border rule: clamp
/// to edge (a pixel outside the image takes the value of the nearest edge
/// pixel), so a constant image stays constant, a non-black border is not
/// darkened as with zero padding, and the choice matches imgaussfilt's default
/// ('replicate'). This overload keeps the result in double (no rounding).
/// `in` and `out` may be the same span.
inline void gaussian_blur(std::span<const double> in, std::span<double> out, std::size_t rows, std::size_t cols,
                          double sigma_px, double truncate = 3.0)
{
    detail::require_blur_geometry(in.size(), out.size(), rows, cols);
    for (std::size_t i = 0; i < in.size(); ++i)
        detail::require(std::isfinite(in[i]), "gaussian_blur: input pixel {} is {}", i, in[i]);
    const auto w = gaussian_kernel(sigma_px, truncate);
    std::vector<double> tmp;
    detail::blur_separable(in.data(), rows, cols, w, tmp, [&](std::size_t i, double v) { out[i] = v; });
}

/// The same blur on bytes: computed in double, then rounded to the nearest
/// byte with ties upward (floor(v + 0.5), clamped to 0..255).
inline void gaussian_blur(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::size_t rows,
                          std::size_t cols, double sigma_px, double truncate = 3.0)
{
    detail::require_blur_geometry(in.size(), out.size(), rows, cols);
    const auto w = gaussian_kernel(sigma_px, truncate);
    std::vector<double> tmp;
    detail::blur_separable(in.data(), rows, cols, w, tmp,
                           [&](std::size_t i, double v) { out[i] = detail::round_to_byte(v); });
}

/// The byte blur on every image of a set (labels, geometry and provenance
/// copied); the result does not depend on `threads` (0 = hardware threads).
inline image_dataset gaussian_blur(const image_dataset& d, double sigma_px, double truncate = 3.0, unsigned threads = 1)
{
    detail::require(d.pixels.size() == d.size() * d.pixels_per_image(),
                    "gaussian_blur: image set holds {} pixels for {} images of {}x{}", d.pixels.size(), d.size(), d.rows,
                    d.cols);
    const auto w = gaussian_kernel(sigma_px, truncate);
    image_dataset out = d;
    if (d.size() == 0) return out;
    detail::require_blur_geometry(d.pixels_per_image(), d.pixels_per_image(), d.rows, d.cols);
    const std::size_t px = d.pixels_per_image();
    parallel_blocks(d.size(), threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<double> tmp;
        for (std::size_t i = begin; i < end; ++i) {
            std::uint8_t* o = out.pixels.data() + i * px;
            detail::blur_separable(d.pixels.data() + i * px, d.rows, d.cols, w, tmp,
                                   [&](std::size_t k, double v) { o[k] = detail::round_to_byte(v); });
        }
    });
    return out;
}

} // namespace somnus
