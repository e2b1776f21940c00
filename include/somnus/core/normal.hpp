// SPDX-License-Identifier: MIT
// Fast standard normal numbers for per-step membrane noise: the ziggurat
// method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)) in Doornik's 2005
// form (128 blocks; the block index and the uniform taken from separate bits
// of one 64-bit draw, which removes the original's correlation). Written
// here, as the other distributions in core/random.hpp, so the same stream
// gives the same numbers with every standard library and instruction set:
// it is scalar integer and double arithmetic, with exp and log only off the
// fast path.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include "random.hpp"

namespace somnus {

namespace detail {

struct ziggurat_tables {
    static constexpr int blocks = 128;
    static constexpr double r = 3.442619855899;           // start of the tail
    static constexpr double v = 9.91256303526217e-3;      // area of each block
    std::array<double, blocks + 1> x{};
    std::array<double, blocks> ratio{};                   // x[i + 1] / x[i]

    ziggurat_tables()
    {
        double f = std::exp(-0.5 * r * r);
        x[0] = v / f;
        x[1] = r;
        x[blocks] = 0.0;
        for (int i = 2; i < blocks; ++i) {
            x[i] = std::sqrt(-2.0 * std::log(v / x[i - 1] + f));
            f = std::exp(-0.5 * x[i] * x[i]);
        }
        for (int i = 0; i < blocks; ++i) ratio[i] = x[i + 1] / x[i];
    }
};

inline const ziggurat_tables& ziggurat()
{
    static const ziggurat_tables t;
    return t;
}

} // namespace detail

/// One standard normal number from rng.
inline double normal_ziggurat(random_stream& rng)
{
    const auto& z = detail::ziggurat();
    for (;;) {
        const std::uint64_t bits = rng();
        const int i = static_cast<int>(bits & 0x7f);
        const double u = 2.0 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1.0;  // [-1, 1)
        if (std::abs(u) < z.ratio[i]) return u * z.x[i];
        if (i == 0) {
            // The tail beyond r (Marsaglia 1964).
            double tx, ty;
            do {
                tx = std::log(rng.uniform_open0()) / detail::ziggurat_tables::r;
                ty = std::log(rng.uniform_open0());
            } while (-2.0 * ty < tx * tx);
            return u < 0.0 ? tx - detail::ziggurat_tables::r : detail::ziggurat_tables::r - tx;
        }
        const double xx = u * z.x[i];
        const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - xx * xx));
        const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - xx * xx));
        if (f1 + rng.uniform() * (f0 - f1) < 1.0) return xx;
    }
}

/// Fills out with sd times independent standard normal numbers, in order.
inline void fill_normal(random_stream& rng, std::span<float> out, float sd = 1.0f)
{
    for (auto& y : out) y = sd * static_cast<float>(normal_ziggurat(rng));
}

} // namespace somnus
