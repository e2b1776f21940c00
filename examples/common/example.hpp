// SPDX-License-Identifier: MIT
// What every example program shares: argument parsing with the exit-status
// contract (0 ok, 2 bad arguments or bad input, one-line message), progress
// lines on stderr, atomic JSON results, PNG output of plot canvases.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <somnus/core/error.hpp>
#include <somnus/core/simd.hpp>
#include <somnus/io/atomic_file.hpp>
#include <somnus/io/png.hpp>

#include "plot.hpp"

namespace somnus::example {

inline constexpr int exit_bad_input = 2;

/// Parses; returns an exit status if the program should stop now (help
/// printed: 0; bad arguments: 2 after a one-line message).
inline std::optional<int> parse(CLI::App& app, int argc, char** argv)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return 0;
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "{}: {}\n", app.get_name(), e.what());
        return exit_bad_input;
    }
    return std::nullopt;
}

/// Runs body, turning somnus' bad-input errors into exit status 2 with a
/// one-line message, and anything else into status 1.
template <class Body>
int guarded(const std::string& program, Body&& body)
{
    try {
        return body();
    } catch (const somnus::data_error& e) {
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return exit_bad_input;
    } catch (const somnus::config_error& e) {
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return exit_bad_input;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: error: {}\n", program, e.what());
        return 1;
    }
}

inline void write_json(const std::filesystem::path& path, const nlohmann::json& j)
{
    somnus::write_file_atomically(path, j.dump(2) + "\n");
}

inline void write_png(const std::filesystem::path& path, const plot::canvas& c)
{
    somnus::write_png(path, c.width(), c.height(), c.pixels(), 3);
}

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

/// Rate-limited progress lines on stderr: "<what> done/total (pct) rate/s ETA".
class progress {
public:
    progress(std::string what, std::size_t total, double every_s = 2.0)
        : what_(std::move(what)), total_(total), every_(every_s), t0_(clock::now()), last_(t0_) {}

    /// extra is appended to the line (e.g. a running accuracy).
    void update(std::size_t done, const std::string& extra = {}, bool force = false)
    {
        const auto now = clock::now();
        if (!force && std::chrono::duration<double>(now - last_).count() < every_) return;
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - t0_).count();
        const double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
        const double eta = rate > 0 ? double(total_ - std::min(done, total_)) / rate : 0.0;
        fmt::print(stderr, "{} {}/{} ({:.1f}%)  {:.0f}/s  ETA {:.0f} s{}{}\n", what_, done, total_,
                   total_ ? 100.0 * double(done) / double(total_) : 100.0, rate, eta, extra.empty() ? "" : "  ", extra);
    }
    double elapsed() const { return seconds_since(t0_); }

private:
    std::string what_;
    std::size_t total_;
    double every_;
    clock::time_point t0_, last_;
};

} // namespace somnus::example
