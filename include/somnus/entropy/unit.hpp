// SPDX-License-Identifier: MIT
// Units for entropies and informations.
#pragma once

#include <cmath>

namespace somnus {

enum class info_unit { bits, nats };

namespace detail {
/// Natural-log quantity expressed in the requested unit.
inline double in_unit(double nats, info_unit u) { return u == info_unit::bits ? nats / std::log(2.0) : nats; }
} // namespace detail

} // namespace somnus
