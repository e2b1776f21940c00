// SPDX-License-Identifier: MIT
// Plug-in (maximum-likelihood) entropy: H = -sum_k p_k log p_k with
// p_k = n_k / N. Biased low on short recordings; see miller_madow.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "../core/concepts.hpp"
#include "unit.hpp"

namespace somnus {

struct plug_in {
    info_unit unit = info_unit::bits;

    double entropy(std::span<const std::uint64_t> counts) const
    {
        double total = 0.0;
        for (const auto c : counts) total += double(c);
        if (total <= 0.0) return 0.0;
        double h = 0.0;
        for (const auto c : counts)
            if (c > 0) {
                const double p = double(c) / total;
                h -= p * std::log(p);
            }
        return detail::in_unit(h > 0.0 ? h : 0.0, unit);
    }
};

static_assert(entropy_estimator<plug_in>);

} // namespace somnus
