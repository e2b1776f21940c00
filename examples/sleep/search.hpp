// SPDX-License-Identifier: MIT
// examples/sleep's network and sleep phase (the tadros_2019 recipe with its
// parameters, sleep/recipes.hpp), and the search for those parameters, which
// the paper does not give, on a validation split held out of the training
// images, never on the test set.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <somnus/network/competitive.hpp>
#include <somnus/sleep/recipes.hpp>
#include <somnus/stats/summary.hpp>

#include "example.hpp"
#include "pipeline.hpp"

namespace somnus::example::tadros2019 {

using somnus::image_set;
using nlohmann::json;
using network = somnus::diehl_cook_network;
using sleep_params = somnus::recipes::tadros_2019_params;

/// A new Diehl & Cook network of n excitatory neurons on 28 x 28 images.
inline network new_network(std::size_t n, std::uint64_t seed)
{
    somnus::competitive_config cfg;
    cfg.n_input = image_rows * image_cols;
    cfg.input_rows = image_rows;
    cfg.input_cols = image_cols;
    cfg.n_exc = n;
    cfg.seed = seed;
    return somnus::make_diehl_cook(cfg);
}

/// The fraction of the first `images` responses (n counts each) that r
/// classifies as their label.
inline double accuracy_of(const somnus::label_readout& r, std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels,
                          std::size_t images, std::size_t n)
{
    if (images == 0) return 0.0;
    std::size_t hit = 0;
    for (std::size_t k = 0; k < images; ++k) hit += r.classify(counts.subspan(k * n, n)) == labels[k];
    return double(hit) / double(images);
}

inline json params_json(const sleep_params& p)
{
    json j;
    p.each_field([&](const char* name, const auto& v) { j[name] = v; });
    return j;
}

inline std::string params_text(const sleep_params& p)
{
    return fmt::format("rate x{:g} window {} exc x{:g} inh x{:g} leak x{:g} {:g} ms stdp {} thresholds {}", p.rate_scale, p.window_px,
                       p.exc_gain, p.inh_gain, p.leak, p.duration_ms, p.stdp ? "on" : "off", p.threshold_adaptation ? "on" : "off");
}

/// What a sleep phase did: its steps, the spikes of the input and of each
/// population, and the excitatory neurons' mean rate.
struct sleep_counts {
    std::uint64_t steps = 0, input_spikes = 0, exc_spikes = 0, inh_spikes = 0;
    double exc_rate_hz = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sleep_counts, steps, input_spikes, exc_spikes, inh_spikes, exc_rate_hz)

/// Sleeps net with p; `neurons` and p's duration give the rate.
inline sleep_counts sleep_with(network& net, const sleep_params& p, std::size_t neurons)
{
    auto phase = somnus::recipes::tadros_2019(p);
    const auto r = net.sleep(phase, p.duration_ms);
    const double s = p.duration_ms * 1e-3;
    return {r.steps, r.input_spikes, r.excitatory_spikes, r.inhibitory_spikes,
            s > 0 ? double(r.excitatory_spikes) / (double(neurons) * s) : 0.0};
}

/// What the search works on: networks of `neurons` neurons (seeds
/// seed_first, seed_first + 1, ...) trained on the first `level` images,
/// labelled on the first label_images, scored on the validation split.
struct search_plan {
    std::size_t neurons = 0, level = 0, seeds = 0, label_images = 0, validation_first = 0, validation_images = 0;
    std::uint64_t seed_first = 0;
    bool quick = false;  ///< three parameters from `start`, not the factorial and seven
    sleep_params start;
    unsigned threads = 1;
};

/// One set of parameters the search scored.
struct candidate {
    std::string stage;
    json params;                              ///< params_json of the parameters
    std::vector<double> validation_accuracy;  ///< per search network, after sleep
    double mean = 0.0;
    std::vector<sleep_counts> sleep;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(candidate, stage, params, validation_accuracy, mean, sleep)

struct search_result {
    sleep_params chosen;
    double chosen_accuracy = 0.0, awake_accuracy = 0.0;
    std::vector<double> awake_per_seed;
    std::vector<candidate> candidates;
    double seconds = 0.0;
};

/// Sleep parameters chosen on the validation split: a 2^5 factorial over
/// (STDP, rate, excitatory gain, inhibitory gain, leak), then coordinate
/// passes over each parameter's grid from the best so far, until a pass
/// changes nothing (at most three). Score: mean validation accuracy after
/// sleep (labels re-assigned) over the search seeds; ties keep the earlier.
inline search_result search(const search_plan& o, const image_sets& s)
{
    const auto t0 = clock::now();
    search_result r;
    const std::size_t n = o.neurons, label_n = o.label_images;
    std::vector<network> nets;
    for (std::size_t k = 0; k < o.seeds; ++k) {
        nets.push_back(new_network(n, o.seed_first + k));
        train_network(nets.back(), s.train, o.level, 1, {}, fmt::format("search seed {}", o.seed_first + k));
    }
    const auto validation_accuracy = [&](const network& net) {
        const auto lc = somnus::evaluate_counts(net, s.train.pixels, 0, label_n, image_set::train, o.threads);
        const somnus::label_readout readout(lc, std::span(s.train.labels).first(label_n), n);
        const auto vc = somnus::evaluate_counts(net, s.train.pixels, o.validation_first, o.validation_images, image_set::train, o.threads);
        return accuracy_of(readout, vc, std::span(s.train.labels).subspan(o.validation_first), o.validation_images, n);
    };
    for (const auto& net : nets) r.awake_per_seed.push_back(validation_accuracy(net));
    r.awake_accuracy = somnus::mean(r.awake_per_seed);
    fmt::print(stderr, "search: awake validation accuracy {:.2f}%\n", 100 * r.awake_accuracy);

    std::map<std::string, double> cache;
    const auto score = [&](const sleep_params& p, const std::string& stage) {
        const std::string key = params_text(p);
        if (const auto it = cache.find(key); it != cache.end()) return it->second;
        candidate c{stage, params_json(p), {}, 0.0, {}};
        for (const auto& net : nets) {
            network slept = net;
            c.sleep.push_back(sleep_with(slept, p, n));
            c.validation_accuracy.push_back(validation_accuracy(slept));
        }
        const double m = c.mean = somnus::mean(c.validation_accuracy);
        cache[key] = m;
        r.candidates.push_back(std::move(c));
        fmt::print(stderr, "search {} #{}: {} -> validation {:.2f}%\n", stage, cache.size(), key, 100 * m);
        return m;
    };

    sleep_params best = o.start;
    double best_score = -1.0;
    const auto consider = [&](const sleep_params& p, const std::string& stage) {
        const double m = score(p, stage);
        if (m > best_score + 1e-12) {
            best_score = m;
            best = p;
        }
    };
    if (!o.quick) {
        for (int bits = 0; bits < 32; ++bits) {
            sleep_params p = o.start;
            p.stdp = bits & 1;
            p.rate_scale = bits & 2 ? 2.0f : 1.0f;
            p.exc_gain = bits & 4 ? 1.5f : 1.0f;
            p.inh_gain = bits & 8 ? 0.5f : 0.0f;
            p.leak = bits & 16 ? 4.0f : 1.0f;
            consider(p, "factorial");
        }
    } else {
        consider(o.start, "start");
    }
    struct dimension {
        const char* name;
        std::vector<double> values;
        std::function<void(sleep_params&, double)> set;
    };
    std::vector<dimension> dims;
    if (o.quick) {
        dims = {{"leak", {1, 4}, [](sleep_params& p, double v) { p.leak = float(v); }},
                {"inh_gain", {0, 0.5}, [](sleep_params& p, double v) { p.inh_gain = float(v); }},
                {"stdp", {0, 1}, [](sleep_params& p, double v) { p.stdp = v != 0; }}};
    } else {
        dims = {{"rate_scale", {0.5, 1, 2, 4}, [](sleep_params& p, double v) { p.rate_scale = float(v); }},
                {"exc_gain", {0.5, 1, 1.5, 2}, [](sleep_params& p, double v) { p.exc_gain = float(v); }},
                {"inh_gain", {0, 0.25, 0.5, 1}, [](sleep_params& p, double v) { p.inh_gain = float(v); }},
                {"leak", {1, 2, 4, 8}, [](sleep_params& p, double v) { p.leak = float(v); }},
                {"duration_ms", {500, 1000, 2000, 4000}, [](sleep_params& p, double v) { p.duration_ms = v; }},
                {"window_px", {0, 11}, [](sleep_params& p, double v) { p.window_px = std::size_t(v); }},
                {"stdp", {0, 1}, [](sleep_params& p, double v) { p.stdp = v != 0; }}};
    }
    for (int pass = 0; pass < 3; ++pass) {
        const std::string before = params_text(best);
        for (const auto& d : dims)
            for (const double v : d.values) {
                sleep_params p = best;
                d.set(p, v);
                consider(p, fmt::format("pass {} {}", pass + 1, d.name));
            }
        if (params_text(best) == before) break;
    }
    r.chosen = best;
    r.chosen_accuracy = best_score;
    r.seconds = seconds_since(t0);
    fmt::print(stderr, "search: chose {} (validation {:.2f}%, awake {:.2f}%) in {:.0f} s\n", params_text(best), 100 * best_score,
               100 * r.awake_accuracy, r.seconds);
    return r;
}

} // namespace somnus::example::tadros2019
