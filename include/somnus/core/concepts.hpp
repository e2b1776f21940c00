// SPDX-License-Identifier: MIT
// Every policy concept of somnus, declared in one place. A network type is a
// thin template over one model of each kind; switching a feature off means
// choosing that kind's do-nothing model (no_plasticity, no_homeostasis,
// no_sleep), never a run-time flag in the hot loop.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

#include "random.hpp"
#include "simd.hpp"
#include "tensor.hpp"

namespace somnus {

/// Indices of the neurons that fired in one step, in increasing order.
/// Reserved to the population size once, so appending never allocates.
using spike_list = std::vector<std::uint32_t>;

/// A named state vector, for checkpoints and inspection.
struct state_field {
    const char* name;
    vector_f* values;
};

/// Where a synaptic input lands in a neuron model.
enum class channel { excitatory, inhibitory };

// ---------------------------------------------------------------------------
// neuron_model
//
// A neuron model N advances a population of neurons kept as structure of
// arrays. It must provide:
//
//   typename N::params            aggregate; paper defaults; unit-suffixed names
//   N(params, dt_ms)              builds the model for a step of dt_ms, so a
//                                 model can be rebuilt from changed
//                                 parameters (sleep modulates leak, tau,
//                                 thresholds) and restored afterwards
//   m.parameters()                the params it was built from
//   typename N::state             one contiguous vector per state variable,
//                                 with size() and fields() (every variable
//                                 by name); allocated once by make_state
//   m.make_state(n)               n neurons at rest
//   m.template step<V>(s, out)    advance every neuron by dt: integrate the
//                                 input accumulated in its channels, fire,
//                                 reset, clear/decay the channels; append the
//                                 indices that fired to out. V = float is the
//                                 scalar reference, V = simd::batch the SIMD
//                                 path; both run the same kernel source.
//   m.relax(s, ms)                advance ms with no input (the rest between
//                                 examples), in closed form where possible
//   m.input(s, channel)           float* to the n-vector where synapses add
//                                 their weights when a presynaptic neuron fires
//   m.dt_ms()                     the step the model was built for
//
// Call order within a network step: synapses add into input(...) for spikes
// of the previous step, then step<V>() runs. The model never allocates after
// make_state.
// ---------------------------------------------------------------------------
template <class N>
concept neuron_model = std::constructible_from<N, typename N::params, float> &&
                       requires(const N m, typename N::state s, spike_list& out, double ms) {
    typename N::params;
    { m.parameters() } -> std::convertible_to<const typename N::params&>;
    { m.make_state(std::size_t{}) } -> std::same_as<typename N::state>;
    { s.size() } -> std::convertible_to<std::size_t>;
    { s.fields()[0] } -> std::convertible_to<state_field>;
    m.template step<float>(s, out);
    m.template step<simd::batch>(s, out);
    m.relax(s, ms);
    { m.input(s, channel::excitatory) } -> std::same_as<float*>;
    { m.dt_ms() } -> std::convertible_to<float>;
};

/// Neuron models whose threshold carries a per-neuron offset theta that
/// homeostasis may move (the adaptive threshold of Diehl & Cook 2015).
template <class N>
concept has_threshold_offset = neuron_model<N> && requires(typename N::state s) {
    { s.theta } -> std::same_as<vector_f&>;
};

// ---------------------------------------------------------------------------
// plasticity_rule
//
// A plasticity rule R says how one synapse's weight changes when its pre- or
// postsynaptic neuron fires, from exponentially decaying spike traces. It
// must provide:
//
//   typename R::params            aggregate; paper defaults; unit-suffixed names
//   r.pre_traces()                std::array<trace_spec, K_pre>: the traces
//   r.post_traces()               std::array<trace_spec, K_post>  it needs
//   r.template on_pre<V>(w, pre, post)   weight change when the presynaptic
//   r.template on_post<V>(w, pre, post)  / postsynaptic neuron fires
//
// with w a V and pre / post std::array<V, K> of the synapse's trace values.
// Hooks see the traces *before* the current spike bumps them (Diehl & Cook's
// "post2 before"); traces of spikes handled earlier in the same step are
// already bumped, and presynaptic spikes are handled before postsynaptic ones.
// The library walks rows (on_pre: V spans postsynaptic neurons) and columns
// (on_post: V spans presynaptic neurons), clips to [w_min, w_max], decays and
// bumps traces; a rule never loops.
// ---------------------------------------------------------------------------

/// How a trace responds to its neuron's spike: x += amount (all-to-all
/// pairing) or x = amount (nearest-spike pairing).
enum class trace_bump { add, set };

struct trace_spec {
    float tau_ms;
    trace_bump bump = trace_bump::add;
    float amount = 1.0f;
};

template <class V, std::size_t K>
using traces = std::array<V, K>;

namespace detail {
template <class R>
using pre_trace_count = std::tuple_size<decltype(std::declval<const R&>().pre_traces())>;
template <class R>
using post_trace_count = std::tuple_size<decltype(std::declval<const R&>().post_traces())>;
} // namespace detail

template <class R>
concept plasticity_rule = requires(const R r) {
    typename R::params;
    { r.pre_traces() } -> std::convertible_to<std::array<trace_spec, detail::pre_trace_count<R>::value>>;
    { r.post_traces() } -> std::convertible_to<std::array<trace_spec, detail::post_trace_count<R>::value>>;
} && requires(const R r, float w, simd::batch wb,
              traces<float, detail::pre_trace_count<R>::value> pre,
              traces<float, detail::post_trace_count<R>::value> post,
              traces<simd::batch, detail::pre_trace_count<R>::value> preb,
              traces<simd::batch, detail::post_trace_count<R>::value> postb) {
    { r.template on_pre<float>(w, pre, post) } -> std::same_as<float>;
    { r.template on_post<float>(w, pre, post) } -> std::same_as<float>;
    { r.template on_pre<simd::batch>(wb, preb, postb) } -> std::same_as<simd::batch>;
    { r.template on_post<simd::batch>(wb, preb, postb) } -> std::same_as<simd::batch>;
};

/// Rules that never change a weight declare `static constexpr bool is_static = true`;
/// connections then skip traces and learning entirely.
template <class R>
inline constexpr bool is_static_rule = requires { requires R::is_static; };

/// Rules whose on_pre is exactly zero wherever every postsynaptic trace is
/// zero declare `static constexpr bool on_pre_needs_post_trace = true`. A
/// presynaptic spike then updates only the synapses onto neurons that spiked
/// recently (whose traces have not yet fallen below the trace floor); the
/// rest of its row is only transmitted and clipped. tests/plasticity checks
/// the declaration of every rule that makes it.
template <class R>
inline constexpr bool on_pre_needs_post_trace = requires { requires R::on_pre_needs_post_trace; };

// ---------------------------------------------------------------------------
// homeostasis_rule
//
// A homeostasis rule H keeps a layer's activity in range by moving its
// thresholds or rescaling its incoming weights. It must provide:
//
//   typename H::params
//   h.before_presentation(layer)       before each example (e.g. normalise
//                                      incoming weights to a target sum)
//   h.on_spikes(layer, spikes)         after each step in which the layer
//                                      fired (event-driven, O(spikes))
//   h.after_presentation(layer, ms)    once the example (input + rest, ms of
//                                      simulated time) is over: slow decays in
//                                      closed form, rate-based scaling
//
// The network calls them only while learning; at test time the layer is
// frozen. A rule touches nothing outside the layer_ref it is given.
// ---------------------------------------------------------------------------
struct layer_ref {
    matrix_f& w_in;                               ///< incoming plastic weights, [pre][post]
    vector_f* theta;                              ///< threshold offsets, or nullptr
    std::span<const std::uint32_t> spike_counts;  ///< per neuron, current presentation
    /// Per neuron, 1 if a weight onto it changed value since its flag was
    /// last cleared; empty when the caller does not track changes (then every
    /// column counts as changed). A rule that changes weights onto neuron j
    /// sets changed[j]; a rule that only needs to revisit changed columns
    /// (normalize_incoming) may skip the others and clears what it handled.
    std::span<std::uint8_t> changed = {};
};

template <class H>
concept homeostasis_rule = requires(H h, layer_ref layer, std::span<const std::uint32_t> spikes, double ms) {
    typename H::params;
    h.before_presentation(layer);
    h.on_spikes(layer, spikes);
    h.after_presentation(layer, ms);
};

// ---------------------------------------------------------------------------
// sleep_schedule
//
// A sleep schedule S decides when the network goes offline and what sleep
// looks like. It must provide:
//
//   s.due(images_seen)   asked after every training example; true starts a
//                        sleep phase now
//   s.phase()            the sleep_phase to run: how long, which input
//                        replaces the data, how parameters are scaled
//
// The network runs the phase itself (same neuron, plasticity and homeostasis
// policies, with the scaled parameters) and restores everything afterwards.
// ---------------------------------------------------------------------------
struct sleep_phase {
    double duration_ms = 0.0;         ///< simulated time asleep
    float input_rate_scale = 0.0f;    ///< input rates during sleep relative to the mean training image
    float excitatory_scale = 1.0f;    ///< multiplier on excitatory synaptic weights (AMPA)
    float inhibitory_scale = 1.0f;    ///< multiplier on inhibitory synaptic weights (GABA)
    float noise_rate_hz = 0.0f;       ///< spontaneous input spikes per neuron per second
    float weight_decay_to = 0.0f;     ///< baseline weights relax towards during sleep
    float weight_decay_rate = 0.0f;   ///< rate (1/ms) at which weights relax to that baseline
};

template <class S>
concept sleep_schedule = requires(const S s, std::size_t images_seen) {
    { s.due(images_seen) } -> std::same_as<bool>;
    { s.phase() } -> std::convertible_to<sleep_phase>;
};

// ---------------------------------------------------------------------------
// entropy_estimator
//
// An entropy estimator E turns a histogram of observed symbols into an
// entropy. It must provide:
//
//   e.entropy(counts)    counts: std::span<const std::uint64_t>, one bin per
//                        symbol (empty bins allowed); returns the estimate in
//                        the estimator's unit, never NaN (an empty histogram
//                        has entropy 0)
//
// Mutual information and spike-train entropies are built on top of it, so a
// bias-corrected estimator corrects all of them at once.
// ---------------------------------------------------------------------------
template <class E>
concept entropy_estimator = requires(const E e, std::span<const std::uint64_t> counts) {
    { e.entropy(counts) } -> std::convertible_to<double>;
};

// ---------------------------------------------------------------------------
// input_encoder
//
// An input encoder E turns a stimulus into input spikes, step by step. It
// must provide:
//
//   e.size()             number of input neurons
//   e.emit(step, out)    append the inputs that fire at this step (0-based
//                        from the start of the presentation) to out
//
// How a presentation is planned depends on the stimulus, so it is not part of
// the concept: rate encoders (rate_encoder below) take rates in Hz, replay
// encoders a recorded raster.
// ---------------------------------------------------------------------------
template <class E>
concept input_encoder = requires(E e, std::uint32_t step, spike_list& out) {
    { e.size() } -> std::convertible_to<std::size_t>;
    e.emit(step, out);
};

/// Encoders driven by per-input firing rates (Hz) for a given number of steps.
template <class E>
concept rate_encoder = input_encoder<E> && requires(E e, std::span<const float> rates_hz,
                                                    std::uint32_t steps, random_stream& rng) {
    e.begin(rates_hz, steps, rng);
};

} // namespace somnus
