// SPDX-License-Identifier: MIT
// The do-nothing sleep schedule: the network never sleeps.
#pragma once

#include "../core/concepts.hpp"

namespace somnus {

struct no_sleep {
    bool due(std::size_t) const { return false; }
    sleep_phase phase() const { return {}; }
};

static_assert(sleep_schedule<no_sleep>);

} // namespace somnus
