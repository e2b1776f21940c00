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
#include <span>
#include <string_view>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/steps.hpp"

namespace somnus {

namespace detail {

/// Calls f(w, j) for every existing synapse of every plastic projection (w
/// by reference, j its postsynaptic neuron), clips to the bounds and flags
/// every column.
template <class Context, class F>
void for_each_plastic_weight(Context& c, F&& f)
{
    for (auto& proj : c.projections) {
        if (!proj.values.empty()) {
            // A projection that stores only its synapses.
            for (std::size_t k = 0; k < proj.values.size(); ++k) {
                float& x = proj.values[k];
                f(x, std::size_t(proj.value_post[k]));
                x = std::clamp(x, proj.w_min, proj.w_max);
            }
            std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
            continue;
        }
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
/// least 1); 0 for every_ms = 0, meaning "at the end only". `what` names
/// the parameter in the config_error for a NaN, negative or endless every_ms.
inline std::uint64_t steps_every(std::string_view what, double every_ms, float dt_ms)
{
    if (every_ms == 0.0) return 0;
    return std::max<std::uint64_t>(1, steps_of(what, every_ms, dt_ms));
}

/// Work a mechanism does every every_ms of a phase (0: at the end only):
/// start() in begin, due() in every step (true on every `every`-th call),
/// since: steps since it was last due.
struct cadence {
    std::uint64_t every = 0, since = 0;

    void start(std::string_view what, double every_ms, float dt_ms)
    {
        every = steps_every(what, every_ms, dt_ms);
        since = 0;
    }
    bool due()
    {
        if (every == 0 || ++since < every) return false;
        since = 0;
        return true;
    }
};

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
        cadence_.start("stochastic_decay: every_ms", p.every_ms, c.dt_ms);
    }
    template <class Context>
    void step(Context& c)
    {
        if (cadence_.due()) apply(c, double(cadence_.every) * c.dt_ms);
    }
    template <class Context>
    void end(Context& c)
    {
        // What is left of the phase since the last application.
        const std::uint64_t left = cadence_.every == 0 ? c.steps : cadence_.since;
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
    detail::cadence cadence_;
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
        cadence_.start("prune: every_ms", p.every_ms, c.dt_ms);
    }
    template <class Context>
    void step(Context& c)
    {
        if (cadence_.due()) apply(c);
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
    detail::cadence cadence_;
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
        cadence_.start("normalize_weights: every_ms", p.every_ms, c.dt_ms);
    }
    template <class Context>
    void step(Context& c)
    {
        if (cadence_.due()) apply(c);
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
            if (!proj.values.empty()) {
                apply_compact(proj);
                continue;
            }
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
    void apply_compact(projection_view& proj)
    {
        std::size_t cols = 0;
        for (const auto j : proj.value_post) cols = std::max<std::size_t>(cols, std::size_t(j) + 1);
        norms_.assign(cols, 0.0);
        for (std::size_t k = 0; k < proj.values.size(); ++k) {
            const double x = proj.values[k];
            norms_[proj.value_post[k]] += p.norm == 1 ? std::abs(x) : x * x;
        }
        for (std::size_t j = 0; j < cols; ++j) {
            const double n = p.norm == 1 ? norms_[j] : std::sqrt(norms_[j]);
            norms_[j] = n > 0.0 ? double(p.target) / n : 1.0;
        }
        for (std::size_t k = 0; k < proj.values.size(); ++k)
            proj.values[k] = std::clamp(static_cast<float>(double(proj.values[k]) * norms_[proj.value_post[k]]), proj.w_min, proj.w_max);
        std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
    }

    detail::cadence cadence_;
    std::vector<double> norms_;
};

/// Massey et al. 2026's sleep decay, as their code runs it (src/weight_funcs.py,
/// sleep_func, commit 40b7d33; DESIGN.md section 9a): after every offline
/// step, every existing synapse's magnitude moves toward `target` in log
/// space, keeping its sign,
///   |w| <- target (|w| / target)^lambda,
/// so ln(|w| / target) shrinks by the factor lambda per step (lambda =
/// 0.99997: e^-0.3 of it is left after 10 000 steps). Their step order is
/// dynamics, STDP, then the decay, so here the decay of an offline step runs
/// in the next step's hook, and end() applies the last one. A synapse at 0
/// stays 0. In a combine, put it before a mechanism that ends the phase on
/// the weights (stop_at_baseline), which must see them decayed.
struct log_decay {
    struct params {
        float target = 0.01f;
        double lambda = 0.99997;

        template <class F>
        void each_field(F&& f) const
        {
            f("target", target);
            f("lambda", lambda);
        }
    };
    params p{};

    log_decay() = default;
    explicit log_decay(params q) : p(q) {}

    template <class Context>
    void begin(Context&)
    {
        detail::require(std::isfinite(p.target) && p.target > 0.0f && std::isfinite(p.lambda) && p.lambda >= 0.0 && p.lambda <= 1.0,
                        "log_decay: target {} must be > 0 and lambda {} in [0, 1]", p.target, p.lambda);
        pending_ = false;
    }
    template <class Context>
    void step(Context& c)
    {
        if (pending_) apply(c);
        pending_ = true;
    }
    /// The last offline step's decay, unless the phase stopped early (then
    /// the step after the last decay never ran).
    template <class Context>
    void end(Context& c)
    {
        if (pending_ && !c.finished) apply(c);
        pending_ = false;
    }

    /// One decay of every value in w (sign kept), SIMD with a scalar tail,
    /// written as |w| (target / |w|)^(1 - lambda), which keeps lambda's
    /// distance from 1 (3e-5) to float precision where lambda itself would
    /// not be.
    template <class V = simd::batch>
    static void decay(std::span<float> w, float target, double lambda)
    {
        const auto c = static_cast<float>(1.0 - lambda);
        simd::for_each<V>(w.size(), [=, data = w.data()](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L x = simd::load<L>(data + i);
            const L a = simd::abs(x);
            const L m = simd::select(a > L(0.0f), a * simd::pow(L(target) / a, L(c)), L(0.0f));
            simd::store(data + i, simd::select(x < L(0.0f), L(0.0f) - m, m));
        });
    }

private:
    template <class Context>
    void apply(Context& c)
    {
        for (auto& proj : c.projections) {
            if (!proj.values.empty()) {
                decay(proj.values, p.target, p.lambda);
                std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
            } else if (proj.weights != nullptr) {
                matrix_f& w = *proj.weights;
                decay(std::span<float>(w.data(), w.size()), p.target, p.lambda);
                std::fill(proj.changed.begin(), proj.changed.end(), std::uint8_t{1});
            }
        }
    }
    bool pending_ = false;
};

/// Ends the phase early, before any offline step, once the total |w| of the
/// excitatory plastic projections and that of the inhibitory ones are both
/// within `tolerance` (relative) of given baselines: Massey et al.'s code
/// stops sleeping when both are within 0.1 % of their values at the start of
/// training (src/train.py, the hard-pause loop). A negative baseline
/// disables that side's condition; with both negative it never stops.
struct stop_at_baseline {
    struct params {
        double excitatory_total = -1.0;  ///< sum of |w| over the excitatory projections to return to
        double inhibitory_total = -1.0;  ///< the same over the inhibitory projections
        double tolerance = 1.0e-3;

        template <class F>
        void each_field(F&& f) const
        {
            f("excitatory_total", excitatory_total);
            f("inhibitory_total", inhibitory_total);
            f("tolerance", tolerance);
        }
    };
    params p{};

    stop_at_baseline() = default;
    explicit stop_at_baseline(params q) : p(q) {}

    template <class Context>
    void begin(Context&)
    {
        detail::require(std::isfinite(p.excitatory_total) && std::isfinite(p.inhibitory_total) && std::isfinite(p.tolerance) &&
                            p.tolerance >= 0.0,
                        "stop_at_baseline: totals {} / {} must be finite and tolerance {} >= 0", p.excitatory_total,
                        p.inhibitory_total, p.tolerance);
        stopped_at_ = -1;
    }
    template <class Context>
    void step(Context& c)
    {
        if (c.finished) return;
        double exc = 0.0, inh = 0.0;
        for (const auto& proj : c.projections) {
            const double t = total_magnitude(proj);
            (proj.sign == synapse_sign::excitatory ? exc : inh) += t;
        }
        const auto near = [&](double total, double base) { return base < 0.0 || std::abs(total - base) <= p.tolerance * base; };
        const bool active = p.excitatory_total >= 0.0 || p.inhibitory_total >= 0.0;
        if (active && near(exc, p.excitatory_total) && near(inh, p.inhibitory_total)) {
            c.finished = true;
            stopped_at_ = static_cast<std::int64_t>(c.step);
        }
    }

    /// The offline step before which the last phase stopped, or -1 if it ran its length.
    std::int64_t stopped_at() const { return stopped_at_; }

    static double total_magnitude(const projection_view& proj)
    {
        double s = 0.0;
        if (!proj.values.empty()) {
            for (const float x : proj.values) s += std::abs(double(x));
        } else if (proj.weights != nullptr) {
            for (const float x : *proj.weights) s += std::abs(double(x));
        }
        return s;
    }

private:
    std::int64_t stopped_at_ = -1;
};

static_assert(sleep_mechanism<downscale>);
static_assert(sleep_mechanism<stochastic_decay>);
static_assert(sleep_mechanism<prune>);
static_assert(sleep_mechanism<normalize_weights>);
static_assert(sleep_mechanism<log_decay>);
static_assert(sleep_mechanism<stop_at_baseline>);

} // namespace somnus
