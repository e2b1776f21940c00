// SPDX-License-Identifier: MIT
// Function-space entropy of an ensemble (Gupta 2024; DESIGN.md section 8).
// Networks are grouped by the function they compute: two agree if at least
// `threshold` of their label mappings coincide, and the groups are the
// connected components of that agreement graph (agreement need not be
// transitive: A~B and B~C put A, B, C in one group even if A and C disagree).
// P0(f) = group size / number of networks, and, exactly as published,
//   S0 = -sum_f P0(f)^2 ln P0(f)        (function_space_s0)
// The ordinary Shannon form -sum_f P0(f) ln P0(f) is plug_in on the sizes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "unit.hpp"

namespace somnus {

/// S0 as published: -sum_k p_k^2 ln p_k over the group sizes (counts).
/// Nats by default, as published (ln); bits divide by ln 2.
struct function_space_s0 {
    info_unit unit = info_unit::nats;

    double entropy(std::span<const std::uint64_t> counts) const
    {
        double total = 0.0;
        for (const auto c : counts) total += double(c);
        if (total <= 0.0) return 0.0;
        double s = 0.0;
        for (const auto c : counts)
            if (c > 0) {
                const double p = double(c) / total;
                s -= p * p * std::log(p);
            }
        return detail::in_unit(s > 0.0 ? s : 0.0, unit);
    }
};

static_assert(entropy_estimator<function_space_s0>);

/// Component label of every item (0, 1, ... in order of each component's
/// first item) of the graph with an edge wherever agree(a, b), a < b.
inline std::vector<std::size_t> connected_components(std::size_t n, const std::function<bool(std::size_t, std::size_t)>& agree)
{
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    const auto find = [&](std::size_t a) {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    };
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = a + 1; b < n; ++b)
            if (agree(a, b)) {
                const std::size_t ra = find(a), rb = find(b);
                if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
            }
    std::vector<std::size_t> label(n), label_of_root(n, n);
    std::size_t next = 0;
    for (std::size_t a = 0; a < n; ++a) {
        const std::size_t r = find(a);
        if (label_of_root[r] == n) label_of_root[r] = next++;
        label[a] = label_of_root[r];
    }
    return label;
}

/// A network's label mapping in the shuffled-label test: the sample of true
/// class c carries the shuffled label label_perm[c]; map[l] is the class the
/// network predicts most often for the samples carrying shuffled label l
/// (the lowest class on a tie; -1 for a label no sample carries).
inline std::vector<int> label_mapping(std::span<const std::uint8_t> labels, std::span<const std::uint8_t> predicted,
                                      std::span<const std::size_t> label_perm)
{
    const std::size_t classes = label_perm.size();
    detail::require(labels.size() == predicted.size(), "label_mapping: {} labels and {} predictions", labels.size(), predicted.size());
    std::vector<std::size_t> counts(classes * classes, 0);
    for (std::size_t k = 0; k < labels.size(); ++k) {
        detail::require(labels[k] < classes && predicted[k] < classes, "label_mapping: sample {} has label {} / prediction {}, not below {}",
                        k, int(labels[k]), int(predicted[k]), classes);
        detail::require(label_perm[labels[k]] < classes, "label_mapping: label_perm[{}] = {} is not a label", int(labels[k]), label_perm[labels[k]]);
        ++counts[label_perm[labels[k]] * classes + predicted[k]];
    }
    std::vector<int> map(classes, -1);
    for (std::size_t l = 0; l < classes; ++l) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < classes; ++c)
            if (counts[l * classes + c] > counts[l * classes + best]) best = c;
        if (counts[l * classes + best] > 0) map[l] = int(best);
    }
    return map;
}

/// Entries on which two label mappings coincide.
inline std::size_t mapping_agreement(std::span<const int> a, std::span<const int> b)
{
    detail::require(a.size() == b.size(), "mapping_agreement: mappings of {} and {} labels", a.size(), b.size());
    std::size_t same = 0;
    for (std::size_t k = 0; k < a.size(); ++k) same += a[k] == b[k];
    return same;
}

/// Groups of networks by their mappings (mappings[n][shuffled label] = class):
/// networks agree if at least `threshold` entries coincide (default 5 of 10).
inline std::vector<std::size_t> group_by_agreement(const std::vector<std::vector<int>>& mappings, std::size_t threshold = 5)
{
    return connected_components(mappings.size(), [&](std::size_t a, std::size_t b) {
        return mapping_agreement(mappings[a], mappings[b]) >= threshold;
    });
}

/// Greedy first-match grouping, as the author's script of Gupta 2024 groups
/// (DESIGN.md section 8): networks are taken in order; each joins the first
/// group, in order of creation, whose *first* member's mapping it equals on
/// at least `threshold` entries (exact equality), or founds a new group.
/// Unlike group_by_agreement the result depends on the order of the networks
/// and on which member founded a group (A~B, B~C, not A~C: C founds its own
/// group if A came first). Entries of any equality-comparable type.
template <class T>
std::vector<std::size_t> group_first_match(const std::vector<std::vector<T>>& mappings, std::size_t threshold = 5)
{
    std::vector<std::size_t> label(mappings.size());
    std::vector<std::size_t> founders;  // index of each group's first member
    for (std::size_t n = 0; n < mappings.size(); ++n) {
        std::size_t g = 0;
        for (; g < founders.size(); ++g) {
            const auto& key = mappings[founders[g]];
            detail::require(key.size() == mappings[n].size(), "group_first_match: mappings of {} and {} entries",
                            key.size(), mappings[n].size());
            std::size_t same = 0;
            for (std::size_t k = 0; k < key.size(); ++k) same += mappings[n][k] == key[k];
            if (same >= threshold) break;
        }
        if (g == founders.size()) founders.push_back(n);
        label[n] = g;
    }
    return label;
}

/// Size of each group, indexed by group label: the counts P0 is made of.
/// Labels are groups of the labelled networks, so each is below their
/// number (config_error otherwise, not a huge or wrapped allocation).
inline std::vector<std::uint64_t> group_sizes(std::span<const std::size_t> labels)
{
    std::vector<std::uint64_t> sizes;
    for (std::size_t k = 0; k < labels.size(); ++k) {
        const std::size_t l = labels[k];
        detail::require(l < labels.size(), "group_sizes: network {} has group label {}, but {} networks make at most {} groups", k, l,
                        labels.size(), labels.size());
        if (l >= sizes.size()) sizes.resize(l + 1, 0);
        ++sizes[l];
    }
    return sizes;
}

/// S0 (or, with plug_in, the Shannon form) of a grouping.
template <entropy_estimator E = function_space_s0>
double function_space_entropy(std::span<const std::size_t> labels, const E& e = {})
{
    const auto sizes = group_sizes(labels);
    return e.entropy(std::span<const std::uint64_t>(sizes));
}

} // namespace somnus
