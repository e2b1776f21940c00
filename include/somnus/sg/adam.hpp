// SPDX-License-Identifier: MIT
// Adam (Kingma & Ba 2015) as torch.optim.Adam computes it (no weight decay,
// no amsgrad), step k = 1, 2, ...:
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//   p -= (lr / (1 - beta1^k)) m / (sqrt(v) / sqrt(1 - beta2^k) + eps)
// with m, v in float and the bias corrections in double, as PyTorch's
// single-tensor path does; SIMD lanes, the same bits as the scalar loop.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/simd.hpp"

namespace somnus::sg {

struct adam_params {
    double lr = 2e-2;  ///< snnTorch tutorial 7's
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    template <class F>
    void each_field(F&& f) const
    {
        f("lr", lr);
        f("beta1", beta1);
        f("beta2", beta2);
        f("eps", eps);
    }
};

class adam {
public:
    using params = adam_params;

    explicit adam(std::size_t n, params p = {}) : p_(p), m_(n, 0.0f), v_(n, 0.0f)
    {
        detail::require(std::isfinite(p.lr) && p.lr > 0.0 && p.beta1 >= 0.0 && p.beta1 < 1.0 && p.beta2 >= 0.0 && p.beta2 < 1.0 &&
                            std::isfinite(p.eps) && p.eps > 0.0,
                        "adam: lr {} (> 0), betas {} and {} (in [0, 1)), eps {} (> 0)", p.lr, p.beta1, p.beta2, p.eps);
    }

    void step(std::span<float> w, std::span<const float> g)
    {
        detail::require(w.size() == m_.size() && g.size() == m_.size(), "adam: {} parameters and {} gradients for {} moments", w.size(),
                        g.size(), m_.size());
        ++k_;
        const double bc1 = 1.0 - std::pow(p_.beta1, double(k_));
        const double bc2_sqrt = std::sqrt(1.0 - std::pow(p_.beta2, double(k_)));
        const float b1 = float(p_.beta1), b2 = float(p_.beta2), step = float(p_.lr / bc1), c2 = float(bc2_sqrt), eps = float(p_.eps);
        update<simd::batch>(w.size(), w.data(), g.data(), b1, b2, step, c2, eps);
    }

    /// The element-wise update, for V = float (the scalar reference) or
    /// V = simd::batch: the same bits (square root and division are
    /// correctly rounded in both).
    template <class V>
    void update(std::size_t n, float* w, const float* g, float b1, float b2, float step, float c2, float eps)
    {
        float* m = m_.data();
        float* v = v_.data();
        simd::for_each<V>(n, [=](std::size_t i, auto lane) {
            using L = decltype(lane);
            const L gi = simd::load<L>(g + i);
            const L mi = simd::load<L>(m + i) * L(b1) + gi * L(1.0f - b1);
            const L vi = simd::load<L>(v + i) * L(b2) + gi * gi * L(1.0f - b2);
            const L denom = simd::sqrt(vi) / L(c2) + L(eps);
            simd::store(m + i, mi);
            simd::store(v + i, vi);
            simd::store(w + i, simd::load<L>(w + i) - L(step) * (mi / denom));
        });
    }

    std::uint64_t steps() const { return k_; }
    void set_steps(std::uint64_t k) { k_ = k; }
    std::span<float> first_moment() { return m_; }
    std::span<float> second_moment() { return v_; }
    std::span<const float> first_moment() const { return m_; }
    std::span<const float> second_moment() const { return v_; }
    const params& parameters() const { return p_; }

private:
    params p_;
    std::vector<float> m_, v_;
    std::uint64_t k_ = 0;
};

} // namespace somnus::sg
