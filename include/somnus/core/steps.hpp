// SPDX-License-Identifier: MIT
// Durations in milliseconds to whole time steps: the one checked conversion
// every ms -> steps in the library goes through, so that a NaN, a negative
// or endless duration, a dt that is not a positive number, a count too big
// for its integer, or a positive duration silently rounded to no step at all
// is a config_error naming the parameter, never a loop that runs for ever or
// an image of zero steps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "error.hpp"

namespace somnus::detail {

/// Most steps any one duration may have: 2^40 is 35 years at 1 ms, far past
/// any image or phase, and far below where a step count held in a double
/// stops being exact.
inline constexpr double max_duration_steps = 0x1.0p40;

/// What a duration of zero steps means for the caller.
enum class zero_steps {
    allowed,           ///< any duration >= 0, to the nearest step (a phase that reports the steps it ran)
    only_for_zero_ms,  ///< 0 ms is no step; a positive duration must last at least one (a rest)
    refused,           ///< the duration must be > 0 and last at least one step (an image)
};

/// round(ms / dt_ms) as a count of type Count. `what` names the duration
/// (e.g. "competitive_config: present_ms") in the config_error thrown when
/// ms or dt_ms is not finite, dt_ms <= 0, ms < 0, the count is more than
/// 2^40 or than Count holds, or zero steps where `zero` refuses them.
template <class Count = std::uint64_t>
Count steps_of(std::string_view what, double ms, double dt_ms, zero_steps zero = zero_steps::allowed)
{
    require(std::isfinite(dt_ms) && dt_ms > 0.0, "{}: the time step dt_ms must be finite and > 0, got {}", what, dt_ms);
    require(std::isfinite(ms), "{} must be finite, got {} ms", what, ms);
    if (zero == zero_steps::refused) require(ms > 0.0, "{} must be > 0, got {} ms", what, ms);
    else require(ms >= 0.0, "{} must be >= 0, got {} ms", what, ms);
    const double count = std::round(ms / dt_ms);  // ms / dt_ms may be +inf (dt 1e-300): refused below
    const double limit = std::min(max_duration_steps, double(std::numeric_limits<Count>::max()));
    if (limit == max_duration_steps)
        require(count <= limit, "{}: {} ms is {:.3g} steps of {} ms, more than the 2^40 a duration may have", what, ms, count, dt_ms);
    else
        require(count <= limit, "{}: {} ms is {:.3g} steps of {} ms, more than the {:.0f} its step counter holds", what, ms, count,
                dt_ms, limit);
    require(count >= 1.0 || ms == 0.0 || zero == zero_steps::allowed, "{}: {} ms is less than half a step of {} ms, so it would run no step",
            what, ms, dt_ms);
    return static_cast<Count>(count);
}

} // namespace somnus::detail
