// SPDX-License-Identifier: MIT
// MNIST (or Fashion-MNIST) to an N-MNIST-format folder tree, by simulating
// the saccade recording of Orchard et al. 2015 (somnus/data/saccade.hpp):
// <out>/Train/<digit>/<index>.bin and <out>/Test/..., readable by any
// N-MNIST reader. Deterministic by seed, whatever the thread count.
// The tree is written into a temporary folder beside --out and renamed into
// place when complete, so a reader never sees a half-written or mixed tree:
// a non-empty --out is refused unless --replace is given.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <unistd.h>

#include <somnus/core/parallel.hpp>
#include <somnus/data/events.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/saccade.hpp>

#include "arrays.hpp"
#include "example.hpp"

namespace ex = somnus::example;

namespace {

struct options {
    std::string dataset = "mnist";
    std::string data;
    std::string out = "data/nmnist-synth";
    std::string split = "both";
    std::size_t limit = 0;  // 0: all
    bool replace = false;   // replace a non-empty --out
    unsigned threads = 2;
    std::uint64_t seed = 0;
    std::string json;
    somnus::saccade_params params;
};

/// Sums over the written recordings; integers, so the totals do not depend
/// on how the work was split.
struct totals {
    std::uint64_t samples = 0, events = 0, on = 0, off = 0, duration_us = 0;
    std::uint64_t events_sq = 0;  // for the standard deviation
    std::uint32_t min_duration_us = ~0u, max_duration_us = 0;
    std::uint64_t min_events = ~std::uint64_t{0}, max_events = 0;

    void add(const somnus::event_stats& s)
    {
        ++samples;
        events += s.events;
        events_sq += std::uint64_t(s.events) * s.events;
        on += s.on;
        off += s.off;
        duration_us += s.duration_us();
        min_duration_us = std::min(min_duration_us, s.duration_us());
        max_duration_us = std::max(max_duration_us, s.duration_us());
        min_events = std::min<std::uint64_t>(min_events, s.events);
        max_events = std::max<std::uint64_t>(max_events, s.events);
    }
    void add(const totals& t)
    {
        samples += t.samples;
        events += t.events;
        events_sq += t.events_sq;
        on += t.on;
        off += t.off;
        duration_us += t.duration_us;
        min_duration_us = std::min(min_duration_us, t.min_duration_us);
        max_duration_us = std::max(max_duration_us, t.max_duration_us);
        min_events = std::min(min_events, t.min_events);
        max_events = std::max(max_events, t.max_events);
    }
    double mean_events() const { return samples ? double(events) / double(samples) : 0.0; }
    double sd_events() const
    {
        if (samples < 2) return 0.0;
        const double m = mean_events();
        return std::sqrt(std::max(0.0, (double(events_sq) - double(samples) * m * m) / double(samples - 1)));
    }
    double on_off_ratio() const { return off ? double(on) / double(off) : 0.0; }
    double on_fraction() const { return events ? double(on) / double(events) : 0.0; }
    double mean_duration_ms() const { return samples ? double(duration_us) / double(samples) / 1000.0 : 0.0; }
};

std::filesystem::path sample_path(const std::filesystem::path& root, somnus::mnist_split split, std::uint8_t label,
                                  std::size_t index)
{
    // Numbered from 1 in the order of the MNIST file.
    return root / (split == somnus::mnist_split::train ? "Train" : "Test") / std::to_string(label) /
           fmt::format("{:05}.bin", index + 1);
}

totals convert(const options& o, const somnus::saccade_synthesizer& syn, const somnus::image_dataset& images,
               somnus::mnist_split split, const std::filesystem::path& root)
{
    const char* name = split == somnus::mnist_split::train ? "Train" : "Test";
    for (int d = 0; d <= 9; ++d) std::filesystem::create_directories(root / name / std::to_string(d));
    const std::size_t n = images.size();
    std::vector<totals> per_worker(std::max(1u, o.threads));
    std::atomic<std::size_t> done{0};
    ex::progress progress(fmt::format("{} {}", o.dataset, name), n);
    const std::uint64_t split_key = split == somnus::mnist_split::train ? 0 : 1;
    somnus::parallel_blocks(n, o.threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        std::vector<somnus::event> events;
        totals& t = per_worker[worker];
        for (std::size_t i = begin; i < end; ++i) {
            syn.synthesize(images.image(i), images.rows, images.cols, split_key << 32 | i, events);
            somnus::write_nmnist(sample_path(root, split, images.labels[i], i), events, syn.params().sensor);
            t.add(somnus::summarize(events));
            const std::size_t d = ++done;
            if (worker == 0) progress.update(d);
        }
    });
    progress.update(n, {}, true);
    totals all;
    for (const auto& t : per_worker) all.add(t);
    return all;
}

nlohmann::json stats_json(const totals& t)
{
    return {{"samples", t.samples},
            {"mean_events", t.mean_events()},
            {"sd_events", t.sd_events()},
            {"min_events", t.samples ? t.min_events : 0},
            {"max_events", t.max_events},
            {"on_events", t.on},
            {"off_events", t.off},
            {"on_off_ratio", t.on_off_ratio()},
            {"on_fraction", t.on_fraction()},
            {"mean_duration_ms", t.mean_duration_ms()},
            {"min_duration_ms", t.samples ? t.min_duration_us / 1000.0 : 0.0},
            {"max_duration_ms", t.max_duration_us / 1000.0}};
}

/// --out as an absolute path without a trailing separator (so that it has a
/// parent folder to write the temporary tree in).
std::filesystem::path output_root(const std::string& out)
{
    auto root = std::filesystem::absolute(out).lexically_normal();
    if (!root.has_filename() && root.has_parent_path() && root != root.root_path()) root = root.parent_path();
    if (root == root.root_path()) throw somnus::config_error(fmt::format("--out {}: cannot write into the file system's root", out));
    return root;
}

/// A folder beside --out that the tree is written into, removed unless
/// commit() moved it into place.
class staging_folder {
public:
    explicit staging_folder(const std::filesystem::path& root, const std::string& flag)
        : root_(root), path_(root.parent_path() / fmt::format(".{}.make_nmnist-{}", root.filename().string(), ::getpid()))
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
        std::filesystem::create_directories(path_, ec);
        if (ec)
            throw somnus::config_error(fmt::format("{} {}: cannot create the temporary folder {} beside it: {}", flag, root.string(),
                                                   path_.string(), ec.message()));
    }
    staging_folder(const staging_folder&) = delete;
    staging_folder& operator=(const staging_folder&) = delete;
    ~staging_folder()
    {
        std::error_code ec;
        if (!committed_) std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

    /// Moves the finished tree to root: an empty or missing root is replaced
    /// by one rename; a non-empty one (--replace) is first moved aside, then
    /// removed once the new tree is in place.
    void commit()
    {
        namespace fs = std::filesystem;
        if (fs::exists(root_) && !fs::is_empty(root_)) {
            const fs::path old = root_.parent_path() / fmt::format(".{}.replaced-{}", root_.filename().string(), ::getpid());
            fs::rename(root_, old);
            fs::rename(path_, root_);
            committed_ = true;
            fs::remove_all(old);
        } else {
            if (fs::exists(root_)) fs::remove(root_);
            fs::rename(path_, root_);
            committed_ = true;
        }
    }

private:
    std::filesystem::path root_, path_;
    bool committed_ = false;
};

/// The images the saccade parameters are made for: N-MNIST's 28x28 digits
/// on a 34x34 sensor.
constexpr std::size_t image_rows = 28, image_cols = 28;

int run(const options& o)
{
    const auto t_start = ex::clock::now();
    // Every output path is checked before any work.
    ex::require_output_folder(o.out, "--out");
    ex::require_output_file(o.json, "--json");
    const std::filesystem::path root = output_root(o.out);
    if (std::filesystem::exists(root) && !std::filesystem::is_empty(root) && !o.replace)
        throw somnus::config_error(fmt::format("--out {}: folder is not empty (recordings of another run would mix with these); "
                                               "give --replace to replace it, or an empty or new folder", o.out));
    staging_folder staging(root, "--out");
    const std::string dir = ex::data_folder(o.dataset, o.data);
    const std::size_t limit = o.limit ? o.limit : std::numeric_limits<std::size_t>::max();
    const bool do_train = o.split != "test", do_test = o.split != "train";
    somnus::image_dataset train, test;
    // Images of another size are refused before their pixels are read.
    const somnus::image_geometry geometry{image_rows, image_cols};
    if (do_train) train = somnus::load_mnist(dir, somnus::mnist_split::train, limit, geometry);
    if (do_test) test = somnus::load_mnist(dir, somnus::mnist_split::test, limit, geometry);
    const somnus::saccade_synthesizer syn(o.params, o.seed);
    fmt::print(stderr, "{}: {} training and {} test images from {} -> {} (seed {}, {} threads)\n", o.dataset, train.size(),
               test.size(), dir, root.string(), o.seed, o.threads);

    const auto t_convert = ex::clock::now();
    totals tr, te;
    if (do_train) tr = convert(o, syn, train, somnus::mnist_split::train, staging.path());
    if (do_test) te = convert(o, syn, test, somnus::mnist_split::test, staging.path());
    staging.commit();
    const double convert_seconds = ex::seconds_since(t_convert);
    totals all = tr;
    all.add(te);

    fmt::print(stderr, "{} recordings in {:.1f} s ({:.0f}/s, files written)\n", all.samples, convert_seconds,
               convert_seconds > 0 ? double(all.samples) / convert_seconds : 0.0);
    fmt::print(stderr, "events per recording: mean {:.0f} (sd {:.0f}, min {}, max {})\n", all.mean_events(),
               all.sd_events(), all.samples ? all.min_events : 0, all.max_events);
    fmt::print(stderr, "ON/OFF: {:.3f} (ON fraction {:.3f})\n", all.on_off_ratio(), all.on_fraction());
    fmt::print(stderr, "duration (last - first event): mean {:.1f} ms (min {:.1f}, max {:.1f})\n",
               all.mean_duration_ms(), all.samples ? all.min_duration_us / 1000.0 : 0.0, all.max_duration_us / 1000.0);

    // The first recording's frames, beside the JSON (examples/make_nmnist/figures.py
    // draws them as a strip): a failure is reported and the JSON still
    // written, then the program exits 1.
    ex::late_outputs late("make_nmnist");
    ex::array_outputs arrays("make_nmnist", o.json);
    nlohmann::json first;
    if (arrays.enabled() && all.samples > 0) late.attempt("arrays beside " + o.json, [&] {
        // Read back through the N-MNIST reader, in 35 ms frames: three per saccade.
        const auto first_split = do_train && train.size() ? somnus::mnist_split::train : somnus::mnist_split::test;
        const auto& images = first_split == somnus::mnist_split::train ? train : test;
        const auto path = sample_path(root, first_split, images.labels[0], 0);
        const somnus::frame_params frames_of{35000, 9, 0};
        const auto events = somnus::read_nmnist(path, o.params.sensor);
        arrays.add("first_recording_frames", somnus::accumulate_frames(events, o.params.sensor, frames_of),
                   "event counts of the first recording in 35 ms frames (frames x polarity (0 OFF, 1 ON) x height x width)");
        first = {{"path", path.string()}, {"label", int(images.labels[0])}, {"frame_us", frames_of.window_us}};
    });

    if (!o.json.empty()) {
        const auto& p = o.params;
        nlohmann::json j;
        j["experiment"] = "make_nmnist";
        j["dataset"] = o.dataset;
        j["seed"] = o.seed;
        j["threads"] = o.threads;
        j["out"] = o.out;
        j["samples"] = all.samples;
        j["mean_events"] = all.mean_events();
        j["on_off_ratio"] = all.on_off_ratio();
        j["mean_duration_ms"] = all.mean_duration_ms();
        j["all"] = stats_json(all);
        if (do_train) j["train"] = stats_json(tr);
        if (do_test) j["test"] = stats_json(te);
        j["convert_seconds"] = convert_seconds;
        j["samples_per_second"] = convert_seconds > 0 ? double(all.samples) / convert_seconds : 0.0;
        j["wall_seconds"] = ex::seconds_since(t_start);
        j["params"] = {{"sensor", {p.sensor.width, p.sensor.height}},
                       {"origin_px", {p.origin_x_px, p.origin_y_px}},
                       {"corners_px", p.corners_px},
                       {"saccade_us", p.saccade_us},
                       {"black_level", p.black_level},
                       {"on_threshold", p.on_threshold},
                       {"off_threshold", p.off_threshold},
                       {"threshold_sigma", p.threshold_sigma},
                       {"refractory_us", p.refractory_us},
                       {"noise_rate_hz", p.noise_rate_hz},
                       {"noise_on_fraction", p.noise_on_fraction}};
        // Figures measured on the real N-MNIST, for comparison (docs/nmnist.md).
        j["reference"] = {{"mean_events", 4172},
                          {"mean_events_source", "mean over the N-MNIST training set, computed with tonic (community measurement)"},
                          {"duration_ms_range", {290.901, 315.348}},
                          {"duration_source", "spikingjelly issue #122: shortest and longest t[-1] - t[0] in N-MNIST"}};
        if (!first.is_null()) j["first_recording"] = first;
        arrays.describe_in(j);
        late.write_json(o.json, j);
    }
    return late.status();
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    auto& p = o.params;
    CLI::App app("Synthesise an N-MNIST-format dataset from MNIST by simulating saccades (Orchard et al. 2015)",
                 "make_nmnist");
    ex::add_dataset_options(app, o.dataset, o.data);
    app.add_option("--out", o.out, "output folder (Train/<digit>/*.bin, Test/<digit>/*.bin); empty or new unless --replace")
        ->capture_default_str();
    app.add_flag("--replace", o.replace, "replace a non-empty --out (the new tree is written beside it, then renamed into place)");
    app.add_option("--split", o.split, "train, test or both")->check(CLI::IsMember({"train", "test", "both"}))->capture_default_str();
    app.add_option("--limit", o.limit, "at most this many images of each split, the first of each file (0: all)")
        ->check(ex::integer_at_least<std::size_t>(0))
        ->capture_default_str();
    app.add_option("--threads", o.threads, "worker threads (results do not depend on it)")->check(ex::integer_in(1, 1024))->capture_default_str();
    app.add_option("--seed", o.seed, "random seed (sensor thresholds and background activity)")
        ->check(ex::integer_at_least<std::uint64_t>(0))
        ->capture_default_str();
    app.add_option("--json", o.json, "write the event statistics and timings as one JSON object to this file, and the first "
                                     "recording's frames (35 ms each) beside it");
    app.add_option("--saccade-us", p.saccade_us, "duration of each of the three saccades (us)")->check(ex::integer_in(1, 2000000))->capture_default_str();
    app.add_option("--black-level", p.black_level, "luminance of black as a fraction of white")->check(ex::number_in(0.001, 1))->capture_default_str();
    app.add_option("--on-threshold", p.on_threshold, "ON contrast threshold (log units)")->check(ex::number_in(0.01, 10))->capture_default_str();
    app.add_option("--off-threshold", p.off_threshold, "OFF contrast threshold (log units)")->check(ex::number_in(0.01, 10))->capture_default_str();
    app.add_option("--threshold-sigma", p.threshold_sigma, "pixel-to-pixel spread of the thresholds")->check(ex::number_in(0, 1))->capture_default_str();
    app.add_option("--refractory-us", p.refractory_us, "dead time after each event (us)")->check(ex::integer_in(0, 1000000))->capture_default_str();
    app.add_option("--noise-hz", p.noise_rate_hz, "background-activity events per pixel per second")->check(ex::number_in(0, 10000))->capture_default_str();
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    return ex::guarded("make_nmnist", [&] { return run(o); });
}
