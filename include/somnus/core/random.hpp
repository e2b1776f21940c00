// SPDX-License-Identifier: MIT
// Reproducible random streams. A stream is keyed by (seed, key...), e.g.
// (seed, purpose, image index), so work split across any number of threads
// draws exactly the numbers a single thread would. Generator: xoshiro256**
// (Blackman & Vigna 2018) seeded through splitmix64; distributions are written
// here rather than taken from <random>, whose algorithms differ between
// standard libraries.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace somnus {

namespace detail {
inline constexpr std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
inline constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
} // namespace detail

/// Well-known stream purposes, so two subsystems never share numbers by accident.
enum class stream_purpose : std::uint64_t {
    init_weights = 1,
    input_spikes = 2,
    shuffle = 3,
    sleep_noise = 4,
    synthesis = 5,
    delays = 6,
    image_noise = 7,  ///< data/perturb.hpp: additive noise on test images
    membrane_noise = 8,  ///< per-step noise of neuron models that have it
    user = 1000,
};

class random_stream {
public:
    using result_type = std::uint64_t;

    /// A stream determined entirely by the seed and the keys.
    template <class... Keys>
    explicit constexpr random_stream(std::uint64_t seed, Keys... keys)
    {
        std::uint64_t x = seed;
        std::uint64_t h = detail::splitmix64(x);
        ((x = h ^ (static_cast<std::uint64_t>(keys) * 0xd1b54a32d192ed03ULL), h = detail::splitmix64(x)), ...);
        std::uint64_t sm = h;
        for (auto& w : s_) w = detail::splitmix64(sm);
    }

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    constexpr result_type operator()()
    {
        const std::uint64_t result = detail::rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = detail::rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
    /// Uniform in (0, 1]: safe to take the logarithm of.
    double uniform_open0() { return static_cast<double>(((*this)() >> 11) + 1) * 0x1.0p-53; }
    /// Uniform float in [lo, hi).
    float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(uniform()); }
    /// Uniform integer in [0, n) without modulo bias (rejection of the short
    /// first interval of 2^64 mod n values).
    std::uint64_t below(std::uint64_t n)
    {
        if (n == 0) return 0;
        const std::uint64_t reject_below = (0 - n) % n;
        for (;;) {
            const std::uint64_t x = (*this)();
            if (x >= reject_below) return x % n;
        }
    }
    /// Exponential with the given mean.
    double exponential(double mean) { return -mean * std::log(uniform_open0()); }
    /// Trials up to and including the first success of a Bernoulli(p) process:
    /// the step gap between spikes when each step spikes with probability p.
    /// Returns max() for p <= 0.
    std::uint64_t geometric(double p)
    {
        if (p >= 1.0) return 1;
        if (!(p > 0.0)) return std::numeric_limits<std::uint64_t>::max();
        return geometric_log(std::log1p(-p));
    }
    /// geometric(p) for 0 < p < 1 given log1p(-p), for callers that draw many
    /// gaps with the same p (same numbers as geometric(p)).
    std::uint64_t geometric_log(double log1p_neg_p)
    {
        const double k = std::floor(std::log(uniform_open0()) / log1p_neg_p);
        if (k >= 9.0e18) return std::numeric_limits<std::uint64_t>::max();
        return static_cast<std::uint64_t>(k) + 1;
    }
    /// Standard normal (Box-Muller; the second value is kept for the next call).
    double normal()
    {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform_open0()));
        const double a = 2.0 * 3.14159265358979323846 * uniform();
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }
    bool bernoulli(double p) { return uniform() < p; }
    /// The generator's four words (for normal_stream, which runs streams in
    /// SIMD lanes).
    const std::array<std::uint64_t, 4>& state() const { return s_; }

private:
    std::array<std::uint64_t, 4> s_{};
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// A uniformly random permutation of 0 .. n-1 (Fisher-Yates, from the last
/// position down), determined by the stream: a seeded shuffle of a data set,
/// the order of an epoch, a relabelling.
inline std::vector<std::size_t> random_permutation(std::size_t n, random_stream& rng)
{
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(i)]);
    return p;
}

/// The permutation of 0 .. n-1 drawn from the shuffle stream of (seed,
/// keys...): the same keys give the same order in any process or thread.
template <class... Keys>
std::vector<std::size_t> keyed_permutation(std::size_t n, std::uint64_t seed, Keys... keys)
{
    random_stream rng(seed, stream_purpose::shuffle, keys...);
    return random_permutation(n, rng);
}

} // namespace somnus
