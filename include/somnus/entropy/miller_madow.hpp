// SPDX-License-Identifier: MIT
// Miller-Madow bias-corrected entropy (Miller 1955): the plug-in estimate
// plus (m - 1) / (2N) nats, m = number of non-empty bins, N = sample count.
#pragma once

#include "plug_in.hpp"

namespace somnus {

struct miller_madow {
    info_unit unit = info_unit::bits;

    double entropy(std::span<const std::uint64_t> counts) const
    {
        double total = 0.0;
        std::size_t occupied = 0;
        for (const auto c : counts) {
            total += double(c);
            occupied += c > 0;
        }
        if (total <= 0.0) return 0.0;
        const double h = plug_in{info_unit::nats}.entropy(counts) + double(occupied - 1) / (2.0 * total);
        return detail::in_unit(h, unit);
    }
};

static_assert(entropy_estimator<miller_madow>);

} // namespace somnus
