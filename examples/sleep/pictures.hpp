// SPDX-License-Identifier: MIT
// examples/sleep's PNG pictures (--png), drawn with common/plot.hpp: accuracy
// by training level, the robustness curves, threshold change against
// neighbourhood variance, and one network's receptive fields.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "analyses.hpp"
#include "example.hpp"

namespace somnus::example::tadros2019 {

/// The receptive fields of one network (seed, level), before and after sleep.
struct pictures {
    std::vector<float> fields_before, fields_after;
    std::size_t level = 0;
    std::uint64_t seed = 0;
};

inline void write_pictures(const std::string& folder, std::size_t neurons, std::size_t seeds, const std::vector<level_result>& levels,
                           const pictures& pics)
{
    namespace plot = somnus::plot;
    const std::filesystem::path dir(folder);
    std::filesystem::create_directories(dir);
    const auto mean_sem = [](const summary& x) { return std::pair<double, double>{x.mean, x.sem}; };
    {
        std::vector<plot::series> ser{{"before sleep", {}, {}, {31, 119, 180}},
                                      {"after sleep (labels re-assigned)", {}, {}, {214, 39, 40}},
                                      {"after sleep (labels kept)", {}, {}, {255, 127, 14}},
                                      {"STDP-only sleep", {}, {}, {44, 160, 44}}};
        std::vector<std::vector<double>> err(4);
        const summary level_summary::*keys[] = {&level_summary::accuracy_before, &level_summary::accuracy_after,
                                                &level_summary::accuracy_after_labels_kept, &level_summary::accuracy_stdp_only};
        for (const auto& L : levels)
            for (std::size_t k = 0; k < 4; ++k) {
                const auto [m, e] = mean_sem(L.summary.*keys[k]);
                ser[k].x.push_back(std::log10(double(L.level)));
                ser[k].y.push_back(100 * m);
                err[k].push_back(100 * e);
            }
        write_png(dir / "accuracy_by_level.png",
                      plot::error_bar_chart(ser, err, fmt::format("Test accuracy before and after sleep (N = {}, mean +- s.e.m., {} seeds)", neurons, seeds),
                                            "log10 training images", "accuracy (%)", std::pair{0.0, 100.0}));
    }
    for (const auto& L : levels) {
        for (const char* kind : {"noise", "blur"}) {
            const bool noise = std::string(kind) == "noise";
            const auto& xs = noise ? noise_variances : blur_sigmas;
            std::vector<plot::series> ser{{"before sleep", {}, {}, {31, 119, 180}}, {"after sleep", {}, {}, {214, 39, 40}}};
            std::vector<std::vector<double>> err(2);
            for (std::size_t k = 0; k < xs.size(); ++k) {
                const auto& c = (noise ? L.summary.robustness.noise : L.summary.robustness.blur)[k];
                for (std::size_t q = 0; q < 2; ++q) {
                    const auto [m, e] = mean_sem(q == 0 ? c.before : c.after);
                    ser[q].x.push_back(xs[k]);
                    ser[q].y.push_back(100 * m);
                    err[q].push_back(100 * e);
                }
            }
            write_png(dir / fmt::format("{}_level_{}.png", kind, L.level),
                          plot::error_bar_chart(ser, err, fmt::format("Accuracy under Gaussian {} after {} training images", kind, L.level),
                                                noise ? "noise variance (images in [0, 1])" : "blur sigma (pixels)", "accuracy (%)",
                                                std::pair{0.0, 100.0}));
        }
        plot::series pts{"", {}, {}, {214, 39, 40}};
        for (const auto& r : L.runs) {
            pts.x.insert(pts.x.end(), r.thresholds.neighbourhood_variance.begin(), r.thresholds.neighbourhood_variance.end());
            pts.y.insert(pts.y.end(), r.thresholds.dtheta_mV.begin(), r.thresholds.dtheta_mV.end());
        }
        const auto& t = L.summary.thresholds.test;
        write_png(dir / fmt::format("theta_change_level_{}.png", L.level),
                      plot::scatter_chart({pts},
                                          !t.pearson_r
                                              ? fmt::format("Threshold change in sleep, {} training images", L.level)
                                              : fmt::format("Threshold change in sleep, {} images: r = {:.2f}, rho = {:.2f}", L.level,
                                                            *t.pearson_r, *t.spearman_rho),
                                          "receptive field's mean 3x3-neighbourhood variance", "theta change (mV)"));
    }
    if (!pics.fields_before.empty()) {
        for (const auto& [name, tiles] : {std::pair{"before", &pics.fields_before}, std::pair{"after", &pics.fields_after}})
            write_png(dir / fmt::format("receptive_fields_{}_level_{}_seed_{}.png", name, pics.level, pics.seed),
                          plot::image_grid(*tiles, neurons, 28, 28, neurons <= 400 ? 3 : 1, plot::colormap_hot, plot::tile_scale::per_tile));
    }
}

} // namespace somnus::example::tadros2019
