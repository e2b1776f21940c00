// SPDX-License-Identifier: MIT
// Plastic synapses with fixed random connectivity: each pair (i, j) of n_pre
// x n_post neurons is a synapse with probability p, drawn once (for a
// recurrent excitatory projection, as in Massey et al. 2026). Propagation
// and learning walk only the synapses that exist, through index lists per
// presynaptic neuron (its targets) and per postsynaptic neuron (its sources).
//
// The weights stay a dense row-major [pre][post] matrix, exactly 0 where no
// synapse exists (plastic_store, shared with dense_synapses). Why: sleep
// mechanisms, homeostasis, views and checkpoints then see one shape for
// every projection, and both walks index the matrix directly with no second
// index per synapse. The cost is memory that does not shrink with p:
// 4 bytes per pair plus a 1-byte mask, so 6 400 x 6 400 takes 164 MB of
// weights and 41 MB of mask at any p, where a compressed row store at
// p = 0.1 would take about 50 MB; the walks' time does scale with p.
// synapse/timed.hpp is the compact store, for rules that need no traces.
//
// Stepping follows dense_synapses without delays: same names, same order of
// transmission, learning, clipping and trace bumps, same float arithmetic,
// so at p = 1 both give the same bits.
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
#include "plastic_store.hpp"
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
class sparse_synapses : public plastic_store<Rule> {
    using base = plastic_store<Rule>;
    using base::bounds_, base::changed_, base::post_, base::pre_, base::rule_, base::w_;
    using base::bump, base::check_shared;

public:
    using base::mark_all_changed, base::n_post, base::n_pre, base::n_post_traces, base::n_pre_traces;
    using typename base::post_traces_type;

    sparse_synapses(std::size_t n_pre, std::size_t n_post, Rule rule, float dt_ms, weight_bounds bounds, sparse_connectivity c)
        : base("sparse_synapses", checked(n_pre, n_post, c), n_post, rule, dt_ms, bounds), conn_(c)
    {
        draw_connectivity();
    }

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

    /// The projection as sleep mechanisms and homeostasis see it (its name
    /// and sign come from the topology's part entry).
    projection_view view()
    {
        projection_view v = base::view();
        v.connected = mask_;
        return v;
    }

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
                    const float next = detail::clip_weight<float>(w + rule_.template on_pre<float>(w, pre_i, post_j), bounds_);
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
                    const float next = detail::clip_weight<float>(wij + rule_.template on_post<float>(wij, pre, post_j), bounds_);
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

    /// Writes weights, connectivity, traces and changed flags under `prefix`
    /// (the postsynaptic traces only with own_post_traces: shared ones are
    /// saved by the population that owns them). The connectivity is the
    /// mask packed into 64-bit words: pair k = i * n_post + j is bit k % 64
    /// of word k / 64.
    void save_to(checkpoint_writer& w, const std::string& prefix, bool own_post_traces = true) const
    {
        this->save_weights(w, prefix);
        w.add_u64(prefix + "connected", pack(mask_));
        this->save_traces(w, prefix, own_post_traces);
        this->save_changed(w, prefix);
    }

    /// Reads what save_to wrote. Refused with a data_error naming the
    /// section, leaving this object unchanged: other shapes, other
    /// connectivity, a weight outside the bounds at a synapse or non-zero
    /// where none exists, non-finite traces.
    void load_from(const checkpoint_reader& r, const std::string& prefix, bool own_post_traces = true)
    {
        this->load_state(r, prefix, own_post_traces, mask_,
                         [&] { check_connectivity(r, prefix + "connected", r.read_u64(prefix + "connected")); });
    }

private:
    /// The connectivity settings, validated before anything is allocated
    /// (plastic_store checks the rest); returns n_pre.
    static std::size_t checked(std::size_t n_pre, std::size_t n_post, sparse_connectivity c)
    {
        constexpr std::size_t max_n = std::numeric_limits<std::uint32_t>::max();
        detail::require(n_pre <= max_n && n_post <= max_n, "sparse_synapses: {} -> {} neurons, more than 2^32 - 1 on a side", n_pre,
                        n_post);
        detail::require(std::isfinite(c.probability) && c.probability >= 0.0f && c.probability <= 1.0f,
                        "sparse_synapses: connection probability must be in [0, 1], got {}", c.probability);
        detail::require(c.self_connections || n_pre == n_post,
                        "sparse_synapses: self_connections = false needs n_pre == n_post (one population onto itself), got {} -> "
                        "{}; set self_connections = true between two populations",
                        n_pre, n_post);
        return n_pre;
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

    sparse_connectivity conn_;
    std::vector<std::uint8_t> mask_;          ///< [pre][post], 1 where a synapse exists
    std::vector<std::size_t> target_start_;   ///< targets of i: targets_[target_start_[i] .. target_start_[i + 1])
    std::vector<std::uint32_t> targets_;
    std::vector<std::size_t> source_start_;   ///< sources of j: sources_[source_start_[j] .. source_start_[j + 1])
    std::vector<std::uint32_t> sources_;
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
