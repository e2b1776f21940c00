// SPDX-License-Identifier: MIT
// Plastic synapses with fixed random connectivity: each pair (i, j) of n_pre
// x n_post neurons is a synapse with probability p, drawn once (for a
// recurrent excitatory projection, as in Massey et al. 2026). Weights stay a
// dense row-major [pre][post] matrix, exactly 0 where no synapse exists, so
// sleep mechanisms and homeostasis see the same matrix as for dense_synapses;
// propagation and learning walk only the synapses that exist, through index
// lists per presynaptic neuron (its targets) and per postsynaptic neuron
// (its sources). Stepping follows dense_synapses without delays: same names,
// same order of transmission, learning, clipping and trace bumps, same float
// arithmetic, so at p = 1 both give the same bits.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../io/checkpoint.hpp"
#include "../plasticity/diehl_cook_triplet.hpp"
#include "../plasticity/pair_stdp.hpp"
#include "dense.hpp"
#include "traces.hpp"

namespace somnus {

/// Which synapses exist: each pair independently with `probability`. The
/// draws come from random_stream(seed, stream_purpose::init_weights,
/// sparse_connectivity::stream_key), one uniform() per pair in row-major
/// order (i, then j), the pair existing iff the draw is < probability. The
/// diagonal's draws are made (and discarded) without self connections too,
/// so switching them off removes the diagonal and changes nothing else.
struct sparse_connectivity {
    float probability = 0.1f;
    bool self_connections = false;  ///< (i, i) may exist; false needs n_pre == n_post
    std::uint64_t seed = 0;

    /// Connectivity is drawn when a network is built, as its initial
    /// weights are; this key keeps its stream apart from the weights' ones
    /// (which use the purpose with no key or with small keys).
    static constexpr std::uint64_t stream_key = 0x73706172'73650001ULL;
};

template <plasticity_rule Rule>
class sparse_synapses {
public:
    static constexpr std::size_t n_pre_traces = detail::pre_trace_count<Rule>::value;
    static constexpr std::size_t n_post_traces = detail::post_trace_count<Rule>::value;
    /// Its own postsynaptic traces, or a population's shared ones given to
    /// the overloads that take them (as for dense_synapses).
    using post_traces_type = trace_set<n_post_traces>;

    sparse_synapses(std::size_t n_pre, std::size_t n_post, Rule rule, float dt_ms, weight_bounds bounds, sparse_connectivity c)
        : rule_(rule), bounds_(bounds), dt_(dt_ms), conn_(checked(n_pre, n_post, dt_ms, bounds, c)), w_(make_matrix(n_pre, n_post)),
          pre_(make_matrix(n_pre_traces, n_pre)), post_(n_post, rule.post_traces(), dt_ms)
    {
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) {
            detail::require(pre_spec[k].tau_ms > 0.0f, "sparse_synapses: trace time constant must be positive, got {}",
                            pre_spec[k].tau_ms);
            pre_decay_[k] = static_cast<float>(std::exp(-double(dt_ms) / double(pre_spec[k].tau_ms)));
        }
        set_trace_floor(1.0e-6f);
        draw_connectivity();
        changed_.assign(n_post, 1);
    }

    /// Traces below floor * (bump amount) are set to zero when they decay.
    void set_trace_floor(float floor)
    {
        detail::require(floor >= 0.0f && floor < 1.0f, "sparse_synapses: trace floor must be in [0, 1), got {}", floor);
        floor_ = floor;
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_floor_[k] = floor * std::abs(pre_spec[k].amount);
        post_.set_floor(floor);
    }
    float trace_floor() const { return floor_; }

    std::size_t n_pre() const { return w_.shape()[0]; }
    std::size_t n_post() const { return w_.shape()[1]; }
    float dt_ms() const { return dt_; }
    const sparse_connectivity& connectivity() const { return conn_; }
    /// Synapses that exist.
    std::size_t n_synapses() const { return targets_.size(); }
    /// 1 where synapse (i, j) exists, row-major [pre][post].
    std::span<const std::uint8_t> connected() const { return mask_; }
    /// Postsynaptic neurons presynaptic neuron i projects to, increasing.
    std::span<const std::uint32_t> targets(std::size_t i) const
    {
        return {targets_.data() + target_start_[i], target_start_[i + 1] - target_start_[i]};
    }
    /// Presynaptic neurons projecting to postsynaptic neuron j, increasing.
    std::span<const std::uint32_t> sources(std::size_t j) const
    {
        return {sources_.data() + source_start_[j], source_start_[j + 1] - source_start_[j]};
    }

    /// Mutable weights: every column counts as changed. Whoever writes
    /// through them keeps the zeros where no synapse exists (a scaling does;
    /// after anything else, clear_unconnected()).
    matrix_f& weights()
    {
        mark_all_changed();
        return w_;
    }
    const matrix_f& weights() const { return w_; }
    /// Mutable weights for code that flags the columns it changes itself.
    matrix_f& weights_untracked() { return w_; }
    /// Sets every weight where no synapse exists back to 0.
    void clear_unconnected()
    {
        float* w = w_.data();
        for (std::size_t k = 0; k < mask_.size(); ++k)
            if (mask_[k] == 0) w[k] = 0.0f;
    }

    /// Every existing synapse's weight uniform in [lo, hi], drawn from rng in
    /// row-major order (i, then its targets in increasing j); the others stay 0.
    void initialise_uniform(float lo, float hi, random_stream& rng)
    {
        detail::require(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
                        "sparse_synapses: initial weights need finite lo <= hi, got [{}, {}]", lo, hi);
        detail::require(lo >= bounds_.w_min && hi <= bounds_.w_max,
                        "sparse_synapses: initial weights [{}, {}] outside the bounds [{}, {}]", lo, hi, bounds_.w_min,
                        bounds_.w_max);
        const std::size_t nq = n_post();
        for (std::size_t i = 0; i < n_pre(); ++i)
            for (const std::uint32_t j : targets(i)) w_.data()[i * nq + j] = rng.uniform(lo, hi);
        mark_all_changed();
    }

    /// Per postsynaptic neuron: 1 if a weight onto it has changed value since
    /// the flag was last cleared (see dense_synapses::changed_columns).
    std::span<std::uint8_t> changed_columns() { return changed_; }

    /// Multiplies every transmitted weight (1 awake; sleep mechanisms may
    /// scale it for a phase); the topology passes it to presynaptic_step.
    float gain = 1.0f;

    /// The projection as sleep mechanisms and homeostasis see it (its name
    /// and sign come from the topology's part entry).
    projection_view view()
    {
        projection_view v{"", synapse_sign::excitatory, &gain, &w_, changed_, bounds_.w_min, bounds_.w_max};
        v.connected = mask_;
        return v;
    }
    std::span<const std::uint8_t> changed_columns() const { return changed_; }
    void mark_all_changed() { std::fill(changed_.begin(), changed_.end(), std::uint8_t{1}); }
    const Rule& rule() const { return rule_; }
    const weight_bounds& bounds() const { return bounds_; }

    /// Trace k of the presynaptic (resp. postsynaptic) neurons, one value per neuron.
    auto pre_trace(std::size_t k) { return xt::view(pre_, k, xt::all()); }
    auto post_trace(std::size_t k) { return xt::view(post_.values(), k, xt::all()); }
    /// [trace][neuron]; the postsynaptic ones are this projection's own.
    const matrix_f& pre_traces() const { return pre_; }
    const matrix_f& post_traces() const { return post_.values(); }
    matrix_f& pre_traces() { return pre_; }
    matrix_f& post_traces() { return post_.values(); }
    void traces_changed() { post_.rebuild(); }
    /// This projection's own postsynaptic traces (unused when shared ones are given).
    post_traces_type& own_post_traces() { return post_; }
    /// Postsynaptic neurons with a non-zero own trace (in no particular order).
    std::span<const std::uint32_t> active_post() { return post_.active(); }

    // The walks below are scalar gathers over index lists; V is accepted so
    // that code written for dense_synapses compiles unchanged.

    /// Delivers the spikes of presynaptic neurons: target[j] += scale * w[i][j]
    /// over existing synapses.
    template <class V = simd::batch>
    void propagate(std::span<const std::uint32_t> pre_spikes, float* target, float scale = 1.0f) const
    {
        const std::size_t nq = n_post();
        for (const auto i : pre_spikes) {
            const float* row = w_.data() + std::size_t{i} * nq;
            for (const std::uint32_t j : targets(i)) target[j] += row[j] * scale;
        }
    }

    /// For each spike i in order: at every existing synapse (i, j), target[j]
    /// += w * scale with the weight before learning (target may be null),
    /// then with learn on_pre (i's presynaptic traces, j's postsynaptic
    /// ones), clipped; then i's presynaptic traces are bumped.
    template <class V = simd::batch>
    void presynaptic_step(std::span<const std::uint32_t> emitted, float* target, float scale, bool learn)
    {
        presynaptic_step<V>(emitted, target, scale, learn, post_);
    }

    /// presynaptic_step() learning from a population's shared postsynaptic traces.
    template <class V = simd::batch>
    void presynaptic_step(std::span<const std::uint32_t> emitted, float* target, float scale, bool learn, post_traces_type& post)
    {
        check_shared(post);
        if (is_static_rule<Rule> || !learn) {
            if (target != nullptr) propagate<V>(emitted, target, scale);
            return;
        }
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t np = n_pre(), nq = n_post();
            const matrix_f& post_x = post.values();
            const auto pre_spec = rule_.pre_traces();
            for (const auto i : emitted) {
                float* row = w_.data() + std::size_t{i} * nq;
                traces<float, n_pre_traces> pre_i{};
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_.data()[k * np + i];
                for (const std::uint32_t j : targets(i)) {
                    const float w = row[j];
                    if (target != nullptr) target[j] += w * scale;
                    traces<float, n_post_traces> post_j{};
                    for (std::size_t k = 0; k < n_post_traces; ++k) post_j[k] = post_x.data()[k * nq + j];
                    const float next = clip(w + rule_.template on_pre<float>(w, pre_i, post_j));
                    if (next != w) changed_[j] = 1;
                    row[j] = next;
                }
                bump(pre_, pre_spec, i);
            }
        }
    }

    /// For each spike j: on_post at every existing synapse (i, j) with i's
    /// presynaptic traces and j's own postsynaptic traces before this spike,
    /// clipped; then j's traces are bumped.
    template <class V = simd::batch>
    void postsynaptic_step(std::span<const std::uint32_t> post_spikes)
    {
        postsynaptic_step<V>(post_spikes, post_, true);
    }

    /// postsynaptic_step() for neurons whose traces are `post`; with bump
    /// false they are left for their owner to bump once every projection
    /// onto the population has learnt (shared traces).
    template <class V = simd::batch>
    void postsynaptic_step(std::span<const std::uint32_t> post_spikes, post_traces_type& post, bool bump)
    {
        check_shared(post);
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t np = n_pre(), nq = n_post();
            float* w = w_.data();
            for (const auto j : post_spikes) {
                const traces<float, n_post_traces> post_j = post.of(j);
                for (const std::uint32_t i : sources(j)) {
                    traces<float, n_pre_traces> pre{};
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = pre_.data()[k * np + i];
                    float& wij = w[std::size_t{i} * nq + j];
                    const float next = clip(wij + rule_.template on_post<float>(wij, pre, post_j));
                    if (next != wij) changed_[j] = 1;
                    wij = next;
                }
                if (bump) post.bump(j);
            }
        }
    }

    // No delays: the network's delay interface, trivially.
    bool has_delays() const { return false; }
    bool spikes_in_flight() const { return false; }
    std::size_t history_steps() const { return 0; }
    void skip_steps(std::size_t) {}
    void clear_in_flight() {}

    /// Decays every trace by one step (zero below the floor).
    template <class V = simd::batch>
    void decay_traces()
    {
        decay_pre(pre_decay_);
        post_.decay();
    }

    /// Decays the presynaptic traces by one step (shared postsynaptic
    /// traces are decayed by their population).
    template <class V = simd::batch>
    void decay_pre_traces()
    {
        decay_pre(pre_decay_);
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
        decay_pre(pre_k);
    }

    void reset_traces()
    {
        pre_.fill(0.0f);
        post_.reset();
    }

    /// Writes weights, connectivity, traces and changed flags under `prefix`
    /// (the postsynaptic traces only with own_post_traces: shared ones are
    /// saved by the population that owns them). The connectivity is the
    /// mask packed into 64-bit words: pair k = i * n_post + j is bit k % 64
    /// of word k / 64.
    void save_to(checkpoint_writer& w, const std::string& prefix, bool own_post_traces = true) const
    {
        w.add(prefix + "weights", w_);
        w.add_u64(prefix + "connected", pack(mask_));
        w.add(prefix + "pre_traces", pre_);
        if (own_post_traces) w.add(prefix + "post_traces", post_.values());
        w.add_u64(prefix + "changed_columns", std::vector<std::uint64_t>(changed_.begin(), changed_.end()));
    }

    /// Reads what save_to wrote. Refused with a data_error naming the
    /// section, leaving this object unchanged: other shapes, other
    /// connectivity, a weight outside the bounds at a synapse or non-zero
    /// where none exists, non-finite traces.
    void load_from(const checkpoint_reader& r, const std::string& prefix, bool own_post_traces = true)
    {
        const std::size_t np = n_pre(), nq = n_post();
        matrix_f w = make_matrix(np, nq);
        r.read(prefix + "weights", w);
        check_connectivity(r, prefix + "connected", r.read_u64(prefix + "connected"));
        // A valid checksum says the file is what was written, not that what
        // was written is a state this object can run from.
        for (std::size_t k = 0; k < w.size(); ++k) {
            const float x = w.data()[k];
            if (mask_[k] != 0 && !(x >= bounds_.w_min && x <= bounds_.w_max))
                r.fail(fmt::format("'{}weights' holds {} at [{}][{}], outside the bounds [{}, {}]", prefix, x, k / nq, k % nq,
                                   bounds_.w_min, bounds_.w_max));
            if (mask_[k] == 0 && x != 0.0f)
                r.fail(fmt::format("'{}weights' holds {} at [{}][{}], where no synapse exists", prefix, x, k / nq, k % nq));
        }
        matrix_f pre = make_matrix(n_pre_traces, np);
        r.read(prefix + "pre_traces", pre);
        detail::require_traces(r, prefix + "pre_traces", pre);
        matrix_f post = make_matrix(n_post_traces, own_post_traces ? nq : 0);
        if (own_post_traces) {
            r.read(prefix + "post_traces", post);
            detail::require_traces(r, prefix + "post_traces", post);
        }
        std::vector<std::uint8_t> changed(nq, 1);
        if (r.has(prefix + "changed_columns")) {
            const auto flags = r.read_u64(prefix + "changed_columns");
            if (flags.size() != nq)
                r.fail(fmt::format("'{}changed_columns' has {} entries for {} neurons", prefix, flags.size(), nq));
            for (std::size_t j = 0; j < nq; ++j) changed[j] = flags[j] != 0;
        }
        // Everything checked: nothing below throws.
        w_ = std::move(w);
        pre_ = std::move(pre);
        if (own_post_traces) {
            post_.values() = std::move(post);
            post_.rebuild();
        }
        changed_ = std::move(changed);
    }

private:
    /// The settings, validated before anything is allocated.
    static sparse_connectivity checked(std::size_t n_pre, std::size_t n_post, float dt_ms, weight_bounds bounds, sparse_connectivity c)
    {
        constexpr std::size_t max_n = std::numeric_limits<std::uint32_t>::max();
        detail::require(n_pre <= max_n && n_post <= max_n, "sparse_synapses: {} -> {} neurons, more than 2^32 - 1 on a side", n_pre,
                        n_post);
        detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "sparse_synapses: dt_ms must be positive, got {}", dt_ms);
        detail::require(std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max) && bounds.w_min <= bounds.w_max,
                        "sparse_synapses: weight bounds must be finite with w_min <= w_max, got [{}, {}]", bounds.w_min,
                        bounds.w_max);
        detail::require(std::isfinite(c.probability) && c.probability >= 0.0f && c.probability <= 1.0f,
                        "sparse_synapses: connection probability must be in [0, 1], got {}", c.probability);
        detail::require(c.self_connections || n_pre == n_post,
                        "sparse_synapses: self_connections = false needs n_pre == n_post (one population onto itself), got {} -> "
                        "{}; set self_connections = true between two populations",
                        n_pre, n_post);
        return c;
    }

    /// The mask, then both index lists from it (counting sort by column, so
    /// every list is increasing).
    void draw_connectivity()
    {
        const std::size_t np = n_pre(), nq = n_post();
        mask_.assign(np * nq, 0);
        random_stream rng(conn_.seed, stream_purpose::init_weights, sparse_connectivity::stream_key);
        const double p = conn_.probability;
        for (std::size_t i = 0; i < np; ++i)
            for (std::size_t j = 0; j < nq; ++j) {
                const bool exists = rng.bernoulli(p);
                mask_[i * nq + j] = static_cast<std::uint8_t>(exists && (conn_.self_connections || i != j));
            }
        build_index();
    }

    void build_index()
    {
        const std::size_t np = n_pre(), nq = n_post();
        target_start_.assign(np + 1, 0);
        source_start_.assign(nq + 1, 0);
        for (std::size_t i = 0; i < np; ++i)
            for (std::size_t j = 0; j < nq; ++j)
                if (mask_[i * nq + j] != 0) {
                    ++target_start_[i + 1];
                    ++source_start_[j + 1];
                }
        for (std::size_t i = 0; i < np; ++i) target_start_[i + 1] += target_start_[i];
        for (std::size_t j = 0; j < nq; ++j) source_start_[j + 1] += source_start_[j];
        targets_.resize(target_start_[np]);
        sources_.resize(source_start_[nq]);
        std::vector<std::size_t> fill(source_start_.begin(), source_start_.end() - 1);
        std::size_t t = 0;
        for (std::size_t i = 0; i < np; ++i)
            for (std::size_t j = 0; j < nq; ++j)
                if (mask_[i * nq + j] != 0) {
                    targets_[t++] = static_cast<std::uint32_t>(j);
                    sources_[fill[j]++] = static_cast<std::uint32_t>(i);
                }
    }

    static std::vector<std::uint64_t> pack(const std::vector<std::uint8_t>& mask)
    {
        std::vector<std::uint64_t> words((mask.size() + 63) / 64, 0);
        for (std::size_t k = 0; k < mask.size(); ++k)
            if (mask[k] != 0) words[k / 64] |= std::uint64_t{1} << (k % 64);
        return words;
    }

    /// The file's connectivity must be this object's, pair for pair.
    void check_connectivity(const checkpoint_reader& r, const std::string& name, const std::vector<std::uint64_t>& words) const
    {
        const std::vector<std::uint64_t> mine = pack(mask_);
        if (words.size() != mine.size())
            r.fail(fmt::format("'{}' has {} words, {} x {} synapses need {}", name, words.size(), n_pre(), n_post(), mine.size()));
        if (words == mine) return;
        if (const std::size_t tail = mask_.size() % 64; tail != 0 && (words.back() >> tail) != 0)
            r.fail(fmt::format("'{}' sets bits past the last of its {} pairs", name, mask_.size()));
        std::size_t differ = 0, first = 0, theirs = 0;
        for (std::size_t w = 0; w < words.size(); ++w) {
            const std::uint64_t d = words[w] ^ mine[w];
            if (d != 0 && differ == 0) first = w * 64 + static_cast<std::size_t>(std::countr_zero(d));
            differ += static_cast<std::size_t>(std::popcount(d));
            theirs += static_cast<std::size_t>(std::popcount(words[w]));
        }
        r.fail(fmt::format("'{}' is other connectivity than this projection's ({} synapses in the file, {} here, {} pairs differ, "
                           "the first [{}][{}])",
                           name, theirs, n_synapses(), differ, first / n_post(), first % n_post()));
    }

    /// Multiplies presynaptic trace k by factor k and zeroes what falls below
    /// its floor (dense_synapses' arithmetic, one neuron at a time).
    void decay_pre(const std::array<float, n_pre_traces>& pre_k)
    {
        const std::size_t np = n_pre();
        for (std::size_t k = 0; k < n_pre_traces; ++k) {
            float* x = pre_.data() + k * np;
            const float f = pre_k[k], lo = pre_floor_[k];
            for (std::size_t i = 0; i < np; ++i) {
                const float y = x[i] * f;
                x[i] = simd::select(simd::abs(y) < lo, 0.0f, y);
            }
        }
    }

    /// Shared traces must be the ones this rule asks for.
    void check_shared(const post_traces_type& post) const
    {
        if (&post == &post_) return;
        detail::require(post.size() == n_post() && post.same_spec(rule_.post_traces()),
                        "sparse_synapses: shared postsynaptic traces of {} neurons do not match this projection's rule ({} neurons)",
                        post.size(), n_post());
    }

    float clip(float w) const { return simd::clamp(w, bounds_.w_min, bounds_.w_max); }

    template <std::size_t K>
    static void bump(matrix_f& tr, const std::array<trace_spec, K>& spec, std::size_t neuron)
    {
        const std::size_t n = tr.shape()[1];
        for (std::size_t k = 0; k < K; ++k) {
            float& x = tr.data()[k * n + neuron];
            x = spec[k].bump == trace_bump::add ? x + spec[k].amount : spec[k].amount;
        }
    }

    Rule rule_;
    weight_bounds bounds_;
    float dt_;
    sparse_connectivity conn_;
    matrix_f w_;                              ///< [pre][post], 0 where no synapse exists
    std::vector<std::uint8_t> mask_;          ///< [pre][post], 1 where a synapse exists
    std::vector<std::size_t> target_start_;   ///< targets of i: targets_[target_start_[i] .. target_start_[i + 1])
    std::vector<std::uint32_t> targets_;
    std::vector<std::size_t> source_start_;   ///< sources of j: sources_[source_start_[j] .. source_start_[j + 1])
    std::vector<std::uint32_t> sources_;
    matrix_f pre_;                            ///< [trace][neuron]
    post_traces_type post_;                   ///< own postsynaptic traces
    std::array<float, n_pre_traces> pre_decay_{};
    float floor_ = 0.0f;
    std::array<float, n_pre_traces> pre_floor_{};
    std::vector<std::uint8_t> changed_;       ///< see changed_columns()
};

namespace detail {
/// What a network calls on a plastic projection without delays, spelled out
/// so that a rule that does not fit fails here, naming the call
/// (tests/synapse/test_sparse.cpp instantiates every member as well).
template <class S>
concept sparse_projection = requires(S s, const S cs, std::span<const std::uint32_t> spikes, float* target,
                                     typename S::post_traces_type& post, checkpoint_writer& w, const checkpoint_reader& r,
                                     random_stream& rng) {
    s.presynaptic_step(spikes, target, 1.0f, true);
    s.presynaptic_step(spikes, target, 1.0f, true, post);
    s.postsynaptic_step(spikes);
    s.postsynaptic_step(spikes, post, false);
    s.decay_traces();
    s.decay_pre_traces();
    s.decay_traces(1.0);
    s.decay_pre_traces(1.0);
    s.reset_traces();
    s.initialise_uniform(0.0f, 1.0f, rng);
    { cs.spikes_in_flight() } -> std::same_as<bool>;
    { cs.history_steps() } -> std::same_as<std::size_t>;
    s.skip_steps(std::size_t{1});
    s.clear_in_flight();
    { s.weights() } -> std::same_as<matrix_f&>;
    { s.changed_columns() } -> std::same_as<std::span<std::uint8_t>>;
    { cs.connected() } -> std::same_as<std::span<const std::uint8_t>>;
    cs.save_to(w, "p.");
    s.load_from(r, "p.");
};
} // namespace detail

static_assert(detail::sparse_projection<sparse_synapses<diehl_cook_triplet>>);
static_assert(detail::sparse_projection<sparse_synapses<pair_stdp_all_to_all>>);
static_assert(detail::sparse_projection<sparse_synapses<pair_stdp_nearest>>);
static_assert(projection<sparse_synapses<diehl_cook_triplet>>);
static_assert(projection<dense_synapses<diehl_cook_triplet>>);

} // namespace somnus
