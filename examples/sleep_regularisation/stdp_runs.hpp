// SPDX-License-Identifier: MIT
// The recurrent STDP half of our reading of Massey, Hubin, Nichele & Saebo
// 2026 (DESIGN.md section 9: only the abstract is public, so the protocol
// and every parameter here are ours, chosen before any result was seen and
// never on the test set).
//
// Network: network/recurrent.hpp (Diehl & Cook's competitive network plus
// plastic, sparse excitatory -> excitatory synapses, no self-connections),
// N excitatory neurons, Diehl & Cook's parameters and readout.
//
// Units. For dataset d, fraction i (of F) and seed s (of S), unit
// (d F + i) S + s is the main run; the forgetting runs follow all main runs
// in the same order. Seed s is its own initial weights and connectivity
// (network seed s) and its own seeded permutation of the training set; the
// images after the training ones label the neurons (never the test set).
// Fractions of one seed share data, initial weights and connectivity, so
// the comparison across fractions is paired.
//
// Schedule. Training is cut into `blocks` blocks of images; after each
// block a sleep bout of wake_ms f / (1 - f), wake_ms being the block's
// simulated waking time (every showing's present + rest), so sleep takes
// the fraction f of training time. Main run: train_images images of every
// class. Forgetting run: train_images / 2 images of classes 0-4, then as
// many of classes 5-9, `blocks` / 2 blocks each, the same sleep.
//
// Sleep (one bout): external input suppressed (no drive: every input rate
// is 0); spontaneous activity (each excitatory neuron gets a conductance
// kick of `kick` at `kick_rate_hz`, independently); stochastic decay of
// every plastic weight (input and recurrent) toward the baseline, the
// Ornstein-Uhlenbeck transition of sleep/weights.hpp; STDP and threshold
// adaptation on, as awake.
//
// Measured after each block's sleep (main runs) or after each phase
// (forgetting runs): test accuracy on the first `test` test images (labels
// from `label` held-out training images), per plastic projection the mean
// and maximum weight, the fraction of weights at their lower and upper
// bounds, the plug-in entropy (bits) of a 64-bin histogram over the bounds;
// representational diversity: the mean Pearson correlation between the
// excitatory neurons' test spike counts (pairs of non-constant neurons;
// somnus::mean_pairwise_correlation, 0 when no pair qualifies), the
// number of distinct receptive fields (neurons whose input weight vectors
// have cosine similarity below 0.95 with every earlier kept one) and of
// distinct classes the neurons are assigned.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "somnus/somnus.hpp"

namespace somnus::example::massey {

struct stdp_options {
    std::vector<double> fractions{0.0, 0.05, 0.10, 0.20, 0.30, 0.50};
    std::vector<std::string> datasets{"mnist", "fashion"};
    std::size_t seeds = 5;
    std::size_t neurons = 100;
    std::size_t train_images = 6000;
    std::size_t blocks = 6;
    std::size_t label = 1000;
    std::size_t test = 1000;
    bool forgetting = true;
    recurrent_params recurrent{};
    /// Sleep: the stochastic decay (baseline = the mean initial weight of
    /// both plastic projections; tau 1 000 s of sleep; sigma 0.01; applied
    /// every second, the exact transition for that interval) and the
    /// spontaneous activity.
    stochastic_decay::params decay{0.1f, 1.0e6, 0.01f, 1000.0};
    /// Spontaneous activity: kicks of 10 (about 6.5 mV from rest) at 100 Hz
    /// per neuron give a trained network's excitatory neurons about 1 Hz in
    /// sleep (0.7-0.8 Hz measured), the order of cortical spontaneous rates;
    /// chosen on that rate, not on accuracy.
    float kick_rate_hz = 100.0f;
    float kick = 10.0f;
    std::uint64_t seed = 0;

    void validate() const
    {
        somnus::detail::require(!fractions.empty() && !datasets.empty(), "no fractions or datasets");
        for (std::size_t i = 0; i < fractions.size(); ++i) {
            const double f = fractions[i];
            somnus::detail::require(std::isfinite(f) && f >= 0.0 && f < 1.0, "sleep fraction {} outside [0, 1)", f);
            for (std::size_t k = 0; k < i; ++k) somnus::detail::require(fractions[k] != f, "sleep fraction {} given twice", f);
        }
        for (std::size_t i = 0; i < datasets.size(); ++i)
            for (std::size_t k = 0; k < i; ++k)
                somnus::detail::require(datasets[k] != datasets[i], "data set {} given twice", datasets[i]);
        somnus::detail::require(seeds >= 1 && neurons >= 1 && train_images >= 2 && blocks >= 2 && label >= 1 && test >= 1,
                        "seeds, neurons, images, blocks (>= 2), label and test images must be positive");
        somnus::detail::require(blocks <= train_images, "--blocks {} is more than the {} training images (--train)", blocks, train_images);
        somnus::detail::require(std::isfinite(kick_rate_hz) && kick_rate_hz >= 0.0f && std::isfinite(kick) && kick >= 0.0f,
                        "kick rate and size must be finite and >= 0");
        recurrent.validate();
    }
    std::size_t units_per_kind() const { return datasets.size() * fractions.size() * seeds; }
    std::size_t unit_count() const { return units_per_kind() * (forgetting ? 2 : 1); }
};

struct stdp_unit {
    bool forgetting = false;
    std::size_t dataset = 0, fraction = 0, seed = 0;
};

inline stdp_unit unit_at(const stdp_options& o, std::size_t u)
{
    const std::size_t per = o.units_per_kind(), k = u % per;
    return {u >= per, k / (o.fractions.size() * o.seeds), (k / o.seeds) % o.fractions.size(), k % o.seeds};
}

/// One plastic projection's weights.
struct weight_stats {
    double mean = 0.0, max = 0.0, at_lower = 0.0, at_upper = 0.0, entropy_bits = 0.0;
    std::size_t count = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(weight_stats, mean, max, at_lower, at_upper, entropy_bits, count)

inline weight_stats describe_weights(const matrix_f& w, std::span<const std::uint8_t> connected, weight_bounds b)
{
    weight_stats s;
    std::vector<std::uint64_t> hist(64, 0);
    const double scale = 64.0 / double(b.w_max - b.w_min);
    const double eps = 1e-6 * double(b.w_max - b.w_min);
    double sum = 0.0;
    for (std::size_t k = 0; k < w.size(); ++k) {
        if (!connected.empty() && connected[k] == 0) continue;
        const double x = w.data()[k];
        ++s.count;
        sum += x;
        s.max = std::max(s.max, x);
        s.at_lower += x <= double(b.w_min) + eps;
        s.at_upper += x >= double(b.w_max) - eps;
        const double pos = (x - double(b.w_min)) * scale;  // fixed_bins' rule (entropy/histogram.hpp)
        ++hist[pos >= 64.0 ? 63 : pos > 0.0 ? static_cast<std::size_t>(pos) : 0];
    }
    if (s.count > 0) {
        s.mean = sum / double(s.count);
        s.at_lower /= double(s.count);
        s.at_upper /= double(s.count);
        s.entropy_bits = plug_in{info_unit::bits}.entropy(hist);
    }
    return s;
}

/// Neurons kept greedily, in index order, whose input weight vector has a
/// cosine similarity below `similar` with every neuron kept before.
inline std::size_t distinct_receptive_fields(const matrix_f& w, double similar = 0.95)
{
    const std::size_t n_in = w.shape()[0], n = w.shape()[1];
    std::vector<std::size_t> kept;
    std::vector<double> norm(n, 0.0);
    for (std::size_t i = 0; i < n_in; ++i)
        for (std::size_t j = 0; j < n; ++j) norm[j] += double(w(i, j)) * w(i, j);
    for (std::size_t j = 0; j < n; ++j) {
        bool duplicate = false;
        for (const auto k : kept) {
            double dot = 0.0;
            for (std::size_t i = 0; i < n_in; ++i) dot += double(w(i, j)) * w(i, k);
            const double denom = std::sqrt(norm[j] * norm[k]);
            if (denom > 0.0 && dot / denom >= similar) {
                duplicate = true;
                break;
            }
        }
        if (!duplicate) kept.push_back(j);
    }
    return kept.size();
}

/// One measurement (the names are the JSON's).
struct stdp_point {
    std::size_t images = 0;                 ///< training images so far
    double wake_ms = 0.0, sleep_ms = 0.0;   ///< simulated, so far
    double accuracy = 0.0, accuracy_classes_0_4 = 0.0, accuracy_classes_5_9 = 0.0;  ///< on the test images
    weight_stats input_weights, recurrent_weights;
    double mean_pairwise_correlation = 0.0;  ///< 0 when no pair of neurons qualifies
    std::size_t correlation_pairs = 0, distinct_receptive_fields = 0, distinct_classes = 0;
    std::uint64_t sleep_exc_spikes = 0;     ///< in the bout just before this point
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(stdp_point, images, wake_ms, sleep_ms, accuracy, accuracy_classes_0_4, accuracy_classes_5_9,
                                   input_weights, recurrent_weights, mean_pairwise_correlation, correlation_pairs,
                                   distinct_receptive_fields, distinct_classes, sleep_exc_spikes)

struct stdp_run {
    std::size_t unit = 0;
    std::string kind = "main";  ///< main or forgetting
    std::string dataset;
    double fraction = 0.0;
    std::size_t seed_index = 0;
    std::vector<stdp_point> points;
    double seconds = 0.0;
    bool forgetting() const { return kind == "forgetting"; }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(stdp_run, unit, kind, dataset, fraction, seed_index, points, seconds)

/// The data one dataset's runs share.
struct stdp_data {
    const image_dataset* train = nullptr;
    const image_dataset* test = nullptr;
};

/// Images of a permutation: the first n (any class, or of classes [lo, hi]).
inline std::vector<std::size_t> pick(std::span<const std::size_t> perm, const image_dataset& set, std::size_t n, int lo = 0,
                                     int hi = 9, std::size_t skip = 0)
{
    std::vector<std::size_t> out;
    for (std::size_t k = skip; k < perm.size() && out.size() < n; ++k) {
        const int c = set.labels[perm[k]];
        if (c >= lo && c <= hi) out.push_back(perm[k]);
    }
    somnus::detail::require(out.size() == n, "{} images of classes {}-{} asked, the training set has {}", n, lo, hi,
                    out.size());
    return out;
}

/// Copies images `which` of `set` into a dataset of their own.
inline image_dataset subset(const image_dataset& set, std::span<const std::size_t> which)
{
    image_dataset d;
    d.rows = set.rows;
    d.cols = set.cols;
    const std::size_t px = set.pixels_per_image();
    d.pixels.resize(which.size() * px);
    d.labels.resize(which.size());
    for (std::size_t k = 0; k < which.size(); ++k) {
        std::copy_n(set.pixels.begin() + static_cast<std::ptrdiff_t>(which[k] * px), px, d.pixels.begin() + static_cast<std::ptrdiff_t>(k * px));
        d.labels[k] = set.labels[which[k]];
    }
    d.items_in_file = which.size();
    return d;
}

/// Before any work: the training set holds what every run asks of it.
inline void check_data(const stdp_options& o, const image_dataset& train, const std::string& dataset)
{
    std::size_t low = 0;
    for (const auto c : train.labels) low += c <= 4;
    const std::size_t high = train.size() - low;
    somnus::detail::require(train.size() >= o.train_images + o.label,
                            "{} ({}) holds {} training images, {} to train on and {} to label asked",
                            dataset, train.images_path.string(), train.size(), o.train_images, o.label);
    if (o.forgetting)
        somnus::detail::require(low >= o.train_images / 2 && high >= o.train_images / 2,
                                "{} ({}) holds {} training images of classes 0-4 and {} of classes 5-9, the "
                                "forgetting runs need {} of each",
                                dataset, train.images_path.string(), low, high, o.train_images / 2);
}

/// Runs one unit on one thread (evaluation included), deterministic in the
/// options and the unit index alone.
inline stdp_run run_unit(const stdp_options& o, std::size_t u, const stdp_data& data)
{
    const auto t0 = std::chrono::steady_clock::now();
    const stdp_unit where = unit_at(o, u);
    const double f = o.fractions[where.fraction];
    const image_dataset& train = *data.train;
    const image_dataset& test_all = *data.test;
    const std::size_t n_test = std::min(o.test, test_all.size());

    const std::uint64_t seed = o.seed * 1000 + where.seed;
    random_stream shuffle(seed, stream_purpose::shuffle, where.dataset);
    const auto perm = random_permutation(train.size(), shuffle);
    std::vector<std::size_t> order;
    std::size_t blocks = o.blocks;
    if (!where.forgetting) {
        order = pick(perm, train, o.train_images);
    } else {
        order = pick(perm, train, o.train_images / 2, 0, 4);
        const auto second = pick(perm, train, o.train_images / 2, 5, 9);
        order.insert(order.end(), second.begin(), second.end());
        blocks = std::max<std::size_t>(2, o.blocks - o.blocks % 2);
    }
    // Labelling images: after every image any run of this seed trains on.
    std::vector<std::size_t> used(order);
    std::sort(used.begin(), used.end());
    std::vector<std::size_t> label_idx;
    for (std::size_t k = perm.size(); k-- > 0 && label_idx.size() < o.label;)
        if (!std::binary_search(used.begin(), used.end(), perm[k])) label_idx.push_back(perm[k]);
    const image_dataset label_set = subset(train, label_idx);
    const image_dataset train_set = subset(train, order);

    competitive_config cfg;
    cfg.n_exc = o.neurons;
    cfg.seed = seed;
    auto net = make_recurrent(cfg, o.recurrent);
    combine<spontaneous_activity, stochastic_decay> bout;
    bout.get<0>().p.rate_hz = o.kick_rate_hz;
    bout.get<0>().p.weight = o.kick;
    bout.get<1>().p = o.decay;

    stdp_run run;
    run.unit = u;
    run.kind = where.forgetting ? "forgetting" : "main";
    run.dataset = o.datasets[where.dataset];
    run.fraction = f;
    run.seed_index = where.seed;
    double wake_total = 0.0, sleep_total = 0.0;
    const double showing_ms = double(cfg.present_ms) + double(cfg.rest_ms);
    const auto measure = [&](std::uint64_t bout_spikes) {
        stdp_point p;
        p.images = net.images_seen();
        p.wake_ms = wake_total;
        p.sleep_ms = sleep_total;
        p.sleep_exc_spikes = bout_spikes;
        const std::size_t n = net.n_readout();
        const auto label_counts = evaluate_counts(net, label_set.pixels, 0, label_set.size(), image_set::train, 1);
        label_readout readout(label_counts, label_set.labels, n);
        const auto test_counts = evaluate_counts(net, test_all.pixels, 0, n_test, image_set::test, 1);
        std::size_t right = 0, right_a = 0, n_a = 0, right_b = 0, n_b = 0;
        for (std::size_t k = 0; k < n_test; ++k) {
            const int c = readout.classify(std::span(test_counts).subspan(k * n, n));
            const bool ok = c == int(test_all.labels[k]);
            right += ok;
            if (test_all.labels[k] <= 4) {
                ++n_a;
                right_a += ok;
            } else {
                ++n_b;
                right_b += ok;
            }
        }
        p.accuracy = double(right) / double(n_test);
        p.accuracy_classes_0_4 = n_a ? double(right_a) / double(n_a) : 0.0;
        p.accuracy_classes_5_9 = n_b ? double(right_b) / double(n_b) : 0.0;
        p.input_weights = describe_weights(net.weights(), {}, cfg.bounds);
        p.recurrent_weights =
            describe_weights(net.recurrent_synapses().weights(), net.recurrent_synapses().connected(), o.recurrent.bounds);
        const auto corr = somnus::mean_pairwise_correlation(std::span<const std::uint32_t>(test_counts), n_test, n);
        p.mean_pairwise_correlation = corr.mean.value_or(0.0);
        p.correlation_pairs = corr.pairs;
        p.distinct_receptive_fields = distinct_receptive_fields(net.weights());
        std::vector<int> classes;
        for (const int a : readout.assignment())
            if (a >= 0) classes.push_back(a);
        std::sort(classes.begin(), classes.end());
        p.distinct_classes = static_cast<std::size_t>(std::unique(classes.begin(), classes.end()) - classes.begin());
        run.points.push_back(p);
    };

    const std::size_t per_block = order.size() / blocks;
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t first = b * per_block, last = b + 1 == blocks ? order.size() : first + per_block;
        double wake = 0.0;
        for (std::size_t k = first; k < last; ++k) {
            const auto shown = net.train(train_set.image(k));
            wake += double(1 + shown.repeats) * showing_ms;
        }
        wake_total += wake;
        std::uint64_t spikes = 0;
        if (f > 0.0) {
            const double ms = wake * f / (1.0 - f);
            spikes = net.sleep(bout, ms).excitatory_spikes;
            sleep_total += ms;
        }
        const bool phase_end = (b + 1) * 2 == blocks || b + 1 == blocks;
        if (!where.forgetting || phase_end) measure(spikes);
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return run;
}

} // namespace somnus::example::massey
