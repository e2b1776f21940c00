// SPDX-License-Identifier: MIT
// examples/sleep's sleep phase (the tadros_2019 recipe with its parameters,
// sleep/recipes.hpp) and the search for those parameters, which the paper
// does not give, on a validation split held out of the training images,
// never on the test set.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <somnus/sleep/recipes.hpp>

#include "analyses.hpp"

namespace somnus::example::tadros2019 {

using sleep_params = somnus::recipes::tadros_2019_params;

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

inline somnus::sleep_report sleep_with(network& net, const sleep_params& p)
{
    auto phase = somnus::recipes::tadros_2019(p);
    return net.sleep(phase, p.duration_ms);
}

inline json report_json(const somnus::sleep_report& r, std::size_t neurons, double ms)
{
    const double s = ms * 1e-3;
    return {{"steps", r.steps},
            {"input_spikes", r.input_spikes},
            {"exc_spikes", r.excitatory_spikes},
            {"inh_spikes", r.inhibitory_spikes},
            {"exc_rate_hz", s > 0 ? double(r.excitatory_spikes) / (double(neurons) * s) : 0.0}};
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

struct search_result {
    sleep_params chosen;
    double chosen_accuracy = 0.0, awake_accuracy = 0.0;
    std::vector<double> awake_per_seed;
    json candidates = json::array();
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
        std::vector<double> acc;
        json reports = json::array();
        for (const auto& net : nets) {
            network slept = net;
            reports.push_back(report_json(sleep_with(slept, p), n, p.duration_ms));
            acc.push_back(validation_accuracy(slept));
        }
        const double m = somnus::mean(acc);
        cache[key] = m;
        r.candidates.push_back({{"stage", stage}, {"params", params_json(p)}, {"validation_accuracy", acc}, {"mean", m}, {"sleep", reports}});
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
