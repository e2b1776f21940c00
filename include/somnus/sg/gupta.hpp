// SPDX-License-Identifier: MIT
// The member network of Gupta 2024's N-MNIST ensemble (snnTorch tutorial 7;
// DESIGN.md section 8): 2x34x34 frames -> Conv(2->12, 5x5) -> MaxPool 2 ->
// LIF -> Conv(12->32, 5x5) -> MaxPool 2 -> LIF -> Flatten (800) ->
// Linear(800->10) -> LIF, beta 0.5, threshold 1, arctan surrogate (alpha 2);
// 18 254 parameters.
#pragma once

#include "conv2d.hpp"
#include "leaky.hpp"
#include "linear.hpp"
#include "max_pool2d.hpp"
#include "sequential.hpp"
#include "surrogate.hpp"

namespace somnus::sg {

template <surrogate S = arctan>
using gupta_member_t = sequential<conv2d, max_pool2d, leaky<S>, conv2d, max_pool2d, leaky<S>, linear, leaky<S>>;
using gupta_member = gupta_member_t<arctan>;

/// The member network; beta and the surrogate as snnTorch's tutorial sets them.
template <surrogate S = arctan>
gupta_member_t<S> make_gupta_member(float beta = 0.5f, S surrogate_fn = {})
{
    const typename leaky<S>::params lif{beta, 1.0f, true};
    return gupta_member_t<S>({2, 34, 34}, conv2d(2, 12, 5), max_pool2d(2), leaky<S>(lif, surrogate_fn), conv2d(12, 32, 5), max_pool2d(2),
                             leaky<S>(lif, surrogate_fn), linear(800, 10), leaky<S>(lif, surrogate_fn));
}

} // namespace somnus::sg
