// SPDX-License-Identifier: MIT
// The report of `sleep_regularisation --protocol ours` from its units
// (stdp_runs.hpp, sg_control.hpp): means over seeds (mean, s.e.m., n) per
// data set and fraction of every measure at every point, the final-point
// comparisons against f = 0 (paired over seeds), forgetting, and the SG
// members' function space; and the arrays behind the figures
// (figures.py), the same numbers, NaN where a setting has no run.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <somnus/stats/paired.hpp>

#include "../common/arrays.hpp"
#include "sg_control.hpp"
#include "stdp_runs.hpp"
#include "summaries.hpp"

namespace somnus::example::ours {

/// Paired comparison of a setting against f = 0 over the same seeds.
inline nlohmann::json paired(const std::vector<double>& with, const std::vector<double>& without)
{
    nlohmann::json j;
    std::vector<double> d(with.size());
    for (std::size_t k = 0; k < d.size(); ++k) d[k] = with[k] - without[k];
    j["difference"] = mean_sem_of(d);
    if (d.size() >= 2) {
        bool all_same = std::all_of(d.begin(), d.end(), [&](double x) { return x == d[0]; });
        if (!all_same) j["p_paired_t"] = paired_t_test(with, without).p_value;
        if (d.size() <= sign_flip_max_n) j["p_sign_flip"] = sign_flip_test(with, without).p_value;
    }
    return j;
}

/// An array of `shape` filled with NaN (no run of that setting).
template <std::size_t N>
xt::xtensor<double, N> nan_array(const std::array<std::size_t, N>& shape)
{
    xt::xtensor<double, N> a(shape);
    a.fill(std::numeric_limits<double>::quiet_NaN());
    return a;
}

using stdp_measure = std::pair<std::string, std::function<double(const massey::stdp_point&)>>;

inline const std::vector<stdp_measure>& stdp_measures()
{
    using massey::stdp_point;
    static const std::vector<stdp_measure> m{
        {"accuracy", [](const stdp_point& p) { return p.accuracy; }},
        {"input_at_upper", [](const stdp_point& p) { return p.input_weights.at_upper; }},
        {"input_at_lower", [](const stdp_point& p) { return p.input_weights.at_lower; }},
        {"input_mean", [](const stdp_point& p) { return p.input_weights.mean; }},
        {"input_max", [](const stdp_point& p) { return p.input_weights.max; }},
        {"input_entropy_bits", [](const stdp_point& p) { return p.input_weights.entropy_bits; }},
        {"recurrent_at_upper", [](const stdp_point& p) { return p.recurrent_weights.at_upper; }},
        {"recurrent_at_lower", [](const stdp_point& p) { return p.recurrent_weights.at_lower; }},
        {"recurrent_mean", [](const stdp_point& p) { return p.recurrent_weights.mean; }},
        {"recurrent_max", [](const stdp_point& p) { return p.recurrent_weights.max; }},
        {"recurrent_entropy_bits", [](const stdp_point& p) { return p.recurrent_weights.entropy_bits; }},
        {"mean_pairwise_correlation", [](const stdp_point& p) { return p.mean_pairwise_correlation; }},
        {"distinct_receptive_fields", [](const stdp_point& p) { return double(p.distinct_receptive_fields); }},
        {"distinct_classes", [](const stdp_point& p) { return double(p.distinct_classes); }}};
    return m;
}

/// The names of the STDP curves, in the order of the curves array's first axis.
inline std::vector<std::string> stdp_measure_names()
{
    std::vector<std::string> names;
    for (const auto& m : stdp_measures()) names.push_back(m.first);
    return names;
}

/// Writes a summary's mean and s.e.m. into the last axis of an array cell.
template <class View>
void put(View&& cell, const mean_sem& s)
{
    if (s.n == 0) return;
    cell(0) = s.mean;
    cell(1) = s.sem;
}

/// The STDP part's summary per data set (the JSON's "stdp.summary") and its arrays.
inline nlohmann::json aggregate_stdp(const massey::stdp_options& s, const std::vector<massey::stdp_run>& units, array_outputs& arrays)
{
    nlohmann::json out;
    const auto& measures = stdp_measures();
    const std::size_t F = s.fractions.size(), P = s.blocks;
    for (std::size_t d = 0; d < s.datasets.size(); ++d) {
        const std::string& dataset = s.datasets[d];
        auto curves = nan_array<4>({measures.size(), F, P, 2});
        auto wake_s = nan_array<2>({F, P});
        auto final_runs = nan_array<2>({F, s.seeds});
        auto drops = nan_array<2>({F, 2});
        nlohmann::json ds;
        std::map<std::string, std::vector<double>> final_at_zero;
        std::vector<double> forgetting_at_zero;
        for (std::size_t i = 0; i < F; ++i) {
            std::vector<const massey::stdp_run*> main, forget;
            for (const auto& u : units)
                if (u.dataset == dataset && u.fraction == s.fractions[i]) (u.forgetting() ? forget : main).push_back(&u);
            nlohmann::json fj;
            fj["fraction"] = s.fractions[i];
            fj["seeds"] = main.size();
            if (!main.empty()) {
                const std::size_t points = main[0]->points.size();
                for (std::size_t p = 0; p < points; ++p) {
                    std::vector<double> images, wake;
                    for (const auto* u : main) {
                        images.push_back(double(u->points[p].images));
                        wake.push_back(u->points[p].wake_ms);
                    }
                    fj["curve"]["images"].push_back(mean_sem_of(images).mean);
                    const double wake_mean_s = mean_sem_of(wake).mean / 1000.0;
                    fj["curve"]["wake_s"].push_back(wake_mean_s);
                    if (p < P) wake_s(i, p) = wake_mean_s;
                    for (std::size_t m = 0; m < measures.size(); ++m) {
                        std::vector<double> x;
                        for (const auto* u : main) x.push_back(measures[m].second(u->points[p]));
                        const auto sum = mean_sem_of(x);
                        fj["curve"][measures[m].first].push_back(sum);
                        if (p < P) put(xt::view(curves, m, i, p, xt::all()), sum);
                    }
                }
                for (const auto& [name, value] : measures) {
                    std::vector<double> x;
                    for (const auto* u : main) x.push_back(value(u->points.back()));
                    fj["final"][name] = mean_sem_of(x);
                    if (name == "accuracy")
                        for (std::size_t k = 0; k < main.size(); ++k)
                            if (main[k]->seed_index < s.seeds) final_runs(i, main[k]->seed_index) = x[k];
                    if (s.fractions[i] == 0.0) final_at_zero[name] = x;
                    else if (final_at_zero.count(name) && final_at_zero[name].size() == x.size())
                        fj["final_vs_no_sleep"][name] = paired(x, final_at_zero[name]);
                }
            }
            if (!forget.empty()) {
                std::vector<double> after_first, after_second, drop, second;
                for (const auto* u : forget) {
                    after_first.push_back(u->points[0].accuracy_classes_0_4);
                    after_second.push_back(u->points[1].accuracy_classes_0_4);
                    second.push_back(u->points[1].accuracy_classes_5_9);
                    drop.push_back(after_first.back() - after_second.back());
                }
                fj["forgetting"] = {{"classes_0_4_after_first_half", mean_sem_of(after_first)},
                                    {"classes_0_4_after_second_half", mean_sem_of(after_second)},
                                    {"classes_5_9_after_second_half", mean_sem_of(second)},
                                    {"drop", mean_sem_of(drop)}};
                put(xt::view(drops, i, xt::all()), mean_sem_of(drop));
                if (s.fractions[i] == 0.0) forgetting_at_zero = drop;
                else if (forgetting_at_zero.size() == drop.size()) fj["forgetting"]["drop_vs_no_sleep"] = paired(drop, forgetting_at_zero);
            }
            ds["fractions"].push_back(fj);
        }
        out[dataset] = ds;
        const std::string at = "stdp_" + dataset + "_";
        arrays.add(at + "curves", curves, "STDP, " + dataset + ": mean and s.e.m. over seeds of each measure (stdp.curve_measures) "
                                                             "per fraction (stdp.settings.fractions) after each block");
        arrays.add(at + "wake_s", wake_s, "STDP, " + dataset + ": waking training time (simulated s) at each point, per fraction");
        arrays.add(at + "final_accuracy_runs", final_runs, "STDP, " + dataset + ": final test accuracy per fraction and seed");
        if (s.forgetting)
            arrays.add(at + "forgetting_drop", drops, "STDP, " + dataset + ": drop in accuracy on classes 0-4 after training on 5-9, "
                                                                        "mean and s.e.m. over seeds, per fraction");
    }
    return out;
}

/// The names of the SG curves, in the order of the array's first axis.
inline const std::vector<std::string>& sg_curve_names()
{
    static const std::vector<std::string> names{"accuracy", "mean_abs_weight", "max_abs_weight", "weight_entropy_bits",
                                                "output_correlation"};
    return names;
}

/// The SG part's summary (the JSON's "sg.summary"): per fraction the
/// measures after every epoch, forgetting, and the function space; and its arrays.
inline nlohmann::json aggregate_sg(const sg_control_options& o, const std::vector<sg_run>& runs, array_outputs& arrays)
{
    nlohmann::json out;
    const std::size_t F = o.fractions.size(), E = o.epochs;
    auto curves = nan_array<4>({sg_curve_names().size(), F, E, 2});
    auto final_runs = nan_array<2>({F, o.seeds});
    auto drops = nan_array<2>({F, 2});
    std::vector<double> final_zero, drop_zero;
    for (std::size_t i = 0; i < F; ++i) {
        nlohmann::json fj;
        fj["fraction"] = o.fractions[i];
        std::vector<const sg_run*> main, forget;
        for (const auto& r : runs)
            if (r.fraction_index == i) (r.forgetting_run ? forget : main).push_back(&r);
        if (!main.empty()) {
            for (std::size_t e = 0; e < main[0]->epochs.size(); ++e) {
                std::vector<std::vector<double>> x(sg_curve_names().size());
                for (const auto* r : main) {
                    const auto& ep = r->epochs[e];
                    if (!ep.tested) continue;
                    x[0].push_back(ep.accuracy);
                    x[1].push_back(ep.weights.mean_abs);
                    x[2].push_back(ep.weights.max_abs);
                    double h = 0.0;
                    for (const auto& l : ep.weights.layers) h += l.entropy_bits;
                    x[3].push_back(h / double(std::max<std::size_t>(1, ep.weights.layers.size())));
                    if (ep.output_correlation) x[4].push_back(*ep.output_correlation);
                }
                fj["curve"]["epoch"].push_back(e + 1);
                for (std::size_t m = 0; m < x.size(); ++m) {
                    const auto sum = mean_sem_of(x[m]);
                    fj["curve"][sg_curve_names()[m]].push_back(sum);
                    if (e < E) put(xt::view(curves, m, i, e, xt::all()), sum);
                }
            }
            std::vector<double> final;
            for (const auto* r : main) final.push_back(r->epochs.back().accuracy);
            for (std::size_t k = 0; k < main.size(); ++k)
                if (main[k]->seed_index < o.seeds) final_runs(i, main[k]->seed_index) = final[k];
            fj["final_accuracy"] = mean_sem_of(final);
            if (o.fractions[i] == 0.0) final_zero = final;
            else if (final_zero.size() == final.size()) fj["final_accuracy_vs_no_sleep"] = paired(final, final_zero);
        }
        if (!forget.empty()) {
            std::vector<double> drop;
            for (const auto* r : forget) drop.push_back(r->forgetting->forgetting);
            fj["forgetting"] = {{"drop", mean_sem_of(drop)}};
            put(xt::view(drops, i, xt::all()), mean_sem_of(drop));
            if (o.fractions[i] == 0.0) drop_zero = drop;
            else if (drop_zero.size() == drop.size()) fj["forgetting"]["drop_vs_no_sleep"] = paired(drop, drop_zero);
        }
        out["fractions"].push_back(fj);
    }
    // The final mappings of each fraction's members as an ensemble: groups,
    // S0 and H at the default agreement threshold, and at every threshold,
    // since with few members S0 moves only at the top ones.
    constexpr std::size_t default_threshold = 5;
    std::vector<std::vector<sg_function_space>> by_threshold;
    for (std::size_t th = 1; th <= 10; ++th) by_threshold.push_back(function_space_by_fraction(o, runs, th));
    xt::xtensor<double, 2> s0({F, 10});
    for (std::size_t i = 0; i < F; ++i) {
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
            s0(i, th - 1) = t.s0_nats;
        }
        out["function_space"].push_back(std::move(fs));
    }
    arrays.add("sg_curves", curves, "SG: mean and s.e.m. over seeds of each measure (sg.curve_measures) per fraction "
                                    "(sg.settings.fractions) after each epoch");
    arrays.add("sg_final_accuracy_runs", final_runs, "SG: final test accuracy per fraction and seed");
    if (o.forgetting)
        arrays.add("sg_forgetting_drop", drops, "SG: drop in accuracy on classes 0-4 after training on 5-9, mean and s.e.m. "
                                                "over seeds, per fraction");
    arrays.add("sg_s0_by_threshold", s0, "SG: function-space entropy S0 (nats) of each fraction's members at agreement "
                                         "thresholds 1..10 (labels of 10)");
    return out;
}

} // namespace somnus::example::ours
