// SPDX-License-Identifier: MIT
// The do-nothing plasticity rule: weights never change, and connections using
// it keep no traces and do no learning work at all.
#pragma once

#include "../core/concepts.hpp"

namespace somnus {

struct no_plasticity {
    struct params {};
    static constexpr bool is_static = true;
    std::array<trace_spec, 0> pre_traces() const { return {}; }
    std::array<trace_spec, 0> post_traces() const { return {}; }
    template <class V>
    V on_pre(V, const traces<V, 0>&, const traces<V, 0>&) const { return V(0.0f); }
    template <class V>
    V on_post(V, const traces<V, 0>&, const traces<V, 0>&) const { return V(0.0f); }
};

static_assert(plasticity_rule<no_plasticity>);
static_assert(is_static_rule<no_plasticity>);

} // namespace somnus
