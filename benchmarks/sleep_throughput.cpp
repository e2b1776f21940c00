// SPDX-License-Identifier: MIT
// Sleep throughput of the Diehl & Cook network: simulated seconds of sleep
// per wall-clock second for each network size, for recipes::tadros_2019
// with its defaults (STDP off) and with STDP on, after training on the
// first MNIST images so the mean image (the sleep drive) is not empty. The
// waking training rate of the same run is reported beside it, in the same
// unit (images x 500 ms per wall second), with the spikes per simulated
// second of each sleep phase. Every repetition trains a fresh network on the
// same images with the same seed; each variant then sleeps copies of it, one
// identical phase each, until --min-time has passed, so every repetition
// does the same work. A phase lasts the recipe's 2 s by default: longer
// phases measure another regime (thresholds climb with every spike, and the
// firing rate falls to a third by 20 s).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <somnus/data/mnist.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/sleep/recipes.hpp>

#include "example.hpp"
#include "state_crc.hpp"

namespace ex = somnus::example;

namespace {

struct options {
    std::vector<std::size_t> neurons{400, 6400};
    std::optional<std::size_t> train_images;  // unset: a size-dependent default
    double sleep_ms = somnus::recipes::tadros_2019_params{}.duration_ms;
    double min_time_s = 0.2;
    std::size_t repetitions = 3;
    std::string data = "data/mnist";
    std::uint64_t seed = 0;
    std::vector<std::string> phases{"tadros_2019", "tadros_2019+stdp"};
    std::string json;
};

/// Training images before sleeping: 100 at N = 400, 20 at N = 6400.
std::size_t default_train_images(std::size_t n) { return std::max<std::size_t>(20, 40000 / n); }

struct variant {
    const char* name;
    bool stdp;
};
constexpr variant variants[] = {{"tadros_2019", false}, {"tadros_2019+stdp", true}};

/// The variants --phases names, in the order given.
std::vector<variant> chosen_variants(const options& o)
{
    std::vector<variant> out;
    for (const auto& name : o.phases)
        for (const auto& v : variants)
            if (name == v.name) out.push_back(v);
    return out;
}

constexpr std::size_t max_phases = 1000;

struct sleep_timing {
    double seconds = 0.0;           ///< wall time of all phases
    std::size_t phases = 0;         ///< identical phases timed
    somnus::sleep_report report;    ///< of one phase
    std::uint32_t state_crc = 0;    ///< CRC-32 of the slept network's weights and thresholds
};

struct repetition {
    double train_seconds = 0.0;
    std::size_t presentations = 0;
    std::uint64_t train_exc_spikes = 0;
    std::vector<sleep_timing> sleeps;  // one per variant
};

repetition run_once(const options& o, std::size_t n, std::size_t images, const somnus::image_dataset& train)
{
    somnus::competitive_config cfg;
    cfg.n_exc = n;
    cfg.seed = o.seed;
    somnus::diehl_cook_network net(cfg, somnus::conductance_lif(somnus::conductance_lif::diehl_cook_excitatory(), cfg.dt_ms),
                                   somnus::conductance_lif(somnus::conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms));
    repetition r;
    const auto t0 = ex::clock::now();
    for (std::size_t k = 0; k < images; ++k) {
        const auto p = net.train(train.image(k));
        r.presentations += 1 + p.repeats;
        r.train_exc_spikes += p.spikes;
    }
    r.train_seconds = ex::seconds_since(t0);
    for (const auto& v : chosen_variants(o)) {
        somnus::recipes::tadros_2019_params params;
        params.stdp = v.stdp;
        // Copies of the same trained network sleep the same phase (the
        // random stream is keyed by seed, images seen and sleeps done), until
        // --min-time of wall time has been spent sleeping (at most
        // max_phases of them); copying is not timed.
        sleep_timing s;
        while (s.phases == 0 || (s.seconds < o.min_time_s && s.phases < max_phases)) {
            auto phase = somnus::recipes::tadros_2019(params);
            auto sleeper = net;
            const auto t1 = ex::clock::now();
            s.report = sleeper.sleep(phase, o.sleep_ms);
            s.seconds += ex::seconds_since(t1);
            s.state_crc = somnus::bench::state_crc(sleeper);
            ++s.phases;
        }
        r.sleeps.push_back(s);
    }
    return r;
}

/// Simulated seconds of one image awake (350 ms of input + 150 ms of rest)
/// and of one step.
double image_seconds()
{
    const somnus::competitive_config c;
    return double(c.present_ms + c.rest_ms) * 1.0e-3;
}
double step_seconds() { return double(somnus::competitive_config{}.dt_ms) * 1.0e-3; }

double median(std::vector<double> x)
{
    std::sort(x.begin(), x.end());
    return x[x.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app{"Diehl & Cook sleep throughput: simulated seconds of sleep (recipes::tadros_2019) per wall second, "
                 "beside the waking training rate (one thread)",
                 "sleep_throughput"};
    app.add_option("--neurons", o.neurons, "network sizes (excitatory neurons)")
        ->capture_default_str()
        ->delimiter(',')
        ->check(ex::integer_in(1, 100000));
    app.add_option("--train-images", o.train_images, "MNIST training images before sleeping (default: 40000 / neurons, at least 20)")
        ->check(ex::integer_in(1, 60000));
    app.add_option("--sleep-ms", o.sleep_ms, "simulated sleep per phase in ms (default: the recipe's duration)")
        ->capture_default_str()
        ->check(ex::positive_number(1.0e9));
    app.add_option("--min-time", o.min_time_s, "seconds of wall time to spend sleeping per variant and repetition (identical phases "
                                               "on copies of the trained network)")
        ->capture_default_str()
        ->check(ex::non_negative_number(1.0e6));
    app.add_option("--repetitions", o.repetitions, "repetitions per size; the median is reported")
        ->capture_default_str()
        ->check(ex::integer_in(1, 1000));
    app.add_option("--data", o.data, "folder with the MNIST IDX files")->capture_default_str();
    app.add_option("--seed", o.seed, "random seed")->capture_default_str()->check(ex::integer_at_least<std::uint64_t>());
    app.add_option("--phases", o.phases, "sleep variants to time")
        ->capture_default_str()
        ->delimiter(',')
        ->check(CLI::IsMember({"tadros_2019", "tadros_2019+stdp"}));
    app.add_option("--json", o.json, "write the results to this file");
    if (auto status = ex::parse(app, argc, argv)) return *status;

    return ex::guarded("sleep_throughput", [&] {
        ex::require_output_file(o.json, "--json");
        if (o.sleep_ms < double(somnus::competitive_config{}.dt_ms))
            throw somnus::config_error(fmt::format("--sleep-ms {}: a phase must last at least one step ({} ms)", o.sleep_ms,
                                                   somnus::competitive_config{}.dt_ms));
        const auto chosen = chosen_variants(o);
        std::size_t most = 0;
        for (auto n : o.neurons) most = std::max(most, o.train_images.value_or(default_train_images(n)));
        const auto train = somnus::load_mnist(o.data, somnus::mnist_split::train, most);
        const std::size_t available = ex::images_to_use(train, most, "--train-images");
        fmt::print(stderr, "sleep_throughput: SIMD {}, {} repetitions, exponential integration, 1 thread\n", somnus::simd::arch_name(),
                   o.repetitions);
        nlohmann::json rows = nlohmann::json::array();
        fmt::print("{:>7} {:>17} {:>7} {:>9} {:>13} {:>12} {:>12} {:>12} {:>8} {:>10}\n", "neurons", "phase", "images", "sim_ms",
                   "sim_s/wall_s", "input_spk/s", "exc_spk/s", "inh_spk/s", "exc_Hz", "state crc");
        for (const auto n : o.neurons) {
            const std::size_t images = std::min(available, o.train_images.value_or(default_train_images(n)));
            std::vector<double> train_rates;
            std::vector<std::vector<double>> sleep_rates(chosen.size());
            repetition last;
            for (std::size_t r = 0; r < o.repetitions; ++r) {
                last = run_once(o, n, images, train);
                train_rates.push_back(double(images) * image_seconds() / last.train_seconds);
                std::string line = fmt::format("  N={} repetition {}: train {:.2f} sim s/s", n, r + 1, train_rates.back());
                for (std::size_t v = 0; v < chosen.size(); ++v) {
                    const auto& st = last.sleeps[v];
                    sleep_rates[v].push_back(double(st.phases) * double(st.report.steps) * step_seconds() / st.seconds);
                    line += fmt::format(", {} {:.2f} sim s/s", chosen[v].name, sleep_rates[v].back());
                }
                fmt::print(stderr, "{}\n", line);
            }
            // Awake: images x 500 ms per wall second (extra showings of a quiet
            // image are not counted as simulated time; the JSON has how many
            // there were). Its exc spikes are those of each image's final
            // showing, over the same images x 500 ms.
            const double train_median = median(train_rates);
            const double awake_s = double(images) * image_seconds();
            const double awake_exc = double(last.train_exc_spikes) / awake_s;
            fmt::print("{:>7} {:>17} {:>7} {:>9g} {:>13.2f} {:>12} {:>12.1f} {:>12} {:>8.2f}\n", n, "train", images, awake_s * 1e3,
                       train_median, "-", awake_exc, "-", awake_exc / double(n));
            rows.push_back({{"neurons", n},
                            {"phase", "train"},
                            {"images", images},
                            {"presentations", last.presentations},
                            {"simulated_ms", awake_s * 1e3},
                            {"simulated_seconds_per_second_median", train_median},
                            {"simulated_seconds_per_second", train_rates},
                            {"images_per_second_median", train_median / image_seconds()},
                            {"exc_spikes", last.train_exc_spikes},
                            {"exc_spikes_per_second", awake_exc}});
            for (std::size_t v = 0; v < chosen.size(); ++v) {
                const auto& rep = last.sleeps[v].report;
                const double sim_s = double(rep.steps) * step_seconds();
                const double rate = median(sleep_rates[v]);
                const auto per_s = [&](std::uint64_t spikes) { return sim_s > 0 ? double(spikes) / sim_s : 0.0; };
                fmt::print("{:>7} {:>17} {:>7} {:>9g} {:>13.2f} {:>12.1f} {:>12.1f} {:>12.1f} {:>8.2f}   {:08x}\n", n, chosen[v].name,
                           images, sim_s * 1e3, rate, per_s(rep.input_spikes), per_s(rep.excitatory_spikes), per_s(rep.inhibitory_spikes),
                           per_s(rep.excitatory_spikes) / double(n), last.sleeps[v].state_crc);
                rows.push_back({{"neurons", n},
                                {"phase", chosen[v].name},
                                {"stdp", chosen[v].stdp},
                                {"images_before_sleep", images},
                                {"simulated_ms", sim_s * 1e3},
                                {"steps", rep.steps},
                                {"phases_timed", last.sleeps[v].phases},
                                {"simulated_seconds_per_second_median", rate},
                                {"simulated_seconds_per_second", sleep_rates[v]},
                                {"input_spikes", rep.input_spikes},
                                {"exc_spikes", rep.excitatory_spikes},
                                {"inh_spikes", rep.inhibitory_spikes},
                                {"input_spikes_per_second", per_s(rep.input_spikes)},
                                {"exc_spikes_per_second", per_s(rep.excitatory_spikes)},
                                {"inh_spikes_per_second", per_s(rep.inhibitory_spikes)},
                                {"state_crc32", fmt::format("{:08x}", last.sleeps[v].state_crc)}});
            }
        }
        if (!o.json.empty()) {
            nlohmann::json j{{"benchmark", "sleep_throughput"},
                             {"simd_arch", somnus::simd::arch_name()},
                             {"integration", "exponential"},
                             {"seed", o.seed},
                             {"repetitions", o.repetitions},
                             {"min_time_seconds", o.min_time_s},
                             {"threads", 1},
                             {"sleep_source", somnus::recipes::tadros_2019_source},
                             {"results", rows}};
            ex::write_json(o.json, j);
        }
        return 0;
    });
}
