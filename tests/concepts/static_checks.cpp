// SPDX-License-Identifier: MIT
// Compile-time checks: every shipped model satisfies its kind's concept, and
// types missing a required member are rejected (not just "fail to compile
// somewhere deep inside a network").
#include <somnus/somnus.hpp>

namespace {
using namespace somnus;

// --- positive ---------------------------------------------------------------
static_assert(neuron_model<conductance_lif>);
static_assert(neuron_model<integrate_and_fire>);
static_assert(neuron_model<leaky>);
static_assert(neuron_model<izhikevich>);
static_assert(neuron_model<adex>);
static_assert(has_threshold_offset<conductance_lif>);
static_assert(has_threshold_offset<integrate_and_fire>);
static_assert(!has_threshold_offset<leaky>);

static_assert(plasticity_rule<no_plasticity>);
static_assert(plasticity_rule<pair_stdp_all_to_all>);
static_assert(plasticity_rule<pair_stdp_nearest>);
static_assert(plasticity_rule<diehl_cook_triplet>);
static_assert(plasticity_rule<power_law>);
static_assert(is_static_rule<no_plasticity>);
static_assert(!is_static_rule<diehl_cook_triplet>);

static_assert(homeostasis_rule<no_homeostasis>);
static_assert(homeostasis_rule<adaptive_threshold>);
static_assert(homeostasis_rule<normalize_incoming>);
static_assert(homeostasis_rule<synaptic_scaling>);
static_assert(homeostasis_rule<combine<adaptive_threshold, normalize_incoming>>);

static_assert(sleep_schedule<no_sleep>);
static_assert(sleep_schedule<sleep_once_after>);
static_assert(sleep_schedule<sleep_every>);
static_assert(sleep_schedule<sleep_fraction>);
static_assert(sleep_mechanism<no_mechanism>);
static_assert(sleep_mechanism<mean_image_drive>);
static_assert(sleep_mechanism<spontaneous_activity>);
static_assert(sleep_mechanism<scale_leak<>>);
static_assert(sleep_mechanism<stochastic_decay>);
static_assert(sleep_mechanism<combine<mean_image_drive, scale_gains, scale_leak<>, downscale, prune>>);
static_assert(entropy_estimator<plug_in>);
static_assert(entropy_estimator<miller_madow>);
static_assert(input_encoder<poisson_encoder>);
static_assert(rate_encoder<poisson_encoder>);
static_assert(input_encoder<replay_encoder>);
static_assert(!rate_encoder<replay_encoder>);

// --- negative ---------------------------------------------------------------
// A neuron model without relax() (the rest between examples) is not one.
struct neuron_without_relax {
    struct params {};
    struct state {
        std::size_t size() const { return 0; }
    };
    state make_state(std::size_t) const { return {}; }
    template <class V>
    void step(state&, spike_list&) const {}
    float* input(state&, channel) const { return nullptr; }
    float dt_ms() const { return 1.0f; }
};
static_assert(!neuron_model<neuron_without_relax>);

// A complete toy model; then the same model without the (params, dt)
// constructor, and without parameters(): sleep rebuilds a model from changed
// parameters, so a model must be constructible from them and expose them.
template <bool FromParams, bool Exposes>
struct toy_neuron {
    struct params {
        float tau_ms = 10.0f;
    };
    struct state {
        vector_f v;
        std::size_t size() const { return v.size(); }
        std::array<state_field, 1> fields() { return {state_field{"v", &v}}; }
    };
    toy_neuron(params p, float dt_ms) requires FromParams : p_(p), dt_(dt_ms) {}
    toy_neuron() requires(!FromParams) = default;
    const params& parameters() const requires Exposes { return p_; }
    state make_state(std::size_t n) const { return {make_vector(n)}; }
    template <class V>
    void step(state&, spike_list&) const {}
    void relax(state&, double) const {}
    float* input(state& s, channel) const { return s.v.data(); }
    float dt_ms() const { return dt_; }
    params p_{};
    float dt_ = 0.5f;
};
static_assert(neuron_model<toy_neuron<true, true>>);
static_assert(!neuron_model<toy_neuron<false, true>>);
static_assert(!neuron_model<toy_neuron<true, false>>);

// on_post written for float only: the SIMD path could not instantiate it.
struct rule_scalar_only {
    struct params {};
    std::array<trace_spec, 1> pre_traces() const { return {}; }
    std::array<trace_spec, 1> post_traces() const { return {}; }
    template <class V>
    V on_pre(V, const traces<V, 1>&, const traces<V, 1>&) const { return V(0.0f); }
    float on_post(float, const traces<float, 1>&, const traces<float, 1>&) const { return 0.0f; }
};
static_assert(!plasticity_rule<rule_scalar_only>);

// Trace arrays whose sizes disagree with the hook signatures.
struct rule_wrong_arity {
    struct params {};
    std::array<trace_spec, 2> pre_traces() const { return {}; }
    std::array<trace_spec, 0> post_traces() const { return {}; }
    template <class V>
    V on_pre(V, const traces<V, 1>&, const traces<V, 0>&) const { return V(0.0f); }
    template <class V>
    V on_post(V, const traces<V, 1>&, const traces<V, 0>&) const { return V(0.0f); }
};
static_assert(!plasticity_rule<rule_wrong_arity>);

// A homeostasis rule writes only the hooks it uses, but at least one.
struct homeostasis_only_after {
    struct params {};
    void after_presentation(layer_ref, double) {}
};
static_assert(homeostasis_rule<homeostasis_only_after>);
struct homeostasis_without_hooks {
    struct params {};
};
static_assert(!homeostasis_rule<homeostasis_without_hooks>);
// A hook with the wrong signature is not a hook.
struct homeostasis_wrong_hook {
    struct params {};
    void after_presentation(layer_ref) {}
};
static_assert(!homeostasis_rule<homeostasis_wrong_hook>);

// The old interface (a bool due(), a fixed phase record) is not a schedule:
// a schedule says how long to sleep.
struct sleep_with_due {
    bool due(std::size_t) const { return false; }
};
static_assert(!sleep_schedule<sleep_with_due>);

// A sleep mechanism writes only the hooks it uses, but at least one.
struct mechanism_without_end {
    template <class Context>
    void begin(Context&) {}
    template <class Context>
    void step(Context&) {}
};
static_assert(sleep_mechanism<mechanism_without_end>);
struct mechanism_without_hooks {
    int rate = 0;
};
static_assert(!sleep_mechanism<mechanism_without_hooks>);
// combine<...> has a hook when some part has it: a sleep mechanism from
// mechanisms, a homeostasis rule from rules, never the other.
static_assert(sleep_mechanism<combine<noise_drive, scale_gains>>);
static_assert(sleep_mechanism<combine<noise_drive, mechanism_without_end>>);
static_assert(!sleep_mechanism<combine<mechanism_without_hooks>>);
static_assert(!homeostasis_rule<combine<noise_drive, scale_gains>>);
static_assert(!sleep_mechanism<combine<adaptive_threshold, normalize_incoming>>);
static_assert(homeostasis_rule<combine<adaptive_threshold, homeostasis_only_after>>);

struct estimator_without_entropy {
    double information(std::span<const std::uint64_t>) const { return 0.0; }
};
static_assert(!entropy_estimator<estimator_without_entropy>);

struct encoder_without_emit {
    std::size_t size() const { return 0; }
};
static_assert(!input_encoder<encoder_without_emit>);

} // namespace
