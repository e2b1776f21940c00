// SPDX-License-Identifier: MIT
// A file of sparse frame samples, so that somnus and a peer (PyTorch, in
// benchmarks/peers) train on exactly the same data. Little-endian:
//   "SGF1", u32 samples, u32 channels, u32 height, u32 width
//   per sample: u32 label, u32 frames, u32 entries,
//               u32 offsets[frames + 1], u32 index[entries], f32 value[entries]
// index is channel-first, (c * height + y) * width + x, as torch's NCHW.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "../core/error.hpp"
#include "../io/atomic_file.hpp"
#include "../io/file.hpp"
#include "layer.hpp"

namespace somnus::sg {

/// Samples of sparse frames held in memory (the frame_sample views point into it).
struct frame_set {
    shape3 shape{2, 34, 34};  ///< channels, height, width of a frame
    std::vector<std::uint32_t> labels;
    std::vector<std::vector<std::uint32_t>> offsets, index;  ///< index: channel-first
    std::vector<std::vector<float>> value;

    std::size_t size() const { return labels.size(); }
    void add(std::uint32_t label, std::vector<std::uint32_t> off, std::vector<std::uint32_t> idx, std::vector<float> val)
    {
        labels.push_back(label);
        offsets.push_back(std::move(off));
        index.push_back(std::move(idx));
        value.push_back(std::move(val));
    }
};

/// Channel-first (c, y, x) index to the engine's channels-last one.
inline std::uint32_t to_channels_last(std::uint32_t chw, shape3 s)
{
    const std::uint32_t hw = static_cast<std::uint32_t>(s.h * s.w), c = chw / hw, yx = chw % hw;
    return yx * static_cast<std::uint32_t>(s.c) + c;
}

namespace frame_file_detail {
inline void put_u32(std::string& out, std::uint32_t v)
{
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}
} // namespace frame_file_detail

inline void write_frame_file(const std::filesystem::path& path, const frame_set& s)
{
    std::string out = "SGF1";
    frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.size()));
    frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.shape.c));
    frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.shape.h));
    frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.shape.w));
    for (std::size_t k = 0; k < s.size(); ++k) {
        frame_file_detail::put_u32(out, s.labels[k]);
        frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.offsets[k].size() - 1));
        frame_file_detail::put_u32(out, static_cast<std::uint32_t>(s.index[k].size()));
        for (const auto v : s.offsets[k]) frame_file_detail::put_u32(out, v);
        for (const auto v : s.index[k]) frame_file_detail::put_u32(out, v);
        for (const float v : s.value[k]) {
            std::uint32_t b;
            std::memcpy(&b, &v, 4);
            frame_file_detail::put_u32(out, b);
        }
    }
    write_file_atomically(path, out);
}

/// Reads a frame file, checking every count against the bytes that remain
/// (so a corrupt header cannot ask for more memory than the file holds).
inline frame_set read_frame_file(const std::filesystem::path& path)
{
    std::uint64_t size = 0;
    auto in = open_regular_file(path, "a frame file", size);
    std::vector<std::uint8_t> bytes(size);
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
        throw data_error(fmt::format("{}: read failed", path.string()));
    const std::string name = path.string();
    std::size_t at = 0;
    const auto u32 = [&](const char* what) {
        if (bytes.size() - at < 4) throw data_error(fmt::format("{}: truncated at byte {} (reading {})", name, at, what));
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) v |= std::uint32_t(bytes[at + std::size_t(k)]) << (8 * k);
        at += 4;
        return v;
    };
    if (bytes.size() < 4 || std::memcmp(bytes.data(), "SGF1", 4) != 0) throw data_error(fmt::format("{}: not a frame file (no SGF1 magic)", name));
    at = 4;
    frame_set s;
    const std::uint32_t n = u32("the sample count");
    s.shape = {u32("channels"), u32("height"), u32("width")};
    if (s.shape.size() == 0 || s.shape.size() > (1u << 24)) throw data_error(fmt::format("{}: frames of {}x{}x{}", name, s.shape.c, s.shape.h, s.shape.w));
    for (std::uint32_t k = 0; k < n; ++k) {
        const std::uint32_t label = u32("a label"), frames = u32("a frame count"), entries = u32("an entry count");
        const std::uint64_t need = (std::uint64_t(frames) + 1 + 2 * std::uint64_t(entries)) * 4;
        if (need > bytes.size() - at)
            throw data_error(fmt::format("{}: sample {} declares {} frames and {} entries, more than the {} bytes left", name, k, frames,
                                         entries, bytes.size() - at));
        std::vector<std::uint32_t> off(frames + 1), idx(entries);
        std::vector<float> val(entries);
        for (auto& v : off) v = u32("offsets");
        for (auto& v : idx) v = u32("indices");
        for (auto& v : val) {
            const std::uint32_t b = u32("values");
            std::memcpy(&v, &b, 4);
        }
        if (off.front() != 0 || off.back() != entries || !std::is_sorted(off.begin(), off.end()))
            throw data_error(fmt::format("{}: sample {}: frame offsets do not run from 0 to {}", name, k, entries));
        for (const auto i : idx)
            if (i >= s.shape.size()) throw data_error(fmt::format("{}: sample {}: index {} outside a frame of {}", name, k, i, s.shape.size()));
        for (std::size_t e = 0; e < val.size(); ++e)
            if (!std::isfinite(val[e])) throw data_error(fmt::format("{}: sample {}: entry {} has the value {} (must be finite)", name, k, e, val[e]));
        s.add(label, std::move(off), std::move(idx), std::move(val));
    }
    if (at != bytes.size()) throw data_error(fmt::format("{}: {} bytes after the last sample", name, bytes.size() - at));
    return s;
}

/// Frames of channel-first entries (offsets, index, value, frames of shape
/// s) with channels-last indices, the engine's layout, each frame's entries
/// sorted by index. A config_error names what is malformed: offsets that
/// do not run from 0 up to the entries, an index outside the frame.
inline void channels_last(std::span<const std::uint32_t> offsets, std::span<const std::uint32_t> chw, std::span<const float> value,
                          shape3 s, std::vector<std::uint32_t>& index_out, std::vector<float>& value_out)
{
    detail::require(s.size() > 0 && s.size() <= 0xffffffffu && s.size() / s.c / s.h == s.w, "channels_last: frames of {}x{}x{}", s.c, s.h,
                    s.w);
    detail::require(chw.size() == value.size(), "channels_last: {} indices but {} values", chw.size(), value.size());
    detail::require(offsets.empty() ? chw.empty() : offsets.front() == 0 && offsets.back() == chw.size(),
                    "channels_last: frame offsets ({} of them) do not run from 0 to the {} entries", offsets.size(), chw.size());
    for (std::size_t t = 0; t + 1 < offsets.size(); ++t)
        detail::require(offsets[t] <= offsets[t + 1], "channels_last: frame {}: offsets decrease ({} then {})", t, offsets[t], offsets[t + 1]);
    for (const auto i : chw) detail::require(i < s.size(), "channels_last: index {} outside a frame of {}", i, s.size());
    index_out.resize(chw.size());
    value_out.resize(chw.size());
    std::vector<std::pair<std::uint32_t, float>> frame;
    for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
        frame.clear();
        for (std::uint32_t e = offsets[t]; e < offsets[t + 1]; ++e) frame.emplace_back(to_channels_last(chw[e], s), value[e]);
        std::sort(frame.begin(), frame.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t q = 0; q < frame.size(); ++q) {
            index_out[offsets[t] + q] = frame[q].first;
            value_out[offsets[t] + q] = frame[q].second;
        }
    }
}

/// Sample k of s with channels-last indices.
inline void channels_last(const frame_set& s, std::size_t k, std::vector<std::uint32_t>& index, std::vector<float>& value)
{
    detail::require(k < s.size(), "channels_last: sample {} of a set of {}", k, s.size());
    channels_last(s.offsets[k], s.index[k], s.value[k], s.shape, index, value);
}

} // namespace somnus::sg
