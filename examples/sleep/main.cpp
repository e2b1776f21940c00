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
//
// This file: the options, the protocol and the JSON; search.hpp: the sleep
// phase and its parameter search; analyses.hpp: the measurements and the
// level summaries; figures.py: the figures, from the arrays beside the JSON.
#include <algorithm>
#include <optional>

#include <somnus/readout/receptive_field.hpp>

#include "analyses.hpp"
#include "arrays.hpp"
#include "example.hpp"
#include "pipeline.hpp"
#include "search.hpp"

namespace ex = somnus::example;
using namespace somnus::example::tadros2019;  // network, sleep_params, the search, the analyses

namespace {

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
    std::string dataset = "mnist", data, json;
    unsigned threads = 2;
};

std::size_t label_images(const options& o, std::size_t level, std::size_t train_size)
{
    return std::min({std::max<std::size_t>(level, 1000), o.label_max, train_size});
}

// --------------------------------------------------------------- the run --

/// What the figures draw beside the runs: every network's thresholds before
/// and after sleep ([level][seed][neuron]), and the weights of the pictured
/// network (the search level's, or the first level's, first seed).
struct network_arrays {
    std::vector<float> theta_before, theta_after;
    somnus::matrix_f weights_before, weights_after;
    std::size_t level = 0;
    std::uint64_t seed = 0;
};

std::vector<level_result> run_levels(const options& o, const ex::image_sets& s, const sleep_params& chosen, const perturbed_sets& pert,
                                     network_arrays& arrays)
{
    const std::size_t n = o.neurons;
    std::vector<level_result> levels(o.levels.size());
    for (std::size_t i = 0; i < o.levels.size(); ++i) levels[i].level = o.levels[i];
    sleep_params stdp_only = chosen;
    stdp_only.stdp = true;
    stdp_only.threshold_adaptation = false;
    arrays.level = std::find(o.levels.begin(), o.levels.end(), o.search_level) != o.levels.end() ? o.search_level : o.levels.front();
    arrays.seed = o.seed;
    arrays.theta_before.resize(o.levels.size() * o.seeds * n);
    arrays.theta_after.resize(arrays.theta_before.size());

    for (std::size_t k = 0; k < o.seeds; ++k) {
        const std::uint64_t seed = o.seed + k;
        network net = new_network(n, seed);
        std::size_t trained = 0;
        double train_seconds = 0.0;
        for (std::size_t i = 0; i < o.levels.size(); ++i) {
            const std::size_t L = o.levels[i];
            const auto t_run = ex::clock::now();
            const std::string name = fmt::format("level {} seed {}", L, seed);
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
            run_result run;
            run.seed = seed;
            run.label_images = label_n;
            run.train_seconds_cumulative = train_seconds;

            const network& before = net;
            const auto tb = label_and_test(before, s, label_n, o.threads, name + " before");
            network after = net;
            run.sleep = sleep_with(after, chosen, n);
            const auto ta = label_and_test(after, s, label_n, o.threads, name + " after");
            const double kept = accuracy_of(tb.readout, ta.test_counts, s.test.labels, s.test.size(), n);
            run.before = {tb.accuracy};
            run.after = {ta.accuracy, kept};

            // Robustness, each network with its own labels.
            run.robustness = {robustness(before, tb.readout, pert, o.threads), robustness(after, ta.readout, pert, o.threads)};

            // Thresholds against the receptive fields' neighbourhood variance.
            const auto& th_b = before.exc_state().theta;
            const auto& th_a = after.exc_state().theta;
            auto& t = run.thresholds;
            t.neighbourhood_variance = somnus::neighbourhood_variances(before.weights(), ex::image_rows, ex::image_cols, o.threads);
            t.dtheta_mV.resize(n);
            for (std::size_t j = 0; j < n; ++j) {
                t.dtheta_mV[j] = double(th_a[j]) - double(th_b[j]);
                t.rose += t.dtheta_mV[j] > 0.0;
                t.fell += t.dtheta_mV[j] < 0.0;
            }
            t.unchanged = n - t.rose - t.fell;
            t.test = correlate(t.neighbourhood_variance, t.dtheta_mV, o.permutations, o.seed, (std::uint64_t(L) << 8) + k);

            // Ablation: weights x thresholds from before / after sleep.
            const bool weights_unchanged = before.weights() == after.weights();
            double wb_ta = ta.accuracy, wa_tb = tb.accuracy;
            if (!weights_unchanged) {
                wb_ta = label_and_test(with_theta(before, after), s, label_n, o.threads, name + " weights before, thresholds after").accuracy;
                wa_tb = label_and_test(with_theta(after, before), s, label_n, o.threads, name + " weights after, thresholds before").accuracy;
            }
            run.ablation = {tb.accuracy, wb_ta, wa_tb, ta.accuracy, weights_unchanged};

            // STDP-only sleep: the same phase with thresholds frozen.
            network so = net;
            run.stdp_only.sleep = sleep_with(so, stdp_only, n);
            run.stdp_only.accuracy = label_and_test(so, s, label_n, o.threads, name + " STDP-only sleep").accuracy;

            // Entropy before and after sleep (ours).
            run.entropy = {measure_entropies(before, s.test, o.entropy_images), measure_entropies(after, s.test, o.entropy_images)};

            std::copy(th_b.begin(), th_b.end(), arrays.theta_before.begin() + std::ptrdiff_t((i * o.seeds + k) * n));
            std::copy(th_a.begin(), th_a.end(), arrays.theta_after.begin() + std::ptrdiff_t((i * o.seeds + k) * n));
            if (L == arrays.level && k == 0) {
                arrays.weights_before = before.weights();
                arrays.weights_after = after.weights();
            }
            run.run_seconds = ex::seconds_since(t_run);
            fmt::print(stderr, "{}: before {:.2f}%  after {:.2f}% (labels kept {:.2f}%)  STDP-only {:.2f}%  theta rose {} fell {}\n", name,
                       100 * tb.accuracy, 100 * ta.accuracy, 100 * kept, 100 * run.stdp_only.accuracy, t.rose, t.fell);
            levels[i].runs.push_back(std::move(run));
        }
    }
    for (auto& L : levels) L.summary = summarise(L.level, L.runs, o.permutations, o.seed);
    return levels;
}

/// The arrays behind the figures (examples/sleep/figures.py draws them),
/// beside the JSON: [level][seed] for every run.
void write_arrays(ex::array_outputs& out, const std::vector<level_result>& levels, std::size_t seeds, const network_arrays& nets)
{
    const std::size_t nl = levels.size(), n = nets.weights_before.shape()[1];
    std::vector<double> accuracy, noise, blur, variance;
    for (const auto& L : levels)
        for (const auto& r : L.runs) {
            accuracy.insert(accuracy.end(), {r.before.accuracy, r.after.accuracy, r.after.accuracy_labels_kept, r.stdp_only.accuracy});
            for (const auto* c : {&r.robustness.before, &r.robustness.after}) {
                noise.insert(noise.end(), c->noise.begin(), c->noise.end());
                blur.insert(blur.end(), c->blur.begin(), c->blur.end());
            }
            variance.insert(variance.end(), r.thresholds.neighbourhood_variance.begin(), r.thresholds.neighbourhood_variance.end());
        }
    out.add("accuracy", accuracy,
            "test accuracy per level, seed and network: before sleep, after sleep (labels re-assigned), after sleep (labels kept), "
            "after STDP-only sleep",
            {nl, seeds, 4});
    out.add("noise_accuracy", noise, "accuracy per level, seed, before / after sleep and noise variance (noise_variances)",
            {nl, seeds, 2, noise_variances.size()});
    out.add("blur_accuracy", blur, "accuracy per level, seed, before / after sleep and blur sigma (blur_sigmas_px)", {nl, seeds, 2, blur_sigmas.size()});
    out.add("theta_before", nets.theta_before, "adaptive threshold theta (mV) before sleep, per level, seed and neuron", {nl, seeds, n});
    out.add("theta_after", nets.theta_after, "adaptive threshold theta (mV) after sleep, per level, seed and neuron", {nl, seeds, n});
    out.add("neighbourhood_variance", variance, "each receptive field's mean 3x3-neighbourhood variance before sleep, per level, seed and neuron",
            {nl, seeds, n});
    for (const auto& [when, w] : {std::pair{"before", &nets.weights_before}, std::pair{"after", &nets.weights_after}})
        out.add(fmt::format("weights_{}", when), *w,
                fmt::format("input x neuron weights {} sleep of the network of level {}, seed {} (784 x N)", when, nets.level, nets.seed));
}

// ------------------------------------------------------------------ main --

int run(const options& o)
{
    const auto t_start = ex::clock::now();
    ex::require_output_file(o.json, "--json");
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
        searched = search({o.neurons, o.search_level, o.search_seeds, label_images(o, o.search_level, s.train.size()), o.validation_first,
                           o.validation_images, o.seed + 1000, o.quick, o.fixed, o.threads},
                          s);
        chosen = searched->chosen;
    }
    fmt::print(stderr, "sleep: {}\n", params_text(chosen));

    const perturbed_sets pert = perturb(s.test, o.robust_images, o.seed + 77, o.threads);
    options oo = o;
    oo.entropy_images = std::min(o.entropy_images, s.test.size());
    network_arrays nets;
    const auto levels = run_levels(oo, s, chosen, pert, nets);
    const double wall = ex::seconds_since(t_start);
    fmt::print(stderr, "done in {:.0f} s\n", wall);

    ex::late_outputs late("sleep");
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
        j["robust_images"] = pert.blur.front().size();
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
        j["results"] = levels;
        j["receptive_fields_network"] = {{"level", nets.level}, {"seed", nets.seed}};
        ex::array_outputs arrays("sleep", o.json);
        late.attempt("arrays beside " + o.json, [&] { write_arrays(arrays, levels, o.seeds, nets); });
        arrays.describe_in(j);
        late.write_json(o.json, j);
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
    app.add_option("--json", o.json,
                   "write every result as one JSON object to this file, and beside it the arrays behind the figures (.npy; "
                   "scripts/figures draws them)");
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
