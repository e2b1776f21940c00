// SPDX-License-Identifier: MIT
// Shared pieces of the neuron models' relax(): advancing with no new input.
#pragma once

#include <algorithm>
#include <cmath>

#include "../core/concepts.hpp"
#include "../core/steps.hpp"

namespace somnus::detail {

/// Number of whole steps of dt_ms in ms (relax's argument; config_error for
/// a duration that is negative, not finite or too long to count).
inline long steps_in(double ms, float dt_ms) { return steps_of<long>("relax: ms", ms, dt_ms); }

/// Steps the model up to `steps` times with no new input, discarding spikes.
/// With stop_when_quiet, stops after the first step in which nothing fired.
/// Returns the steps not taken.
template <class Model>
long step_without_input(const Model& m, typename Model::state& s, long steps, bool stop_when_quiet)
{
    spike_list fired;
    fired.reserve(s.size());
    while (steps > 0) {
        fired.clear();
        m.step(s, fired);
        --steps;
        if (stop_when_quiet && fired.empty()) break;
    }
    return steps;
}

/// Of the next `steps` steps, how many integrate v for a neuron whose
/// since_spike is since0 now: a step first adds dt, then integrates only when
/// since_spike >= refractory.
inline long integrating_steps(float since0, float refractory, float dt_ms, long steps)
{
    // In double, compared before any cast: a tiny dt_ms makes the held steps
    // more than a long holds.
    const double held = since0 < refractory ? std::ceil((refractory - since0) / dt_ms) - 1.0 : 0.0;
    return held >= double(steps) ? 0L : steps - static_cast<long>(std::max(held, 0.0));
}

} // namespace somnus::detail
