// SPDX-License-Identifier: MIT
// The recurrent STDP network of Massey, Hubin, Nichele & Saebo 2026
// (arXiv:2601.08447) as their code builds and runs it (DESIGN.md section
// 9a): 225 inputs -> 200 excitatory + 50 inhibitory neurons of one model
// (neuron/current_lif.hpp), four sparse plastic projections (input -> E,
// E -> E without self-connections, E -> I, I -> E without the reverse of any
// E -> I synapse), equal initial weights per projection, all learning with
// their nearest-spike rule (plasticity/last_spike_timing.hpp). Each step, in
// their order: last step's spikes are transmitted; noise is added and both
// populations integrate and fire; the times since each neuron last fired
// are updated; then every projection clips and learns (synapse/timed.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../core/steps.hpp"
#include "../core/random.hpp"
#include "../encoding/poisson.hpp"
#include "../homeostasis/none.hpp"
#include "../neuron/current_lif.hpp"
#include "../plasticity/last_spike_timing.hpp"
#include "../synapse/timed.hpp"
#include "population.hpp"
#include "presentation.hpp"

namespace somnus {

/// Run-time configuration; defaults are Massey et al.'s code at commit 40b7d33.
struct massey_config {
    // Presentation (network/presentation.hpp): 1 000 steps of 1 ms per image, no
    // rest, no re-showing; the input rates are set per image by the caller
    // (massey_input_rates) and shown through train(source, steps).
    std::size_t n_input = 225;
    std::size_t input_rows = 15, input_cols = 15;
    std::size_t n_exc = 200;
    std::size_t n_inh = 50;
    float dt_ms = 1.0f;
    float present_ms = 1000.0f;
    float rest_ms = 0.0f;
    float rate_hz_per_unit = 1.0f;
    float start_intensity = 1.0f;
    float intensity_step = 0.0f;
    std::uint32_t min_spikes = 0;
    std::uint32_t max_repeats = 1;
    std::uint64_t seed = 0;
    bool closed_form_rest = false;

    /// Spike probabilities per step of one image sum to this (theirs: 0.1 per
    /// pixel of 15 x 15), each clipped to 1.
    float input_total = 22.5f;

    // Connectivity: each synapse exists with this probability (Bernoulli).
    float p_input_exc = 0.10f, p_exc_exc = 0.15f, p_exc_inh = 0.20f, p_inh_exc = 0.25f;
    /// Where E_i -> I_j exists, I_j -> E_i is removed (their rule).
    bool no_reciprocal_inhibition = true;
    // Initial weight of every synapse of a projection (theirs: 0.15, 0.3, 0.6, -0.5).
    float w_input_exc = 0.15f, w_exc_exc = 0.3f, w_exc_inh = 0.6f, w_inh_exc = -0.5f;
    weight_bounds exc_bounds{0.01f, 25.0f};    ///< synapses from excitatory neurons and inputs
    weight_bounds inh_bounds{-25.0f, -0.01f};  ///< synapses from inhibitory neurons

    template <class F>
    void each_field(F&& f) const
    {
        f("n_input", n_input);
        f("input_rows", input_rows);
        f("input_cols", input_cols);
        f("n_exc", n_exc);
        f("n_inh", n_inh);
        f("dt_ms", dt_ms);
        f("present_ms", present_ms);
        f("rest_ms", rest_ms);
        f("rate_hz_per_unit", rate_hz_per_unit);
        f("start_intensity", start_intensity);
        f("intensity_step", intensity_step);
        f("min_spikes", min_spikes);
        f("max_repeats", max_repeats);
        f("seed", seed);
        f("closed_form_rest", closed_form_rest);
        f("input_total", input_total);
        f("p_input_exc", p_input_exc);
        f("p_exc_exc", p_exc_exc);
        f("p_exc_inh", p_exc_inh);
        f("p_inh_exc", p_inh_exc);
        f("no_reciprocal_inhibition", no_reciprocal_inhibition);
        f("w_input_exc", w_input_exc);
        f("w_exc_exc", w_exc_exc);
        f("w_exc_inh", w_exc_inh);
        f("w_inh_exc", w_inh_exc);
        f("exc_w_min", exc_bounds.w_min);
        f("exc_w_max", exc_bounds.w_max);
        f("inh_w_min", inh_bounds.w_min);
        f("inh_w_max", inh_bounds.w_max);
    }

    static bool is_protocol_field(std::string_view name)
    {
        for (const char* f : {"present_ms", "rest_ms", "rate_hz_per_unit", "start_intensity", "intensity_step", "min_spikes",
                              "max_repeats", "seed", "closed_form_rest", "input_total", "w_input_exc", "w_exc_exc", "w_exc_inh",
                              "w_inh_exc"})
            if (name == f) return true;
        return false;
    }

    void validate() const
    {
        detail::require(n_input > 0 && n_exc > 0 && n_inh > 0, "massey_config: n_input ({}), n_exc ({}), n_inh ({}) must be positive",
                        n_input, n_exc, n_inh);
        detail::require(input_rows * input_cols == n_input, "massey_config: input {} x {} is not n_input {}", input_rows, input_cols,
                        n_input);
        detail::require(std::isfinite(dt_ms) && dt_ms > 0.0f, "massey_config: dt_ms must be positive, got {}", dt_ms);
        detail::steps_of<std::uint32_t>("massey_config: present_ms", present_ms, dt_ms, detail::zero_steps::refused);
        detail::steps_of<std::uint32_t>("massey_config: rest_ms", rest_ms, dt_ms, detail::zero_steps::only_for_zero_ms);
        detail::require(std::isfinite(rate_hz_per_unit) && rate_hz_per_unit >= 0.0f && std::isfinite(start_intensity) &&
                            start_intensity > 0.0f && std::isfinite(intensity_step) && intensity_step >= 0.0f,
                        "massey_config: rates and intensities must be finite and non-negative");
        detail::require(std::isfinite(input_total) && input_total > 0.0f, "massey_config: input_total must be positive, got {}",
                        input_total);
        for (const float p : {p_input_exc, p_exc_exc, p_exc_inh, p_inh_exc})
            detail::require(std::isfinite(p) && p >= 0.0f && p <= 1.0f, "massey_config: connection probability {} outside [0, 1]", p);
        detail::require(std::isfinite(exc_bounds.w_min) && std::isfinite(exc_bounds.w_max) && exc_bounds.w_min <= exc_bounds.w_max &&
                            exc_bounds.w_min >= 0.0f,
                        "massey_config: excitatory bounds [{}, {}] must be finite, ordered and >= 0", exc_bounds.w_min,
                        exc_bounds.w_max);
        detail::require(std::isfinite(inh_bounds.w_min) && std::isfinite(inh_bounds.w_max) && inh_bounds.w_min <= inh_bounds.w_max &&
                            inh_bounds.w_max <= 0.0f,
                        "massey_config: inhibitory bounds [{}, {}] must be finite, ordered and <= 0", inh_bounds.w_min,
                        inh_bounds.w_max);
        const auto inside = [](float w, weight_bounds b) { return std::isfinite(w) && w >= b.w_min && w <= b.w_max; };
        detail::require(inside(w_input_exc, exc_bounds) && inside(w_exc_exc, exc_bounds) && inside(w_exc_inh, exc_bounds),
                        "massey_config: initial excitatory weights {}, {}, {} outside [{}, {}]", w_input_exc, w_exc_exc, w_exc_inh,
                        exc_bounds.w_min, exc_bounds.w_max);
        detail::require(inside(w_inh_exc, inh_bounds), "massey_config: initial inhibitory weight {} outside [{}, {}]", w_inh_exc,
                        inh_bounds.w_min, inh_bounds.w_max);
    }
};

/// The input rates (Hz) of one image in their coding: pixel values scaled so
/// the per-step spike probabilities sum to cfg.input_total (each clipped to
/// 1 by the encoder); a blank image gives no input.
inline void massey_input_rates(const massey_config& cfg, std::span<const std::uint8_t> image, std::span<float> rates_hz)
{
    detail::require(image.size() == cfg.n_input && rates_hz.size() == cfg.n_input, "massey_input_rates: {} pixels, {} rates for {} inputs",
                    image.size(), rates_hz.size(), cfg.n_input);
    double sum = 0.0;
    for (const auto x : image) sum += x;
    const double per_unit = sum > 0.0 ? double(cfg.input_total) / sum * 1000.0 / double(cfg.dt_ms) : 0.0;
    for (std::size_t i = 0; i < image.size(); ++i) rates_hz[i] = static_cast<float>(double(image[i]) * per_unit);
}

template <timing_rule Rule = last_spike_timing, rate_encoder Encoder = poisson_encoder>
class massey_network : public presentation_protocol<massey_network<Rule, Encoder>, Encoder> {
    using protocol = presentation_protocol<massey_network, Encoder>;
    friend protocol;

public:
    static constexpr const char* network_name = "massey_network";
    using neuron_type = current_lif;
    using projection_type = timed_synapses<Rule>;
    using population_type = population<current_lif>;
    using sleep_context_type = sleep_context<current_lif::params, current_lif::params>;

    /// neuron: the model of every neuron; exc_rule for the synapses from
    /// inputs and excitatory neurons, inh_rule for those from inhibitory ones.
    massey_network(massey_config cfg, current_lif neuron, Rule exc_rule, Rule inh_rule)
        : protocol(cfg, Encoder(cfg.n_input, cfg.dt_ms)), cfg_(cfg), exc_("exc", neuron, cfg.n_exc, {}, 0.0),
          inh_("inh", neuron, cfg.n_inh, {}, 0.0), masks_(draw_masks(cfg)),
          input_exc_("input_to_exc", cfg.n_input, cfg.n_exc, masks_[0], cfg.w_input_exc, cfg.exc_bounds, synapse_sign::excitatory,
                     exc_rule, cfg.dt_ms),
          exc_exc_("exc_to_exc", cfg.n_exc, cfg.n_exc, masks_[1], cfg.w_exc_exc, cfg.exc_bounds, synapse_sign::excitatory, exc_rule,
                   cfg.dt_ms),
          exc_inh_("exc_to_inh", cfg.n_exc, cfg.n_inh, masks_[2], cfg.w_exc_inh, cfg.exc_bounds, synapse_sign::excitatory, exc_rule,
                   cfg.dt_ms),
          inh_exc_("inh_to_exc", cfg.n_inh, cfg.n_exc, masks_[3], cfg.w_inh_exc, cfg.inh_bounds, synapse_sign::inhibitory, inh_rule,
                   cfg.dt_ms),
          age_in_(cfg.n_input, 0), age_exc_(cfg.n_exc, 0), age_inh_(cfg.n_inh, 0), fired_in_(cfg.n_input, 0),
          fired_exc_(cfg.n_exc, 0), fired_inh_(cfg.n_inh, 0)
    {
        detail::require(std::abs(neuron.dt_ms() - cfg.dt_ms) < 1e-6f, "massey_network: neuron model built for dt {} ms, network runs at {} ms",
                        neuron.dt_ms(), cfg.dt_ms);
        masks_ = {};
        prev_in_.reserve(cfg.n_input);
        prev_exc_.reserve(cfg.n_exc);
        prev_inh_.reserve(cfg.n_inh);
    }

    const massey_config& config() const { return cfg_; }
    no_homeostasis& homeostasis() { return homeostasis_; }
    population_type& exc_population() { return exc_; }
    const population_type& exc_population() const { return exc_; }
    population_type& inh_population() { return inh_; }
    const population_type& inh_population() const { return inh_; }
    projection_type& input_to_exc() { return input_exc_; }
    projection_type& exc_to_exc() { return exc_exc_; }
    projection_type& exc_to_inh() { return exc_inh_; }
    projection_type& inh_to_exc() { return inh_exc_; }
    const projection_type& input_to_exc() const { return input_exc_; }
    const projection_type& exc_to_exc() const { return exc_exc_; }
    const projection_type& exc_to_inh() const { return exc_inh_; }
    const projection_type& inh_to_exc() const { return inh_exc_; }

    /// Membrane noise on or off for both populations (their paper-era code:
    /// on in training, validation and sleep, off in the final test).
    void set_noise(bool on)
    {
        exc_.noise = on;
        inh_.noise = on;
    }
    bool noise() const { return exc_.noise; }

    /// Totals of |w| their sleep returns to: over the projections from
    /// excitatory neurons and inputs, and over I -> E.
    double excitatory_total() const { return input_exc_.total_magnitude() + exc_exc_.total_magnitude() + exc_inh_.total_magnitude(); }
    double inhibitory_total() const { return inh_exc_.total_magnitude(); }

    /// Steps since each neuron last fired (0: this step), as the rule reads them.
    std::span<const std::int32_t> input_ages() const { return age_in_; }
    std::span<const std::int32_t> exc_ages() const { return age_exc_; }
    std::span<const std::int32_t> inh_ages() const { return age_inh_; }
    /// Every neuron as if it had just fired (their spike_times start at 0).
    void reset_spike_times()
    {
        std::fill(age_in_.begin(), age_in_.end(), 0);
        std::fill(age_exc_.begin(), age_exc_.end(), 0);
        std::fill(age_inh_.begin(), age_inh_.end(), 0);
    }
    /// Forgets last step's spikes (nothing is transmitted or learnt from them).
    void clear_last_spikes()
    {
        remember(prev_in_, fired_in_, {});
        remember(prev_exc_, fired_exc_, {});
        remember(prev_inh_, fired_inh_, {});
    }
    /// Forgets the input spikes of the last step: their code zeroes them
    /// when the data stream pauses for sleep, so they are never delivered.
    void clear_last_input() { remember(prev_in_, fired_in_, {}); }
    /// What their code does at the start of a pass over a batch: the membrane
    /// array starts at v_mV (their -70 mV for the first training batch and for
    /// evaluation passes, but 0 mV for every later training batch, whose
    /// buffer is re-created with zeros), every threshold at its unadapted
    /// value (the adaptation itself carries over), and no spikes from the step
    /// before.
    void start_pass_as_their_code(float v_mV)
    {
        const float th = exc_.model.initial_threshold();
        for (auto* pop : {&exc_, &inh_}) {
            std::fill(pop->state.v.begin(), pop->state.v.end(), v_mV);
            std::fill(pop->state.threshold.begin(), pop->state.threshold.end(), th);
        }
        clear_last_spikes();
    }

    /// One step (see the file's opening).
    void step(std::span<const std::uint32_t> input_spikes, bool plastic)
    {
        float* e_in = exc_.input(channel::excitatory);
        float* i_in = inh_.input(channel::excitatory);
        input_exc_.propagate(prev_in_, e_in);
        exc_exc_.propagate(prev_exc_, e_in);
        inh_exc_.propagate(prev_inh_, e_in);
        exc_inh_.propagate(prev_exc_, i_in);
        exc_.fire();
        inh_.fire();
        age(age_in_, input_spikes);
        age(age_exc_, exc_.spikes);
        age(age_inh_, inh_.spikes);
        if (plastic) {
            input_exc_.clip();
            input_exc_.learn(prev_in_, fired_in_, prev_exc_, age_in_, age_exc_);
            exc_exc_.clip();
            exc_exc_.learn(prev_exc_, fired_exc_, prev_exc_, age_exc_, age_exc_);
            exc_inh_.clip();
            exc_inh_.learn(prev_exc_, fired_exc_, prev_inh_, age_exc_, age_inh_);
            inh_exc_.clip();
            inh_exc_.learn(prev_inh_, fired_inh_, prev_exc_, age_inh_, age_exc_);
        }
        remember(prev_in_, fired_in_, input_spikes);
        remember(prev_exc_, fired_exc_, exc_.spikes);
        remember(prev_inh_, fired_inh_, inh_.spikes);
    }

    /// The parts: the excitatory population is the readout (their readout
    /// also reads the inhibitory one, through its counts).
    auto parts()
    {
        return network_parts{exc_, exc_, inh_, std::tie(exc_, inh_),
                             std::tuple{projection_part{"input_to_exc", "input_to_exc", synapse_sign::excitatory, input_exc_},
                                        projection_part{"exc_to_exc", "exc_to_exc", synapse_sign::excitatory, exc_exc_},
                                        projection_part{"exc_to_inh", "exc_to_inh", synapse_sign::excitatory, exc_inh_},
                                        projection_part{"inh_to_exc", "inh_to_exc", synapse_sign::inhibitory, inh_exc_}}};
    }

    /// No homeostasis rule acts here (the thresholds adapt inside the neuron
    /// model); the layer lists the plastic projections onto the excitatory
    /// neurons for rules a user adds.
    layer_ref layer()
    {
        incoming_ = {input_exc_.view(), exc_exc_.view(), inh_exc_.view()};
        return layer_ref{no_matrix_, nullptr, exc_.counts, {}, incoming_};
    }

    std::vector<std::uint64_t> shape() const
    {
        return {cfg_.n_input, cfg_.n_exc, cfg_.n_inh, input_exc_.size(), exc_exc_.size(), exc_inh_.size(), inh_exc_.size()};
    }

    param_record configuration() const
    {
        param_record rec;
        cfg_.each_field([&](const char* name, const auto& value) { rec.add(fmt::format("config.{}", name), value); });
        record_policy(rec, "neuron", exc_.model);
        record_policy(rec, "exc_rule", input_exc_.rule());
        record_policy(rec, "inh_rule", inh_exc_.rule());
        return rec;
    }

    /// The four masks in their code's order of drawing (E->E, E->I, I->E,
    /// input->E), each row-major with one uniform per pair from
    /// random_stream(seed, init_weights, key): returned as input->E, E->E,
    /// E->I, I->E.
    static std::array<std::vector<std::uint8_t>, 4> draw_masks(const massey_config& cfg)
    {
        cfg.validate();
        random_stream rng(cfg.seed, stream_purpose::init_weights, connectivity_key);
        const auto draw = [&](std::size_t rows, std::size_t cols, float p) {
            std::vector<std::uint8_t> m(rows * cols);
            for (auto& x : m) x = rng.uniform() < double(p) ? 1 : 0;
            return m;
        };
        auto ee = draw(cfg.n_exc, cfg.n_exc, cfg.p_exc_exc);
        auto ei = draw(cfg.n_exc, cfg.n_inh, cfg.p_exc_inh);
        auto ie = draw(cfg.n_inh, cfg.n_exc, cfg.p_inh_exc);
        auto se = draw(cfg.n_input, cfg.n_exc, cfg.p_input_exc);
        for (std::size_t i = 0; i < cfg.n_exc; ++i) ee[i * cfg.n_exc + i] = 0;
        if (cfg.no_reciprocal_inhibition)
            for (std::size_t i = 0; i < cfg.n_exc; ++i)
                for (std::size_t j = 0; j < cfg.n_inh; ++j)
                    if (ei[i * cfg.n_inh + j] != 0) ie[j * cfg.n_exc + i] = 0;
        return {std::move(se), std::move(ee), std::move(ei), std::move(ie)};
    }
    static constexpr std::uint64_t connectivity_key = 0x6d617373'65790001ULL;

private:
    static void age(std::vector<std::int32_t>& a, std::span<const std::uint32_t> spikes)
    {
        for (auto& x : a) x = std::min(x + 1, projection_type::max_age);
        for (const auto i : spikes) a[i] = 0;
    }
    static void remember(spike_list& list, std::vector<std::int32_t>& flags, std::span<const std::uint32_t> spikes)
    {
        for (const auto i : list) flags[i] = 0;
        list.assign(spikes.begin(), spikes.end());
        for (const auto i : list) flags[i] = 1;
    }

    massey_config cfg_;
    no_homeostasis homeostasis_;
    population_type exc_, inh_;
    std::array<std::vector<std::uint8_t>, 4> masks_;  ///< only while constructing
    projection_type input_exc_, exc_exc_, exc_inh_, inh_exc_;
    std::vector<std::int32_t> age_in_, age_exc_, age_inh_;   ///< steps since each neuron last fired
    spike_list prev_in_, prev_exc_, prev_inh_;                ///< last step's spikes
    std::vector<std::int32_t> fired_in_, fired_exc_, fired_inh_;  ///< 1 for last step's spikes
    std::array<projection_view, 3> incoming_{};
    matrix_f no_matrix_ = make_matrix(0, 0);
};

static_assert(network_topology<massey_network<>>);

/// Builds it with their neuron and rule parameters (eta 8e-4 for synapses
/// from excitatory neurons and inputs, 5e-3 from inhibitory ones) and the
/// given sign convention of the rule.
inline massey_network<> make_massey(massey_config cfg, timing_convention convention = timing_convention::pre_after_post,
                                    current_lif::params neuron = {})
{
    last_spike_timing::params e{}, i{};
    e.eta = 8.0e-4f;
    i.eta = 5.0e-3f;
    e.convention = i.convention = convention;
    return massey_network<>(cfg, current_lif(neuron, cfg.dt_ms), last_spike_timing(e), last_spike_timing(i));
}

} // namespace somnus
