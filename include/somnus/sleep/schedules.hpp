// SPDX-License-Identifier: MIT
// When a training protocol sleeps. Each schedule answers from the number of
// images trained on alone (sleep_schedule in core/concepts.hpp), so a run
// resumed from a checkpoint sleeps exactly when an uninterrupted one would.
// Every schedule checks its parameters in validate(), which sleep_after()
// calls first: a NaN, negative or endless duration or fraction is a
// config_error naming it, never a schedule that silently never sleeps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/steps.hpp"

namespace somnus {

/// One phase of duration_ms once `after_images` images have been trained on
/// (Tadros et al. 2019: sleep after partial training).
struct sleep_once_after {
    std::uint64_t after_images = 0;
    double duration_ms = 0.0;

    void validate() const
    {
        detail::require(after_images > 0, "sleep_once_after: after_images must be >= 1 (sleep is asked after each training image), got 0");
        detail::require(std::isfinite(duration_ms) && duration_ms >= 0.0, "sleep_once_after: duration_ms must be finite and >= 0, got {}",
                        duration_ms);
    }
    double sleep_after(std::uint64_t seen) const
    {
        validate();
        return seen == after_images ? duration_ms : 0.0;
    }
};

/// A phase of duration_ms after every `every_images` images.
struct sleep_every {
    std::uint64_t every_images = 1;
    double duration_ms = 0.0;

    void validate() const
    {
        detail::require(every_images > 0, "sleep_every: every_images must be >= 1 (no_sleep never sleeps), got 0");
        detail::require(std::isfinite(duration_ms) && duration_ms >= 0.0, "sleep_every: duration_ms must be finite and >= 0, got {}",
                        duration_ms);
    }
    double sleep_after(std::uint64_t seen) const
    {
        validate();
        return seen > 0 && seen % every_images == 0 ? duration_ms : 0.0;
    }
};

/// Sleep taking a fraction f of training time, in `bouts` equal phases
/// spread evenly over `total_images` images (Massey et al. 2026: sleep as
/// 10-20 % of training). Awake time per image is `image_ms` (Diehl & Cook:
/// 350 ms of input + 150 ms of rest); sleep time is f / (1 - f) of the awake
/// time, so sleep is the fraction f of the whole. Bout k (1-based) follows
/// image round(k * total / bouts).
struct sleep_fraction {
    double fraction = 0.1;
    std::uint64_t bouts = 1;
    std::uint64_t total_images = 0;
    double image_ms = 500.0;

    void validate() const
    {
        detail::require(std::isfinite(fraction) && fraction >= 0.0 && fraction < 1.0,
                        "sleep_fraction: fraction must be in [0, 1), got {}", fraction);
        detail::require(bouts > 0 && bouts <= total_images, "sleep_fraction: {} bouts over {} images", bouts, total_images);
        detail::require(std::isfinite(image_ms) && image_ms > 0.0, "sleep_fraction: image_ms must be finite and > 0, got {}", image_ms);
        detail::require(std::isfinite(bout_ms()), "sleep_fraction: a bout of fraction {} over {} images of {} ms is not a finite duration",
                        fraction, total_images, image_ms);
    }
    double bout_ms() const
    {
        return double(total_images) * image_ms * fraction / (1.0 - fraction) / double(bouts);
    }
    double sleep_after(std::uint64_t seen) const
    {
        validate();
        if (fraction == 0.0 || seen == 0 || seen > total_images) return 0.0;
        // Bout k ends image b(k) = round(k * total / bouts); seen is a bout
        // end if k = round(seen * bouts / total) maps back onto it.
        const auto end_of = [&](std::uint64_t k) {
            return static_cast<std::uint64_t>(std::llround(double(k) * double(total_images) / double(bouts)));
        };
        const auto k = static_cast<std::uint64_t>(std::llround(double(seen) * double(bouts) / double(total_images)));
        return k >= 1 && k <= bouts && end_of(k) == seen ? bout_ms() : 0.0;
    }
};

/// Massey et al. 2026, as their code schedules sleep (src/train.py at
/// commit 40b7d33; DESIGN.md section 9a): training runs in batches of
/// batch_images images of image_ms each, the clock restarting with every
/// batch; whenever the batch's waking time reaches a multiple of period_ms
/// (35 images of 1 s), before the next image, a pause of
/// round(period_ms * ratio) ms, at least one step and at most max_ms (so
/// every ratio above 10 000 / 35 000 sleeps alike). A multiple that falls on
/// the batch's end does not sleep: the next batch starts awake. The phase
/// may end earlier (stop_at_baseline).
struct sleep_in_batches {
    double ratio = 0.0;
    double period_ms = 35000.0;
    double image_ms = 1000.0;
    std::uint64_t batch_images = 300;
    double max_ms = 10000.0;
    double dt_ms = 1.0;

    void validate() const
    {
        detail::require(std::isfinite(ratio) && ratio >= 0.0, "sleep_in_batches: ratio must be finite and >= 0, got {}", ratio);
        detail::require(std::isfinite(period_ms) && period_ms > 0.0 && std::isfinite(image_ms) && image_ms > 0.0 && batch_images > 0 &&
                            std::isfinite(max_ms) && max_ms >= 0.0 && std::isfinite(dt_ms) && dt_ms > 0.0,
                        "sleep_in_batches: period_ms {}, image_ms {}, batch_images {}, max_ms {}, dt_ms {} must be positive",
                        period_ms, image_ms, batch_images, max_ms, dt_ms);
        detail::steps_of("sleep_in_batches: max_ms", max_ms, dt_ms);
    }
    /// Length of one pause (ms), whole steps of dt_ms.
    double pause_ms() const
    {
        validate();
        if (ratio == 0.0) return 0.0;
        const double steps = std::max(1.0, std::round(period_ms * ratio / dt_ms));
        return std::min(steps * dt_ms, max_ms);
    }
    double sleep_after(std::uint64_t seen) const
    {
        validate();
        if (ratio == 0.0 || seen == 0) return 0.0;
        const std::uint64_t in_batch = (seen - 1) % batch_images + 1;
        if (in_batch >= batch_images) return 0.0;
        const double awake = double(in_batch) * image_ms;
        const double periods = awake / period_ms;
        return std::abs(periods - std::round(periods)) < 1e-9 ? pause_ms() : 0.0;
    }
};

/// One step of a training protocol with sleep: trains net on image, then
/// runs a phase of `mechanism` if the schedule has one due. Returns the
/// presentation (net.counts() still reads the image's response).
template <class Network, sleep_schedule Schedule, class Mechanism>
auto train_with_sleep(Network& net, std::span<const std::uint8_t> image, const Schedule& schedule, Mechanism& mechanism)
{
    const auto p = net.train(image);
    if (const double ms = schedule.sleep_after(net.images_seen()); ms > 0.0) net.sleep(mechanism, ms);
    return p;
}

static_assert(sleep_schedule<sleep_once_after>);
static_assert(sleep_schedule<sleep_every>);
static_assert(sleep_schedule<sleep_fraction>);
static_assert(sleep_schedule<sleep_in_batches>);

} // namespace somnus
