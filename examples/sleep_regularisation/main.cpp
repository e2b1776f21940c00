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
// writes the JSON, marked partial. The report over the units and the
// arrays behind the figures (figures.py draws them): ours_report.hpp.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../common/arrays.hpp"
#include "../common/example.hpp"
#include "../common/mpi.hpp"
#include "../common/units.hpp"
#if SOMNUS_HAVE_READOUT
#include "massey_main.hpp"
#endif
#include "ours_report.hpp"

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
    std::string json;
    bool zero_added = false;  ///< f = 0 was not asked for (said once the inputs are checked)
};

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
            return nlohmann::json(ms::run_unit(s, u, data[where.dataset]));
        },
        [&](std::size_t, const nlohmann::json& j) {
            const auto r = j.get<ms::stdp_run>();
            return fmt::format("{} {} f={:g} seed {}: accuracy {:.1f}% ({:.0f} s)", r.dataset, r.kind, r.fraction, r.seed_index,
                               100.0 * r.points.back().accuracy, r.seconds);
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
        out.push_back(nlohmann::json(r).dump());
    }
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
    std::vector<ms::stdp_run> stdp_units;
    for (const auto& u : ex::gather_units(mpi, stdp_mine)) stdp_units.push_back(u.get<ms::stdp_run>());
    std::vector<ex::sg_run> sg_units;
    for (const auto& u : ex::gather_units(mpi, sg_mine)) sg_units.push_back(u.get<ex::sg_run>());
    failure.gather(mpi);
    if (!mpi.root()) return failure.status();
    fmt::print(stderr, "sleep_regularisation: gathered {} units from {} process{}\n", stdp_units.size() + sg_units.size(), mpi.size(),
               mpi.size() == 1 ? "" : "es");
    const bool stdp_done = do_stdp && !failure.failed("the STDP part");
    const bool sg_done = do_sg && !failure.failed("the STDP part") && !failure.failed("the SG part");

    ex::array_outputs arrays("sleep_regularisation", o.json);
    nlohmann::json j;
    j["experiment"] = "sleep_regularisation";
    j["protocol"] = "ours";
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
        if (stdp_done) {
            j["stdp"]["summary"] = ex::ours::aggregate_stdp(s, stdp_units, arrays);
            j["stdp"]["curve_measures"] = ex::ours::stdp_measure_names();
        }
        j["stdp"]["units"] = stdp_units;
    }
    if (do_sg) {
        j["sg"]["settings"] = {{"train_per_member", o.sg.train_per_member}, {"test", o.sg.test}, {"epochs", o.sg.epochs},
                               {"seeds", o.sg.seeds}, {"fractions", o.sg.fractions}, {"noise_rate_hz", o.sg.noise_rate_hz},
                               {"decay_baseline", o.sg.decay.baseline}, {"decay_tau_ms", o.sg.decay.tau_ms},
                               {"decay_sigma", o.sg.decay.sigma}, {"decay_every_ms", o.sg.decay.every_ms}, {"data", o.sg.data.string()}};
        if (sg_done) {
            j["sg"]["summary"] = ex::ours::aggregate_sg(o.sg, sg_units, arrays);
            j["sg"]["curve_measures"] = ex::ours::sg_curve_names();
        }
        j["sg"]["units"] = sg_units;
    }
    failure.record(j);
    const double wall_seconds = ex::seconds_since(t0);
    j["wall_seconds"] = wall_seconds;
    if (stdp_done && !o.stdp.datasets.empty()) {
        // Headline: the first dataset without sleep (f = 0 always runs, first).
        std::vector<double> final;
        for (const auto& u : stdp_units)
            if (u.dataset == o.stdp.datasets[0] && u.fraction == 0.0 && !u.forgetting()) final.push_back(u.points.back().accuracy);
        if (!final.empty()) j["accuracy"] = ex::mean_sem_of(final).mean;
    }
    arrays.describe_in(j);
    ex::late_outputs outputs("sleep_regularisation");
    if (!o.json.empty()) outputs.attempt("--json", [&] { ex::write_json(o.json, j); });
    if (failure) return failure.report("sleep_regularisation", o.json);
    fmt::print(stderr, "sleep_regularisation: done in {:.0f} s\n", wall_seconds);
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
    app.add_option("--json", o.json, "write every figure as one JSON object to this file, and the arrays behind the figures "
                                     "beside it (scripts/figures RESULT.json OUTDIR draws them)");
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
