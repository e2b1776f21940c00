// SPDX-License-Identifier: MIT
// A population of neurons of one model: its state, the rest state that
// evaluation starts from, the spikes of the current step, spike counts of
// the current presentation, and the postsynaptic traces that every plastic
// projection onto it learns from (K of them, as the projections' rule
// declares; 0 for a population no plastic projection targets). Shared
// traces are decayed once per step and bumped once per spike by the
// population, however many projections read them (synapse/traces.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../io/checkpoint.hpp"
#include "../synapse/delay_ring.hpp"
#include "../synapse/traces.hpp"

namespace somnus {

template <neuron_model Model, std::size_t K = 0>
class population {
public:
    using model_type = Model;
    using state_type = typename Model::state;
    using traces_type = trace_set<K>;

    /// n neurons of `model`, in its initial state. The rest state is that
    /// state left alone for rest_relax_ms (an initial v may sit far below
    /// rest, as Diehl & Cook's -105 mV does). trace_spec: the postsynaptic
    /// traces of the plastic projections onto it (Rule::post_traces()).
    population(const char* name, Model model, std::size_t n, const std::array<trace_spec, K>& trace_spec = {},
               double rest_relax_ms = 1000.0)
        : name_(name), model(std::move(model)), state(this->model.make_state(n)), rest(state),
          traces(n, trace_spec, this->model.dt_ms()), counts(n, 0u)
    {
        detail::require(n > 0, "population {}: needs at least one neuron", name);
        this->model.relax(rest, rest_relax_ms);
        spikes.reserve(n);
    }

    const char* name() const { return name_; }
    std::size_t size() const { return counts.size(); }

    /// Integrates and fires: spikes gets this step's spikes.
    void fire()
    {
        spikes.clear();
        model.step(state, spikes);
    }

    /// This step's spikes bump the shared traces (after every projection
    /// onto the population has learnt from the traces before them).
    void bump_traces()
    {
        if constexpr (K > 0)
            for (const auto j : spikes) traces.bump(j);
    }

    /// Adds this step's spikes to the presentation's counts.
    void count()
    {
        for (const auto j : spikes) ++counts[j];
    }

    float* input(channel c) { return model.input(state, c); }

    /// Threshold offsets homeostasis may move, or nullptr.
    vector_f* theta()
    {
        if constexpr (has_threshold_offset<Model>) return &state.theta;
        else return nullptr;
    }

    /// Back to the rest state, keeping learnt threshold offsets.
    void reset_to_rest()
    {
        if constexpr (has_threshold_offset<Model>) {
            vector_f keep = state.theta;
            state = rest;
            state.theta = std::move(keep);
        } else {
            state = rest;
        }
    }

    /// The state relaxes for ms with no input, in closed form.
    void relax(double ms) { model.relax(state, ms); }

    /// True if the model can say it is at rest for good (no spikes in
    /// flight inside it, negligible input, no neuron able to fire); a model
    /// without a settled() is never taken to be settled.
    bool settled() const
    {
        if constexpr (requires { { model.settled(state) } -> std::convertible_to<bool>; }) return model.settled(state);
        else return false;
    }

    /// What a sleep mechanism sees (core/concepts.hpp).
    population_view view()
    {
        return {name_, size(), model.input(state, channel::excitatory), model.input(state, channel::inhibitory), theta()};
    }

    /// Writes every state variable as "<name>.<field>" and the shared traces
    /// as "<name>.post_traces".
    void save_to(checkpoint_writer& w) const
    {
        auto s = state;  // fields() hands out mutable views, so name a copy
        for (const auto& f : s.fields()) w.add(std::string(name_) + "." + f.name, *f.values);
        if constexpr (K > 0) w.add(std::string(name_) + ".post_traces", traces.values());
    }

    /// Reads what save_to wrote, checking every value is finite; traces may
    /// come from `legacy_traces` in files written before they were shared.
    void load_from(const checkpoint_reader& r, const std::string& legacy_traces = {})
    {
        for (const auto& f : state.fields()) {
            const std::string key = std::string(name_) + "." + f.name;
            r.read(key, *f.values);
            for (std::size_t k = 0; k < f.values->size(); ++k)
                if (!std::isfinite((*f.values)[k])) r.fail(fmt::format("'{}' holds {} at index {}", key, (*f.values)[k], k));
        }
        if constexpr (K > 0) {
            std::string key = std::string(name_) + ".post_traces";
            if (!r.has(key) && !legacy_traces.empty()) key = legacy_traces;
            r.read(key, traces.values());
            detail::require_traces(r, key, traces.values());
            traces.rebuild();
        }
    }

private:
    const char* name_;

public:
    Model model;
    /// Membrane noise drawn in each step, for models that have it
    /// (model.draw_noise); the caller switches it off, e.g. for a test.
    bool noise = true;
    state_type state;
    state_type rest;
    traces_type traces;
    spike_list spikes;
    std::vector<std::uint32_t> counts;
};

} // namespace somnus
