// SPDX-License-Identifier: MIT
// Drives that replace the data during sleep: Poisson input following the
// mean training image (Tadros, Krishnan & Bazhenov 2019), optionally masked
// to a random square window redrawn every step (the Bazhenov lab's sleep
// replay code masks to 11x11 every 1 ms); uniform noise on every input
// ("dreaming"); spontaneous conductance kicks inside a population while the
// input is silent (Massey et al. 2026's spontaneous activity; Capone et al.
// 2019's background noise).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

/// rate_i += rate_scale * (mean training image's waking rate of input i),
/// inside a window_px x window_px square at a random position, redrawn
/// every step (window_px = 0: the whole image).
struct mean_image_drive {
    struct params {
        float rate_scale = 1.0f;
        std::size_t window_px = 0;

        template <class F>
        void each_field(F&& f) const
        {
            f("rate_scale", rate_scale);
            f("window_px", window_px);
        }
    };
    params p{};
    /// step() sets the drive only (core/concepts.hpp).
    static constexpr bool leaves_weights_in_step = true;

    template <class Context>
    void begin(Context& c)
    {
        detail::require(std::isfinite(p.rate_scale) && p.rate_scale >= 0.0f,
                        "mean_image_drive: rate_scale must be finite and >= 0, got {}", p.rate_scale);
        detail::require(p.window_px == 0 || (c.input_rows > 0 && p.window_px <= c.input_rows && p.window_px <= c.input_cols),
                        "mean_image_drive: a {} px window needs an input image at least that large ({}x{})", p.window_px,
                        c.input_rows, c.input_cols);
    }
    template <class Context>
    void step(Context& c)
    {
        const auto& mean = c.mean_image_rates_hz;
        if (p.window_px == 0) {
            for (std::size_t i = 0; i < mean.size(); ++i) c.input_rates_hz[i] += p.rate_scale * mean[i];
            return;
        }
        const std::size_t w = p.window_px;
        const std::size_t r0 = c.random().below(c.input_rows - w + 1), c0 = c.random().below(c.input_cols - w + 1);
        for (std::size_t r = r0; r < r0 + w; ++r)
            for (std::size_t q = c0; q < c0 + w; ++q) {
                const std::size_t i = r * c.input_cols + q;
                c.input_rates_hz[i] += p.rate_scale * mean[i];
            }
    }
};

/// Every input fires at rate_hz (a homogeneous Poisson process).
struct noise_drive {
    struct params {
        float rate_hz = 10.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("rate_hz", rate_hz);
        }
    };
    params p{};
    /// step() sets the drive only (core/concepts.hpp).
    static constexpr bool leaves_weights_in_step = true;

    template <class Context>
    void begin(Context&)
    {
        detail::require(std::isfinite(p.rate_hz) && p.rate_hz >= 0.0f, "noise_drive: rate_hz must be finite and >= 0, got {}",
                        p.rate_hz);
    }
    template <class Context>
    void step(Context& c)
    {
        for (auto& r : c.input_rates_hz) r += p.rate_hz;
    }
};

/// Each neuron of a population ("exc" or "inh") receives, independently in
/// every step with probability rate_hz * dt, a kick of `weight` on its
/// excitatory input channel: spontaneous activity with the input silent.
struct spontaneous_activity {
    struct params {
        std::string_view population = "exc";
        float rate_hz = 20.0f;
        float weight = 1.0f;

        template <class F>
        void each_field(F&& f) const
        {
            f("population", population);
            f("rate_hz", rate_hz);
            f("weight", weight);
        }
    };
    params p{};
    /// step() sets the drive only (core/concepts.hpp).
    static constexpr bool leaves_weights_in_step = true;

    spontaneous_activity() = default;
    explicit spontaneous_activity(params q) : p(q) {}

    template <class Context>
    void begin(Context& c)
    {
        detail::require(p.population == "exc" || p.population == "inh",
                        "spontaneous_activity: population must be \"exc\" or \"inh\", got \"{}\"", p.population);
        detail::require(std::isfinite(p.rate_hz) && p.rate_hz >= 0.0f && std::isfinite(p.weight) && p.weight >= 0.0f,
                        "spontaneous_activity: rate_hz ({}) and weight ({}) must be finite and >= 0", p.rate_hz, p.weight);
        probability_ = std::min(1.0, double(p.rate_hz) * double(c.dt_ms) * 1.0e-3);
    }
    template <class Context>
    void step(Context& c)
    {
        const population_view& pop = p.population == "exc" ? c.exc : c.inh;
        if (probability_ <= 0.0) return;
        for (std::size_t j = 0; j < pop.size; ++j)
            if (c.random().uniform() < probability_) pop.input_exc[j] += p.weight;
    }

private:
    double probability_ = 0.0;
};

static_assert(sleep_mechanism<mean_image_drive>);
static_assert(sleep_mechanism<noise_drive>);
static_assert(sleep_mechanism<spontaneous_activity>);

/// The neuron models' own membrane noise drives the phase (Massey et al.
/// 2026: with the input off, per-step noise on the membrane is the only
/// drive). For models with noise (neuron/current_lif.hpp); others ignore it.
struct membrane_noise {
    struct params {};
    template <class Context>
    void begin(Context& c)
    {
        c.noise = true;
    }
};

static_assert(sleep_mechanism<membrane_noise>);

} // namespace somnus
