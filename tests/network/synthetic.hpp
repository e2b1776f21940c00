// SPDX-License-Identifier: MIT
// Tiny synthetic "digits" for network tests that need no dataset: class c is
// a bright bar (row band) at a class-specific position on a 28x28 image, with
// per-image jitter and noise.
#pragma once

#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>

namespace somnus::test {

struct synthetic_set {
    std::vector<std::uint8_t> pixels;  // n * 784
    std::vector<std::uint8_t> labels;
    std::span<const std::uint8_t> image(std::size_t k) const { return {pixels.data() + k * 784, 784}; }
    std::size_t size() const { return labels.size(); }
};

inline synthetic_set make_bars(std::size_t n, std::size_t classes, std::uint64_t seed)
{
    synthetic_set s;
    s.pixels.assign(n * 784, 0);
    random_stream rng(seed, stream_purpose::user);
    for (std::size_t k = 0; k < n; ++k) {
        const auto c = static_cast<std::uint8_t>(rng.below(classes));
        s.labels.push_back(c);
        const std::size_t row0 = 2 + c * (24 / classes) + rng.below(2);
        const bool vertical = c % 2 == 1;
        for (std::size_t r = row0; r < row0 + 4 && r < 28; ++r)
            for (std::size_t q = 4; q < 24; ++q) {
                const std::size_t idx = vertical ? q * 28 + r : r * 28 + q;
                s.pixels[k * 784 + idx] = static_cast<std::uint8_t>(180 + rng.below(76));
            }
        for (int noise = 0; noise < 20; ++noise) s.pixels[k * 784 + rng.below(784)] = static_cast<std::uint8_t>(rng.below(120));
    }
    return s;
}

} // namespace somnus::test
