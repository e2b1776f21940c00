// SPDX-License-Identifier: MIT
// Operations on the plastic weights during or after a sleep phase:
// global multiplicative downscaling (Tononi & Cirelli's synaptic homeostasis
// hypothesis), stochastic decay toward a baseline (an Ornstein-Uhlenbeck
// process, exact for any interval; Massey et al. 2026's "stochastic decay
// toward a homeostatic baseline"), pruning below a floor, and normalisation
// of each neuron's incoming weights to a target norm. Every operation acts
// on every plastic projection the context names, keeps weights within its
// bounds and flags the columns it changed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

namespace detail {

/// Calls f(w, j) for every existing synapse of every plastic projection (w
/// by reference, j its postsynaptic neuron), clips to the bounds and flags
/// every column.
template <class Context, class F>
void for_each_plastic_weight(Context& c, F&& f)
{
    for (auto& proj : c.projections) {
        if (proj.weights == nullptr) continue;
        matrix_f& w = *proj.weights;
        const std::size_t rows = w.shape()[0], cols = w.shape()[1];
        float* data = w.data();
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                if (!proj.exists(i, j, cols)) continue;  // absent synapses of a sparse projection stay 0
                float& x = data[i * cols + j];
                f(x, j);
                x = std::clamp(x, proj.w_min, proj.w_max);
            }
        std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
    }
}

/// Steps between two applications of an operation done every every_ms (at
/// least 1); 0 for every_ms = 0, meaning "at the end only".
inline std::uint64_t steps_every(double every_ms, float dt_ms)
{
    if (every_ms <= 0.0) return 0;
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(every_ms / double(dt_ms))));
}

} // namespace detail

/// At the end of the phase every plastic weight is multiplied by `factor`.
struct downscale {
    struct params {
        float factor = 0.8f;

        template <class F>
        void each_field(F&& f) const
        {
            f("factor", factor);
        }
    };
    params p{};

    template <class Context>
    void begin(Context&)
    {
        detail::require(std::isfinite(p.factor) && p.factor >= 0.0f, "downscale: factor must be finite and >= 0, got {}", p.factor);
    }
    template <class Context>
    void step(Context&) {}
    template <class Context>
    void end(Context& c)
    {
        detail::for_each_plastic_weight(c, [&](float& w, std::size_t) { w *= p.factor; });
    }
};

/// Every every_ms of the phase, each plastic weight relaxes toward
/// `baseline` with time constant tau_ms and diffuses with stationary
/// standard deviation sigma: over an interval h, with a = exp(-h / tau),
///   w <- baseline + (w - baseline) a + sigma sqrt(1 - a^2) xi,  xi ~ N(0, 1)
/// (the exact Ornstein-Uhlenbeck transition, then clipped to the bounds).
/// sigma = 0 is deterministic exponential decay; every_ms = 0 applies the
/// whole phase's decay once, at its end.
struct stochastic_decay {
    struct params {
        float baseline = 0.1f;
        double tau_ms = 1000.0;
        float sigma = 0.0f;
        double every_ms = 10.0;

        template <class F>
        void each_field(F&& f) const
        {
            f("baseline", baseline);
            f("tau_ms", tau_ms);
            f("sigma", sigma);
            f("every_ms", every_ms);
        }
    };
    params p{};

    stochastic_decay() = default;
    explicit stochastic_decay(params q) : p(q) {}

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.baseline) && std::isfinite(p.sigma) && p.sigma >= 0.0f && p.tau_ms > 0.0 &&
                            !std::isnan(p.tau_ms) && std::isfinite(p.every_ms) && p.every_ms >= 0.0,
                        "stochastic_decay: baseline {}, tau_ms {}, sigma {}, every_ms {} (need tau > 0, sigma >= 0, every >= 0)",
                        p.baseline, p.tau_ms, p.sigma, p.every_ms);
        every_ = detail::steps_every(p.every_ms, c.dt_ms);
        since_ = 0;
    }
    template <class Context>
    void step(Context& c)
    {
        if (every_ == 0 || ++since_ < every_) return;
        since_ = 0;
        apply(c, double(every_) * c.dt_ms);
    }
    template <class Context>
    void end(Context& c)
    {
        // What is left of the phase since the last application.
        const std::uint64_t left = every_ == 0 ? c.steps : since_;
        if (left > 0) apply(c, double(left) * c.dt_ms);
    }

private:
    template <class Context>
    void apply(Context& c, double interval_ms)
    {
        const double a = std::exp(-interval_ms / p.tau_ms);
        const auto keep = static_cast<float>(a);
        const auto spread = static_cast<float>(double(p.sigma) * std::sqrt(std::max(0.0, 1.0 - a * a)));
        const float b = p.baseline;
        if (spread == 0.0f) {
            detail::for_each_plastic_weight(c, [&](float& w, std::size_t) { w = b + (w - b) * keep; });
        } else {
            auto& rng = c.random();
            detail::for_each_plastic_weight(c, [&](float& w, std::size_t) {
                w = b + (w - b) * keep + spread * static_cast<float>(rng.normal());
            });
        }
    }
    std::uint64_t every_ = 0, since_ = 0;
};

/// Weights whose magnitude is below `floor` are set to zero (clipped into
/// the bounds), every every_ms, or at the end only (every_ms = 0).
struct prune {
    struct params {
        float floor = 0.01f;
        double every_ms = 0.0;

        template <class F>
        void each_field(F&& f) const
        {
            f("floor", floor);
            f("every_ms", every_ms);
        }
    };
    params p{};

    prune() = default;
    explicit prune(params q) : p(q) {}

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.floor) && p.floor >= 0.0f && std::isfinite(p.every_ms) && p.every_ms >= 0.0,
                        "prune: floor ({}) and every_ms ({}) must be finite and >= 0", p.floor, p.every_ms);
        every_ = detail::steps_every(p.every_ms, c.dt_ms);
        since_ = 0;
    }
    template <class Context>
    void step(Context& c)
    {
        if (every_ == 0 || ++since_ < every_) return;
        since_ = 0;
        apply(c);
    }
    template <class Context>
    void end(Context& c)
    {
        apply(c);
    }

private:
    template <class Context>
    void apply(Context& c)
    {
        detail::for_each_plastic_weight(c, [&](float& w, std::size_t) {
            if (std::abs(w) < p.floor) w = 0.0f;
        });
    }
    std::uint64_t every_ = 0, since_ = 0;
};

/// Each neuron's incoming plastic weights are scaled to an L1 (norm = 1) or
/// L2 (norm = 2) norm of `target`, every every_ms (0: at the end only). A
/// neuron whose weights are all zero is left alone.
struct normalize_weights {
    struct params {
        float target = 78.0f;
        int norm = 1;
        double every_ms = 0.0;

        template <class F>
        void each_field(F&& f) const
        {
            f("target", target);
            f("norm", norm);
            f("every_ms", every_ms);
        }
    };
    params p{};

    normalize_weights() = default;
    explicit normalize_weights(params q) : p(q) {}

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.target) && p.target >= 0.0f && (p.norm == 1 || p.norm == 2) && std::isfinite(p.every_ms) &&
                            p.every_ms >= 0.0,
                        "normalize_weights: target {} (>= 0), norm {} (1 or 2), every_ms {} (>= 0)", p.target, p.norm, p.every_ms);
        every_ = detail::steps_every(p.every_ms, c.dt_ms);
        since_ = 0;
    }
    template <class Context>
    void step(Context& c)
    {
        if (every_ == 0 || ++since_ < every_) return;
        since_ = 0;
        apply(c);
    }
    template <class Context>
    void end(Context& c)
    {
        apply(c);
    }

private:
    template <class Context>
    void apply(Context& c)
    {
        for (auto& proj : c.projections) {
            if (proj.weights == nullptr) continue;
            matrix_f& w = *proj.weights;
            const std::size_t rows = w.shape()[0], cols = w.shape()[1];
            norms_.assign(cols, 0.0);
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t j = 0; j < cols; ++j) {
                    const double x = w(i, j);
                    norms_[j] += p.norm == 1 ? std::abs(x) : x * x;
                }
            for (std::size_t j = 0; j < cols; ++j) {
                const double n = p.norm == 1 ? norms_[j] : std::sqrt(norms_[j]);
                norms_[j] = n > 0.0 ? double(p.target) / n : 1.0;
            }
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t j = 0; j < cols; ++j)
                    if (proj.exists(i, j, cols))
                        w(i, j) = std::clamp(static_cast<float>(double(w(i, j)) * norms_[j]), proj.w_min, proj.w_max);
            std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
        }
    }
    std::uint64_t every_ = 0, since_ = 0;
    std::vector<double> norms_;
};

static_assert(sleep_mechanism<downscale>);
static_assert(sleep_mechanism<stochastic_decay>);
static_assert(sleep_mechanism<prune>);
static_assert(sleep_mechanism<normalize_weights>);

} // namespace somnus
