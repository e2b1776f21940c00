// SPDX-License-Identifier: MIT
// A plasticity rule written by a user, outside the library, in about twenty
// lines: anti-Hebbian STDP (pre-before-post depresses, post-before-pre
// potentiates, as at some cerebellum-like synapses; Bell et al. 1997).
// It runs inside the library's synapses unchanged, scalar and SIMD.
#include <doctest/doctest.h>

#include <cmath>

#include <somnus/plasticity/pair_stdp.hpp>
#include <somnus/synapse/dense.hpp>

namespace {

struct anti_hebbian {
    struct params {
        float tau_pre_ms = 20.0f;
        float tau_post_ms = 20.0f;
        float eta = 0.004f;
    };
    params p{};
    std::array<somnus::trace_spec, 1> pre_traces() const { return {somnus::trace_spec{p.tau_pre_ms}}; }
    std::array<somnus::trace_spec, 1> post_traces() const { return {somnus::trace_spec{p.tau_post_ms}}; }
    template <class V>
    V on_pre(V, const somnus::traces<V, 1>&, const somnus::traces<V, 1>& post) const { return V(p.eta) * post[0]; }
    template <class V>
    V on_post(V, const somnus::traces<V, 1>& pre, const somnus::traces<V, 1>&) const { return V(-p.eta) * pre[0]; }
};
static_assert(somnus::plasticity_rule<anti_hebbian>);

} // namespace

TEST_SUITE("plasticity") {

TEST_CASE("a user-written rule runs inside dense_synapses unchanged")
{
    somnus::dense_synapses<anti_hebbian> syn(40, 19, anti_hebbian{}, 0.5f);
    syn.weights().fill(0.5f);
    auto reference = syn;
    const std::uint32_t pre_spike[] = {3};
    const std::uint32_t post_spike[] = {11};
    for (int t = 0; t <= 10; ++t) {
        syn.decay_traces();
        reference.decay_traces<float>();
        if (t == 0) {
            syn.on_pre_spikes(pre_spike);
            reference.on_pre_spikes<float>(pre_spike);
        }
        if (t == 10) {
            syn.on_post_spikes(post_spike);
            reference.on_post_spikes<float>(post_spike);
        }
    }
    // Pre 5 ms before post: depression of eta * exp(-5/20) on that synapse only.
    CHECK(syn.weights()(3, 11) == doctest::Approx(0.5 - 0.004 * std::exp(-0.25)).epsilon(1e-6));
    CHECK(syn.weights()(3, 10) == 0.5f);
    CHECK(syn.weights()(2, 11) == 0.5f);
    CHECK(syn.weights() == reference.weights());
}

}
