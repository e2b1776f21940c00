// SPDX-License-Identifier: MIT
// Input -> excitatory <-> inhibitory competitive network of Diehl & Cook 2015
// (Front. Comput. Neurosci. 9:99): Poisson inputs drive excitatory neurons
// through plastic all-to-all synapses; each excitatory neuron excites one
// inhibitory partner, which inhibits every other excitatory neuron.
// A topology built from parts (network/population.hpp, synapse/): it lists
// them once (parts()), and its step reads as the biology does: integrate
// and fire -> input spikes -> propagate -> learn. Presentation (re-showing,
// rest, evaluation, recording), sleep and checkpoints are network/'s
// presentation.hpp, sleep_phase.hpp and checkpoints.hpp.
// Every policy is a template parameter.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <string>
#include <string_view>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/combine.hpp"
#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../core/steps.hpp"
#include "../encoding/poisson.hpp"
#include "../homeostasis/adaptive_threshold.hpp"
#include "../homeostasis/none.hpp"
#include "../homeostasis/normalize_incoming.hpp"
#include "../neuron/conductance_lif.hpp"
#include "../plasticity/diehl_cook_triplet.hpp"
#include "../synapse/dense.hpp"
#include "../synapse/fixed.hpp"
#include "population.hpp"
#include "presentation.hpp"

namespace somnus {

/// Run-time configuration; defaults are Diehl & Cook 2015 (DESIGN.md section 6).
struct competitive_config {
    std::size_t n_input = 784;
    /// The input as an image (rows x cols = n_input), for sleep drives that
    /// use windows; 0 x 0 when it is not one.
    std::size_t input_rows = 28, input_cols = 28;
    std::size_t n_exc = 100;
    float dt_ms = 0.5f;
    float present_ms = 350.0f;
    float rest_ms = 150.0f;
    /// Input rate (Hz) = pixel (0..255) * rate_hz_per_unit * intensity:
    /// pixel / 4 Hz at the starting intensity 2 (63.75 Hz for 255).
    float rate_hz_per_unit = 0.125f;
    float start_intensity = 2.0f;
    float intensity_step = 1.0f;
    /// Fewer excitatory spikes than this: raise the intensity, show again.
    std::uint32_t min_spikes = 5;
    /// Give up raising the intensity after this many repeats (a blank image
    /// would otherwise be shown forever); the last response is kept.
    std::uint32_t max_repeats = 40;
    float w_input_init_max = 0.3f;  ///< initial input weights uniform in [0, this]
    /// Input -> excitatory delays drawn uniformly from whole steps in
    /// [0, input_delay_max_ms]; 0 = no delays (the paper's description).
    /// Diehl & Cook's code uses 10 ms.
    float input_delay_max_ms = 0.0f;
    float w_exc_inh = 10.4f;        ///< exc -> inh, one-to-one
    float w_inh_exc = 17.0f;        ///< inh -> exc, all but the partner
    weight_bounds bounds{0.0f, 1.0f};
    std::uint64_t seed = 0;
    /// Step the rest after each example only until the network has settled
    /// (no spikes in flight, conductances negligible, no neuron able to fire
    /// at rest), then jump the remainder in closed form. Agrees with stepping
    /// it (false, the reference) to rounding; tests/network checks that.
    bool closed_form_rest = true;

    /// Every field by name (core/params.hpp), for checkpoints and results.
    template <class F>
    void each_field(F&& f) const
    {
        f("n_input", n_input);
        f("n_exc", n_exc);
        f("dt_ms", dt_ms);
        f("present_ms", present_ms);
        f("rest_ms", rest_ms);
        f("rate_hz_per_unit", rate_hz_per_unit);
        f("start_intensity", start_intensity);
        f("intensity_step", intensity_step);
        f("min_spikes", min_spikes);
        f("max_repeats", max_repeats);
        f("w_input_init_max", w_input_init_max);
        f("input_delay_max_ms", input_delay_max_ms);
        f("w_exc_inh", w_exc_inh);
        f("w_inh_exc", w_inh_exc);
        f("w_min", bounds.w_min);
        f("w_max", bounds.w_max);
        f("seed", seed);
        f("closed_form_rest", closed_form_rest);
        f("input_rows", input_rows);
        f("input_cols", input_cols);
    }

    /// Fields that only steer the protocol (how images are shown, the seed
    /// of future input spikes, the fixed exc <-> inh weights): a checkpoint
    /// loaded under other values is continued with them, and the
    /// difference is reported. Every other field shapes the saved state.
    static bool is_protocol_field(std::string_view name)
    {
        for (const char* f : {"present_ms", "rest_ms", "rate_hz_per_unit", "start_intensity", "intensity_step", "min_spikes",
                              "max_repeats", "w_input_init_max", "w_exc_inh", "w_inh_exc", "seed", "closed_form_rest", "input_rows",
                              "input_cols"})
            if (name == f) return true;
        return false;
    }

    void validate() const
    {
        detail::require(std::isfinite(dt_ms) && std::isfinite(present_ms) && std::isfinite(rest_ms) &&
                            std::isfinite(rate_hz_per_unit) && std::isfinite(start_intensity) && std::isfinite(intensity_step) &&
                            std::isfinite(w_input_init_max) && std::isfinite(input_delay_max_ms) && std::isfinite(w_exc_inh) &&
                            std::isfinite(w_inh_exc) && std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max),
                        "competitive_config: every time, rate and weight must be finite");
        detail::require(bounds.w_min <= bounds.w_max, "competitive_config: weight bounds [{}, {}] are reversed", bounds.w_min,
                        bounds.w_max);
        detail::require(n_input > 0 && n_exc > 0, "competitive_config: n_input ({}) and n_exc ({}) must be positive", n_input, n_exc);
        detail::require((input_rows == 0 && input_cols == 0) || input_rows * input_cols == n_input,
                        "competitive_config: input_rows x input_cols ({} x {}) must be n_input ({}), or 0 x 0 for an input that is "
                        "not an image",
                        input_rows, input_cols, n_input);
        detail::require(dt_ms > 0.0f, "competitive_config: dt_ms must be positive, got {}", dt_ms);
        detail::steps_of<std::uint32_t>("competitive_config: present_ms", present_ms, dt_ms, detail::zero_steps::refused);
        detail::steps_of<std::uint32_t>("competitive_config: rest_ms", rest_ms, dt_ms, detail::zero_steps::only_for_zero_ms);
        detail::require(rate_hz_per_unit >= 0.0f && start_intensity > 0.0f && intensity_step >= 0.0f,
                        "competitive_config: rates and intensities must be non-negative");
        detail::require(detail::steps_of("competitive_config: input_delay_max_ms", input_delay_max_ms, dt_ms) <= 255,
                        "competitive_config: input_delay_max_ms must be in [0, 255 dt], got {}", input_delay_max_ms);
        detail::require(w_input_init_max >= bounds.w_min && w_input_init_max <= bounds.w_max,
                        "competitive_config: w_input_init_max {} outside the weight bounds [{}, {}]", w_input_init_max,
                        bounds.w_min, bounds.w_max);
    }
};

using diehl_cook_homeostasis = combine<adaptive_threshold, normalize_incoming>;

template <neuron_model Exc = conductance_lif, neuron_model Inh = conductance_lif, plasticity_rule Rule = diehl_cook_triplet,
          homeostasis_rule Homeostasis = diehl_cook_homeostasis, rate_encoder Encoder = poisson_encoder>
class competitive_network
    : public presentation_protocol<competitive_network<Exc, Inh, Rule, Homeostasis, Encoder>, Encoder> {
    using protocol = presentation_protocol<competitive_network, Encoder>;
    friend protocol;

public:
    static constexpr const char* network_name = "competitive_network";
    using exc_model = Exc;
    using inh_model = Inh;
    using synapses_type = dense_synapses<Rule>;
    using encoder_type = Encoder;
    using exc_population_type = population<Exc, synapses_type::n_post_traces>;
    using inh_population_type = population<Inh>;
    /// What a sleep mechanism's hooks receive (core/concepts.hpp).
    using sleep_context_type = sleep_context<typename Exc::params, typename Inh::params>;

    /// The encoder turns an image's pixel rates into input spikes; by
    /// default it is built as Encoder(n_input, dt_ms).
    competitive_network(competitive_config cfg, Exc exc, Inh inh, Rule rule = {}, Homeostasis homeostasis = {})
        requires std::constructible_from<Encoder, std::size_t, float>
        : competitive_network(cfg, std::move(exc), std::move(inh), std::move(rule), std::move(homeostasis),
                              Encoder(cfg.n_input, cfg.dt_ms)) {}

    competitive_network(competitive_config cfg, Exc exc, Inh inh, Rule rule, Homeostasis homeostasis, Encoder encoder)
        : protocol(cfg, std::move(encoder)), cfg_(cfg), homeostasis_(std::move(homeostasis)),
          exc_("exc", std::move(exc), cfg.n_exc, rule.post_traces(), rest_relax_ms),
          inh_("inh", std::move(inh), cfg.n_exc, {}, rest_relax_ms),
          input_(cfg.n_input, cfg.n_exc, std::move(rule), cfg.dt_ms, cfg.bounds),
          exc_inh_{cfg.n_exc, cfg.w_exc_inh}, inh_exc_{cfg.n_exc, cfg.w_inh_exc}
    {
        detail::require(std::abs(exc_.model.dt_ms() - cfg.dt_ms) < 1e-6f && std::abs(inh_.model.dt_ms() - cfg.dt_ms) < 1e-6f,
                        "competitive_network: neuron models built for dt {} / {} ms, network runs at {} ms", exc_.model.dt_ms(),
                        inh_.model.dt_ms(), cfg.dt_ms);
        random_stream rng(cfg.seed, stream_purpose::init_weights);
        for (auto& w : input_.weights()) w = rng.uniform(0.0f, cfg.w_input_init_max);
        if (cfg.input_delay_max_ms > 0.0f) {
            const auto max_steps = detail::steps_of("competitive_network: input_delay_max_ms", cfg.input_delay_max_ms, cfg.dt_ms);
            random_stream delays_rng(cfg.seed, stream_purpose::delays);
            std::vector<std::uint8_t> d(cfg.n_input * cfg.n_exc);
            for (auto& x : d) x = static_cast<std::uint8_t>(delays_rng.below(max_steps + 1));
            input_.set_delays(d);
        }
    }

    const competitive_config& config() const { return cfg_; }
    /// Input -> excitatory weights, [input][exc].
    matrix_f& weights() { return input_.weights(); }
    const matrix_f& weights() const { return input_.weights(); }
    synapses_type& input_synapses() { return input_; }
    typename Exc::state& exc_state() { return exc_.state; }
    typename Inh::state& inh_state() { return inh_.state; }
    const typename Exc::state& exc_state() const { return exc_.state; }
    Homeostasis& homeostasis() { return homeostasis_; }
    const Exc& exc() const { return exc_.model; }
    const Inh& inh() const { return inh_.model; }
    exc_population_type& exc_population() { return exc_; }
    const exc_population_type& exc_population() const { return exc_; }
    inh_population_type& inh_population() { return inh_; }
    const inh_population_type& inh_population() const { return inh_; }

    /// One step, in the order the biology runs: traces decay, both
    /// populations integrate and fire on the input delivered in earlier
    /// steps, the spikes are delivered for the next step (input spikes
    /// after their delays, with on_pre where they arrive), the excitatory
    /// spikes drive on_post, then bump the shared traces.
    void step(std::span<const std::uint32_t> input_spikes, bool plastic)
    {
        if (plastic) {
            input_.decay_pre_traces();
            exc_.traces.decay();
        }
        exc_.fire();
        inh_.fire();
        input_.presynaptic_step(input_spikes, exc_.input(channel::excitatory), input_.gain, plastic, exc_.traces);
        exc_inh_.deliver(exc_.spikes, inh_.input(channel::excitatory));
        inh_exc_.deliver(inh_.spikes, exc_.input(channel::inhibitory));
        if (plastic) {
            input_.postsynaptic_step(exc_.spikes, exc_.traces, false);
            exc_.bump_traces();
        }
    }

    /// The parts: the excitatory population is the readout; projections
    /// under the names their checkpoint sections carry and the names sleep
    /// mechanisms see them by.
    auto parts()
    {
        return network_parts{exc_, exc_, inh_, std::tie(exc_, inh_),
                             std::tuple{projection_part{"input", "input_to_exc", synapse_sign::excitatory, input_},
                                        projection_part{"exc_to_inh", "exc_to_inh", synapse_sign::excitatory, exc_inh_},
                                        projection_part{"inh_to_exc", "inh_to_exc", synapse_sign::inhibitory, inh_exc_}}};
    }

    /// The excitatory layer as homeostasis sees it.
    layer_ref layer()
    {
        return layer_ref{input_.weights_untracked(), exc_.theta(), exc_.counts, input_.changed_columns()};
    }

    std::vector<std::uint64_t> shape() const { return {cfg_.n_input, cfg_.n_exc}; }
    static std::string describe_shape(std::span<const std::uint64_t> s)
    {
        return s.size() == 2 ? fmt::format("{} inputs x {} excitatory neurons", s[0], s[1]) : fmt::format("shape ({})", fmt::join(s, " x "));
    }

    /// Everything that shapes this network, as recorded in its checkpoints:
    /// config.* (competitive_config), exc.*, inh.* (neuron models), rule.*,
    /// homeostasis.* (policy types and their parameters).
    param_record configuration() const
    {
        param_record rec;
        record_policy(rec, "config", *this);
        record_policy(rec, "exc", exc_.model);
        record_policy(rec, "inh", inh_.model);
        record_policy(rec, "rule", input_.rule());
        record_policy(rec, "homeostasis", homeostasis_);
        return rec;
    }

    /// For record_policy: the network's own configuration fields.
    void describe(param_record& rec, std::string_view prefix) const
    {
        cfg_.each_field([&](const char* name, const auto& value) { rec.add(fmt::format("{}.{}", prefix, name), value); });
    }

    /// Values a checkpoint with a valid checksum may still get wrong.
    void check_loaded(const checkpoint_reader& r) const
    {
        const auto max_delay = detail::steps_of("competitive_network: input_delay_max_ms", cfg_.input_delay_max_ms, cfg_.dt_ms);
        for (const auto d : input_.delays())
            if (d > max_delay)
                r.fail(fmt::format("'input.delays' holds a delay of {} steps, more than the {} ms ({} steps) configured", int(d),
                                   cfg_.input_delay_max_ms, max_delay));
    }

private:
    static constexpr double rest_relax_ms = 1000.0;

    competitive_config cfg_;
    Homeostasis homeostasis_;
    exc_population_type exc_;
    inh_population_type inh_;
    synapses_type input_;
    one_to_one exc_inh_;
    all_but_self inh_exc_;
};

/// The network of Diehl & Cook 2015 with the paper's parameters.
using diehl_cook_network = competitive_network<>;
static_assert(network_topology<diehl_cook_network>);

/// Builds it with Diehl & Cook's excitatory and inhibitory neurons. With
/// original_refractoriness, excitatory neurons cannot fire again for 50 ms,
/// as in the authors' code (DESIGN.md section 6).
inline diehl_cook_network make_diehl_cook(competitive_config cfg, bool original_refractoriness = false)
{
    auto exc = conductance_lif::diehl_cook_excitatory();
    if (original_refractoriness) exc.lockout_ms = 50.0f;
    return diehl_cook_network(cfg, conductance_lif(exc, cfg.dt_ms), conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms));
}

} // namespace somnus
