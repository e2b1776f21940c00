// SPDX-License-Identifier: MIT
// Summaries over seeds as the programs' tables write them: the library's
// somnus::summarize (stats/summary.hpp), also for fewer than two values (one
// value: sd = sem = 0; none: all 0), as {mean, sem, n} (sleep,
// sleep_regularisation --protocol ours) or {mean, sd, n} (--protocol
// massey2026).
#pragma once

#include <cstddef>
#include <span>

#include <nlohmann/json.hpp>

#include <somnus/stats/summary.hpp>

namespace somnus::example {

inline sample_summary summary_of(std::span<const double> x)
{
    if (x.size() >= 2) return summarize(x);
    sample_summary s;
    s.n = x.size();
    if (s.n == 1) s.mean = mean(x);
    return s;
}

struct mean_sem {
    double mean = 0.0, sem = 0.0;
    std::size_t n = 0;
};
struct mean_sd {
    double mean = 0.0, sd = 0.0;
    std::size_t n = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(mean_sem, mean, sem, n)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(mean_sd, mean, sd, n)

inline mean_sem mean_sem_of(std::span<const double> x) { const auto s = summary_of(x); return {s.mean, s.sem, s.n}; }
inline mean_sd mean_sd_of(std::span<const double> x) { const auto s = summary_of(x); return {s.mean, s.sd, s.n}; }

} // namespace somnus::example
