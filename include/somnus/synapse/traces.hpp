// SPDX-License-Identifier: MIT
// The postsynaptic spike traces of one population: K exponentially decaying
// traces per neuron, as a plasticity rule's post_traces() specifies them,
// with the list of neurons whose traces are non-zero (the "recently active"
// neurons event-driven learning visits). A population owns one, and every
// plastic projection onto it reads the same values (they are a property of
// the postsynaptic neuron, not of a synapse), so the traces are decayed once
// per step and bumped once per spike however many projections learn from
// them. A projection used on its own (synapse/dense.hpp) owns its own.
//
// Traces are set to zero once below floor times their bump amount, which
// keeps the active list exact (a trace is non-zero iff its neuron spiked in
// the last ~14 time constants at the default floor of 1e-6).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/simd.hpp"
#include "../core/tensor.hpp"

namespace somnus {

template <std::size_t K>
class trace_set {
public:
    static constexpr std::size_t count = K;

    trace_set() = default;
    trace_set(std::size_t n, const std::array<trace_spec, K>& spec, float dt_ms) : spec_(spec), x_(make_matrix(K, n))
    {
        detail::require(dt_ms > 0.0f, "trace_set: dt_ms must be positive, got {}", dt_ms);
        for (std::size_t k = 0; k < K; ++k) {
            detail::require(spec[k].tau_ms > 0.0f, "trace_set: trace time constant must be positive, got {}", spec[k].tau_ms);
            decay_[k] = static_cast<float>(std::exp(-double(dt_ms) / double(spec[k].tau_ms)));
        }
        set_floor(1.0e-6f);
        active_.reserve(n);
    }

    std::size_t size() const { return x_.shape()[1]; }
    const std::array<trace_spec, K>& spec() const { return spec_; }

    /// Traces below floor * (bump amount) are set to zero when they decay.
    void set_floor(float floor)
    {
        detail::require(floor >= 0.0f && floor < 1.0f, "trace_set: floor must be in [0, 1), got {}", floor);
        floor_ = floor;
        for (std::size_t k = 0; k < K; ++k) floor_k_[k] = floor * std::abs(spec_[k].amount);
    }
    float floor() const { return floor_; }

    /// Trace k of neuron j.
    float operator()(std::size_t k, std::size_t j) const { return x_(k, j); }
    /// [trace][neuron]. Mutable access marks the active list for a rebuild.
    const matrix_f& values() const { return x_; }
    matrix_f& values()
    {
        dirty_ = true;
        return x_;
    }
    /// Neurons with a non-zero trace (in no particular order).
    std::span<const std::uint32_t> active()
    {
        if (dirty_) rebuild();
        return active_;
    }

    /// Neuron j's traces as a rule's hooks take them.
    traces<float, K> of(std::size_t j) const
    {
        traces<float, K> t{};
        for (std::size_t k = 0; k < K; ++k) t[k] = x_(k, j);
        return t;
    }

    /// One step's decay: only the active neurons have non-zero traces, so
    /// only they are visited (a scalar multiply gives the bits a SIMD lane
    /// would); neurons whose traces all reach zero leave the list.
    void decay() { decay_by(decay_); }

    /// Decay over ms of simulated time, in closed form.
    void decay(double ms)
    {
        std::array<float, K> f{};
        for (std::size_t k = 0; k < K; ++k) f[k] = static_cast<float>(std::exp(-ms / spec_[k].tau_ms));
        decay_by(f);
    }

    /// Neuron j spiked: bump its traces; it joins the active list if they
    /// were all zero.
    void bump(std::size_t j)
    {
        if (dirty_) rebuild();
        bool was_active = false;
        for (std::size_t k = 0; k < K; ++k) was_active = was_active || x_(k, j) != 0.0f;
        for (std::size_t k = 0; k < K; ++k) {
            float& x = x_(k, j);
            x = spec_[k].bump == trace_bump::add ? x + spec_[k].amount : spec_[k].amount;
        }
        if (!was_active && K > 0) active_.push_back(static_cast<std::uint32_t>(j));
    }

    void reset()
    {
        x_.fill(0.0f);
        active_.clear();
        dirty_ = false;
    }

    /// Rebuilds the active list from the values (after they were edited).
    void rebuild()
    {
        dirty_ = false;
        active_.clear();
        for (std::size_t j = 0; j < size(); ++j) {
            bool any = false;
            for (std::size_t k = 0; k < K; ++k) any = any || x_(k, j) != 0.0f;
            if (any) active_.push_back(static_cast<std::uint32_t>(j));
        }
    }

    /// True if other describes the same traces (time constants, bumps,
    /// amounts): then the two may be shared.
    template <std::size_t L>
    bool same_spec(const std::array<trace_spec, L>& other) const
    {
        if (L != K) return false;
        for (std::size_t k = 0; k < K; ++k)
            if (spec_[k].tau_ms != other[k].tau_ms || spec_[k].bump != other[k].bump || spec_[k].amount != other[k].amount)
                return false;
        return true;
    }

private:
    void decay_by(const std::array<float, K>& f)
    {
        if constexpr (K > 0) {
            if (dirty_) rebuild();
            if (active_.size() * 4 >= size() && size() >= simd::width) {
                decay_all(f);
                return;
            }
            // Factors and floors in locals (stores through x would otherwise
            // make the compiler reload them), and no branches: which traces
            // reach the floor is data.
            const std::array<float, K> factor = f, lo = floor_k_;
            float* const x = x_.data();
            const std::size_t n = size(), m = active_.size();
            std::uint32_t* const list = active_.data();
            std::size_t keep = 0;
            for (std::size_t a = 0; a < m; ++a) {
                const std::uint32_t j = list[a];
                bool nonzero = false;
                for (std::size_t k = 0; k < K; ++k) {
                    float& xk = x[k * n + j];
                    const float y0 = xk * factor[k];
                    const float y = std::abs(y0) < lo[k] ? 0.0f : y0;
                    xk = y;
                    nonzero = nonzero | (y != 0.0f);
                }
                list[keep] = j;
                keep += nonzero ? 1 : 0;
            }
            active_.resize(keep);
        }
    }

    /// decay_by for a population most of which is active (a sleep phase):
    /// every neuron in SIMD lanes (zeros stay zero, and a lane's multiply
    /// and floor are the scalar's), then the active list rebuilt in neuron
    /// order from the lanes left non-zero. Same values; only the list's
    /// order differs, which nothing reads.
    void decay_all(const std::array<float, K>& f)
    {
        const std::size_t n = size();
        active_.resize(n);
        std::uint32_t* list = active_.data();
        std::size_t listed = 0, j = 0;
        for (; j + simd::width <= n; j += simd::width) {
            simd::batch_mask any(false);
            for (std::size_t k = 0; k < K; ++k) {
                float* x = x_.data() + k * n + j;
                const simd::batch y0 = simd::load<simd::batch>(x) * simd::batch(f[k]);
                const simd::batch y = simd::select(simd::abs(y0) < simd::batch(floor_k_[k]), simd::batch(0.0f), y0);
                simd::store(x, y);
                any = any || (y != simd::batch(0.0f));
            }
            if (simd::any(any)) {
                alignas(64) bool lane[simd::width];
                any.store_aligned(lane);
                for (std::size_t l = 0; l < simd::width; ++l) {
                    list[listed] = static_cast<std::uint32_t>(j + l);
                    listed += lane[l] ? 1 : 0;
                }
            }
        }
        for (; j < n; ++j) {
            bool nonzero = false;
            for (std::size_t k = 0; k < K; ++k) {
                float& x = x_.data()[k * n + j];
                const float y0 = x * f[k];
                x = std::abs(y0) < floor_k_[k] ? 0.0f : y0;
                nonzero = nonzero || x != 0.0f;
            }
            list[listed] = static_cast<std::uint32_t>(j);
            listed += nonzero ? 1 : 0;
        }
        active_.resize(listed);
    }

    std::array<trace_spec, K> spec_{};
    matrix_f x_ = make_matrix(K, 0);
    std::array<float, K> decay_{};
    float floor_ = 0.0f;
    std::array<float, K> floor_k_{};
    std::vector<std::uint32_t> active_;
    bool dirty_ = false;
};

} // namespace somnus
