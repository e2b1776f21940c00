// SPDX-License-Identifier: MIT
// Address events from event cameras (DVS, ATIS): one event per brightness
// change at a pixel, with its time and polarity. Summary statistics, the
// background-activity filter (an event is kept if a neighbouring pixel fired
// within a time window: Delbruck 2008; Orchard's FilterTD), accumulation into
// [T, 2, H, W] count frames, and an RGB strip of frames for a quick look.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/tensor.hpp"

namespace somnus {

/// One address event.
struct event {
    std::uint32_t t_us = 0;  ///< microseconds from the start of the recording
    std::uint16_t x = 0;     ///< column, 0 at the left
    std::uint16_t y = 0;     ///< row, 0 at the top
    bool on = false;         ///< true: the pixel got brighter (ON); false: darker (OFF)

    friend bool operator==(const event&, const event&) = default;
};

/// Pixel array of the sensor; N-MNIST's is 34 x 34.
struct sensor_size {
    std::uint16_t width = 34;
    std::uint16_t height = 34;

    std::size_t pixels() const { return std::size_t{width} * height; }
    bool contains(const event& e) const { return e.x < width && e.y < height; }
    friend bool operator==(const sensor_size&, const sensor_size&) = default;
};

/// Counts and time span of a recording.
struct event_stats {
    std::size_t events = 0, on = 0, off = 0;
    std::uint32_t first_us = 0, last_us = 0;  ///< 0 when there are no events

    std::uint32_t duration_us() const { return last_us - first_us; }
    /// ON / OFF, or 0 without OFF events.
    double on_off_ratio() const { return off ? double(on) / double(off) : 0.0; }
};

/// Events must be in time order (as read and as synthesised).
inline event_stats summarize(std::span<const event> events)
{
    event_stats s;
    s.events = events.size();
    for (const auto& e : events) s.on += e.on;
    s.off = s.events - s.on;
    if (!events.empty()) {
        s.first_us = events.front().t_us;
        s.last_us = events.back().t_us;
    }
    return s;
}

namespace detail {

inline void require_in_sensor(std::span<const event> events, sensor_size sensor, const char* who)
{
    for (std::size_t i = 0; i < events.size(); ++i)
        require(sensor.contains(events[i]), "{}: event {} at x={}, y={} is outside the {}x{} sensor", who, i,
                events[i].x, events[i].y, sensor.width, sensor.height);
}

inline void require_time_order(std::span<const event> events, const char* who)
{
    for (std::size_t i = 1; i < events.size(); ++i)
        require(events[i].t_us >= events[i - 1].t_us, "{}: events must be in time order; event {} at {} us follows {} us",
                who, i, events[i].t_us, events[i - 1].t_us);
}

} // namespace detail

/// Background-activity filter. Noise events are isolated in space and time;
/// events caused by a moving edge have neighbours that fired shortly before.
struct denoise_params {
    /// Support must come from one of the 8 neighbouring pixels within this
    /// many microseconds (10 ms: tonic's Denoise(filter_time=10000), the
    /// setting of its N-MNIST quick-start).
    std::uint32_t window_us = 10000;
    /// false: only earlier events support (causal, as Orchard's FilterTD and
    /// tonic's Denoise; the first event of an edge is dropped). true: later
    /// events within the window support too.
    bool two_sided = false;
};

/// The events with a neighbouring event (8-neighbourhood, the pixel itself
/// excluded) within p.window_us, in their original order. Events must be in
/// time order and on the sensor (config_error otherwise). Not tonic's
/// Denoise (4 neighbours, strict window, early events kept): that is
/// tonic_denoise in tonic.hpp.
inline std::vector<event> denoise(std::span<const event> events, sensor_size sensor, denoise_params p = {})
{
    detail::require_in_sensor(events, sensor, "denoise");
    detail::require_time_order(events, "denoise");
    const std::size_t w = sensor.width, h = sensor.height;
    std::vector<char> keep(events.size(), 0);
    // Time of the latest (or, backwards, earliest) event per pixel; -1: none yet.
    std::vector<std::int64_t> seen(w * h);
    const auto pass = [&](auto first, auto last, auto gap) {
        std::fill(seen.begin(), seen.end(), -1);
        for (auto it = first; it != last; ++it) {
            const event& e = events[*it];
            const std::size_t x0 = e.x ? e.x - 1u : 0u, x1 = std::min<std::size_t>(e.x + 1u, w - 1);
            const std::size_t y0 = e.y ? e.y - 1u : 0u, y1 = std::min<std::size_t>(e.y + 1u, h - 1);
            bool supported = false;
            for (std::size_t y = y0; y <= y1 && !supported; ++y)
                for (std::size_t x = x0; x <= x1; ++x) {
                    if (x == e.x && y == e.y) continue;
                    const std::int64_t t = seen[y * w + x];
                    if (t >= 0 && gap(e.t_us, t) <= p.window_us) {
                        supported = true;
                        break;
                    }
                }
            keep[*it] |= supported;
            seen[std::size_t{e.y} * w + e.x] = e.t_us;
        }
    };
    std::vector<std::size_t> order(events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    pass(order.begin(), order.end(), [](std::int64_t now, std::int64_t then) { return now - then; });
    if (p.two_sided) pass(order.rbegin(), order.rend(), [](std::int64_t now, std::int64_t then) { return then - now; });

    std::vector<event> out;
    out.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
        if (keep[i]) out.push_back(events[i]);
    return out;
}

/// How events are binned into frames.
struct frame_params {
    /// Width of each frame (1 ms in the N-MNIST experiments of Gupta et al. 2024).
    std::uint32_t window_us = 1000;
    /// Number of frames; 0: as many as it takes to hold the last event.
    std::size_t frames = 0;
    /// Time of the start of frame 0.
    std::uint32_t start_us = 0;
};

/// Event counts in frames [T, 2, height, width]: channel 0 counts OFF events,
/// channel 1 ON events (the polarity bit of the N-MNIST format, and the
/// channel order of tonic's ToFrame). Frame k holds the events with
/// start + k * window <= t < start + (k + 1) * window; events outside the T
/// frames are left out. Events must be on the sensor (config_error).
/// tonic's ToFrame (frames from the first event, whole windows only) is
/// tonic_to_frame in tonic.hpp.
inline xt::xtensor<float, 4> accumulate_frames(std::span<const event> events, sensor_size sensor, frame_params p = {})
{
    detail::require(p.window_us > 0, "accumulate_frames: window_us must be positive");
    detail::require_in_sensor(events, sensor, "accumulate_frames");
    std::size_t n = p.frames;
    if (n == 0) {
        std::uint32_t last = 0;
        bool any = false;
        for (const auto& e : events)
            if (e.t_us >= p.start_us) {
                last = std::max(last, e.t_us);
                any = true;
            }
        n = any ? (last - p.start_us) / p.window_us + 1 : 0;
    }
    xt::xtensor<float, 4> frames = xt::zeros<float>({n, std::size_t{2}, std::size_t{sensor.height}, std::size_t{sensor.width}});
    float* data = frames.data();
    const std::size_t plane = sensor.pixels();
    for (const auto& e : events) {
        if (e.t_us < p.start_us) continue;
        const std::size_t k = (e.t_us - p.start_us) / p.window_us;
        if (k >= n) continue;
        data[(2 * k + (e.on ? 1 : 0)) * plane + std::size_t{e.y} * sensor.width + e.x] += 1.0f;
    }
    return frames;
}

/// An 8-bit RGB picture, row-major, 3 bytes per pixel.
struct rgb_image {
    std::size_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels;
};

/// The frames side by side, each pixel zoom x zoom: ON counts in green, OFF
/// counts in magenta (both: white-ish), black where nothing happened, grey
/// 1-pixel separators. Brightness is count / (largest count in any frame),
/// so the frames can be compared with each other.
inline rgb_image render_frame_strip(const xt::xtensor<float, 4>& frames, std::size_t zoom = 4)
{
    const std::size_t n = frames.shape()[0], h = frames.shape()[2], w = frames.shape()[3];
    detail::require(frames.shape()[1] == 2, "render_frame_strip: frames must have 2 polarity channels, not {}",
                    frames.shape()[1]);
    zoom = std::max<std::size_t>(zoom, 1);
    const std::size_t tiles = std::max<std::size_t>(n, 1);
    rgb_image img;
    img.width = tiles * (w * zoom + 1) + 1;
    img.height = h * zoom + 2;
    img.pixels.assign(img.width * img.height * 3, 96);
    float top = 0.0f;
    for (const float v : frames) top = std::max(top, v);
    const auto level = [&](float v) {
        return static_cast<std::uint8_t>(top > 0.0f ? std::min(255.0f, 255.0f * v / top + 0.5f) : 0.0f);
    };
    for (std::size_t k = 0; k < tiles; ++k)
        for (std::size_t y = 0; y < h * zoom; ++y)
            for (std::size_t x = 0; x < w * zoom; ++x) {
                std::uint8_t off = 0, on = 0;
                if (k < n) {
                    off = level(frames(k, 0, y / zoom, x / zoom));
                    on = level(frames(k, 1, y / zoom, x / zoom));
                }
                std::uint8_t* px = &img.pixels[((1 + y) * img.width + 1 + k * (w * zoom + 1) + x) * 3];
                px[0] = off;
                px[1] = on;
                px[2] = off;
            }
    return img;
}

} // namespace somnus
