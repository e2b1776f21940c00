// SPDX-License-Identifier: MIT
// A recurrent STDP network: Diehl & Cook's competitive network (input ->
// excitatory, plastic; excitatory -> inhibitory one-to-one; inhibitory ->
// every other excitatory neuron) plus plastic excitatory -> excitatory
// synapses with fixed random sparse connectivity and no self-connections,
// the architecture in which Massey et al. 2026 (arXiv:2601.08447) report
// that Hebbian updates run away. Their architecture and parameters are not
// public here; these are ours (DESIGN.md section 9), stated in
// recurrent_params with their reasons. The readout is Diehl & Cook's: each
// excitatory neuron is assigned the class it responds to most.
#pragma once

#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../synapse/sparse.hpp"
#include "competitive.hpp"

namespace somnus {

/// The recurrent projection. Defaults: connection probability 0.1 (the
/// sparse cortical connectivity of Brunel 2000's balanced networks, and
/// what Brian2's and NEST's recurrent examples use); weights in the input
/// projection's bounds [0, 1] so a saturated recurrent synapse is as strong
/// as a saturated input synapse; initial weights uniform in [0, 0.2], whose
/// mean 0.1 is the mean input weight after Diehl & Cook's normalisation
/// (78 / 784), so the recurrent drive starts weak and any growth is learnt. The same STDP rule
/// as the input, with no normalisation: the recurrent weights are free to
/// run away, which is the pathology sleep is meant to counter.
struct recurrent_params {
    float probability = 0.1f;
    float w_init_max = 0.2f;
    weight_bounds bounds{0.0f, 1.0f};
    bool self_connections = false;

    template <class F>
    void each_field(F&& f) const
    {
        f("probability", probability);
        f("w_init_max", w_init_max);
        f("w_min", bounds.w_min);
        f("w_max", bounds.w_max);
        f("self_connections", self_connections);
    }

    void validate() const
    {
        detail::require(std::isfinite(probability) && probability >= 0.0f && probability <= 1.0f,
                        "recurrent_params: probability must be in [0, 1], got {}", probability);
        detail::require(std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max) && bounds.w_min <= bounds.w_max,
                        "recurrent_params: weight bounds [{}, {}] must be finite and ordered", bounds.w_min, bounds.w_max);
        detail::require(std::isfinite(w_init_max) && w_init_max >= bounds.w_min && w_init_max <= bounds.w_max,
                        "recurrent_params: w_init_max {} outside the weight bounds [{}, {}]", w_init_max, bounds.w_min, bounds.w_max);
    }
};

template <neuron_model Exc = conductance_lif, neuron_model Inh = conductance_lif, plasticity_rule Rule = diehl_cook_triplet,
          homeostasis_rule Homeostasis = diehl_cook_homeostasis, rate_encoder Encoder = poisson_encoder>
class recurrent_network : public presentation_protocol<recurrent_network<Exc, Inh, Rule, Homeostasis, Encoder>, Encoder> {
    using protocol = presentation_protocol<recurrent_network, Encoder>;
    friend protocol;

public:
    static constexpr const char* network_name = "recurrent_network";
    using exc_model = Exc;
    using inh_model = Inh;
    using input_type = dense_synapses<Rule>;
    using recurrent_type = sparse_synapses<Rule>;
    using exc_population_type = population<Exc, input_type::n_post_traces>;
    using inh_population_type = population<Inh>;
    using sleep_context_type = sleep_context<typename Exc::params, typename Inh::params>;

    recurrent_network(competitive_config cfg, recurrent_params rec, Exc exc, Inh inh, Rule rule = {}, Homeostasis homeostasis = {})
        requires std::constructible_from<Encoder, std::size_t, float>
        : protocol(cfg, Encoder(cfg.n_input, cfg.dt_ms)), cfg_(cfg), rec_((rec.validate(), rec)),
          homeostasis_(std::move(homeostasis)), exc_("exc", std::move(exc), cfg.n_exc, rule.post_traces()),
          inh_("inh", std::move(inh), cfg.n_exc), input_(cfg.n_input, cfg.n_exc, rule, cfg.dt_ms, cfg.bounds),
          recurrent_(cfg.n_exc, cfg.n_exc, rule, cfg.dt_ms, rec.bounds,
                     sparse_connectivity{rec.probability, rec.self_connections, cfg.seed}),
          exc_inh_{cfg.n_exc, cfg.w_exc_inh}, inh_exc_{cfg.n_exc, cfg.w_inh_exc}
    {
        detail::require(cfg.input_delay_max_ms == 0.0f, "recurrent_network: input delays are not supported (input_delay_max_ms {})",
                        cfg.input_delay_max_ms);
        detail::require(std::abs(exc_.model.dt_ms() - cfg.dt_ms) < 1e-6f && std::abs(inh_.model.dt_ms() - cfg.dt_ms) < 1e-6f,
                        "recurrent_network: neuron models built for dt {} / {} ms, network runs at {} ms", exc_.model.dt_ms(),
                        inh_.model.dt_ms(), cfg.dt_ms);
        random_stream rng(cfg.seed, stream_purpose::init_weights);
        for (auto& w : input_.weights()) w = rng.uniform(0.0f, cfg.w_input_init_max);
        recurrent_.initialise_uniform(rec.bounds.w_min, rec.w_init_max, rng);
    }

    const competitive_config& config() const { return cfg_; }
    const recurrent_params& recurrent_config() const { return rec_; }
    matrix_f& weights() { return input_.weights(); }
    const matrix_f& weights() const { return input_.weights(); }
    input_type& input_synapses() { return input_; }
    recurrent_type& recurrent_synapses() { return recurrent_; }
    const recurrent_type& recurrent_synapses() const { return recurrent_; }
    Homeostasis& homeostasis() { return homeostasis_; }
    exc_population_type& exc_population() { return exc_; }
    const exc_population_type& exc_population() const { return exc_; }
    inh_population_type& inh_population() { return inh_; }
    const inh_population_type& inh_population() const { return inh_; }
    typename Exc::state& exc_state() { return exc_.state; }
    const typename Exc::state& exc_state() const { return exc_.state; }

    /// One step: traces decay; both populations integrate and fire; input
    /// spikes and this step's excitatory spikes (recurrently) are delivered
    /// for the next step, with on_pre; the excitatory spikes drive on_post at
    /// both plastic projections, which read the same traces; then those
    /// traces are bumped.
    void step(std::span<const std::uint32_t> input_spikes, bool plastic)
    {
        if (plastic) {
            input_.decay_pre_traces();
            recurrent_.decay_pre_traces();
            exc_.traces.decay();
        }
        exc_.fire();
        inh_.fire();
        float* ge = exc_.input(channel::excitatory);
        input_.presynaptic_step(input_spikes, ge, input_.gain, plastic, exc_.traces);
        recurrent_.presynaptic_step(exc_.spikes, ge, recurrent_.gain, plastic, exc_.traces);
        exc_inh_.deliver(exc_.spikes, inh_.input(channel::excitatory));
        inh_exc_.deliver(inh_.spikes, exc_.input(channel::inhibitory));
        if (plastic) {
            input_.postsynaptic_step(exc_.spikes, exc_.traces, false);
            recurrent_.postsynaptic_step(exc_.spikes, exc_.traces, false);
            exc_.bump_traces();
        }
    }

    /// The parts: the excitatory population is the readout.
    auto parts()
    {
        return network_parts{exc_, exc_, inh_, std::tie(exc_, inh_),
                             std::tuple{projection_part{"input", "input_to_exc", synapse_sign::excitatory, input_},
                                        projection_part{"recurrent", "exc_to_exc", synapse_sign::excitatory, recurrent_},
                                        projection_part{"exc_to_inh", "exc_to_inh", synapse_sign::excitatory, exc_inh_},
                                        projection_part{"inh_to_exc", "inh_to_exc", synapse_sign::inhibitory, inh_exc_}}};
    }

    /// The excitatory layer: normalisation keeps to the input weights,
    /// synaptic scaling (if chosen) sees the recurrent ones too.
    layer_ref layer()
    {
        const auto p = parts();
        incoming_ = {std::get<0>(p.projections).view(), std::get<1>(p.projections).view()};
        return layer_ref{input_.weights_untracked(), exc_.theta(), exc_.counts, input_.changed_columns(), incoming_};
    }

    std::vector<std::uint64_t> shape() const { return {cfg_.n_input, cfg_.n_exc, recurrent_.n_synapses()}; }

    param_record configuration() const
    {
        param_record rec;
        record_policy(rec, "config", *this);
        rec_.each_field([&](const char* name, const auto& value) { rec.add(fmt::format("recurrent.{}", name), value); });
        record_policy(rec, "exc", exc_.model);
        record_policy(rec, "inh", inh_.model);
        record_policy(rec, "rule", input_.rule());
        record_policy(rec, "homeostasis", homeostasis_);
        return rec;
    }

    void describe(param_record& rec, std::string_view prefix) const
    {
        cfg_.each_field([&](const char* name, const auto& value) { rec.add(fmt::format("{}.{}", prefix, name), value); });
    }

private:
    competitive_config cfg_;
    recurrent_params rec_;
    Homeostasis homeostasis_;
    exc_population_type exc_;
    inh_population_type inh_;
    input_type input_;
    recurrent_type recurrent_;
    one_to_one exc_inh_;
    all_but_self inh_exc_;
    std::array<projection_view, 2> incoming_{};
};

static_assert(network_topology<recurrent_network<>>);

/// Builds it with Diehl & Cook's excitatory and inhibitory neurons.
inline recurrent_network<> make_recurrent(competitive_config cfg, recurrent_params rec = {})
{
    return recurrent_network<>(cfg, rec, conductance_lif(conductance_lif::diehl_cook_excitatory(), cfg.dt_ms),
                               conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms));
}

} // namespace somnus
