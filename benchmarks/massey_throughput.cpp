// SPDX-License-Identifier: MIT
// End-to-end throughput of Massey et al. 2026's protocol as they ran it
// (examples/sleep_regularisation/massey2026.hpp): one run of a few batches
// on MNIST at each sleep ratio asked, without early stopping, reported as
// simulated steps per wall second (training, sleep, and the frozen
// validation, test and fit passes) and seconds per batch. The same run
// with the same seed does the same work on any machine.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../examples/sleep_regularisation/massey2026.hpp"
#include "example.hpp"

namespace ex = somnus::example;
namespace m = somnus::example::massey2026;

int main(int argc, char** argv)
{
    std::vector<double> ratios{0.0, 0.1, 0.3};
    std::size_t batches = 2;
    std::string data = "data/mnist", json;
    CLI::App app{"Simulated steps per second of Massey et al.'s protocol, one run per sleep ratio (MNIST)"};
    app.add_option("--ratios", ratios, "sleep ratios")->check(ex::number_in(0.0, 100.0))->capture_default_str();
    app.add_option("--batches", batches, "training batches per run (no early stopping)")->check(ex::integer_in(1, 100))->capture_default_str();
    app.add_option("--data", data, "MNIST folder")->capture_default_str();
    app.add_option("--json", json, "write the figures to this file");
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    return ex::guarded("massey_throughput", [&] {
        ex::require_output_file(json, "--json");
        m::options o;
        o.batches = batches;
        o.early_stopping = false;
        const auto d = m::load("mnist", data, 2);
        nlohmann::json out;
        for (const double r : ratios) {
            const auto res = m::run(o, d, r, 0, [](std::size_t) {});
            const std::uint64_t steps = res.steps_learning + res.steps_sleep + res.steps_frozen;
            fmt::print(stderr, "r = {:g}: {} batches, {:.1f} s, {:.0f} thousand simulated steps per second ({:.1f} s per batch)\n", r,
                       res.batches_run, res.seconds, res.steps_per_second / 1e3, res.seconds / double(res.batches_run));
            out["runs"].push_back({{"ratio", r},
                                   {"batches", res.batches_run},
                                   {"seconds", res.seconds},
                                   {"steps_learning", res.steps_learning},
                                   {"steps_sleep", res.steps_sleep},
                                   {"steps_frozen", res.steps_frozen},
                                   {"steps", steps},
                                   {"steps_per_second", res.steps_per_second}});
        }
        if (!json.empty()) ex::write_json(json, out);
        return 0;
    });
}
