// SPDX-License-Identifier: MIT
// Versioned, checksummed binary checkpoints, written atomically.
// Layout (little-endian):
//   "SOMNUSCK"  u32 format_version  u32 section_count
//   per section: u16 name_len, name, u8 kind (0 f32, 1 u64, 2 text),
//                u8 rank, u64 dims[rank], payload
//   u32 CRC-32 of every byte before it
// A reader checks all of it before handing out a single value, so a
// truncated, altered or foreign file is refused with a data_error that names
// the file and the problem.
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

    /// Writes path + ".tmp", flushes, then renames over path: a crash leaves
    /// either the old checkpoint or the new one, never half of one.
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

class checkpoint_reader {
public:
    explicit checkpoint_reader(const std::filesystem::path& path) : path_(path.string())
    {
        std::ifstream f(path, std::ios::binary);
        if (!f) fail("cannot open");
        f.seekg(0, std::ios::end);
        const auto size = static_cast<std::size_t>(f.tellg());
        f.seekg(0);
        bytes_.resize(size);
        f.read(reinterpret_cast<char*>(bytes_.data()), static_cast<std::streamsize>(size));
        if (!f) fail("read failed");
        if (size < 20 || std::memcmp(bytes_.data(), "SOMNUSCK", 8) != 0) fail("not a somnus checkpoint (bad magic)");
        std::uint32_t stored_crc;
        std::memcpy(&stored_crc, bytes_.data() + size - 4, 4);
        const auto version = get<std::uint32_t>(8);
        if (version != checkpoint_format_version)
            fail(fmt::format("format version {} (this build reads version {})", version, checkpoint_format_version));
        if (detail::crc32(std::span<const std::uint8_t>(bytes_.data(), size - 4)) != stored_crc)
            fail("checksum mismatch: the file is truncated or altered");
        const auto count = get<std::uint32_t>(12);
        std::size_t at = 16;
        const std::size_t end = size - 4;
        for (std::uint32_t s = 0; s < count; ++s) {
            entry e;
            const auto name_len = get<std::uint16_t>(at, end);
            at += 2;
            need(at, name_len, end);
            const std::string name(reinterpret_cast<const char*>(bytes_.data() + at), name_len);
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
            need(at, elements * width, end);
            e.offset = at;
            e.elements = elements;
            at += static_cast<std::size_t>(elements * width);
            if (!entries_.emplace(name, std::move(e)).second) fail(fmt::format("section '{}' appears twice", name));
        }
        if (at != end) fail("trailing bytes after the last section");
    }

    const std::string& path() const { return path_; }
    bool has(const std::string& name) const { return entries_.count(name) != 0; }

    /// Copies section `name` into out, which must already have the shape stored.
    void read(const std::string& name, vector_f& out) const { read_f32(name, {out.size()}, out.data()); }
    void read(const std::string& name, matrix_f& out) const { read_f32(name, {out.shape()[0], out.shape()[1]}, out.data()); }
    std::vector<std::uint64_t> read_u64(const std::string& name) const
    {
        const entry& e = find(name, 1);
        std::vector<std::uint64_t> v(e.elements);
        if (!v.empty()) std::memcpy(v.data(), bytes_.data() + e.offset, e.elements * 8);
        return v;
    }
    std::string read_text(const std::string& name) const
    {
        const entry& e = find(name, 2);
        return std::string(reinterpret_cast<const char*>(bytes_.data() + e.offset), e.elements);
    }

    [[noreturn]] void fail(const std::string& what) const { throw data_error(fmt::format("{}: {}", path_, what)); }

private:
    struct entry {
        std::uint8_t kind = 0;
        std::vector<std::uint64_t> dims;
        std::size_t offset = 0;
        std::uint64_t elements = 0;
    };

    template <class T>
    T get(std::size_t at, std::size_t end = SIZE_MAX) const
    {
        need(at, sizeof(T), std::min(end, bytes_.size()));
        T v;
        std::memcpy(&v, bytes_.data() + at, sizeof(T));
        return v;
    }
    void need(std::size_t at, std::uint64_t n, std::size_t end) const
    {
        if (at > end || n > end - at) fail("truncated section");
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
        if (e.elements > 0) std::memcpy(out, bytes_.data() + e.offset, e.elements * 4);
    }

    std::string path_;
    std::vector<std::uint8_t> bytes_;
    std::map<std::string, entry> entries_;
};

} // namespace somnus
