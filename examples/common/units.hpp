// SPDX-License-Identifier: MIT
// Sweeps made of units (one run each: a data set, a setting, a seed), spread
// over MPI ranks (common/mpi.hpp: unit k belongs to rank k mod size) and,
// within a rank, over threads, one unit per thread at a time; each unit's
// JSON carries its index, and rank 0 gathers them in unit order, so the
// results depend on neither the rank count nor the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "example.hpp"
#include "mpi.hpp"

namespace somnus::example {

/// Runs this rank's units of `all` on `threads` threads: run_one(unit)
/// returns its JSON, describe(unit, json) its progress line. Returns the
/// JSON texts in unit order, each with "unit" set to the unit's index.
template <class Unit, class Run, class Describe>
std::vector<std::string> run_units(const std::vector<Unit>& all, const mpi_session& mpi, unsigned threads, const std::string& what,
                                   Run&& run_one, Describe&& describe)
{
    std::vector<std::size_t> mine;
    for (std::size_t u = 0; u < all.size(); ++u)
        if (mpi.mine(u)) mine.push_back(u);
    std::vector<std::string> out(mine.size());
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex print;
    progress bar(what, mine.size(), 0.0);
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            try {
                for (std::size_t k; (k = next++) < mine.size();) {
                    nlohmann::json j = run_one(all[mine[k]]);
                    j["unit"] = mine[k];
                    const std::string line = describe(all[mine[k]], j);
                    out[k] = j.dump();
                    const std::lock_guard lock(print);
                    bar.update(++done, line, true);
                }
            } catch (...) {
                errors[t] = std::current_exception();
                next = mine.size();
            }
        });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    return out;
}

/// Every rank's unit texts gathered at rank 0, parsed, in unit order.
inline std::vector<nlohmann::json> gather_units(const mpi_session& mpi, const std::vector<std::string>& mine)
{
    nlohmann::json mine_json = nlohmann::json::array();
    for (const auto& m : mine) mine_json.push_back(nlohmann::json::parse(m));
    std::vector<nlohmann::json> all;
    for (const auto& text : mpi.gather(mine_json.dump()))
        for (auto& u : nlohmann::json::parse(text)) all.push_back(u);
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a["unit"].template get<std::size_t>() < b["unit"].template get<std::size_t>(); });
    return all;
}

} // namespace somnus::example
