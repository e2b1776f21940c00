// SPDX-License-Identifier: MIT
// Plastic sparse synapses learning with a timing rule (core/concepts.hpp):
// the projection of Massey et al. 2026's network (DESIGN.md section 9a).
// Only the synapses that exist are stored, compactly, in rows by presynaptic
// neuron (its targets increasing), with an index by postsynaptic neuron, so
// that a sleep operation touching every synapse walks one contiguous array.
// Each step, in their code's order: the last step's presynaptic spikes are
// transmitted with the weights as they are; then the weights changed since
// the last clip are clipped to the bounds; then every synapse whose pre- or
// postsynaptic neuron fired last step changes once by the rule, from the
// times since each neuron last fired (read after this step's spikes). So a
// weight can overshoot a bound for one step, as theirs can. The two walks
// (a spiking presynaptic neuron's row; a spiking postsynaptic neuron's
// sources) are written once over the value type: float is the scalar
// reference, simd::batch gathers the times and the rule's tabulated values
// (and, for the sources, gathers and scatters the weights), the same bits.
// For rows of tens of synapses, as in Massey et al.'s network, the gathers
// cost more than they save (benchmarks/bench_network, massey_walks: about
// 0.8 ns per synapse scalar, 1.0 with AVX-512 gathers), so learn() walks
// with float unless asked otherwise.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../io/checkpoint.hpp"
#include "../plasticity/last_spike_timing.hpp"
#include "plastic_store.hpp"

namespace somnus {

template <timing_rule Rule>
class timed_synapses {
public:
    /// n_pre x n_post synapses where mask (row-major [pre][post], non-zero =
    /// exists) says so, every weight w_init. presynaptic says whether the
    /// presynaptic neurons excite (weights in bounds, the rule as it is) or
    /// inhibit (negative weights, the rule's change negated).
    timed_synapses(const char* name, std::size_t n_pre, std::size_t n_post, std::span<const std::uint8_t> mask, float w_init,
                   weight_bounds bounds, synapse_sign presynaptic, Rule rule, float dt_ms)
        : name_(name), n_pre_(n_pre), n_post_(n_post), sign_(presynaptic), bounds_(bounds), rule_(std::move(rule)), dt_(dt_ms)
    {
        detail::require(n_pre > 0 && n_post > 0, "timed_synapses {}: sizes {} x {} must be positive", name, n_pre, n_post);
        detail::require(mask.size() == n_pre * n_post, "timed_synapses {}: mask of {} entries for {} x {}", name, mask.size(), n_pre,
                        n_post);
        detail::require(std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max) && bounds.w_min <= bounds.w_max,
                        "timed_synapses {}: weight bounds [{}, {}] must be finite and ordered", name, bounds.w_min, bounds.w_max);
        detail::require(std::isfinite(w_init) && w_init >= bounds.w_min && w_init <= bounds.w_max,
                        "timed_synapses {}: initial weight {} outside the bounds [{}, {}]", name, w_init, bounds.w_min, bounds.w_max);
        detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "timed_synapses {}: dt_ms must be positive, got {}", name, dt_ms);
        out_start_.assign(n_pre + 1, 0);
        for (std::size_t i = 0; i < n_pre; ++i) {
            for (std::size_t j = 0; j < n_post; ++j)
                if (mask[i * n_post + j] != 0) out_post_.push_back(static_cast<std::int32_t>(j));
            out_start_[i + 1] = static_cast<std::uint32_t>(out_post_.size());
        }
        w_.assign(out_post_.size(), w_init);
        build_index();
        changed_.assign(n_post, 0);
        tabulate();
    }

    const char* name() const { return name_; }
    std::size_t n_pre() const { return n_pre_; }
    std::size_t n_post() const { return n_post_; }
    /// Synapses that exist.
    std::size_t size() const { return w_.size(); }
    synapse_sign presynaptic() const { return sign_; }
    const weight_bounds& bounds() const { return bounds_; }
    const Rule& rule() const { return rule_; }
    float dt_ms() const { return dt_; }

    /// Postsynaptic neurons of presynaptic neuron i (increasing), and the
    /// slots of their weights in weights().
    std::span<const std::int32_t> targets(std::size_t i) const
    {
        return {out_post_.data() + out_start_[i], out_start_[i + 1] - out_start_[i]};
    }
    std::size_t first_slot(std::size_t i) const { return out_start_[i]; }
    /// Presynaptic neurons of postsynaptic neuron j (increasing).
    std::span<const std::int32_t> sources(std::size_t j) const
    {
        return {in_pre_.data() + in_start_[j], in_start_[j + 1] - in_start_[j]};
    }
    /// Every existing synapse's weight, rows by presynaptic neuron.
    std::span<const float> weights() const { return w_; }
    /// Mutable weights: every synapse counts as changed (clipped next step).
    std::span<float> weights()
    {
        mark_all_changed();
        return w_;
    }
    /// Postsynaptic neuron of each weight.
    std::span<const std::int32_t> post_of_slot() const { return out_post_; }
    /// Row-major [pre][post] dense copy (0 where no synapse exists).
    std::vector<float> dense() const
    {
        std::vector<float> d(n_pre_ * n_post_, 0.0f);
        for (std::size_t i = 0; i < n_pre_; ++i)
            for (std::size_t k = out_start_[i]; k < out_start_[i + 1]; ++k) d[i * n_post_ + out_post_[k]] = w_[k];
        return d;
    }
    /// Sum of |w| over the existing synapses.
    double total_magnitude() const
    {
        double s = 0.0;
        for (const float x : w_) s += std::abs(double(x));
        return s;
    }

    /// The projection as sleep mechanisms and homeostasis see it.
    projection_view view()
    {
        projection_view v{name_, sign_, &gain};
        v.changed = changed_;
        v.w_min = bounds_.w_min;
        v.w_max = bounds_.w_max;
        v.values = w_;
        v.value_post = std::span<const std::uint32_t>(reinterpret_cast<const std::uint32_t*>(out_post_.data()), out_post_.size());
        return v;
    }
    void mark_all_changed() { std::fill(changed_.begin(), changed_.end(), std::uint8_t{1}); }

    /// Adds gain * w into target[j] for every synapse (i, j) of each
    /// presynaptic spike i.
    void propagate(std::span<const std::uint32_t> pre_spikes, float* target) const
    {
        const float g = gain;
        for (const auto i : pre_spikes) {
            const std::uint32_t end = out_start_[i + 1];
            for (std::uint32_t k = out_start_[i]; k < end; ++k) target[out_post_[k]] += g * w_[k];
        }
    }

    /// Clips to the bounds every weight learn() took outside them since the
    /// last clip, and every weight if an outside write flagged a column.
    void clip()
    {
        const float lo = bounds_.w_min, hi = bounds_.w_max;
        if (std::any_of(changed_.begin(), changed_.end(), [](std::uint8_t c) { return c != 0; })) {
            for (auto& x : w_) x = std::clamp(x, lo, hi);
            std::fill(changed_.begin(), changed_.end(), std::uint8_t{0});
        } else {
            for (const auto k : outside_) w_[k] = std::clamp(w_[k], lo, hi);
        }
        outside_.clear();
    }

    /// Times since a neuron last fired saturate here, so that lags fit in
    /// 32 bits (2^30 steps: 12 days at 1 ms; the rule is long zero by then).
    static constexpr std::int32_t max_age = std::int32_t(1) << 30;

    /// The rule, once for each synapse whose presynaptic neuron is in
    /// pre_prev or whose postsynaptic neuron is in post_prev (last step's
    /// spikes; pre_fired[i] != 0 for i in pre_prev). age_pre / age_post:
    /// steps since each neuron last fired, after this step (at most max_age).
    template <class V = float>
    void learn(std::span<const std::uint32_t> pre_prev, std::span<const std::int32_t> pre_fired,
               std::span<const std::uint32_t> post_prev, std::span<const std::int32_t> age_pre, std::span<const std::int32_t> age_post)
    {
        for (const auto i : pre_prev) learn_row<V>(i, age_pre[i], age_post.data());
        for (const auto j : post_prev) learn_sources<V>(j, age_post[j], age_pre.data(), pre_fired.data());
    }

    /// The signed change for a lag of `steps` (time since post - time since
    /// pre), tabulated from the rule for small lags.
    float change(std::int64_t steps) const
    {
        const auto at = static_cast<std::uint64_t>(steps + table_half);
        if (at < std::uint64_t(2 * table_half)) return table_[at];
        // Beyond the table: a rule whose change has decayed to exactly 0 at
        // the table's edge stays 0 (the rules decay with |lag|); any other
        // is asked.
        if (steps < 0 ? below_zero_ : above_zero_) return 0.0f;
        return signed_rule(static_cast<float>(double(steps) * dt_));
    }

    // Parts of the projection interface that have nothing to do here.
    bool spikes_in_flight() const { return false; }
    std::size_t history_steps() const { return 0; }
    void skip_steps(std::size_t) {}
    void clear_in_flight() {}
    void decay_pre_traces(double) {}

    /// Writes "<prefix>weights" and the connectivity ("<prefix>targets",
    /// "<prefix>target_start").
    void save_to(checkpoint_writer& w, const std::string& prefix, bool = true) const
    {
        w.add(prefix + "weights", std::span<const float>(w_));
        std::vector<std::uint64_t> start(out_start_.begin(), out_start_.end()), post(out_post_.begin(), out_post_.end());
        w.add_u64(prefix + "target_start", start);
        w.add_u64(prefix + "targets", post);
    }

    /// Reads what save_to wrote: the connectivity must be this projection's,
    /// and every weight finite and within one rule step of the bounds.
    void load_from(const checkpoint_reader& r, const std::string& prefix, bool = true)
    {
        const auto start = r.read_u64(prefix + "target_start");
        const auto post = r.read_u64(prefix + "targets");
        const bool same = start.size() == out_start_.size() && post.size() == out_post_.size() &&
                          std::equal(start.begin(), start.end(), out_start_.begin()) &&
                          std::equal(post.begin(), post.end(), out_post_.begin(),
                                     [](std::uint64_t a, std::int32_t b) { return a == std::uint64_t(b); });
        if (!same)
            r.fail(fmt::format("'{}' connects other neurons than this network's {} ({} synapses in the file, {} here)", prefix + "targets",
                               name_, post.size(), out_post_.size()));
        std::vector<float> w(w_.size());
        r.read(prefix + "weights", std::span<float>(w));
        const float slack = max_step();
        for (std::size_t k = 0; k < w.size(); ++k)
            if (!(std::isfinite(w[k]) && w[k] >= bounds_.w_min - slack && w[k] <= bounds_.w_max + slack))
                r.fail(fmt::format("'{}' holds {} at synapse {}, outside the bounds [{}, {}]", prefix + "weights", w[k], k,
                                   bounds_.w_min, bounds_.w_max));
        w_ = std::move(w);
        outside_.clear();
        mark_all_changed();
    }

    float gain = 1.0f;  ///< multiplies every transmitted weight (1 awake; sleep mechanisms may scale it for a phase)

private:
    /// Lags tabulated: [-table_half, table_half) steps.
    static constexpr std::int64_t table_half = 4096;
    static constexpr std::int32_t table_top = std::int32_t(2 * table_half - 1);

    /// Presynaptic neuron i fired last step: its whole row.
    template <class V>
    void learn_row(std::size_t i, std::int32_t age_i, const std::int32_t* age_post)
    {
        using I = simd::index_t<V>;
        constexpr std::size_t lanes = simd::lanes_of<V>;
        float* const w = w_.data();
        const std::int32_t* const post = out_post_.data();
        const std::int32_t shift = std::int32_t(table_half) - age_i;  // table index = age_post + shift
        std::size_t k = out_start_[i];
        const std::size_t end = out_start_[i + 1];
        if constexpr (simd::is_batch<V>) {
            const bool edges_zero = below_zero_ && above_zero_;
            for (; k + lanes <= end; k += lanes) {
                I t = simd::gather(age_post, simd::load_index<I>(post + k)) + I(shift);
                if (!edges_zero && simd::any((t < I(0)) | (t > I(table_top)))) {
                    for (std::size_t l = 0; l < lanes; ++l) update(k + l, std::int64_t(age_post[post[k + l]]) - age_i);
                    continue;
                }
                t = simd::max(simd::min(t, I(table_top)), I(0));
                const V x = simd::load<V>(w + k) + simd::gather(table_.data(), t);
                simd::store(w + k, x);
                simd::for_each_set_lane((x < V(bounds_.w_min)) | (x > V(bounds_.w_max)),
                                        [&](std::size_t l) { outside_.push_back(static_cast<std::uint32_t>(k + l)); });
            }
        }
        for (; k < end; ++k) update(k, std::int64_t(age_post[post[k]]) - age_i);
    }

    /// Postsynaptic neuron j fired last step: its sources that did not fire
    /// (those did their row). Lanes of sources that fired add 0.
    template <class V>
    void learn_sources(std::size_t j, std::int32_t age_j, const std::int32_t* age_pre, const std::int32_t* pre_fired)
    {
        using I = simd::index_t<V>;
        constexpr std::size_t lanes = simd::lanes_of<V>;
        float* const w = w_.data();
        const std::int32_t shift = std::int32_t(table_half) + age_j;  // table index = shift - age_pre
        std::size_t m = in_start_[j];
        const std::size_t end = in_start_[j + 1];
        if constexpr (simd::is_batch<V>) {
            const bool edges_zero = below_zero_ && above_zero_;
            for (; m + lanes <= end; m += lanes) {
                const I pre = simd::load_index<I>(in_pre_.data() + m);
                I t = I(shift) - simd::gather(age_pre, pre);
                if (!edges_zero && simd::any((t < I(0)) | (t > I(table_top)))) {
                    for (std::size_t l = 0; l < lanes; ++l) source_update(m + l, age_j, age_pre, pre_fired);
                    continue;
                }
                t = simd::max(simd::min(t, I(table_top)), I(0));
                const V keep = simd::to_float(I(1) - simd::gather(pre_fired, pre));
                const I slot = simd::load_index<I>(in_slot_.data() + m);
                const V x = simd::gather(w, slot) + simd::gather(table_.data(), t) * keep;
                simd::scatter(w, slot, x);
                simd::for_each_set_lane((x < V(bounds_.w_min)) | (x > V(bounds_.w_max)), [&](std::size_t l) {
                    outside_.push_back(static_cast<std::uint32_t>(in_slot_[m + l]));
                });
            }
        }
        for (; m < end; ++m) source_update(m, age_j, age_pre, pre_fired);
    }

    void update(std::size_t k, std::int64_t lag)
    {
        const float x = w_[k] + change(lag);
        w_[k] = x;
        if (x < bounds_.w_min || x > bounds_.w_max) outside_.push_back(static_cast<std::uint32_t>(k));
    }
    void source_update(std::size_t m, std::int32_t age_j, const std::int32_t* age_pre, const std::int32_t* pre_fired)
    {
        const std::int32_t i = in_pre_[m];
        if (pre_fired[i] != 0) return;
        update(std::size_t(in_slot_[m]), std::int64_t(age_j) - age_pre[i]);
    }

    float signed_rule(float lag_ms) const
    {
        const float d = rule_.template change<float>(lag_ms);
        return sign_ == synapse_sign::excitatory ? d : -d;
    }
    void tabulate()
    {
        table_.resize(std::size_t(2 * table_half));
        for (std::int64_t s = -table_half; s < table_half; ++s)
            table_[std::size_t(s + table_half)] = signed_rule(static_cast<float>(double(s) * dt_));
        below_zero_ = table_.front() == 0.0f;
        above_zero_ = table_.back() == 0.0f;
    }
    float max_step() const
    {
        float m = 0.0f;
        for (const float x : table_) m = std::max(m, std::abs(x));
        return m;
    }
    void build_index()
    {
        in_start_.assign(n_post_ + 1, 0);
        for (const auto j : out_post_) ++in_start_[std::size_t(j) + 1];
        for (std::size_t j = 0; j < n_post_; ++j) in_start_[j + 1] += in_start_[j];
        in_pre_.resize(out_post_.size());
        in_slot_.resize(out_post_.size());
        std::vector<std::uint32_t> cursor(in_start_.begin(), in_start_.end() - 1);
        for (std::size_t i = 0; i < n_pre_; ++i)
            for (std::uint32_t k = out_start_[i]; k < out_start_[i + 1]; ++k) {
                const auto at = cursor[std::size_t(out_post_[k])]++;
                in_pre_[at] = static_cast<std::int32_t>(i);
                in_slot_[at] = static_cast<std::int32_t>(k);
            }
    }

    const char* name_;
    std::size_t n_pre_, n_post_;
    synapse_sign sign_;
    weight_bounds bounds_;
    Rule rule_;
    float dt_;
    std::vector<std::uint32_t> out_start_, in_start_;
    std::vector<std::int32_t> out_post_;                      ///< rows by presynaptic neuron: their targets
    std::vector<std::int32_t> in_pre_, in_slot_;              ///< index by postsynaptic neuron: sources and their slots
    std::vector<float> w_;
    std::vector<float> table_;
    bool below_zero_ = false, above_zero_ = false;            ///< the rule is 0 beyond the table's edge
    std::vector<std::uint32_t> outside_;                      ///< slots learn() took outside the bounds since the last clip
    std::vector<std::uint8_t> changed_;                       ///< per postsynaptic neuron: written from outside
};

static_assert(projection<timed_synapses<last_spike_timing>>);

} // namespace somnus
