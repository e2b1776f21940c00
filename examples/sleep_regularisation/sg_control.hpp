// SPDX-License-Identifier: MIT
// The surrogate-gradient control of our reproduction of Massey, Hubin,
// Nichele & Saebo 2026 (DESIGN.md section 9; our reading of the abstract:
// "the same sleep intervention yields no measurable benefit for the
// surrogate-gradient SNN"). The paper's architecture is not public; the
// network here is the Gupta 2024 member (sg/gupta.hpp) on N-MNIST frames
// (tonic's Denoise(10 ms) and ToFrame(1 ms), data/tonic.hpp), and the sleep
// is sg/sleep.hpp's: noise input, a forward pass without learning, the
// STDP network's stochastic decay on every conv and linear weight.
//
// Interface (to be called from a main.cpp):
//
//   sg_control_options o;                 // defaults: the full control (31 min on 2 threads, measured)
//   o.data = "/work/nmnist-synth";        // or sg_control_quick(path): under a minute
//   std::vector<sg_run> runs = run_sg_control(o, progress);   // every unit, in unit order
//   auto fs = function_space_by_fraction(o, runs);            // groups, S0, H per fraction
//
// or, spread over MPI ranks (examples/common/mpi.hpp), one unit at a time:
//
//   validate(o);                                   // config_error on a bad option, before any work
//   sg_control_session session(o);                 // reads the folder listing and the test frames
//   for (std::size_t u = 0; u < unit_count(o); ++u)
//       if (mpi.mine(u)) mine.push_back(to_json(session.run_unit(u, progress)));
//   ... gather at rank 0, sg_run_from_json each, sort by .unit
//
// A unit's result depends only on the options and its index (not on the
// process, the other units, or the thread count); only the *_seconds fields
// differ between runs.
//
// Units. For fraction i (of F) and seed s (of S): unit i S + s is the main
// run, unit F S + i S + s the forgetting run (when o.forgetting). Seed s is a
// member: its own initial weights (init key s) and its own disjoint part of
// the training set, recordings perm[s n, (s + 1) n) of a seeded permutation
// of the training set (n = train_per_member; as nmnist_ensemble draws its
// tenths, so that no part depends on how the files happen to be ordered, and
// seed s's part does not change with the number of seeds). Fractions of one seed
// share the data, the initial weights, the batch order and the first random
// numbers of each sleep: the comparison across fractions is paired.
//
// Schedule. Each epoch is a wake phase (one pass over the run's training
// samples in a seeded order, batches of o.batch, Adam) followed by a sleep
// phase of sleep_ms_for_fraction(wake_ms, f) (wake_ms: the epoch's samples'
// frames at 1 ms each), so sleep is the fraction f of the training time,
// including after the last epoch (the tested network has slept). Adam's
// moments carry across sleep (resetting them would be a second intervention).
// Main run: o.epochs epochs on the member's part. Forgetting run: o.epochs
// epochs on the part's recordings of classes 0-4, then o.epochs on those of
// 5-9, with the same sleep after every epoch; forgetting = accuracy on the
// test recordings of classes 0-4 after phase one minus after phase two.
//
// Measured after every epoch, after its sleep:
//   - per layer with weights (conv1, conv2, linear) and overall, over weights
//     only (biases excluded): mean |w|, max |w|; also at initialisation;
//   - weight entropy per layer: plug-in entropy in bits of a 64-bin histogram
//     over the fixed range [-4 / sqrt(fan_in), 4 / sqrt(fan_in)] (four times
//     PyTorch's init bound, the same range for every epoch, fraction and
//     seed), values outside it counted in the end bins;
// and, in main runs after every epoch, in forgetting runs after the last
// epoch of each phase only (unless o.forgetting_epoch_tests), on the first
// o.test test recordings (evaluated in batches of o.batch, each padded to its
// longest recording as training pads):
//   - test accuracy (all, classes 0-4, classes 5-9); with
//     o.test_before_sleep also before the sleep phase;
//   - representational diversity: the mean Pearson correlation between the
//     10 output neurons' spike counts over the test recordings, over the
//     pairs where neither neuron is constant (how many is recorded); the
//     number of distinct classes the network predicts over the test set; and
//     its shuffled-label mapping (as nmnist_ensemble: one fixed permutation
//     of the labels, each shuffled label mapped to the class predicted most
//     often for its recordings) with the number of distinct classes in it;
//   - the sleep phase's report (steps, input, hidden and output spikes).
// The caller groups the main runs' final mappings across seeds per fraction
// (function_space_by_fraction: groups, S0 and Shannon H, function_space.hpp).
//
// Defaults (ours; the abstract gives no numbers): 300 training recordings
// per member, 250 test, 3 epochs, batch 16, Adam lr 2e-2; sleep noise 10 Hz
// per input, decay toward 0 with tau 1000 s, sigma 0.01, every 10 ms. At 300
// recordings an epoch is about 94 s of wake, so sleep fractions 0.05 ... 0.5
// keep exp(-sleep / tau) = 0.995 ... 0.91 of each weight's distance from 0
// per epoch. Pass the STDP network's decay parameters for "the same" sleep.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <somnus/core/error.hpp>
#include <somnus/core/parallel.hpp>
#include <somnus/core/random.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/nmnist_frames.hpp>
#include <somnus/data/tonic.hpp>
#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/loss.hpp>
#include <somnus/sg/sleep.hpp>
#include <somnus/sg/train.hpp>
#include <somnus/sleep/weights.hpp>
#include <somnus/stats/correlation.hpp>

namespace somnus::example {

struct sg_control_options {
    std::filesystem::path data = "data/nmnist-synth";  ///< N-MNIST layout (Train/<digit>/*.bin, Test/...)
    std::vector<double> fractions{0.0, 0.05, 0.1, 0.2, 0.3, 0.5};  ///< sleep / (wake + sleep), each in [0, 1)
    std::size_t seeds = 5;                  ///< members per fraction
    std::size_t train_per_member = 300;     ///< recordings in each member's part
    std::size_t test = 250;                 ///< the first test recordings
    std::size_t epochs = 3;                 ///< wake + sleep cycles (per phase in the forgetting runs)
    /// Not the paper's 128: 300 recordings would give 3 updates an epoch
    /// (about 30 % test accuracy after 3 epochs); 16 gives 19.
    std::size_t batch = 16;
    float lr = 2e-2f;                       ///< Adam, betas 0.9 / 0.999, eps 1e-8
    /// The STDP network's stochastic_decay parameters (sleep/weights.hpp);
    /// baseline 0 for these signed weights (sg/sleep.hpp). Ours: the
    /// abstract gives no values.
    stochastic_decay::params decay{0.0f, 1.0e6, 0.01f, 10.0};
    float noise_rate_hz = 10.0f;            ///< per input unit during sleep
    bool forgetting = true;                 ///< also the two-phase (0-4 then 5-9) runs
    bool test_before_sleep = false;         ///< also test each epoch before its sleep
    bool forgetting_epoch_tests = false;    ///< test every epoch of the forgetting runs, not only each phase's last
    unsigned threads = 2;                   ///< results do not depend on it
    std::uint64_t seed = 0;
    std::size_t max_frames = nmnist_default_max_frames;  ///< per recording, at most nmnist_max_frames_limit
};

/// A setting for a smoke run in under a minute on 2 threads: 2 fractions
/// (0, 0.2), 2 seeds, 64 training recordings each, 64 test, 2 epochs,
/// batch 16, with the forgetting runs (8 units). Too little to learn much:
/// it checks the machinery, not the result.
inline sg_control_options sg_control_quick(std::filesystem::path data)
{
    sg_control_options o;
    o.data = std::move(data);
    o.fractions = {0.0, 0.2};
    o.seeds = 2;
    o.train_per_member = 64;
    o.test = 64;
    o.epochs = 2;
    o.batch = 16;
    return o;
}

/// config_error naming the option and its bad value; the checks that need
/// the data (sizes) are sg_control_session's.
inline void validate(const sg_control_options& o)
{
    using somnus::detail::require;
    require(!o.data.empty(), "sg control: data folder not given");
    require(!o.fractions.empty(), "sg control: no sleep fractions");
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        const double f = o.fractions[i];
        require(std::isfinite(f) && f >= 0.0 && f < 1.0, "sg control: fractions[{}] must be in [0, 1), got {}", i, f);
        for (std::size_t j = 0; j < i; ++j) require(o.fractions[j] != f, "sg control: sleep fraction {} given twice", f);
    }
    require(o.seeds >= 1 && o.seeds <= 1000, "sg control: seeds must be in [1, 1000], got {}", o.seeds);
    require(o.train_per_member >= 1, "sg control: train_per_member must be >= 1, got {}", o.train_per_member);
    require(o.test >= 1, "sg control: test must be >= 1, got {}", o.test);
    require(o.epochs >= 1 && o.epochs <= 100000, "sg control: epochs must be in [1, 100000], got {}", o.epochs);
    require(o.batch >= 1 && o.batch <= 100000, "sg control: batch must be in [1, 100000], got {}", o.batch);
    require(std::isfinite(o.lr) && o.lr > 0.0f, "sg control: lr must be finite and > 0, got {}", o.lr);
    require(o.threads >= 1 && o.threads <= 1024, "sg control: threads must be in [1, 1024], got {}", o.threads);
    require(o.max_frames >= 1 && o.max_frames <= nmnist_max_frames_limit, "sg control: max_frames must be in [1, {}], got {}",
            nmnist_max_frames_limit, o.max_frames);
    require(std::isfinite(o.noise_rate_hz) && o.noise_rate_hz >= 0.0f && o.noise_rate_hz <= 1000.0f,
            "sg control: noise_rate_hz must be in [0, 1000] (at most a spike per 1 ms step), got {}", o.noise_rate_hz);
    const auto& d = o.decay;
    require(std::isfinite(d.baseline), "sg control: decay.baseline must be finite, got {}", d.baseline);
    require(d.tau_ms > 0.0 && !std::isnan(d.tau_ms), "sg control: decay.tau_ms must be > 0, got {}", d.tau_ms);
    require(std::isfinite(d.sigma) && d.sigma >= 0.0f, "sg control: decay.sigma must be finite and >= 0, got {}", d.sigma);
    require(std::isfinite(d.every_ms) && d.every_ms >= 0.0, "sg control: decay.every_ms must be finite and >= 0, got {}", d.every_ms);
}

/// Units of the sweep: fractions x seeds main runs, then as many forgetting runs.
inline std::size_t unit_count(const sg_control_options& o)
{
    return o.fractions.size() * o.seeds * (o.forgetting ? 2 : 1);
}

struct sg_unit {
    bool forgetting = false;
    std::size_t fraction_index = 0, seed_index = 0;
};

inline sg_unit unit_at(const sg_control_options& o, std::size_t u)
{
    somnus::detail::require(u < unit_count(o), "sg control: unit {} out of range ({} units)", u, unit_count(o));
    const std::size_t per_kind = o.fractions.size() * o.seeds;
    return {u >= per_kind, (u % per_kind) / o.seeds, u % o.seeds};
}

/// One layer's weights (biases excluded).
struct sg_layer_weights {
    std::size_t layer = 0;         ///< index in the sequential model
    std::size_t count = 0;
    double mean_abs = 0.0, max_abs = 0.0;
    double entropy_bits = 0.0;     ///< plug-in, 64 bins over [-range, range)
    double range = 0.0;            ///< 4 / sqrt(fan_in)
};

struct sg_weight_stats {
    std::vector<sg_layer_weights> layers;
    double mean_abs = 0.0, max_abs = 0.0;  ///< over every layer's weights
};

struct sg_epoch {
    std::size_t epoch = 0;          ///< 1-based, counted across both phases of a forgetting run
    std::size_t phase = 1;          ///< forgetting runs: 1 (classes 0-4) or 2 (5-9)
    double wake_ms = 0.0, sleep_ms = 0.0;
    double train_loss = 0.0;        ///< mean over the epoch's batches
    double train_accuracy = 0.0;    ///< over the epoch's samples, as the batches went
    sg::sleep_report sleep;
    sg_weight_stats weights;
    /// The test measures below were taken (always in main runs; in forgetting
    /// runs at the end of each phase, or every epoch with forgetting_epoch_tests).
    bool tested = false;
    double accuracy = 0.0, accuracy_0_4 = 0.0, accuracy_5_9 = 0.0;  ///< on the test recordings, after sleep
    std::optional<double> accuracy_before_sleep;                     ///< with test_before_sleep
    std::optional<double> output_correlation;  ///< mean over the defined pairs; none if no pair is
    std::size_t correlation_pairs = 0;         ///< pairs (of 45) with both neurons non-constant
    std::size_t distinct_predicted = 0;        ///< classes predicted over the test set
    std::vector<int> mapping;                  ///< shuffled label -> class (-1: label absent)
    std::size_t distinct_mapped = 0;           ///< distinct classes in the mapping
    double train_seconds = 0.0, sleep_seconds = 0.0, test_seconds = 0.0;
};

struct sg_forgetting {
    double old_after_one = 0.0;   ///< accuracy on test classes 0-4 after phase one
    double old_after_two = 0.0;   ///< ... after phase two
    double new_after_two = 0.0;   ///< on test classes 5-9 after phase two
    double forgetting = 0.0;      ///< old_after_one - old_after_two
};

struct sg_run {
    std::size_t unit = 0;
    bool forgetting_run = false;
    std::size_t fraction_index = 0, seed_index = 0;
    double fraction = 0.0;
    std::size_t train_samples = 0;        ///< main: the part; forgetting: phase one + phase two
    sg_weight_stats initial_weights;
    std::vector<sg_epoch> epochs;
    std::vector<int> mapping;             ///< the last epoch's
    std::vector<std::uint8_t> predictions;  ///< the last epoch's, per test recording
    std::optional<sg_forgetting> forgetting;
    double seconds = 0.0;
};

/// What a unit is doing, for a progress line.
struct sg_progress {
    std::size_t unit = 0, units = 0;
    std::string stage;       ///< e.g. "frames", "epoch 2/3 train", "epoch 2/3 sleep", "epoch 2/3 test"
    std::size_t done = 0, total = 0;
};
using sg_progress_fn = std::function<void(const sg_progress&)>;

namespace sg_detail {

/// One recording as the engine takes it.
struct frames {
    std::vector<std::uint32_t> offsets, index;
    std::vector<float> value;
    std::size_t label = 0;
    sg::frame_sample view() const { return {offsets, index, value, label}; }
    std::size_t count() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

/// tonic's Denoise(10 ms) then ToFrame(1 ms), channels-last (as nmnist_ensemble --frames tonic);
/// a recording of more than max_frames frames is refused, naming it (data/nmnist_frames.hpp).
inline frames make_frames(const nmnist_folder& folder, std::size_t i, std::size_t max_frames)
{
    const sparse_frames f = nmnist_recording_frames(folder, i, nmnist_frame_kind::tonic, max_frames, "--max-frames");
    frames s;
    s.offsets = f.offsets;
    sg::channels_last(f.offsets, f.index, f.value, {f.channels, f.height, f.width}, s.index, s.value);
    return s;
}

inline std::vector<frames> load(const nmnist_folder& folder, std::span<const std::size_t> which, unsigned threads, std::size_t max_frames,
                                const std::function<void(std::size_t)>& tick)
{
    std::vector<frames> out(which.size());
    parallel_blocks(which.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k < end; ++k) {
            out[k] = make_frames(folder, which[k], max_frames);
            out[k].label = folder.label(which[k]);
            if (worker == 0 && tick && (k - begin) % 64 == 0) tick(k);
        }
    });
    return out;
}

template <class... Keys>
std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed, Keys... keys)
{
    random_stream rng(seed, stream_purpose::shuffle, keys...);
    return random_permutation(n, rng);
}

template <class Model>
sg_weight_stats weight_stats(const Model& net, std::span<const float> w)
{
    sg_weight_stats s;
    double sum = 0.0;
    std::size_t n = 0;
    for (const auto& t : sg::weight_tensors(net)) {
        sg_layer_weights l;
        l.layer = t.layer;
        l.count = t.count;
        l.range = 4.0 / std::sqrt(double(t.fan_in));
        const auto x = w.subspan(t.offset, t.count);
        double ls = 0.0;
        for (const float v : x) {
            ls += std::abs(double(v));
            l.max_abs = std::max(l.max_abs, std::abs(double(v)));
        }
        l.mean_abs = t.count ? ls / double(t.count) : 0.0;
        l.entropy_bits = histogram_entropy(x, fixed_bins{-l.range, l.range, 64}, plug_in{info_unit::bits});
        sum += ls;
        n += t.count;
        s.max_abs = std::max(s.max_abs, l.max_abs);
        s.layers.push_back(l);
    }
    s.mean_abs = n ? sum / double(n) : 0.0;
    return s;
}

/// Output spike counts of every sample, in batches of `batch` padded to the
/// batch's longest sample (as trainer::evaluate runs them), and the
/// predicted classes (argmax, the first on a tie).
template <class Model>
void evaluate(const Model& net, std::span<const float> w, std::span<const frames> samples, std::size_t batch, unsigned threads,
              std::vector<std::vector<float>>& counts, std::vector<std::uint8_t>& predicted)
{
    const std::size_t C = net.output_shape().size(), N = samples.size();
    counts.assign(N, std::vector<float>(C, 0.0f));
    predicted.assign(N, 0);
    std::vector<typename Model::workspace> ws;
    for (std::size_t b0 = 0; b0 < N; b0 += batch) {
        const std::size_t b1 = std::min(N, b0 + batch);
        std::size_t T = 0;
        for (std::size_t k = b0; k < b1; ++k) T = std::max(T, samples[k].count());
        const unsigned used = unsigned(std::min<std::size_t>(threads, b1 - b0));
        while (ws.size() < used) ws.push_back(net.make_workspace(T));
        parallel_blocks(b1 - b0, threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
            auto& s = ws[worker];
            for (std::size_t k = b0 + begin; k < b0 + end; ++k) {
                const auto& x = samples[k];
                net.begin(s);
                auto& c = counts[k];
                for (std::size_t t = 0; t < T; ++t) {
                    auto& in = s.input();
                    in.clear();
                    if (t < x.count())
                        for (std::uint32_t e = x.offsets[t]; e < x.offsets[t + 1]; ++e) in.push(x.index[e], x.value[e]);
                    net.forward(w, s, false);
                    const auto& out = s.output();
                    for (std::size_t q = 0; q < C; ++q) c[q] += out.v[q];
                }
                predicted[k] = static_cast<std::uint8_t>(sg::predicted_class(c));
            }
        });
    }
}

/// The class each shuffled label is predicted as most often (the first on a
/// tie; -1 for a label no recording carries).
inline std::vector<int> label_mapping(std::span<const frames> test, std::span<const std::uint8_t> predicted,
                                      std::span<const std::size_t> label_perm)
{
    std::vector<std::vector<std::size_t>> counts(10, std::vector<std::size_t>(10, 0));
    for (std::size_t k = 0; k < test.size(); ++k) ++counts[label_perm[test[k].label]][predicted[k]];
    std::vector<int> map(10, -1);
    for (std::size_t l = 0; l < 10; ++l) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < 10; ++c)
            if (counts[l][c] > counts[l][best]) best = c;
        if (counts[l][best] > 0) map[l] = int(best);
    }
    return map;
}

inline std::size_t distinct(std::span<const int> v)
{
    std::vector<int> x;
    for (const int c : v)
        if (c >= 0) x.push_back(c);
    std::sort(x.begin(), x.end());
    return std::size_t(std::unique(x.begin(), x.end()) - x.begin());
}

/// Mean Pearson r over the pairs of output neurons that are not constant.
inline std::pair<std::optional<double>, std::size_t> output_correlation(const std::vector<std::vector<float>>& counts)
{
    if (counts.size() < 2) return {std::nullopt, 0};
    const std::size_t C = counts[0].size();
    std::vector<std::vector<double>> by(C, std::vector<double>(counts.size()));
    std::vector<bool> varies(C, false);
    for (std::size_t c = 0; c < C; ++c) {
        for (std::size_t k = 0; k < counts.size(); ++k) by[c][k] = counts[k][c];
        varies[c] = std::any_of(by[c].begin(), by[c].end(), [&](double v) { return v != by[c][0]; });
    }
    double sum = 0.0;
    std::size_t pairs = 0;
    for (std::size_t a = 0; a < C; ++a)
        for (std::size_t b = a + 1; b < C; ++b)
            if (varies[a] && varies[b]) {
                sum += pearson_r(by[a], by[b]);
                ++pairs;
            }
    if (pairs == 0) return {std::nullopt, 0};
    return {sum / double(pairs), pairs};
}

inline double accuracy_where(std::span<const frames> test, std::span<const std::uint8_t> predicted, std::size_t lo, std::size_t hi)
{
    std::size_t n = 0, hit = 0;
    for (std::size_t k = 0; k < test.size(); ++k)
        if (test[k].label >= lo && test[k].label <= hi) {
            ++n;
            hit += predicted[k] == test[k].label;
        }
    return n ? double(hit) / double(n) : 0.0;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace sg_detail

/// The data a process needs for its units: the folder listings, the
/// training permutation, the test frames (read once), and each seed's
/// training frames (read when a unit of that seed first needs them).
class sg_control_session {
public:
    explicit sg_control_session(const sg_control_options& o, const sg_progress_fn& progress = {})
        : o_((validate(o), o)), train_folder_(o.data, mnist_split::train), test_folder_(o.data, mnist_split::test),
          net_(sg::make_gupta_member())
    {
        using somnus::detail::require;
        require(o.seeds * o.train_per_member <= train_folder_.size(),
                "sg control: {} seeds x {} training recordings each need {}; {} holds {}", o.seeds, o.train_per_member,
                o.seeds * o.train_per_member, o.data.string(), train_folder_.size());
        require(o.test <= test_folder_.size(), "sg control: test {}: {} holds {} test recordings", o.test, o.data.string(),
                test_folder_.size());
        perm_ = sg_detail::permutation(train_folder_.size(), o.seed, 0xe75e);
        label_perm_ = sg_detail::permutation(10, o.seed, 0x1abe1);
        std::vector<std::size_t> which(o.test);
        std::iota(which.begin(), which.end(), std::size_t{0});
        test_ = sg_detail::load(test_folder_, which, o.threads, o.max_frames, [&](std::size_t k) {
            if (progress) progress({0, unit_count(o_), "test frames", k, o_.test});
        });
        if (o.forgetting) {
            bool old_classes = false, new_classes = false;
            for (const auto& s : test_) (s.label < 5 ? old_classes : new_classes) = true;
            require(old_classes && new_classes,
                    "sg control: the first {} test recordings lack classes {} (the forgetting runs test both halves); use more",
                    o.test, old_classes ? "5-9" : "0-4");
        }
    }

    const sg_control_options& options() const { return o_; }
    std::size_t units() const { return unit_count(o_); }
    std::span<const std::size_t> label_permutation() const { return label_perm_; }
    std::span<const std::size_t> train_permutation() const { return perm_; }
    const sg::gupta_member& network() const { return net_; }

    /// Reads, before any work, the training recordings of every seed that
    /// `units` use and checks them (a missing or corrupt recording, a part
    /// without both halves of the classes for a forgetting run), so that a
    /// bad training file fails the program at its start, not after hours of
    /// other work; run_unit then finds them read.
    void prepare(std::span<const std::size_t> units)
    {
        for (const std::size_t u : units) {
            const sg_unit unit = unit_at(o_, u);
            const auto& part = train_frames(unit.seed_index, [](const std::string&, std::size_t, std::size_t) {});
            if (unit.forgetting) check_halves(unit.seed_index, part);
        }
    }

    /// Unit u on its own (see the top of the file).
    sg_run run_unit(std::size_t u, const sg_progress_fn& progress = {})
    {
        const auto t0 = std::chrono::steady_clock::now();
        const sg_unit unit = unit_at(o_, u);
        sg_run run;
        run.unit = u;
        run.forgetting_run = unit.forgetting;
        run.fraction_index = unit.fraction_index;
        run.seed_index = unit.seed_index;
        run.fraction = o_.fractions[unit.fraction_index];
        const auto report = [&](const std::string& stage, std::size_t done, std::size_t total) {
            if (progress) progress({u, units(), stage, done, total});
        };
        const auto& part = train_frames(unit.seed_index, report);

        // The samples of each phase.
        std::vector<std::vector<const sg_detail::frames*>> phases;
        if (!unit.forgetting) {
            phases.emplace_back();
            for (const auto& s : part) phases[0].push_back(&s);
        } else {
            check_halves(unit.seed_index, part);
            phases.resize(2);
            for (const auto& s : part) phases[s.label < 5 ? 0 : 1].push_back(&s);
        }
        for (const auto& ph : phases) run.train_samples += ph.size();

        std::vector<float> w(net_.parameter_count());
        net_.init(w, o_.seed, unit.seed_index);
        run.initial_weights = sg_detail::weight_stats(net_, w);
        sg::adam opt(w.size(), {double(o_.lr), 0.9, 0.999, 1e-8});
        sg::trainer tr(net_, o_.threads);
        sg::sleep_params sp;
        sp.noise_rate_hz = o_.noise_rate_hz;
        sp.decay = o_.decay;
        const std::size_t kind = unit.forgetting ? 1 : 0;
        const std::size_t total_epochs = o_.epochs * phases.size();

        for (std::size_t ph = 0; ph < phases.size(); ++ph)
            for (std::size_t e = 0; e < o_.epochs; ++e) {
                const std::size_t epoch = ph * o_.epochs + e + 1;
                const std::string tag = fmt::format("epoch {}/{}", epoch, total_epochs);
                sg_epoch rec;
                rec.epoch = epoch;
                rec.phase = ph + 1;
                const auto& samples = phases[ph];
                const std::size_t n = samples.size();
                // Wake: one pass in a seeded order (paired across fractions).
                const auto tw = std::chrono::steady_clock::now();
                const auto order = sg_detail::permutation(n, o_.seed, 0x5c0, unit.seed_index, kind, epoch);
                double loss = 0.0;
                std::size_t batches = 0, correct = 0;
                std::vector<sg::frame_sample> batch;
                for (std::size_t b0 = 0; b0 < n; b0 += o_.batch) {
                    batch.clear();
                    for (std::size_t k = b0; k < std::min(n, b0 + o_.batch); ++k) batch.push_back(samples[order[k]]->view());
                    const auto st = tr.train_step(w, opt, batch);
                    loss += st.loss;
                    correct += st.correct;
                    ++batches;
                    report(tag + " train", std::min(n, b0 + o_.batch), n);
                }
                rec.train_loss = batches ? loss / double(batches) : 0.0;
                rec.train_accuracy = n ? double(correct) / double(n) : 0.0;
                for (const auto* s : samples) rec.wake_ms += double(s->count());
                rec.train_seconds = sg_detail::seconds_since(tw);
                const bool will_test = !unit.forgetting || o_.forgetting_epoch_tests || e + 1 == o_.epochs;
                if (o_.test_before_sleep && will_test) {
                    const auto tt = std::chrono::steady_clock::now();
                    sg_detail::evaluate(net_, w, test_, o_.batch, o_.threads, counts_, predicted_);
                    rec.accuracy_before_sleep = sg_detail::accuracy_where(test_, predicted_, 0, 9);
                    rec.test_seconds += sg_detail::seconds_since(tt);
                }
                // Sleep: the fraction's share of this cycle's time.
                const auto ts = std::chrono::steady_clock::now();
                rec.sleep_ms = sg::sleep_ms_for_fraction(rec.wake_ms, run.fraction);
                report(tag + " sleep", 0, 1);
                const std::uint64_t key = (std::uint64_t(unit.seed_index) << 32) | (std::uint64_t(kind) << 24) | std::uint64_t(epoch);
                rec.sleep = sg::sleep_phase(net_, std::span<float>(w), rec.sleep_ms, sp, o_.seed, key, o_.threads);
                rec.sleep_seconds = sg_detail::seconds_since(ts);
                report(tag + " sleep", 1, 1);
                // Test and measures (forgetting runs: at the end of each phase
                // only, unless forgetting_epoch_tests).
                rec.weights = sg_detail::weight_stats(net_, w);
                rec.tested = will_test;
                if (!rec.tested) {
                    run.epochs.push_back(std::move(rec));
                    continue;
                }
                const auto tt = std::chrono::steady_clock::now();
                report(tag + " test", 0, test_.size());
                sg_detail::evaluate(net_, w, test_, o_.batch, o_.threads, counts_, predicted_);
                report(tag + " test", test_.size(), test_.size());
                rec.accuracy = sg_detail::accuracy_where(test_, predicted_, 0, 9);
                rec.accuracy_0_4 = sg_detail::accuracy_where(test_, predicted_, 0, 4);
                rec.accuracy_5_9 = sg_detail::accuracy_where(test_, predicted_, 5, 9);
                std::tie(rec.output_correlation, rec.correlation_pairs) = sg_detail::output_correlation(counts_);
                std::vector<int> pred_int(predicted_.begin(), predicted_.end());
                rec.distinct_predicted = sg_detail::distinct(pred_int);
                rec.mapping = sg_detail::label_mapping(test_, predicted_, label_perm_);
                rec.distinct_mapped = sg_detail::distinct(rec.mapping);
                rec.test_seconds += sg_detail::seconds_since(tt);
                run.epochs.push_back(std::move(rec));
            }
        run.mapping = run.epochs.back().mapping;
        run.predictions = predicted_;
        if (unit.forgetting) {
            sg_forgetting f;
            f.old_after_one = run.epochs[o_.epochs - 1].accuracy_0_4;
            f.old_after_two = run.epochs.back().accuracy_0_4;
            f.new_after_two = run.epochs.back().accuracy_5_9;
            f.forgetting = f.old_after_one - f.old_after_two;
            run.forgetting = f;
        }
        run.seconds = sg_detail::seconds_since(t0);
        return run;
    }

private:
    static void check_halves(std::size_t seed_index, const std::vector<sg_detail::frames>& part)
    {
        bool low = false, high = false;
        for (const auto& s : part) (s.label < 5 ? low : high) = true;
        somnus::detail::require(low && high, "sg control: seed {}'s {} training recordings lack classes {} for the forgetting run",
                                seed_index, part.size(), low ? "5-9" : "0-4");
    }

    template <class Report>
    const std::vector<sg_detail::frames>& train_frames(std::size_t s, const Report& report)
    {
        auto it = train_.find(s);
        if (it != train_.end()) return it->second;
        const std::size_t n = o_.train_per_member;
        const std::span<const std::size_t> which(perm_.data() + s * n, n);
        auto loaded = sg_detail::load(train_folder_, which, o_.threads, o_.max_frames, [&](std::size_t k) { report("training frames", k, n); });
        return train_.emplace(s, std::move(loaded)).first->second;
    }

    sg_control_options o_;
    nmnist_folder train_folder_, test_folder_;
    sg::gupta_member net_;
    std::vector<std::size_t> perm_, label_perm_;
    std::vector<sg_detail::frames> test_;
    std::map<std::size_t, std::vector<sg_detail::frames>> train_;
    std::vector<std::vector<float>> counts_;
    std::vector<std::uint8_t> predicted_;
};

/// Unit u alone, with a session of its own (reads the test frames again;
/// to run several units in one process, keep one sg_control_session).
inline sg_run run_sg_unit(const sg_control_options& o, std::size_t u, const sg_progress_fn& progress = {})
{
    sg_control_session session(o, progress);
    return session.run_unit(u, progress);
}

/// Every unit in unit order, in this process.
inline std::vector<sg_run> run_sg_control(const sg_control_options& o, const sg_progress_fn& progress = {})
{
    sg_control_session session(o, progress);
    std::vector<sg_run> runs;
    for (std::size_t u = 0; u < session.units(); ++u) runs.push_back(session.run_unit(u, progress));
    return runs;
}

/// The main runs of one fraction as an ensemble: their final mappings
/// grouped (two members agree on at least `threshold` of the 10 shuffled
/// labels), S0 and Shannon H in nats (entropy/function_space.hpp).
struct sg_function_space {
    std::size_t fraction_index = 0;
    double fraction = 0.0;
    std::vector<std::size_t> seeds;        ///< the members, by seed index
    std::vector<std::size_t> groups;       ///< group label of each member
    std::vector<std::uint64_t> group_sizes;
    double s0_nats = 0.0, shannon_nats = 0.0;
    double mean_accuracy = 0.0;            ///< of the members' final test accuracy
    double mean_agreement = 0.0;           ///< labels (of 10) on which two members' mappings agree, mean over pairs
};

inline std::vector<sg_function_space> function_space_by_fraction(const sg_control_options& o, const std::vector<sg_run>& runs,
                                                                 std::size_t threshold = 5)
{
    somnus::detail::require(threshold >= 1 && threshold <= 10, "function_space_by_fraction: threshold {} (1..10)", threshold);
    std::vector<sg_function_space> out;
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        sg_function_space f;
        f.fraction_index = i;
        f.fraction = o.fractions[i];
        std::vector<std::vector<int>> mappings;
        for (const auto& r : runs)
            if (!r.forgetting_run && r.fraction_index == i && !r.epochs.empty()) {
                f.seeds.push_back(r.seed_index);
                mappings.push_back(r.mapping);
                f.mean_accuracy += r.epochs.back().accuracy;
            }
        if (!mappings.empty()) {
            f.mean_accuracy /= double(mappings.size());
            f.groups = group_by_agreement(mappings, threshold);
            f.group_sizes = group_sizes(f.groups);
            f.s0_nats = function_space_entropy(f.groups, function_space_s0{});
            f.shannon_nats = function_space_entropy(f.groups, plug_in{info_unit::nats});
            std::size_t pairs = 0, agree = 0;
            for (std::size_t a = 0; a < mappings.size(); ++a)
                for (std::size_t b = a + 1; b < mappings.size(); ++b, ++pairs) agree += mapping_agreement(mappings[a], mappings[b]);
            f.mean_agreement = pairs ? double(agree) / double(pairs) : 10.0;
        }
        out.push_back(std::move(f));
    }
    return out;
}

// JSON, for gathering units across processes (and for the caller's output).
// Doubles round-trip exactly (nlohmann writes the shortest exact form).

namespace sg_detail {
inline nlohmann::json optional_json(const std::optional<double>& x) { return x ? nlohmann::json(*x) : nlohmann::json(nullptr); }
inline std::optional<double> optional_from(const nlohmann::json& j)
{
    if (j.is_null()) return std::nullopt;
    return j.get<double>();
}
inline nlohmann::json to_json(const sg_weight_stats& s)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : s.layers)
        layers.push_back({{"layer", l.layer}, {"count", l.count}, {"mean_abs", l.mean_abs}, {"max_abs", l.max_abs},
                          {"entropy_bits", l.entropy_bits}, {"range", l.range}});
    return {{"layers", layers}, {"mean_abs", s.mean_abs}, {"max_abs", s.max_abs}};
}
inline sg_weight_stats weight_stats_from(const nlohmann::json& j)
{
    sg_weight_stats s;
    for (const auto& l : j.at("layers"))
        s.layers.push_back({l.at("layer").get<std::size_t>(), l.at("count").get<std::size_t>(), l.at("mean_abs").get<double>(),
                            l.at("max_abs").get<double>(), l.at("entropy_bits").get<double>(), l.at("range").get<double>()});
    s.mean_abs = j.at("mean_abs").get<double>();
    s.max_abs = j.at("max_abs").get<double>();
    return s;
}
} // namespace sg_detail

inline nlohmann::json to_json(const sg_run& r)
{
    using nlohmann::json;
    json epochs = json::array();
    for (const auto& e : r.epochs)
        epochs.push_back({{"epoch", e.epoch},
                          {"phase", e.phase},
                          {"wake_ms", e.wake_ms},
                          {"sleep_ms", e.sleep_ms},
                          {"train_loss", e.train_loss},
                          {"train_accuracy", e.train_accuracy},
                          {"sleep",
                           {{"steps", e.sleep.steps},
                            {"input_spikes", e.sleep.input_spikes},
                            {"hidden_spikes", e.sleep.hidden_spikes},
                            {"output_spikes", e.sleep.output_spikes},
                            {"decays", e.sleep.decays},
                            {"decayed_ms", e.sleep.decayed_ms}}},
                          {"weights", sg_detail::to_json(e.weights)},
                          {"tested", e.tested},
                          {"accuracy", e.accuracy},
                          {"accuracy_0_4", e.accuracy_0_4},
                          {"accuracy_5_9", e.accuracy_5_9},
                          {"accuracy_before_sleep", sg_detail::optional_json(e.accuracy_before_sleep)},
                          {"output_correlation", sg_detail::optional_json(e.output_correlation)},
                          {"correlation_pairs", e.correlation_pairs},
                          {"distinct_predicted", e.distinct_predicted},
                          {"mapping", e.mapping},
                          {"distinct_mapped", e.distinct_mapped},
                          {"train_seconds", e.train_seconds},
                          {"sleep_seconds", e.sleep_seconds},
                          {"test_seconds", e.test_seconds}});
    json j{{"unit", r.unit},
           {"forgetting_run", r.forgetting_run},
           {"fraction_index", r.fraction_index},
           {"seed_index", r.seed_index},
           {"fraction", r.fraction},
           {"train_samples", r.train_samples},
           {"initial_weights", sg_detail::to_json(r.initial_weights)},
           {"epochs", epochs},
           {"mapping", r.mapping},
           {"predictions", r.predictions},
           {"seconds", r.seconds}};
    if (r.forgetting)
        j["forgetting"] = {{"old_after_one", r.forgetting->old_after_one},
                           {"old_after_two", r.forgetting->old_after_two},
                           {"new_after_two", r.forgetting->new_after_two},
                           {"forgetting", r.forgetting->forgetting}};
    else
        j["forgetting"] = nullptr;
    return j;
}

inline sg_run sg_run_from_json(const nlohmann::json& j)
{
    sg_run r;
    r.unit = j.at("unit").get<std::size_t>();
    r.forgetting_run = j.at("forgetting_run").get<bool>();
    r.fraction_index = j.at("fraction_index").get<std::size_t>();
    r.seed_index = j.at("seed_index").get<std::size_t>();
    r.fraction = j.at("fraction").get<double>();
    r.train_samples = j.at("train_samples").get<std::size_t>();
    r.initial_weights = sg_detail::weight_stats_from(j.at("initial_weights"));
    for (const auto& x : j.at("epochs")) {
        sg_epoch e;
        e.epoch = x.at("epoch").get<std::size_t>();
        e.phase = x.at("phase").get<std::size_t>();
        e.wake_ms = x.at("wake_ms").get<double>();
        e.sleep_ms = x.at("sleep_ms").get<double>();
        e.train_loss = x.at("train_loss").get<double>();
        e.train_accuracy = x.at("train_accuracy").get<double>();
        const auto& s = x.at("sleep");
        e.sleep.steps = s.at("steps").get<std::uint64_t>();
        e.sleep.input_spikes = s.at("input_spikes").get<std::uint64_t>();
        e.sleep.hidden_spikes = s.at("hidden_spikes").get<std::uint64_t>();
        e.sleep.output_spikes = s.at("output_spikes").get<std::uint64_t>();
        e.sleep.decays = s.at("decays").get<std::uint64_t>();
        e.sleep.decayed_ms = s.at("decayed_ms").get<double>();
        e.weights = sg_detail::weight_stats_from(x.at("weights"));
        e.tested = x.at("tested").get<bool>();
        e.accuracy = x.at("accuracy").get<double>();
        e.accuracy_0_4 = x.at("accuracy_0_4").get<double>();
        e.accuracy_5_9 = x.at("accuracy_5_9").get<double>();
        e.accuracy_before_sleep = sg_detail::optional_from(x.at("accuracy_before_sleep"));
        e.output_correlation = sg_detail::optional_from(x.at("output_correlation"));
        e.correlation_pairs = x.at("correlation_pairs").get<std::size_t>();
        e.distinct_predicted = x.at("distinct_predicted").get<std::size_t>();
        e.mapping = x.at("mapping").get<std::vector<int>>();
        e.distinct_mapped = x.at("distinct_mapped").get<std::size_t>();
        e.train_seconds = x.at("train_seconds").get<double>();
        e.sleep_seconds = x.at("sleep_seconds").get<double>();
        e.test_seconds = x.at("test_seconds").get<double>();
        r.epochs.push_back(std::move(e));
    }
    r.mapping = j.at("mapping").get<std::vector<int>>();
    r.predictions = j.at("predictions").get<std::vector<std::uint8_t>>();
    r.seconds = j.at("seconds").get<double>();
    if (!j.at("forgetting").is_null()) {
        const auto& f = j.at("forgetting");
        r.forgetting = sg_forgetting{f.at("old_after_one").get<double>(), f.at("old_after_two").get<double>(),
                                     f.at("new_after_two").get<double>(), f.at("forgetting").get<double>()};
    }
    return r;
}

} // namespace somnus::example
