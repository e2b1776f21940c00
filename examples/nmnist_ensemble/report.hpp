// SPDX-License-Identifier: MIT
// nmnist_ensemble's analysis and report: the shuffled-label test (each
// member's label mapping), the grouping of members that agree on at least
// --threshold labels with S0 and the Shannon form for every threshold, the
// author's script replica with --grouping script, and the JSON with the
// arrays behind the figures beside it (figures.py draws them).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/plug_in.hpp>

#include "arrays.hpp"
#include "example.hpp"
#include "frames.hpp"
#include "member.hpp"
#include "options.hpp"
#include "script_grouping.hpp"

namespace somnus::example::ensemble {

namespace ex = somnus::example;
namespace sg = somnus::sg;
using nlohmann::json;


/// --grouping script: what the author's script computes (script_grouping.hpp)
/// on the members' test predictions: its one run (Python's seed-42
/// permutation, members in order), printed as the script prints it, and the
/// distribution of the outcome over --script-draws draws of the label
/// permutation and the member order (their S0 values in s0_draws).
inline json script_grouping(const options& o, std::span<const std::vector<std::uint64_t>> member_predictions, std::span<const std::uint64_t> digits,
                            std::vector<double>& s0_draws)
{
    namespace gs = ex::gupta_script;
    constexpr std::size_t script_batch = 128;  // the script's DataLoader batch
    const auto order = gs::class_blocked_order(digits);
    std::vector<std::vector<std::uint64_t>> pred;
    for (const auto& p : member_predictions) {
        auto& q = pred.emplace_back(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) q[k] = p[order[k]];
    }
    std::vector<std::size_t> natural(pred.size());
    std::iota(natural.begin(), natural.end(), std::size_t{0});
    const auto one = gs::run(pred, gs::python_seed42_permutation, natural, script_batch, o.threshold);
    for (std::size_t g = 0; g < one.sizes.size(); ++g) fmt::print("Networks with similar mapping f{} = {}\n", g + 1, one.sizes[g]);
    std::fflush(stdout);
    fmt::print(stderr, "script grouping: best batch accuracies {}; S0 {:.5f} nats, Shannon {:.4f} nats (ours, from its groups)\n",
               json(one.best).dump(), one.s0, one.shannon);

    const auto d = gs::sample(pred, o.script_draws, o.seed, script_batch, o.threshold);
    std::vector<std::pair<std::vector<std::uint64_t>, std::size_t>> tally(d.multisets.begin(), d.multisets.end());
    std::stable_sort(tally.begin(), tally.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    json multisets = json::array();
    for (const auto& [sizes, n] : tally)
        multisets.push_back({{"sizes", sizes},
                             {"draws", n},
                             {"fraction", double(n) / double(d.draws)},
                             {"s0_nats", somnus::function_space_s0{}.entropy(sizes)},
                             {"shannon_nats", somnus::plug_in{somnus::info_unit::nats}.entropy(std::span<const std::uint64_t>(sizes))}});
    s0_draws = d.s0;
    auto sorted = d.s0;
    std::sort(sorted.begin(), sorted.end());
    const auto quantile = [&](double q) { return sorted.empty() ? 0.0 : sorted[std::size_t(q * double(sorted.size() - 1) + 0.5)]; };
    double mean = 0.0, var = 0.0;
    for (const double x : d.s0) mean += x / double(std::max<std::size_t>(1, d.draws));
    for (const double x : d.s0) var += (x - mean) * (x - mean) / double(std::max<std::size_t>(1, d.draws - 1));
    const double n = double(std::max<std::size_t>(1, d.draws));
    fmt::print(stderr, "script grouping over {} draws: {} multisets of group sizes, the commonest {} ({:.1f}%); S0 mean {:.4f}; "
                       "the published {{1,3,5,1}} in {:.2f}% of draws, S0 below 0.32769 in {:.1f}%\n",
               d.draws, tally.size(), tally.empty() ? "[]" : json(tally.front().first).dump(), tally.empty() ? 0.0 : 100.0 * double(tally.front().second) / n,
               mean, 100.0 * double(d.published_multiset) / n, 100.0 * double(d.s0_below) / n);
    return {{"what", "the author's script (DESIGN.md section 8): test labels perm[idx % 10] on the test set in class order, a mapping of "
                     "ten copies of the best per-batch (128) accuracy, greedy first-match grouping; S0 and Shannon are ours"},
            {"batch", script_batch},
            {"script_run",
             {{"permutation", gs::python_seed42_permutation},
              {"permutation_source", "Python: random.seed(42); random.shuffle(list(range(10)))"},
              {"best_batch_accuracy", one.best},
              {"groups", one.group},
              {"group_sizes", one.sizes},
              {"s0_nats", one.s0},
              {"shannon_nats", one.shannon}}},
            {"draws", d.draws},
            {"draw_seed", o.seed},
            {"multisets", multisets},
            {"s0_nats", {{"mean", mean}, {"sd", std::sqrt(var)}, {"min", quantile(0.0)}, {"q05", quantile(0.05)}, {"q25", quantile(0.25)},
                         {"median", quantile(0.5)}, {"q75", quantile(0.75)}, {"q95", quantile(0.95)}, {"max", quantile(1.0)}}},
            {"order_changed_multiset", d.order_changed},
            {"published", {{"group_sizes", gs::published_sizes},
                           {"s0", gs::published_s0},
                           {"multiset_fraction", double(d.published_multiset) / n},
                           {"s0_below_fraction", double(d.s0_below) / n},
                           {"s0_equal_fraction", double(d.s0_equal) / n},
                           {"s0_above_fraction", double(d.draws - d.s0_below - d.s0_equal) / n}}}};
}

/// What the report says about the run beyond the members.
struct run_facts {
    ex::clock::time_point start;
    std::vector<std::size_t> train_permutation;
    std::size_t train_n = 0, test_n = 0, parameters = 0;
    double test_input_density = 0.0;
};

/// The analysis of the gathered members, printed and written (--json and
/// the arrays beside it); the exit status (1 if an output failed late).
inline int report(const options& o, std::span<const member_result> results, std::span<const sample_frames> test, const run_facts& f)
{
    const std::size_t test_n = f.test_n;
    // The shuffled-label test: one fixed permutation of the labels; each
    // network maps a shuffled label to the class it predicts most often for
    // the test recordings carrying it.
    const auto label_perm = somnus::keyed_permutation(10, o.seed, 0x1abe1);
    std::vector<std::vector<int>> mappings;
    json members = json::array();
    std::vector<std::uint8_t> labels;
    for (const auto& s : test) labels.push_back(std::uint8_t(s.label));
    for (const auto& r : results) {
        std::vector<std::vector<std::uint64_t>> counts(10, std::vector<std::uint64_t>(10, 0));
        for (std::size_t k = 0; k < test_n; ++k) ++counts[label_perm[test[k].label]][r.predictions[k]];
        const std::vector<std::uint8_t> predicted(r.predictions.begin(), r.predictions.end());
        const auto map = somnus::label_mapping(labels, predicted, label_perm);
        mappings.push_back(map);
        members.push_back({{"member", r.index},
                           {"accuracy", r.accuracy},
                           {"mapping", map},
                           {"shuffled_label_counts", counts},
                           {"train_seconds", r.train_seconds},
                           {"test_seconds", r.test_seconds},
                           {"losses", r.losses},
                           {"test_accuracy_after_each_epoch", r.epoch_accuracy},
                           {"resumed", r.resumed}});
    }
    json thresholds = json::array();
    std::vector<double> s0_by, h_by;
    for (std::size_t th = 1; th <= 10; ++th) {
        const auto groups = somnus::group_by_agreement(mappings, th);
        const auto sizes = somnus::group_sizes(groups);
        std::vector<double> p0;
        for (const auto s : sizes) p0.push_back(double(s) / double(results.size()));
        const double s0 = somnus::function_space_entropy(groups, somnus::function_space_s0{});
        const double h = somnus::function_space_entropy(groups, somnus::plug_in{somnus::info_unit::nats});
        s0_by.push_back(s0);
        h_by.push_back(h);
        thresholds.push_back({{"threshold", th}, {"groups", groups}, {"group_sizes", sizes}, {"p0", p0}, {"s0_nats", s0}, {"shannon_nats", h}});
    }
    const auto& chosen = thresholds[o.threshold - 1];
    fmt::print(stderr, "threshold {}: group sizes {}; S0 {:.5f} nats, Shannon {:.4f} nats\n", o.threshold,
               chosen["group_sizes"].dump(), chosen["s0_nats"].get<double>(), chosen["shannon_nats"].get<double>());
    json script;
    std::vector<double> script_s0_draws;
    if (o.grouping == "script") {
        std::vector<std::vector<std::uint64_t>> preds;
        for (const auto& r : results) preds.push_back(r.predictions);
        std::vector<std::uint64_t> digits;
        for (const auto& s : test) digits.push_back(s.label);
        script = script_grouping(o, preds, digits, script_s0_draws);
    }
    const double wall = ex::seconds_since(f.start);

    ex::late_outputs late("nmnist_ensemble");
    if (!o.json.empty()) {
        json j;
        j["experiment"] = "gupta_2024_ensemble";
        j["seed"] = o.seed;
        j["wall_seconds"] = wall;
        j["threads"] = o.threads;
        j["simd_arch"] = somnus::simd::arch_name();
        j["data"] = o.data;
        j["frames"] = o.frames == "tonic" ? "tonic: Denoise(filter_time 10 ms, 4 neighbours) then ToFrame(1 ms windows from the first event, "
                                            "last partial window dropped) (data/tonic.hpp)"
                                          : "somnus: denoise (8 neighbours, 10 ms, causal) then accumulate_frames (1 ms windows from t = 0) "
                                            "(data/events.hpp)";
        j["frames_definition"] = o.frames;
        j["members"] = o.members;
        j["epochs"] = o.epochs;
        j["batch"] = o.batch;
        j["lr"] = o.lr;
        j["train_per_member"] = f.train_n;
        j["test_recordings"] = test_n;
        j["test_input_density"] = f.test_input_density;
        j["network"] = "Conv(2->12, 5x5) -> MaxPool 2 -> LIF -> Conv(12->32, 5x5) -> MaxPool 2 -> LIF -> Linear(800->10) -> LIF; beta 0.5, "
                       "threshold 1, arctan surrogate alpha 2; mse_count_loss(0.8, 0.2); Adam (0.9, 0.999)";
        j["parameters"] = f.parameters;
        j["train_permutation"] = f.train_permutation;
        j["label_permutation"] = label_perm;
        j["member_results"] = members;
        j["threshold"] = o.threshold;
        j["group_sizes"] = chosen["group_sizes"];
        j["s0_nats"] = chosen["s0_nats"];
        j["shannon_nats"] = chosen["shannon_nats"];
        j["thresholds"] = thresholds;
        j["paper"] = {{"group_sizes", {1, 3, 5, 1}}, {"s0", 0.32769}, {"note", "Gupta 2024's sample output (DESIGN.md section 8)"}};
        j["grouping"] = o.grouping;
        j["shared_samples"] = o.shared_samples;
        if (!script.is_null()) j["script_grouping"] = script;
        // The arrays behind the figures (examples/nmnist_ensemble/figures.py).
        ex::array_outputs arrays("nmnist_ensemble", o.json);
        late.attempt("arrays beside " + o.json, [&] {
            const std::size_t members_n = results.size(), batches = results.empty() ? 0 : results.front().losses.size();
            std::vector<double> accuracy, losses, epoch_accuracy;
            std::vector<std::int32_t> cells;
            std::vector<std::uint64_t> predictions, labels;
            for (const auto& r : results) {
                accuracy.push_back(r.accuracy);
                losses.insert(losses.end(), r.losses.begin(), r.losses.end());
                epoch_accuracy.insert(epoch_accuracy.end(), r.epoch_accuracy.begin(), r.epoch_accuracy.end());
                predictions.insert(predictions.end(), r.predictions.begin(), r.predictions.end());
            }
            for (const auto& m : mappings) cells.insert(cells.end(), m.begin(), m.end());
            for (const auto& s : test) labels.push_back(s.label);
            arrays.add("member_accuracy", accuracy, "test accuracy of each member (0..1), in member order");
            arrays.add("mappings", cells, "class each member maps each shuffled label to (members x 10; -1: no test recording carries it)",
                       {members_n, 10});
            arrays.add("s0_by_threshold", s0_by, "function-space entropy S0 (nats) for agreement thresholds 1..10");
            arrays.add("shannon_by_threshold", h_by, "Shannon entropy of the group sizes (nats) for agreement thresholds 1..10");
            arrays.add("predictions", predictions, "class each member predicts for each test recording (members x test recordings)",
                       {members_n, test_n});
            arrays.add("test_labels", labels, "true class of each test recording");
            arrays.add("losses", losses, "training loss of each member after each batch (members x batches)", {members_n, batches});
            if (o.epoch_tests)
                arrays.add("epoch_accuracy", epoch_accuracy, "test accuracy of each member after each epoch (members x epochs)",
                           {members_n, o.epochs});
            if (!script_s0_draws.empty())
                arrays.add("script_s0_draws", script_s0_draws,
                           "--grouping script: S0 (nats) of the script's grouping in each draw of the label permutation and member order");
        });
        arrays.describe_in(j);
        late.write_json(o.json, j);
    }
    return late.status();
}

} // namespace somnus::example::ensemble
