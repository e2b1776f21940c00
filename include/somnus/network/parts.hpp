// SPDX-License-Identifier: MIT
// How a topology lists its parts, once: its populations, its projections
// (each under the name its checkpoint sections carry, the name sleep
// mechanisms and homeostasis see it by, and whether it excites or
// inhibits), and three roles: the readout population (whose spike counts a
// presentation reports) and the excitatory and inhibitory populations that
// sleep mechanisms modulate. Presentation, sleep and checkpoints
// (presentation.hpp, sleep_phase.hpp, checkpoints.hpp) work from this list
// and ask the topology for nothing by name.
//
//   auto parts()
//   {
//       return network_parts{exc_, exc_, inh_, std::tie(exc_, inh_),
//                            std::tuple{projection_part{"input", "input_to_exc", synapse_sign::excitatory, input_},
//                                       projection_part{"inh_to_exc", "inh_to_exc", synapse_sign::inhibitory, inh_exc_}}};
//   }
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>

#include "../core/concepts.hpp"

namespace somnus {

/// One projection of a topology.
template <projection P>
struct projection_part {
    const char* key;    ///< checkpoint sections "<key>.weights", ...
    const char* name;   ///< e.g. "input_to_exc", as projection_view::name
    synapse_sign sign;  ///< what its presynaptic neurons do
    P& proj;

    /// The projection as sleep mechanisms and homeostasis see it.
    projection_view view() const
    {
        projection_view v = proj.view();
        v.name = name;
        v.sign = sign;
        return v;
    }
};

template <class Readout, class Excitatory, class Inhibitory, class Populations, class Projections>
struct network_parts {
    Readout& readout;
    Excitatory& excitatory;
    Inhibitory& inhibitory;
    Populations populations;  ///< std::tuple of references
    Projections projections;  ///< std::tuple of projection_part

    template <class F>
    void for_each_population(F&& f) const
    {
        std::apply([&](auto&... p) { (f(p), ...); }, populations);
    }
    template <class F>
    void for_each_projection(F&& f) const
    {
        std::apply([&](const auto&... p) { (f(p), ...); }, projections);
    }
    /// Every projection's view, in the order listed.
    auto views() const
    {
        return std::apply([](const auto&... p) { return std::array<projection_view, sizeof...(p)>{p.view()...}; }, projections);
    }
    static constexpr std::size_t projection_count = std::tuple_size_v<Projections>;
};

template <class R, class E, class I, class Pops, class Projs>
network_parts(R&, E&, I&, Pops, Projs) -> network_parts<R, E, I, Pops, Projs>;

} // namespace somnus
