// SPDX-License-Identifier: MIT
// The CRC-32 of a trained network's weights and thresholds: the throughput
// programs print it so that a speed change can be shown to leave every bit
// of the result where it was (equal CRCs before and after).
#pragma once

#include <cstdint>
#include <span>

#include <somnus/io/crc32.hpp>

namespace somnus::bench {

template <class Network>
std::uint32_t state_crc(const Network& net)
{
    const auto bytes = [](const auto& a) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(a.data()), a.size() * sizeof(float));
    };
    return detail::crc32(bytes(net.exc_state().theta), detail::crc32(bytes(net.weights())));
}

} // namespace somnus::bench
