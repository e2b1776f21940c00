// SPDX-License-Identifier: MIT
// The do-nothing homeostasis rule. combine<...> (core/combine.hpp), which
// runs several rules in the order given, is included with it.
#pragma once

#include "../core/combine.hpp"
#include "../core/concepts.hpp"

namespace somnus {

struct no_homeostasis {
    struct params {};
    void before_presentation(layer_ref) {}
    void on_spikes(layer_ref, std::span<const std::uint32_t>) {}
    void after_presentation(layer_ref, double) {}
};

static_assert(homeostasis_rule<no_homeostasis>);
static_assert(homeostasis_rule<combine<no_homeostasis, no_homeostasis>>);

} // namespace somnus
