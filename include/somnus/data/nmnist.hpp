// SPDX-License-Identifier: MIT
// The N-MNIST event file format (Orchard et al. 2015, "Converting static image
// datasets to spiking neuromorphic datasets using saccades", Front. Neurosci.
// 9:437; garrickorchard.com/datasets/n-mnist): 5 bytes per event, big-endian
// bits 39-32 x, 31-24 y, 23 polarity (1 ON), 22-0 timestamp in microseconds.
// An event with y == 240 is a timestamp-overflow marker: 2^13 us is added to
// every later timestamp (as the reference readers, the author's Python
// read_dataset and tonic's read_mnist_file, do). Streaming reader and writer,
// and the dataset layout: <root>/{Train,Test}/<digit>/<name>.bin.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "../core/error.hpp"
#include "../io/atomic_file.hpp"
#include "../io/file.hpp"
#include "events.hpp"
#include "mnist.hpp"

namespace somnus {

inline constexpr std::size_t nmnist_event_bytes = 5;
inline constexpr std::uint32_t nmnist_timestamp_bits = 23;
inline constexpr std::uint32_t nmnist_timestamp_mask = (std::uint32_t{1} << nmnist_timestamp_bits) - 1;
/// y of an overflow marker; sensors taller than this cannot use the format.
inline constexpr std::uint16_t nmnist_overflow_y = 240;
inline constexpr std::uint32_t nmnist_overflow_step_us = std::uint32_t{1} << 13;
/// A raw timestamp that drops by more than half the 23-bit range is the
/// counter wrapping around (2^23 us is added from there on); a smaller drop
/// is a timestamp going backwards, which is corruption.
inline constexpr std::uint32_t nmnist_wrap_min_drop_us = std::uint32_t{1} << (nmnist_timestamp_bits - 1);

namespace detail {

inline void require_nmnist_sensor(sensor_size s)
{
    require(s.width >= 1 && s.width <= 256 && s.height >= 1 && s.height <= nmnist_overflow_y,
            "N-MNIST format: sensor {}x{} does not fit 8-bit x (1..256) and y below the overflow marker (1..240)",
            s.width, s.height);
}

/// Turns 5-byte records into events, tracking overflow markers and
/// wrap-arounds; every problem is a data_error naming the file and offset.
class nmnist_decoder {
public:
    nmnist_decoder(std::string name, sensor_size sensor) : name_(std::move(name)), sensor_(sensor)
    {
        require_nmnist_sensor(sensor);
    }

    /// Decodes the record at byte offset `offset`; false for an overflow marker.
    bool decode(const std::uint8_t* r, std::uint64_t offset, event& out)
    {
        if (r[1] == nmnist_overflow_y) {
            offset_us_ += nmnist_overflow_step_us;
            ++markers_;
            return false;
        }
        if (r[0] >= sensor_.width || r[1] >= sensor_.height)
            throw data_error(fmt::format("{}: byte offset {}: event at x={}, y={} is outside the {}x{} sensor", name_,
                                         offset, r[0], r[1], sensor_.width, sensor_.height));
        const std::uint32_t raw = std::uint32_t{r[2] & 0x7Fu} << 16 | std::uint32_t{r[3]} << 8 | r[4];
        std::uint64_t t = offset_us_ + raw;
        if (any_ && t < last_us_) {
            if (last_us_ - t > nmnist_wrap_min_drop_us) {
                offset_us_ += std::uint64_t{1} << nmnist_timestamp_bits;
                t += std::uint64_t{1} << nmnist_timestamp_bits;
            }
            if (t < last_us_)
                throw data_error(fmt::format(
                    "{}: byte offset {}: timestamp goes backwards from {} us to {} us (a drop of {} us is not a 23-bit "
                    "wrap-around)",
                    name_, offset, last_us_, t, last_us_ - t));
        }
        if (t > std::numeric_limits<std::uint32_t>::max())
            throw data_error(fmt::format("{}: byte offset {}: timestamp {} us is past 2^32 us (71 minutes)", name_,
                                         offset, t));
        last_us_ = t;
        any_ = true;
        out.t_us = static_cast<std::uint32_t>(t);
        out.x = r[0];
        out.y = r[1];
        out.on = (r[2] & 0x80u) != 0;
        return true;
    }

    std::size_t overflow_markers() const { return markers_; }

private:
    std::string name_;
    sensor_size sensor_;
    std::uint64_t offset_us_ = 0, last_us_ = 0;
    bool any_ = false;
    std::size_t markers_ = 0;
};

inline data_error nmnist_length_error(const std::string& name, std::uint64_t bytes)
{
    return data_error(fmt::format("{}: length {} bytes is not a multiple of {} (a truncated event at byte offset {})",
                                  name, bytes, nmnist_event_bytes, bytes - bytes % nmnist_event_bytes));
}

} // namespace detail

/// Decodes a whole N-MNIST file held in memory; `name` is used in messages.
inline std::vector<event> decode_nmnist(std::span<const std::uint8_t> bytes, const std::string& name = "<memory>",
                                        sensor_size sensor = {})
{
    detail::nmnist_decoder dec(name, sensor);
    if (bytes.size() % nmnist_event_bytes != 0) throw detail::nmnist_length_error(name, bytes.size());
    std::vector<event> out;
    out.reserve(bytes.size() / nmnist_event_bytes);
    event e;
    for (std::size_t off = 0; off < bytes.size(); off += nmnist_event_bytes)
        if (dec.decode(bytes.data() + off, off, e)) out.push_back(e);
    return out;
}

/// Reads an N-MNIST file a block at a time, in constant memory whatever its
/// size. A FIFO, folder or device is refused before it is opened and the
/// length is checked then; coordinates and timestamps as the events are read.
class nmnist_reader {
public:
    explicit nmnist_reader(const std::filesystem::path& path, sensor_size sensor = {})
        : name_(path.string()), decoder_(name_, sensor)
    {
        // A FIFO or device is refused before it is opened (opening a FIFO blocks).
        size_ = require_regular_file(path, "an N-MNIST recording");
        file_.open(path, std::ios::binary);
        if (!file_) throw data_error(fmt::format("{}: cannot open for reading", name_));
        if (size_ % nmnist_event_bytes != 0) throw detail::nmnist_length_error(name_, size_);
    }

    /// Fills `out` from the front with the next events; returns how many
    /// (fewer than out.size() only at the end of the file, 0 after it).
    std::size_t read(std::span<event> out)
    {
        std::size_t n = 0;
        while (n < out.size()) {
            if (pos_ == fill_) {
                if (!refill()) break;
            }
            if (decoder_.decode(buffer_.data() + pos_, consumed_ + pos_, out[n])) ++n;
            pos_ += nmnist_event_bytes;
        }
        return n;
    }

    /// The next event; false at the end of the file.
    bool next(event& e) { return read(std::span<event>(&e, 1)) == 1; }

    std::uint64_t file_bytes() const { return size_; }
    /// Bytes decoded so far.
    std::uint64_t bytes_read() const { return consumed_ + pos_; }
    std::size_t overflow_markers() const { return decoder_.overflow_markers(); }

private:
    bool refill()
    {
        consumed_ += fill_;
        pos_ = fill_ = 0;
        const std::uint64_t left = size_ - consumed_;
        if (left == 0) return false;
        fill_ = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size()));
        if (!file_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(fill_)))
            throw data_error(fmt::format("{}: read error at byte offset {}", name_, consumed_));
        return true;
    }

    std::string name_;
    detail::nmnist_decoder decoder_;
    std::ifstream file_;
    std::uint64_t size_ = 0, consumed_ = 0;
    // A multiple of 5, so that no record straddles two blocks.
    std::array<std::uint8_t, 5 * 13107> buffer_{};
    std::size_t pos_ = 0, fill_ = 0;
};

/// read_nmnist refuses larger files: real N-MNIST recordings hold 5-20
/// thousand events (about 100 KB), so 64 MiB (13 million events, 160 MB
/// decoded) is far past any of them. nmnist_reader streams longer ones.
inline constexpr std::uint64_t nmnist_max_file_bytes = std::uint64_t{64} << 20;

/// All events of an N-MNIST file, overflow markers applied and removed.
/// Decoded a block at a time, the vector growing with the events decoded,
/// so a bad record is reported before the rest of the file costs memory; a
/// file over max_bytes is refused before any is read.
inline std::vector<event> read_nmnist(const std::filesystem::path& path, sensor_size sensor = {},
                                      std::uint64_t max_bytes = nmnist_max_file_bytes)
{
    nmnist_reader r(path, sensor);
    if (r.file_bytes() > max_bytes)
        throw data_error(fmt::format("{}: {} bytes, more than the limit of {} bytes for one N-MNIST recording (real "
                                     "ones are about 100 KB; nmnist_reader streams longer files)",
                                     path.string(), r.file_bytes(), max_bytes));
    const std::uint64_t records = r.file_bytes() / nmnist_event_bytes;
    constexpr std::size_t reserve_cap = std::size_t{1} << 16, chunk = 4096;
    std::vector<event> out;
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(records, reserve_cap)));
    for (;;) {
        const std::size_t at = out.size();
        out.resize(at + chunk);
        const std::size_t n = r.read(std::span<event>(out).subspan(at));
        out.resize(at + n);
        if (n < chunk) break;
    }
    return out;
}

namespace detail {

/// Encodes events one by one, checking that the reader will decode exactly
/// them: on the sensor, in time order, and no gap the 23-bit timestamps
/// cannot carry. Problems are config_errors naming the event.
class nmnist_encoder {
public:
    explicit nmnist_encoder(sensor_size sensor) : sensor_(sensor) { require_nmnist_sensor(sensor); }

    void encode(const event& e, std::uint8_t* out)
    {
        require(sensor_.contains(e), "write_nmnist: event {} at x={}, y={} is outside the {}x{} sensor", count_, e.x, e.y,
                sensor_.width, sensor_.height);
        require(count_ == 0 || e.t_us >= last_us_,
                "write_nmnist: events must be in time order; event {} at {} us follows {} us", count_, e.t_us, last_us_);
        // What the reader will make of the raw 23 bits.
        const std::uint32_t raw = e.t_us & nmnist_timestamp_mask;
        std::uint64_t t = offset_us_ + raw;
        if (count_ > 0 && t < last_us_ && last_us_ - t > nmnist_wrap_min_drop_us) t += std::uint64_t{1} << nmnist_timestamp_bits;
        require(t == e.t_us,
                "write_nmnist: event {} at {} us cannot be stored: 23-bit timestamps need the first event before 2^23 us "
                "and gaps below 2^22 us across each wrap-around (previous event at {} us)",
                count_, e.t_us, last_us_);
        offset_us_ = t - raw;
        last_us_ = e.t_us;
        ++count_;
        out[0] = static_cast<std::uint8_t>(e.x);
        out[1] = static_cast<std::uint8_t>(e.y);
        out[2] = static_cast<std::uint8_t>((e.on ? 0x80u : 0u) | (raw >> 16));
        out[3] = static_cast<std::uint8_t>(raw >> 8);
        out[4] = static_cast<std::uint8_t>(raw);
    }

private:
    sensor_size sensor_;
    std::uint64_t offset_us_ = 0;
    std::uint32_t last_us_ = 0;
    std::size_t count_ = 0;
};

} // namespace detail

/// The bytes of an N-MNIST file holding `events` (no overflow markers: the
/// 23-bit field and wrap-arounds carry the time).
inline std::vector<std::uint8_t> encode_nmnist(std::span<const event> events, sensor_size sensor = {})
{
    detail::nmnist_encoder enc(sensor);
    std::vector<std::uint8_t> bytes(events.size() * nmnist_event_bytes);
    for (std::size_t i = 0; i < events.size(); ++i) enc.encode(events[i], bytes.data() + i * nmnist_event_bytes);
    return bytes;
}

/// Writes `events` to path atomically (temporary file, then rename).
inline void write_nmnist(const std::filesystem::path& path, std::span<const event> events, sensor_size sensor = {})
{
    write_file_atomically(path, encode_nmnist(events, sensor));
}

/// Writes events as they come to path + ".tmp"; close() renames it into
/// place. A writer destroyed before close() removes the temporary file.
class nmnist_writer {
public:
    explicit nmnist_writer(const std::filesystem::path& path, sensor_size sensor = {})
        : path_(path), tmp_(path), encoder_(sensor)
    {
        tmp_ += ".tmp";
        file_.open(tmp_, std::ios::binary | std::ios::trunc);
        if (!file_) throw error(fmt::format("{}: cannot open for writing", tmp_.string()));
        buffer_.reserve(block);
    }
    nmnist_writer(const nmnist_writer&) = delete;
    nmnist_writer& operator=(const nmnist_writer&) = delete;
    ~nmnist_writer()
    {
        if (file_.is_open()) {
            file_.close();
            std::error_code ignore;
            std::filesystem::remove(tmp_, ignore);
        }
    }

    void write(const event& e)
    {
        const std::size_t at = buffer_.size();
        buffer_.resize(at + nmnist_event_bytes);
        encoder_.encode(e, buffer_.data() + at);
        if (buffer_.size() >= block) flush();
    }
    void write(std::span<const event> events)
    {
        for (const auto& e : events) write(e);
    }

    void close()
    {
        flush();
        file_.close();
        if (!file_) throw error(fmt::format("{}: write failed", tmp_.string()));
        std::error_code ec;
        std::filesystem::rename(tmp_, path_, ec);
        if (ec) {
            std::filesystem::remove(tmp_, ec);
            throw error(fmt::format("{}: cannot rename {} into place", path_.string(), tmp_.filename().string()));
        }
    }

private:
    static constexpr std::size_t block = 5 * 13107;

    void flush()
    {
        file_.write(reinterpret_cast<const char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
        if (!file_) throw error(fmt::format("{}: write failed", tmp_.string()));
        buffer_.clear();
    }

    std::filesystem::path path_, tmp_;
    detail::nmnist_encoder encoder_;
    std::ofstream file_;
    std::vector<std::uint8_t> buffer_;
};

/// One recording of an N-MNIST-style dataset.
struct nmnist_sample {
    std::filesystem::path path;
    std::uint8_t label = 0;
};

/// The published layout: <root>/Train and <root>/Test, one folder per digit
/// 0..9 (any other folder there is refused, naming it), one .bin file per
/// recording. Samples are ordered by file name
/// (numerically when the name is a number), then label; files are opened
/// only when read, so a corrupt one is reported then, by path. A .bin entry
/// that is not a regular file (a FIFO, a folder, a dangling link) is refused
/// when the folder is listed, and so is a symlink loop or a folder that
/// cannot be searched on the way (file_exists).
class nmnist_folder {
public:
    nmnist_folder(const std::filesystem::path& root, mnist_split split, sensor_size sensor = {}) : sensor_(sensor)
    {
        detail::require_nmnist_sensor(sensor);
        const auto dir = root / (split == mnist_split::train ? "Train" : "Test");
        std::error_code ec;
        if (!file_exists(root) || !std::filesystem::is_directory(root, ec))
            throw data_error(fmt::format("{}: no such folder", root.string()));
        if (!file_exists(dir) || !std::filesystem::is_directory(dir, ec))
            throw data_error(fmt::format("{}: no such folder (N-MNIST layout: {}/Train/<digit>/*.bin and {}/Test/...)",
                                         dir.string(), root.string(), root.string()));
        struct entry {
            std::uint64_t number;
            std::string name;
            nmnist_sample sample;
        };
        // A folder other than 0..9 (07, 10, seven) would hold recordings
        // that silently go missing: it is refused, naming it.
        for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
            std::error_code st_ec;
            if (!f.is_directory(st_ec)) continue;
            const std::string name = f.path().filename().string();
            if (name.size() != 1 || name[0] < '0' || name[0] > '9')
                throw data_error(fmt::format("{}: not a class folder (N-MNIST class folders are named 0 to 9)", f.path().string()));
        }
        if (ec) throw data_error(fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
        std::vector<entry> found;
        for (int digit = 0; digit <= 9; ++digit) {
            const auto sub = dir / std::to_string(digit);
            if (!file_exists(sub) || !std::filesystem::is_directory(sub, ec)) continue;
            for (const auto& f : std::filesystem::directory_iterator(sub, ec)) {
                if (f.path().extension() != ".bin") continue;
                // A .bin that is not a regular file (a FIFO, a folder, a
                // dangling link) is refused now, naming it, rather than
                // skipped (a recording would go missing unseen) or waited on.
                std::error_code st_ec;
                if (!f.is_regular_file(st_ec)) require_regular_file(f.path(), "an N-MNIST recording");
                const std::string stem = f.path().stem().string();
                const bool numeric = !stem.empty() && stem.size() <= 18 &&
                                     std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
                found.push_back({numeric ? std::stoull(stem) : std::numeric_limits<std::uint64_t>::max(), stem,
                                 {f.path(), static_cast<std::uint8_t>(digit)}});
            }
            if (ec) throw data_error(fmt::format("{}: cannot list: {}", sub.string(), ec.message()));
        }
        if (found.empty())
            throw data_error(fmt::format("{}: no recordings (expected <digit>/<name>.bin files)", dir.string()));
        std::sort(found.begin(), found.end(), [](const entry& a, const entry& b) {
            if (a.number != b.number) return a.number < b.number;
            if (a.name != b.name) return a.name < b.name;
            return a.sample.label < b.sample.label;
        });
        samples_.reserve(found.size());
        for (auto& e : found) samples_.push_back(std::move(e.sample));
    }

    std::size_t size() const { return samples_.size(); }
    const nmnist_sample& sample(std::size_t i) const
    {
        detail::require<std::out_of_range>(i < size(), "nmnist_folder: index {} out of range (size {})", i, size());
        return samples_[i];
    }
    std::uint8_t label(std::size_t i) const { return sample(i).label; }
    std::vector<event> events(std::size_t i) const { return read_nmnist(sample(i).path, sensor_); }
    sensor_size sensor() const { return sensor_; }

private:
    sensor_size sensor_;
    std::vector<nmnist_sample> samples_;
};

} // namespace somnus
