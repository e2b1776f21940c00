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

/// The first failure among a long run's parts (the STDP runs, the SG runs),
/// kept instead of ending the program, so that the units already computed
/// are still gathered and written: the JSON marked "partial" with the
/// error, and exit status 2 (bad input) or 1. Parts after a failure do not
/// run.
class late_failure {
public:
    template <class Body>
    void attempt(const std::string& part, Body&& body)
    {
        if (!failed_.empty()) return;
        try {
            body();
        } catch (const somnus::data_error& e) {
            fail(part, e.what(), exit_bad_input);
        } catch (const somnus::config_error& e) {
            fail(part, e.what(), exit_bad_input);
        } catch (const std::exception& e) {
            fail(part, e.what(), 1);
        }
    }

    /// At rank 0, every rank's failures (the first message in rank order
    /// kept); collective, so every rank calls it.
    void gather(const mpi_session& mpi)
    {
        const nlohmann::json mine{{"parts", failed_}, {"error", error_}, {"status", status_}};
        const auto all = mpi.gather(mine.dump());
        for (std::size_t r = 1; r < all.size(); ++r) {
            const auto j = nlohmann::json::parse(all[r]);
            for (const auto& p : j["parts"]) {
                const auto part = p.get<std::string>();
                if (!failed(part)) failed_.push_back(part);
            }
            if (error_.empty() && !j["error"].get<std::string>().empty()) {
                error_ = j["error"].get<std::string>();
                status_ = j["status"].get<int>();
            }
        }
    }

    explicit operator bool() const { return !failed_.empty(); }
    bool failed(const std::string& part) const { return std::find(failed_.begin(), failed_.end(), part) != failed_.end(); }
    int status() const { return failed_.empty() ? 0 : status_; }

    /// "partial" (always), and when true "error" and "failed_parts".
    void record(nlohmann::json& j) const
    {
        j["partial"] = !failed_.empty();
        if (failed_.empty()) return;
        j["error"] = error_;
        j["failed_parts"] = failed_;
    }

    /// The one-line message; returns the exit status.
    int report(const std::string& program, const std::string& json) const
    {
        fmt::print(stderr, "{}: {}; {}\n", program, error_,
                   json.empty() ? "no --json given, nothing written" : fmt::format("partial results written to {}", json));
        return status();
    }

private:
    void fail(const std::string& part, const std::string& message, int status)
    {
        failed_.push_back(part);
        error_ = fmt::format("{} failed: {}", part, message);
        status_ = status;
    }

    std::vector<std::string> failed_;
    std::string error_;
    int status_ = 0;
};

} // namespace somnus::example
