// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/data/perturb.hpp>

using namespace somnus;

namespace {

double Phi(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }
double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }

/// Mean and variance of clamp(mu + sd Z, 0, 1), Z standard normal (the
/// clipped, not truncated, normal: the mass beyond each end sits on it).
struct moments {
    double mean, variance;
};
moments clipped_normal(double mu, double sd)
{
    const double a = (0.0 - mu) / sd, b = (1.0 - mu) / sd;
    const double inside = Phi(b) - Phi(a), above = 1.0 - Phi(b);
    // E[(mu + sd Z) 1{a<Z<b}] and E[(mu + sd Z)^2 1{a<Z<b}], with
    // int_a^b z phi = phi(a) - phi(b) and int_a^b z^2 phi = inside + a phi(a) - b phi(b).
    const double m1 = mu * inside + sd * (phi(a) - phi(b)) + above;
    const double m2 = (mu * mu) * inside + 2.0 * mu * sd * (phi(a) - phi(b)) +
                      sd * sd * (inside + a * phi(a) - b * phi(b)) + above;
    return {m1, m2 - m1 * m1};
}

image_dataset random_images(std::size_t n, std::size_t rows, std::size_t cols, std::uint64_t seed)
{
    image_dataset d;
    d.rows = rows;
    d.cols = cols;
    random_stream rng(seed, stream_purpose::user, 5);
    d.pixels.resize(n * rows * cols);
    for (auto& p : d.pixels) p = static_cast<std::uint8_t>(rng.below(256));
    for (std::size_t i = 0; i < n; ++i) d.labels.push_back(static_cast<std::uint8_t>(i % 10));
    d.items_in_file = n;
    return d;
}

/// out(y, x) = sum_{i, j} w_i w_j in(clamp(y + i), clamp(x + j)): the direct 2-D convolution.
std::vector<double> direct_blur(const std::vector<double>& in, std::size_t rows, std::size_t cols, double sigma)
{
    const auto w = gaussian_kernel(sigma);
    const auto r = static_cast<long>(w.size() / 2);
    std::vector<double> out(in.size(), 0.0);
    for (long y = 0; y < long(rows); ++y)
        for (long x = 0; x < long(cols); ++x) {
            double s = 0.0;
            for (long i = -r; i <= r; ++i)
                for (long j = -r; j <= r; ++j) {
                    const long yy = std::clamp(y + i, 0L, long(rows) - 1), xx = std::clamp(x + j, 0L, long(cols) - 1);
                    s += w[std::size_t(i + r)] * w[std::size_t(j + r)] * in[std::size_t(yy) * cols + std::size_t(xx)];
                }
            out[std::size_t(y) * cols + std::size_t(x)] = s;
        }
    return out;
}

} // namespace

TEST_SUITE("data") {

TEST_CASE("gaussian noise: moments on a mid-grey image match the clipped normal (variances .1 ... .9)")
{
    const std::size_t n = 512 * 512;
    const std::vector<std::uint8_t> grey(n, 128);
    std::vector<std::uint8_t> out(n);
    const double mu = 128.0 / 255.0;
    for (const double v : {0.1, 0.3, 0.5, 0.7, 0.9}) {
        CAPTURE(v);
        add_gaussian_noise(grey, out, v, 21, 0);
        double s = 0.0;
        std::size_t zeros = 0, full = 0;
        for (const auto p : out) {
            s += double(p) / 255.0;
            zeros += p == 0;
            full += p == 255;
        }
        const double m = s / double(n);
        double m2 = 0.0, m4 = 0.0;
        for (const auto p : out) {
            const double e = double(p) / 255.0 - m;
            m2 += e * e;
            m4 += e * e * e * e;
        }
        m2 /= double(n);
        m4 /= double(n);
        const auto expect = clipped_normal(mu, std::sqrt(v));
        // Clipping matters: the unclipped variance would be v.
        CHECK(expect.variance < 0.9 * v);
        // Five standard errors: sd / sqrt(n) for the mean, sqrt((m4 - m2^2) / n)
        // for the variance. Rounding to bytes moves the moments by far less
        // (|bias| < 1/510 only on the few values near the clip, variance + 1/(12 * 255^2)).
        CHECK(std::abs(m - expect.mean) < 5.0 * std::sqrt(expect.variance / double(n)));
        CHECK(std::abs(m2 - expect.variance) < 5.0 * std::sqrt((m4 - m2 * m2) / double(n)) + 2e-6);
        // Bytes 0 and 255 collect the clipped mass plus half a grey level each
        // (rounding to the nearest byte): P = Phi((0.5/255 - mu) / sd), 1 - Phi((254.5/255 - mu) / sd).
        const double p0 = Phi((0.5 / 255.0 - mu) / std::sqrt(v)), p255 = 1.0 - Phi((254.5 / 255.0 - mu) / std::sqrt(v));
        CHECK(std::abs(double(zeros) / double(n) - p0) < 5.0 * std::sqrt(p0 * (1 - p0) / double(n)));
        CHECK(std::abs(double(full) / double(n) - p255) < 5.0 * std::sqrt(p255 * (1 - p255) / double(n)));
    }
}

TEST_CASE("gaussian noise: where clipping is negligible, mean and variance are the unclipped ones")
{
    // v = 0.001 (sd 8 grey levels) around mid-grey: the clip is 16 sd away.
    const std::size_t n = 256 * 256;
    const std::vector<std::uint8_t> grey(n, 128);
    std::vector<std::uint8_t> out(n);
    const double v = 0.001;
    add_gaussian_noise(grey, out, v, 3, 9);
    double s = 0.0, s2 = 0.0;
    for (const auto p : out) {
        s += double(p) / 255.0;
        s2 += (double(p) / 255.0) * (double(p) / 255.0);
    }
    const double m = s / double(n), var = s2 / double(n) - m * m;
    CHECK(std::abs(m - 128.0 / 255.0) < 5.0 * std::sqrt(v / double(n)));
    // Rounding to a grid of step h = 1/255 adds h^2 / 12 (Sheppard's correction).
    const double expect = v + 1.0 / (12.0 * 255.0 * 255.0);
    CHECK(std::abs(var - expect) < 5.0 * v * std::sqrt(2.0 / double(n)));
}

TEST_CASE("gaussian noise: variance 0 is the identity; the rounding is to the nearest byte")
{
    auto d = random_images(3, 28, 28, 1);
    const auto same = add_gaussian_noise(d, 0.0, 5);
    CHECK(same.pixels == d.pixels);
    CHECK(same.labels == d.labels);
    CHECK(same.rows == 28);
    // In place on a span.
    std::vector<std::uint8_t> img(d.pixels.begin(), d.pixels.begin() + 784);
    const auto copy = img;
    add_gaussian_noise(img, img, 0.0, 1, 0);
    CHECK(img == copy);
    // Against a hand-written reference with the same stream.
    std::vector<std::uint8_t> out(784);
    add_gaussian_noise(copy, out, 0.2, 8, 4);
    random_stream rng(8, stream_purpose::image_noise, 4);
    for (std::size_t i = 0; i < 784; ++i) {
        const double y = std::clamp(double(copy[i]) / 255.0 + std::sqrt(0.2) * rng.normal(), 0.0, 1.0);
        REQUIRE(out[i] == static_cast<std::uint8_t>(std::floor(255.0 * y + 0.5)));
    }
}

TEST_CASE("gaussian noise: keyed per image, so threads and order do not matter")
{
    const auto d = random_images(37, 28, 28, 2);
    const auto one = add_gaussian_noise(d, 0.3, 77, 1);
    const auto three = add_gaussian_noise(d, 0.3, 77, 3);
    CHECK(one.pixels == three.pixels);
    CHECK(one.labels == d.labels);
    // Image i alone, with key i, in reverse order, is the same image.
    std::vector<std::uint8_t> out(784);
    for (std::size_t i = d.size(); i-- > 0;) {
        add_gaussian_noise(d.image(i), out, 0.3, 77, i);
        REQUIRE(std::equal(out.begin(), out.end(), one.image(i).begin()));
    }
    // Another seed, other noise; the same seed at another variance uses the
    // same normals, so on mid-grey every pixel moves at least as far.
    CHECK(add_gaussian_noise(d, 0.3, 78).pixels != one.pixels);
    const std::vector<std::uint8_t> grey(784, 128);
    std::vector<std::uint8_t> low(784), high(784);
    add_gaussian_noise(grey, low, 0.1, 5, 0);
    add_gaussian_noise(grey, high, 0.5, 5, 0);
    for (std::size_t i = 0; i < 784; ++i) REQUIRE(std::abs(int(high[i]) - 128) >= std::abs(int(low[i]) - 128));
}

TEST_CASE("gaussian kernel: sampled, truncated at ceil(truncate * sigma), normalised")
{
    CHECK(gaussian_kernel(0.0) == std::vector<double>{1.0});
    for (const double sigma : {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}) {
        CAPTURE(sigma);
        const auto w = gaussian_kernel(sigma);
        const auto r = static_cast<std::size_t>(std::ceil(3.0 * sigma));
        CHECK(w.size() == 2 * r + 1);
        double sum = 0.0;
        for (const double v : w) sum += v;
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-15));
        for (std::size_t k = 0; k < w.size(); ++k) CHECK(w[k] == w[w.size() - 1 - k]);
        CHECK(w[r + 1] / w[r] == doctest::Approx(std::exp(-1.0 / (2.0 * sigma * sigma))));
    }
    CHECK(gaussian_kernel(1.0, 2.0).size() == 5);  // MATLAB imgaussfilt's size for sigma 1
    CHECK(gaussian_kernel(0.5).size() == 5);       // ceil(1.5) = 2
}

TEST_CASE("gaussian blur: a delta gives the sampled normalised Gaussian")
{
    const std::size_t n = 25, c = 12;
    const double sigma = 1.5;
    std::vector<double> delta(n * n, 0.0), out(n * n);
    delta[c * n + c] = 1.0;
    gaussian_blur(delta, out, n, n, sigma);
    const int r = 5;  // ceil(3 * 1.5)
    double z = 0.0;
    for (int k = -r; k <= r; ++k) z += std::exp(-k * k / (2.0 * sigma * sigma));
    for (std::size_t y = 0; y < n; ++y)
        for (std::size_t x = 0; x < n; ++x) {
            const int dy = int(y) - int(c), dx = int(x) - int(c);
            const double expect = std::abs(dy) > r || std::abs(dx) > r
                                      ? 0.0
                                      : std::exp(-(dy * dy + dx * dx) / (2.0 * sigma * sigma)) / (z * z);
            REQUIRE(out[y * n + x] == doctest::Approx(expect).epsilon(1e-13).scale(1e-17));
        }
    // The byte version rounds 255 times it to the nearest byte.
    std::vector<std::uint8_t> bdelta(n * n, 0), bout(n * n);
    bdelta[c * n + c] = 255;
    gaussian_blur(bdelta, bout, n, n, sigma);
    for (std::size_t i = 0; i < n * n; ++i) REQUIRE(bout[i] == static_cast<std::uint8_t>(std::floor(255.0 * out[i] + 0.5)));
    CHECK(bout[c * n + c] == static_cast<std::uint8_t>(std::floor(255.0 / (z * z) + 0.5)));
}

TEST_CASE("gaussian blur: constant images stay constant, and sigma -> 0 is the identity")
{
    const std::vector<std::uint8_t> flat(28 * 28, 77);
    std::vector<std::uint8_t> out(28 * 28);
    for (const double sigma : {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 20.0}) {
        gaussian_blur(flat, out, 28, 28, sigma);
        CHECK(out == flat);
    }
    const auto d = random_images(1, 13, 17, 4);
    const std::vector<std::uint8_t> img(d.pixels.begin(), d.pixels.end());
    std::vector<std::uint8_t> b(img.size());
    gaussian_blur(img, b, 13, 17, 0.0);
    CHECK(b == img);
    // sigma 0.2: the nearest neighbours weigh exp(-12.5) = 3.7e-6, under half a grey level.
    gaussian_blur(img, b, 13, 17, 0.2);
    CHECK(b == img);
    std::vector<double> x(img.begin(), img.end()), y(x.size());
    double last = 1e300;
    for (const double sigma : {0.6, 0.4, 0.25, 0.1}) {
        gaussian_blur(x, y, 13, 17, sigma);
        double worst = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(y[i] - x[i]));
        CHECK(worst < last);
        last = worst;
    }
    CHECK(last < 1e-12);
}

TEST_CASE("gaussian blur: the separable passes equal the direct 2-D convolution on an awkward image")
{
    // 7 x 13, radius 7 at sigma 2.3: wider than the image is tall, so the
    // clamped border is used from both sides.
    const std::size_t rows = 7, cols = 13;
    random_stream rng(3, stream_purpose::user, 1);
    std::vector<double> in(rows * cols), out(rows * cols);
    for (auto& v : in) v = 255.0 * rng.uniform();
    for (const double sigma : {0.5, 1.1, 2.3, 4.0}) {
        CAPTURE(sigma);
        gaussian_blur(in, out, rows, cols, sigma);
        const auto direct = direct_blur(in, rows, cols, sigma);
        for (std::size_t i = 0; i < in.size(); ++i) REQUIRE(out[i] == doctest::Approx(direct[i]).epsilon(1e-13));
    }
    // In place gives the same values.
    auto inplace = in;
    gaussian_blur(inplace, inplace, rows, cols, 2.3);
    gaussian_blur(in, out, rows, cols, 2.3);
    CHECK(inplace == out);
    // Away from the border, the blur keeps the total intensity.
    std::vector<double> big(30 * 30, 0.0), bout(30 * 30);
    for (std::size_t y = 12; y < 18; ++y)
        for (std::size_t x = 11; x < 19; ++x) big[y * 30 + x] = double(y * x % 7);
    gaussian_blur(big, bout, 30, 30, 1.5);  // radius 5 < 11
    double s0 = 0.0, s1 = 0.0;
    for (std::size_t i = 0; i < big.size(); ++i) {
        s0 += big[i];
        s1 += bout[i];
    }
    CHECK(s1 == doctest::Approx(s0).epsilon(1e-13));
}

TEST_CASE("gaussian blur on an image set: each image blurred alike, whatever the thread count")
{
    const auto d = random_images(23, 28, 28, 6);
    const auto one = gaussian_blur(d, 1.5, 3.0, 1);
    const auto three = gaussian_blur(d, 1.5, 3.0, 3);
    CHECK(one.pixels == three.pixels);
    CHECK(one.labels == d.labels);
    std::vector<std::uint8_t> out(784);
    for (std::size_t i = 0; i < d.size(); ++i) {
        gaussian_blur(d.image(i), out, 28, 28, 1.5);
        REQUIRE(std::equal(out.begin(), out.end(), one.image(i).begin()));
    }
    CHECK(gaussian_blur(image_dataset{}, 2.0).size() == 0);
}

TEST_CASE("perturbations: bad parameters are refused by name")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::uint8_t> a(12), b(11);
    CHECK_THROWS_WITH_AS(add_gaussian_noise(a, a, -0.1, 0, 0), doctest::Contains("add_gaussian_noise: variance must be finite and >= 0"),
                         config_error);
    CHECK_THROWS_AS(add_gaussian_noise(a, a, nan, 0, 0), config_error);
    CHECK_THROWS_WITH_AS(add_gaussian_noise(a, b, 0.1, 0, 0), doctest::Contains("input of 12 pixels, output of 11"),
                         config_error);
    CHECK_THROWS_WITH_AS(gaussian_kernel(-1.0), doctest::Contains("gaussian_kernel: sigma_px must be finite and >= 0"),
                         config_error);
    CHECK_THROWS_WITH_AS(gaussian_kernel(1.0, 0.0), doctest::Contains("gaussian_kernel: truncate must be finite and > 0"),
                         config_error);
    CHECK_THROWS_AS(gaussian_blur(a, a, 3, 4, nan), config_error);
    CHECK_THROWS_WITH_AS(gaussian_blur(a, a, 3, 5, 1.0), doctest::Contains("gaussian_blur: input of 12 pixels for a 3x5 image"),
                         config_error);
    CHECK_THROWS_WITH_AS(gaussian_blur(a, b, 3, 4, 1.0), doctest::Contains("gaussian_blur: output of 11 pixels"), config_error);
    std::vector<double> x(4, 1.0);
    x[2] = nan;
    CHECK_THROWS_WITH_AS(gaussian_blur(x, x, 2, 2, 1.0), doctest::Contains("gaussian_blur: input pixel 2 is nan"),
                         config_error);
    auto d = random_images(2, 4, 4, 1);
    d.pixels.pop_back();
    CHECK_THROWS_WITH_AS(add_gaussian_noise(d, 0.1, 0), doctest::Contains("holds 31 pixels for 2 images of 4x4"), config_error);
}

}
