// SPDX-License-Identifier: MIT
// Per-synapse transmission delays with Brian 1's semantics of STDP on a
// delayed connection (used by Diehl & Cook's original code): a spike bumps
// its neuron's presynaptic traces when it is emitted; it reaches synapse
// (i, j) d_ij steps later, where it is transmitted and on_pre runs with the
// post traces of that moment; on_post for a spike of j sees, at each synapse,
// the presynaptic traces as they were d_ij steps ago.
//
// delay_ring keeps what that needs and nothing of the weights or the rule:
// the delays, each row's postsynaptic neurons grouped by delay, and a ring of
// the last max_delay + 1 steps' emitted spikes and presynaptic traces (before
// and after that step's bumps). dense_synapses holds one and does the
// learning; the ring only says which spike arrives where, and what it saw.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../io/checkpoint.hpp"

namespace somnus::detail {

/// Refuses a checkpoint whose traces are not all finite (a valid checksum says
/// the file is what was written, not that it is a state one can run from).
inline void require_traces(const checkpoint_reader& r, const std::string& name, const matrix_f& t)
{
    for (std::size_t k = 0; k < t.size(); ++k)
        if (!std::isfinite(t.data()[k])) r.fail(fmt::format("'{}' holds {} at index {}", name, t.data()[k], k));
}

class delay_ring {
public:
    /// For n_pre -> n_post synapses whose presynaptic neurons carry n_traces
    /// traces each. Without delays until assign() gives some.
    delay_ring(std::size_t n_pre, std::size_t n_post, std::size_t n_traces) : n_pre_(n_pre), n_post_(n_post), n_traces_(n_traces) {}

    /// Gives every synapse its own delay in whole steps (row-major [pre][post],
    /// n_pre * n_post values 0..255). All zero switches delays off again.
    void assign(std::span<const std::uint8_t> delay_steps)
    {
        const std::size_t np = n_pre_, nq = n_post_;
        assert(delay_steps.size() == np * nq);
        delay_ = std::vector<std::uint8_t>(delay_steps.begin(), delay_steps.end());
        std::size_t max_d = 0;
        for (auto d : delay_) max_d = std::max<std::size_t>(max_d, d);
        if (max_d == 0) {
            delay_.clear();
            ring_ = 0;
            return;
        }
        ring_ = max_d + 1;
        // Per row, the postsynaptic indices grouped by delay (counting sort).
        by_delay_start_.assign(np * (ring_ + 1), 0);
        by_delay_post_.resize(np * nq);
        for (std::size_t i = 0; i < np; ++i) {
            std::uint32_t* start = &by_delay_start_[i * (ring_ + 1)];
            for (std::size_t j = 0; j < nq; ++j) ++start[delay_[i * nq + j] + 1];
            for (std::size_t d = 0; d < ring_; ++d) start[d + 1] += start[d];
            std::vector<std::uint32_t> at(start, start + ring_);
            for (std::size_t j = 0; j < nq; ++j) by_delay_post_[i * nq + at[delay_[i * nq + j]]++] = static_cast<std::uint32_t>(j);
        }
        emitted_.assign(ring_, {});
        for (auto& e : emitted_) e.reserve(np);
        before_ = make_matrix(ring_, n_traces_ * np);
        after_ = make_matrix(ring_, n_traces_ * np);
        clear();
    }

    bool on() const { return ring_ != 0; }
    /// Steps of trace history kept (0 without delays).
    std::size_t history_steps() const { return ring_; }
    /// The delay of each synapse in steps, [pre][post] (empty without delays).
    std::span<const std::uint8_t> delays() const { return delay_; }

    /// True while an emitted spike has yet to reach one of its synapses.
    bool spikes_in_flight() const
    {
        if (!on()) return false;
        const std::size_t max_d = ring_ - 1;
        for (std::size_t d = 1; d <= max_d && d <= now_; ++d)
            if (!emitted_[(now_ - d) % ring_].empty()) return true;
        return false;
    }
    /// Advances the clock by steps in which nothing was emitted (with no
    /// spikes in flight; the trace history goes stale).
    void skip_steps(std::size_t steps)
    {
        for (auto& e : emitted_) e.clear();
        now_ += steps;
    }
    /// Forgets spikes still travelling and the trace history (a fresh start).
    void clear()
    {
        for (auto& e : emitted_) e.clear();
        before_.fill(0.0f);
        after_.fill(0.0f);
        now_ = 0;
    }

    // One step, with delays on: record(pre, emitted); the caller bumps the
    // emitting neurons' traces; record_bumped(pre); for_each_arrival(f);
    // advance(). traces_after() then serves the step's postsynaptic spikes.
    // pre is the [trace][neuron] matrix of presynaptic traces.

    /// Keeps this step's emitted spikes and the traces before their bumps.
    void record(const matrix_f& pre, std::span<const std::uint32_t> emitted)
    {
        const std::size_t slot = now_ % ring_;
        std::copy_n(pre.data(), pre.size(), before_.data() + slot * before_.shape()[1]);
        emitted_[slot].assign(emitted.begin(), emitted.end());
    }
    /// Keeps this step's traces after the bumps.
    void record_bumped(const matrix_f& pre)
    {
        const std::size_t slot = now_ % ring_;
        std::copy_n(pre.data(), pre.size(), after_.data() + slot * after_.shape()[1]);
    }
    /// Calls f(i, before, posts) for every spike that reaches synapses this
    /// step, those emitted now first, then each emission in the order of its
    /// spikes: neuron i's spike arrives at the postsynaptic neurons posts (in
    /// increasing order), and before holds the presynaptic traces of the step
    /// it was emitted in, before that step's bumps, [trace * n_pre + neuron].
    template <class F>
    void for_each_arrival(F&& f) const
    {
        for (std::size_t d = 0; d < ring_ && d <= now_; ++d) {
            const std::size_t from = (now_ - d) % ring_;
            const float* before = before_.data() + from * before_.shape()[1];
            for (const auto i : emitted_[from]) {
                const std::uint32_t* start = &by_delay_start_[i * (ring_ + 1)];
                const std::uint32_t* post = by_delay_post_.data() + i * n_post_;
                f(i, before, std::span<const std::uint32_t>(post + start[d], post + start[d + 1]));
            }
        }
    }
    /// Ends the step.
    void advance() { ++now_; }
    /// The presynaptic traces, after their bumps, of the step d steps before
    /// the last one taken, [trace * n_pre + neuron]; null if that step came
    /// before the first (its spikes, if any, have not been seen).
    const float* traces_after(std::size_t d) const
    {
        const std::size_t t = now_ - 1;  // the step just taken
        if (d > t) return nullptr;
        return after_.data() + ((t - d) % ring_) * after_.shape()[1];
    }

    /// "delays": one value per synapse (none without delays).
    void save_delays(checkpoint_writer& w, const std::string& prefix) const
    {
        std::vector<std::uint64_t> delays(delay_.begin(), delay_.end());
        w.add_u64(prefix + "delays", delays);
    }
    /// With delays on, the clock, the trace history and the spikes in flight:
    /// "now", "traces_before", "traces_after", "in_flight".
    void save_state(checkpoint_writer& w, const std::string& prefix) const
    {
        if (!on()) return;
        const std::uint64_t now[] = {now_};
        w.add_u64(prefix + "now", now);
        w.add(prefix + "traces_before", before_);
        w.add(prefix + "traces_after", after_);
        std::vector<std::uint64_t> flying;  // per slot: count, then the spikes
        for (const auto& e : emitted_) {
            flying.push_back(e.size());
            flying.insert(flying.end(), e.begin(), e.end());
        }
        w.add_u64(prefix + "in_flight", flying);
    }
    /// Reads what save_delays and save_state wrote, refusing delays above 255,
    /// traces that are not finite and spikes in flight that do not fit.
    void load_from(const checkpoint_reader& r, const std::string& prefix)
    {
        const auto delays = r.read_u64(prefix + "delays");
        if (!delays.empty()) {
            if (delays.size() != n_pre_ * n_post_)
                r.fail(fmt::format("'{}delays' has {} entries for {} synapses", prefix, delays.size(), n_pre_ * n_post_));
            std::vector<std::uint8_t> d(delays.size());
            for (std::size_t k = 0; k < d.size(); ++k) {
                if (delays[k] > 255) r.fail(fmt::format("'{}delays' holds a delay of {} steps", prefix, delays[k]));
                d[k] = static_cast<std::uint8_t>(delays[k]);
            }
            assign(d);
        } else {
            delay_.clear();
            ring_ = 0;
        }
        if (!on()) return;
        const auto now = r.read_u64(prefix + "now");
        if (now.size() != 1) r.fail(fmt::format("'{}now' must hold one value", prefix));
        now_ = now[0];
        r.read(prefix + "traces_before", before_);
        r.read(prefix + "traces_after", after_);
        require_traces(r, prefix + "traces_before", before_);
        require_traces(r, prefix + "traces_after", after_);
        const auto flying = r.read_u64(prefix + "in_flight");
        std::size_t at = 0;
        for (auto& e : emitted_) {
            if (at >= flying.size() || flying[at] > n_pre_ || flying[at] > flying.size() - at - 1)
                r.fail(fmt::format("'{}in_flight' is malformed", prefix));
            const std::size_t count = flying[at++];
            e.clear();
            for (std::size_t k = 0; k < count; ++k, ++at) {
                if (flying[at] >= n_pre_) r.fail(fmt::format("'{}in_flight' names neuron {}", prefix, flying[at]));
                e.push_back(static_cast<std::uint32_t>(flying[at]));
            }
        }
        if (at != flying.size()) r.fail(fmt::format("'{}in_flight' has trailing values", prefix));
    }

private:
    std::size_t n_pre_, n_post_, n_traces_;
    std::vector<std::uint8_t> delay_;            ///< [pre][post], empty when off
    std::vector<std::uint32_t> by_delay_start_;  ///< [pre][delay + 1]: where each delay's group starts
    std::vector<std::uint32_t> by_delay_post_;   ///< [pre][post]: postsynaptic indices grouped by delay
    std::size_t ring_ = 0;                       ///< slots: the largest delay + 1 (0 when off)
    std::size_t now_ = 0;                        ///< steps taken
    std::vector<spike_list> emitted_;            ///< [slot]: the spikes emitted then
    matrix_f before_, after_;                    ///< [slot][trace * n_pre + neuron]
};

} // namespace somnus::detail
