// SPDX-License-Identifier: MIT
// The do-nothing models of the two sleep kinds: a schedule that never
// sleeps, and a mechanism that changes nothing (a phase of it is silence:
// no input, every waking setting, plasticity and homeostasis on).
#pragma once

#include <cstdint>

#include "../core/concepts.hpp"

namespace somnus {

struct no_sleep {
    double sleep_after(std::uint64_t) const { return 0.0; }
};

struct no_mechanism {
    template <class Context>
    void begin(Context&) {}
    template <class Context>
    void step(Context&) {}
    template <class Context>
    void end(Context&) {}
};

static_assert(sleep_schedule<no_sleep>);
static_assert(sleep_mechanism<no_mechanism>);

} // namespace somnus
