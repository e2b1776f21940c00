// SPDX-License-Identifier: MIT
// When a training protocol sleeps. Each schedule answers from the number of
// images trained on alone (sleep_schedule in core/concepts.hpp), so a run
// resumed from a checkpoint sleeps exactly when an uninterrupted one would.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

/// One phase of duration_ms once `after_images` images have been trained on
/// (Tadros et al. 2019: sleep after partial training).
struct sleep_once_after {
    std::uint64_t after_images = 0;
    double duration_ms = 0.0;
    double sleep_after(std::uint64_t seen) const { return seen == after_images ? duration_ms : 0.0; }
};

/// A phase of duration_ms after every `every_images` images.
struct sleep_every {
    std::uint64_t every_images = 1;
    double duration_ms = 0.0;
    double sleep_after(std::uint64_t seen) const
    {
        return every_images > 0 && seen > 0 && seen % every_images == 0 ? duration_ms : 0.0;
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
        detail::require(std::isfinite(image_ms) && image_ms > 0.0, "sleep_fraction: image_ms must be positive, got {}", image_ms);
    }
    double bout_ms() const
    {
        return double(total_images) * image_ms * fraction / (1.0 - fraction) / double(bouts);
    }
    double sleep_after(std::uint64_t seen) const
    {
        if (fraction <= 0.0 || seen == 0 || seen > total_images || bouts == 0) return 0.0;
        // Bout k ends image b(k) = round(k * total / bouts); seen is a bout
        // end if k = round(seen * bouts / total) maps back onto it.
        const auto end_of = [&](std::uint64_t k) {
            return static_cast<std::uint64_t>(std::llround(double(k) * double(total_images) / double(bouts)));
        };
        const auto k = static_cast<std::uint64_t>(std::llround(double(seen) * double(bouts) / double(total_images)));
        return k >= 1 && k <= bouts && end_of(k) == seen ? bout_ms() : 0.0;
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

} // namespace somnus
