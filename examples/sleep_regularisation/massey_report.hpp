// SPDX-License-Identifier: MIT
// The tables of `sleep_regularisation --protocol massey2026` (the JSON's
// "stdp.table" and "sg.table"): per data set and ratio, ours beside their
// published runs (mean and SD over seeds, paired t-test against r = 0), and
// the arrays behind the figures (figures.py): each ratio's runs by seed,
// theirs beside ours, NaN where a run is missing.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include <somnus/stats/paired.hpp>

#include "../common/arrays.hpp"
#include "massey2026.hpp"
#include "massey_sg.hpp"
#include "summaries.hpp"

namespace somnus::example::massey2026 {

/// Their SG control's per-run results (snntorch/results/sleep_results.json at
/// de54a77, mean and SD over the runs of each cell, % test accuracy), for p =
/// 0, 0.1, ..., 1.0.
inline const std::vector<std::pair<double, double>>& published_sg(const std::string& dataset)
{
    static const std::vector<std::pair<double, double>> mnist{{92.89, 0.26}, {93.10, 0.69}, {93.16, 0.41}, {92.99, 0.58},
                                                              {92.85, 0.57}, {92.85, 0.57}, {92.81, 0.64}, {92.81, 0.64},
                                                              {92.81, 0.64}, {92.81, 0.64}, {92.81, 0.64}};
    static const std::vector<std::pair<double, double>> fashion{{70.06, 7.06}, {70.26, 7.87}, {70.26, 7.68}, {71.07, 7.23},
                                                                {70.79, 7.39}, {70.79, 7.39}, {71.26, 6.25}, {71.26, 6.25},
                                                                {71.26, 6.25}, {71.26, 6.25}, {71.26, 6.25}};
    static const std::vector<std::pair<double, double>> none;
    return dataset == "mnist" ? mnist : dataset == "fashion" ? fashion : none;
}

struct sg_row {
    double ratio = 0.0;
    std::size_t sleep_every = 0;
    mean_sd published;
    mean_sd accuracy;
    std::vector<double> runs;
    double p_vs_no_sleep = -1.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_row, ratio, sleep_every, published, accuracy, runs, p_vs_no_sleep)

inline std::vector<sg_row> sg_table(const std::vector<double>& ratios, const std::string& dataset,
                                    const std::vector<massey::massey_sg_result>& runs)
{
    std::vector<sg_row> rows;
    std::vector<double> zero;
    const auto& pub = published_sg(dataset);
    for (std::size_t k = 0; k < ratios.size(); ++k) {
        sg_row row;
        row.ratio = ratios[k];
        row.sleep_every = massey::sleep_every(ratios[k]);
        const auto at = static_cast<std::size_t>(std::llround(ratios[k] * 10.0));
        if (std::abs(ratios[k] * 10.0 - double(at)) < 1e-9 && at < pub.size()) row.published = {pub[at].first, pub[at].second, 5};
        for (const auto& u : runs)
            if (u.dataset == dataset && u.sleep_every == row.sleep_every) row.runs.push_back(100.0 * u.final_test_accuracy);
        row.accuracy = mean_sd_of(row.runs);
        if (k == 0 && row.sleep_every == 0) zero = row.runs;
        else if (!zero.empty() && zero.size() == row.runs.size() && row.runs.size() >= 2 && row.runs != zero)
            row.p_vs_no_sleep = paired_t_test(row.runs, zero).p_value;
        rows.push_back(std::move(row));
    }
    return rows;
}

/// One row of the table: a ratio, ours beside theirs.
struct table_row {
    double ratio = 0.0;
    double pause_steps = 0.0;
    mean_sd published;            ///< their 5 runs
    std::vector<double> published_runs;
    mean_sd accuracy;             ///< ours, their readout
    mean_sd accuracy_ours;        ///< ours, our readout
    std::vector<double> runs, runs_ours;
    mean_sd batches_run, sleep_steps_per_batch, early_stops_per_batch, test_exc_rate_hz, distinct_receptive_fields, steps_per_second;
    mean_sd distinct_tunings, phi;  ///< ours
    /// Ours, with --forgetting: our readout on classes 0-4 after each half, on 5-9 at the end, and the drop.
    mean_sd forgetting_first_after_first, forgetting_first_after_second, forgetting_second_after_second, forgetting_drop;
    double p_drop_vs_no_sleep = -1.0;
    std::map<std::string, mean_sd> at_upper, at_lower, mean_abs_weight;  ///< per projection, the tested weights
    double p_vs_no_sleep = -1.0;  ///< paired t-test of accuracy against r = 0 (same seeds), -1 if not computed
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(table_row, ratio, pause_steps, published, published_runs, accuracy, accuracy_ours, runs, runs_ours,
                                   batches_run, sleep_steps_per_batch, early_stops_per_batch, test_exc_rate_hz,
                                   distinct_receptive_fields, steps_per_second, distinct_tunings, phi, forgetting_first_after_first,
                                   forgetting_first_after_second, forgetting_second_after_second, forgetting_drop, p_drop_vs_no_sleep,
                                   at_upper, at_lower, mean_abs_weight, p_vs_no_sleep)

inline std::vector<table_row> stdp_table(const options& o, const std::string& dataset, const std::vector<run_result>& runs)
{
    std::vector<table_row> rows;
    const auto& published = published_runs(dataset);
    std::vector<double> zero, zero_drop;
    for (std::size_t k = 0; k < o.ratios.size(); ++k) {
        const double r = o.ratios[k];
        table_row row;
        row.ratio = r;
        row.pause_steps = pause_ms(r);
        const auto at = static_cast<std::size_t>(std::llround(r * 10.0));
        if (std::abs(r * 10.0 - double(at)) < 1e-9 && at < published.size()) {
            row.published_runs = published[at];
            row.published = mean_sd_of(published[at]);
        }
        std::vector<double> batches, sleep, stops, rate, fields, speed, f11, f12, f22, drop, tunings, phis;
        std::map<std::string, std::vector<double>> up, low, mean;
        for (const auto& u : runs) {
            if (u.dataset != dataset || pause_ms(u.ratio) != row.pause_steps) continue;
            row.runs.push_back(u.accuracy);
            row.runs_ours.push_back(u.accuracy_ours);
            batches.push_back(double(u.batches_run));
            double steps = 0.0, early = 0.0;
            for (const auto& b : u.history) {
                steps += double(b.sleep_steps);
                early += double(b.early_stops);
            }
            sleep.push_back(steps / double(std::max<std::size_t>(1, u.history.size())));
            stops.push_back(early / double(std::max<std::size_t>(1, u.history.size())));
            rate.push_back(u.test_exc_rate_hz);
            fields.push_back(double(u.distinct_receptive_fields));
            if (u.steps_per_second > 0.0) speed.push_back(u.steps_per_second);
            tunings.push_back(double(u.distinct_tunings));
            phis.push_back(u.phi);
            if (u.forgetting) {
                f11.push_back(u.forgetting->first_after_first);
                f12.push_back(u.forgetting->first_after_second);
                f22.push_back(u.forgetting->second_after_second);
                drop.push_back(u.forgetting->drop);
            }
            for (const auto& p : u.final_projections) {
                up[p.name].push_back(p.at_upper);
                low[p.name].push_back(p.at_lower);
                mean[p.name].push_back(p.mean);
            }
        }
        row.accuracy = mean_sd_of(row.runs);
        row.accuracy_ours = mean_sd_of(row.runs_ours);
        row.batches_run = mean_sd_of(batches);
        row.sleep_steps_per_batch = mean_sd_of(sleep);
        row.early_stops_per_batch = mean_sd_of(stops);
        row.test_exc_rate_hz = mean_sd_of(rate);
        row.distinct_receptive_fields = mean_sd_of(fields);
        row.steps_per_second = mean_sd_of(speed);
        row.distinct_tunings = mean_sd_of(tunings);
        row.phi = mean_sd_of(phis);
        row.forgetting_first_after_first = mean_sd_of(f11);
        row.forgetting_first_after_second = mean_sd_of(f12);
        row.forgetting_second_after_second = mean_sd_of(f22);
        row.forgetting_drop = mean_sd_of(drop);
        for (auto& [name, v] : up) row.at_upper[name] = mean_sd_of(v);
        for (auto& [name, v] : low) row.at_lower[name] = mean_sd_of(v);
        for (auto& [name, v] : mean) row.mean_abs_weight[name] = mean_sd_of(v);
        if (k == 0 && r == 0.0) {
            zero = row.runs;
            zero_drop = drop;
        } else {
            if (!zero.empty() && zero.size() == row.runs.size() && row.runs.size() >= 2 && row.runs != zero)
                row.p_vs_no_sleep = paired_t_test(row.runs, zero).p_value;
            if (!zero_drop.empty() && zero_drop.size() == drop.size() && drop.size() >= 2 && drop != zero_drop)
                row.p_drop_vs_no_sleep = paired_t_test(drop, zero_drop).p_value;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

/// Values of rows x (at most) `cols` columns, NaN-padded.
inline xt::xtensor<double, 2> padded(const std::vector<std::vector<double>>& rows, std::size_t cols)
{
    xt::xtensor<double, 2> a({rows.size(), cols});
    a.fill(std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t k = 0; k < std::min(cols, rows[i].size()); ++k) a(i, k) = rows[i][k];
    return a;
}

/// Mean and SD (last axis) of each row's summaries, NaN where n = 0.
inline xt::xtensor<double, 3> mean_and_sd(const std::vector<std::vector<mean_sd>>& rows)
{
    const std::size_t cols = rows.empty() ? 0 : rows[0].size();
    xt::xtensor<double, 3> a({rows.size(), cols, 2});
    a.fill(std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t k = 0; k < cols; ++k)
            if (rows[i][k].n > 0) {
                a(i, k, 0) = rows[i][k].mean;
                a(i, k, 1) = rows[i][k].sd;
            }
    return a;
}

/// The arrays behind one data set's STDP figure (the ratios are stdp.settings.ratios).
inline void add_stdp_arrays(array_outputs& arrays, const std::string& dataset, const std::vector<table_row>& rows, std::size_t seeds)
{
    std::vector<std::vector<double>> theirs, ours, published;
    std::vector<std::vector<mean_sd>> summaries;
    for (const auto& r : rows) {
        theirs.push_back(r.runs);
        ours.push_back(r.runs_ours);
        published.push_back(r.published_runs);
        summaries.push_back({r.published, r.accuracy, r.accuracy_ours, r.forgetting_drop});
    }
    const std::string at = "stdp_" + dataset + "_";
    arrays.add(at + "accuracy_runs", padded(theirs, seeds), "STDP, " + dataset + ": test accuracy (%) by their readout, ratio x seed");
    arrays.add(at + "accuracy_ours_runs", padded(ours, seeds), "STDP, " + dataset + ": test accuracy (%) by our readout, ratio x seed");
    arrays.add(at + "published_runs", padded(published, 5), "STDP, " + dataset + ": their published runs (%), ratio x run");
    arrays.add(at + "summary", mean_and_sd(summaries),
               "STDP, " + dataset + ": mean and SD per ratio of: their published runs, ours by their readout, ours by our "
                                    "readout, the forgetting drop (our readout; NaN without --forgetting)");
}

/// The arrays behind one data set's SG figure (the ratios are stdp.settings.ratios).
inline void add_sg_arrays(array_outputs& arrays, const std::string& dataset, const std::vector<sg_row>& rows, std::size_t seeds)
{
    std::vector<std::vector<double>> runs;
    std::vector<std::vector<mean_sd>> summaries;
    for (const auto& r : rows) {
        runs.push_back(r.runs);
        summaries.push_back({r.published, r.accuracy});
    }
    arrays.add("sg_" + dataset + "_accuracy_runs", padded(runs, seeds), "SG control, " + dataset + ": test accuracy (%), p x seed");
    arrays.add("sg_" + dataset + "_summary", mean_and_sd(summaries),
               "SG control, " + dataset + ": mean and SD per p of: their published runs, ours");
}

} // namespace somnus::example::massey2026
