// SPDX-License-Identifier: MIT
// Deterministic data parallelism: [0, n) is cut into one contiguous block per
// thread and every item must be computed from its index alone, so results do
// not depend on the thread count. Exceptions thrown by workers are rethrown
// on the calling thread (the first one, by block order).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace somnus {

/// Calls f(worker, begin, end) on `threads` workers (0 = hardware threads).
template <class F>
void parallel_blocks(std::size_t n, unsigned threads, F&& f)
{
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(n, 1)));
    if (threads <= 1) {
        f(0u, std::size_t(0), n);
        return;
    }
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) {
        const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
        pool.emplace_back([&, t, begin, end] {
            try {
                f(t, begin, end);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

} // namespace somnus
