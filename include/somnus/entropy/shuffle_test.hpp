// SPDX-License-Identifier: MIT
// Shuffle (surrogate) significance test for mutual information: the bins of
// the output train are permuted at random, which keeps its spike count and
// destroys any relation with the input; the p-value is the fraction of
// surrogates whose MI reaches the observed one, p = (1 + #{I_s >= I}) / (1 + S)
// (never 0, so it is a valid p-value for S surrogates). Plug-in MI is biased
// upward on short recordings (by about (m_x - 1)(m_y - 1) / 2N nats); the
// surrogates carry the same bias, so the test is not fooled by it.
// Deterministic: surrogate s of output j draws from the stream
// (seed, shuffle, key, j), whatever the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "mutual_information.hpp"
#include "spike_trains.hpp"

namespace somnus {

struct shuffle_test_params {
    std::size_t surrogates = 1000;
    std::uint64_t seed = 0;
    std::uint64_t key = 0;  ///< names the test's random streams (e.g. the image), so tests never share numbers
};

struct shuffle_result {
    double observed = 0.0;       ///< MI of the real trains
    double p_value = 1.0;        ///< (1 + surrogates reaching it) / (1 + surrogates)
    double surrogate_mean = 0.0;
    double surrogate_sd = 0.0;
    std::size_t surrogates = 0;
};

namespace detail {

/// Writes into `words` a train of `bins` bins with `ones` spikes at uniformly
/// random bins (the same law as a random permutation of any train with that
/// many spikes): a partial Fisher-Yates shuffle of the bin indices.
inline void random_train(std::uint64_t ones, std::size_t bins, random_stream& rng, std::vector<std::uint32_t>& idx,
                         std::span<std::uint64_t> words)
{
    idx.resize(bins);
    std::iota(idx.begin(), idx.end(), 0u);
    std::fill(words.begin(), words.end(), 0);
    for (std::size_t s = 0; s < ones; ++s) {
        const std::size_t r = s + static_cast<std::size_t>(rng.below(bins - s));
        std::swap(idx[s], idx[r]);
        words[idx[s] / 64] |= std::uint64_t{1} << (idx[s] % 64);
    }
}

inline shuffle_result summarise(double observed, const std::vector<double>& surrogate)
{
    shuffle_result r;
    r.observed = observed;
    r.surrogates = surrogate.size();
    std::size_t reach = 0;
    double sum = 0.0, sq = 0.0;
    for (const double s : surrogate) {
        reach += s >= observed;
        sum += s;
    }
    const double n = double(surrogate.size());
    r.surrogate_mean = n > 0 ? sum / n : 0.0;
    for (const double s : surrogate) sq += (s - r.surrogate_mean) * (s - r.surrogate_mean);
    r.surrogate_sd = n > 1 ? std::sqrt(sq / (n - 1)) : 0.0;
    r.p_value = (1.0 + double(reach)) / (1.0 + n);
    return r;
}

} // namespace detail

/// Shuffle test of I(x_i; y_j) for one pair of trains.
template <entropy_estimator E>
shuffle_result mi_shuffle_test(const spike_trains& x, std::size_t i, const spike_trains& y, std::size_t j, const E& e,
                               const shuffle_test_params& p = {})
{
    detail::require(x.bins() == y.bins(), "mi_shuffle_test: trains of {} and {} bins", x.bins(), y.bins());
    detail::require(i < x.size() && j < y.size(), "mi_shuffle_test: train {} of {} and train {} of {}", i, x.size(), j, y.size());
    detail::require(y.bins() <= 0xffffffffu, "mi_shuffle_test: {} bins, more than the 2^32 - 1 a surrogate draws from", y.bins());
    const std::uint64_t ox = x.ones(i), oy = y.ones(j);
    const double observed = mutual_information(joint_table(x, i, y, j), e);
    random_stream rng(p.seed, stream_purpose::shuffle, p.key, j);
    std::vector<std::uint32_t> idx;
    std::vector<std::uint64_t> surrogate_words(y.words_per_train());
    std::vector<double> surrogate(p.surrogates);
    const auto a = x.words(i);
    for (std::size_t s = 0; s < p.surrogates; ++s) {
        detail::random_train(oy, y.bins(), rng, idx, surrogate_words);
        std::uint64_t n11 = 0;
        for (std::size_t w = 0; w < a.size(); ++w) n11 += static_cast<std::uint64_t>(std::popcount(a[w] & surrogate_words[w]));
        surrogate[s] = mutual_information(detail::joint_from_trains(n11, ox, oy, x.bins()), e);
    }
    return detail::summarise(observed, surrogate);
}

/// For every y train j, the shuffle test of its summed MI with all x trains,
/// sum_i I(x_i; y_j) (Capozzi et al.'s per-output-neuron information): one
/// test per output neuron, each surrogate a random permutation of y_j's bins
/// against the real x trains. A y train without spikes has MI 0 and p = 1.
/// progress(done), if given, is called by the first worker after each of
/// its y trains with the number of y trains finished so far, and once more
/// with y.size() at the end; the results do not depend on it or on threads.
template <class W = simd::word_batch, entropy_estimator E>
std::vector<shuffle_result> summed_mi_shuffle_test(const spike_trains& x, const spike_trains& y, const E& e,
                                                   const shuffle_test_params& p = {}, unsigned threads = 1,
                                                   const std::function<void(std::size_t)>& progress = {})
{
    detail::require(x.bins() == y.bins(), "summed_mi_shuffle_test: trains of {} and {} bins", x.bins(), y.bins());
    detail::require(y.bins() <= 0xffffffffu, "summed_mi_shuffle_test: {} bins, more than the 2^32 - 1 a surrogate draws from", y.bins());
    const cooccurrence_counter counter(x);
    const std::size_t nx = x.size();
    // Constant x trains (silent or always firing) add exactly 0 to every sum
    // for estimators that give a one-symbol variable zero entropy and ignore
    // empty bins (plug_in, miller_madow); only the others are summed.
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < nx; ++i)
        if (counter.ones()[i] != 0 && counter.ones()[i] != x.bins()) active.push_back(i);
    std::vector<shuffle_result> results(y.size());
    std::atomic<std::size_t> done{0};
    parallel_blocks(y.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        std::vector<std::uint64_t> n11(nx), words(y.words_per_train());
        std::vector<std::uint32_t> idx;
        std::vector<double> surrogate(p.surrogates);
        const auto summed = [&](std::uint64_t oy) {
            double s = 0.0;
            for (const auto i : active)
                s += mutual_information(detail::joint_from_trains(n11[i], counter.ones()[i], oy, x.bins()), e);
            return s;
        };
        for (std::size_t j = begin; j < end; ++j) {
            const std::uint64_t oy = y.ones(j);
            const auto report = [&] {
                const auto d = ++done;
                if (worker == 0 && progress) progress(d);
            };
            if (oy == 0 || oy == y.bins() || active.empty()) {
                // A constant train has zero MI with anything, and so has
                // every surrogate of it: p = 1 without drawing them.
                results[j] = detail::summarise(0.0, std::vector<double>(p.surrogates, 0.0));
                report();
                continue;
            }
            counter.count<W>(y.words(j).data(), n11.data());
            const double observed = summed(oy);
            random_stream rng(p.seed, stream_purpose::shuffle, p.key, j);
            for (std::size_t s = 0; s < p.surrogates; ++s) {
                detail::random_train(oy, y.bins(), rng, idx, words);
                counter.count<W>(words.data(), n11.data());
                surrogate[s] = summed(oy);
            }
            results[j] = detail::summarise(observed, surrogate);
            report();
        }
    });
    if (progress) progress(y.size());
    return results;
}

/// The exact permutation p-value the shuffle test estimates: under a random
/// permutation of y's bins, n11 is hypergeometric (N bins, K spikes of x,
/// n spikes of y), and p = P(I(n11) >= I observed). For checking the test.
template <entropy_estimator E>
double exact_permutation_p(const joint_counts& c, const E& e)
{
    const std::uint64_t bins = c.total(), kx = c.x()[1], ny = c.y()[1];
    const double observed = mutual_information(c, e);
    const auto lchoose = [](double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); };
    const std::uint64_t lo = kx + ny > bins ? kx + ny - bins : 0, hi = std::min(kx, ny);
    const double denom = lchoose(double(bins), double(ny));
    double p = 0.0;
    for (std::uint64_t k = lo; k <= hi; ++k) {
        const double mi = mutual_information(detail::joint_from_trains(k, kx, ny, bins), e);
        // Same tolerance as the observed value's own rounding.
        if (mi >= observed - 1e-12)
            p += std::exp(lchoose(double(kx), double(k)) + lchoose(double(bins - kx), double(ny - k)) - denom);
    }
    return std::min(p, 1.0);
}

} // namespace somnus
