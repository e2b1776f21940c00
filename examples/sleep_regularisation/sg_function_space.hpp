// SPDX-License-Identifier: MIT
// The function space of the surrogate-gradient control of --protocol ours
// (sg_control.hpp): each fraction's main runs as an ensemble.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <somnus/core/error.hpp>
#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/plug_in.hpp>

#include "sg_control_options.hpp"
#include "sg_control_results.hpp"

namespace somnus::example {

/// The main runs of one fraction as an ensemble: their final mappings
/// grouped (two members agree on at least `threshold` of the 10 shuffled
/// labels), S0 and Shannon H in nats (entropy/function_space.hpp).
struct sg_function_space {
    std::size_t fraction_index = 0;
    double fraction = 0.0;
    std::vector<std::size_t> seeds;        ///< the members, by seed index
    std::vector<std::size_t> groups;       ///< group label of each member
    std::vector<std::uint64_t> group_sizes;
    double s0_nats = 0.0, shannon_nats = 0.0;
    double mean_accuracy = 0.0;            ///< of the members' final test accuracy
    double mean_agreement = 0.0;           ///< labels (of 10) on which two members' mappings agree, mean over pairs
};

inline std::vector<sg_function_space> function_space_by_fraction(const sg_control_options& o, const std::vector<sg_run>& runs,
                                                                 std::size_t threshold = 5)
{
    somnus::detail::require(threshold >= 1 && threshold <= 10, "function_space_by_fraction: threshold {} (1..10)", threshold);
    std::vector<sg_function_space> out;
    for (std::size_t i = 0; i < o.fractions.size(); ++i) {
        sg_function_space f;
        f.fraction_index = i;
        f.fraction = o.fractions[i];
        std::vector<std::vector<int>> mappings;
        for (const auto& r : runs)
            if (!r.forgetting_run && r.fraction_index == i && !r.epochs.empty()) {
                f.seeds.push_back(r.seed_index);
                mappings.push_back(r.mapping);
                f.mean_accuracy += r.epochs.back().accuracy;
            }
        if (!mappings.empty()) {
            f.mean_accuracy /= double(mappings.size());
            f.groups = group_by_agreement(mappings, threshold);
            f.group_sizes = group_sizes(f.groups);
            f.s0_nats = function_space_entropy(f.groups, function_space_s0{});
            f.shannon_nats = function_space_entropy(f.groups, plug_in{info_unit::nats});
            std::size_t pairs = 0, agree = 0;
            for (std::size_t a = 0; a < mappings.size(); ++a)
                for (std::size_t b = a + 1; b < mappings.size(); ++b, ++pairs) agree += mapping_agreement(mappings[a], mappings[b]);
            f.mean_agreement = pairs ? double(agree) / double(pairs) : 10.0;
        }
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace somnus::example
