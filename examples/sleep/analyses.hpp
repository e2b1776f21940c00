// SPDX-License-Identifier: MIT
// What examples/sleep measures on a network before and after sleep, and what
// a training level's runs add up to: test accuracy with a label readout,
// accuracy under Gaussian noise and blur (the perturbation robustness), the
// entropies of the responses and the weights, the threshold changes against
// the receptive fields' neighbourhood variance, and the level summaries
// (mean +- s.e.m., paired tests of after against before).
#pragma once

#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <somnus/data/perturb.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/population.hpp>
#include <somnus/entropy/spike_trains.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/stats/correlation.hpp>
#include <somnus/stats/paired.hpp>
#include <somnus/stats/summary.hpp>

#include "example.hpp"
#include "pipeline.hpp"

namespace somnus::example::tadros2019 {

using somnus::image_set;
using nlohmann::json;
using network = somnus::diehl_cook_network;

/// The perturbations of the robustness curves (the lab's protocol, DESIGN.md
/// section 9): noise variances on images in [0, 1] and blur sigmas in pixels.
inline const std::vector<double> noise_variances{0.0, 0.1, 0.3, 0.5, 0.7, 0.9};
inline const std::vector<double> blur_sigmas{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};

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

// ---------------------------------------------------------- robustness --

/// Perturbed copies of the first robust_images test images.
struct perturbed_sets {
    std::vector<somnus::image_dataset> noise, blur;
};

/// Each noise variance (noise drawn from noise_seed) and each blur of subset.
inline perturbed_sets perturb(const somnus::image_dataset& subset, std::uint64_t noise_seed, unsigned threads)
{
    perturbed_sets p;
    for (const double v : noise_variances) p.noise.push_back(somnus::add_gaussian_noise(subset, v, noise_seed, threads));
    for (const double sg : blur_sigmas) p.blur.push_back(somnus::gaussian_blur(subset, sg, 3.0, threads));
    return p;
}

/// Accuracy on each perturbed set, with net's own labels.
inline json robustness(const network& net, const somnus::label_readout& readout, const perturbed_sets& p, unsigned threads)
{
    const std::size_t n = net.n_readout();
    const auto acc = [&](const somnus::image_dataset& d) {
        const auto c = somnus::evaluate_counts(net, d.pixels, 0, d.size(), image_set::test, threads);
        return accuracy_of(readout, c, d.labels, d.size(), n);
    };
    std::vector<double> noise_acc, blur_acc;
    for (const auto& d : p.noise) noise_acc.push_back(acc(d));
    for (const auto& d : p.blur) blur_acc.push_back(acc(d));
    return {{"noise", noise_acc}, {"blur", blur_acc}};
}

// ----------------------------------------------------------- entropies --

/// Entropies of net's responses to the first `images` test images (5 ms
/// bins over each 350 ms presentation, images one after another) and of its
/// weights (64 bins on [0, 1]), plug-in and Miller-Madow, in bits.
inline json entropies(const network& net, const somnus::image_dataset& test, std::size_t images)
{
    constexpr std::uint32_t steps_per_bin = 10;
    const std::uint32_t steps = net.present_steps();
    const std::size_t bins_per_image = steps / steps_per_bin, n = net.n_readout();
    somnus::spike_trains trains(n, images * bins_per_image);
    auto local = net.clone();
    somnus::spike_raster raster;
    local.record_into(&raster);
    std::uint64_t spikes = 0;
    for (std::size_t k = 0; k < images; ++k) {
        local.evaluate(test.image(k), somnus::image_key(image_set::test, k));
        for (const auto& e : raster.excitatory) {
            const std::size_t b = e.step / steps_per_bin;
            if (b < bins_per_image) trains.set(e.input, k * bins_per_image + b);
            ++spikes;
        }
    }
    local.record_into(nullptr);
    const somnus::plug_in plug;
    const somnus::miller_madow mm;
    const auto mean_of = [](const std::vector<double>& v) { return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
    const auto& w = net.weights();
    const std::span<const float> ws(w.data(), w.size());
    const somnus::fixed_bins wb{0.0, 1.0, 64};
    return {{"images", images},
            {"bin_ms", double(steps_per_bin) * net.config().dt_ms},
            {"spikes_per_image", images ? double(spikes) / double(images) : 0.0},
            {"neuron_entropy_bits_plug_in", mean_of(somnus::train_entropies(trains, plug))},
            {"neuron_entropy_bits_miller_madow", mean_of(somnus::train_entropies(trains, mm))},
            {"population_entropy_bits_plug_in", somnus::population_entropy(trains, plug)},
            {"population_entropy_bits_miller_madow", somnus::population_entropy(trains, mm)},
            {"weight_entropy_bits_plug_in", somnus::histogram_entropy(ws, wb, plug)},
            {"weight_entropy_bits_miller_madow", somnus::histogram_entropy(ws, wb, mm)}};
}

// ---------------------------------------------------------- thresholds --

/// Pearson and Spearman r of (x, y) with permutation p-values; null where
/// either side is constant.
inline json correlation_json(std::span<const double> x, std::span<const double> y, std::size_t permutations, std::uint64_t seed,
                             std::uint64_t key)
{
    if (x.size() < 3 || somnus::sample_sd(x) <= 0.0 || somnus::sample_sd(y) <= 0.0)
        return {{"pearson_r", nullptr}, {"pearson_p", nullptr}, {"spearman_rho", nullptr}, {"spearman_p", nullptr}};
    const auto pe = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::pearson, {permutations, seed, key});
    const auto sp = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::spearman, {permutations, seed, key + 1});
    return {{"pearson_r", pe.r}, {"pearson_p", pe.p_value}, {"spearman_rho", sp.r}, {"spearman_p", sp.p_value}, {"permutations", permutations}};
}

/// weights_from with the adaptive thresholds of theta_from (the ablation).
inline network with_theta(const network& weights_from, const network& theta_from)
{
    network net = weights_from;
    net.exc_state().theta = theta_from.exc_state().theta;
    return net;
}

// ------------------------------------------------------ level summaries --

/// mean, s.e.m., n of a sample (s.e.m. 0 for one value).
inline json summary_json(const std::vector<double>& x)
{
    if (x.empty()) return nullptr;
    if (x.size() == 1) return {{"mean", x[0]}, {"sem", 0.0}, {"n", 1}};
    const auto s = somnus::summarize(x);
    return {{"mean", s.mean}, {"sem", s.sem}, {"n", s.n}};
}

/// The paired comparison of after and before: mean gain, its s.e.m., the
/// paired t-test's and the exact sign-flip test's p (null for one pair).
inline json paired_json(const std::vector<double>& after, const std::vector<double>& before)
{
    if (after.size() < 2) {
        json j = summary_json(after.empty() ? std::vector<double>{} : std::vector<double>{after[0] - before[0]});
        j["paired_t_p"] = nullptr;
        j["sign_flip_p"] = nullptr;
        return j;
    }
    const auto t = somnus::paired_t_test(after, before);
    return {{"mean", t.mean_difference},
            {"sem", t.sem_difference},
            {"n", t.n},
            {"paired_t_p", t.p_value},
            {"sign_flip_p", somnus::sign_flip_test(after, before).p_value}};
}

inline std::vector<double> column(const json& runs, const std::vector<std::string>& path)
{
    std::vector<double> out;
    for (const auto& r : runs) {
        const json* v = &r;
        for (const auto& p : path) v = &(*v)[p];
        out.push_back(v->get<double>());
    }
    return out;
}

/// One level's runs and what they add up to.
struct level_result {
    std::size_t level = 0;
    json runs = json::array();
    std::vector<double> dtheta, nbhd_var;  // pooled over seeds, for the scatter
    json summary;
};

/// The summary of L's runs: accuracies and gains, robustness curves,
/// ablation, threshold changes (correlation tests keyed by the level on
/// permutation seed `seed`) and entropies.
inline level_result summarise(level_result L, std::size_t permutations, std::uint64_t seed)
{
    json& s = L.summary;
    const auto& runs = L.runs;
    const auto before = column(runs, {"before", "accuracy"}), after = column(runs, {"after", "accuracy"}),
               kept = column(runs, {"after", "accuracy_labels_kept"}), stdp_only = column(runs, {"stdp_only", "accuracy"});
    s["accuracy_before"] = summary_json(before);
    s["accuracy_after"] = summary_json(after);
    s["accuracy_after_labels_kept"] = summary_json(kept);
    s["accuracy_stdp_only"] = summary_json(stdp_only);
    s["gain"] = paired_json(after, before);
    s["gain_labels_kept"] = paired_json(kept, before);
    s["gain_stdp_only"] = paired_json(stdp_only, before);
    for (const char* kind : {"noise", "blur"}) {
        const std::size_t m = std::string(kind) == "noise" ? noise_variances.size() : blur_sigmas.size();
        json curve = json::array();
        for (std::size_t k = 0; k < m; ++k) {
            std::vector<double> b, a;
            for (const auto& r : runs) {
                b.push_back(r["robustness"]["before"][kind][k].get<double>());
                a.push_back(r["robustness"]["after"][kind][k].get<double>());
            }
            curve.push_back({{"before", summary_json(b)}, {"after", summary_json(a)}, {"gain", paired_json(a, b)}});
        }
        s["robustness"][kind] = curve;
    }
    for (const char* combo : {"weights_before_thresholds_before", "weights_before_thresholds_after", "weights_after_thresholds_before",
                              "weights_after_thresholds_after"})
        s["ablation"][combo] = summary_json(column(runs, {"ablation", combo}));
    std::uint64_t rose = 0, fell = 0, same = 0;
    for (const auto& r : runs) {
        rose += r["thresholds"]["rose"].get<std::uint64_t>();
        fell += r["thresholds"]["fell"].get<std::uint64_t>();
        same += r["thresholds"]["unchanged"].get<std::uint64_t>();
    }
    s["thresholds"] = correlation_json(L.nbhd_var, L.dtheta, permutations, seed, 0x7e7a0000 + L.level);
    s["thresholds"]["rose"] = rose;
    s["thresholds"]["fell"] = fell;
    s["thresholds"]["unchanged"] = same;
    s["thresholds"]["neurons"] = L.dtheta.size();
    s["thresholds"]["dtheta_mean_mV"] = L.dtheta.empty() ? 0.0 : std::accumulate(L.dtheta.begin(), L.dtheta.end(), 0.0) / double(L.dtheta.size());
    for (const char* key : {"neuron_entropy_bits_plug_in", "neuron_entropy_bits_miller_madow", "population_entropy_bits_plug_in",
                            "population_entropy_bits_miller_madow", "weight_entropy_bits_plug_in", "weight_entropy_bits_miller_madow",
                            "spikes_per_image"}) {
        const auto b = column(runs, {"entropy", "before", key}), a = column(runs, {"entropy", "after", key});
        s["entropy"][key] = {{"before", summary_json(b)}, {"after", summary_json(a)}, {"change", paired_json(a, b)}};
    }
    return L;
}

} // namespace somnus::example::tadros2019
