// SPDX-License-Identifier: MIT
// Named sleep phases, each composed from the mechanisms of drives.hpp,
// modulation.hpp and weights.hpp and labelled with where it comes from. A
// recipe is a combine<...> like any other: its parts can be read and changed
// (recipe.get<I>().p), and a user can build a different phase the same way.
//
//   tadros_2019           Tadros, Krishnan & Bazhenov 2019: mean-image
//                         Poisson drive, faster leak, excitation up,
//                         inhibition down; the paper gives no numbers, so
//                         every value is this library's (chosen on a
//                         validation split, docs/results.md)
//   summary_scale_decay_prune
//                         a third-party summary of Massey et al. 2026 (a
//                         skill page, not the paper): each step, incoming
//                         weights scaled to a target norm, decayed by 0.99
//                         toward 0.1, pruned below 0.01
//   synaptic_downscaling  the synaptic homeostasis hypothesis (Tononi &
//                         Cirelli 2003): every weight times a factor
//   noise_injection       "dreaming": uniform Poisson noise on every input,
//                         with the waking plasticity on
//   massey_2026           Massey et al. 2026 as their code runs it: input
//                         off, membrane noise as the drive, STDP and
//                         thresholds on, every synapse decayed in log space
//                         toward +-0.01, the phase ending once the weight
//                         totals are back at their start-of-training values
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include "../core/combine.hpp"
#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "drives.hpp"
#include "modulation.hpp"
#include "weights.hpp"

namespace somnus {

/// Switches the waking plasticity (STDP on the plastic projections) and
/// homeostasis (threshold adaptation) on or off for the phase; the waking
/// settings return with the next presentation. Tadros et al.'s ablation
/// sleeps with STDP alone: {stdp = true, homeostasis = false}.
struct plasticity_switch {
    struct params {
        bool stdp = true;
        bool homeostasis = true;

        template <class F>
        void each_field(F&& f) const
        {
            f("stdp", stdp);
            f("homeostasis", homeostasis);
        }
    };
    params p{};

    plasticity_switch() = default;
    explicit plasticity_switch(params q) : p(q) {}

    template <class Context>
    void begin(Context& c)
    {
        c.plasticity = p.stdp;
        c.homeostasis = p.homeostasis;
    }
};

static_assert(sleep_mechanism<plasticity_switch>);

namespace recipes {

// ---------------------------------------------------------------------------
// Tadros, Krishnan & Bazhenov 2019
// ---------------------------------------------------------------------------

/// What the paper states, and the value this library uses for each.
/// The paper (seed text; no code or parameter table is public) says: Poisson
/// input following the mean training image, leak and excitatory (AMPA)
/// currents increased, inhibition reduced, the same STDP and threshold
/// adaptation on. The defaults are the setting examples/sleep chose on a
/// validation split held out of the training images (images 50 000-51 999; never
/// the test set) for N = 400 after 1 000 images, by a 2^5 factorial search
/// followed by coordinate passes (docs/results.md, "Sleep"):
///   rate_scale 0.5 the mean image at half the waking rate (pixel / 8 Hz)
///   window_px  0   the whole image (the lab's replay code masks to 11x11)
///   exc_gain   1   input -> excitatory and excitatory -> inhibitory
///                  unchanged (x1.5 and x2 scored lower on validation)
///   inh_gain   0   inhibition off ("reduced", taken to its limit)
///   leak       4   tau_m / 4 for the excitatory neurons
///   stdp       false: no setting with STDP on beat the awake network
///                  (17 tried: 10.1-62.1 % validation accuracy against 61.0 %
///                  awake, 65.3 % for this phase); the paper's description
///                  has it on: set true for that
///   threshold_adaptation true (the paper's), the adaptive threshold's
///                  per-spike increment and decay as awake
///   duration   2000 ms
struct tadros_2019_params {
    float rate_scale = 0.5f;
    std::size_t window_px = 0;
    float exc_gain = 1.0f;
    float inh_gain = 0.0f;
    float leak = 4.0f;
    bool stdp = false;
    bool threshold_adaptation = true;
    double duration_ms = 2000.0;

    template <class F>
    void each_field(F&& f) const
    {
        f("rate_scale", rate_scale);
        f("window_px", window_px);
        f("exc_gain", exc_gain);
        f("inh_gain", inh_gain);
        f("leak", leak);
        f("stdp", stdp);
        f("threshold_adaptation", threshold_adaptation);
        f("duration_ms", duration_ms);
    }

    void validate() const
    {
        detail::require(std::isfinite(rate_scale) && rate_scale >= 0.0f, "tadros_2019: rate_scale must be finite and >= 0, got {}",
                        rate_scale);
        detail::require(std::isfinite(exc_gain) && exc_gain >= 0.0f && std::isfinite(inh_gain) && inh_gain >= 0.0f,
                        "tadros_2019: gains must be finite and >= 0, got {} and {}", exc_gain, inh_gain);
        detail::require(std::isfinite(leak) && leak > 0.0f, "tadros_2019: leak must be finite and > 0, got {}", leak);
        detail::require(std::isfinite(duration_ms) && duration_ms >= 0.0, "tadros_2019: duration_ms must be finite and >= 0, got {}",
                        duration_ms);
    }
};

using tadros_2019_phase = combine<mean_image_drive, scale_gains, scale_leak<population_kind::exc>, plasticity_switch>;

inline constexpr std::string_view tadros_2019_source =
    "Tadros, Krishnan & Bazhenov 2019 (mean-image Poisson drive, leak and excitation up, inhibition down); "
    "the values are this library's, chosen on a validation split";

/// The phase of tadros_2019_params p (its duration is p.duration_ms: the
/// caller runs net.sleep(phase, p.duration_ms)).
inline tadros_2019_phase tadros_2019(const tadros_2019_params& p = {})
{
    p.validate();
    tadros_2019_phase phase;
    phase.get<0>().p = {p.rate_scale, p.window_px};
    phase.get<1>().p = {p.exc_gain, p.inh_gain};
    phase.get<2>().p = {p.leak};
    phase.get<3>().p = {p.stdp, p.threshold_adaptation};
    return phase;
}

// ---------------------------------------------------------------------------
// The third-party summary of Massey et al. 2026
// ---------------------------------------------------------------------------

/// Every step: each neuron's incoming weights scaled to L1 norm `target`,
/// then w <- baseline + (w - baseline) * factor, then |w| < floor set to 0.
/// The per-step factor becomes the time constant tau = -dt / ln(factor)
/// (0.99 per 0.5 ms step: tau = 49.75 ms).
struct summary_params {
    float target = 78.0f;  ///< Diehl & Cook's L1 norm for 784 inputs (mean weight 0.0995, near the 0.1 baseline)
    float factor = 0.99f;
    float baseline = 0.1f;
    float floor = 0.01f;
};

using summary_phase = combine<normalize_weights, stochastic_decay, prune>;

inline constexpr std::string_view summary_source =
    "a third-party summary of Massey et al. 2026 (a skill page, not the paper): per step, scale to a target norm, "
    "decay 0.99 toward 0.1, prune below 0.01";

/// The phase for a network stepping dt_ms.
inline summary_phase summary_scale_decay_prune(float dt_ms, const summary_params& p = {})
{
    detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "summary_scale_decay_prune: dt_ms must be > 0, got {}", dt_ms);
    detail::require(std::isfinite(p.factor) && p.factor > 0.0f && p.factor < 1.0f,
                    "summary_scale_decay_prune: factor must be in (0, 1), got {}", p.factor);
    summary_phase phase;
    phase.get<0>().p = {p.target, 1, double(dt_ms)};
    phase.get<1>().p = {p.baseline, -double(dt_ms) / std::log(double(p.factor)), 0.0f, double(dt_ms)};
    phase.get<2>().p = {p.floor, double(dt_ms)};
    return phase;
}

// ---------------------------------------------------------------------------
// Synaptic downscaling, noise injection
// ---------------------------------------------------------------------------

inline constexpr std::string_view synaptic_downscaling_source =
    "the synaptic homeostasis hypothesis (Tononi & Cirelli 2003): all weights scaled down in sleep";

/// Silent input, every plastic weight times `factor` at the end.
inline downscale synaptic_downscaling(float factor = 0.8f)
{
    downscale d;
    d.p.factor = factor;
    return d;
}

inline constexpr std::string_view noise_injection_source =
    "noise injection (\"dreaming\"): uniform Poisson input with the waking plasticity on";

using noise_phase = combine<noise_drive, plasticity_switch>;

/// Every input at rate_hz, STDP and threshold adaptation as awake.
inline noise_phase noise_injection(float rate_hz = 10.0f)
{
    noise_phase phase;
    phase.get<0>().p.rate_hz = rate_hz;
    return phase;
}

static_assert(sleep_mechanism<summary_phase>);
static_assert(sleep_mechanism<noise_phase>);

// ---------------------------------------------------------------------------
// Massey et al. 2026, from their code
// ---------------------------------------------------------------------------

inline constexpr std::string_view massey_2026_source =
    "Massey et al. 2026 (arXiv:2601.08447) as their code runs it (src/train.py, src/weight_funcs.py at 40b7d33): input off, "
    "membrane noise, STDP and thresholds on, |w| <- 0.01 (|w| / 0.01)^0.99997 per step, ending within 0.1 % of the "
    "start-of-training weight totals";

using massey_phase = combine<membrane_noise, plasticity_switch, log_decay, stop_at_baseline>;

/// The phase for a network whose weight totals at the start of training were
/// excitatory_total (every projection from inputs and excitatory neurons)
/// and inhibitory_total (I -> E); a negative total disables the early stop.
inline massey_phase massey_2026(double excitatory_total, double inhibitory_total, log_decay::params decay = {})
{
    massey_phase phase;
    phase.get<2>().p = decay;
    phase.get<3>().p = {excitatory_total, inhibitory_total, 1.0e-3};
    return phase;
}

static_assert(sleep_mechanism<massey_phase>);

} // namespace recipes
} // namespace somnus
