// SPDX-License-Identifier: MIT
// Surrogate gradients: the spike is a step function of u = mem - threshold,
// whose derivative is zero almost everywhere; backpropagation uses a smooth
// stand-in for it instead (Neftci, Mostafa & Zenke 2019). A surrogate S is a
// policy (concept sg::surrogate):
//
//   s.spike(u)        the forward output (snnTorch: 1 if u > 0, strictly)
//   s.derivative(u)   d spike / d u as backpropagation uses it
//
// arctan and fast_sigmoid are snnTorch's, written once for V = float and
// V = simd::batch (concept batch_surrogate: the same operations, so the same
// bits; the layers then run their SIMD path); smooth_step is a
// differentiable forward (a logistic of slope k) whose derivative is its
// true one, so that finite differences check the whole unrolled network
// exactly (tests/sg).
#pragma once

#include <cmath>
#include <concepts>
#include <numbers>

#include "../core/params.hpp"
#include "../core/simd.hpp"

namespace somnus::sg {

template <class S>
concept surrogate = requires(const S s, float u) {
    { s.spike(u) } -> std::convertible_to<float>;
    { s.derivative(u) } -> std::convertible_to<float>;
};

/// A surrogate whose spike and derivative also take a SIMD batch.
template <class S>
concept batch_surrogate = surrogate<S> && requires(const S s, simd::batch u) {
    { s.spike(u) } -> std::same_as<simd::batch>;
    { s.derivative(u) } -> std::same_as<simd::batch>;
};

/// Heaviside forward, strict: a spike when mem > threshold.
inline float heaviside(float u) { return u > 0.0f ? 1.0f : 0.0f; }
inline simd::batch heaviside(const simd::batch& u) { return simd::select(u > simd::batch(0.0f), simd::batch(1.0f), simd::batch(0.0f)); }

/// snnTorch's surrogate.atan(alpha): d/du = (alpha / 2) / (1 + (pi alpha u / 2)^2);
/// at alpha = 2, 1 / (1 + (pi u)^2).
struct arctan {
    struct params {
        float alpha = 2.0f;
        template <class F>
        void each_field(F&& f) const
        {
            f("alpha", alpha);
        }
    };
    params p{};

    template <class V>
    V spike(V u) const
    {
        return heaviside(u);
    }
    template <class V>
    V derivative(V u) const
    {
        const V z = V(std::numbers::pi_v<float> * p.alpha * 0.5f) * u;
        return V(0.5f * p.alpha) / (V(1.0f) + z * z);
    }
};

/// snnTorch's surrogate.fast_sigmoid(slope): d/du = 1 / (slope |u| + 1)^2
/// (Zenke & Ganguli 2018's SuperSpike).
struct fast_sigmoid {
    struct params {
        float slope = 25.0f;
        template <class F>
        void each_field(F&& f) const
        {
            f("slope", slope);
        }
    };
    params p{};

    template <class V>
    V spike(V u) const
    {
        return heaviside(u);
    }
    template <class V>
    V derivative(V u) const
    {
        const V d = V(p.slope) * simd::abs(u) + V(1.0f);
        return V(1.0f) / (d * d);
    }
};

/// A smooth "spike" 1 / (1 + e^(-k u)) and its exact derivative: for gradient
/// checks, never for training a spiking network (its output is not binary).
struct smooth_step {
    struct params {
        float k = 4.0f;
        template <class F>
        void each_field(F&& f) const
        {
            f("k", k);
        }
    };
    params p{};

    float spike(float u) const { return 1.0f / (1.0f + std::exp(-p.k * u)); }
    float derivative(float u) const
    {
        const float s = spike(u);
        return p.k * s * (1.0f - s);
    }
};

static_assert(surrogate<arctan>);
static_assert(surrogate<fast_sigmoid>);
static_assert(surrogate<smooth_step>);
static_assert(batch_surrogate<arctan> && batch_surrogate<fast_sigmoid> && !batch_surrogate<smooth_step>);

} // namespace somnus::sg
