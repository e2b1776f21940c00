// SPDX-License-Identifier: MIT
// What every example program shares: argument parsing with the exit-status
// contract (0 ok, 2 bad arguments or bad input, one-line message), progress
// lines on stderr, atomic JSON results (the arrays beside them: arrays.hpp); the
// validators of numeric flags, the checks of output paths before any work,
// the --dataset and --data flags with their default folders, and the image
// count check of a loaded image set.
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <somnus/core/error.hpp>
#include <somnus/core/simd.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/io/atomic_file.hpp>
#include <somnus/io/file.hpp>


namespace somnus::example {

inline constexpr int exit_bad_input = 2;

/// The program's name as messages print it: the last component of a path
/// (CLI11 names an unnamed App after argv[0], which may be a full path).
inline std::string program_name(const std::string& name)
{
    const auto slash = name.find_last_of('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

/// Parses; returns an exit status if the program should stop now (help
/// printed: 0; bad arguments: 2 after a one-line message). An option given
/// an empty value (--json '', --data '') is refused: every option of these
/// programs names a file, a folder or a choice, and an empty one would
/// otherwise read as "not given".
inline std::optional<int> parse(CLI::App& app, int argc, char** argv)
{
    try {
        app.parse(argc, argv);
        for (const CLI::Option* opt : app.get_options())
            for (const auto& value : opt->results())
                if (value.empty())
                    throw CLI::ValidationError(opt->get_name(), "empty value (give a path, or leave the option out)");
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return 0;
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "{}: {}\n", program_name(app.get_name()), e.what());
        return exit_bad_input;
    }
    return std::nullopt;
}

/// Validators for numeric flags, used instead of CLI11's Range,
/// PositiveNumber and NonNegativeNumber: those let NaN through, let "-1"
/// into an unsigned flag (where it wraps to 2^64 - 1), and print the
/// largest double as a 309-digit number. Each checks the text before CLI11
/// converts it; the message says what was expected, with bounds in %g form.
namespace detail {

inline std::string bound_text(double x) { return fmt::format("{:g}", x); }

inline bool all_digits(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

/// A number in (lo or [lo) .. hi], finite unless infinity_ok (+inf only).
inline CLI::Validator number_check(double lo, bool lo_open, double hi, bool infinity_ok)
{
    const bool unbounded = hi >= double(std::numeric_limits<float>::max());
    std::string range = unbounded ? fmt::format("{} {}", lo_open ? ">" : ">=", bound_text(lo))
                                  : fmt::format("in {}{}, {}]", lo_open ? "(" : "[", bound_text(lo), bound_text(hi));
    if (infinity_ok) range += " or inf";
    const std::string expected = (infinity_ok ? "a number " : "a finite number ") + range;
    return CLI::Validator(
        [=](std::string& s) -> std::string {
            // strtod skips leading blanks and reads nan, inf and hex floats; the
            // blanks and the non-finite values are refused here.
            const char* begin = s.c_str();
            char* end = nullptr;
            errno = 0;
            const double v = s.empty() || std::isspace(static_cast<unsigned char>(s[0])) ? 0.0 : std::strtod(begin, &end);
            if (end == nullptr || end == begin || *end != '\0') return fmt::format("'{}' is not a number (expected {})", s, expected);
            if (std::isnan(v)) return fmt::format("{} is not a number (expected {})", s, expected);
            if (std::isinf(v) && !(infinity_ok && v > 0))
                return fmt::format("{} is {} (expected {})", s, errno == ERANGE ? "too large" : "not finite", expected);
            if (std::isinf(v)) return {};
            if (v < lo || (lo_open && v == lo) || v > hi) {
                if (unbounded && v > hi) return fmt::format("{} is too large (at most {})", s, bound_text(hi));
                return fmt::format("{} is out of range (expected {})", s, expected);
            }
            return {};
        },
        "FLOAT " + range, "number");
}

} // namespace detail

/// A decimal whole number in [lo, hi]: refuses a sign (so "-1" never wraps),
/// a fraction, hex or octal, and anything above hi or 2^64 - 1. The text is
/// rewritten without leading zeros, which CLI11 would read as octal.
inline CLI::Validator integer_in(std::uint64_t lo, std::uint64_t hi = std::numeric_limits<std::uint64_t>::max())
{
    const std::string range =
        hi == std::numeric_limits<std::uint64_t>::max() ? fmt::format(">= {}", lo) : fmt::format("in [{}, {}]", lo, hi);
    return CLI::Validator(
        [=](std::string& s) -> std::string {
            if (!detail::all_digits(s)) return fmt::format("'{}' is not a whole number {}", s, range);
            std::uint64_t v = 0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (ec == std::errc::result_out_of_range || v > hi)
                return fmt::format("{} is too large (at most {})", s, hi);
            if (ec != std::errc() || end != s.data() + s.size()) return fmt::format("'{}' is not a whole number {}", s, range);
            if (v < lo) return fmt::format("{} is out of range (expected a whole number {})", s, range);
            s = std::to_string(v);
            return {};
        },
        "INT " + range, "integer");
}

/// A whole number of type T (its largest value the upper bound), at least lo.
template <class T>
CLI::Validator integer_at_least(std::uint64_t lo = 0)
{
    return integer_in(lo, std::numeric_limits<T>::max());
}

/// A finite number in [lo, hi].
inline CLI::Validator number_in(double lo, double hi) { return detail::number_check(lo, false, hi, false); }

/// A finite number > 0 (and at most hi: by default the largest float, since
/// most of these flags are floats).
inline CLI::Validator positive_number(double hi = std::numeric_limits<float>::max())
{
    return detail::number_check(0.0, true, hi, false);
}

/// A finite number >= 0 (and at most hi).
inline CLI::Validator non_negative_number(double hi = std::numeric_limits<float>::max())
{
    return detail::number_check(0.0, false, hi, false);
}

/// A number > 0, or inf where infinity means "none" (a time constant).
inline CLI::Validator positive_or_infinite() { return detail::number_check(0.0, true, std::numeric_limits<float>::max(), true); }

/// Runs body, turning somnus' bad-input errors into exit status 2 with a
/// one-line message, and anything else into status 1.
/// A message prefixed with the program's name once: a message that already
/// starts with it (thrown by code that names the program) is not prefixed
/// again.
inline std::string with_program(const std::string& program, const std::string& message)
{
    const std::string prefix = program + ": ";
    return message.rfind(prefix, 0) == 0 ? message : prefix + message;
}

template <class Body>
int guarded(const std::string& program, Body&& body)
{
    try {
        return body();
    } catch (const somnus::data_error& e) {
        fmt::print(stderr, "{}\n", with_program(program, e.what()));
        return exit_bad_input;
    } catch (const somnus::config_error& e) {
        fmt::print(stderr, "{}\n", with_program(program, e.what()));
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

/// Checks, before any work, that an output file (--json, --save, ...) can be
/// written; nothing to check when path is empty (the flag not given).
/// Throws config_error (exit status 2 under guarded) naming the flag.
inline void require_output_file(const std::string& path, const std::string& flag)
{
    if (!path.empty()) somnus::require_writable_file(path, flag);
}

/// The same for an output folder (--out, --checkpoints): it exists and is
/// writable, or it can be created.
inline void require_output_folder(const std::string& path, const std::string& flag)
{
    if (!path.empty()) somnus::require_writable_folder(path, flag);
}

/// Outputs written once the results are computed (a checkpoint, pictures, a
/// table): a failure is reported on stderr and remembered instead of ending
/// the run, so that what comes after (the JSON above all) is still written.
/// The program then records errors() in its JSON and exits with status().
class late_outputs {
public:
    explicit late_outputs(std::string program) : program_(std::move(program)) {}

    /// Runs write(); on an exception, prints "<program>: <what>: <message>"
    /// and returns false.
    template <class Write>
    bool attempt(const std::string& what, Write&& write)
    {
        try {
            write();
            return true;
        } catch (const std::exception& e) {
            errors_.push_back(fmt::format("{}: {}", what, e.what()));
            fmt::print(stderr, "{}: {} (carrying on; exit status 1 at the end)\n", program_, errors_.back());
            return false;
        }
    }
    const std::vector<std::string>& errors() const { return errors_; }
    /// Writes the result JSON j to path, atomically, with the errors so far
    /// recorded in it as "output_errors" (the run's last output).
    void write_json(const std::filesystem::path& path, nlohmann::json& j) const
    {
        if (!errors_.empty()) j["output_errors"] = errors_;
        example::write_json(path, j);
    }
    /// 0 when every output was written, else 1.
    int status() const { return errors_.empty() ? 0 : 1; }

private:
    std::string program_;
    std::vector<std::string> errors_;
};

/// Throws where the environment variable SOMNUS_INJECT_FAILURE equals
/// `point`: the tests' way to make a long run fail late (as a full disk or a
/// lost node would) and check that what was computed is still written.
inline void injected_failure(const std::string& point)
{
    const char* at = std::getenv("SOMNUS_INJECT_FAILURE");
    if (at != nullptr && point == at) throw std::runtime_error(fmt::format("failure injected at {} (SOMNUS_INJECT_FAILURE)", point));
}

/// Does v hold a value twice?
template <class T>
bool repeats(std::vector<T> v)
{
    std::sort(v.begin(), v.end());
    return std::adjacent_find(v.begin(), v.end()) != v.end();
}

/// A one-line message for a bad combination of flags; returns exit status 2.
inline int fail_with(const std::string& program, const std::string& message)
{
    fmt::print(stderr, "{}: {}\n", program, message);
    return exit_bad_input;
}

/// Where a dataset's IDX files are when --data is not given.
inline std::string default_data_folder(const std::string& dataset)
{
    return dataset == "mnist" ? "data/mnist" : "/usr/share/datasets/fashion-mnist";
}

/// The folder to read: --data if given, else the dataset's default.
inline std::string data_folder(const std::string& dataset, const std::string& data)
{
    return !data.empty() ? data : default_data_folder(dataset);
}

/// "a or b", "a, b or c".
inline std::string either_of(const std::vector<std::string>& choices)
{
    std::string text;
    for (std::size_t k = 0; k < choices.size(); ++k)
        text += (k == 0 ? "" : k + 1 == choices.size() ? " or " : ", ") + choices[k];
    return text;
}

/// --dataset (one of choices) and --data (the IDX folder; help says what
/// an empty value means).
inline void add_dataset_options(CLI::App& app, std::string& dataset, std::string& data,
                                const std::vector<std::string>& choices = {"mnist", "fashion"},
                                const std::string& data_help = "folder with the IDX files (default: data/mnist, or "
                                                               "/usr/share/datasets/fashion-mnist)")
{
    app.add_option("--dataset", dataset, either_of(choices))->check(CLI::IsMember(choices))->capture_default_str();
    app.add_option("--data", data, data_help);
}

/// How many images of d to use: `asked` when the flag was given (refused,
/// naming the file and both numbers, when the file holds fewer), else all
/// that were loaded (refused when that is none). d must have been loaded
/// with a limit of at least asked.
inline std::size_t images_to_use(const somnus::image_dataset& d, std::optional<std::size_t> asked, const std::string& flag)
{
    if (!asked) {
        if (d.size() == 0) throw somnus::data_error(fmt::format("{}: holds no images", d.images_path.string()));
        return d.size();
    }
    if (*asked > d.items_in_file)
        throw somnus::config_error(fmt::format("{} {}: {} holds only {} images", flag, *asked, d.images_path.string(), d.items_in_file));
    return *asked;
}

} // namespace somnus::example
