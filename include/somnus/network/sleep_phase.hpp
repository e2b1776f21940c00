// SPDX-License-Identifier: MIT
// The sleep phase runner, for any network built from parts: an offline
// phase driven by a sleep mechanism (or a combine<...> of them;
// core/concepts.hpp says what each hook may do) on the network's own step.
// Per offline step: the drive is zeroed, the mechanism's step() runs (and
// may end the phase early), neuron models are rebuilt if it changed their
// parameters, input spikes are drawn from its rates and merged with those it
// emitted, membrane noise is drawn if it asked for it, and the topology
// steps with the plasticity and homeostasis it chose. Whatever happens, on
// every way out (an exception included) the gains, the neuron models, the
// readout's counts and the recorded raster are put back as they were:
// weights, thresholds and neuron state keep what sleep did.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../core/simd.hpp"
#include "../core/steps.hpp"

namespace somnus {

/// What a sleep phase did (the "up state" shows as a higher rate).
struct sleep_report {
    std::uint64_t steps = 0;  ///< offline steps run (fewer than asked if a mechanism ended the phase)
    std::uint64_t input_spikes = 0, excitatory_spikes = 0, inhibitory_spikes = 0;
};

namespace detail {

/// Puts back, on destruction, what a phase may only borrow.
template <class Excitatory, class Inhibitory, std::size_t N>
struct waking_state {
    Excitatory& excitatory;
    Inhibitory& inhibitory;
    std::remove_cvref_t<decltype(Excitatory::model)> excitatory_model;
    std::remove_cvref_t<decltype(Inhibitory::model)> inhibitory_model;
    std::array<projection_view, N>& views;
    std::array<float, N> gains{};
    std::vector<std::uint32_t> readout_counts;
    std::vector<std::uint32_t>& counts;

    waking_state(Excitatory& e, Inhibitory& i, std::array<projection_view, N>& v, std::vector<std::uint32_t>& c)
        : excitatory(e), inhibitory(i), excitatory_model(e.model), inhibitory_model(i.model), views(v), readout_counts(c), counts(c)
    {
        for (std::size_t k = 0; k < N; ++k) gains[k] = *v[k].gain;
    }
    ~waking_state()
    {
        excitatory.model = excitatory_model;
        inhibitory.model = inhibitory_model;
        for (std::size_t k = 0; k < N; ++k) *views[k].gain = gains[k];
        counts = readout_counts;
    }
    waking_state(const waking_state&) = delete;
    waking_state& operator=(const waking_state&) = delete;
};

/// Puts the dense projections of a network's parts in post-major layout
/// for its lifetime (or until restore()), if asked to.
template <class Parts>
struct column_major_scope {
    const Parts& parts;
    bool on;
    column_major_scope(const Parts& p, bool want) : parts(p), on(want) { set(want); }
    ~column_major_scope() { restore(); }
    void restore()
    {
        if (on) set(false);
        on = false;
    }
    void set(bool value) const
    {
        parts.for_each_projection([&](const auto& part) {
            if constexpr (requires { part.proj.set_column_major(value); }) part.proj.set_column_major(value);
        });
    }
    column_major_scope(const column_major_scope&) = delete;
    column_major_scope& operator=(const column_major_scope&) = delete;
};

/// Emits one step's input spikes (the sleep drive's) at step 0.
struct replay_step {
    std::size_t n;
    const spike_list& spikes;
    std::size_t size() const { return n; }
    void emit(std::uint32_t, spike_list& out) const { out.insert(out.end(), spikes.begin(), spikes.end()); }
};

} // namespace detail

/// An offline phase of duration_ms on net. Works on any network, trained or
/// not; counts() and the recorded raster read afterwards are those of the
/// last presentation, as if the phase had not happened. The random streams
/// are keyed by (seed, images seen, sleeps so far), which checkpoints keep,
/// so a resumed run sleeps exactly as an uninterrupted one.
template <class Network, class Mechanism>
sleep_report run_sleep_phase(Network& net, Mechanism& mechanism, double duration_ms)
{
    using context_type = typename Network::sleep_context_type;
    const auto& cfg = net.config();
    // Rounded to the nearest step; a phase shorter than half a step runs none
    // (its report says so).
    const auto steps = detail::steps_of(fmt::format("{}::sleep: duration_ms", Network::network_name), duration_ms, cfg.dt_ms);
    random_stream rng(cfg.seed, stream_purpose::sleep_noise, net.images_seen_, net.sleeps_done_);
    random_stream membrane_rng(cfg.seed, stream_purpose::membrane_noise, 3, net.images_seen_, net.sleeps_done_);
    ++net.sleeps_done_;

    const auto parts = net.parts();
    auto& excitatory = parts.excitatory;
    auto& inhibitory = parts.inhibitory;
    using excitatory_model = std::remove_cvref_t<decltype(excitatory.model)>;
    using inhibitory_model = std::remove_cvref_t<decltype(inhibitory.model)>;
    auto views = parts.views();
    // Restored on every way out, in reverse order of these declarations.
    typename Network::noise_scope sleeping(net.noise_rng_, nullptr);
    struct raster_guard {
        spike_raster*& slot;
        spike_raster* saved;
        ~raster_guard() { slot = saved; }
    } raster{net.raster_, net.raster_};
    net.raster_ = nullptr;
    const detail::waking_state<std::remove_cvref_t<decltype(excitatory)>, std::remove_cvref_t<decltype(inhibitory)>, views.size()> waking(
        excitatory, inhibitory, views, parts.readout.counts);

    const std::size_t n_in = net.n_input();
    std::vector<float> drive(n_in, 0.0f), mean_rates(n_in);
    for (std::size_t i = 0; i < n_in; ++i) mean_rates[i] = net.mean_image_[i] * cfg.rate_hz_per_unit * cfg.start_intensity;
    context_type ctx;
    ctx.dt_ms = cfg.dt_ms;
    ctx.steps = steps;
    ctx.rng = &rng;
    ctx.input_rates_hz = drive;
    ctx.input_spikes = &net.sleep_spikes_;
    ctx.mean_image_rates_hz = mean_rates;
    ctx.input_rows = cfg.input_rows;
    ctx.input_cols = cfg.input_cols;
    ctx.projections = views;
    ctx.exc = excitatory.view();
    ctx.inh = inhibitory.view();
    ctx.exc_params = excitatory.model.parameters();
    ctx.inh_params = inhibitory.model.parameters();

    sleep_report report;
    detail::sleep_begin(mechanism, ctx);
    // With STDP on, postsynaptic spikes outnumber presynaptic ones: dense
    // projections learn in post-major layout if nothing else looks at the
    // weights until the phase ends (same bits; synapse/dense.hpp).
    constexpr bool weights_left_alone =
        detail::step_leaves_weights<Mechanism, context_type>::value &&
        detail::on_spikes_leaves_weights<std::remove_cvref_t<decltype(net.homeostasis())>>::value;
    detail::column_major_scope<std::remove_cvref_t<decltype(parts)>> post_major(parts, weights_left_alone && ctx.plasticity);
    const double step_p = double(cfg.dt_ms) * 1.0e-3;
    detail::replay_step source{n_in, net.in_drawn_};
    std::vector<std::uint32_t> candidate_input(n_in + simd::width);  // compress_indices writes a whole batch
    std::vector<std::uint64_t> candidate_below(n_in);
    std::vector<std::uint32_t> fired_input(n_in);
    // The rates the candidates and thresholds were listed for: a drive that
    // does not change (the mean image's) lists them once per phase.
    std::vector<float> listed_drive(n_in);
    bool listed = false;
    std::size_t candidates = 0;
    for (std::uint64_t t = 0; t < steps; ++t) {
        ctx.step = t;
        std::fill(drive.begin(), drive.end(), 0.0f);
        net.sleep_spikes_.clear();
        detail::sleep_step(mechanism, ctx);
        if (ctx.finished) break;
        ++report.steps;
        net.noise_rng_ = ctx.noise ? &membrane_rng : nullptr;
        if (ctx.models_changed) {
            excitatory.model = excitatory_model(ctx.exc_params, cfg.dt_ms);
            inhibitory.model = inhibitory_model(ctx.inh_params, cfg.dt_ms);
            ctx.models_changed = false;
        }
        // Bernoulli input spikes from the rates, merged with the spikes
        // mechanisms emitted directly, in increasing order, once each.
        auto& drawn = net.in_drawn_;
        bool rates_valid = true, same_rates = listed;
        simd::for_each<simd::batch>(n_in, [&](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L r = simd::load<L>(drive.data() + i);
            rates_valid = rates_valid && simd::all((r >= L(0.0f)) && (r < L(std::numeric_limits<float>::infinity())));
            // Equal as floats: the same positive rates (only +0 and -0 may
            // differ in their bits, and neither is a candidate).
            same_rates = same_rates && simd::all(r == simd::load<L>(listed_drive.data() + i));
        });
        if (!rates_valid)
            for (std::size_t i = 0; i < n_in; ++i)
                detail::require(drive[i] >= 0.0f && drive[i] < std::numeric_limits<float>::infinity(),
                                "{}::sleep: input rate {} Hz for input {}", Network::network_name, drive[i], i);
        // One uniform draw per input with a positive rate, in input order
        // (the stream's order is part of the result): the inputs and their
        // probabilities are listed first, so the drawing loop holds the
        // generator in registers and makes no call.
        // uniform() < p compares k 2^-53 with p for the draw's top 53 bits
        // k: the same as k < ceil(p 2^53) in integers (p 2^53 is exact; a
        // p of 1 or more passes every draw either way).
        // The inputs with a positive rate, by lane masks (compress_indices:
        // no branch or serial count per input), then their thresholds.
        if (!same_rates) {
            candidates = 0;
            std::size_t i = 0;
            for (; i + simd::width <= n_in; i += simd::width)
                candidates += simd::compress_indices(simd::load<simd::batch>(drive.data() + i) > simd::batch(0.0f),
                                                     static_cast<std::uint32_t>(i), candidate_input.data() + candidates);
            for (; i < n_in; ++i)
                candidates += simd::compress_indices(drive[i] > 0.0f, static_cast<std::uint32_t>(i), candidate_input.data() + candidates);
            for (std::size_t k = 0; k < candidates; ++k)
                candidate_below[k] =
                    static_cast<std::uint64_t>(std::ceil(std::min(double(drive[candidate_input[k]]) * step_p, 1.0) * 0x1.0p53));
            std::copy(drive.begin(), drive.end(), listed_drive.begin());
            listed = true;
        }
        std::uint32_t* fired = fired_input.data();
        std::size_t n_fired = 0;
        random_stream draws = rng;
        for (std::size_t k = 0; k < candidates; ++k) {
            fired[n_fired] = candidate_input[k];
            n_fired += (draws() >> 11) < candidate_below[k] ? 1 : 0;
        }
        rng = draws;
        drawn.assign(fired, fired + n_fired);
        if (!net.sleep_spikes_.empty()) {
            for (const auto i : net.sleep_spikes_)
                detail::require(i < n_in, "{}::sleep: input spike for input {} of {}", Network::network_name, i, n_in);
            drawn.insert(drawn.end(), net.sleep_spikes_.begin(), net.sleep_spikes_.end());
            std::sort(drawn.begin(), drawn.end());
            drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end());
        }
        report.input_spikes += drawn.size();
        net.run(source, 1, true, ctx.plasticity, ctx.homeostasis);
        report.excitatory_spikes += excitatory.spikes.size();
        report.inhibitory_spikes += inhibitory.spikes.size();
        ctx.exc_spikes = excitatory.spikes;
    }
    post_major.restore();
    detail::sleep_end(mechanism, ctx);
    if (ctx.homeostasis) detail::after_presentation(net.homeostasis(), net.layer(), double(report.steps) * cfg.dt_ms);
    return report;
}

} // namespace somnus
