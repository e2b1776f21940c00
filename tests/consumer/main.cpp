// SPDX-License-Identifier: MIT
// Builds against an installed somnus and runs a few steps of a network piece.
#include <somnus/somnus.hpp>

#include <cstdio>

int main()
{
    somnus::conductance_lif model(somnus::conductance_lif::diehl_cook_excitatory(), 0.5f);
    auto state = model.make_state(8);
    somnus::spike_list spikes;
    spikes.reserve(8);
    for (auto& g : state.ge) g = 2.0f;
    std::size_t fired = 0;
    for (int t = 0; t < 200; ++t) {
        spikes.clear();
        model.step(state, spikes);
        fired += spikes.size();
    }
    std::printf("consumer: %zu spikes from 8 neurons (%s)\n", fired, somnus::simd::arch_name());
    return 0;
}
