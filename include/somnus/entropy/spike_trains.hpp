// SPDX-License-Identifier: MIT
// Binary spike trains, bit-packed: bin t of train k is bit t % 64 of word
// t / 64 of row k (Capozzi et al.: a train binned at dt is a binary variable).
// Joint statistics of two trains need only n11 = popcount(x AND y) and each
// train's spike count, so the co-occurrence counts of every pair of two sets
// of trains (784 inputs x N outputs) are AND + popcount over SIMD words. The
// unpacked one-byte-per-bin count is kept as the plain reference.
//
// Indices and sizes are checked once per call at the public boundary (a
// config_error naming them); the loops inside, here and in the estimators,
// use the unchecked bit access on what they have already checked.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"
#include "../core/memory.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../core/simd.hpp"
#include "../encoding/replay.hpp"

namespace somnus {

/// n trains of the same number of bins. Bits past the last bin are always
/// zero, so popcounts over whole words count only real bins.
class spike_trains {
public:
    spike_trains() = default;
    /// n_trains silent trains of `bins` bins; a config_error if they would
    /// not fit in memory.
    spike_trains(std::size_t n_trains, std::size_t bins)
        : n_(n_trains), bins_(bins), wpt_(bins / 64 + (bins % 64 != 0)),
          words_(detail::checked_elements("spike_trains", n_trains, bins / 64 + (bins % 64 != 0), sizeof(std::uint64_t)), 0)
    {
    }

    /// Trains from (step, neuron) events; events at or past `bins` or with a
    /// neuron index >= n_trains are refused. Repeated events set one bit.
    static spike_trains from_events(std::span<const raster_event> events, std::size_t n_trains, std::size_t bins)
    {
        spike_trains t(n_trains, bins);
        for (const auto& e : events) {
            detail::require(e.input < n_trains && e.step < bins, "spike_trains: event (step {}, neuron {}) outside {} trains x {} bins",
                            e.step, e.input, n_trains, bins);
            t.put(e.input, e.step, true);
        }
        return t;
    }

    /// Independent Bernoulli(p) trains (surrogate data, tests, benchmarks):
    /// train by train, bin by bin from rng.
    static spike_trains bernoulli(std::size_t n_trains, std::size_t bins, double p, random_stream& rng)
    {
        detail::require(p >= 0.0 && p <= 1.0, "spike_trains: spike probability {} is not in [0, 1]", p);
        spike_trains t(n_trains, bins);
        for (std::size_t k = 0; k < n_trains; ++k)
            for (std::size_t b = 0; b < bins; ++b)
                if (rng.bernoulli(p)) t.put(k, b, true);
        return t;
    }

    /// Trains from bytes, one per bin ([train][bin], non-zero = spike).
    static spike_trains from_bytes(std::span<const std::uint8_t> bytes, std::size_t n_trains, std::size_t bins)
    {
        detail::require(bins == 0 ? bytes.empty() : bytes.size() / bins == n_trains && bytes.size() % bins == 0,
                        "spike_trains: {} bytes for {} trains x {} bins", bytes.size(), n_trains, bins);
        spike_trains t(n_trains, bins);
        for (std::size_t k = 0; k < n_trains; ++k)
            for (std::size_t b = 0; b < bins; ++b)
                if (bytes[k * bins + b] != 0) t.put(k, b, true);
        return t;
    }

    std::size_t size() const { return n_; }
    std::size_t bins() const { return bins_; }
    std::size_t words_per_train() const { return wpt_; }

    /// Bin `bin` of train `train` (config_error for either outside the set).
    void set(std::size_t train, std::size_t bin, bool spike = true)
    {
        check(train, bin, "set");
        put(train, bin, spike);
    }
    bool test(std::size_t train, std::size_t bin) const
    {
        check(train, bin, "test");
        return bit(train, bin);
    }

    /// The words of one train (config_error for a train outside the set).
    std::span<const std::uint64_t> words(std::size_t train) const
    {
        check(train);
        return {words_.data() + train * wpt_, wpt_};
    }
    std::span<std::uint64_t> words(std::size_t train)
    {
        check(train);
        return {words_.data() + train * wpt_, wpt_};
    }

    /// Bins with a spike in one train.
    std::uint64_t ones(std::size_t train) const
    {
        std::uint64_t c = 0;
        for (const auto w : words(train)) c += static_cast<std::uint64_t>(std::popcount(w));
        return c;
    }

    /// One byte per bin, [train][bin] (the layout of the plain reference path).
    std::vector<std::uint8_t> unpack() const
    {
        std::vector<std::uint8_t> out(detail::checked_elements("spike_trains::unpack", n_, bins_, 1));
        for (std::size_t k = 0; k < n_; ++k)
            for (std::size_t b = 0; b < bins_; ++b) out[k * bins_ + b] = bit(k, b) ? 1 : 0;
        return out;
    }

    void clear() { std::fill(words_.begin(), words_.end(), 0); }

private:
    void check(std::size_t train) const { detail::require(train < n_, "spike_trains: train {} of a set of {}", train, n_); }
    void check(std::size_t train, std::size_t bin, const char* what) const
    {
        detail::require(train < n_ && bin < bins_, "spike_trains::{}: (train {}, bin {}) outside {} trains x {} bins", what, train, bin,
                        n_, bins_);
    }
    // Unchecked: for loops over indices already checked.
    void put(std::size_t train, std::size_t bin, bool spike)
    {
        std::uint64_t& w = words_[train * wpt_ + bin / 64];
        const std::uint64_t b = std::uint64_t{1} << (bin % 64);
        w = spike ? (w | b) : (w & ~b);
    }
    bool bit(std::size_t train, std::size_t bin) const { return (words_[train * wpt_ + bin / 64] >> (bin % 64)) & 1u; }

    std::size_t n_ = 0, bins_ = 0, wpt_ = 0;
    std::vector<std::uint64_t> words_;
};

/// The 2 x 2 table of two binary trains over the same bins.
struct joint_counts {
    std::uint64_t n00 = 0, n01 = 0, n10 = 0, n11 = 0;  ///< n_xy: x then y
    std::uint64_t total() const { return n00 + n01 + n10 + n11; }
    std::array<std::uint64_t, 4> cells() const { return {n00, n01, n10, n11}; }
    std::array<std::uint64_t, 2> x() const { return {n00 + n01, n10 + n11}; }
    std::array<std::uint64_t, 2> y() const { return {n00 + n10, n01 + n11}; }

    /// The table from both-spike bins, each train's spike count and the
    /// bins. Counts no two trains can have (a train with more spikes than
    /// bins, more both-spike bins than either train's spikes, more spikes
    /// between them than bins) are a config_error, not a wrapped cell.
    static joint_counts from(std::uint64_t n11, std::uint64_t ones_x, std::uint64_t ones_y, std::uint64_t bins);
};

namespace detail {
/// joint_counts::from without the checks, for counts taken from real trains
/// (the estimators' inner loops).
inline joint_counts joint_from_trains(std::uint64_t n11, std::uint64_t ones_x, std::uint64_t ones_y, std::uint64_t bins)
{
    return {bins - ones_x - ones_y + n11, ones_y - n11, ones_x - n11, n11};
}
} // namespace detail

inline joint_counts joint_counts::from(std::uint64_t n11, std::uint64_t ones_x, std::uint64_t ones_y, std::uint64_t bins)
{
    detail::require(ones_x <= bins && ones_y <= bins, "joint_counts::from: {} and {} spikes in {} bins", ones_x, ones_y, bins);
    detail::require(n11 <= ones_x && n11 <= ones_y, "joint_counts::from: {} both-spike bins for trains of {} and {} spikes", n11, ones_x,
                    ones_y);
    detail::require(ones_x - n11 <= bins - ones_y, "joint_counts::from: {} and {} spikes with {} together need more than {} bins", ones_x,
                    ones_y, n11, bins);
    return detail::joint_from_trains(n11, ones_x, ones_y, bins);
}

/// Joint table of train i of x and train j of y (same number of bins;
/// config_error for i or j outside its set).
inline joint_counts joint_table(const spike_trains& x, std::size_t i, const spike_trains& y, std::size_t j)
{
    detail::require(x.bins() == y.bins(), "joint_table: trains of {} and {} bins", x.bins(), y.bins());
    detail::require(i < x.size() && j < y.size(), "joint_table: train {} of {} and train {} of {}", i, x.size(), j, y.size());
    const auto a = x.words(i), b = y.words(j);
    std::uint64_t n11 = 0;
    for (std::size_t w = 0; w < a.size(); ++w) n11 += static_cast<std::uint64_t>(std::popcount(a[w] & b[w]));
    return detail::joint_from_trains(n11, x.ones(i), y.ones(j), x.bins());
}

/// Counts n11 of one train against every train of a fixed set x. Keeps x
/// word-major ([word][train], padded to whole batches), so one y word is
/// broadcast and ANDed with a batch of x trains at a time: the SIMD lanes
/// span pairs, which suits short trains (700 bins = 11 words) as well as long.
class cooccurrence_counter {
public:
    explicit cooccurrence_counter(const spike_trains& x)
        : n_(x.size()), padded_((x.size() + simd::width_words - 1) / simd::width_words * simd::width_words),
          wpt_(x.words_per_train()), bins_(x.bins()), by_word_(padded_ * x.words_per_train(), 0), ones_(x.size())
    {
        for (std::size_t i = 0; i < n_; ++i) {
            const auto w = x.words(i);
            for (std::size_t k = 0; k < wpt_; ++k) by_word_[k * padded_ + i] = w[k];
            ones_[i] = x.ones(i);
        }
    }

    std::size_t size() const { return n_; }
    std::size_t bins() const { return bins_; }
    std::size_t words_per_train() const { return wpt_; }
    /// Spike count of each x train.
    std::span<const std::uint64_t> ones() const { return ones_; }

    /// out[i] = bins where x train i and y (words_per_train() words) both spike.
    /// W = std::uint64_t is the scalar reference, W = simd::word_batch the
    /// SIMD path; both run the same source and give the same counts.
    template <class W = simd::word_batch>
    void count(const std::uint64_t* y, std::uint64_t* out) const
    {
        std::size_t i = 0;
        if constexpr (simd::is_word_batch<W>) {
            alignas(64) std::uint64_t lanes[simd::width_words];
            for (; i + simd::width_words <= n_; i += simd::width_words) {
                W acc(std::uint64_t{0});
                for (std::size_t k = 0; k < wpt_; ++k)
                    acc = acc + simd::popcount_words(simd::load_words<W>(by_word_.data() + k * padded_ + i) & W(y[k]));
                simd::store_words(lanes, acc);
                std::copy(lanes, lanes + simd::width_words, out + i);
            }
        }
        for (; i < n_; ++i) {
            std::uint64_t acc = 0;
            for (std::size_t k = 0; k < wpt_; ++k) acc += simd::popcount_words(by_word_[k * padded_ + i] & y[k]);
            out[i] = acc;
        }
    }

private:
    std::size_t n_, padded_, wpt_, bins_;
    std::vector<std::uint64_t> by_word_;
    std::vector<std::uint64_t> ones_;
};

/// n11 for every pair: out[i * y.size() + j] = bins where x train i and y
/// train j both spike. Threads split the y trains; counts are integers, so
/// the result never depends on the thread count.
template <class W = simd::word_batch>
void cooccurrence(const spike_trains& x, const spike_trains& y, std::span<std::uint64_t> out, unsigned threads = 1)
{
    detail::require(x.bins() == y.bins(), "cooccurrence: trains of {} and {} bins", x.bins(), y.bins());
    detail::require(out.size() == detail::checked_elements("cooccurrence", x.size(), y.size(), sizeof(std::uint64_t)),
                    "cooccurrence: output holds {} counts, need {} x {}", out.size(), x.size(), y.size());
    const cooccurrence_counter counter(x);
    const std::size_t nx = x.size(), ny = y.size();
    parallel_blocks(ny, threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<std::uint64_t> column(nx);
        for (std::size_t j = begin; j < end; ++j) {
            counter.count<W>(y.words(j).data(), column.data());
            for (std::size_t i = 0; i < nx; ++i) out[i * ny + j] = column[i];
        }
    });
}

/// The plain reference: the same counts from unpacked trains, one byte per
/// bin ([train][bin]), one bin at a time.
inline void cooccurrence_unpacked(std::span<const std::uint8_t> x, std::size_t nx, std::span<const std::uint8_t> y, std::size_t ny,
                                  std::size_t bins, std::span<std::uint64_t> out)
{
    detail::require(x.size() == detail::checked_elements("cooccurrence_unpacked", nx, bins, 1) &&
                        y.size() == detail::checked_elements("cooccurrence_unpacked", ny, bins, 1) &&
                        out.size() == detail::checked_elements("cooccurrence_unpacked", nx, ny, sizeof(std::uint64_t)),
                    "cooccurrence_unpacked: sizes {} / {} / {} do not match {} x {} trains of {} bins", x.size(), y.size(),
                    out.size(), nx, ny, bins);
    for (std::size_t i = 0; i < nx; ++i)
        for (std::size_t j = 0; j < ny; ++j) {
            const std::uint8_t* a = x.data() + i * bins;
            const std::uint8_t* b = y.data() + j * bins;
            std::uint64_t n = 0;
            for (std::size_t t = 0; t < bins; ++t) n += (a[t] != 0) & (b[t] != 0);
            out[i * ny + j] = n;
        }
}

} // namespace somnus
