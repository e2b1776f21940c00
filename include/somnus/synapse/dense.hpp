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
#include <span>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../io/checkpoint.hpp"
#include "delay_ring.hpp"
#include "rows.hpp"
#include "traces.hpp"

namespace somnus {

struct weight_bounds {
    float w_min = 0.0f;
    float w_max = 1.0f;
};

template <plasticity_rule Rule>
class dense_synapses {
public:
    static constexpr std::size_t n_pre_traces = detail::pre_trace_count<Rule>::value;
    static constexpr std::size_t n_post_traces = detail::post_trace_count<Rule>::value;
    /// Spiking rows the event-driven path walks together.
    static constexpr std::size_t row_group = 4;
    /// The postsynaptic traces this projection learns from: its own by
    /// default; a population's shared ones when the *_shared overloads are
    /// given them (network/population.hpp).
    using post_traces_type = trace_set<n_post_traces>;

    dense_synapses(std::size_t n_pre, std::size_t n_post, Rule rule = {}, float dt_ms = 0.5f, weight_bounds bounds = {})
        : rule_(rule), bounds_(bounds), dt_(dt_ms), w_(make_matrix(n_pre, n_post)),
          pre_(make_matrix(n_pre_traces, n_pre)), post_(n_post, rule.post_traces(), dt_ms), column_(make_vector(n_pre)),
          delays_(n_pre, n_post, n_pre_traces)
    {
        detail::require(dt_ms > 0.0f, "dense_synapses: dt_ms must be positive, got {}", dt_ms);
        detail::require(bounds.w_min <= bounds.w_max, "dense_synapses: w_min ({}) > w_max ({})", bounds.w_min, bounds.w_max);
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_decay_[k] = decay_factor(pre_spec[k].tau_ms);
        set_trace_floor(1.0e-6f);
        active_new_.resize(row_group * n_post);  // a group of rows' active synapses: no allocation while stepping
        changed_.assign(n_post, 1);
    }

    /// Traces below floor * (bump amount) are set to zero when they decay.
    void set_trace_floor(float floor)
    {
        detail::require(floor >= 0.0f && floor < 1.0f, "dense_synapses: trace floor must be in [0, 1), got {}", floor);
        floor_ = floor;
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_floor_[k] = floor * std::abs(pre_spec[k].amount);
        post_.set_floor(floor);
    }
    float trace_floor() const { return floor_; }

    /// Event-driven presynaptic learning (the default) or the dense
    /// reference, in which on_pre runs at every synapse of a spiking row.
    /// Both give the same weights bit for bit.
    void set_event_driven(bool on) { event_driven_ = on; }
    bool event_driven() const { return event_driven_; }

    /// Postsynaptic neurons with a non-zero trace (in no particular order).
    std::span<const std::uint32_t> active_post() { return post_.active(); }

    std::size_t n_pre() const { return w_.shape()[0]; }
    std::size_t n_post() const { return w_.shape()[1]; }
    /// Mutable weights: every column counts as changed (see changed_columns).
    matrix_f& weights()
    {
        mark_all_changed();
        return w_;
    }
    const matrix_f& weights() const { return w_; }
    /// Mutable weights for code that flags the columns it changes itself.
    matrix_f& weights_untracked() { return w_; }

    /// Per postsynaptic neuron: 1 if a weight onto it has changed value since
    /// the flag was last cleared (by whoever consumes it, e.g. a normalisation
    /// that only needs to revisit changed columns). Learning sets the flags.
    std::span<std::uint8_t> changed_columns() { return changed_; }

    /// Multiplies every transmitted weight (1 awake; sleep mechanisms may
    /// scale it for a phase); the topology passes it to presynaptic_step.
    float gain = 1.0f;

    /// The projection as sleep mechanisms and homeostasis see it (its name
    /// and sign come from the topology's part entry).
    projection_view view()
    {
        projection_view v{"", synapse_sign::excitatory, &gain, &w_, changed_, bounds_.w_min, bounds_.w_max};
        return v;
    }
    std::span<const std::uint8_t> changed_columns() const { return changed_; }
    void mark_all_changed() { std::fill(changed_.begin(), changed_.end(), std::uint8_t{1}); }
    const Rule& rule() const { return rule_; }
    const weight_bounds& bounds() const { return bounds_; }
    /// Trace k of the presynaptic (resp. postsynaptic) neurons, one value per neuron.
    auto pre_trace(std::size_t k) { return xt::view(pre_, k, xt::all()); }
    auto post_trace(std::size_t k) { return xt::view(post_.values(), k, xt::all()); }
    const matrix_f& pre_traces() const { return pre_; }
    const matrix_f& post_traces() const { return post_.values(); }
    /// Mutable traces: the active list is rebuilt from them before it is next
    /// used by decay_traces(), or at once by traces_changed().
    matrix_f& pre_traces() { return pre_; }
    matrix_f& post_traces() { return post_.values(); }
    void traces_changed() { post_.rebuild(); }
    /// This projection's own postsynaptic traces (unused when shared ones are given).
    post_traces_type& own_post_traces() { return post_; }

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
            const std::size_t n = n_pre(), stride = n_post();
            float* col = column_.data();
            const auto pre_rows = rows(pre_);
            const Rule rule = rule_;
            const weight_bounds b = bounds_;
            for (const auto j : post_spikes) {
                const float* wj = w_.data() + j;
                for (std::size_t i = 0; i < n; ++i) col[i] = wj[i * stride];
                const traces<float, n_post_traces> post_j = post.of(j);
                simd::for_each<V>(n, [=](std::size_t i, auto lane) {
                    using L = decltype(lane);
                    traces<L, n_pre_traces> pre;
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = simd::load<L>(pre_rows[k] + i);
                    traces<L, n_post_traces> post;
                    for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = L(post_j[k]);
                    const L w = simd::load<L>(col + i);
                    simd::store(col + i, clip<L>(w + rule.template on_post<L>(w, pre, post), b));
                });
                float* wjm = w_.data() + j;
                bool any_change = false;
                for (std::size_t i = 0; i < n; ++i) {
                    any_change = any_change || wjm[i * stride] != col[i];
                    wjm[i * stride] = col[i];
                }
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
                        const float next = clip<float>(row[j] + rule_.template on_pre<float>(row[j], pre, post), bounds_);
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
                    const float next = clip<float>(w + rule_.template on_post<float>(w, pre, post_j), bounds_);
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
        w.add(prefix + "weights", w_);
        w.add(prefix + "pre_traces", pre_);
        if (own_post_traces) w.add(prefix + "post_traces", post_.values());
        delays_.save_delays(w, prefix);
        w.add_u64(prefix + "changed_columns", std::vector<std::uint64_t>(changed_.begin(), changed_.end()));
        delays_.save_state(w, prefix);
    }

    /// Reads what save_to wrote; shapes must match this object's.
    void load_from(const checkpoint_reader& r, const std::string& prefix, bool own_post_traces = true)
    {
        r.read(prefix + "weights", w_);
        r.read(prefix + "pre_traces", pre_);
        if (own_post_traces) r.read(prefix + "post_traces", post_.values());
        // A valid checksum says the file is what was written, not that what
        // was written is a state this object can run from.
        for (std::size_t k = 0; k < w_.size(); ++k) {
            const float w = w_.data()[k];
            if (!(w >= bounds_.w_min && w <= bounds_.w_max))
                r.fail(fmt::format("'{}weights' holds {} at [{}][{}], outside the bounds [{}, {}]", prefix, w, k / n_post(),
                                   k % n_post(), bounds_.w_min, bounds_.w_max));
        }
        detail::require_traces(r, prefix + "pre_traces", pre_);
        if (own_post_traces) detail::require_traces(r, prefix + "post_traces", post_.values());
        post_.rebuild();
        if (r.has(prefix + "changed_columns")) {
            const auto flags = r.read_u64(prefix + "changed_columns");
            if (flags.size() != changed_.size())
                r.fail(fmt::format("'{}changed_columns' has {} entries for {} neurons", prefix, flags.size(), changed_.size()));
            for (std::size_t j = 0; j < flags.size(); ++j) changed_[j] = flags[j] != 0;
        } else {
            mark_all_changed();
        }
        delays_.load_from(r, prefix);
    }

    /// Decays every trace by one step (zero below the floor).
    template <class V = simd::batch>
    void decay_traces()
    {
        decay_pre<V>(pre_decay_);
        post_.decay();
    }

    /// Decays the presynaptic traces by one step (shared postsynaptic
    /// traces are decayed by their population).
    template <class V = simd::batch>
    void decay_pre_traces()
    {
        decay_pre<V>(pre_decay_);
    }

    /// Decays every trace over ms of simulated time, in closed form.
    void decay_traces(double ms)
    {
        decay_pre_traces(ms);
        post_.decay(ms);
    }

    /// The presynaptic traces' decay over ms, in closed form.
    void decay_pre_traces(double ms)
    {
        const auto pre_spec = rule_.pre_traces();
        std::array<float, n_pre_traces> pre_k{};
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_k[k] = static_cast<float>(std::exp(-ms / pre_spec[k].tau_ms));
        decay_pre<simd::batch>(pre_k);
    }

    void reset_traces()
    {
        pre_.fill(0.0f);
        post_.reset();
    }

private:
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
                    const L next = clip<L>(w + rule.template on_pre<L>(w, pre, post), b);
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
    /// order, as one row at a time would, so the bits do not change.
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
        if (active_new_.size() < group * m) active_new_.resize(group * m);
        for (std::size_t first = 0; first < pre_spikes.size();) {
            // A group holds distinct neurons (a repeat must see the first spike's learning).
            std::size_t g = 1;
            while (g < group && first + g < pre_spikes.size() &&
                   std::find(pre_spikes.begin() + first, pre_spikes.begin() + first + g, pre_spikes[first + g]) ==
                       pre_spikes.begin() + first + g)
                ++g;
            std::array<float*, group> rows{};
            for (std::size_t r = 0; r < g; ++r) {
                const std::uint32_t i = pre_spikes[first + r];
                float* row = w_.data() + i * n;
                rows[r] = row;
                traces<float, n_pre_traces> pre_i{};
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_(k, i);
                float* next = active_new_.data() + r * m;
                for (std::size_t a = 0; a < m; ++a) {
                    const std::uint32_t j = active[a];
                    const traces<float, n_post_traces> post = post_set.of(j);
                    next[a] = clip<float>(row[j] + rule.template on_pre<float>(row[j], pre_i, post), b);
                }
            }
            switch (g) {
            case 1: transmit_rows<V, 1>(rows, n, target, scale, b, changed); break;
            case 2: transmit_rows<V, 2>(rows, n, target, scale, b, changed); break;
            case 3: transmit_rows<V, 3>(rows, n, target, scale, b, changed); break;
            default: transmit_rows<V, 4>(rows, n, target, scale, b, changed); break;
            }
            for (std::size_t r = 0; r < g; ++r) {
                const float* next = active_new_.data() + r * m;
                for (std::size_t a = 0; a < m; ++a) {
                    const std::uint32_t j = active[a];
                    if (next[a] != rows[r][j]) changed[j] = 1;
                    rows[r][j] = next[a];
                }
                bump(pre_, rule_.pre_traces(), pre_spikes[first + r]);
            }
            first += g;
        }
    }

    /// target[j] += scale * rows[r][j] for r = 0 .. K-1 in order (target may
    /// be null), then clips each row's weights to the bounds. The add pass
    /// only tracks each row's extremes; the rare row found out of bounds (a
    /// normalisation or a hand edit moved it) gets a second, clipping pass.
    template <class V, std::size_t K>
    static void transmit_rows(const std::array<float*, row_group>& rows, std::size_t n, float* target, float scale, weight_bounds b,
                              std::uint8_t* changed)
    {
        std::array<float*, K> row{};
        for (std::size_t r = 0; r < K; ++r) row[r] = rows[r];
        std::array<bool, K> outside{};  // some weight of row r lies outside the bounds
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
        for (std::size_t r = 0; r < K; ++r) {
            if (!outside[r] && lo[r] >= b.w_min && hi[r] <= b.w_max) continue;
            float* x = row[r];
            for (std::size_t i = 0; i < n; ++i) {
                const float c = clip<float>(x[i], b);
                if (c != x[i]) {
                    x[i] = c;
                    changed[i] = 1;
                }
            }
        }
    }

    /// Multiplies presynaptic trace k by factor k and zeroes what falls
    /// below its floor.
    template <class V>
    void decay_pre(const std::array<float, n_pre_traces>& pre_k)
    {
        for (std::size_t k = 0; k < n_pre_traces; ++k) {
            float* x = &pre_(k, 0);
            const float f = pre_k[k], lo = pre_floor_[k];
            simd::for_each<V>(n_pre(), [=](std::size_t i, auto lane) {
                using L = decltype(lane);
                const L y = simd::load<L>(x + i) * L(f);
                simd::store(x + i, simd::select(simd::abs(y) < L(lo), L(0.0f), y));
            });
        }
    }

    /// Shared traces must be the ones this rule asks for.
    void check_shared(const post_traces_type& post) const
    {
        if (&post == &post_) return;
        detail::require(post.size() == n_post() && post.same_spec(rule_.post_traces()),
                        "dense_synapses: shared postsynaptic traces of {} neurons do not match this projection's rule ({} neurons)",
                        post.size(), n_post());
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
        for (std::size_t l = 0; l < simd::width; ++l) changed[j + l] |= static_cast<std::uint8_t>(lane[l]);
    }

    float decay_factor(float tau_ms) const
    {
        detail::require(tau_ms > 0.0f, "dense_synapses: trace time constant must be positive, got {}", tau_ms);
        return static_cast<float>(std::exp(-double(dt_) / double(tau_ms)));
    }

    /// Start of each trace's row in a [trace][neuron] matrix.
    static auto rows(const matrix_f& tr)
    {
        constexpr std::size_t K = std::max(n_pre_traces, n_post_traces);
        std::array<const float*, K> r{};
        for (std::size_t k = 0; k < tr.shape()[0]; ++k) r[k] = tr.data() + k * tr.shape()[1];
        return r;
    }

    template <class L>
    static L clip(const L& w, const weight_bounds& b) { return simd::clamp(w, L(b.w_min), L(b.w_max)); }

    template <std::size_t K>
    static void bump(matrix_f& tr, const std::array<trace_spec, K>& spec, std::size_t neuron)
    {
        for (std::size_t k = 0; k < K; ++k) {
            float& x = tr(k, neuron);
            x = spec[k].bump == trace_bump::add ? x + spec[k].amount : spec[k].amount;
        }
    }

    Rule rule_;
    weight_bounds bounds_;
    float dt_;
    matrix_f w_;
    matrix_f pre_;          ///< [trace][neuron]
    post_traces_type post_; ///< own postsynaptic traces
    vector_f column_;       ///< scratch for on_post
    detail::delay_ring delays_;  ///< per-synapse delays and what they need (off by default)
    std::array<float, n_pre_traces> pre_decay_{};
    float floor_ = 0.0f;
    std::array<float, n_pre_traces> pre_floor_{};
    bool event_driven_ = true;
    std::vector<std::uint8_t> changed_;       ///< see changed_columns()
    std::vector<float> active_new_;           ///< scratch: new weights of a row's active synapses
};

} // namespace somnus