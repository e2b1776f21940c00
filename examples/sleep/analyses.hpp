// SPDX-License-Identifier: MIT
// What examples/sleep measures on a network before and after sleep, and what
// a training level's runs add up to: test accuracy with a label readout,
// accuracy under Gaussian noise and blur (the perturbation robustness), the
// entropies of the responses and the weights, the threshold changes against
// the receptive fields' neighbourhood variance, and the level summaries
// (mean +- s.e.m., paired tests of after against before).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <somnus/data/perturb.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/population.hpp>
#include <somnus/entropy/spike_trains.hpp>
#include <somnus/stats/correlation.hpp>
#include <somnus/stats/paired.hpp>
#include <somnus/stats/summary.hpp>

#include "json_optional.hpp"
#include "summaries.hpp"
#include "search.hpp"


namespace somnus::example::tadros2019 {

/// The perturbations of the robustness curves (the lab's protocol, DESIGN.md
/// section 9): noise variances on images in [0, 1] and blur sigmas in pixels.
inline const std::vector<double> noise_variances{0.0, 0.1, 0.3, 0.5, 0.7, 0.9};
inline const std::vector<double> blur_sigmas{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};

// ------------------------------------------------------------ accuracy --

/// A network's labels (fitted on the first label_n training images) and its
/// test responses.
struct tested {
    somnus::label_readout readout;
    std::vector<std::uint32_t> test_counts;
    double accuracy = 0.0;
};

inline tested label_and_test(const network& net, const image_sets& s, std::size_t label_n, unsigned threads, const std::string& name)
{
    auto e = somnus::example::label_and_test(net, s.train, label_n, s.test, threads, name);
    return {std::move(e.readout), std::move(e.test_counts), e.confusion.accuracy()};
}

// ---------------------------------------------------------- robustness --

/// Perturbed copies of the first test images.
struct perturbed_sets {
    std::vector<somnus::image_dataset> noise, blur;
};

/// Each noise variance (noise drawn from noise_seed) and each blur of the
/// first `images` of test (all if it holds fewer).
inline perturbed_sets perturb(const somnus::image_dataset& test, std::size_t images, std::uint64_t noise_seed, unsigned threads)
{
    somnus::image_dataset subset = test;
    subset.pixels.resize(std::min(images, test.size()) * test.pixels_per_image());
    subset.labels.resize(std::min(images, test.size()));
    perturbed_sets p;
    for (const double v : noise_variances) p.noise.push_back(somnus::add_gaussian_noise(subset, v, noise_seed, threads));
    for (const double sg : blur_sigmas) p.blur.push_back(somnus::gaussian_blur(subset, sg, 3.0, threads));
    return p;
}

/// Accuracy at each noise variance and each blur sigma.
struct robustness_curves {
    std::vector<double> noise, blur;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(robustness_curves, noise, blur)

/// Accuracy on each perturbed set, with net's own labels.
inline robustness_curves robustness(const network& net, const somnus::label_readout& readout, const perturbed_sets& p, unsigned threads)
{
    const std::size_t n = net.n_readout();
    const auto acc = [&](const somnus::image_dataset& d) {
        const auto c = somnus::evaluate_counts(net, d.pixels, 0, d.size(), image_set::test, threads);
        return accuracy_of(readout, c, d.labels, d.size(), n);
    };
    robustness_curves r;
    for (const auto& d : p.noise) r.noise.push_back(acc(d));
    for (const auto& d : p.blur) r.blur.push_back(acc(d));
    return r;
}

// ----------------------------------------------------------- entropies --

/// Entropies in bits, plug-in and Miller-Madow, of the responses (per neuron
/// and of the population) and of the weights.
struct entropy_measures {
    std::size_t images = 0;
    double bin_ms = 0.0, spikes_per_image = 0.0;
    double neuron_entropy_bits_plug_in = 0.0, neuron_entropy_bits_miller_madow = 0.0;
    double population_entropy_bits_plug_in = 0.0, population_entropy_bits_miller_madow = 0.0;
    double weight_entropy_bits_plug_in = 0.0, weight_entropy_bits_miller_madow = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(entropy_measures, images, bin_ms, spikes_per_image, neuron_entropy_bits_plug_in,
                                   neuron_entropy_bits_miller_madow, population_entropy_bits_plug_in,
                                   population_entropy_bits_miller_madow, weight_entropy_bits_plug_in, weight_entropy_bits_miller_madow)

/// The measures a level summarises, by their JSON names.
inline const std::pair<const char*, double entropy_measures::*> entropy_fields[] = {
    {"neuron_entropy_bits_plug_in", &entropy_measures::neuron_entropy_bits_plug_in},
    {"neuron_entropy_bits_miller_madow", &entropy_measures::neuron_entropy_bits_miller_madow},
    {"population_entropy_bits_plug_in", &entropy_measures::population_entropy_bits_plug_in},
    {"population_entropy_bits_miller_madow", &entropy_measures::population_entropy_bits_miller_madow},
    {"weight_entropy_bits_plug_in", &entropy_measures::weight_entropy_bits_plug_in},
    {"weight_entropy_bits_miller_madow", &entropy_measures::weight_entropy_bits_miller_madow},
    {"spikes_per_image", &entropy_measures::spikes_per_image}};

/// Entropies of net's responses to the first `images` test images (5 ms
/// bins over each 350 ms presentation, images one after another) and of its
/// weights (64 bins on [0, 1]).
inline entropy_measures measure_entropies(const network& net, const somnus::image_dataset& test, std::size_t images)
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
    return {images,
            double(steps_per_bin) * net.config().dt_ms,
            images ? double(spikes) / double(images) : 0.0,
            mean_of(somnus::train_entropies(trains, plug)),
            mean_of(somnus::train_entropies(trains, mm)),
            somnus::population_entropy(trains, plug),
            somnus::population_entropy(trains, mm),
            somnus::histogram_entropy(ws, wb, plug),
            somnus::histogram_entropy(ws, wb, mm)};
}

// ---------------------------------------------------------- thresholds --

/// Pearson and Spearman r with permutation p-values; none where either side
/// is constant (then the JSON has no "permutations").
struct correlation {
    std::optional<double> pearson_r, pearson_p, spearman_rho, spearman_p;
    std::size_t permutations = 0;
};

inline void to_json(json& j, const correlation& c)
{
    j = {{"pearson_r", c.pearson_r}, {"pearson_p", c.pearson_p}, {"spearman_rho", c.spearman_rho}, {"spearman_p", c.spearman_p}};
    if (c.pearson_r) j["permutations"] = c.permutations;
}

inline void from_json(const json& j, correlation& c)
{
    j.at("pearson_r").get_to(c.pearson_r);
    j.at("pearson_p").get_to(c.pearson_p);
    j.at("spearman_rho").get_to(c.spearman_rho);
    j.at("spearman_p").get_to(c.spearman_p);
    c.permutations = j.value("permutations", std::size_t(0));
}

/// The correlation of (x, y), the permutations drawn from (seed, key).
inline correlation correlate(std::span<const double> x, std::span<const double> y, std::size_t permutations, std::uint64_t seed,
                             std::uint64_t key)
{
    if (x.size() < 3 || somnus::sample_sd(x) <= 0.0 || somnus::sample_sd(y) <= 0.0) return {};
    const auto pe = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::pearson, {permutations, seed, key});
    const auto sp = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::spearman, {permutations, seed, key + 1});
    return {pe.r, pe.p_value, sp.r, sp.p_value, permutations};
}

/// T's members and a correlation test of them, in one JSON object (the
/// test's keys beside T's).
template <class T>
struct with_correlation : T {
    correlation test;
};

template <class T>
void to_json(json& j, const with_correlation<T>& t)
{
    j = static_cast<const T&>(t);
    j.update(json(t.test));
}

template <class T>
void from_json(const json& j, with_correlation<T>& t)
{
    j.get_to(static_cast<T&>(t));
    j.get_to(t.test);
}

/// How sleep moved the thresholds: each neuron's change with its receptive
/// field's mean 3x3-neighbourhood variance (with_correlation adds their
/// correlation).
struct threshold_changes {
    std::uint64_t rose = 0, fell = 0, unchanged = 0;
    std::vector<double> dtheta_mV, neighbourhood_variance;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(threshold_changes, rose, fell, unchanged, dtheta_mV, neighbourhood_variance)

/// weights_from with the adaptive thresholds of theta_from (the ablation).
inline network with_theta(const network& weights_from, const network& theta_from)
{
    network net = weights_from;
    net.exc_state().theta = theta_from.exc_state().theta;
    return net;
}

// ---------------------------------------------------------------- runs --

/// One network (a seed) at one training level, before and after sleep.
struct run_result {
    struct before_sleep {
        double accuracy = 0.0;
    };
    struct after_sleep {
        double accuracy = 0.0, accuracy_labels_kept = 0.0;  ///< labels re-assigned after sleep, or those of before
    };
    struct both_curves {
        robustness_curves before, after;  ///< each network with its own labels
    };
    struct weights_x_thresholds {
        double weights_before_thresholds_before = 0.0, weights_before_thresholds_after = 0.0, weights_after_thresholds_before = 0.0,
               weights_after_thresholds_after = 0.0;
        bool weights_unchanged_by_sleep = false;
    };
    struct stdp_only_sleep {
        double accuracy = 0.0;
        sleep_counts sleep;
    };
    struct both_entropies {
        entropy_measures before, after;
    };

    std::uint64_t seed = 0;
    std::size_t label_images = 0;
    double train_seconds_cumulative = 0.0;
    sleep_counts sleep;
    before_sleep before;
    after_sleep after;
    both_curves robustness;
    with_correlation<threshold_changes> thresholds;
    weights_x_thresholds ablation;
    stdp_only_sleep stdp_only;
    both_entropies entropy;
    double run_seconds = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::before_sleep, accuracy)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::after_sleep, accuracy, accuracy_labels_kept)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::both_curves, before, after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::weights_x_thresholds, weights_before_thresholds_before, weights_before_thresholds_after,
                                   weights_after_thresholds_before, weights_after_thresholds_after, weights_unchanged_by_sleep)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::stdp_only_sleep, accuracy, sleep)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result::both_entropies, before, after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(run_result, seed, label_images, train_seconds_cumulative, sleep, before, after, robustness, thresholds,
                                   ablation, stdp_only, entropy, run_seconds)

// ----------------------------------------------------- level summaries --

/// mean +- s.e.m. of n values (common/summaries.hpp; s.e.m. 0 for one value).
using summary = mean_sem;

inline summary summary_of(const std::vector<double>& x)
{
    somnus::detail::require(!x.empty(), "summary_of: no values");
    return mean_sem_of(x);
}

/// after - before over matched runs: the differences' mean and s.e.m., and
/// the paired t-test's and the exact sign-flip test's p (none for one pair).
struct paired_change {
    double mean = 0.0, sem = 0.0;
    std::size_t n = 0;
    std::optional<double> paired_t_p, sign_flip_p;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(paired_change, mean, sem, n, paired_t_p, sign_flip_p)

inline paired_change change_of(const std::vector<double>& after, const std::vector<double>& before)
{
    if (after.size() < 2) return {after.at(0) - before.at(0), 0.0, 1, {}, {}};
    const auto t = somnus::paired_t_test(after, before);
    return {t.mean_difference, t.sem_difference, t.n, t.p_value, somnus::sign_flip_test(after, before).p_value};
}

/// A before / after pair of samples and their paired change.
struct compared {
    summary before, after;
    paired_change change;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(compared, before, after, change)

inline compared compare(const std::vector<double>& after, const std::vector<double>& before)
{
    return {summary_of(before), summary_of(after), change_of(after, before)};
}

/// One point of a robustness curve (the change is called the gain there).
struct curve_point {
    summary before, after;
    paired_change gain;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(curve_point, before, after, gain)

/// What a level's runs add up to.
struct level_summary {
    struct curves {
        std::vector<curve_point> noise, blur;
    };
    struct weights_x_thresholds {
        summary weights_before_thresholds_before, weights_before_thresholds_after, weights_after_thresholds_before,
            weights_after_thresholds_after;
    };
    /// The threshold changes pooled over the seeds.
    struct thresholds_pooled {
        std::uint64_t rose = 0, fell = 0, unchanged = 0;
        std::size_t neurons = 0;
        double dtheta_mean_mV = 0.0;
    };

    summary accuracy_before, accuracy_after, accuracy_after_labels_kept, accuracy_stdp_only;
    paired_change gain, gain_labels_kept, gain_stdp_only;
    curves robustness;
    weights_x_thresholds ablation;
    with_correlation<thresholds_pooled> thresholds;
    std::map<std::string, compared> entropy;  ///< by entropy_fields' names
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(level_summary::thresholds_pooled, rose, fell, unchanged, neurons, dtheta_mean_mV)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(level_summary::curves, noise, blur)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(level_summary::weights_x_thresholds, weights_before_thresholds_before, weights_before_thresholds_after,
                                   weights_after_thresholds_before, weights_after_thresholds_after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(level_summary, accuracy_before, accuracy_after, accuracy_after_labels_kept, accuracy_stdp_only, gain,
                                   gain_labels_kept, gain_stdp_only, robustness, ablation, thresholds, entropy)

/// One training level: its runs (one per seed, in seed order) and summary.
struct level_result {
    std::size_t level = 0;
    level_summary summary;
    std::vector<run_result> runs;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(level_result, level, summary, runs)

/// f of each run.
template <class F>
std::vector<double> column(const std::vector<run_result>& runs, F&& f)
{
    std::vector<double> out;
    for (const auto& r : runs) out.push_back(f(r));
    return out;
}

/// The summary of L's runs; the pooled threshold correlation draws its
/// permutations from (seed, a key of the level).
inline level_summary summarise(std::size_t level, const std::vector<run_result>& runs, std::size_t permutations, std::uint64_t seed)
{
    level_summary s;
    const auto before = column(runs, [](const run_result& r) { return r.before.accuracy; });
    const auto after = column(runs, [](const run_result& r) { return r.after.accuracy; });
    const auto kept = column(runs, [](const run_result& r) { return r.after.accuracy_labels_kept; });
    const auto stdp_only = column(runs, [](const run_result& r) { return r.stdp_only.accuracy; });
    s.accuracy_before = summary_of(before);
    s.accuracy_after = summary_of(after);
    s.accuracy_after_labels_kept = summary_of(kept);
    s.accuracy_stdp_only = summary_of(stdp_only);
    s.gain = change_of(after, before);
    s.gain_labels_kept = change_of(kept, before);
    s.gain_stdp_only = change_of(stdp_only, before);
    const auto curve = [&](std::vector<double> robustness_curves::*kind) {
        std::vector<curve_point> points;
        for (std::size_t k = 0; k < (runs.front().robustness.before.*kind).size(); ++k) {
            const auto c = compare(column(runs, [&](const run_result& r) { return (r.robustness.after.*kind)[k]; }),
                                   column(runs, [&](const run_result& r) { return (r.robustness.before.*kind)[k]; }));
            points.push_back({c.before, c.after, c.change});
        }
        return points;
    };
    s.robustness = {curve(&robustness_curves::noise), curve(&robustness_curves::blur)};
    using ablation = run_result::weights_x_thresholds;
    const auto combo = [&](double ablation::*m) { return summary_of(column(runs, [&](const run_result& r) { return r.ablation.*m; })); };
    s.ablation = {combo(&ablation::weights_before_thresholds_before), combo(&ablation::weights_before_thresholds_after),
                  combo(&ablation::weights_after_thresholds_before), combo(&ablation::weights_after_thresholds_after)};
    std::vector<double> dtheta, nbhd_var;  // pooled over the seeds
    for (const auto& r : runs) {
        s.thresholds.rose += r.thresholds.rose;
        s.thresholds.fell += r.thresholds.fell;
        s.thresholds.unchanged += r.thresholds.unchanged;
        dtheta.insert(dtheta.end(), r.thresholds.dtheta_mV.begin(), r.thresholds.dtheta_mV.end());
        nbhd_var.insert(nbhd_var.end(), r.thresholds.neighbourhood_variance.begin(), r.thresholds.neighbourhood_variance.end());
    }
    s.thresholds.test = correlate(nbhd_var, dtheta, permutations, seed, 0x7e7a0000 + level);
    s.thresholds.neurons = dtheta.size();
    s.thresholds.dtheta_mean_mV = dtheta.empty() ? 0.0 : std::accumulate(dtheta.begin(), dtheta.end(), 0.0) / double(dtheta.size());
    for (const auto& [name, m] : entropy_fields)
        s.entropy[name] = compare(column(runs, [&](const run_result& r) { return r.entropy.after.*m; }),
                                  column(runs, [&](const run_result& r) { return r.entropy.before.*m; }));
    return s;
}

} // namespace somnus::example::tadros2019
