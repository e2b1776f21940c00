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

#include "../core/error.hpp"

namespace somnus {

struct one_to_one {
    std::size_t n = 0;
    float weight = 0.0f;
    float gain = 1.0f;

    /// target[j] += weight * gain for every spike j.
    void deliver(std::span<const std::uint32_t> spikes, float* target) const
    {
        for (const auto j : spikes) target[j] += weight * gain;
    }
};

struct all_but_self {
    std::size_t n = 0;
    float weight = 0.0f;
    float gain = 1.0f;

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

} // namespace somnus
