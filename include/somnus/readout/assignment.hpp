// SPDX-License-Identifier: MIT
// The unsupervised readout of Diehl & Cook 2015: each neuron is assigned the
// class for which its mean response was highest; an image is classified as
// the class whose assigned neurons have the highest mean spike count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"

namespace somnus {

/// Label of a neuron that never fired while the labels were assigned.
inline constexpr int unassigned = -1;

/// counts: [image][neuron] spike counts, row-major; labels: one per image.
/// A neuron takes the class with the highest mean count (ties: the lower
/// class); a neuron that never fired stays `unassigned`, as in the original.
/// So does a neuron whose mean count is the same for every class: its
/// response says nothing about the class. (The original gives such a neuron
/// the first class, 0. In a large network trained for several passes the
/// adaptive threshold of neurons that never win decays until they fire once
/// per image whatever the input; with class 0 they make every image a 0.)
inline std::vector<int> assign_labels(std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels,
                                      std::size_t n_neurons, std::size_t n_classes = 10)
{
    detail::require(n_neurons > 0 && counts.size() == labels.size() * n_neurons,
                    "assign_labels: {} counts for {} images of {} neurons", counts.size(), labels.size(), n_neurons);
    std::vector<double> sum(n_classes * n_neurons, 0.0);
    std::vector<std::size_t> images_of(n_classes, 0);
    for (std::size_t k = 0; k < labels.size(); ++k) {
        detail::require(labels[k] < n_classes, "assign_labels: label {} of image {} is not below {}", labels[k], k, n_classes);
        ++images_of[labels[k]];
        const std::uint32_t* row = counts.data() + k * n_neurons;
        double* acc = sum.data() + labels[k] * n_neurons;
        for (std::size_t j = 0; j < n_neurons; ++j) acc[j] += row[j];
    }
    std::vector<int> assignment(n_neurons, unassigned);
    for (std::size_t j = 0; j < n_neurons; ++j) {
        double best = 0.0, lowest = 0.0;
        bool first = true;
        for (std::size_t c = 0; c < n_classes; ++c) {
            if (images_of[c] == 0) continue;
            const double mean = sum[c * n_neurons + j] / double(images_of[c]);
            lowest = first ? mean : std::min(lowest, mean);
            first = false;
            if (mean > best) {
                best = mean;
                assignment[j] = static_cast<int>(c);
            }
        }
        if (best == lowest) assignment[j] = unassigned;  // the same for every class (or never fired)
    }
    return assignment;
}

/// The class whose assigned neurons fired most on average (ties and silence:
/// the lower class), or `unassigned` if no neuron has a class.
inline int classify(std::span<const std::uint32_t> counts, std::span<const int> assignment, std::size_t n_classes = 10)
{
    detail::require(counts.size() == assignment.size(), "classify: {} counts for {} assigned neurons", counts.size(),
                    assignment.size());
    std::vector<double> sum(n_classes, 0.0);
    std::vector<std::size_t> members(n_classes, 0);
    for (std::size_t j = 0; j < counts.size(); ++j) {
        const int c = assignment[j];
        if (c < 0 || std::size_t(c) >= n_classes) continue;
        sum[std::size_t(c)] += counts[j];
        ++members[std::size_t(c)];
    }
    int best = unassigned;
    double best_rate = -1.0;
    for (std::size_t c = 0; c < n_classes; ++c) {
        if (members[c] == 0) continue;
        const double rate = sum[c] / double(members[c]);
        if (rate > best_rate) {
            best_rate = rate;
            best = static_cast<int>(c);
        }
    }
    return best;
}

/// Rows: true class; columns: predicted class (an unassigned prediction
/// counts as wrong and lands in no column).
class confusion_matrix {
public:
    explicit confusion_matrix(std::size_t n_classes = 10) : n_(n_classes), m_(n_classes * n_classes, 0) {}

    void add(std::size_t truth, int predicted)
    {
        detail::require(truth < n_, "confusion_matrix: class {} is not below {}", truth, n_);
        ++total_;
        if (predicted < 0 || std::size_t(predicted) >= n_) return;
        ++m_[truth * n_ + std::size_t(predicted)];
        correct_ += std::size_t(predicted) == truth;
    }
    void merge(const confusion_matrix& o)
    {
        detail::require(o.n_ == n_, "confusion_matrix: cannot merge {} classes into {}", o.n_, n_);
        for (std::size_t k = 0; k < m_.size(); ++k) m_[k] += o.m_[k];
        total_ += o.total_;
        correct_ += o.correct_;
    }
    std::size_t n_classes() const { return n_; }
    std::uint64_t at(std::size_t truth, std::size_t predicted) const { return m_[truth * n_ + predicted]; }
    std::uint64_t total() const { return total_; }
    std::uint64_t correct() const { return correct_; }
    double accuracy() const { return total_ == 0 ? 0.0 : double(correct_) / double(total_); }

private:
    std::size_t n_;
    std::vector<std::uint64_t> m_;
    std::uint64_t total_ = 0, correct_ = 0;
};

} // namespace somnus
