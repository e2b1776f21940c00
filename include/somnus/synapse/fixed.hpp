// SPDX-License-Identifier: MIT
// Fixed projections between two populations of the same size, with one
// weight for every synapse: one-to-one (neuron j drives neuron j; Diehl &
// Cook's excitatory -> inhibitory partners) and all-but-self (neuron j drives
// every neuron but j; their lateral inhibition). Each delivers a step's
// spikes into the target's input channel, scaled by a transmission gain
// (1 awake; sleep mechanisms scale it for a phase), in O(spikes) and O(n +
// spikes) respectively.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

namespace detail {
/// What a fixed projection has of the projection interface: a gain and no
/// state (nothing to save, nothing in flight).
template <class Derived>
struct fixed_projection {
    projection_view view() { return {"", synapse_sign::excitatory, &static_cast<Derived&>(*this).gain}; }
    void save_to(checkpoint_writer&, const std::string&, bool) const {}
    void load_from(const checkpoint_reader&, const std::string&, bool) {}
    bool spikes_in_flight() const { return false; }
    std::size_t history_steps() const { return 0; }
    void skip_steps(std::size_t) {}
    void clear_in_flight() {}
    void decay_pre_traces(double) {}
};
} // namespace detail

struct one_to_one : detail::fixed_projection<one_to_one> {
    std::size_t n = 0;
    float weight = 0.0f;
    float gain = 1.0f;

    one_to_one() = default;
    one_to_one(std::size_t n_, float weight_, float gain_ = 1.0f) : n(n_), weight(weight_), gain(gain_) {}

    /// target[j] += weight * gain for every spike j.
    void deliver(std::span<const std::uint32_t> spikes, float* target) const
    {
        for (const auto j : spikes) target[j] += weight * gain;
    }
};

struct all_but_self : detail::fixed_projection<all_but_self> {
    std::size_t n = 0;
    float weight = 0.0f;
    float gain = 1.0f;

    all_but_self() = default;
    all_but_self(std::size_t n_, float weight_, float gain_ = 1.0f) : n(n_), weight(weight_), gain(gain_) {}

    /// target[k] += weight * gain for every spike j != k: everyone gets the
    /// total, each spiking neuron its own share back.
    void deliver(std::span<const std::uint32_t> spikes, float* target) const
    {
        if (spikes.empty()) return;
        const float w = weight * gain;
        const float total = w * float(spikes.size());
        for (std::size_t k = 0; k < n; ++k) target[k] += total;
        for (const auto j : spikes) target[j] -= w;
    }
};

static_assert(projection<one_to_one>);
static_assert(projection<all_but_self>);

} // namespace somnus
