// SPDX-License-Identifier: MIT
// The options of the surrogate-gradient control of --protocol ours
// (sg_control.hpp), their validation and the units of its sweep.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <somnus/core/error.hpp>
#include <somnus/data/nmnist_frames.hpp>
#include <somnus/sleep/weights.hpp>

namespace somnus::example {

struct sg_control_options {
    std::filesystem::path data = "data/nmnist-synth";  ///< N-MNIST layout (Train/<digit>/*.bin, Test/...)
    std::vector<double> fractions{0.0, 0.05, 0.1, 0.2, 0.3, 0.5};  ///< sleep / (wake + sleep), each in [0, 1)
    std::size_t seeds = 5;                  ///< members per fraction
    std::size_t train_per_member = 300;     ///< recordings in each member's part
    std::size_t test = 250;                 ///< the first test recordings
    std::size_t epochs = 3;                 ///< wake + sleep cycles (per phase in the forgetting runs)
    /// Not the paper's 128: 300 recordings would give 3 updates an epoch
    /// (about 30 % test accuracy after 3 epochs); 16 gives 19.
    std::size_t batch = 16;
    float lr = 2e-2f;                       ///< Adam, betas 0.9 / 0.999, eps 1e-8
    /// The STDP network's stochastic_decay parameters (sleep/weights.hpp);
    /// baseline 0 for these signed weights (sg/sleep.hpp). Ours: the
    /// abstract gives no values.
    stochastic_decay::params decay{0.0f, 1.0e6, 0.01f, 10.0};
    float noise_rate_hz = 10.0f;            ///< per input unit during sleep
    bool forgetting = true;                 ///< also the two-phase (0-4 then 5-9) runs
    bool test_before_sleep = false;         ///< also test each epoch before its sleep
    bool forgetting_epoch_tests = false;    ///< test every epoch of the forgetting runs, not only each phase's last
    unsigned threads = 2;                   ///< results do not depend on it
    std::uint64_t seed = 0;
    std::size_t max_frames = nmnist_default_max_frames;  ///< per recording, at most nmnist_max_frames_limit
};

/// A setting for a smoke run in under a minute on 2 threads: 2 fractions
/// (0, 0.2), 2 seeds, 64 training recordings each, 64 test, 2 epochs,
/// batch 16, with the forgetting runs (8 units). Too little to learn much:
/// it checks the machinery, not the result.
inline sg_control_options sg_control_quick(std::filesystem::path data)
{
    sg_control_options o;
    o.data = std::move(data);
    o.fractions = {0.0, 0.2};
    o.seeds = 2;
    o.train_per_member = 64;
    o.test = 64;
    o.epochs = 2;
    o.batch = 16;
    return o;
}

/// config_error naming the option and its bad value; the checks that need
/// the data (sizes) are sg_control_session's.
inline void validate(const sg_control_options& o)
{
    using somnus::detail::require;
    require(!o.data.empty(), "sg control: data folder not given");
    require(!o.fractions.empty(), "sg control: no sleep fractions");
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        const double f = o.fractions[i];
        require(std::isfinite(f) && f >= 0.0 && f < 1.0, "sg control: fractions[{}] must be in [0, 1), got {}", i, f);
        for (std::size_t j = 0; j < i; ++j) require(o.fractions[j] != f, "sg control: sleep fraction {} given twice", f);
    }
    require(o.seeds >= 1 && o.seeds <= 1000, "sg control: seeds must be in [1, 1000], got {}", o.seeds);
    require(o.train_per_member >= 1, "sg control: train_per_member must be >= 1, got {}", o.train_per_member);
    require(o.test >= 1, "sg control: test must be >= 1, got {}", o.test);
    require(o.epochs >= 1 && o.epochs <= 100000, "sg control: epochs must be in [1, 100000], got {}", o.epochs);
    require(o.batch >= 1 && o.batch <= 100000, "sg control: batch must be in [1, 100000], got {}", o.batch);
    require(std::isfinite(o.lr) && o.lr > 0.0f, "sg control: lr must be finite and > 0, got {}", o.lr);
    require(o.threads >= 1 && o.threads <= 1024, "sg control: threads must be in [1, 1024], got {}", o.threads);
    require(o.max_frames >= 1 && o.max_frames <= nmnist_max_frames_limit, "sg control: max_frames must be in [1, {}], got {}",
            nmnist_max_frames_limit, o.max_frames);
    require(std::isfinite(o.noise_rate_hz) && o.noise_rate_hz >= 0.0f && o.noise_rate_hz <= 1000.0f,
            "sg control: noise_rate_hz must be in [0, 1000] (at most a spike per 1 ms step), got {}", o.noise_rate_hz);
    const auto& d = o.decay;
    require(std::isfinite(d.baseline), "sg control: decay.baseline must be finite, got {}", d.baseline);
    require(d.tau_ms > 0.0 && !std::isnan(d.tau_ms), "sg control: decay.tau_ms must be > 0, got {}", d.tau_ms);
    require(std::isfinite(d.sigma) && d.sigma >= 0.0f, "sg control: decay.sigma must be finite and >= 0, got {}", d.sigma);
    require(std::isfinite(d.every_ms) && d.every_ms >= 0.0, "sg control: decay.every_ms must be finite and >= 0, got {}", d.every_ms);
}

/// Units of the sweep: fractions x seeds main runs, then as many forgetting runs.
inline std::size_t unit_count(const sg_control_options& o)
{
    return o.fractions.size() * o.seeds * (o.forgetting ? 2 : 1);
}

struct sg_unit {
    bool forgetting = false;
    std::size_t fraction_index = 0, seed_index = 0;
};

inline sg_unit unit_at(const sg_control_options& o, std::size_t u)
{
    somnus::detail::require(u < unit_count(o), "sg control: unit {} out of range ({} units)", u, unit_count(o));
    const std::size_t per_kind = o.fractions.size() * o.seeds;
    return {u >= per_kind, (u % per_kind) / o.seeds, u % o.seeds};
}

} // namespace somnus::example
