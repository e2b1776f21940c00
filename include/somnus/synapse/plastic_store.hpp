// SPDX-License-Identifier: MIT
// What every plastic projection keeps, whatever its connectivity: the weight
// matrix with its bounds and per-column changed flags, the transmission
// gain, the presynaptic traces and its own postsynaptic traces (or checks
// on a population's shared ones), their decay, and saving, validating and
// loading all of it. dense_synapses and sparse_synapses derive from it and
// add only their walks (and, for dense, delays; for sparse, the index
// lists). Weights are one row-major [pre][post] matrix for both, so sleep
// mechanisms and homeostasis see the same thing whatever the projection.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/simd.hpp"
#include "../core/tensor.hpp"
#include "../io/checkpoint.hpp"
#include "delay_ring.hpp"
#include "traces.hpp"

namespace somnus {

struct weight_bounds {
    float w_min = 0.0f;
    float w_max = 1.0f;
};

namespace detail {
/// w clamped to the bounds (a float or a SIMD batch).
template <class L>
L clip_weight(const L& w, const weight_bounds& b)
{
    return simd::clamp(w, L(b.w_min), L(b.w_max));
}
} // namespace detail

template <plasticity_rule Rule>
class plastic_store {
public:
    static constexpr std::size_t n_pre_traces = detail::pre_trace_count<Rule>::value;
    static constexpr std::size_t n_post_traces = detail::post_trace_count<Rule>::value;
    /// The postsynaptic traces this projection learns from: its own by
    /// default; a population's shared ones when the *_shared overloads are
    /// given them (network/population.hpp).
    using post_traces_type = trace_set<n_post_traces>;

    /// Traces below floor * (bump amount) are set to zero when they decay.
    void set_trace_floor(float floor)
    {
        detail::require(floor >= 0.0f && floor < 1.0f, "{}: trace floor must be in [0, 1), got {}", kind_, floor);
        floor_ = floor;
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_floor_[k] = floor * std::abs(pre_spec[k].amount);
        post_.set_floor(floor);
    }
    float trace_floor() const { return floor_; }

    std::size_t n_pre() const { return w_.shape()[0]; }
    std::size_t n_post() const { return w_.shape()[1]; }
    float dt_ms() const { return dt_; }

    /// Mutable weights: every column counts as changed (see changed_columns).
    /// A projection with fixed connectivity keeps 0 where no synapse exists;
    /// whoever writes through these keeps the zeros (see sparse_synapses).
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
    std::span<const std::uint8_t> changed_columns() const { return changed_; }
    void mark_all_changed() { std::fill(changed_.begin(), changed_.end(), std::uint8_t{1}); }

    /// Multiplies every transmitted weight (1 awake; sleep mechanisms may
    /// scale it for a phase); the topology passes it to presynaptic_step.
    float gain = 1.0f;

    /// The projection as sleep mechanisms and homeostasis see it (its name
    /// and sign come from the topology's part entry).
    projection_view view() { return {"", synapse_sign::excitatory, &gain, &w_, changed_, bounds_.w_min, bounds_.w_max}; }

    const Rule& rule() const { return rule_; }
    const weight_bounds& bounds() const { return bounds_; }

    /// Trace k of the presynaptic (resp. postsynaptic) neurons, one value per neuron.
    auto pre_trace(std::size_t k) { return xt::view(pre_, k, xt::all()); }
    auto post_trace(std::size_t k) { return xt::view(post_.values(), k, xt::all()); }
    /// [trace][neuron]; the postsynaptic ones are this projection's own.
    const matrix_f& pre_traces() const { return pre_; }
    const matrix_f& post_traces() const { return post_.values(); }
    /// Mutable traces: the active list is rebuilt from them before it is next
    /// used by decay_traces(), or at once by traces_changed().
    matrix_f& pre_traces() { return pre_; }
    matrix_f& post_traces() { return post_.values(); }
    void traces_changed() { post_.rebuild(); }
    /// This projection's own postsynaptic traces (unused when shared ones are given).
    post_traces_type& own_post_traces() { return post_; }
    /// Postsynaptic neurons with a non-zero own trace (in no particular order).
    std::span<const std::uint32_t> active_post() { return post_.active(); }

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

protected:
    /// `kind` names the projection in messages. Every setting is checked
    /// before anything is allocated.
    plastic_store(const char* kind, std::size_t n_pre, std::size_t n_post, Rule rule, float dt_ms, weight_bounds bounds)
        : kind_(kind), rule_(rule), bounds_(checked(kind, rule, dt_ms, bounds)), dt_(dt_ms), w_(make_matrix(n_pre, n_post)),
          pre_(make_matrix(n_pre_traces, n_pre)), post_(n_post, rule.post_traces(), dt_ms)
    {
        const auto pre_spec = rule_.pre_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_decay_[k] = static_cast<float>(std::exp(-double(dt_ms) / double(pre_spec[k].tau_ms)));
        set_trace_floor(1.0e-6f);
        changed_.assign(n_post, 1);
    }

    /// Writes the weights under `prefix`.
    void save_weights(checkpoint_writer& w, const std::string& prefix) const { w.add(prefix + "weights", w_); }
    /// Writes the presynaptic traces and, with own_post_traces, this
    /// projection's postsynaptic ones (shared ones are saved by the
    /// population that owns them).
    void save_traces(checkpoint_writer& w, const std::string& prefix, bool own_post_traces) const
    {
        w.add(prefix + "pre_traces", pre_);
        if (own_post_traces) w.add(prefix + "post_traces", post_.values());
    }
    void save_changed(checkpoint_writer& w, const std::string& prefix) const
    {
        w.add_u64(prefix + "changed_columns", std::vector<std::uint64_t>(changed_.begin(), changed_.end()));
    }

    /// Reads what the save_* functions wrote, refusing with a data_error that
    /// names the section and leaving this object unchanged: other shapes, a
    /// weight outside the bounds at a synapse (mask: 1 where one exists,
    /// empty for all) or non-zero where none exists, non-finite traces,
    /// changed flags of another length. A valid checksum says the file is
    /// what was written, not that what was written is a state this object
    /// can run from.
    /// `after_weights` runs once the weights' shape is known to match (a
    /// projection checks its own sections there, e.g. its connectivity).
    template <class AfterWeights>
    void load_state(const checkpoint_reader& r, const std::string& prefix, bool own_post_traces, std::span<const std::uint8_t> mask,
                    AfterWeights&& after_weights)
    {
        const std::size_t np = n_pre(), nq = n_post();
        matrix_f w = make_matrix(np, nq);
        r.read(prefix + "weights", w);
        after_weights();
        for (std::size_t k = 0; k < w.size(); ++k) {
            const float x = w.data()[k];
            const bool exists = mask.empty() || mask[k] != 0;
            if (exists && !(x >= bounds_.w_min && x <= bounds_.w_max))
                r.fail(fmt::format("'{}weights' holds {} at [{}][{}], outside the bounds [{}, {}]", prefix, x, k / nq, k % nq,
                                   bounds_.w_min, bounds_.w_max));
            if (!exists && x != 0.0f)
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

    /// Shared traces must be the ones this rule asks for.
    void check_shared(const post_traces_type& post) const
    {
        if (&post == &post_) return;
        detail::require(post.size() == n_post() && post.same_spec(rule_.post_traces()),
                        "{}: shared postsynaptic traces of {} neurons do not match this projection's rule ({} neurons)", kind_,
                        post.size(), n_post());
    }

    /// Multiplies presynaptic trace k by factor k and zeroes what falls
    /// below its floor.
    template <class V>
    void decay_pre(const std::array<float, n_pre_traces>& pre_k)
    {
        const std::size_t np = n_pre();
        for (std::size_t k = 0; k < n_pre_traces; ++k) {
            float* x = pre_.data() + k * np;
            const float f = pre_k[k], lo = pre_floor_[k];
            simd::for_each<V>(np, [=](std::size_t i, auto lane) {
                using L = decltype(lane);
                const L y = simd::load<L>(x + i) * L(f);
                simd::store(x + i, simd::select(simd::abs(y) < L(lo), L(0.0f), y));
            });
        }
    }

    /// Start of each trace's row in a [trace][neuron] matrix.
    static auto rows(const matrix_f& tr)
    {
        constexpr std::size_t K = std::max(n_pre_traces, n_post_traces);
        std::array<const float*, K> r{};
        for (std::size_t k = 0; k < tr.shape()[0]; ++k) r[k] = tr.data() + k * tr.shape()[1];
        return r;
    }

    /// The presynaptic traces of `neuron` after its spike.
    template <std::size_t K>
    static void bump(matrix_f& tr, const std::array<trace_spec, K>& spec, std::size_t neuron)
    {
        const std::size_t n = tr.shape()[1];
        for (std::size_t k = 0; k < K; ++k) {
            float& x = tr.data()[k * n + neuron];
            x = spec[k].bump == trace_bump::add ? x + spec[k].amount : spec[k].amount;
        }
    }

    const char* kind_;
    Rule rule_;
    weight_bounds bounds_;
    float dt_;
    matrix_f w_;            ///< [pre][post]
    matrix_f pre_;          ///< [trace][neuron]
    post_traces_type post_; ///< own postsynaptic traces
    std::array<float, n_pre_traces> pre_decay_{};
    float floor_ = 0.0f;
    std::array<float, n_pre_traces> pre_floor_{};
    std::vector<std::uint8_t> changed_;  ///< see changed_columns()

private:
    static weight_bounds checked(const char* kind, const Rule& rule, float dt_ms, weight_bounds bounds)
    {
        detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "{}: dt_ms must be positive, got {}", kind, dt_ms);
        detail::require(std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max) && bounds.w_min <= bounds.w_max,
                        "{}: weight bounds must be finite with w_min <= w_max, got [{}, {}]", kind, bounds.w_min, bounds.w_max);
        for (const auto& t : rule.pre_traces())
            detail::require(t.tau_ms > 0.0f, "{}: trace time constant must be positive, got {}", kind, t.tau_ms);
        return bounds;
    }
};

} // namespace somnus
