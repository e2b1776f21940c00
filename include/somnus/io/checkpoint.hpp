// SPDX-License-Identifier: MIT
// Versioned, checksummed binary checkpoints, written atomically.
// Layout (little-endian):
//   "SOMNUSCK"  u32 format_version  u32 section_count
//   per section: u16 name_len, name, u8 kind (0 f32, 1 u64, 2 text),
//                u8 rank, u64 dims[rank], payload
//   u32 CRC-32 of every byte before it
// A reader checks all of it before handing out a single value, so a
// truncated, altered or foreign file is refused with a data_error that names
// the file and the problem; it reads section headers before any payload and
// never holds more than one section in memory.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <fmt/ranges.h>

#include "../core/error.hpp"
#include "../core/tensor.hpp"
#include "atomic_file.hpp"
#include "crc32.hpp"
#include "file.hpp"

namespace somnus {

static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");

inline constexpr std::uint32_t checkpoint_format_version = 1;

class checkpoint_writer {
public:
    void add(const std::string& name, std::span<const float> values, std::vector<std::uint64_t> dims = {})
    {
        if (dims.empty()) dims = {values.size()};
        section(name, 0, dims);
        append(values.data(), values.size_bytes());
    }
    void add(const std::string& name, const vector_f& v) { add(name, std::span<const float>(v.data(), v.size()), {v.size()}); }
    void add(const std::string& name, const matrix_f& m)
    {
        add(name, std::span<const float>(m.data(), m.size()), {m.shape()[0], m.shape()[1]});
    }
    void add_u64(const std::string& name, std::span<const std::uint64_t> values)
    {
        section(name, 1, {values.size()});
        append(values.data(), values.size_bytes());
    }
    void add_text(const std::string& name, const std::string& text)
    {
        section(name, 2, {text.size()});
        append(text.data(), text.size());
    }

    /// Writes path + ".tmp", fsyncs it, renames it over path and fsyncs the
    /// folder (io/atomic_file.hpp): a crash or power loss leaves either the
    /// old checkpoint or the new one, never half of one.
    void save(const std::filesystem::path& path) const
    {
        std::vector<std::uint8_t> out;
        out.reserve(body_.size() + 24);
        const char magic[8] = {'S', 'O', 'M', 'N', 'U', 'S', 'C', 'K'};
        out.insert(out.end(), magic, magic + 8);
        put(out, checkpoint_format_version);
        put(out, sections_);
        out.insert(out.end(), body_.begin(), body_.end());
        put(out, detail::crc32(out));
        write_file_atomically(path, out);
    }

private:
    template <class T>
    static void put(std::vector<std::uint8_t>& out, T v)
    {
        std::uint8_t b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        out.insert(out.end(), b, b + sizeof(T));
    }
    void append(const void* p, std::size_t n)
    {
        if (n == 0) return;  // p may be null for an empty section
        const auto* b = static_cast<const std::uint8_t*>(p);
        body_.insert(body_.end(), b, b + n);
    }
    void section(const std::string& name, std::uint8_t kind, const std::vector<std::uint64_t>& dims)
    {
        detail::require(!name.empty() && name.size() < 65536, "checkpoint: bad section name '{}'", name);
        detail::require(dims.size() < 256, "checkpoint: section '{}' has rank {}", name, dims.size());
        put(body_, static_cast<std::uint16_t>(name.size()));
        append(name.data(), name.size());
        put(body_, kind);
        put(body_, static_cast<std::uint8_t>(dims.size()));
        for (auto d : dims) put(body_, d);
        ++sections_;
    }

    std::vector<std::uint8_t> body_;
    std::uint32_t sections_ = 0;
};

/// Files larger than this are refused before anything is read: far above
/// any network somnus trains (a 6 400-neuron Diehl & Cook network saves
/// about 45 MB), far below what a corrupt or hostile size could ask for.
inline constexpr std::uint64_t checkpoint_max_bytes = std::uint64_t{16} << 30;

/// Reads a checkpoint in two passes over the file, never holding more of it
/// than one section: first the section headers alone (so a directory, a
/// FIFO, a foreign file, or a file whose size the headers do not account
/// for is refused before any payload is read or allocated), then the CRC
/// over every byte in fixed-size blocks. Only then are values handed out;
/// each read() fetches one section from the file into the caller's buffer.
class checkpoint_reader {
public:
    explicit checkpoint_reader(const std::filesystem::path& path) : path_(path.string())
    {
        const std::uint64_t size = require_regular_file(path, "a somnus checkpoint");
        file_.open(path, std::ios::binary);
        if (!file_) fail("cannot open for reading");
        if (size < 20) fail(fmt::format("{} bytes is too short to be a somnus checkpoint", size));
        if (size > checkpoint_max_bytes)
            fail(fmt::format("{} bytes is more than the {} GiB a checkpoint may hold", size, checkpoint_max_bytes >> 30));
        char magic[8];
        read_at(0, magic, 8);
        if (std::memcmp(magic, "SOMNUSCK", 8) != 0) fail("not a somnus checkpoint (bad magic)");
        const auto version = get<std::uint32_t>(8);
        if (version != checkpoint_format_version)
            fail(fmt::format("format version {} (this build reads version {})", version, checkpoint_format_version));
        const auto count = get<std::uint32_t>(12);
        const std::uint64_t end = size - 4;
        // Every section needs at least 4 header bytes, so a count the file
        // cannot hold is refused before the walk.
        if (count > (end - 16) / 4) fail(fmt::format("declares {} sections, more than {} bytes can hold", count, end - 16));
        std::uint64_t at = 16;
        for (std::uint32_t s = 0; s < count; ++s) {
            entry e;
            const auto name_len = get<std::uint16_t>(at, end);
            at += 2;
            need(at, name_len, end);
            std::string name(name_len, '\0');
            read_at(at, name.data(), name_len);
            at += name_len;
            e.kind = get<std::uint8_t>(at, end);
            const auto rank = get<std::uint8_t>(at + 1, end);
            at += 2;
            if (e.kind > 2) fail(fmt::format("section '{}' has unknown kind {}", name, e.kind));
            std::uint64_t elements = 1;
            for (std::uint8_t r = 0; r < rank; ++r) {
                const auto d = get<std::uint64_t>(at, end);
                at += 8;
                if (d != 0 && elements > (std::uint64_t(1) << 40) / d) fail(fmt::format("section '{}' is impossibly large", name));
                elements *= d;
                e.dims.push_back(d);
            }
            const std::uint64_t width = e.kind == 0 ? 4 : e.kind == 1 ? 8 : 1;
            if (elements * width > end - std::min(at, end))
                fail(fmt::format("section '{}' declares {} bytes, the file holds {} after its header (truncated)", name,
                                 elements * width, end - std::min(at, end)));
            e.offset = at;
            e.elements = elements;
            at += elements * width;
            if (entries_.count(name) != 0) fail(fmt::format("section '{}' appears twice", name));
            entries_.emplace(std::move(name), std::move(e));
        }
        if (at != end) fail(fmt::format("{} trailing bytes after the last section", end - at));
        const auto stored_crc = get<std::uint32_t>(end);
        if (crc_of_first(end) != stored_crc) fail("checksum mismatch: the file is truncated or altered");
    }

    const std::string& path() const { return path_; }
    bool has(const std::string& name) const { return entries_.count(name) != 0; }

    /// The shape section `name` was stored with (u64 and text: their length).
    const std::vector<std::uint64_t>& dims(const std::string& name) const
    {
        const auto it = entries_.find(name);
        if (it == entries_.end()) fail(fmt::format("section '{}' is missing", name));
        return it->second.dims;
    }

    /// Copies section `name` into out, which must already have the shape stored.
    void read(const std::string& name, vector_f& out) const { read_f32(name, {out.size()}, out.data()); }
    void read(const std::string& name, matrix_f& out) const { read_f32(name, {out.shape()[0], out.shape()[1]}, out.data()); }
    void read(const std::string& name, std::span<float> out) const { read_f32(name, {out.size()}, out.data()); }
    std::vector<std::uint64_t> read_u64(const std::string& name) const
    {
        const entry& e = find(name, 1);
        std::vector<std::uint64_t> v(e.elements);
        read_at(e.offset, v.data(), e.elements * 8);
        return v;
    }
    std::string read_text(const std::string& name) const
    {
        const entry& e = find(name, 2);
        std::string s(e.elements, '\0');
        read_at(e.offset, s.data(), e.elements);
        return s;
    }

    [[noreturn]] void fail(const std::string& what) const { throw data_error(fmt::format("{}: {}", path_, what)); }

private:
    struct entry {
        std::uint8_t kind = 0;
        std::vector<std::uint64_t> dims;
        std::uint64_t offset = 0;
        std::uint64_t elements = 0;
    };

    void read_at(std::uint64_t at, void* out, std::uint64_t n) const
    {
        if (n == 0) return;
        file_.clear();
        file_.seekg(static_cast<std::streamoff>(at));
        if (!file_.read(static_cast<char*>(out), static_cast<std::streamsize>(n)))
            fail(fmt::format("read failed at byte offset {} (the file changed while being read?)", at));
    }
    template <class T>
    T get(std::uint64_t at, std::uint64_t end = UINT64_MAX) const
    {
        need(at, sizeof(T), end);
        T v;
        read_at(at, &v, sizeof(T));
        return v;
    }
    void need(std::uint64_t at, std::uint64_t n, std::uint64_t end) const
    {
        if (at > end || n > end - at) fail("truncated section header");
    }
    std::uint32_t crc_of_first(std::uint64_t n) const
    {
        std::vector<std::uint8_t> block(std::size_t{1} << 20);
        std::uint32_t crc = 0;
        for (std::uint64_t at = 0; at < n;) {
            const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), n - at));
            read_at(at, block.data(), k);
            crc = detail::crc32(std::span<const std::uint8_t>(block.data(), k), crc);
            at += k;
        }
        return crc;
    }
    const entry& find(const std::string& name, std::uint8_t kind) const
    {
        const auto it = entries_.find(name);
        if (it == entries_.end()) fail(fmt::format("section '{}' is missing", name));
        if (it->second.kind != kind) fail(fmt::format("section '{}' has the wrong type", name));
        return it->second;
    }
    void read_f32(const std::string& name, std::vector<std::uint64_t> dims, float* out) const
    {
        const entry& e = find(name, 0);
        if (e.dims != dims)
            fail(fmt::format("section '{}' has shape {}, expected {}", name, fmt::join(e.dims, "x"), fmt::join(dims, "x")));
        read_at(e.offset, out, e.elements * 4);
    }

    std::string path_;
    mutable std::ifstream file_;
    std::map<std::string, entry> entries_;
};

} // namespace somnus
