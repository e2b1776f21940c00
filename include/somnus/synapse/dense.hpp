// SPDX-License-Identifier: MIT
// All-to-all synapses from n_pre to n_post neurons, with an optional
// plasticity rule and optional per-synapse transmission delays. Weights are
// one row-major [pre][post] matrix, so the more frequent event, an input
// spike, walks a contiguous row (propagation and on_pre), and a postsynaptic
// spike walks a strided column (on_post).
//
// Event-driven learning: for rules whose on_pre vanishes without a
// postsynaptic trace (on_pre_needs_post_trace), a presynaptic spike walks its
// row once, transmitting and clipping, and applies on_pre only to the
// synapses onto recently active neurons. Traces are set to zero once below
// trace_floor() times their bump amount (1e-6 by default, some 14 time
// constants after a lone spike), so "recently active" is exact and both
// paths, event-driven and dense (set_event_driven(false), the reference),
// give the same bits.
//
// Delays follow Brian 1's STDP on a delayed connection (used by Diehl & Cook's
// original code): a spike bumps its neuron's presynaptic traces when it is
// emitted; it reaches synapse (i, j) d_ij steps later, where it is transmitted
// and on_pre runs with the post traces of that moment; on_post for a spike of
// j sees, at each synapse, the presynaptic traces as they were d_ij steps ago
// (synapse/delay_ring.hpp keeps the history this needs).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../io/checkpoint.hpp"
#include "delay_ring.hpp"
#include "plastic_store.hpp"
#include "rows.hpp"
#include "traces.hpp"

namespace somnus {

template <plasticity_rule Rule>
class dense_synapses : public plastic_store<Rule> {
    using base = plastic_store<Rule>;
    using base::bounds_, base::changed_, base::post_, base::pre_, base::rule_, base::w_;
    using base::bump, base::check_shared, base::rows;

public:
    using base::n_post, base::n_pre, base::n_post_traces, base::n_pre_traces;
    using typename base::post_traces_type;
    /// Spiking rows the event-driven path walks together.
    static constexpr std::size_t row_group = 4;

    dense_synapses(std::size_t n_pre, std::size_t n_post, Rule rule = {}, float dt_ms = 0.5f, weight_bounds bounds = {})
        : base("dense_synapses", n_pre, n_post, rule, dt_ms, bounds), column_(make_vector(n_pre)), delays_(n_pre, n_post, n_pre_traces)
    {
        active_new_.resize(row_group * n_post);  // a group of rows' active synapses: no allocation while stepping
    }

    /// Event-driven presynaptic learning (the default) or the dense
    /// reference, in which on_pre runs at every synapse of a spiking row.
    /// Both give the same weights bit for bit.
    void set_event_driven(bool on) { event_driven_ = on; }
    bool event_driven() const { return event_driven_; }

    /// Post-major storage for a stretch of steps in which postsynaptic
    /// spikes outnumber presynaptic ones (a sleep phase with STDP on: every
    /// neuron fires and each spike walks a 784-row column of a matrix larger
    /// than L2). On, the weights are copied into a [post][pre] matrix that
    /// the walks use (a postsynaptic spike then walks a contiguous row, a
    /// presynaptic one a strided column); off, they are copied back. Each
    /// synapse sees the same operations in the same order either way, so
    /// the weights are the same bits. While it is on, weights() and every
    /// other view of the [pre][post] matrix are stale: only the network's
    /// own steps may run (network/sleep_phase.hpp turns it on only for
    /// mechanisms and homeostasis that declare they leave weights alone).
    /// Not with delays (returns false and stays row-major).
    bool set_column_major(bool on)
    {
        if (on == column_major_) return true;
        if (on && has_delays()) return false;
        const std::size_t np = n_pre(), nq = n_post();
        if (on) {
            if (wt_.shape()[0] != nq || wt_.shape()[1] != np) wt_ = make_matrix(nq, np);
            transpose(w_.data(), wt_.data(), np, nq);
        } else {
            transpose(wt_.data(), w_.data(), nq, np);
        }
        column_major_ = on;
        return true;
    }
    bool column_major() const { return column_major_; }

    /// Gives every synapse its own delay in whole steps (row-major [pre][post],
    /// values 0..255). All zero switches delays off again.
    void set_delays(std::span<const std::uint8_t> delay_steps)
    {
        const std::size_t np = n_pre(), nq = n_post();
        detail::require(delay_steps.size() == np * nq, "dense_synapses: {} delays for {} synapses", delay_steps.size(), np * nq);
        delays_.assign(delay_steps);
    }
    bool has_delays() const { return delays_.on(); }
    /// Steps of trace history kept for delayed spikes (0 without delays).
    std::size_t history_steps() const { return delays_.history_steps(); }
    /// The delay of each synapse in steps, [pre][post] (empty without delays).
    std::span<const std::uint8_t> delays() const { return delays_.delays(); }

    /// Delivers the spikes of presynaptic neurons: target[j] += scale * w[i][j].
    template <class V = simd::batch>
    void propagate(std::span<const std::uint32_t> pre_spikes, float* target, float scale = 1.0f) const
    {
        if (column_major_) {
            const std::size_t np = n_pre(), nq = n_post();
            for (std::size_t j = 0; j < nq; ++j) {
                const float* wj = wt_.data() + j * np;
                float t = target[j];
                for (const auto i : pre_spikes) t = t + wj[i] * scale;
                target[j] = t;
            }
            return;
        }
        for (const auto i : pre_spikes) detail::add_row<V>(target, &w_(i, 0), n_post(), scale);
    }

    /// Learning for presynaptic spikes: each spiking row gets on_pre, then the
    /// neuron's presynaptic traces are bumped.
    template <class V = simd::batch>
    void on_pre_spikes(std::span<const std::uint32_t> pre_spikes)
    {
        transmit<V>(pre_spikes, nullptr, 1.0f, true);
    }

    /// Delivers presynaptic spikes (target[j] += scale * w[i][j], with the
    /// weights before this step's learning; target may be null) and, with
    /// learn, runs on_pre for them and bumps their traces.
    template <class V = simd::batch>
    void transmit(std::span<const std::uint32_t> pre_spikes, float* target, float scale, bool learn)
    {
        transmit<V>(pre_spikes, target, scale, learn, post_);
    }

    /// transmit() learning from a population's shared postsynaptic traces.
    template <class V = simd::batch>
    void transmit(std::span<const std::uint32_t> pre_spikes, float* target, float scale, bool learn, post_traces_type& post)
    {
        if (column_major_) {
            transmit_column_major(pre_spikes, target, scale, learn, post);
            return;
        }
        if constexpr (is_static_rule<Rule>) {
            if (target != nullptr) propagate<V>(pre_spikes, target, scale);
        } else if (!learn) {
            if (target != nullptr) propagate<V>(pre_spikes, target, scale);
        } else if (on_pre_needs_post_trace<Rule> && event_driven_) {
            transmit_event_driven<V>(pre_spikes, target, scale, post);
        } else {
            if (target != nullptr) propagate<V>(pre_spikes, target, scale);
            on_pre_dense<V>(pre_spikes, post);
        }
    }

    /// Learning for postsynaptic spikes: each spiking column gets on_post
    /// (gathered into a contiguous scratch column so the rule runs in SIMD),
    /// then the neuron's postsynaptic traces are bumped.
    template <class V = simd::batch>
    void on_post_spikes(std::span<const std::uint32_t> post_spikes)
    {
        on_post_spikes<V>(post_spikes, post_, true);
    }

    /// on_post for spikes of neurons whose traces are `post`; with bump
    /// false the traces are left for their owner to bump once every
    /// projection onto the population has learnt (shared traces).
    template <class V = simd::batch>
    void on_post_spikes(std::span<const std::uint32_t> post_spikes, post_traces_type& post, bool bump)
    {
        check_shared(post);
        if constexpr (!is_static_rule<Rule>) {
            if (column_major_) {
                on_post_rows<V>(post_spikes, post, bump);
                return;
            }
            const std::size_t n = n_pre(), stride = n_post();
            float* col = column_.data();
            const auto pre_rows = rows(pre_);
            const Rule rule = rule_;
            const weight_bounds b = bounds_;
            for (const auto j : post_spikes) {
                const float* wj = w_.data() + j;
                for (std::size_t i = 0; i < n; ++i) col[i] = wj[i * stride];
                const bool any_change = learn_post_row<V>(col, n, pre_rows, post.of(j), rule, b);
                float* wjm = w_.data() + j;
                for (std::size_t i = 0; i < n; ++i) wjm[i * stride] = col[i];
                if (any_change) changed_[j] = 1;
                if (bump) post.bump(j);
            }
        }
    }

    /// One step of the presynaptic side, with or without delays: the spikes
    /// emitted now, and target (the postsynaptic channel) receives every
    /// spike that arrives now, scaled; with learn, on_pre runs for arriving
    /// spikes and the emitting neurons' traces are bumped.
    template <class V = simd::batch>
    void presynaptic_step(std::span<const std::uint32_t> emitted, float* target, float scale, bool learn)
    {
        presynaptic_step<V>(emitted, target, scale, learn, post_);
    }

    /// presynaptic_step() learning from a population's shared postsynaptic traces.
    template <class V = simd::batch>
    void presynaptic_step(std::span<const std::uint32_t> emitted, float* target, float scale, bool learn, post_traces_type& post)
    {
        if (!has_delays()) {
            transmit<V>(emitted, target, scale, learn, post);
            return;
        }
        check_shared(post);
        const std::size_t np = n_pre(), nq = n_post();
        delays_.record(pre_, emitted);
        if (learn)
            for (const auto i : emitted) bump(pre_, rule_.pre_traces(), i);
        delays_.record_bumped(pre_);
        const auto post_rows = rows(post.values());
        delays_.for_each_arrival([&](std::uint32_t i, const float* before, std::span<const std::uint32_t> posts) {
            float* row = w_.data() + i * nq;
            traces<float, n_pre_traces> pre{};
            for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = before[k * np + i];
            for (const std::uint32_t j : posts) {
                target[j] += row[j] * scale;
                if constexpr (!is_static_rule<Rule>) {
                    if (learn) {
                        traces<float, n_post_traces> post{};
                        for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = post_rows[k][j];
                        const float next = detail::clip_weight<float>(row[j] + rule_.template on_pre<float>(row[j], pre, post), bounds_);
                        if (next != row[j]) changed_[j] = 1;
                        row[j] = next;
                    }
                }
            }
        });
        delays_.advance();
    }

    /// Postsynaptic spikes of the step just taken by presynaptic_step.
    template <class V = simd::batch>
    void postsynaptic_step(std::span<const std::uint32_t> post_spikes)
    {
        postsynaptic_step<V>(post_spikes, post_, true);
    }

    /// postsynaptic_step() for neurons whose traces are `post`, bumping
    /// them only with bump (see on_post_spikes).
    template <class V = simd::batch>
    void postsynaptic_step(std::span<const std::uint32_t> post_spikes, post_traces_type& post, bool bump)
    {
        if (!has_delays()) {
            on_post_spikes<V>(post_spikes, post, bump);
            return;
        }
        check_shared(post);
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t np = n_pre(), nq = n_post();
            const std::uint8_t* delay = delays_.delays().data();
            for (const auto j : post_spikes) {
                const traces<float, n_post_traces> post_j = post.of(j);
                for (std::size_t i = 0; i < np; ++i) {
                    traces<float, n_pre_traces> pre{};
                    if (const float* seen = delays_.traces_after(delay[i * nq + j]))
                        for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = seen[k * np + i];
                    float& w = w_.data()[i * nq + j];
                    const float next = detail::clip_weight<float>(w + rule_.template on_post<float>(w, pre, post_j), bounds_);
                    if (next != w) changed_[j] = 1;
                    w = next;
                }
                if (bump) post.bump(j);
            }
        }
    }

    /// True while an emitted spike has yet to reach one of its synapses.
    bool spikes_in_flight() const { return delays_.spikes_in_flight(); }
    /// Advances the delay clock by steps in which nothing was emitted
    /// (requires !spikes_in_flight(); the trace history goes stale, so step
    /// history_steps() steps before relying on it again).
    void skip_steps(std::size_t steps)
    {
        if (!has_delays()) return;
        detail::require(!spikes_in_flight(), "dense_synapses: skip_steps with spikes in flight");
        delays_.skip_steps(steps);
    }
    /// Forgets spikes still travelling and the trace history (a fresh start).
    void clear_in_flight() { delays_.clear(); }

    /// Writes weights, traces, delays and spikes in flight under `prefix`
    /// (the postsynaptic traces only with own_post_traces: shared ones are
    /// saved by the population that owns them).
    void save_to(checkpoint_writer& w, const std::string& prefix, bool own_post_traces = true) const
    {
        detail::require(!column_major_, "dense_synapses: cannot save while the weights are in post-major layout");
        this->save_weights(w, prefix);
        this->save_traces(w, prefix, own_post_traces);
        delays_.save_delays(w, prefix);
        this->save_changed(w, prefix);
        delays_.save_state(w, prefix);
    }

    /// Reads what save_to wrote; shapes must match this object's (see
    /// plastic_store::load_state for what is refused).
    void load_from(const checkpoint_reader& r, const std::string& prefix, bool own_post_traces = true)
    {
        this->load_state(r, prefix, own_post_traces, {}, [] {});
        delays_.load_from(r, prefix);
    }

private:
    /// How many spikes from `first` on, at most row_group, name distinct
    /// neurons: the rows walked together (a repeat must see the first
    /// spike's learning, so it starts the next group).
    static std::size_t distinct_run(std::span<const std::uint32_t> spikes, std::size_t first)
    {
        std::size_t g = 1;
        while (g < row_group && first + g < spikes.size() &&
               std::find(spikes.begin() + first, spikes.begin() + first + g, spikes[first + g]) == spikes.begin() + first + g)
            ++g;
        return g;
    }

    /// on_post in place on one neuron's n incoming weights, contiguous in
    /// `row` (a gathered column, or a row of the post-major copy), with the
    /// presynaptic traces pre_rows; true if any weight changed.
    template <class V, class PreRows>
    static bool learn_post_row(float* row, std::size_t n, const PreRows& pre_rows, const traces<float, n_post_traces>& post_j,
                               const Rule& rule, const weight_bounds& b)
    {
        bool any_change = false;
        simd::for_each<V>(n, [=, &any_change](std::size_t i, auto lane) {
            using L = decltype(lane);
            traces<L, n_pre_traces> pre;
            for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = simd::load<L>(pre_rows[k] + i);
            traces<L, n_post_traces> post;
            for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = L(post_j[k]);
            const L w = simd::load<L>(row + i);
            const L next = detail::clip_weight<L>(w + rule.template on_post<L>(w, pre, post), b);
            any_change = any_change || simd::any(next != w);
            simd::store(row + i, next);
        });
        return any_change;
    }

    /// dst[c][r] = src[r][c] for a rows x cols src, in 16 x 16 tiles.
    static void transpose(const float* src, float* dst, std::size_t rows, std::size_t cols)
    {
        constexpr std::size_t tile = 16;
        for (std::size_t r0 = 0; r0 < rows; r0 += tile)
            for (std::size_t c0 = 0; c0 < cols; c0 += tile)
                for (std::size_t r = r0; r < std::min(rows, r0 + tile); ++r)
                    for (std::size_t c = c0; c < std::min(cols, c0 + tile); ++c) dst[c * rows + r] = src[r * cols + c];
    }

    /// transmit() on the post-major copy: the same operations per synapse,
    /// in the same order, as the row-major paths (event-driven or the dense
    /// reference) perform. Rows are taken in groups of distinct neurons, as
    /// there; within a group each target sums the rows in spike order.
    void transmit_column_major(std::span<const std::uint32_t> pre_spikes, float* target, float scale, bool learn, post_traces_type& post_set)
    {
        const std::size_t np = n_pre(), nq = n_post();
        float* wt = wt_.data();
        const bool plastic = !is_static_rule<Rule> && learn;
        if (!plastic) {
            if (target != nullptr) propagate<float>(pre_spikes, target, scale);
            return;
        }
        if constexpr (!is_static_rule<Rule>) {
            check_shared(post_set);
            const weight_bounds b = bounds_;
            const Rule rule = rule_;
            std::uint8_t* changed = changed_.data();
            if (!(on_pre_needs_post_trace<Rule> && event_driven_)) {
                // The dense reference: transmit every spike, then on_pre at
                // every synapse of each spiking row, bumping as it goes.
                if (target != nullptr) propagate<float>(pre_spikes, target, scale);
                const auto post_rows = rows(post_set.values());
                for (const auto i : pre_spikes) {
                    traces<float, n_pre_traces> pre_i{};
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_(k, i);
                    for (std::size_t j = 0; j < nq; ++j) {
                        traces<float, n_post_traces> post{};
                        for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = post_rows[k][j];
                        float& w = wt[j * np + i];
                        const float next = detail::clip_weight<float>(w + rule.template on_pre<float>(w, pre_i, post), b);
                        if (next != w) changed[j] = 1;
                        w = next;
                    }
                    bump(pre_, rule_.pre_traces(), i);
                }
                return;
            }
            // One pass per group over the targets. What the row-major path
            // leaves at a synapse of a transmitted row is, for an active
            // target, clip(w + on_pre(w)) computed from the weight before
            // the step, and otherwise clip(w) (a row found outside the
            // bounds is clipped, any other is left as it is, which is
            // clip(w) too); a column is flagged where either differs.
            constexpr std::size_t group = row_group;
            const std::span<const std::uint32_t> active = post_set.active();
            const auto post_rows = rows(std::as_const(post_set).values());  // const: the mutable view marks the active list stale
            if (active_weight_.size() != nq) active_weight_.assign(nq, 0.0f);
            float* const is_active = active_weight_.data();
            for (const auto j : active) is_active[j] = 1.0f;
            for (std::size_t first = 0; first < pre_spikes.size();) {
                const std::size_t g = distinct_run(pre_spikes, first);
                const std::uint32_t* ids = pre_spikes.data() + first;
                std::array<traces<float, n_pre_traces>, group> pre_of{};
                for (std::size_t r = 0; r < g; ++r)
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre_of[r][k] = pre_(k, ids[r]);
                std::size_t j = 0;
                if (nq * np < (std::size_t{1} << 31)) j = transmit_column_major_lanes(ids, g, pre_of.data(), post_rows, target, scale);
                for (; j < nq; ++j) {
                    float* wj = wt + j * np;
                    float t = target != nullptr ? target[j] : 0.0f;
                    const bool learns = is_active[j] != 0.0f;
                    traces<float, n_post_traces> post_j{};
                    for (std::size_t k = 0; k < n_post_traces; ++k) post_j[k] = post_rows[k][j];
                    bool flag = false;
                    for (std::size_t r = 0; r < g; ++r) {
                        float& x = wj[ids[r]];
                        const float w = x;
                        t = t + w * scale;
                        const float clipped = detail::clip_weight<float>(w, b);
                        float next = clipped;
                        if (learns) next = detail::clip_weight<float>(w + rule.template on_pre<float>(w, pre_of[r], post_j), b);
                        flag = flag || clipped != w || next != clipped;
                        x = next;
                    }
                    if (target != nullptr) target[j] = t;
                    if (flag) changed[j] = 1;
                }
                for (std::size_t r = 0; r < g; ++r) bump(pre_, rule_.pre_traces(), ids[r]);
                first += g;
            }
            for (const auto j : active) is_active[j] = 0.0f;
        }
    }

    /// The event-driven post-major pass over whole batches of targets: the
    /// same operations per synapse as the scalar loop in
    /// transmit_column_major (each lane is one target j; its g synapses are
    /// gathered from and scattered back to the strided [post][pre] copy).
    /// Returns the first target left for the scalar loop.
    template <class PostRows>
    std::size_t transmit_column_major_lanes(const std::uint32_t* ids, std::size_t g, const traces<float, n_pre_traces>* pre_of,
                                            const PostRows& post_rows, float* target, float scale)
    {
        using V = simd::batch;
        using I = simd::int_batch;
        constexpr std::size_t width = simd::width;
        const std::size_t np = n_pre(), nq = n_post();
        float* wt = wt_.data();
        const Rule rule = rule_;
        const weight_bounds b = bounds_;
        alignas(64) std::int32_t lane_index[width];
        for (std::size_t l = 0; l < width; ++l) lane_index[l] = static_cast<std::int32_t>(l * np);
        const I lane_offsets = I::load_aligned(lane_index);
        std::size_t j = 0;
        for (; j + width <= nq; j += width) {
            const I base = lane_offsets + I(static_cast<std::int32_t>(j * np));
            V t = target != nullptr ? simd::load<V>(target + j) : V(0.0f);
            const auto learns = simd::load<V>(active_weight_.data() + j) != V(0.0f);
            traces<V, n_post_traces> post_j;
            for (std::size_t k = 0; k < n_post_traces; ++k) post_j[k] = simd::load<V>(post_rows[k] + j);
            auto flag = V(0.0f) != V(0.0f);
            for (std::size_t r = 0; r < g; ++r) {
                const I at = base + I(static_cast<std::int32_t>(ids[r]));
                const V w = simd::gather(wt, at);
                t = t + w * V(scale);
                const V clipped = detail::clip_weight<V>(w, b);
                traces<V, n_pre_traces> pre;
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = V(pre_of[r][k]);
                const V learnt = detail::clip_weight<V>(w + rule.template on_pre<V>(w, pre, post_j), b);
                const V next = simd::select(learns, learnt, clipped);
                flag = flag || (clipped != w) || (next != clipped);
                simd::scatter(wt, at, next);
            }
            if (target != nullptr) simd::store(target + j, t);
            mark_changed(changed_.data(), j, flag);
        }
        return j;
    }

    /// on_post on the post-major copy: each spiking neuron's incoming
    /// weights are one contiguous row.
    template <class V>
    void on_post_rows(std::span<const std::uint32_t> post_spikes, post_traces_type& post, bool bump)
    {
        const std::size_t n = n_pre();
        const auto pre_rows = rows(pre_);
        const Rule rule = rule_;
        const weight_bounds b = bounds_;
        for (const auto j : post_spikes) {
            if (learn_post_row<V>(wt_.data() + j * n, n, pre_rows, post.of(j), rule, b)) changed_[j] = 1;
            if (bump) post.bump(j);
        }
    }

    /// The reference: on_pre at every synapse of each spiking row.
    template <class V>
    void on_pre_dense(std::span<const std::uint32_t> pre_spikes, post_traces_type& post_set)
    {
        check_shared(post_set);
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t n = n_post();
            const auto post_rows = rows(post_set.values());
            const Rule rule = rule_;
            const weight_bounds b = bounds_;
            std::uint8_t* changed = changed_.data();
            for (const auto i : pre_spikes) {
                float* row = w_.data() + i * n;
                traces<float, n_pre_traces> pre_i{};
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_(k, i);
                simd::for_each<V>(n, [=](std::size_t j, auto lane) {
                    using L = decltype(lane);
                    traces<L, n_pre_traces> pre;
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = L(pre_i[k]);
                    traces<L, n_post_traces> post;
                    for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = simd::load<L>(post_rows[k] + j);
                    const L w = simd::load<L>(row + j);
                    const L next = detail::clip_weight<L>(w + rule.template on_pre<L>(w, pre, post), b);
                    simd::store(row + j, next);
                    mark_changed(changed, j, next != w);
                });
                bump(pre_, rule_.pre_traces(), i);
            }
        }
    }

    /// One pass over the spiking rows, up to four at a time: transmit with
    /// the weights before the spike and clip (what on_pre does where the post
    /// traces are zero); on_pre proper only at the active postsynaptic
    /// neurons, from the same weights. Rows are added to the target in spike
    /// order, as one row at a time would, so the bits do not change. A row
    /// inside its bounds (every row, but after a normalisation or a hand
    /// edit) is learnt in place after the transmit; only a row found outside
    /// them keeps its weights from before the clip for on_pre.
    template <class V>
    void transmit_event_driven(std::span<const std::uint32_t> pre_spikes, float* target, float scale, post_traces_type& post_set)
    {
        check_shared(post_set);
        constexpr std::size_t group = row_group;
        const std::span<const std::uint32_t> active = post_set.active();
        const std::size_t n = n_post(), m = active.size();
        const Rule rule = rule_;
        const weight_bounds b = bounds_;
        std::uint8_t* changed = changed_.data();
        if (active_new_.size() < m) active_new_.resize(m);
        // The active neurons' traces, gathered once for every row of the step.
        if (active_post_.size() < m) active_post_.resize(m);
        for (std::size_t a = 0; a < m; ++a) active_post_[a] = post_set.of(active[a]);
        const traces<float, n_post_traces>* post_of = active_post_.data();
        for (std::size_t first = 0; first < pre_spikes.size();) {
            const std::size_t g = distinct_run(pre_spikes, first);
            std::array<float*, group> rows{};
            for (std::size_t r = 0; r < g; ++r) rows[r] = w_.data() + pre_spikes[first + r] * n;
            std::array<bool, group> outside{};
            switch (g) {
            case 1: transmit_rows<V, 1>(rows, n, target, scale, b, outside); break;
            case 2: transmit_rows<V, 2>(rows, n, target, scale, b, outside); break;
            case 3: transmit_rows<V, 3>(rows, n, target, scale, b, outside); break;
            default: transmit_rows<V, 4>(rows, n, target, scale, b, outside); break;
            }
            for (std::size_t r = 0; r < g; ++r) {
                const std::uint32_t i = pre_spikes[first + r];
                float* row = rows[r];
                traces<float, n_pre_traces> pre_i{};
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_(k, i);
                // Weight w of the synapse onto active neuron a after on_pre
                // (captures by value: the loops' stores cannot touch them).
                const auto learnt = [=](float w, std::size_t a) {
                    return detail::clip_weight<float>(w + rule.template on_pre<float>(w, pre_i, post_of[a]), b);
                };
                if (!outside[r]) {
                    // Clipping leaves this row as it is: learn in place.
                    for (std::size_t a = 0; a < m; ++a) {
                        const std::uint32_t j = active[a];
                        const float w = row[j], next = learnt(w, a);
                        // Without a branch: whether a weight moved is data,
                        // not a pattern a predictor learns.
                        changed[j] |= static_cast<std::uint8_t>(next != w);
                        row[j] = next;
                    }
                } else {
                    // on_pre from the weights before the clip, then the clip,
                    // then the learnt weights over the clipped ones.
                    float* next = active_new_.data();
                    for (std::size_t a = 0; a < m; ++a) next[a] = learnt(row[active[a]], a);
                    clip_row(row, n, b, changed);
                    for (std::size_t a = 0; a < m; ++a) {
                        const std::uint32_t j = active[a];
                        changed[j] |= static_cast<std::uint8_t>(next[a] != row[j]);
                        row[j] = next[a];
                    }
                }
                bump(pre_, rule_.pre_traces(), i);
            }
            first += g;
        }
    }

    /// target[j] += scale * rows[r][j] for r = 0 .. K-1 in order (target may
    /// be null); outside[r]: some weight of row r lies outside the bounds
    /// (the add pass only tracks each row's extremes; the caller clips the
    /// rare row found out of bounds, moved there by a normalisation or a
    /// hand edit).
    template <class V, std::size_t K>
    static void transmit_rows(const std::array<float*, row_group>& rows, std::size_t n, float* target, float scale, weight_bounds b,
                              std::array<bool, row_group>& outside)
    {
        std::array<float*, K> row{};
        for (std::size_t r = 0; r < K; ++r) row[r] = rows[r];
        std::array<float, K> lo{}, hi{};
        lo.fill(b.w_min);
        hi.fill(b.w_max);
        std::size_t j = 0;
        if constexpr (simd::is_batch<V>) {
            std::array<V, K> vlo, vhi;
            vlo.fill(V(b.w_min));
            vhi.fill(V(b.w_max));
            if (target != nullptr) {
                for (; j + simd::width <= n; j += simd::width) {
                    V t = simd::load<V>(target + j);
                    for (std::size_t r = 0; r < K; ++r) {
                        const V w = simd::load<V>(row[r] + j);
                        t = t + w * V(scale);
                        vlo[r] = simd::min(vlo[r], w);
                        vhi[r] = simd::max(vhi[r], w);
                    }
                    simd::store(target + j, t);
                }
            } else {
                for (; j + simd::width <= n; j += simd::width)
                    for (std::size_t r = 0; r < K; ++r) {
                        const V w = simd::load<V>(row[r] + j);
                        vlo[r] = simd::min(vlo[r], w);
                        vhi[r] = simd::max(vhi[r], w);
                    }
            }
            // The last n % width columns as one batch with masked loads and
            // stores (idle lanes read as w_min, inside the bounds).
            if (j < n) {
                const std::size_t rem = n - j;
                const auto idle = simd::lanes_from(rem);
                V t = target != nullptr ? simd::load_first(target + j, rem) : V(0.0f);
                for (std::size_t r = 0; r < K; ++r) {
                    const V w = simd::select(idle, V(b.w_min), simd::load_first(row[r] + j, rem));
                    t = t + w * V(scale);
                    vlo[r] = simd::min(vlo[r], w);
                    vhi[r] = simd::max(vhi[r], w);
                }
                if (target != nullptr) simd::store_first(target + j, t, rem);
                j = n;
            }
            for (std::size_t r = 0; r < K; ++r)
                outside[r] = simd::any(vlo[r] < V(b.w_min)) || simd::any(vhi[r] > V(b.w_max));
        }
        for (; j < n; ++j) {
            float t = target != nullptr ? target[j] : 0.0f;
            for (std::size_t r = 0; r < K; ++r) {
                const float w = row[r][j];
                t = t + w * scale;
                lo[r] = std::min(lo[r], w);
                hi[r] = std::max(hi[r], w);
            }
            if (target != nullptr) target[j] = t;
        }
        for (std::size_t r = 0; r < K; ++r) outside[r] = outside[r] || lo[r] < b.w_min || hi[r] > b.w_max;
    }

    /// Clips a row's n weights to the bounds, flagging the columns it moves.
    static void clip_row(float* x, std::size_t n, weight_bounds b, std::uint8_t* changed)
    {
        for (std::size_t i = 0; i < n; ++i) {
            const float c = detail::clip_weight<float>(x[i], b);
            if (c != x[i]) {
                x[i] = c;
                changed[i] = 1;
            }
        }
    }

    /// Flags the columns j .. j + lanes of L whose mask lane is set.
    static void mark_changed(std::uint8_t* changed, std::size_t j, bool m)
    {
        if (m) changed[j] = 1;
    }
    static void mark_changed(std::uint8_t* changed, std::size_t j, const simd::batch_mask& m)
    {
        if (!simd::any(m)) return;
        alignas(64) bool lane[simd::width];
        m.store_aligned(lane);
        // Eight flags per word (bytes 0 or 1 on both sides): one load, OR and
        // store instead of a read-modify-write per byte.
        std::size_t l = 0;
        for (; l + 8 <= simd::width; l += 8) {
            std::uint64_t have, add;
            std::memcpy(&have, changed + j + l, sizeof have);
            std::memcpy(&add, lane + l, sizeof add);
            have |= add;
            std::memcpy(changed + j + l, &have, sizeof have);
        }
        for (; l < simd::width; ++l) changed[j + l] |= static_cast<std::uint8_t>(lane[l]);
    }

    vector_f column_;            ///< scratch for on_post
    matrix_f wt_ = make_matrix(0, 0);  ///< the [post][pre] copy while column_major_
    bool column_major_ = false;
    std::vector<float> active_weight_;     ///< scratch: 1 for the active targets during a post-major transmit, else 0
    detail::delay_ring delays_;  ///< per-synapse delays and what they need (off by default)
    bool event_driven_ = true;
    std::vector<float> active_new_;           ///< scratch: new weights of a row's active synapses
    std::vector<traces<float, n_post_traces>> active_post_;  ///< scratch: the active neurons' traces
};

} // namespace somnus