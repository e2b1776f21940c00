// SPDX-License-Identifier: MIT
// The "post-pre" triplet STDP of Diehl & Cook 2015 (Front. Comput. Neurosci.
// 9:99), from their Brian code:
//   on a pre spike:  pre = 1;  w -= nu_pre  * post1
//   on a post spike: w += nu_post * pre * post2(before this spike);  post1 = post2 = 1
#pragma once

#include "../core/concepts.hpp"

namespace somnus {

struct diehl_cook_triplet {
    struct params {
        float tau_pre_ms = 20.0f;
        float tau_post1_ms = 20.0f;
        float tau_post2_ms = 40.0f;
        float nu_pre = 0.0001f;
        float nu_post = 0.01f;

        /// Every field by name (core/params.hpp), for checkpoints and results.
        template <class F>
        void each_field(F&& f) const
        {
            f("tau_pre_ms", tau_pre_ms);
            f("tau_post1_ms", tau_post1_ms);
            f("tau_post2_ms", tau_post2_ms);
            f("nu_pre", nu_pre);
            f("nu_post", nu_post);
        }
    };
    params p{};
    /// on_pre is -nu * post trace: zero onto neurons with no recent spike.
    static constexpr bool on_pre_needs_post_trace = true;

    std::array<trace_spec, 1> pre_traces() const { return {trace_spec{p.tau_pre_ms, trace_bump::set}}; }
    std::array<trace_spec, 2> post_traces() const
    {
        return {trace_spec{p.tau_post1_ms, trace_bump::set}, trace_spec{p.tau_post2_ms, trace_bump::set}};
    }

    template <class V>
    V on_pre(V, const traces<V, 1>&, const traces<V, 2>& post) const { return V(-p.nu_pre) * post[0]; }
    template <class V>
    V on_post(V, const traces<V, 1>& pre, const traces<V, 2>& post) const { return V(p.nu_post) * pre[0] * post[1]; }
};

static_assert(plasticity_rule<diehl_cook_triplet>);

} // namespace somnus
