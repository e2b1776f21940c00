// SPDX-License-Identifier: MIT
// All-to-all synapses from n_pre to n_post neurons, with an optional
// plasticity rule. Weights are one row-major [pre][post] matrix, so the more
// frequent event, an input spike, walks a contiguous row (propagation and
// on_pre), and a postsynaptic spike walks a strided column (on_post).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

struct weight_bounds {
    float w_min = 0.0f;
    float w_max = 1.0f;
};

namespace detail {

/// target[j] += scale * row[j] for j in [0, n).
template <class V>
inline void add_row(float* target, const float* row, std::size_t n, float scale)
{
    simd::for_each<V>(n, [&](std::size_t j, auto lane) {
        using L = decltype(lane);
        simd::store(target + j, simd::load<L>(target + j) + simd::load<L>(row + j) * L(scale));
    });
}

/// x[j] *= k for j in [0, n).
template <class V>
inline void scale_in_place(float* x, std::size_t n, float k)
{
    simd::for_each<V>(n, [&](std::size_t j, auto lane) {
        using L = decltype(lane);
        simd::store(x + j, simd::load<L>(x + j) * L(k));
    });
}

} // namespace detail

template <plasticity_rule Rule>
class dense_synapses {
public:
    static constexpr std::size_t n_pre_traces = detail::pre_trace_count<Rule>::value;
    static constexpr std::size_t n_post_traces = detail::post_trace_count<Rule>::value;

    dense_synapses(std::size_t n_pre, std::size_t n_post, Rule rule = {}, float dt_ms = 0.5f, weight_bounds bounds = {})
        : rule_(rule), bounds_(bounds), dt_(dt_ms), w_(make_matrix(n_pre, n_post)),
          pre_(make_matrix(n_pre_traces, n_pre)), post_(make_matrix(n_post_traces, n_post)), column_(make_vector(n_pre))
    {
        detail::require(dt_ms > 0.0f, "dense_synapses: dt_ms must be positive, got {}", dt_ms);
        detail::require(bounds.w_min <= bounds.w_max, "dense_synapses: w_min ({}) > w_max ({})", bounds.w_min, bounds.w_max);
        const auto pre_spec = rule_.pre_traces();
        const auto post_spec = rule_.post_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k) pre_decay_[k] = decay_factor(pre_spec[k].tau_ms);
        for (std::size_t k = 0; k < n_post_traces; ++k) post_decay_[k] = decay_factor(post_spec[k].tau_ms);
    }

    std::size_t n_pre() const { return w_.shape()[0]; }
    std::size_t n_post() const { return w_.shape()[1]; }
    matrix_f& weights() { return w_; }
    const matrix_f& weights() const { return w_; }
    const Rule& rule() const { return rule_; }
    const weight_bounds& bounds() const { return bounds_; }
    /// Trace k of the presynaptic (resp. postsynaptic) neurons, one value per neuron.
    auto pre_trace(std::size_t k) { return xt::view(pre_, k, xt::all()); }
    auto post_trace(std::size_t k) { return xt::view(post_, k, xt::all()); }
    const matrix_f& pre_traces() const { return pre_; }
    const matrix_f& post_traces() const { return post_; }
    matrix_f& pre_traces() { return pre_; }
    matrix_f& post_traces() { return post_; }

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
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t n = n_post();
            const auto post_rows = rows(post_);
            for (const auto i : pre_spikes) {
                float* row = &w_(i, 0);
                traces<float, n_pre_traces> pre_i{};
                for (std::size_t k = 0; k < n_pre_traces; ++k) pre_i[k] = pre_(k, i);
                simd::for_each<V>(n, [&](std::size_t j, auto lane) {
                    using L = decltype(lane);
                    traces<L, n_pre_traces> pre;
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = L(pre_i[k]);
                    traces<L, n_post_traces> post;
                    for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = simd::load<L>(post_rows[k] + j);
                    const L w = simd::load<L>(row + j);
                    simd::store(row + j, clip<L>(w + rule_.template on_pre<L>(w, pre, post)));
                });
                bump(pre_, rule_.pre_traces(), i);
            }
        }
    }

    /// Learning for postsynaptic spikes: each spiking column gets on_post
    /// (gathered into a contiguous scratch column so the rule runs in SIMD),
    /// then the neuron's postsynaptic traces are bumped.
    template <class V = simd::batch>
    void on_post_spikes(std::span<const std::uint32_t> post_spikes)
    {
        if constexpr (!is_static_rule<Rule>) {
            const std::size_t n = n_pre(), stride = n_post();
            float* col = column_.data();
            const auto pre_rows = rows(pre_);
            for (const auto j : post_spikes) {
                const float* wj = w_.data() + j;
                for (std::size_t i = 0; i < n; ++i) col[i] = wj[i * stride];
                traces<float, n_post_traces> post_j{};
                for (std::size_t k = 0; k < n_post_traces; ++k) post_j[k] = post_(k, j);
                simd::for_each<V>(n, [&](std::size_t i, auto lane) {
                    using L = decltype(lane);
                    traces<L, n_pre_traces> pre;
                    for (std::size_t k = 0; k < n_pre_traces; ++k) pre[k] = simd::load<L>(pre_rows[k] + i);
                    traces<L, n_post_traces> post;
                    for (std::size_t k = 0; k < n_post_traces; ++k) post[k] = L(post_j[k]);
                    const L w = simd::load<L>(col + i);
                    simd::store(col + i, clip<L>(w + rule_.template on_post<L>(w, pre, post)));
                });
                float* wjm = w_.data() + j;
                for (std::size_t i = 0; i < n; ++i) wjm[i * stride] = col[i];
                bump(post_, rule_.post_traces(), j);
            }
        }
    }

    /// Decays every trace by one step.
    template <class V = simd::batch>
    void decay_traces()
    {
        for (std::size_t k = 0; k < n_pre_traces; ++k) detail::scale_in_place<V>(&pre_(k, 0), n_pre(), pre_decay_[k]);
        for (std::size_t k = 0; k < n_post_traces; ++k) detail::scale_in_place<V>(&post_(k, 0), n_post(), post_decay_[k]);
    }

    /// Decays every trace over ms of simulated time, in closed form.
    void decay_traces(double ms)
    {
        const auto pre_spec = rule_.pre_traces();
        const auto post_spec = rule_.post_traces();
        for (std::size_t k = 0; k < n_pre_traces; ++k)
            detail::scale_in_place<simd::batch>(&pre_(k, 0), n_pre(), static_cast<float>(std::exp(-ms / pre_spec[k].tau_ms)));
        for (std::size_t k = 0; k < n_post_traces; ++k)
            detail::scale_in_place<simd::batch>(&post_(k, 0), n_post(), static_cast<float>(std::exp(-ms / post_spec[k].tau_ms)));
    }

    void reset_traces()
    {
        pre_.fill(0.0f);
        post_.fill(0.0f);
    }

private:
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
    L clip(const L& w) const { return simd::clamp(w, L(bounds_.w_min), L(bounds_.w_max)); }

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
    matrix_f pre_, post_;   ///< [trace][neuron]
    vector_f column_;       ///< scratch for on_post
    std::array<float, n_pre_traces> pre_decay_{};
    std::array<float, n_post_traces> post_decay_{};
};

} // namespace somnus
