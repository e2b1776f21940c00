// SPDX-License-Identifier: MIT
// N-MNIST recordings as the surrogate-gradient programs take them: read,
// denoised and binned into 1 ms frames (tonic's Denoise(10 ms) and
// ToFrame(1 ms), data/tonic.hpp, or the library's denoise and
// accumulate_sparse_frames, data/events.hpp), with a bound on the frames
// one recording may make. A network runs one step per frame and a batch as
// many as its longest recording, so one valid file spanning 71 minutes
// would otherwise cost hours and gigabytes; a recording past the bound is
// refused (data_error naming the file) before its frames are built.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "../core/error.hpp"
#include "events.hpp"
#include "nmnist.hpp"
#include "tonic.hpp"

namespace somnus {

/// Frames per recording allowed unless raised: a real N-MNIST recording
/// (about 300 ms) makes about 310 frames of 1 ms.
inline constexpr std::size_t nmnist_default_max_frames = 1000;
/// The most a caller may raise it to (10 s of 1 ms frames).
inline constexpr std::size_t nmnist_max_frames_limit = 10000;
/// The window of one frame, as Gupta 2024 and snnTorch's tutorial 7.
inline constexpr std::uint32_t nmnist_frame_window_us = 1000;

enum class nmnist_frame_kind {
    tonic,   ///< tonic's Denoise(10 ms, 4 neighbours), ToFrame(1 ms from the first event)
    somnus,  ///< the library's denoise (8 neighbours, 10 ms, causal), accumulate_frames (1 ms from t = 0)
};

/// The denoised events of recording i of folder (the filter of `kind`),
/// refused with a data_error naming the file when they would make more than
/// max_frames frames of 1 ms; `limit_name` names the bound in that message
/// (a program passes its flag). Reading and filtering cost time and memory
/// in proportion to the file, which read_nmnist bounds; the frames are not
/// built, so a program can check every recording before any work.
/// max_frames must be in [1, nmnist_max_frames_limit] (config_error).
inline std::vector<event> nmnist_bounded_events(const nmnist_folder& folder, std::size_t i, nmnist_frame_kind kind,
                                                std::size_t max_frames = nmnist_default_max_frames,
                                                const std::string& limit_name = "max_frames")
{
    detail::require(max_frames >= 1 && max_frames <= nmnist_max_frames_limit, "{} {}: must be in [1, {}]", limit_name, max_frames,
                    nmnist_max_frames_limit);
    const sensor_size sensor = folder.sensor();
    const std::vector<event> events = folder.events(i);
    std::vector<event> kept = kind == nmnist_frame_kind::tonic ? tonic_denoise(events, sensor, 10000) : denoise(events, sensor);
    // The frame counts of tonic_to_sparse_frames and accumulate_sparse_frames,
    // from the kept events' times alone.
    std::size_t frames = 0;
    if (kind == nmnist_frame_kind::tonic)
        frames = kept.empty() ? 1 : tonic_frame_count(kept.front().t_us, kept.back().t_us, nmnist_frame_window_us);
    else
        for (const auto& e : kept) frames = std::max(frames, std::size_t{e.t_us} / nmnist_frame_window_us + 1);
    if (frames > max_frames)
        throw data_error(fmt::format("{}: spans {} frames of {} ms ({:.1f} s), more than the {} allowed per recording (real N-MNIST "
                                     "recordings make about 310; {} raises the bound up to {})",
                                     folder.sample(i).path.string(), frames, nmnist_frame_window_us / 1000,
                                     double(frames) * nmnist_frame_window_us * 1e-6, max_frames, limit_name, nmnist_max_frames_limit));
    return kept;
}

/// Frames of recording i of folder, channel-first (sparse_frames), from
/// nmnist_bounded_events (so refused past max_frames before they are built).
inline sparse_frames nmnist_recording_frames(const nmnist_folder& folder, std::size_t i, nmnist_frame_kind kind,
                                             std::size_t max_frames = nmnist_default_max_frames,
                                             const std::string& limit_name = "max_frames")
{
    const std::vector<event> kept = nmnist_bounded_events(folder, i, kind, max_frames, limit_name);
    return kind == nmnist_frame_kind::tonic ? tonic_to_sparse_frames(kept, folder.sensor(), nmnist_frame_window_us)
                                            : accumulate_sparse_frames(kept, folder.sensor(), {nmnist_frame_window_us, 0, 0});
}

} // namespace somnus
