// SPDX-License-Identifier: MIT
// Frozen-network responses to many images, on any number of threads with
// identical results: each image is evaluated from the rest state with a
// random stream keyed by (set, index).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"

namespace somnus {

/// Which image set a key refers to, so training-set and test-set image k
/// get different input spikes.
enum class image_set : std::uint64_t { train = 0, test = 1 };

inline std::uint64_t image_key(image_set set, std::size_t index)
{
    return (static_cast<std::uint64_t>(set) << 40) | static_cast<std::uint64_t>(index);
}

/// Spike counts [image][neuron] of `net` for `count` images starting at
/// `first` in `pixels` (row-major, net.n_input() bytes per image).
/// progress(done) is called now and then from worker 0's thread.
template <class Network>
std::vector<std::uint32_t> evaluate_counts(const Network& net, std::span<const std::uint8_t> pixels, std::size_t first,
                                           std::size_t count, image_set set, unsigned threads,
                                           const std::function<void(std::size_t)>& progress = {})
{
    const std::size_t n_in = net.n_input(), n = net.n_readout();
    detail::require(pixels.size() >= (first + count) * n_in, "evaluate_counts: {} images from {} asked of a set of {}", count,
                    first, pixels.size() / n_in);
    std::vector<std::uint32_t> counts(count * n);
    std::atomic<std::size_t> done{0};
    parallel_blocks(count, threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        auto local = net.clone();
        for (std::size_t k = begin; k < end; ++k) {
            local.evaluate(pixels.subspan((first + k) * n_in, n_in), image_key(set, first + k));
            const auto c = local.counts();
            std::copy(c.begin(), c.end(), counts.begin() + static_cast<std::ptrdiff_t>(k * n));
            const auto d = ++done;
            if (worker == 0 && progress && (k % 64 == 0)) progress(d);
        }
    });
    if (progress) progress(count);
    return counts;
}

} // namespace somnus
