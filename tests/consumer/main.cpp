// SPDX-License-Identifier: MIT
// Builds against an installed somnus and runs a few steps of a network piece,
// and a CRC-32 (zlib, which the package config must bring along).
#include <somnus/somnus.hpp>

#include <cstdint>
#include <cstdio>
#include <string_view>

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
    constexpr std::string_view check = "123456789";
    const auto crc = somnus::detail::crc32(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()));
    std::printf("consumer: %zu spikes from 8 neurons (%s), crc32 0x%08x\n", fired, somnus::simd::arch_name(),
                static_cast<unsigned>(crc));
    return crc == 0xCBF43926u ? 0 : 1;
}
