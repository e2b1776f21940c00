// SPDX-License-Identifier: MIT
// Tadros, Krishnan & Bazhenov 2019, "Biologically inspired sleep algorithm
// for increased generalization and adversarial robustness in deep neural
// networks", on the Diehl & Cook network: train on the first L MNIST images
// (L = 100 ... 60 000), then sleep (Poisson input following the mean
// training image, faster leak, inhibition down; sleep/recipes.hpp), and
// compare before and after: test accuracy with labels re-assigned and kept,
// accuracy under Gaussian noise and blur, the threshold changes against the
// receptive fields' neighbourhood variance, the (weights x thresholds)
// ablation, STDP-only sleep, and the entropies before and after sleep (our
// measurement; no source reports it). The sleep parameters, which the paper
// does not give, are chosen on a validation split held out of the training
// images, never on the test set.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

#include <somnus/data/perturb.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/population.hpp>
#include <somnus/entropy/spike_trains.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/readout/receptive_field.hpp>
#include <somnus/sleep/recipes.hpp>
#include <somnus/stats/correlation.hpp>
#include <somnus/stats/paired.hpp>
#include <somnus/stats/summary.hpp>

#include "example.hpp"
#include "pipeline.hpp"

namespace ex = somnus::example;
using somnus::image_set;
using nlohmann::json;
using network = somnus::diehl_cook_network;
using sleep_params = somnus::recipes::tadros_2019_params;

namespace {

const std::vector<double> noise_variances{0.0, 0.1, 0.3, 0.5, 0.7, 0.9};
const std::vector<double> blur_sigmas{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};

struct options {
    std::size_t neurons = 400;
    std::vector<std::size_t> levels{100, 500, 1000, 2000, 5000, 10000, 60000};
    std::size_t seeds = 5;
    std::uint64_t seed = 0;
    std::optional<std::size_t> test;
    std::size_t label_max = 10000;
    std::size_t robust_images = 2000;
    std::size_t entropy_images = 200;
    std::size_t validation_first = 50000, validation_images = 2000;
    std::size_t search_level = 1000, search_seeds = 2;
    std::size_t permutations = 999;
    bool quick = false, no_search = false;
    sleep_params fixed{};  // --no-search: these values
    std::string dataset = "mnist", data, json, png;
    unsigned threads = 2;
};

std::size_t label_images(const options& o, std::size_t level, std::size_t train_size)
{
    return std::min({std::max<std::size_t>(level, 1000), o.label_max, train_size});
}

double accuracy_of(const somnus::label_readout& r, std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels,
                   std::size_t images, std::size_t n)
{
    if (images == 0) return 0.0;
    std::size_t hit = 0;
    for (std::size_t k = 0; k < images; ++k) hit += r.classify(counts.subspan(k * n, n)) == labels[k];
    return double(hit) / double(images);
}

/// The first n images of d.
somnus::image_dataset first_images(const somnus::image_dataset& d, std::size_t n)
{
    somnus::image_dataset out = d;
    out.pixels.resize(n * d.pixels_per_image());
    out.labels.resize(n);
    return out;
}

/// A network's labels (fitted on the first label_n training images) and its
/// test responses.
struct tested {
    somnus::label_readout readout;
    std::vector<std::uint32_t> test_counts;
    double accuracy = 0.0;
};

tested label_and_test(const network& net, const ex::image_sets& s, std::size_t label_n, unsigned threads, const std::string& name)
{
    auto e = ex::label_and_test(net, s.train, label_n, s.test, threads, name);
    return {std::move(e.readout), std::move(e.test_counts), e.confusion.accuracy()};
}

json params_json(const sleep_params& p)
{
    json j;
    p.each_field([&](const char* name, const auto& v) { j[name] = v; });
    return j;
}

std::string params_text(const sleep_params& p)
{
    return fmt::format("rate x{:g} window {} exc x{:g} inh x{:g} leak x{:g} {:g} ms stdp {} thresholds {}", p.rate_scale, p.window_px,
                       p.exc_gain, p.inh_gain, p.leak, p.duration_ms, p.stdp ? "on" : "off", p.threshold_adaptation ? "on" : "off");
}

somnus::sleep_report sleep_with(network& net, const sleep_params& p)
{
    auto phase = somnus::recipes::tadros_2019(p);
    return net.sleep(phase, p.duration_ms);
}

json report_json(const somnus::sleep_report& r, std::size_t neurons, double ms)
{
    const double s = ms * 1e-3;
    return {{"steps", r.steps},
            {"input_spikes", r.input_spikes},
            {"exc_spikes", r.excitatory_spikes},
            {"inh_spikes", r.inhibitory_spikes},
            {"exc_rate_hz", s > 0 ? double(r.excitatory_spikes) / (double(neurons) * s) : 0.0}};
}

// ------------------------------------------------------------------ search --

/// Sleep parameters chosen on the validation split: a 2^5 factorial over
/// (STDP, rate, excitatory gain, inhibitory gain, leak), then coordinate
/// passes over each parameter's grid from the best so far, until a pass
/// changes nothing (at most three). Score: mean validation accuracy after
/// sleep (labels re-assigned) over the search seeds.
struct search_result {
    sleep_params chosen;
    double chosen_accuracy = 0.0, awake_accuracy = 0.0;
    std::vector<double> awake_per_seed;
    json candidates = json::array();
    double seconds = 0.0;
};

search_result search(const options& o, const ex::image_sets& s)
{
    const auto t0 = ex::clock::now();
    search_result r;
    const std::size_t n = o.neurons, label_n = label_images(o, o.search_level, s.train.size());
    std::vector<network> nets;
    for (std::size_t k = 0; k < o.search_seeds; ++k) {
        somnus::competitive_config cfg;
        cfg.n_input = ex::image_rows * ex::image_cols;
        cfg.input_rows = ex::image_rows;
        cfg.input_cols = ex::image_cols;
        cfg.n_exc = n;
        cfg.seed = o.seed + 1000 + k;
        nets.push_back(somnus::make_diehl_cook(cfg));
        ex::train_network(nets.back(), s.train, o.search_level, 1, {}, fmt::format("search seed {}", cfg.seed));
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

    sleep_params best = o.fixed;
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
            sleep_params p = o.fixed;
            p.stdp = bits & 1;
            p.rate_scale = bits & 2 ? 2.0f : 1.0f;
            p.exc_gain = bits & 4 ? 1.5f : 1.0f;
            p.inh_gain = bits & 8 ? 0.5f : 0.0f;
            p.leak = bits & 16 ? 4.0f : 1.0f;
            consider(p, "factorial");
        }
    } else {
        consider(o.fixed, "start");
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
    r.seconds = ex::seconds_since(t0);
    fmt::print(stderr, "search: chose {} (validation {:.2f}%, awake {:.2f}%) in {:.0f} s\n", params_text(best), 100 * best_score,
               100 * r.awake_accuracy, r.seconds);
    return r;
}

// ---------------------------------------------------------------- analyses --

/// Perturbed copies of the first robust_images test images.
struct perturbed_sets {
    std::vector<somnus::image_dataset> noise, blur;
};

/// Accuracy on each perturbed set, with net's own labels.
json robustness(const network& net, const somnus::label_readout& readout, const perturbed_sets& p, unsigned threads,
                std::vector<double>& noise_acc, std::vector<double>& blur_acc)
{
    const std::size_t n = net.n_readout();
    const auto acc = [&](const somnus::image_dataset& d) {
        const auto c = somnus::evaluate_counts(net, d.pixels, 0, d.size(), image_set::test, threads);
        return accuracy_of(readout, c, d.labels, d.size(), n);
    };
    noise_acc.clear();
    blur_acc.clear();
    for (const auto& d : p.noise) noise_acc.push_back(acc(d));
    for (const auto& d : p.blur) blur_acc.push_back(acc(d));
    return {{"noise", noise_acc}, {"blur", blur_acc}};
}

/// Pearson and Spearman r of (x, y) with permutation p-values; null where
/// either side is constant.
json correlation_json(std::span<const double> x, std::span<const double> y, std::size_t permutations, std::uint64_t seed,
                      std::uint64_t key)
{
    if (x.size() < 3 || somnus::sample_sd(x) <= 0.0 || somnus::sample_sd(y) <= 0.0)
        return {{"pearson_r", nullptr}, {"pearson_p", nullptr}, {"spearman_rho", nullptr}, {"spearman_p", nullptr}};
    const auto pe = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::pearson, {permutations, seed, key});
    const auto sp = somnus::correlation_permutation_test(x, y, somnus::correlation_kind::spearman, {permutations, seed, key + 1});
    return {{"pearson_r", pe.r}, {"pearson_p", pe.p_value}, {"spearman_rho", sp.r}, {"spearman_p", sp.p_value}, {"permutations", permutations}};
}

/// Entropies of net's responses to the first `images` test images (5 ms
/// bins over each 350 ms presentation, images one after another) and of its
/// weights (64 bins on [0, 1]), plug-in and Miller-Madow, in bits.
json entropies(const network& net, const somnus::image_dataset& test, std::size_t images)
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

network with_theta(const network& weights_from, const network& theta_from)
{
    network net = weights_from;
    net.exc_state().theta = theta_from.exc_state().theta;
    return net;
}

// -------------------------------------------------------------- statistics --

/// mean, s.e.m., n of a sample.
json summary_json(const std::vector<double>& x)
{
    if (x.empty()) return nullptr;
    if (x.size() == 1) return {{"mean", x[0]}, {"sem", 0.0}, {"n", 1}};
    const auto s = somnus::summarize(x);
    return {{"mean", s.mean}, {"sem", s.sem}, {"n", s.n}};
}

/// The paired comparison of after and before: mean gain, its s.e.m., the
/// paired t-test's and the exact sign-flip test's p.
json paired_json(const std::vector<double>& after, const std::vector<double>& before)
{
    std::vector<double> d(after.size());
    for (std::size_t k = 0; k < d.size(); ++k) d[k] = after[k] - before[k];
    json j = summary_json(d);
    if (after.size() >= 2) {
        j["paired_t_p"] = somnus::paired_t_test(after, before).p_value;
        j["sign_flip_p"] = somnus::sign_flip_test(after, before).p_value;
    } else {
        j["paired_t_p"] = nullptr;
        j["sign_flip_p"] = nullptr;
    }
    return j;
}

std::vector<double> column(const json& runs, const std::vector<std::string>& path)
{
    std::vector<double> out;
    for (const auto& r : runs) {
        const json* v = &r;
        for (const auto& p : path) v = &(*v)[p];
        out.push_back(v->get<double>());
    }
    return out;
}

// --------------------------------------------------------------- the run --

/// One level's runs and what they add up to.
struct level_result {
    std::size_t level = 0;
    json runs = json::array();
    std::vector<double> dtheta, nbhd_var;  // pooled over seeds, for the scatter
    json summary;
};

struct pictures {
    std::vector<float> fields_before, fields_after;
    std::size_t level = 0;
    std::uint64_t seed = 0;
};

level_result summarise(level_result L, const options& o)
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
    s["thresholds"] = correlation_json(L.nbhd_var, L.dtheta, o.permutations, o.seed, 0x7e7a0000 + L.level);
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

std::vector<level_result> run_levels(const options& o, const ex::image_sets& s, const sleep_params& chosen, const perturbed_sets& pert,
                                     pictures& pics)
{
    const std::size_t n = o.neurons;
    std::vector<level_result> levels(o.levels.size());
    for (std::size_t i = 0; i < o.levels.size(); ++i) levels[i].level = o.levels[i];
    sleep_params stdp_only = chosen;
    stdp_only.stdp = true;
    stdp_only.threshold_adaptation = false;
    pics.level = std::find(o.levels.begin(), o.levels.end(), o.search_level) != o.levels.end() ? o.search_level : o.levels.front();
    pics.seed = o.seed;

    for (std::size_t k = 0; k < o.seeds; ++k) {
        somnus::competitive_config cfg;
        cfg.n_input = ex::image_rows * ex::image_cols;
        cfg.input_rows = ex::image_rows;
        cfg.input_cols = ex::image_cols;
        cfg.n_exc = n;
        cfg.seed = o.seed + k;
        network net = somnus::make_diehl_cook(cfg);
        std::size_t trained = 0;
        double train_seconds = 0.0;
        for (std::size_t i = 0; i < o.levels.size(); ++i) {
            const std::size_t L = o.levels[i];
            const auto t_run = ex::clock::now();
            const std::string name = fmt::format("level {} seed {}", L, cfg.seed);
            // Training goes on from the previous level: the network after L
            // images is the one an uninterrupted run has after L images.
            {
                const auto t = ex::clock::now();
                ex::progress bar(name + " train", L - trained);
                for (std::size_t img = trained; img < L; ++img) {
                    net.train(s.train.image(img));
                    bar.update(img + 1 - trained, {}, img + 1 == L);
                }
                trained = L;
                train_seconds += ex::seconds_since(t);
            }
            const std::size_t label_n = label_images(o, L, s.train.size());
            json run;
            run["seed"] = cfg.seed;
            run["label_images"] = label_n;
            run["train_seconds_cumulative"] = train_seconds;

            const network& before = net;
            const auto tb = label_and_test(before, s, label_n, o.threads, name + " before");
            network after = net;
            const auto rep = sleep_with(after, chosen);
            const auto ta = label_and_test(after, s, label_n, o.threads, name + " after");
            const double kept = accuracy_of(tb.readout, ta.test_counts, s.test.labels, s.test.size(), n);
            run["sleep"] = report_json(rep, n, chosen.duration_ms);
            run["before"] = {{"accuracy", tb.accuracy}};
            run["after"] = {{"accuracy", ta.accuracy}, {"accuracy_labels_kept", kept}};

            // Robustness, each network with its own labels.
            std::vector<double> nb, bb, na, ba;
            run["robustness"]["before"] = robustness(before, tb.readout, pert, o.threads, nb, bb);
            run["robustness"]["after"] = robustness(after, ta.readout, pert, o.threads, na, ba);

            // Thresholds against the receptive fields' neighbourhood variance.
            const auto& th_b = before.exc_state().theta;
            const auto& th_a = after.exc_state().theta;
            const auto nv = somnus::neighbourhood_variances(before.weights(), ex::image_rows, ex::image_cols, o.threads);
            std::vector<double> dth(n);
            std::uint64_t rose = 0, fell = 0;
            for (std::size_t j = 0; j < n; ++j) {
                dth[j] = double(th_a[j]) - double(th_b[j]);
                rose += dth[j] > 0.0;
                fell += dth[j] < 0.0;
            }
            run["thresholds"] = correlation_json(nv, dth, o.permutations, o.seed, (std::uint64_t(L) << 8) + k);
            run["thresholds"]["rose"] = rose;
            run["thresholds"]["fell"] = fell;
            run["thresholds"]["unchanged"] = n - rose - fell;
            run["thresholds"]["dtheta_mV"] = dth;
            run["thresholds"]["neighbourhood_variance"] = nv;
            levels[i].dtheta.insert(levels[i].dtheta.end(), dth.begin(), dth.end());
            levels[i].nbhd_var.insert(levels[i].nbhd_var.end(), nv.begin(), nv.end());

            // Ablation: weights x thresholds from before / after sleep.
            const bool weights_unchanged = before.weights() == after.weights();
            double wb_ta = ta.accuracy, wa_tb = tb.accuracy;
            if (!weights_unchanged) {
                wb_ta = label_and_test(with_theta(before, after), s, label_n, o.threads, name + " weights before, thresholds after").accuracy;
                wa_tb = label_and_test(with_theta(after, before), s, label_n, o.threads, name + " weights after, thresholds before").accuracy;
            }
            run["ablation"] = {{"weights_before_thresholds_before", tb.accuracy},
                               {"weights_before_thresholds_after", wb_ta},
                               {"weights_after_thresholds_before", wa_tb},
                               {"weights_after_thresholds_after", ta.accuracy},
                               {"weights_unchanged_by_sleep", weights_unchanged}};

            // STDP-only sleep: the same phase with thresholds frozen.
            network so = net;
            const auto rep_so = sleep_with(so, stdp_only);
            const auto tso = label_and_test(so, s, label_n, o.threads, name + " STDP-only sleep");
            run["stdp_only"] = {{"accuracy", tso.accuracy}, {"sleep", report_json(rep_so, n, stdp_only.duration_ms)}};

            // Entropy before and after sleep (ours).
            run["entropy"] = {{"before", entropies(before, s.test, o.entropy_images)}, {"after", entropies(after, s.test, o.entropy_images)}};

            if (L == pics.level && k == 0) {
                pics.fields_before = somnus::receptive_fields(before.weights());
                pics.fields_after = somnus::receptive_fields(after.weights());
            }
            run["run_seconds"] = ex::seconds_since(t_run);
            fmt::print(stderr, "{}: before {:.2f}%  after {:.2f}% (labels kept {:.2f}%)  STDP-only {:.2f}%  theta rose {} fell {}\n", name,
                       100 * tb.accuracy, 100 * ta.accuracy, 100 * kept, 100 * tso.accuracy, rose, fell);
            levels[i].runs.push_back(std::move(run));
        }
    }
    for (auto& L : levels) L = summarise(std::move(L), o);
    return levels;
}

// -------------------------------------------------------------- pictures --

void write_pictures(const options& o, const std::vector<level_result>& levels, const pictures& pics)
{
    namespace plot = somnus::plot;
    const std::filesystem::path dir(o.png);
    std::filesystem::create_directories(dir);
    const auto mean_sem = [](const json& j) { return j.is_null() ? std::pair<double, double>{NAN, NAN} : std::pair<double, double>{j["mean"].get<double>(), j["sem"].get<double>()}; };
    {
        std::vector<plot::series> ser{{"before sleep", {}, {}, {31, 119, 180}},
                                      {"after sleep (labels re-assigned)", {}, {}, {214, 39, 40}},
                                      {"after sleep (labels kept)", {}, {}, {255, 127, 14}},
                                      {"STDP-only sleep", {}, {}, {44, 160, 44}}};
        std::vector<std::vector<double>> err(4);
        const char* keys[] = {"accuracy_before", "accuracy_after", "accuracy_after_labels_kept", "accuracy_stdp_only"};
        for (const auto& L : levels)
            for (std::size_t k = 0; k < 4; ++k) {
                const auto [m, e] = mean_sem(L.summary[keys[k]]);
                ser[k].x.push_back(std::log10(double(L.level)));
                ser[k].y.push_back(100 * m);
                err[k].push_back(100 * e);
            }
        ex::write_png(dir / "accuracy_by_level.png",
                      plot::error_bar_chart(ser, err, fmt::format("Test accuracy before and after sleep (N = {}, mean +- s.e.m., {} seeds)", o.neurons, o.seeds),
                                            "log10 training images", "accuracy (%)", std::pair{0.0, 100.0}));
    }
    for (const auto& L : levels) {
        for (const char* kind : {"noise", "blur"}) {
            const bool noise = std::string(kind) == "noise";
            const auto& xs = noise ? noise_variances : blur_sigmas;
            std::vector<plot::series> ser{{"before sleep", {}, {}, {31, 119, 180}}, {"after sleep", {}, {}, {214, 39, 40}}};
            std::vector<std::vector<double>> err(2);
            for (std::size_t k = 0; k < xs.size(); ++k) {
                const auto& c = L.summary["robustness"][kind][k];
                for (std::size_t q = 0; q < 2; ++q) {
                    const auto [m, e] = mean_sem(c[q == 0 ? "before" : "after"]);
                    ser[q].x.push_back(xs[k]);
                    ser[q].y.push_back(100 * m);
                    err[q].push_back(100 * e);
                }
            }
            ex::write_png(dir / fmt::format("{}_level_{}.png", kind, L.level),
                          plot::error_bar_chart(ser, err, fmt::format("Accuracy under Gaussian {} after {} training images", kind, L.level),
                                                noise ? "noise variance (images in [0, 1])" : "blur sigma (pixels)", "accuracy (%)",
                                                std::pair{0.0, 100.0}));
        }
        plot::series pts{"", L.nbhd_var, L.dtheta, {214, 39, 40}};
        const auto& t = L.summary["thresholds"];
        ex::write_png(dir / fmt::format("theta_change_level_{}.png", L.level),
                      plot::scatter_chart({pts},
                                          t["pearson_r"].is_null()
                                              ? fmt::format("Threshold change in sleep, {} training images", L.level)
                                              : fmt::format("Threshold change in sleep, {} images: r = {:.2f}, rho = {:.2f}", L.level,
                                                            t["pearson_r"].get<double>(), t["spearman_rho"].get<double>()),
                                          "receptive field's mean 3x3-neighbourhood variance", "theta change (mV)"));
    }
    if (!pics.fields_before.empty()) {
        for (const auto& [name, tiles] : {std::pair{"before", &pics.fields_before}, std::pair{"after", &pics.fields_after}})
            ex::write_png(dir / fmt::format("receptive_fields_{}_level_{}_seed_{}.png", name, pics.level, pics.seed),
                          plot::image_grid(*tiles, o.neurons, 28, 28, o.neurons <= 400 ? 3 : 1, plot::colormap_hot, plot::tile_scale::per_tile));
    }
}

// ------------------------------------------------------------------ main --

int run(const options& o)
{
    const auto t_start = ex::clock::now();
    ex::require_output_file(o.json, "--json");
    ex::require_output_folder(o.png, "--png");
    {
        somnus::detail::require(!o.levels.empty(), "--levels: give at least one training level");
        for (std::size_t k = 0; k < o.levels.size(); ++k) {
            somnus::detail::require(o.levels[k] >= 1, "--levels: a level of {} images", o.levels[k]);
            somnus::detail::require(k == 0 || o.levels[k] > o.levels[k - 1], "--levels: levels must increase ({} after {})", o.levels[k],
                                    o.levels[k - 1]);
        }
        somnus::detail::require(o.no_search || o.search_level <= o.validation_first,
                                "--search-level {}: the search trains on images the validation split (from --validation-first {}) holds",
                                o.search_level, o.validation_first);
        somnus::detail::require(o.robust_images >= 1 && o.entropy_images >= 1, "--robust-images and --entropy-images must be at least 1");
    }
    const std::size_t max_level = o.levels.back();
    const std::size_t train_needed = std::max({max_level, o.label_max, o.no_search ? 0 : o.validation_first + o.validation_images,
                                               o.no_search ? 0 : o.search_level});
    const std::string dir = ex::data_folder(o.dataset, o.data);
    const somnus::image_geometry geometry{ex::image_rows, ex::image_cols};
    ex::image_sets s{o.dataset, dir, {}, {}, 0, 0};
    s.train = somnus::load_mnist(dir, somnus::mnist_split::train, train_needed, geometry);
    ex::images_to_use(s.train, max_level, "--levels");
    if (!o.no_search) ex::images_to_use(s.train, o.validation_first + o.validation_images, "--validation-first + --validation-images");
    s.test = somnus::load_mnist(dir, somnus::mnist_split::test, o.test.value_or(std::numeric_limits<std::size_t>::max()), geometry);
    ex::images_to_use(s.test, o.test, "--test");
    somnus::detail::require(s.test.size() >= 1, "{}: no test images", s.test.images_path.string());
    s.train_n = max_level;
    s.label_n = label_images(o, max_level, s.train.size());
    ex::print_sets(s, o.neurons);

    // The sleep parameters: searched on the validation split, or given.
    std::optional<search_result> searched;
    sleep_params chosen = o.fixed;
    if (!o.no_search) {
        searched = search(o, s);
        chosen = searched->chosen;
    }
    fmt::print(stderr, "sleep: {}\n", params_text(chosen));

    perturbed_sets pert;
    const auto subset = first_images(s.test, std::min(o.robust_images, s.test.size()));
    for (const double v : noise_variances) pert.noise.push_back(somnus::add_gaussian_noise(subset, v, o.seed + 77, o.threads));
    for (const double sg : blur_sigmas) pert.blur.push_back(somnus::gaussian_blur(subset, sg, 3.0, o.threads));
    options oo = o;
    oo.entropy_images = std::min(o.entropy_images, s.test.size());
    pictures pics;
    const auto levels = run_levels(oo, s, chosen, pert, pics);
    const double wall = ex::seconds_since(t_start);
    fmt::print(stderr, "done in {:.0f} s\n", wall);

    ex::late_outputs late("sleep");
    if (!o.png.empty()) late.attempt("--png " + o.png, [&] {
        write_pictures(o, levels, pics);
        fmt::print(stderr, "pictures in {}\n", o.png);
    });
    if (!o.json.empty()) {
        json j;
        j["experiment"] = "tadros_2019_sleep";
        j["seed"] = o.seed;
        j["wall_seconds"] = wall;
        j["neurons"] = o.neurons;
        j["threads"] = o.threads;
        j["simd_arch"] = somnus::simd::arch_name();
        j["dataset"] = o.dataset;
        j["quick"] = o.quick;
        j["levels"] = o.levels;
        j["seeds"] = o.seeds;
        j["test_images"] = s.test.size();
        j["label_images"] = "the first max(level, 1000) training images, at most --label-max";
        j["label_max"] = o.label_max;
        j["robust_images"] = subset.size();
        j["noise_variances"] = noise_variances;
        j["blur_sigmas_px"] = blur_sigmas;
        j["noise_seed"] = o.seed + 77;
        j["sleep_parameters"] = params_json(chosen);
        j["sleep_recipe"] = somnus::recipes::tadros_2019_source;
        j["stdp_only_sleep"] = "the chosen phase with STDP on and the adaptive threshold frozen";
        if (searched) {
            j["search"] = {{"procedure", o.quick ? "quick: coordinate passes over leak {1, 4}, inh_gain {0, 0.5}, STDP {off, on} from the recipe's defaults"
                                                 : "2^5 factorial over STDP {off, on} x rate {1, 2} x exc_gain {1, 1.5} x inh_gain {0, 0.5} x leak {1, 4} "
                                                   "(2000 ms, whole image), then coordinate passes over rate {0.5, 1, 2, 4}, exc_gain {0.5, 1, 1.5, 2}, "
                                                   "inh_gain {0, 0.25, 0.5, 1}, leak {1, 2, 4, 8}, duration {500, 1000, 2000, 4000} ms, window {0, 11} px, "
                                                   "STDP {off, on} until a pass changes nothing (at most 3); score: mean validation accuracy after sleep, "
                                                   "labels re-assigned; ties keep the earlier candidate"},
                           {"level", o.search_level},
                           {"seeds", o.search_seeds},
                           {"seed_first", o.seed + 1000},
                           {"validation_first", o.validation_first},
                           {"validation_images", o.validation_images},
                           {"label_images", label_images(o, o.search_level, s.train.size())},
                           {"awake_validation_accuracy", searched->awake_accuracy},
                           {"awake_validation_accuracy_per_seed", searched->awake_per_seed},
                           {"chosen", params_json(searched->chosen)},
                           {"chosen_validation_accuracy", searched->chosen_accuracy},
                           {"candidates", searched->candidates},
                           {"search_seconds", searched->seconds}};
        } else {
            j["search"] = "none (--no-search): the values given";
        }
        j["paper"] = {{"source", "Tadros, Krishnan & Bazhenov 2019 (DESIGN.md section 9; seed text)"},
                      {"accuracy_1000_before", 0.20},
                      {"accuracy_1000_after", 0.60},
                      {"claims", {"gains at every training level (n = 5)", "noise and blur accuracy higher after sleep",
                                  "most thresholds rise; change correlates with the receptive field's neighbourhood variance",
                                  "the gain sits in the thresholds (weights x thresholds ablation)", "STDP-only sleep gives the same gain"}}};
        j["entropy_method"] = "5 ms bins over each 350 ms presentation of the first --entropy-images test images (from rest), images "
                              "concatenated; neuron entropy: mean over neurons of the binary bin entropy; population entropy: entropy "
                              "of the N-bit patterns; weights: 64 bins on [0, 1]; bits; ours, no source reports it";
        json lv = json::array();
        for (const auto& L : levels) lv.push_back({{"level", L.level}, {"summary", L.summary}, {"runs", L.runs}});
        j["results"] = lv;
        if (!late.errors().empty()) j["output_errors"] = late.errors();
        ex::write_json(o.json, j);
    }
    return late.status();
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Tadros, Krishnan & Bazhenov 2019: sleep after partial training of the Diehl & Cook network, before/after analyses",
                 "sleep");
    app.add_option("--neurons", o.neurons, "excitatory (and inhibitory) neurons")->check(ex::integer_in(1, 10000))->capture_default_str();
    app.add_option("--levels", o.levels, "training levels: images trained on before sleep, increasing")
        ->check(ex::integer_in(1, 10000000))
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--seeds", o.seeds, "initialisations per level (seeds --seed, --seed + 1, ...)")->check(ex::integer_in(1, 20))->capture_default_str();
    app.add_option("--test", o.test, "test images, the first of the file (default: all, 10000)")->check(ex::integer_in(1, 10000000));
    app.add_option("--label-max", o.label_max, "at most this many training images label the neurons")->check(ex::integer_in(1, 10000000))->capture_default_str();
    app.add_option("--robust-images", o.robust_images, "test images (the first) for the noise and blur curves")->check(ex::integer_in(1, 10000000))->capture_default_str();
    app.add_option("--entropy-images", o.entropy_images, "test images (the first) for the entropies")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_option("--validation-first", o.validation_first, "first training image of the validation split")->check(ex::integer_in(0, 10000000))->capture_default_str();
    app.add_option("--validation-images", o.validation_images, "validation images")->check(ex::integer_in(1, 10000000))->capture_default_str();
    app.add_option("--search-level", o.search_level, "training images of the networks the search sleeps")->check(ex::integer_in(1, 10000000))->capture_default_str();
    app.add_option("--search-seeds", o.search_seeds, "networks the search scores each candidate on")->check(ex::integer_in(1, 20))->capture_default_str();
    app.add_option("--permutations", o.permutations, "permutations of the correlation tests")->check(ex::integer_in(1, 1000000))->capture_default_str();
    app.add_flag("--no-search", o.no_search, "no search: sleep with the --sleep-* values (default: the recipe's)");
    app.add_option("--sleep-rate", o.fixed.rate_scale, "with --no-search: mean-image rate factor")->check(ex::non_negative_number(1000))->capture_default_str();
    app.add_option("--sleep-window", o.fixed.window_px, "with --no-search: window (px, 0: whole image)")->check(ex::integer_in(0, 28))->capture_default_str();
    app.add_option("--sleep-exc", o.fixed.exc_gain, "with --no-search: excitatory gain factor")->check(ex::non_negative_number(1000))->capture_default_str();
    app.add_option("--sleep-inh", o.fixed.inh_gain, "with --no-search: inhibitory gain factor")->check(ex::non_negative_number(1000))->capture_default_str();
    app.add_option("--sleep-leak", o.fixed.leak, "with --no-search: leak factor (tau_m / leak)")->check(ex::positive_number(1000))->capture_default_str();
    app.add_option("--sleep-ms", o.fixed.duration_ms, "with --no-search: sleep duration (ms)")->check(ex::number_in(0, 1e7))->capture_default_str();
    app.add_option("--sleep-stdp", o.fixed.stdp, "with --no-search: STDP in sleep (true/false)")->capture_default_str();
    app.add_flag("--quick", o.quick,
                 "minutes, not the full protocol: N = 100, levels 100,1000, 2 seeds, 1000 test images, a 3-parameter search on 500 "
                 "validation images (flags given explicitly still win)");
    ex::add_dataset_options(app, o.dataset, o.data);
    app.add_option("--seed", o.seed, "first random seed")->check(ex::integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, "threads for labelling, testing and the analyses (results do not depend on it)")
        ->check(ex::integer_in(1, 1024))
        ->capture_default_str();
    app.add_option("--json", o.json, "write every figure as one JSON object to this file");
    app.add_option("--png", o.png, "write the pictures into this folder");
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    if (o.quick) {
        const auto unset = [&](const char* flag) { return app.count(flag) == 0; };
        if (unset("--neurons")) o.neurons = 100;
        if (unset("--levels")) o.levels = {100, 1000};
        if (unset("--seeds")) o.seeds = 2;
        if (unset("--test")) o.test = 1000;
        if (unset("--label-max")) o.label_max = 1000;
        if (unset("--robust-images")) o.robust_images = 200;
        if (unset("--entropy-images")) o.entropy_images = 50;
        if (unset("--validation-images")) o.validation_images = 500;
        if (unset("--permutations")) o.permutations = 199;
    }
    return ex::guarded("sleep", [&] { return run(o); });
}
