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
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
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

// ---------------------------------------------------------------------------
// timing_rule
//
// A timing rule R changes a synapse from the times since its two neurons last
// fired, rather than from decaying traces (Massey et al. 2026's nearest-spike
// rule, plasticity/last_spike_timing.hpp). It must provide:
//
//   typename R::params
//   r.template change<V>(lag_ms)  the weight change of a synapse from an
//                                 excitatory neuron, lag_ms = (time since the
//                                 postsynaptic neuron fired) - (time since
//                                 the presynaptic neuron fired); V = float is
//                                 the scalar reference, V = simd::batch the
//                                 SIMD path
//
// A projection (synapse/timed.hpp) applies it in every step to each synapse
// whose presynaptic or postsynaptic neuron fired in the previous step, once
// per synapse, with the times read after the current step's spikes; a
// projection from inhibitory neurons applies the negative. Traversal,
// clipping and the bookkeeping of spike times are the projection's.
// ---------------------------------------------------------------------------
template <class R>
concept timing_rule = requires(const R r, float lag, simd::batch lagb) {
    typename R::params;
    { r.template change<float>(lag) } -> std::same_as<float>;
    { r.template change<simd::batch>(lagb) } -> std::same_as<simd::batch>;
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

/// Whether a projection excites or inhibits its targets (which gain a
/// "raise excitation" mechanism scales).
enum class synapse_sign { excitatory, inhibitory };

/// A projection as homeostasis rules and sleep mechanisms see it.
struct projection_view {
    const char* name;                    ///< e.g. "input_to_exc", "exc_to_inh", "inh_to_exc"
    synapse_sign sign;
    float* gain;                         ///< multiplies every transmitted weight; restored after the phase
    matrix_f* weights = nullptr;         ///< [pre][post] of a plastic projection, else nullptr
    std::span<std::uint8_t> changed{};   ///< set changed[j] when a weight onto neuron j changes
    float w_min = 0.0f, w_max = 1.0f;    ///< bounds of the weights (keep them inside)
    /// [pre][post], 1 where a synapse exists (a sparse projection keeps its
    /// absent synapses at 0 in `weights` and they must stay 0); empty: all exist.
    std::span<const std::uint8_t> connected{};
    /// A projection that stores only its synapses (weights == nullptr):
    /// every synapse's weight, and the postsynaptic neuron of each.
    std::span<float> values{};
    std::span<const std::uint32_t> value_post{};
    bool exists(std::size_t i, std::size_t j, std::size_t cols) const { return connected.empty() || connected[i * cols + j] != 0; }
    /// A plastic projection: weights as a matrix or as a list of synapses.
    bool plastic() const { return weights != nullptr || !values.empty(); }
};

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
// A rule writes only the hooks it uses (at least one); the network calls
// only those it has, only while learning (at test time the layer is
// frozen). A rule touches nothing outside the layer_ref it is given.
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
    /// Every plastic projection onto the layer, w_in's first (a network
    /// built from parts lists them; empty when w_in is the only one). Rules
    /// say which they act on: normalize_incoming keeps to w_in, the
    /// feed-forward input of Diehl & Cook; synaptic_scaling scales them all.
    std::span<projection_view> incoming = {};
};

namespace detail {
// One hook each: a rule or mechanism writes only the hooks it uses, and the
// network (and combine<...>) calls only those it has.
template <class P>
concept has_before_presentation = requires(P& p, layer_ref l) { p.before_presentation(l); };
template <class P>
concept has_on_spikes = requires(P& p, layer_ref l, std::span<const std::uint32_t> s) { p.on_spikes(l, s); };
template <class P>
concept has_after_presentation = requires(P& p, layer_ref l, double ms) { p.after_presentation(l, ms); };

template <class H>
void before_presentation(H& h, layer_ref l)
{
    if constexpr (has_before_presentation<H>) h.before_presentation(l);
}
template <class H>
void on_spikes(H& h, layer_ref l, std::span<const std::uint32_t> s)
{
    if constexpr (has_on_spikes<H>) h.on_spikes(l, s);
}
template <class H>
void after_presentation(H& h, layer_ref l, double ms)
{
    if constexpr (has_after_presentation<H>) h.after_presentation(l, ms);
}
} // namespace detail

/// H has params and at least one of the three hooks (homeostasis/none.hpp,
/// which does nothing, spells all three out as empty).
template <class H>
concept homeostasis_rule = requires { typename H::params; } &&
                           (detail::has_before_presentation<H> || detail::has_on_spikes<H> || detail::has_after_presentation<H>);

// ---------------------------------------------------------------------------
// sleep_mechanism
//
// A sleep mechanism M is one thing that happens in an offline phase: a drive
// that replaces the data, a modulation of gains or neuron parameters, an
// operation on weights. Phases are mechanisms composed with combine<...>
// (core/combine.hpp). A mechanism provides some of three hooks (at least
// one; the network calls only those it has), each a template over the
// context type:
//
//   m.begin(ctx)   once, before the first offline step: scale gains, change
//                  ctx.exc_params / ctx.inh_params, switch plasticity or
//                  homeostasis off, prepare its own state
//   m.step(ctx)    before every offline step: set this step's input drive
//                  (ctx.input_rates_hz, ctx.input_spikes), add noise to a
//                  population's input channels, act on weights
//   m.end(ctx)     once, after the last step: final operations on weights
//                  (downscaling, pruning); in combine, ends run in reverse
//
// The network, per step: zeroes the drive, calls step() on the mechanism,
// draws input spikes with probability rate * dt from the rates and merges
// ctx.input_spikes, then runs one step of the same kernels as training
// (plasticity and homeostasis as ctx says). A mechanism that changes model
// parameters after begin() sets ctx.models_changed. After end() the network
// restores the gains and the neuron models it had before the phase, bit for
// bit, and what the caller reads (counts(), the recorded raster); weights,
// thresholds and neuron state keep what the phase did to them. A mechanism
// touches nothing but what the context names, and draws random numbers only
// from ctx.rng, so the same seed gives the same phase.
// ---------------------------------------------------------------------------

/// A population as a sleep mechanism sees it.
struct population_view {
    const char* name;                    ///< "exc", "inh"
    std::size_t size = 0;
    float* input_exc = nullptr;          ///< excitatory input channel: what is added here arrives next step
    float* input_inh = nullptr;          ///< inhibitory input channel
    vector_f* theta = nullptr;           ///< threshold offsets, or nullptr
};

/// What an offline step may touch. ExcParams / InhParams are the neuron
/// models' params types: changes take effect when the models are rebuilt
/// from them (after begin(), and whenever models_changed is set).
template <class ExcParams, class InhParams>
struct sleep_context {
    // Time.
    float dt_ms = 0.5f;
    std::uint64_t step = 0;   ///< current offline step, 0-based
    std::uint64_t steps = 0;  ///< steps in the phase
    random_stream* rng = nullptr;

    // The drive that replaces the data. input_rates_hz is zeroed before each
    // step's hooks; a mechanism adds to it (Hz) or appends to input_spikes.
    std::span<float> input_rates_hz;
    spike_list* input_spikes = nullptr;
    /// The mean training image at the waking input rates (Hz per input).
    std::span<const float> mean_image_rates_hz;
    std::size_t input_rows = 0, input_cols = 0;  ///< input geometry, for windows (0 if not an image)

    // The network.
    std::span<projection_view> projections;
    population_view exc, inh;
    ExcParams exc_params{};
    InhParams inh_params{};
    bool models_changed = false;
    bool plasticity = true;   ///< STDP on the plastic projections
    bool homeostasis = true;  ///< homeostasis (threshold adaptation) on
    /// Excitatory spikes of the previous offline step.
    std::span<const std::uint32_t> exc_spikes;
    /// Membrane noise (for neuron models that have it) on during the phase.
    bool noise = false;
    /// Set by a mechanism's step() to end the phase before this step (an
    /// early stop); end() still runs.
    bool finished = false;

    random_stream& random() { return *rng; }
    /// The first projection called name, or nullptr.
    projection_view* projection(std::string_view name)
    {
        for (auto& p : projections)
            if (name == p.name) return &p;
        return nullptr;
    }
};

namespace detail {
/// Parameters no mechanism can know: the archetype concept checks use.
struct archetype_params {};
} // namespace detail

/// M is a sleep mechanism for contexts of type Context.
namespace detail {
template <class P, class C>
concept has_begin = requires(P& p, C& c) { p.begin(c); };
template <class P, class C>
concept has_step = requires(P& p, C& c) { p.step(c); };
template <class P, class C>
concept has_end = requires(P& p, C& c) { p.end(c); };

template <class M, class C>
void sleep_begin(M& m, C& c)
{
    if constexpr (has_begin<M, C>) m.begin(c);
}
template <class M, class C>
void sleep_step(M& m, C& c)
{
    if constexpr (has_step<M, C>) m.step(c);
}
template <class M, class C>
void sleep_end(M& m, C& c)
{
    if constexpr (has_end<M, C>) m.end(c);
}

/// Whether a sleep mechanism's step() leaves every weight alone (neither
/// reads nor writes one; begin() and end() may): a mechanism without a
/// step() does, one with a step() says so with `static constexpr bool
/// leaves_weights_in_step = true`. Likewise a homeostasis rule's on_spikes()
/// with `leaves_weights_on_spikes`. Over a phase whose parts all leave the
/// weights alone, the network may keep them in another layout
/// (synapse/dense.hpp's set_column_major); combine<...> leaves them alone
/// when all its parts do (core/combine.hpp).
template <class M, class C>
struct step_leaves_weights : std::bool_constant<!has_step<M, C> || requires { requires M::leaves_weights_in_step; }> {};
template <class H>
struct on_spikes_leaves_weights : std::bool_constant<!has_on_spikes<H> || requires { requires H::leaves_weights_on_spikes; }> {};
} // namespace detail

template <class M, class Context>
concept sleep_mechanism_for = detail::has_begin<M, Context> || detail::has_step<M, Context> || detail::has_end<M, Context>;

/// M is a sleep mechanism for any network (checked against a context whose
/// neuron parameters are unknown; mechanisms that modulate one model's
/// parameters are checked by the network that runs them).
template <class M>
concept sleep_mechanism = sleep_mechanism_for<M, sleep_context<detail::archetype_params, detail::archetype_params>>;

// ---------------------------------------------------------------------------
// projection
//
// A projection P carries spikes from one population to another (synapse/:
// dense_synapses, sparse_synapses, timed_synapses; the fixed one_to_one and
// all_but_self). How it transmits and learns is its own, called by the
// topology's step; what the code around the topology needs of it is this:
//
//   p.view()                          projection_view of its gain and, if
//                                     plastic, its weights (name and sign are
//                                     filled in by the topology's part entry)
//   p.save_to(w, prefix, own_traces)  its state under "<prefix>..." (a fixed
//   p.load_from(r, prefix, own_traces) projection has none); own_traces false
//                                     when its postsynaptic traces are shared
//                                     with the population (saved there)
//   p.spikes_in_flight()              a spike still travelling (delays)
//   p.history_steps()                 steps of trace history it replays
//   p.skip_steps(n)                   n steps with nothing emitted, jumped
//   p.clear_in_flight()               forgets what travels (a fresh start)
//   p.decay_pre_traces(ms)            its presynaptic traces over ms, in closed form
// ---------------------------------------------------------------------------
class checkpoint_writer;
class checkpoint_reader;

template <class P>
concept projection = requires(P& p, const P& cp, checkpoint_writer& w, const checkpoint_reader& r, const std::string& prefix,
                              double ms, std::size_t n) {
    { p.view() } -> std::same_as<projection_view>;
    cp.save_to(w, prefix, false);
    p.load_from(r, prefix, false);
    { cp.spikes_in_flight() } -> std::convertible_to<bool>;
    { cp.history_steps() } -> std::convertible_to<std::size_t>;
    p.skip_steps(n);
    p.clear_in_flight();
    p.decay_pre_traces(ms);
};

// ---------------------------------------------------------------------------
// presentation_config
//
// What the presentation protocol reads of a topology's configuration
// (competitive_config, massey_config): sizes and geometry of the input, the
// step, how an image is shown, the seed.
//
//   c.n_input, c.input_rows, c.input_cols   inputs, and their image geometry
//                                           (rows x cols = n_input; 0 x 0: not an image)
//   c.dt_ms, c.present_ms, c.rest_ms        the step, input and rest per showing
//   c.rate_hz_per_unit, c.start_intensity,  input rate = pixel x rate x intensity;
//   c.intensity_step, c.min_spikes,         fewer than min_spikes readout spikes:
//   c.max_repeats                           shown again, brighter, up to max_repeats
//   c.seed, c.closed_form_rest              random streams; the rest in closed form
//   c.validate(), C::is_protocol_field(name) checks; fields a checkpoint may differ in
// ---------------------------------------------------------------------------
template <class C>
concept presentation_config = requires(const C c, std::string_view name) {
    { c.n_input } -> std::convertible_to<std::size_t>;
    { c.input_rows } -> std::convertible_to<std::size_t>;
    { c.input_cols } -> std::convertible_to<std::size_t>;
    { c.dt_ms } -> std::convertible_to<float>;
    { c.present_ms } -> std::convertible_to<float>;
    { c.rest_ms } -> std::convertible_to<float>;
    { c.rate_hz_per_unit } -> std::convertible_to<float>;
    { c.start_intensity } -> std::convertible_to<float>;
    { c.intensity_step } -> std::convertible_to<float>;
    { c.min_spikes } -> std::convertible_to<std::uint32_t>;
    { c.max_repeats } -> std::convertible_to<std::uint32_t>;
    { c.seed } -> std::convertible_to<std::uint64_t>;
    { c.closed_form_rest } -> std::convertible_to<bool>;
    c.validate();
    { C::is_protocol_field(name) } -> std::convertible_to<bool>;
};

// ---------------------------------------------------------------------------
// network_topology
//
// A topology T is a network assembled from parts (network/population.hpp,
// synapse/): populations, and projections between them. It derives from
// presentation_protocol<T, Encoder> (network/presentation.hpp), which
// supplies everything done *with* a network (training, re-showing, rest in
// closed form, evaluation from rest, recording; sleep through
// network/sleep_phase.hpp and checkpoints through network/checkpoints.hpp),
// and provides:
//
//   T::network_name               checkpoint tag, e.g. "competitive_network"
//   T::sleep_context_type         sleep_context<Exc::params, Inh::params>
//   t.config()                    a presentation_config
//   t.parts()                     network_parts (network/parts.hpp): its
//                                 populations and projections, listed once,
//                                 and the readout, excitatory and inhibitory
//                                 populations
//   t.homeostasis(), t.layer()    the readout layer's rule and its
//                                 layer_ref, listing every plastic projection onto it
//   t.step(input_spikes, plastic) one time step, in the order the biology runs
//
// and optionally configuration() (what a checkpoint must match; default:
// config, each population's model, homeostasis), shape() (default: inputs
// and readout neurons) and check_loaded(reader).
// ---------------------------------------------------------------------------
template <class T>
concept network_topology = requires(T& t, std::span<const std::uint32_t> input, bool plastic) {
    { T::network_name } -> std::convertible_to<const char*>;
    typename T::sleep_context_type;
    requires presentation_config<std::remove_cvref_t<decltype(t.config())>>;
    t.parts().readout.fire();
    t.parts().excitatory.fire();
    t.parts().inhibitory.fire();
    t.parts().views();
    { t.layer() } -> std::same_as<layer_ref>;
    t.homeostasis().on_spikes(t.layer(), input);
    t.step(input, plastic);
};

// ---------------------------------------------------------------------------
// sleep_schedule
//
// A sleep schedule S says when a training protocol sleeps; it lives outside
// the network's type, so the same network can be trained with any schedule
// or none. It must provide:
//
//   s.sleep_after(images_seen)   milliseconds of sleep due once the network
//                                has trained on images_seen images (0: none);
//                                asked after every training image
//
// It depends on images_seen alone, which checkpoints keep, so a run resumed
// from a checkpoint sleeps exactly when an uninterrupted run would. A
// schedule whose parameters cannot give a duration (NaN, negative, endless)
// throws config_error from sleep_after rather than returning no sleep.
// ---------------------------------------------------------------------------
template <class S>
concept sleep_schedule = requires(const S s, std::uint64_t images_seen) {
    { s.sleep_after(images_seen) } -> std::convertible_to<double>;
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
