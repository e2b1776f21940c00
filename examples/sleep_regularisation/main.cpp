// SPDX-License-Identifier: MIT
// Periodic sleep as a regulariser. --protocol massey2026 (the default):
// Massey, Hubin, Nichele & Saebo 2026 as the authors ran it (massey_main.hpp,
// DESIGN.md section 9a). --protocol ours: our earlier reading of their
// abstract (DESIGN.md section 9), below: a
// recurrent STDP network trained with sleep bouts taking a fraction f of
// training time (stdp_runs.hpp), and the same sleep between the epochs of a
// surrogate-gradient network (sg_control.hpp), with stability measures over
// training, forgetting when the classes arrive in two halves, and the
// function-space entropy S0 of the SG members with and without sleep.
// Units (a dataset, fraction, seed and kind each) are spread over threads
// and, built with MPI, over processes; the results depend on neither.
// As in massey2026: each fraction and data set once, the fractions ascending
// with f = 0 (the reference of every comparison) run whether asked or not;
// every input read and checked before any work; a late failure still
// writes the JSON, marked partial.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../common/example.hpp"
#include "../common/mpi.hpp"
#include "../common/units.hpp"
#include "../common/plot.hpp"
#if SOMNUS_HAVE_READOUT
#include "massey_main.hpp"
#endif
#include "sg_control.hpp"
#include "stdp_runs.hpp"

namespace ex = somnus::example;
namespace ms = somnus::example::massey;

namespace {

struct options {
    ms::stdp_options stdp;
    ex::sg_control_options sg;
    std::string part = "both";  ///< both, stdp, sg
    std::string mnist_dir, fashion_dir;
    bool quick = false;
    unsigned threads = 2;
    std::uint64_t seed = 0;
    std::string json, png;
    bool zero_added = false;  ///< f = 0 was not asked for (said once the inputs are checked)
};

struct summary {
    double mean = 0.0, sem = 0.0;
    std::size_t n = 0;
};

summary summarize(const std::vector<double>& x)
{
    summary s;
    s.n = x.size();
    if (x.empty()) return s;
    s.mean = somnus::mean(x);
    s.sem = x.size() > 1 ? somnus::standard_error(x) : 0.0;
    return s;
}

nlohmann::json to_json(const summary& s) { return {{"mean", s.mean}, {"sem", s.sem}, {"n", s.n}}; }

/// Paired comparison of f against f = 0 over seeds.
nlohmann::json paired(const std::vector<double>& with, const std::vector<double>& without)
{
    nlohmann::json j;
    std::vector<double> d(with.size());
    for (std::size_t k = 0; k < d.size(); ++k) d[k] = with[k] - without[k];
    j["difference"] = to_json(summarize(d));
    if (d.size() >= 2) {
        bool all_same = std::all_of(d.begin(), d.end(), [&](double x) { return x == d[0]; });
        if (!all_same) j["p_paired_t"] = somnus::paired_t_test(with, without).p_value;
        if (d.size() <= somnus::sign_flip_max_n) j["p_sign_flip"] = somnus::sign_flip_test(with, without).p_value;
    }
    return j;
}

const somnus::image_dataset& cached(std::map<std::string, somnus::image_dataset>& cache, const std::string& dir, somnus::mnist_split split,
                                    std::size_t limit)
{
    const std::string key = dir + (split == somnus::mnist_split::train ? "/train" : "/test");
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, somnus::load_mnist(dir, split, limit, somnus::image_geometry{28, 28})).first;
    return it->second;
}

/// Every STDP unit this process does, over `threads` threads.
std::vector<std::string> run_stdp(const options& o, const ex::mpi_session& mpi, const std::vector<ms::stdp_data>& data)
{
    const auto& s = o.stdp;
    std::vector<std::size_t> units(s.unit_count());
    for (std::size_t u = 0; u < units.size(); ++u) units[u] = u;
    return ex::run_units(
        units, mpi, o.threads, "stdp units",
        [&](std::size_t u) {
            const auto where = ms::unit_at(s, u);
            return ms::to_json(ms::run_unit(s, u, data[where.dataset]), s);
        },
        [&](std::size_t u, const nlohmann::json& j) {
            const auto where = ms::unit_at(s, u);
            return fmt::format("{} {} f={:g} seed {}: accuracy {:.1f}% ({:.0f} s)", s.datasets[where.dataset],
                               where.forgetting ? "forgetting" : "main", j["fraction"].get<double>(), where.seed,
                               100.0 * j["points"].back()["accuracy"].get<double>(), j["seconds"].get<double>());
        });
}

/// This process's SG units, appended to `out` as each finishes (so that a
/// failure keeps the finished ones), with the session made before any work.
void run_sg(ex::sg_control_session& session, const ex::mpi_session& mpi, std::vector<std::string>& out)
{
    const std::size_t units = session.units();
    for (std::size_t u = 0; u < units; ++u) {
        if (!mpi.mine(u)) continue;
        const auto r = session.run_unit(u);
        fmt::print(stderr, "sg unit {}/{}: {} f={:g} seed {} ({:.0f} s)\n", u + 1, units, r.forgetting_run ? "forgetting" : "main",
                   r.fraction, r.seed_index, r.seconds);
        out.push_back(ex::to_json(r).dump());
    }
}

/// Means over seeds, per dataset and fraction, of every STDP measure at
/// every point, the final-point comparisons against f = 0, and forgetting.
nlohmann::json aggregate_stdp(const ms::stdp_options& s, const std::vector<nlohmann::json>& units)
{
    nlohmann::json out;
    const std::vector<std::pair<std::string, std::vector<std::string>>> measures{
        {"accuracy", {"accuracy"}},
        {"input_at_upper", {"input_weights", "at_upper"}},
        {"input_at_lower", {"input_weights", "at_lower"}},
        {"input_mean", {"input_weights", "mean"}},
        {"input_max", {"input_weights", "max"}},
        {"input_entropy_bits", {"input_weights", "entropy_bits"}},
        {"recurrent_at_upper", {"recurrent_weights", "at_upper"}},
        {"recurrent_at_lower", {"recurrent_weights", "at_lower"}},
        {"recurrent_mean", {"recurrent_weights", "mean"}},
        {"recurrent_max", {"recurrent_weights", "max"}},
        {"recurrent_entropy_bits", {"recurrent_weights", "entropy_bits"}},
        {"mean_pairwise_correlation", {"mean_pairwise_correlation"}},
        {"distinct_receptive_fields", {"distinct_receptive_fields"}},
        {"distinct_classes", {"distinct_classes"}}};
    const auto value = [](const nlohmann::json& p, const std::vector<std::string>& path) {
        const nlohmann::json* x = &p;
        for (const auto& k : path) x = &(*x)[k];
        return x->get<double>();
    };
    for (std::size_t d = 0; d < s.datasets.size(); ++d) {
        nlohmann::json ds;
        std::map<std::string, std::vector<double>> final_at_zero;
        std::vector<double> forgetting_at_zero;
        for (std::size_t i = 0; i < s.fractions.size(); ++i) {
            std::vector<const nlohmann::json*> main, forget;
            for (const auto& u : units) {
                if (u["dataset"] != s.datasets[d] || u["fraction"].get<double>() != s.fractions[i]) continue;
                (u["kind"] == "main" ? main : forget).push_back(&u);
            }
            nlohmann::json fj;
            fj["fraction"] = s.fractions[i];
            fj["seeds"] = main.size();
            if (!main.empty()) {
                const std::size_t points = (*main[0])["points"].size();
                for (std::size_t p = 0; p < points; ++p) {
                    std::vector<double> images, wake;
                    for (const auto* u : main) {
                        images.push_back((*u)["points"][p]["images"].get<double>());
                        wake.push_back((*u)["points"][p]["wake_ms"].get<double>());
                    }
                    fj["curve"]["images"].push_back(summarize(images).mean);
                    fj["curve"]["wake_s"].push_back(summarize(wake).mean / 1000.0);
                    for (const auto& [name, path] : measures) {
                        std::vector<double> x;
                        for (const auto* u : main) x.push_back(value((*u)["points"][p], path));
                        fj["curve"][name].push_back(to_json(summarize(x)));
                    }
                }
                for (const auto& [name, path] : measures) {
                    std::vector<double> x;
                    for (const auto* u : main) x.push_back(value((*u)["points"].back(), path));
                    fj["final"][name] = to_json(summarize(x));
                    if (s.fractions[i] == 0.0) final_at_zero[name] = x;
                    else if (final_at_zero.count(name) && final_at_zero[name].size() == x.size())
                        fj["final_vs_no_sleep"][name] = paired(x, final_at_zero[name]);
                }
            }
            if (!forget.empty()) {
                std::vector<double> after_first, after_second, drop, second;
                for (const auto* u : forget) {
                    const auto& pts = (*u)["points"];
                    after_first.push_back(pts[0]["accuracy_classes_0_4"].get<double>());
                    after_second.push_back(pts[1]["accuracy_classes_0_4"].get<double>());
                    second.push_back(pts[1]["accuracy_classes_5_9"].get<double>());
                    drop.push_back(after_first.back() - after_second.back());
                }
                fj["forgetting"] = {{"classes_0_4_after_first_half", to_json(summarize(after_first))},
                                    {"classes_0_4_after_second_half", to_json(summarize(after_second))},
                                    {"classes_5_9_after_second_half", to_json(summarize(second))},
                                    {"drop", to_json(summarize(drop))}};
                if (s.fractions[i] == 0.0) forgetting_at_zero = drop;
                else if (forgetting_at_zero.size() == drop.size()) fj["forgetting"]["drop_vs_no_sleep"] = paired(drop, forgetting_at_zero);
            }
            ds["fractions"].push_back(fj);
        }
        out[s.datasets[d]] = ds;
    }
    return out;
}

const std::vector<somnus::plot::rgb> palette{{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};

/// The drop in accuracy on classes 0-4 after training on 5-9, per sleep
/// fraction (mean and s.e.m. over seeds), when the runs were made.
void forgetting_picture(const std::filesystem::path& file, const nlohmann::json& fractions, const std::string& title)
{
    std::vector<somnus::plot::series> bars{{"drop in accuracy on classes 0-4", {}, {}, palette[3]}};
    std::vector<std::vector<double>> err(1);
    for (const auto& fj : fractions)
        if (fj.contains("forgetting")) {
            bars[0].x.push_back(100.0 * fj["fraction"].get<double>());
            bars[0].y.push_back(fj["forgetting"]["drop"]["mean"].get<double>());
            err[0].push_back(fj["forgetting"]["drop"]["sem"].get<double>());
        }
    if (!bars[0].x.empty())
        ex::write_png(file, somnus::plot::error_bar_chart(bars, err, title, "sleep fraction (%)", "accuracy drop on classes 0-4"));
}

void stdp_pictures(const std::string& dir, const nlohmann::json& agg, const ms::stdp_options& s)
{
    const std::vector<std::pair<std::string, std::string>> charts{{"accuracy", "test accuracy"},
                                                                  {"recurrent_at_upper", "recurrent weights at w_max (fraction)"},
                                                                  {"recurrent_mean", "mean recurrent weight"},
                                                                  {"recurrent_max", "max recurrent weight"},
                                                                  {"recurrent_entropy_bits", "recurrent weight entropy (bits)"},
                                                                  {"input_entropy_bits", "input weight entropy (bits)"},
                                                                  {"mean_pairwise_correlation", "mean pairwise response correlation"},
                                                                  {"distinct_receptive_fields", "distinct receptive fields"}};
    for (const auto& dataset : s.datasets) {
        const auto& ds = agg[dataset];
        for (const auto& [name, label] : charts) {
            std::vector<somnus::plot::series> series;
            std::vector<std::vector<double>> errors;
            for (std::size_t i = 0; i < ds["fractions"].size(); ++i) {
                const auto& fj = ds["fractions"][i];
                if (!fj.contains("curve")) continue;
                somnus::plot::series line{fmt::format("f = {:g}%", 100.0 * fj["fraction"].get<double>()), {}, {}, palette[i % palette.size()]};
                std::vector<double> err;
                for (std::size_t p = 0; p < fj["curve"]["wake_s"].size(); ++p) {
                    line.x.push_back(fj["curve"]["wake_s"][p].get<double>());
                    line.y.push_back(fj["curve"][name][p]["mean"].get<double>());
                    err.push_back(fj["curve"][name][p]["sem"].get<double>());
                }
                series.push_back(line);
                errors.push_back(err);
            }
            if (series.empty()) continue;
            ex::write_png(std::filesystem::path(dir) / fmt::format("stdp_{}_{}.png", dataset, name),
                          somnus::plot::error_bar_chart(series, errors, fmt::format("recurrent STDP, {}: {}", dataset, label),
                                                        "waking training time (simulated s)", label));
        }
        forgetting_picture(std::filesystem::path(dir) / fmt::format("stdp_{}_forgetting.png", dataset), ds["fractions"],
                           fmt::format("recurrent STDP, {}: forgetting after classes 5-9", dataset));
    }
}

/// Means over seeds per fraction of the SG measures after every epoch,
/// forgetting, and the function space per fraction.
nlohmann::json aggregate_sg(const ex::sg_control_options& o, const std::vector<nlohmann::json>& units)
{
    nlohmann::json out;
    std::vector<ex::sg_run> runs;
    for (const auto& u : units) runs.push_back(ex::sg_run_from_json(u));
    std::vector<double> final_zero, drop_zero;
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        nlohmann::json fj;
        fj["fraction"] = o.fractions[i];
        std::vector<const ex::sg_run*> main, forget;
        for (const auto& r : runs)
            if (r.fraction_index == i) (r.forgetting_run ? forget : main).push_back(&r);
        if (!main.empty()) {
            for (std::size_t e = 0; e < main[0]->epochs.size(); ++e) {
                std::vector<double> acc, mean_abs, max_abs, entropy, corr;
                for (const auto* r : main) {
                    const auto& ep = r->epochs[e];
                    if (!ep.tested) continue;
                    acc.push_back(ep.accuracy);
                    mean_abs.push_back(ep.weights.mean_abs);
                    max_abs.push_back(ep.weights.max_abs);
                    double h = 0.0;
                    for (const auto& l : ep.weights.layers) h += l.entropy_bits;
                    entropy.push_back(h / double(std::max<std::size_t>(1, ep.weights.layers.size())));
                    if (ep.output_correlation) corr.push_back(*ep.output_correlation);
                }
                fj["curve"]["epoch"].push_back(e + 1);
                fj["curve"]["accuracy"].push_back(to_json(summarize(acc)));
                fj["curve"]["mean_abs_weight"].push_back(to_json(summarize(mean_abs)));
                fj["curve"]["max_abs_weight"].push_back(to_json(summarize(max_abs)));
                fj["curve"]["weight_entropy_bits"].push_back(to_json(summarize(entropy)));
                fj["curve"]["output_correlation"].push_back(to_json(summarize(corr)));
            }
            std::vector<double> final;
            for (const auto* r : main) final.push_back(r->epochs.back().accuracy);
            fj["final_accuracy"] = to_json(summarize(final));
            if (o.fractions[i] == 0.0) final_zero = final;
            else if (final_zero.size() == final.size()) fj["final_accuracy_vs_no_sleep"] = paired(final, final_zero);
        }
        if (!forget.empty()) {
            std::vector<double> drop;
            for (const auto* r : forget) drop.push_back(r->forgetting->forgetting);
            fj["forgetting"] = {{"drop", to_json(summarize(drop))}};
            if (o.fractions[i] == 0.0) drop_zero = drop;
            else if (drop_zero.size() == drop.size()) fj["forgetting"]["drop_vs_no_sleep"] = paired(drop, drop_zero);
        }
        out["fractions"].push_back(fj);
    }
    // The final mappings of each fraction's members as an ensemble: groups,
    // S0 and H at the default agreement threshold, and at every threshold,
    // since with few members S0 moves only at the top ones.
    constexpr std::size_t default_threshold = 5;
    std::vector<std::vector<ex::sg_function_space>> by_threshold;
    for (std::size_t th = 1; th <= 10; ++th) by_threshold.push_back(ex::function_space_by_fraction(o, runs, th));
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        const auto& f = by_threshold[default_threshold - 1][i];
        nlohmann::json fs{{"fraction", f.fraction},
                          {"threshold", default_threshold},
                          {"group_sizes", f.group_sizes},
                          {"s0_nats", f.s0_nats},
                          {"shannon_nats", f.shannon_nats},
                          {"mean_accuracy", f.mean_accuracy},
                          {"mean_pairwise_agreement", f.mean_agreement}};
        for (std::size_t th = 1; th <= 10; ++th) {
            const auto& t = by_threshold[th - 1][i];
            fs["by_threshold"].push_back({{"threshold", th}, {"group_sizes", t.group_sizes}, {"s0_nats", t.s0_nats}, {"shannon_nats", t.shannon_nats}});
        }
        out["function_space"].push_back(std::move(fs));
    }
    return out;
}

void sg_pictures(const std::string& dir, const nlohmann::json& agg)
{
    const std::vector<std::pair<std::string, std::string>> charts{{"accuracy", "test accuracy"},
                                                                  {"mean_abs_weight", "mean |w|"},
                                                                  {"max_abs_weight", "max |w|"},
                                                                  {"weight_entropy_bits", "weight entropy (bits, mean over layers)"}};
    for (const auto& [name, label] : charts) {
        std::vector<somnus::plot::series> series;
        std::vector<std::vector<double>> errors;
        for (std::size_t i = 0; i < agg["fractions"].size(); ++i) {
            const auto& fj = agg["fractions"][i];
            if (!fj.contains("curve")) continue;
            somnus::plot::series line{fmt::format("f = {:g}%", 100.0 * fj["fraction"].get<double>()), {}, {}, palette[i % palette.size()]};
            std::vector<double> err;
            for (std::size_t e = 0; e < fj["curve"]["epoch"].size(); ++e) {
                line.x.push_back(fj["curve"]["epoch"][e].get<double>());
                line.y.push_back(fj["curve"][name][e]["mean"].get<double>());
                err.push_back(fj["curve"][name][e]["sem"].get<double>());
            }
            series.push_back(line);
            errors.push_back(err);
        }
        if (!series.empty())
            ex::write_png(std::filesystem::path(dir) / fmt::format("sg_{}.png", name),
                          somnus::plot::error_bar_chart(series, errors, fmt::format("surrogate gradient (Gupta member): {}", label), "epoch",
                                                        label));
    }
    forgetting_picture(std::filesystem::path(dir) / "sg_forgetting.png", agg["fractions"],
                       "surrogate gradient (Gupta member): forgetting after classes 5-9");
    // S0 of each fraction's members against the agreement threshold.
    std::vector<somnus::plot::series> s0;
    for (std::size_t i = 0; i < agg["function_space"].size(); ++i) {
        const auto& fs = agg["function_space"][i];
        somnus::plot::series line{fmt::format("f = {:g}%", 100.0 * fs["fraction"].get<double>()), {}, {}, palette[i % palette.size()]};
        for (const auto& t : fs["by_threshold"]) {
            line.x.push_back(t["threshold"].get<double>());
            line.y.push_back(t["s0_nats"].get<double>());
        }
        s0.push_back(line);
    }
    if (!s0.empty())
        ex::write_png(std::filesystem::path(dir) / "sg_s0_by_threshold.png",
                      somnus::plot::line_chart(s0, "surrogate gradient: function-space entropy S0 of the members", "agreement threshold (labels of 10)",
                                               "S0 (nats)"));
}

int run(options& o, const ex::mpi_session& mpi)
{
    const auto t0 = ex::clock::now();
    const bool do_stdp = o.part != "sg", do_sg = o.part != "stdp";
    o.stdp.seed = o.seed;
    o.sg.seed = o.seed;
    o.sg.threads = o.threads;
    // Everything checked before any work: options, output paths, data.
    if (do_stdp) o.stdp.validate();
    if (do_sg) ex::validate(o.sg);
    ex::require_output_file(o.json, "--json");
    ex::require_output_folder(o.png, "--png");
    std::map<std::string, somnus::image_dataset> cache;
    std::vector<ms::stdp_data> data;
    if (do_stdp)
        for (const auto& d : o.stdp.datasets) {
            const std::string dir = d == "mnist" ? o.mnist_dir : o.fashion_dir;
            data.push_back({&cached(cache, dir, somnus::mnist_split::train, std::numeric_limits<std::size_t>::max()),
                            &cached(cache, dir, somnus::mnist_split::test, o.stdp.test)});
            ms::check_data(o.stdp, *data.back().train, d);
        }
    // The SG data too: the folder listings, the test recordings and the
    // training recordings of this process's units, read and checked here, so
    // that a bad recording fails now and not after the STDP part.
    std::optional<ex::sg_control_session> session;
    if (do_sg) {
        session.emplace(o.sg);
        std::vector<std::size_t> mine;
        for (std::size_t u = 0; u < session->units(); ++u)
            if (mpi.mine(u)) mine.push_back(u);
        session->prepare(mine);
    }
    if (o.zero_added) fmt::print(stderr, "sleep_regularisation: f = 0 added, the reference every figure is compared against\n");

    // A failure after this point (after hours of work) still writes what was
    // computed: the JSON marked partial, with the error, and exit status 2
    // (bad input) or 1.
    ex::late_failure failure;
    std::vector<std::string> stdp_mine, sg_mine;
    if (do_stdp) failure.attempt("the STDP part", [&] { stdp_mine = run_stdp(o, mpi, data); });
    if (do_sg) failure.attempt("the SG part", [] { ex::injected_failure("sg_part"); });
    if (do_sg) failure.attempt("the SG part", [&] { run_sg(*session, mpi, sg_mine); });
    const auto stdp_units = ex::gather_units(mpi, stdp_mine);
    const auto sg_units = ex::gather_units(mpi, sg_mine);
    failure.gather(mpi);
    if (!mpi.root()) return failure.status();
    fmt::print(stderr, "sleep_regularisation: gathered {} units from {} process{}\n", stdp_units.size() + sg_units.size(), mpi.size(),
               mpi.size() == 1 ? "" : "es");
    const bool stdp_done = do_stdp && !failure.failed("the STDP part");
    const bool sg_done = do_sg && !failure.failed("the STDP part") && !failure.failed("the SG part");

    nlohmann::json j;
    j["experiment"] = "sleep_regularisation";
    j["reading"] = "our reading of the abstract of Massey et al. 2026 (arXiv:2601.08447): architecture and parameters are ours";
    j["seed"] = o.seed;
    j["threads"] = o.threads;
    j["quick"] = o.quick;
    if (do_stdp) {
        const auto& s = o.stdp;
        j["stdp"]["settings"] = {{"neurons", s.neurons},
                                 {"train_images", s.train_images},
                                 {"blocks", s.blocks},
                                 {"label_images", s.label},
                                 {"test_images", s.test},
                                 {"seeds", s.seeds},
                                 {"fractions", s.fractions},
                                 {"datasets", s.datasets},
                                 {"recurrent", {{"probability", s.recurrent.probability}, {"w_init_max", s.recurrent.w_init_max},
                                                {"w_max", s.recurrent.bounds.w_max}}},
                                 {"sleep", {{"decay_baseline", s.decay.baseline}, {"decay_tau_ms", s.decay.tau_ms},
                                            {"decay_sigma", s.decay.sigma}, {"decay_every_ms", s.decay.every_ms},
                                            {"kick_rate_hz", s.kick_rate_hz}, {"kick", s.kick}}}};
        if (stdp_done) j["stdp"]["summary"] = aggregate_stdp(s, stdp_units);
        j["stdp"]["units"] = stdp_units;
    }
    if (do_sg) {
        j["sg"]["settings"] = {{"train_per_member", o.sg.train_per_member}, {"test", o.sg.test}, {"epochs", o.sg.epochs},
                               {"seeds", o.sg.seeds}, {"fractions", o.sg.fractions}, {"noise_rate_hz", o.sg.noise_rate_hz},
                               {"decay_baseline", o.sg.decay.baseline}, {"decay_tau_ms", o.sg.decay.tau_ms},
                               {"decay_sigma", o.sg.decay.sigma}, {"decay_every_ms", o.sg.decay.every_ms}, {"data", o.sg.data.string()}};
        if (sg_done) j["sg"]["summary"] = aggregate_sg(o.sg, sg_units);
        j["sg"]["units"] = sg_units;
    }
    failure.record(j);
    j["wall_seconds"] = ex::seconds_since(t0);
    if (stdp_done && !o.stdp.datasets.empty()) {
        // Headline: the first dataset without sleep (f = 0 always runs, first).
        for (const auto& fj : j["stdp"]["summary"][o.stdp.datasets[0]]["fractions"])
            if (fj["fraction"].get<double>() == 0.0 && fj.contains("final")) j["accuracy"] = fj["final"]["accuracy"]["mean"];
    }
    ex::late_outputs outputs("sleep_regularisation");
    if (!o.png.empty() && !failure)
        outputs.attempt("--png", [&] {
            std::filesystem::create_directories(o.png);
            if (do_stdp) stdp_pictures(o.png, j["stdp"]["summary"], o.stdp);
            if (do_sg) sg_pictures(o.png, j["sg"]["summary"]);
        });
    if (!o.json.empty()) outputs.attempt("--json", [&] { ex::write_json(o.json, j); });
    if (failure) return failure.report("sleep_regularisation", o.json);
    fmt::print(stderr, "sleep_regularisation: done in {:.0f} s\n", j["wall_seconds"].get<double>());
    return outputs.status();
}

/// --protocol ours.
int main_ours(int argc, char** argv, ex::mpi_session& mpi)
{
    options o;
    CLI::App app{"Periodic sleep as a regulariser of a recurrent STDP network and of a surrogate-gradient network\n"
                 "(--protocol ours: our reading of the abstract of Massey et al. 2026; DESIGN.md section 9)",
                 "sleep_regularisation"};
    std::string protocol;
    app.add_option("--protocol", protocol, "massey2026 (the default) or ours (this protocol)")->check(CLI::IsMember({"massey2026", "ours"}));
    std::vector<double> fractions;
    std::vector<std::string> datasets;
    app.add_option("--part", o.part, "both, stdp (the recurrent STDP network) or sg (the surrogate-gradient control)")
        ->check(CLI::IsMember({"both", "stdp", "sg"}))
        ->capture_default_str();
    app.add_option("--fractions", fractions,
                   "sleep fractions of training time, each in [0, 1) and once (default 0 0.05 0.1 0.2 0.3 0.5); f = 0 always runs")
        ->check(ex::number_in(0.0, 0.999));
    app.add_option("--datasets", datasets, "STDP datasets: mnist and/or fashion, each once (default both)")->check(CLI::IsMember({"mnist", "fashion"}));
    app.add_option("--seeds", o.stdp.seeds, "seeds per setting (both parts)")->check(ex::integer_in(1, 100))->capture_default_str();
    app.add_option("--neurons", o.stdp.neurons, "STDP: excitatory neurons")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_option("--train", o.stdp.train_images, "STDP: training images per run")->check(ex::integer_in(2, 60000))->capture_default_str();
    app.add_option("--blocks", o.stdp.blocks, "STDP: sleep bouts (and measurements) per run")->check(ex::integer_in(2, 1000))->capture_default_str();
    app.add_option("--label", o.stdp.label, "STDP: held-out training images that label the neurons")->check(ex::integer_in(1, 60000))->capture_default_str();
    app.add_option("--test", o.stdp.test, "STDP: test images (the first)")->check(ex::integer_in(1, 10000))->capture_default_str();
    app.add_option("--p-recurrent", o.stdp.recurrent.probability, "STDP: recurrent connection probability")
        ->check(ex::number_in(0.0, 1.0))
        ->capture_default_str();
    app.add_option("--kick", o.stdp.kick, "STDP sleep: size of a spontaneous conductance kick")->check(ex::non_negative_number(1000))->capture_default_str();
    app.add_option("--kick-rate", o.stdp.kick_rate_hz, "STDP sleep: spontaneous kicks per excitatory neuron per second")
        ->check(ex::non_negative_number(10000))
        ->capture_default_str();
    app.add_option("--data", o.mnist_dir, "MNIST folder (default data/mnist)");
    app.add_option("--fashion-data", o.fashion_dir, "Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)");
    app.add_option("--nmnist", o.sg.data, "SG: N-MNIST folder (Train/<digit>/*.bin, Test/...): real files or examples/make_nmnist's")
        ->capture_default_str();
    app.add_option("--sg-train", o.sg.train_per_member, "SG: training recordings per member")->check(ex::integer_in(1, 60000))->capture_default_str();
    app.add_option("--sg-test", o.sg.test, "SG: test recordings (the first)")->check(ex::integer_in(1, 10000))->capture_default_str();
    app.add_option("--sg-epochs", o.sg.epochs, "SG: epochs (each followed by sleep)")->check(ex::integer_in(1, 1000))->capture_default_str();
    app.add_option("--max-frames", o.sg.max_frames, "SG: 1 ms frames a recording may make (a longer one is refused, naming it)")
        ->check(ex::integer_in(1, somnus::nmnist_max_frames_limit))->capture_default_str();
    bool no_forgetting = false;
    app.add_flag("--no-forgetting", no_forgetting, "skip the two-halves (classes 0-4 then 5-9) runs");
    app.add_flag("--quick", o.quick, "a small setting that finishes in minutes (explicit flags still apply)");
    app.add_option("--seed", o.seed, "random seed")->check(ex::integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, "threads (results do not depend on it)")->check(ex::integer_in(1, 1024))->capture_default_str();
    app.add_option("--json", o.json, "write every figure as one JSON object to this file");
    app.add_option("--png", o.png, "write the pictures into this folder");
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    if (o.quick) {
        // Applied first; flags given explicitly override.
        const auto given = [&](const char* flag) { return app.count(flag) > 0; };
        if (!given("--seeds")) o.stdp.seeds = 2;
        if (!given("--neurons")) o.stdp.neurons = 20;
        if (!given("--train")) o.stdp.train_images = 200;
        if (!given("--blocks")) o.stdp.blocks = 2;
        if (!given("--label")) o.stdp.label = 200;
        if (!given("--test")) o.stdp.test = 200;
        if (fractions.empty()) fractions = {0.0, 0.2};
        auto quick_sg = ex::sg_control_quick(o.sg.data);
        if (!given("--sg-train")) o.sg.train_per_member = quick_sg.train_per_member;
        if (!given("--sg-test")) o.sg.test = quick_sg.test;
        if (!given("--sg-epochs")) o.sg.epochs = quick_sg.epochs;
        o.sg.batch = quick_sg.batch;
    }
    o.sg.seeds = o.stdp.seeds;
    // As --protocol massey2026: each value once (a repeated one would pool
    // its runs, "seeds": 4 for --seeds 2); the fractions ascending, with f = 0
    // (every "vs no sleep" figure is against it, and the headline accuracy
    // is its) run whether asked or not.
    if (ex::repeats(fractions)) return ex::fail_with("sleep_regularisation", "--fractions lists a value twice");
    if (ex::repeats(datasets)) return ex::fail_with("sleep_regularisation", "--datasets lists a data set twice");
    if (!fractions.empty()) {
        std::sort(fractions.begin(), fractions.end());
        if (fractions.front() != 0.0) {
            fractions.insert(fractions.begin(), 0.0);
            o.zero_added = true;
        }
        o.stdp.fractions = o.sg.fractions = fractions;
    }
    if (!datasets.empty()) o.stdp.datasets = datasets;
    if (no_forgetting) o.stdp.forgetting = o.sg.forgetting = false;
    o.mnist_dir = ex::data_folder("mnist", o.mnist_dir);
    o.fashion_dir = ex::data_folder("fashion", o.fashion_dir);
    return ex::guarded("sleep_regularisation", [&] { return run(o, mpi); });
}

} // namespace

int main(int argc, char** argv)
{
    ex::mpi_session mpi(argc, argv);
    std::string protocol = "massey2026";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--protocol" && i + 1 < argc) protocol = argv[i + 1];
        else if (a.rfind("--protocol=", 0) == 0) protocol = a.substr(11);
    }
    if (protocol == "ours") return mpi.finish(main_ours(argc, argv, mpi));
#if SOMNUS_HAVE_READOUT
    return mpi.finish(somnus::example::massey2026::main_massey(argc, argv, mpi));
#else
    fmt::print(stderr, "sleep_regularisation: --protocol {} needs the readout (built without SOMNUS_WITH_READOUT: xtensor-blas, "
                       "LAPACK and liblbfgs); --protocol ours runs without it\n", protocol);
    return mpi.finish(ex::exit_bad_input);
#endif
}
