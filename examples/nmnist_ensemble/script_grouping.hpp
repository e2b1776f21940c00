// SPDX-License-Identifier: MIT
// A replica of what the author's experiment script for Gupta 2024 computes
// (the one public file that prints "Networks with similar mapping";
// DESIGN.md section 8), run on our trained members' test predictions:
//  - the test recordings in the order tonic lists them (class by class);
//  - the "shuffled" label of the sample at position idx is perm[idx % 10],
//    a function of the position, not of the digit;
//  - a network's "mapping" is ten copies of its best per-batch accuracy
//    (DataLoader batches of 128 in order, the last one partial) against
//    those labels: the loop over the ten labels never uses its variable;
//  - networks are grouped greedily, each joining the first group whose first
//    member's mapping it equals on `threshold` entries, exactly
//    (group_first_match); with ten equal entries that is equal best
//    accuracies.
// The script prints the group sizes and computes no entropy; S0 and the
// Shannon form are ours, from its groups. `sample` draws the distribution of
// the outcome over label permutations and member orders.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <span>
#include <vector>

#include <somnus/core/error.hpp>
#include <somnus/core/random.hpp>
#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/plug_in.hpp>

namespace somnus::example::gupta_script {

/// The script's permutation: Python's random.seed(42) then
/// random.shuffle(list(range(10))) (nothing else in the script draws from
/// Python's generator before it). Checked against /usr/bin/python3 in ctest.
inline constexpr std::array<std::size_t, 10> python_seed42_permutation{7, 3, 2, 8, 5, 6, 9, 4, 0, 1};

/// The published sample output: groups {1, 3, 5, 1}, S0 = 0.32769.
inline constexpr std::array<std::uint64_t, 4> published_sizes{1, 3, 5, 1};
inline constexpr double published_s0 = 0.32769;

/// Positions of the test recordings in the order tonic's NMNIST lists them:
/// class folders 0..9 (the versions that sort the folders; others take the
/// file system's order, also class by class), and within a class the order
/// the recordings already have (file names sorted).
inline std::vector<std::size_t> class_blocked_order(std::span<const std::uint64_t> labels)
{
    std::vector<std::size_t> order(labels.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return labels[a] < labels[b]; });
    return order;
}

/// The script's test label of every position: perm[idx % 10].
inline std::vector<std::uint64_t> index_labels(std::size_t n, std::span<const std::size_t> perm)
{
    somnus::detail::require(perm.size() == 10, "index_labels: a permutation of 10 labels, not {}", perm.size());
    std::vector<std::uint64_t> out(n);
    for (std::size_t k = 0; k < n; ++k) out[k] = perm[k % 10];
    return out;
}

/// snnTorch's accuracy_rate per batch of `batch` consecutive samples (the
/// last one partial), maximised over the batches from 0 as the script does.
/// Each value is hits / batch size in double precision, as numpy's mean of a
/// boolean array is, so equal fractions of different batch sizes are equal.
inline double best_batch_accuracy(std::span<const std::uint64_t> predicted, std::span<const std::uint64_t> labels, std::size_t batch)
{
    somnus::detail::require(predicted.size() == labels.size(), "best_batch_accuracy: {} predictions for {} labels", predicted.size(), labels.size());
    somnus::detail::require(batch >= 1, "best_batch_accuracy: batch size 0");
    double best = 0.0;
    for (std::size_t b = 0; b < predicted.size(); b += batch) {
        const std::size_t e = std::min(predicted.size(), b + batch);
        std::size_t hit = 0;
        for (std::size_t k = b; k < e; ++k) hit += predicted[k] == labels[k];
        const double acc = double(hit) / double(e - b);
        if (acc > best) best = acc;
    }
    return best;
}

/// One run of the script's test.
struct outcome {
    std::vector<double> best;              ///< each network's best per-batch accuracy, in the order taken
    std::vector<std::size_t> group;        ///< each network's group, in the order taken
    std::vector<std::uint64_t> sizes;      ///< group sizes in order of creation (the printed lines)
    double s0 = 0.0, shannon = 0.0;        ///< ours, from the groups (nats)
};

/// The script's test on members' predictions (each given in class-blocked
/// test order, as class_blocked_order arranges them), members taken in
/// `order`.
inline outcome run(const std::vector<std::vector<std::uint64_t>>& predictions, std::span<const std::size_t> perm,
                   std::span<const std::size_t> order, std::size_t batch = 128, std::size_t threshold = 5)
{
    somnus::detail::require(order.size() == predictions.size(), "gupta_script::run: an order of {} for {} networks", order.size(), predictions.size());
    outcome o;
    std::vector<std::vector<double>> mappings;
    for (const auto m : order) {
        somnus::detail::require(m < predictions.size(), "gupta_script::run: network {} of {}", m, predictions.size());
        const auto labels = index_labels(predictions[m].size(), perm);
        o.best.push_back(best_batch_accuracy(predictions[m], labels, batch));
        mappings.emplace_back(10, o.best.back());  // mapping_accuracy[i] = best_accuracy for i in 0..9
    }
    o.group = group_first_match(mappings, threshold);
    o.sizes = group_sizes(o.group);
    o.s0 = function_space_s0{}.entropy(o.sizes);
    o.shannon = plug_in{info_unit::nats}.entropy(std::span<const std::uint64_t>(o.sizes));
    return o;
}

/// Group sizes as a multiset (largest first), the form outcomes are tallied in.
inline std::vector<std::uint64_t> multiset(std::vector<std::uint64_t> sizes)
{
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    return sizes;
}

/// The outcome over many draws of the label permutation and of the member order.
struct distribution {
    std::size_t draws = 0;
    std::map<std::vector<std::uint64_t>, std::size_t> multisets;  ///< multiset of group sizes -> draws
    std::vector<double> s0;                                        ///< per draw
    std::vector<double> shannon;                                   ///< per draw
    std::size_t order_changed = 0;  ///< draws whose multiset differs from that of the members in their own order
    std::size_t published_multiset = 0, s0_below = 0, s0_equal = 0;  ///< against {1,3,5,1} / 0.32769 (equal: within 1e-5, the printed digits)
};

/// `draws` draws, each a uniformly random permutation of the ten labels and
/// of the members (keyed random streams: the same seed gives the same
/// draws).
inline distribution sample(const std::vector<std::vector<std::uint64_t>>& predictions, std::size_t draws, std::uint64_t seed,
                           std::size_t batch = 128, std::size_t threshold = 5)
{
    distribution d;
    d.draws = draws;
    const auto published = multiset({published_sizes.begin(), published_sizes.end()});
    std::vector<std::size_t> natural(predictions.size());
    std::iota(natural.begin(), natural.end(), std::size_t{0});
    for (std::size_t k = 0; k < draws; ++k) {
        random_stream rng(seed, stream_purpose::shuffle, 0x9c0f, k);
        const auto perm = random_permutation(10, rng);
        const auto order = random_permutation(predictions.size(), rng);
        const auto o = run(predictions, perm, order, batch, threshold);
        const auto m = multiset(o.sizes);
        ++d.multisets[m];
        d.s0.push_back(o.s0);
        d.shannon.push_back(o.shannon);
        if (multiset(run(predictions, perm, natural, batch, threshold).sizes) != m) ++d.order_changed;
        if (m == published) ++d.published_multiset;
        if (std::abs(o.s0 - published_s0) <= 1e-5)
            ++d.s0_equal;
        else if (o.s0 < published_s0)
            ++d.s0_below;
    }
    return d;
}

} // namespace somnus::example::gupta_script
