// SPDX-License-Identifier: MIT
// `sleep_regularisation --protocol massey2026` (the default): Massey et al.
// 2026 as the authors ran it (massey2026.hpp), every data set x sleep ratio
// x seed, beside their per-run results, and their surrogate-gradient control
// (massey_sg.hpp). Ratios whose sleep pauses are equally long (every r above
// 10 000 / 35 000 is capped at 10 000 steps) run the same protocol with the
// same streams, so each distinct pause is run once and reported for every
// ratio that gives it; units (a run each) are spread over threads and MPI
// ranks, the results depending on neither. The tables and the arrays
// behind the figures: massey_report.hpp.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../common/arrays.hpp"
#include "../common/example.hpp"
#include "../common/mpi.hpp"
#include "../common/units.hpp"
#include "massey2026.hpp"
#include "massey_report.hpp"
#include "massey_sg.hpp"

namespace somnus::example::massey2026 {

struct program_options {
    options stdp;
    massey::massey_sg_options sg;
    std::string part = "both";  ///< both, stdp, sg
    std::string mnist_dir, fashion_dir;
    bool quick = false;
    unsigned threads = 2;
    std::string json;
    bool zero_added = false;  ///< r = 0 was not asked for (said once the inputs are checked)
};

/// One distinct STDP protocol: data set, pause, seed.
struct unit {
    std::size_t dataset = 0;
    double pause_ms = 0.0;
    double ratio = 0.0;  ///< the first ratio with that pause
    std::size_t seed = 0;
};

/// One distinct SG run: data set, sleep period (minibatches), seed.
struct sg_unit {
    std::size_t dataset = 0;
    std::size_t every = 0;
    double ratio = 0.0;  ///< the first p with that period
    std::size_t seed = 0;
};

inline std::vector<sg_unit> sg_units(const std::vector<double>& ratios, std::size_t datasets, std::size_t seeds)
{
    std::vector<std::size_t> periods;
    std::vector<double> first;
    for (const double r : ratios) {
        const auto e = massey::sleep_every(r);
        if (std::find(periods.begin(), periods.end(), e) == periods.end()) {
            periods.push_back(e);
            first.push_back(r);
        }
    }
    std::vector<sg_unit> u;
    for (std::size_t d = 0; d < datasets; ++d)
        for (std::size_t i = 0; i < periods.size(); ++i)
            for (std::size_t s = 0; s < seeds; ++s) u.push_back({d, periods[i], first[i], s});
    return u;
}

inline std::vector<unit> stdp_units(const options& o)
{
    std::vector<double> pauses;
    std::vector<double> first;
    for (const double r : o.ratios) {
        const double p = pause_ms(r);
        if (std::find(pauses.begin(), pauses.end(), p) == pauses.end()) {
            pauses.push_back(p);
            first.push_back(r);
        }
    }
    std::vector<unit> u;
    for (std::size_t d = 0; d < o.datasets.size(); ++d)
        for (std::size_t i = 0; i < pauses.size(); ++i)
            for (std::size_t s = 0; s < o.seeds; ++s) u.push_back({d, pauses[i], first[i], s});
    return u;
}

inline int run_program(program_options& o, const mpi_session& mpi)
{
    const auto t0 = clock::now();
    const bool do_stdp = o.part != "sg", do_sg = o.part != "stdp";
    // Everything checked before any work: options, output path, data.
    if (do_sg) massey::validate(o.sg);
    require_output_file(o.json, "--json");
    std::vector<data> sets;
    const auto folder = [&](const std::string& d) { return d == "mnist" ? o.mnist_dir : o.fashion_dir; };
    for (const auto& d : o.stdp.datasets) {
        sets.push_back(load(d, folder(d), o.threads));
        make_pools(o.stdp, sets.back(), o.stdp.seed);  // enough images for the pools
        if (do_sg) {
            // The SG control's class-balanced subsets: a class with too few
            // images fails now, not after the STDP part.
            (void)massey::balanced_subset(sets.back().train15, o.sg.train_per_class, o.sg.subset_seed, 0);
            (void)massey::balanced_subset(sets.back().test15, o.sg.test_per_class, o.sg.subset_seed, 1);
        }
    }
    if (o.zero_added) fmt::print(stderr, "sleep_regularisation: r = 0 added, the reference every figure is compared against\n");

    // A failure after this point (after hours of work) still writes what was
    // computed: the JSON marked partial, with the error, and exit status 2
    // (bad input) or 1.
    late_failure failure;
    std::vector<std::string> stdp_mine, sg_mine;
    std::vector<unit> units;
    if (do_stdp) failure.attempt("the STDP part", [&] {
        units = stdp_units(o.stdp);
        stdp_mine = run_units(
            units, mpi, o.threads, "massey2026 stdp runs",
            [&](const unit& u) { return nlohmann::json(run(o.stdp, sets[u.dataset], u.ratio, u.seed, [](std::size_t) {})); },
            [&](const unit& u, const nlohmann::json& j) {
                const auto r = j.get<run_result>();
                return fmt::format("{} r={:g} (pause {:g} steps) seed {}: {:.1f}% (ours {:.1f}%), {} batches, {:.0f} s",
                                   o.stdp.datasets[u.dataset], u.ratio, u.pause_ms, u.seed, r.accuracy, r.accuracy_ours, r.batches_run,
                                   r.seconds);
            });
    });
    if (do_sg) failure.attempt("the SG part", [] { injected_failure("sg_part"); });
    if (do_sg) failure.attempt("the SG part", [&] {
        const auto sgu = sg_units(o.stdp.ratios, o.stdp.datasets.size(), o.stdp.seeds);
        sg_mine = run_units(
            sgu, mpi, o.threads, "massey2026 sg runs",
            [&](const sg_unit& u) {
                auto opt = o.sg;
                opt.dataset = o.stdp.datasets[u.dataset];
                opt.sleep_fraction = u.ratio;
                opt.seed = o.stdp.seed + u.seed;
                return nlohmann::json(massey::run_massey_sg(opt, sets[u.dataset].train15, sets[u.dataset].test15, 1));
            },
            [&](const sg_unit& u, const nlohmann::json& j) {
                const auto r = j.get<massey::massey_sg_result>();
                return fmt::format("sg {} p={:g} (every {}) seed {}: {:.1f}% ({:.1f} s)", o.stdp.datasets[u.dataset], u.ratio, u.every,
                                   u.seed, 100.0 * r.final_test_accuracy, r.seconds);
            });
    });
    const auto stdp_all = gather_units(mpi, stdp_mine);
    const auto sg_all = gather_units(mpi, sg_mine);
    failure.gather(mpi);
    if (!mpi.root()) return failure.status();
    fmt::print(stderr, "sleep_regularisation: gathered {} units from {} process{}\n", stdp_all.size() + sg_all.size(), mpi.size(),
               mpi.size() == 1 ? "" : "es");

    array_outputs arrays("sleep_regularisation", o.json);
    std::optional<double> headline;
    nlohmann::json j;
    j["experiment"] = "sleep_regularisation";
    j["protocol"] = "massey2026";
    j["source"] = "Massey, Hubin, Nichele & Saebo 2026 (arXiv:2601.08447) as their code runs it "
                  "(github.com/AndrlmMass/SpikingNeuralNetwork, src/ at 40b7d33; SG control snntorch/main.py at de54a77)";
    j["seed"] = o.stdp.seed;
    j["threads"] = o.threads;
    j["quick"] = o.quick;
    if (do_stdp) {
        const auto& s = o.stdp;
        j["stdp"]["settings"] = {{"datasets", s.datasets},   {"ratios", s.ratios},         {"seeds", s.seeds},
                                 {"batches", s.batches},     {"batch_images", s.batch_images}, {"train_pool", s.train_pool},
                                 {"val_images", s.val_images}, {"test_images", s.test_images}, {"fit_images", s.fit_images},
                                 {"images", s.distinct_images ? "distinct" : "same"},
                                 {"convention", std::string(to_string(s.convention))},
                                 {"early_stopping", s.early_stopping}, {"patience", s.patience}, {"their_quirks", s.their_quirks},
                                 {"forgetting", s.forgetting}};
        std::vector<run_result> runs;
        for (const auto& u : stdp_all) runs.push_back(u.get<run_result>());
        if (!failure.failed("the STDP part"))
            for (const auto& d : s.datasets) {
                const auto rows = stdp_table(s, d, runs);
                j["stdp"]["table"][d] = rows;
                add_stdp_arrays(arrays, d, rows, s.seeds);
                // Headline: r = 0 (always run, first) on the first data set.
                if (d == s.datasets[0]) headline = rows[0].accuracy.mean;
            }
        j["stdp"]["runs"] = runs;
    }
    if (do_sg) {
        std::vector<massey::massey_sg_result> runs;
        for (const auto& u : sg_all) runs.push_back(u.get<massey::massey_sg_result>());
        j["sg"]["settings"] = {{"epochs", o.sg.epochs},
                               {"batch", o.sg.batch},
                               {"steps", o.sg.steps},
                               {"train_per_class", o.sg.train_per_class},
                               {"test_per_class", o.sg.test_per_class},
                               {"hidden", o.sg.hidden},
                               {"beta", o.sg.beta},
                               {"learning_rate", o.sg.learning_rate}};
        if (!failure)
            for (const auto& d : o.stdp.datasets) {
                const auto rows = sg_table(o.stdp.ratios, d, runs);
                j["sg"]["table"][d] = rows;
                add_sg_arrays(arrays, d, rows, o.stdp.seeds);
            }
        j["sg"]["runs"] = runs;
    }
    failure.record(j);
    const double wall_seconds = seconds_since(t0);
    j["wall_seconds"] = wall_seconds;
    if (headline) j["accuracy"] = *headline;
    arrays.describe_in(j);
    late_outputs outputs("sleep_regularisation");
    if (!o.json.empty()) outputs.attempt("--json", [&] { write_json(o.json, j); });
    if (failure) return failure.report("sleep_regularisation", o.json);
    fmt::print(stderr, "sleep_regularisation: done in {:.0f} s\n", wall_seconds);
    return outputs.status();
}

/// A one-line message for a bad combination of flags, exit status 2.
inline int fail_with(const std::string& message) { return example::fail_with("sleep_regularisation", message); }

/// Parses the massey2026 protocol's flags and runs it.
inline int main_massey(int argc, char** argv, mpi_session& mpi)
{
    program_options o;
    CLI::App app{"Massey et al. 2026 as the authors ran it: their recurrent STDP network with periodic sleep, every data set x\n"
                 "sleep ratio x seed beside their per-run results, and their surrogate-gradient control (DESIGN.md section 9a).\n"
                 "--protocol ours runs our earlier reading of the abstract instead.",
                 "sleep_regularisation"};
    std::string protocol = "massey2026";
    app.add_option("--protocol", protocol, "massey2026 (default) or ours")->check(CLI::IsMember({"massey2026", "ours"}));
    std::vector<double> ratios;
    std::vector<std::string> datasets;
    std::string images = "same", convention = "code";
    app.add_option("--part", o.part, "both, stdp (their STDP network) or sg (their surrogate-gradient control)")
        ->check(CLI::IsMember({"both", "stdp", "sg"}))
        ->capture_default_str();
    app.add_option("--ratios", ratios,
                   "sleep ratios r (pause = round(35 000 r) steps, at most 10 000), default 0 0.1 ... 1.0; r = 0 always runs")
        ->check(number_in(0.0, 100.0));
    app.add_option("--datasets", datasets, "mnist and/or fashion, each once (default both)")->check(CLI::IsMember({"mnist", "fashion"}));
    app.add_option("--seeds", o.stdp.seeds, "runs per setting (seeds seed, seed + 1, ...)")->check(integer_in(1, 100))->capture_default_str();
    app.add_option("--batches", o.stdp.batches, "training batches (theirs: 20)")->check(integer_in(1, 1000))->capture_default_str();
    app.add_option("--batch-images", o.stdp.batch_images, "images per batch (theirs: 300)")->check(integer_in(2, 6000))->capture_default_str();
    app.add_option("--images", images, "same (their code: every batch shows the first batch-images images) or distinct (new images each batch)")
        ->check(CLI::IsMember({"same", "distinct"}))
        ->capture_default_str();
    app.add_option("--convention", convention, "sign convention of the rule: code (theirs: pre-after-post potentiates) or textbook")
        ->check(CLI::IsMember({"code", "textbook"}))
        ->capture_default_str();
    app.add_option("--patience", o.stdp.patience, "early stopping patience in batches (theirs: 6)")->check(integer_in(1, 1000))->capture_default_str();
    bool no_early_stopping = false, no_quirks = false;
    app.add_flag("--forgetting", o.stdp.forgetting,
                 "ours: classes 0-4 for the first half of the batches, then 5-9 (new images, no early stopping); our readout after each half");
    app.add_flag("--no-early-stopping", no_early_stopping, "train every batch and test the last weights");
    app.add_flag("--no-quirks", no_quirks, "start every batch at -70 mV with carried thresholds (not as their code)");
    app.add_option("--train-pool", o.stdp.train_pool, "training pool (theirs: 6 000)")->check(integer_in(2, 60000))->capture_default_str();
    app.add_option("--val-images", o.stdp.val_images, "validation pool (theirs: 100)")->check(integer_in(2, 10000))->capture_default_str();
    app.add_option("--test-images", o.stdp.test_images, "test pool (theirs: 1 000; their readout scores the last 200)")
        ->check(integer_in(2, 10000))
        ->capture_default_str();
    app.add_option("--fit-images", o.stdp.fit_images, "ours: images that fit our readout")->check(integer_in(2, 10000))->capture_default_str();
    app.add_option("--sg-epochs", o.sg.epochs, "SG: epochs (theirs: 10)")->check(integer_in(1, 1000))->capture_default_str();
    app.add_option("--sg-train-per-class", o.sg.train_per_class, "SG: training images per class (theirs: 600)")
        ->check(integer_in(1, 6000))
        ->capture_default_str();
    app.add_option("--sg-test-per-class", o.sg.test_per_class, "SG: test images per class (theirs: 200)")->check(integer_in(1, 1000))->capture_default_str();
    app.add_option("--data", o.mnist_dir, "MNIST folder (default data/mnist)");
    app.add_option("--fashion-data", o.fashion_dir, "Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)");
    app.add_flag("--quick", o.quick, "a small setting that finishes in about a minute (explicit flags still apply)");
    app.add_option("--seed", o.stdp.seed, "first seed (theirs: 42)")->check(integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, "threads (results do not depend on it)")->check(integer_in(1, 1024))->capture_default_str();
    app.add_option("--json", o.json, "write every figure as one JSON object to this file, and the arrays behind the figures "
                                     "beside it (scripts/figures RESULT.json OUTDIR draws them)");
    if (const auto code = parse(app, argc, argv)) return *code;
    const auto given = [&](const char* flag) { return app.count(flag) > 0; };
    if (o.quick) {
        if (!given("--seeds")) o.stdp.seeds = 2;
        if (!given("--batches")) o.stdp.batches = 2;
        if (!given("--batch-images")) o.stdp.batch_images = 40;
        if (!given("--test-images")) o.stdp.test_images = 200;
        if (!given("--fit-images")) o.stdp.fit_images = 200;
        if (ratios.empty()) ratios = {0.0, 0.1};
        if (!given("--train-pool")) o.stdp.train_pool = 400;
        if (!given("--val-images")) o.stdp.val_images = 40;
        if (!given("--sg-epochs")) o.sg.epochs = 1;
        if (!given("--sg-train-per-class")) o.sg.train_per_class = 60;
        if (!given("--sg-test-per-class")) o.sg.test_per_class = 20;
    }
    // Each value once; the ratios ascending, with r = 0 (every comparison is
    // against it, and the headline is its accuracy) run whether asked or not.
    if (repeats(ratios)) return fail_with("--ratios lists a value twice");
    if (repeats(datasets)) return fail_with("--datasets lists a data set twice");
    if (!ratios.empty()) {
        std::sort(ratios.begin(), ratios.end());
        if (ratios.front() != 0.0) {
            ratios.insert(ratios.begin(), 0.0);
            o.zero_added = true;
        }
        o.stdp.ratios = ratios;
    }
    if (!datasets.empty()) o.stdp.datasets = datasets;
    o.stdp.distinct_images = images == "distinct";
    o.stdp.convention = convention == "textbook" ? timing_convention::pre_before_post : timing_convention::pre_after_post;
    if (no_early_stopping) o.stdp.early_stopping = false;
    if (no_quirks) o.stdp.their_quirks = false;
    if (o.stdp.forgetting) {
        o.stdp.distinct_images = true;
        o.stdp.early_stopping = false;
        if (!given("--train-pool")) o.stdp.train_pool = std::max<std::size_t>(o.stdp.train_pool, 2 * o.stdp.batches * o.stdp.batch_images);
    }
    if (!o.stdp.distinct_images && o.stdp.batch_images > o.stdp.train_pool)
        return fail_with(fmt::format("--batch-images {} is more than the training pool of {} (--train-pool)", o.stdp.batch_images,
                                     o.stdp.train_pool));
    if (o.stdp.distinct_images && o.stdp.batches * o.stdp.batch_images > o.stdp.train_pool && given("--train-pool"))
        return fail_with(fmt::format("--images distinct shows {} images, more than the training pool of {} (--train-pool)",
                                     o.stdp.batches * o.stdp.batch_images, o.stdp.train_pool));
    if (o.stdp.distinct_images) o.stdp.train_pool = std::max(o.stdp.train_pool, o.stdp.batches * o.stdp.batch_images);
    o.stdp.test_batch = std::min(o.stdp.test_batch, o.stdp.test_images);
    o.sg.seed = o.stdp.seed;
    o.mnist_dir = data_folder("mnist", o.mnist_dir);
    o.fashion_dir = data_folder("fashion", o.fashion_dir);
    return guarded("sleep_regularisation", [&] { return run_program(o, mpi); });
}

} // namespace somnus::example::massey2026
