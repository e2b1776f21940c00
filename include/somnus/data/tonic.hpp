// SPDX-License-Identifier: MIT
// The input transforms of the Python library tonic (neuromorphs/tonic:
// Denoise in tonic/functional/denoise.py, ToFrame in tonic/transforms.py and
// tonic/functional/to_frame.py, SliceByTime in tonic/slicers.py), restated
// so that the N-MNIST input of snnTorch's tutorial 7 and of Gupta et al. 2024,
// Denoise(filter_time=10000) then ToFrame(sensor_size, time_window=1000), is
// reproduced event for event. They are not the library's own denoise and
// accumulate_frames (events.hpp); docs/nmnist.md lists the differences.
// Also a sparse form of frames, per-frame (flat index, count) lists, for the
// surrogate-gradient layers, built from either definition.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/tensor.hpp"
#include "events.hpp"

namespace somnus {

/// tonic's Denoise(filter_time). Each pixel remembers t + filter_time of its
/// latest event, starting at filter_time; an event is kept when one of its 4
/// neighbours (x +- 1, y) and (x, y +- 1) remembers a value greater than the
/// event's time, i.e. fired less than filter_time_us before it (strictly),
/// or never fired and t < filter_time_us. As in tonic:
/// - the memory is written for every event, kept or dropped, before the
///   neighbours are read; the event's own pixel is not a neighbour;
/// - the memory spans (max x + 1) x (max y + 1) of the events, not the sensor,
///   and neighbours outside it are not read. So every event earlier than
///   filter_time_us is kept, except when all events are at pixel (0, 0),
///   which has no neighbour in a 1 x 1 memory;
/// - events are taken in the order given; of two neighbours with the same
///   time, the later in the list is supported by the earlier, not the reverse;
/// - filter_time_us = 0 drops every event.
/// Kept events are returned in their order. Unlike tonic, events must be on
/// the sensor and in time order (config_error); tonic checks neither. Empty
/// input gives empty output (tonic's Denoise raises on an empty array).
inline std::vector<event> tonic_denoise(std::span<const event> events, sensor_size sensor,
                                        std::uint32_t filter_time_us = 10000)
{
    detail::require_in_sensor(events, sensor, "tonic_denoise");
    detail::require_time_order(events, "tonic_denoise");
    std::vector<event> kept;
    if (events.empty()) return kept;
    std::size_t w = 0, h = 0;
    for (const auto& e : events) {
        w = std::max<std::size_t>(w, e.x + 1u);
        h = std::max<std::size_t>(h, e.y + 1u);
    }
    // 64 bits: t + filter_time may pass 2^32.
    std::vector<std::uint64_t> memory(w * h, filter_time_us);
    kept.reserve(events.size());
    for (const auto& e : events) {
        const std::uint64_t t = e.t_us;
        const std::size_t x = e.x, y = e.y, i = y * w + x;
        memory[i] = t + filter_time_us;
        const bool supported = (x > 0 && memory[i - 1] > t) || (x + 1 < w && memory[i + 1] > t) ||
                               (y > 0 && memory[i - w] > t) || (y + 1 < h && memory[i + w] > t);
        if (supported) kept.push_back(e);
    }
    return kept;
}

/// The number of frames tonic's ToFrame(time_window) makes of a recording
/// whose first and last events are at first_us and last_us: SliceByTime with
/// its defaults (overlap 0, include_incomplete=False) takes
/// max(floor((duration - window) / window) + 1, 1), duration = last - first,
/// which for whole microseconds is max(duration / window, 1). Only whole
/// windows are made, so the events of the last partial window, and always
/// those at last_us unless the recording is shorter than one window, are
/// left out. Example: 654 .. 311 175 us with 1 000 us windows gives 310.
inline std::size_t tonic_frame_count(std::uint32_t first_us, std::uint32_t last_us, std::uint32_t time_window_us = 1000)
{
    detail::require(time_window_us > 0, "tonic_frame_count: time_window_us must be positive");
    detail::require(last_us >= first_us, "tonic_frame_count: last_us {} is before first_us {}", last_us, first_us);
    return std::max<std::size_t>((last_us - first_us) / time_window_us, 1);
}

namespace detail {

/// Checks shared by the tonic framing functions; the frame index of event e
/// is (e.t_us - events.front().t_us) / window, kept when below the count.
inline std::size_t tonic_frames_of(std::span<const event> events, sensor_size sensor, std::uint32_t time_window_us,
                                   const char* who)
{
    require(time_window_us > 0, "{}: time_window_us must be positive", who);
    require_in_sensor(events, sensor, who);
    require_time_order(events, who);
    if (events.empty()) return 1;  // tonic's ToFrame returns one empty frame for no events
    return tonic_frame_count(events.front().t_us, events.back().t_us, time_window_us);
}

} // namespace detail

/// tonic's ToFrame(sensor_size, time_window) with its other defaults: event
/// counts [T, 2, height, width], channel = polarity (0 OFF, 1 ON, tonic's p),
/// T = tonic_frame_count(first, last, window). Frame k holds the events with
/// first + k * window <= t < first + (k + 1) * window (numpy's searchsorted on
/// the left, so an event on a boundary opens the next frame); the events past
/// frame T - 1 are dropped. No events: one empty frame, as tonic's ToFrame
/// (which shapes that frame [1, 2, W, H]; the same for a square sensor).
/// Events must be on the sensor and in time order, the window positive
/// (config_error).
inline xt::xtensor<float, 4> tonic_to_frame(std::span<const event> events, sensor_size sensor,
                                            std::uint32_t time_window_us = 1000)
{
    const std::size_t n = detail::tonic_frames_of(events, sensor, time_window_us, "tonic_to_frame");
    xt::xtensor<float, 4> frames = xt::zeros<float>({n, std::size_t{2}, std::size_t{sensor.height}, std::size_t{sensor.width}});
    float* data = frames.data();
    const std::size_t plane = sensor.pixels();
    for (const auto& e : events) {
        const std::size_t k = (e.t_us - events.front().t_us) / time_window_us;
        if (k >= n) break;  // time order: every later event is past the last frame too
        data[(2 * k + (e.on ? 1 : 0)) * plane + std::size_t{e.y} * sensor.width + e.x] += 1.0f;
    }
    return frames;
}

/// Frames [frames, channels, height, width] stored as, for each frame, the
/// list of its non-zero entries: flat index (c * height + y) * width + x
/// within the frame, in increasing order, and the value (an event count for
/// the builders below). Frame k's entries are index[offsets[k] ..
/// offsets[k + 1]) and value[...]; offsets has frames + 1 entries, starting
/// at 0. The layout of sg::sparse_tape, so a frame feeds a sparse layer
/// without a dense copy.
struct sparse_frames {
    std::size_t frames = 0, channels = 2, height = 0, width = 0;
    std::vector<std::uint32_t> offsets{0};
    std::vector<std::uint32_t> index;
    std::vector<float> value;

    /// Entries of one frame, channels * height * width of them in dense form.
    std::size_t frame_size() const { return channels * height * width; }
    std::size_t nonzeros() const { return index.size(); }
    std::span<const std::uint32_t> index_at(std::size_t k) const
    {
        return std::span(index).subspan(offsets[k], offsets[k + 1] - offsets[k]);
    }
    std::span<const float> value_at(std::size_t k) const
    {
        return std::span(value).subspan(offsets[k], offsets[k + 1] - offsets[k]);
    }

    /// Appends empty frames up to n, as tonic's PadTensors pads a batch to
    /// its longest sample. n below the current count is a config_error.
    void pad_to(std::size_t n)
    {
        detail::require(n >= frames, "sparse_frames::pad_to: {} frames is fewer than the {} held", n, frames);
        offsets.resize(n + 1, offsets.back());
        frames = n;
    }

    xt::xtensor<float, 4> to_dense() const
    {
        xt::xtensor<float, 4> d = xt::zeros<float>({frames, channels, height, width});
        float* data = d.data();
        for (std::size_t k = 0; k < frames; ++k)
            for (std::size_t j = offsets[k]; j < offsets[k + 1]; ++j) data[k * frame_size() + index[j]] = value[j];
        return d;
    }

    friend bool operator==(const sparse_frames&, const sparse_frames&) = default;
};

namespace detail {

inline void require_sparse_indexable(std::size_t frame_size, std::size_t entries, const char* who)
{
    require(frame_size <= std::size_t{std::numeric_limits<std::uint32_t>::max()} + 1,
            "{}: frames of {} entries do not fit 32-bit indices", who, frame_size);
    require(entries <= std::numeric_limits<std::uint32_t>::max(), "{}: {} events do not fit 32-bit offsets", who,
            entries);
}

/// (frame, flat index) of each counted event, in any order, to sparse counts.
inline sparse_frames sparse_counts(std::vector<std::pair<std::uint32_t, std::uint32_t>>& hits, std::size_t n,
                                   sensor_size sensor)
{
    sparse_frames s;
    s.frames = n;
    s.channels = 2;
    s.height = sensor.height;
    s.width = sensor.width;
    s.offsets.assign(n + 1, 0);
    std::sort(hits.begin(), hits.end());
    s.index.reserve(hits.size());
    s.value.reserve(hits.size());
    for (std::size_t i = 0; i < hits.size();) {
        std::size_t j = i + 1;
        while (j < hits.size() && hits[j] == hits[i]) ++j;
        s.index.push_back(hits[i].second);
        s.value.push_back(static_cast<float>(j - i));
        ++s.offsets[hits[i].first + 1];
        i = j;
    }
    for (std::size_t k = 0; k < n; ++k) s.offsets[k + 1] += s.offsets[k];
    return s;
}

inline std::uint32_t sparse_index(const event& e, sensor_size sensor)
{
    return static_cast<std::uint32_t>(((e.on ? 1u : 0u) * std::size_t{sensor.height} + e.y) * sensor.width + e.x);
}

} // namespace detail

/// tonic_to_frame in sparse form: the same frames, count and bins.
inline sparse_frames tonic_to_sparse_frames(std::span<const event> events, sensor_size sensor,
                                            std::uint32_t time_window_us = 1000)
{
    const std::size_t n = detail::tonic_frames_of(events, sensor, time_window_us, "tonic_to_sparse_frames");
    detail::require_sparse_indexable(2 * sensor.pixels(), events.size(), "tonic_to_sparse_frames");
    std::vector<std::pair<std::uint32_t, std::uint32_t>> hits;
    hits.reserve(events.size());
    for (const auto& e : events) {
        const std::size_t k = (e.t_us - events.front().t_us) / time_window_us;
        if (k >= n) break;
        hits.emplace_back(static_cast<std::uint32_t>(k), detail::sparse_index(e, sensor));
    }
    return detail::sparse_counts(hits, n, sensor);
}

/// The library's accumulate_frames(events, sensor, p) in sparse form: the
/// same frame count (p.frames, or as many as the last event at or after
/// p.start_us needs; none without such events) and the same bins. Events
/// need not be in time order; they must be on the sensor (config_error).
inline sparse_frames accumulate_sparse_frames(std::span<const event> events, sensor_size sensor, frame_params p = {})
{
    detail::require(p.window_us > 0, "accumulate_sparse_frames: window_us must be positive");
    detail::require_in_sensor(events, sensor, "accumulate_sparse_frames");
    detail::require_sparse_indexable(2 * sensor.pixels(), events.size(), "accumulate_sparse_frames");
    // The frame count rule of accumulate_frames, restated (tested to agree).
    std::size_t n = p.frames;
    if (n == 0) {
        bool any = false;
        std::uint32_t last = 0;
        for (const auto& e : events)
            if (e.t_us >= p.start_us) {
                last = std::max(last, e.t_us);
                any = true;
            }
        n = any ? (last - p.start_us) / p.window_us + 1 : 0;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> hits;
    hits.reserve(events.size());
    for (const auto& e : events) {
        if (e.t_us < p.start_us) continue;
        const std::size_t k = (e.t_us - p.start_us) / p.window_us;
        if (k < n) hits.emplace_back(static_cast<std::uint32_t>(k), detail::sparse_index(e, sensor));
    }
    return detail::sparse_counts(hits, n, sensor);
}

/// Any dense frames [T, C, H, W] in sparse form (every non-zero value kept).
inline sparse_frames to_sparse_frames(const xt::xtensor<float, 4>& dense)
{
    const auto& sh = dense.shape();
    sparse_frames s;
    s.frames = sh[0];
    s.channels = sh[1];
    s.height = sh[2];
    s.width = sh[3];
    const std::size_t m = s.frame_size();
    std::size_t nonzero = 0;
    for (const float v : dense) nonzero += v != 0.0f;
    detail::require_sparse_indexable(m, nonzero, "to_sparse_frames");
    s.offsets.assign(s.frames + 1, 0);
    s.index.reserve(nonzero);
    s.value.reserve(nonzero);
    const float* data = dense.data();
    for (std::size_t k = 0; k < s.frames; ++k) {
        for (std::size_t i = 0; i < m; ++i)
            if (const float v = data[k * m + i]; v != 0.0f) {
                s.index.push_back(static_cast<std::uint32_t>(i));
                s.value.push_back(v);
            }
        s.offsets[k + 1] = static_cast<std::uint32_t>(s.index.size());
    }
    return s;
}

} // namespace somnus
