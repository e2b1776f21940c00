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
//       if (mpi.mine(u)) mine.push_back(nlohmann::json(session.run_unit(u, progress)));
//   ... gather at rank 0, .get<sg_run>() each, sort by .unit
//
// The parts: sg_control_options.hpp (the options, their validation, the
// units), sg_control_results.hpp (what a unit measures, and its JSON),
// sg_function_space.hpp (each fraction's members as an ensemble); this
// file reads the data and runs a unit.
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
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

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
#include <somnus/stats/correlation.hpp>

#include "sg_control_options.hpp"
#include "sg_control_results.hpp"
#include "sg_function_space.hpp"

namespace somnus::example {

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

inline std::size_t distinct(std::span<const int> v)
{
    std::vector<int> x;
    for (const int c : v)
        if (c >= 0) x.push_back(c);
    std::sort(x.begin(), x.end());
    return std::size_t(std::unique(x.begin(), x.end()) - x.begin());
}

/// Mean Pearson r over the pairs of output neurons that are not constant
/// (somnus::mean_pairwise_correlation of the recordings x outputs counts).
inline pairwise_correlation output_correlation(const std::vector<std::vector<float>>& counts)
{
    std::vector<float> flat;
    for (const auto& c : counts) flat.insert(flat.end(), c.begin(), c.end());
    return mean_pairwise_correlation(std::span<const float>(flat), counts.size(), counts.empty() ? 0 : counts[0].size());
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
        perm_ = keyed_permutation(train_folder_.size(), o.seed, 0xe75e);
        label_perm_ = keyed_permutation(10, o.seed, 0x1abe1);
        std::vector<std::size_t> which(o.test);
        std::iota(which.begin(), which.end(), std::size_t{0});
        test_ = sg_detail::load(test_folder_, which, o.threads, o.max_frames, [&](std::size_t k) {
            if (progress) progress({0, unit_count(o_), "test frames", k, o_.test});
        });
        for (const auto& s : test_) test_labels_.push_back(static_cast<std::uint8_t>(s.label));
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
                const auto order = keyed_permutation(n, o_.seed, 0x5c0, unit.seed_index, kind, epoch);
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
                const auto corr = sg_detail::output_correlation(counts_);
                rec.output_correlation = corr.mean;
                rec.correlation_pairs = corr.pairs;
                std::vector<int> pred_int(predicted_.begin(), predicted_.end());
                rec.distinct_predicted = sg_detail::distinct(pred_int);
                rec.mapping = label_mapping(test_labels_, predicted_, label_perm_);
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
    std::vector<std::uint8_t> test_labels_;
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
} // namespace somnus::example
