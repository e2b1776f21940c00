// SPDX-License-Identifier: MIT
// nmnist_ensemble's data: recordings read and made into frames (as the paper
// did, or by the library's own definitions) on several threads, refused
// before any work when corrupt or too long, and what identifies a data set
// (so that a member checkpoint of other data is refused).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <somnus/core/parallel.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/nmnist_frames.hpp>
#include <somnus/io/crc32.hpp>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/train.hpp>

#include "example.hpp"

namespace somnus::example::ensemble {

namespace ex = somnus::example;
namespace sg = somnus::sg;

/// One recording as the engine takes it: frames of sparse, channels-last
/// inputs.
struct sample_frames {
    std::vector<std::uint32_t> offsets, index;
    std::vector<float> value;
    std::size_t label = 0;
    sg::frame_sample view() const { return {offsets, index, value, label}; }
};

/// Recording i -> frames, as the paper (tonic's Denoise(10 ms) and ToFrame(1 ms),
/// data/tonic.hpp) or as the library's own definitions (data/events.hpp); a
/// recording of more than max_frames frames is refused, naming it
/// (data/nmnist_frames.hpp).
inline sample_frames make_frames(const somnus::nmnist_folder& folder, std::size_t i, const std::string& kind, std::size_t max_frames)
{
    const somnus::sparse_frames f = somnus::nmnist_recording_frames(
        folder, i, kind == "tonic" ? somnus::nmnist_frame_kind::tonic : somnus::nmnist_frame_kind::somnus, max_frames, "--max-frames");
    sample_frames s;
    s.offsets = f.offsets;
    sg::channels_last(f.offsets, f.index, f.value, {f.channels, f.height, f.width}, s.index, s.value);
    return s;
}

/// The recordings `which` of a folder, read and framed on `threads` threads.
inline std::vector<sample_frames> load(const somnus::nmnist_folder& folder, std::span<const std::size_t> which, const std::string& kind,
                                       std::size_t max_frames, unsigned threads, const std::string& what, bool final_line = true)
{
    std::vector<sample_frames> out(which.size());
    ex::progress bar(what, which.size());
    std::atomic<std::size_t> done{0};
    somnus::parallel_blocks(which.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k < end; ++k) {
            out[k] = make_frames(folder, which[k], kind, max_frames);
            out[k].label = folder.label(which[k]);
            const auto d = ++done;
            if (worker == 0 && k % 256 == 0) bar.update(d);
        }
    });
    bar.update(which.size(), {}, final_line);
    return out;
}

/// Reads and filters recordings `which` on `threads` threads without making
/// their frames, so that a corrupt one, or one of more than max_frames
/// frames, is refused (one line, naming it) before any work.
inline void check_recordings(const somnus::nmnist_folder& folder, std::span<const std::size_t> which, const std::string& kind,
                             std::size_t max_frames, unsigned threads)
{
    ex::progress bar("checking training recordings", which.size());
    std::atomic<std::size_t> done{0};
    somnus::parallel_blocks(which.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k < end; ++k) {
            somnus::nmnist_bounded_events(folder, which[k],
                                          kind == "tonic" ? somnus::nmnist_frame_kind::tonic : somnus::nmnist_frame_kind::somnus,
                                          max_frames, "--max-frames");
            const auto d = ++done;
            if (worker == 0 && k % 256 == 0) bar.update(d);
        }
    });
}

/// A running CRC-32 (io/crc32.hpp, the checkpoints' own) of what identifies
/// a data set: enough to tell one from another, not a defence against
/// forgery.
class digest {
public:
    void add(const void* p, std::size_t n) { crc_ = somnus::detail::crc32({static_cast<const std::uint8_t*>(p), n}, crc_); }
    void add_u64(std::uint64_t v)
    {
        std::uint8_t b[8];
        for (int k = 0; k < 8; ++k) b[k] = static_cast<std::uint8_t>(v >> (8 * k));
        add(b, 8);
    }
    void add_text(const std::string& t)
    {
        add_u64(t.size());
        add(t.data(), t.size());
    }
    std::string hex() const { return fmt::format("{:08x}", crc_); }

private:
    std::uint32_t crc_ = 0;
};

/// What identifies the data a member saw: the training folder's listing
/// (class, file name and size of every recording, in order) and the test
/// recordings' frames and labels. Checkpoints of other data with the same
/// counts (Fashion recordings for MNIST ones) are refused by it.
inline std::string data_identity(const somnus::nmnist_folder& train, std::span<const sample_frames> test)
{
    digest listing;
    for (std::size_t i = 0; i < train.size(); ++i) {
        const auto& path = train.sample(i).path;
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(path, ec);
        if (ec) throw somnus::data_error(fmt::format("{}: cannot read its size: {}", path.string(), ec.message()));
        listing.add_u64(train.label(i));
        listing.add_text(path.filename().string());
        listing.add_u64(bytes);
    }
    digest frames;
    for (const auto& s : test) {
        frames.add_u64(s.label);
        frames.add_u64(s.offsets.size());
        frames.add(s.offsets.data(), s.offsets.size() * sizeof(std::uint32_t));
        frames.add_u64(s.index.size());
        frames.add(s.index.data(), s.index.size() * sizeof(std::uint32_t));
        frames.add(s.value.data(), s.value.size() * sizeof(float));
    }
    return fmt::format("training listing of {} recordings {}; frames of the first {} test recordings {}", train.size(), listing.hex(),
                       test.size(), frames.hex());
}

} // namespace somnus::example::ensemble
