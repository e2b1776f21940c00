// SPDX-License-Identifier: MIT
// N-MNIST-style recordings synthesised from static images, after the way
// N-MNIST was recorded (Orchard et al. 2015, Front. Neurosci. 9:437): an ATIS
// on a pan-tilt unit makes three saccades along the sides of a triangle while
// it looks at the image. Here the image moves on a 34x34 sensor along a
// piecewise-linear path; each sensor pixel integrates the image over its
// area (bilinear weights of the four image pixels it overlaps), and emits an
// ON (OFF) event each time its log intensity rises (falls) by its contrast
// threshold since its last event: L(t) - L_ref = +C_on or -C_off. After an
// event the pixel is blind for the refractory period, then takes the log
// intensity of that moment as its new reference. Crossing times are solved
// exactly: along a straight move the bilinear intensity is a quadratic in
// time between grid-line crossings. Background-activity events are added as
// a Poisson process. Defaults and their sources: docs/nmnist.md.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "events.hpp"

namespace somnus {

struct saccade_params {
    sensor_size sensor{34, 34};
    /// Sensor position of the image's top-left corner when the path is at
    /// its first corner.
    float origin_x_px = 0.0f, origin_y_px = 0.0f;
    /// Corners of the triangle (image displacement in sensor pixels); the
    /// saccades go corner 0 -> 1 -> 2 -> 0. The author's stabilize.m (which
    /// removes the motion from N-MNIST) uses (0,0), (3.5,7), (7,0).
    std::array<std::array<float, 2>, 3> corners_px{{{0.0f, 0.0f}, {3.5f, 7.0f}, {7.0f, 0.0f}}};
    /// Duration of each saccade (stabilize.m: 105 ms).
    std::uint32_t saccade_us = 105000;
    /// Luminance of a 0-valued pixel as a fraction of a 255-valued one (the
    /// contrast of monitor, optics and sensor together). The only default
    /// calibrated against N-MNIST's events per sample (docs/nmnist.md).
    float black_level = 0.38f;
    /// Contrast thresholds in natural-log units (v2e's and ESIM's default 0.2;
    /// N-MNIST's ATIS biases put the ON and OFF thresholds symmetrically,
    /// TDbiasDiffOn 780 mV and TDbiasDiffOff 620 mV around TDbiasDiff 700 mV).
    float on_threshold = 0.2f, off_threshold = 0.2f;
    /// Pixel-to-pixel spread (standard deviation) of the thresholds, fixed per
    /// sensor pixel for a given seed (v2e's default 0.03), and their floor.
    float threshold_sigma = 0.03f, min_threshold = 0.01f;
    /// Dead time after each event (no published value for N-MNIST's ATIS).
    std::uint32_t refractory_us = 500;
    /// Background-activity events per pixel per second (v2e's leak-event
    /// default 0.1 Hz), and the fraction of them that are ON.
    float noise_rate_hz = 0.1f, noise_on_fraction = 0.5f;

    std::uint32_t duration_us() const { return 3 * saccade_us; }
};

/// A synthetic ATIS looking at static images through three saccades. The
/// per-pixel thresholds are drawn once from the seed (a sensor's fixed
/// pattern); the background activity of each recording from (seed, sample),
/// so any recording can be made on its own, on any thread, with the same
/// result.
class saccade_synthesizer {
public:
    saccade_synthesizer(saccade_params p, std::uint64_t seed) : p_(p), seed_(seed)
    {
        detail::require(p.sensor.width >= 1 && p.sensor.height >= 1, "saccade: empty sensor {}x{}", p.sensor.width,
                        p.sensor.height);
        detail::require(p.saccade_us >= 1 && p.saccade_us <= 100'000'000u, "saccade: saccade_us {} outside 1..1e8",
                        p.saccade_us);
        detail::require(p.black_level > 0.0f && p.black_level <= 1.0f, "saccade: black_level {} outside (0, 1]",
                        p.black_level);
        detail::require(p.min_threshold > 0.0f && std::isfinite(p.min_threshold),
                        "saccade: min_threshold {} must be positive", p.min_threshold);
        detail::require(p.on_threshold > 0.0f && p.off_threshold > 0.0f && std::isfinite(p.on_threshold) &&
                            std::isfinite(p.off_threshold),
                        "saccade: thresholds {} / {} must be positive", p.on_threshold, p.off_threshold);
        detail::require(p.threshold_sigma >= 0.0f && std::isfinite(p.threshold_sigma),
                        "saccade: threshold_sigma {} must be >= 0", p.threshold_sigma);
        detail::require(p.noise_rate_hz >= 0.0f && p.noise_rate_hz <= 1e6f, "saccade: noise_rate_hz {} outside 0..1e6",
                        p.noise_rate_hz);
        detail::require(p.noise_on_fraction >= 0.0f && p.noise_on_fraction <= 1.0f,
                        "saccade: noise_on_fraction {} outside 0..1", p.noise_on_fraction);
        for (const auto& c : p.corners_px)
            detail::require(std::isfinite(c[0]) && std::isfinite(c[1]) && std::abs(c[0]) < 1e4f && std::abs(c[1]) < 1e4f,
                            "saccade: corner ({}, {}) is not a finite displacement below 1e4 px", c[0], c[1]);
        detail::require(std::isfinite(p.origin_x_px) && std::isfinite(p.origin_y_px) && std::abs(p.origin_x_px) < 1e4f &&
                            std::abs(p.origin_y_px) < 1e4f,
                        "saccade: origin ({}, {}) is not finite below 1e4 px", p.origin_x_px, p.origin_y_px);
        random_stream r(seed, stream_purpose::synthesis, 0);
        const std::size_t n = p.sensor.pixels();
        on_.resize(n);
        off_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            on_[i] = std::max(double(p.min_threshold), double(p.on_threshold) + double(p.threshold_sigma) * r.normal());
            off_[i] = std::max(double(p.min_threshold), double(p.off_threshold) + double(p.threshold_sigma) * r.normal());
        }
    }

    const saccade_params& params() const { return p_; }

    /// The recording of one image (rows x cols bytes, 0 black .. 255 white),
    /// in time order; `sample` keys its background activity.
    std::vector<event> synthesize(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                                  std::uint64_t sample) const
    {
        std::vector<event> out;
        synthesize(image, rows, cols, sample, out);
        return out;
    }

    /// As above, into `out` (cleared first; its capacity is reused).
    void synthesize(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols, std::uint64_t sample,
                    std::vector<event>& out) const
    {
        detail::require(rows >= 1 && cols >= 1 && rows <= 4096 && cols <= 4096 && image.size() == rows * cols,
                        "saccade: image of {} bytes is not {} x {} (each 1..4096)", image.size(), rows, cols);
        out.clear();
        scene s(p_, image, rows, cols);
        const std::uint16_t w = p_.sensor.width, h = p_.sensor.height;
        for (std::uint16_t y = 0; y < h; ++y)
            for (std::uint16_t x = 0; x < w; ++x) pixel_events(s, x, y, out);
        add_noise(sample, out);
        std::sort(out.begin(), out.end(), [](const event& a, const event& b) {
            if (a.t_us != b.t_us) return a.t_us < b.t_us;
            if (a.y != b.y) return a.y < b.y;
            if (a.x != b.x) return a.x < b.x;
            return a.on < b.on;
        });
    }

private:
    /// Luminance of the image, black outside it.
    struct scene {
        scene(const saccade_params& p, std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols)
            : rows(rows), cols(cols), black(p.black_level), lum(image.size())
        {
            const double scale = (1.0 - black) / 255.0;
            for (std::size_t i = 0; i < image.size(); ++i) lum[i] = black + scale * image[i];
        }
        double at(std::int64_t col, std::int64_t row) const
        {
            if (col < 0 || row < 0 || col >= std::int64_t(cols) || row >= std::int64_t(rows)) return black;
            return lum[std::size_t(row) * cols + std::size_t(col)];
        }
        std::size_t rows, cols;
        double black;
        std::vector<double> lum;
    };

    /// Per-pixel detector state, carried across pieces and saccades.
    struct pixel_state {
        double ref = 0.0;         ///< log intensity at the last reset
        double blind_until = 0.0; ///< end of the refractory period (us)
        bool pending = false;     ///< the reference is taken when blind_until passes
    };

    void pixel_events(const scene& s, std::uint16_t x, std::uint16_t y, std::vector<event>& out) const
    {
        const std::size_t px = std::size_t{y} * p_.sensor.width + x;
        const double c_on = on_[px], c_off = off_[px];
        const double T = p_.saccade_us;
        pixel_state st;
        bool started = false;
        for (int k = 0; k < 3; ++k) {
            const auto& a = p_.corners_px[std::size_t(k)];
            const auto& b = p_.corners_px[std::size_t((k + 1) % 3)];
            // Image coordinates seen by the pixel: u(t) = u0 - vx t, v(t) = v0 - vy t.
            const double u0 = double(x) - p_.origin_x_px - a[0], v0 = double(y) - p_.origin_y_px - a[1];
            const double vx = (double(b[0]) - a[0]) / T, vy = (double(b[1]) - a[1]) / T;
            // Quick exit: the whole footprint of this saccade is outside the image.
            const double umin = std::min(u0, u0 - vx * T), umax = std::max(u0, u0 - vx * T);
            const double vmin = std::min(v0, v0 - vy * T), vmax = std::max(v0, v0 - vy * T);
            if (umax <= -1.0 || vmax <= -1.0 || umin >= double(s.cols) || vmin >= double(s.rows)) {
                // Black throughout: no events, but a pending reset still happens.
                if (!started || (st.pending && st.blind_until <= (k + 1) * T)) {
                    st.ref = std::log(s.black);
                    st.pending = false;
                    started = true;
                }
                continue;
            }
            // Times where u or v crosses a grid line cut the saccade into pieces.
            std::array<double, 64> cuts_small;
            std::vector<double> cuts_big;
            std::size_t n_cuts = 0;
            const auto add_cut = [&](double t) {
                if (!(t > 0.0 && t < T)) return;
                if (n_cuts < cuts_small.size())
                    cuts_small[n_cuts] = t;
                else {
                    if (cuts_big.empty()) cuts_big.assign(cuts_small.begin(), cuts_small.end());
                    cuts_big.push_back(t);
                }
                ++n_cuts;
            };
            const auto grid_cuts = [&](double c0, double vel) {
                if (vel == 0.0) return;
                const double c1 = c0 - vel * T;
                const double lo = std::min(c0, c1), hi = std::max(c0, c1);
                for (double g = std::floor(lo) + 1.0; g < hi; g += 1.0) add_cut((c0 - g) / vel);
            };
            grid_cuts(u0, vx);
            grid_cuts(v0, vy);
            double* cuts = n_cuts <= cuts_small.size() ? cuts_small.data() : cuts_big.data();
            std::sort(cuts, cuts + n_cuts);
            double ta = 0.0;
            for (std::size_t i = 0; i <= n_cuts; ++i) {
                const double tb = i < n_cuts ? cuts[i] : T;
                if (tb <= ta) continue;
                piece(s, u0, v0, vx, vy, ta, tb, k * T, c_on, c_off, x, y, st, started, out);
                ta = tb;
            }
        }
    }

    /// One stretch [ta, tb] of saccade k (local times; `base` = its start in
    /// the recording) over which the pixel overlaps the same four image pixels.
    void piece(const scene& s, double u0, double v0, double vx, double vy, double ta, double tb, double base,
               double c_on, double c_off, std::uint16_t x, std::uint16_t y, pixel_state& st, bool& started,
               std::vector<event>& out) const
    {
        const double tm = 0.5 * (ta + tb);
        const double um = u0 - vx * tm, vm = v0 - vy * tm;
        const auto i0 = static_cast<std::int64_t>(std::floor(um)), j0 = static_cast<std::int64_t>(std::floor(vm));
        const double l00 = s.at(i0, j0), l10 = s.at(i0 + 1, j0), l01 = s.at(i0, j0 + 1), l11 = s.at(i0 + 1, j0 + 1);
        // Fractions at the start of the piece, as linear functions of s = t - ta.
        const double A = (u0 - vx * ta) - double(i0), B = -vx;
        const double C = (v0 - vy * ta) - double(j0), D = -vy;
        const double al = l10 - l00, be = l01 - l00, ga = l11 - l10 - l01 + l00;
        // q(s) = q0 + q1 s + q2 s^2, the pixel's luminance.
        const double q0 = l00 + al * A + be * C + ga * A * C;
        const double q1 = al * B + be * D + ga * (A * D + B * C);
        const double q2 = ga * B * D;
        const auto q = [&](double t) { return q0 + (q1 + q2 * t) * t; };
        const double len = tb - ta;
        if (!started) {
            st.ref = std::log(std::max(q(0.0), 1e-12));
            started = true;
        }
        double now = std::max(0.0, st.blind_until - (base + ta));
        if (now > len) return;
        if (st.pending) {
            st.ref = std::log(std::max(q(now), 1e-12));
            st.pending = false;
        }
        if (q1 == 0.0 && q2 == 0.0) return;
        // Bounded only as a guard; a pixel crosses at most ln(1/black)/min_threshold levels per monotone stretch.
        for (int guard = 0; guard < 100000; ++guard) {
            const double hi = std::exp(st.ref + c_on), lo = std::exp(st.ref - c_off);
            const double t_hi = first_root(q0 - hi, q1, q2, now, len);
            const double t_lo = first_root(q0 - lo, q1, q2, now, len);
            const double t = std::min(t_hi, t_lo);
            if (!(t <= len)) return;
            const bool on = t_hi <= t_lo;
            const double abs_t = base + ta + t;
            event e;
            e.t_us = static_cast<std::uint32_t>(std::min(abs_t, double(p_.duration_us() - 1)));
            e.x = x;
            e.y = y;
            e.on = on;
            out.push_back(e);
            if (p_.refractory_us == 0) {
                st.ref += on ? c_on : -c_off;
                now = t;
                continue;
            }
            st.blind_until = abs_t + p_.refractory_us;
            now = t + p_.refractory_us;
            if (now > len) {
                st.pending = true;
                return;
            }
            st.ref = std::log(std::max(q(now), 1e-12));
        }
    }

    /// Smallest root of c + b s + a s^2 = 0 with now < s <= len, else +inf.
    static double first_root(double c, double b, double a, double now, double len)
    {
        constexpr double none = std::numeric_limits<double>::infinity();
        double r1 = none, r2 = none;
        // The quadratic term matters only when it moves q by more than rounding over the piece.
        if (std::abs(a) * len * len <= 1e-14 * (std::abs(b) * len + std::abs(c))) {
            if (b == 0.0) return none;
            r1 = -c / b;
        } else {
            const double disc = b * b - 4.0 * a * c;
            if (disc < 0.0) return none;
            const double sq = std::sqrt(disc);
            const double qq = -0.5 * (b + (b >= 0.0 ? sq : -sq));
            r1 = qq / a;
            r2 = qq != 0.0 ? c / qq : none;
            if (r2 < r1) std::swap(r1, r2);
        }
        if (r1 > now && r1 <= len) return r1;
        if (r2 > now && r2 <= len) return r2;
        return none;
    }

    void add_noise(std::uint64_t sample, std::vector<event>& out) const
    {
        const double rate_per_us = double(p_.noise_rate_hz) * double(p_.sensor.pixels()) * 1e-6;
        if (!(rate_per_us > 0.0)) return;
        random_stream r(seed_, stream_purpose::synthesis, 1, sample);
        const double end = p_.duration_us();
        for (double t = r.exponential(1.0 / rate_per_us); t < end; t += r.exponential(1.0 / rate_per_us)) {
            const auto px = r.below(p_.sensor.pixels());
            event e;
            e.t_us = static_cast<std::uint32_t>(t);
            e.x = static_cast<std::uint16_t>(px % p_.sensor.width);
            e.y = static_cast<std::uint16_t>(px / p_.sensor.width);
            e.on = r.bernoulli(p_.noise_on_fraction);
            out.push_back(e);
        }
    }

    saccade_params p_;
    std::uint64_t seed_;
    std::vector<double> on_, off_;  ///< per-pixel contrast thresholds
};

} // namespace somnus
