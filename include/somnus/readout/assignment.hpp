// SPDX-License-Identifier: MIT
// The unsupervised readout of Diehl & Cook 2015: each neuron is assigned the
// class for which its mean response was highest; an image is classified as
// the class whose assigned neurons have the highest mean spike count. Two
// other votes over the same assignment (sum, BindsNET's proportion
// weighting) are offered for comparison, never in place of the paper's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/error.hpp"

namespace somnus {

/// Label of a neuron that never fired while the labels were assigned.
inline constexpr int unassigned = -1;

/// Mean response of every neuron to every class over a labelled set of
/// images: mean(j, c) = total count of neuron j over the images of class c /
/// number of such images. A class with no image has mean 0 and is skipped by
/// the assignment.
class class_responses {
public:
    /// counts: [image][neuron] spike counts, row-major; labels: one per image.
    class_responses(std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels, std::size_t n_neurons,
                    std::size_t n_classes = 10)
        : n_(n_neurons), classes_(n_classes), mean_(n_classes * n_neurons, 0.0), images_of_(n_classes, 0)
    {
        detail::require(n_neurons > 0 && counts.size() == labels.size() * n_neurons,
                        "assign_labels: {} counts for {} images of {} neurons", counts.size(), labels.size(), n_neurons);
        for (std::size_t k = 0; k < labels.size(); ++k) {
            detail::require(labels[k] < n_classes, "assign_labels: label {} of image {} is not below {}", labels[k], k, n_classes);
            ++images_of_[labels[k]];
            const std::uint32_t* row = counts.data() + k * n_neurons;
            double* acc = mean_.data() + labels[k] * n_neurons;
            for (std::size_t j = 0; j < n_neurons; ++j) acc[j] += row[j];
        }
        for (std::size_t c = 0; c < n_classes; ++c)
            if (images_of_[c] > 0)
                for (std::size_t j = 0; j < n_neurons; ++j) mean_[c * n_neurons + j] /= double(images_of_[c]);
    }

    std::size_t n_neurons() const { return n_; }
    std::size_t n_classes() const { return classes_; }
    std::size_t images_of(std::size_t c) const { return images_of_[c]; }
    double mean(std::size_t neuron, std::size_t c) const { return mean_[c * n_ + neuron]; }

    /// A neuron takes the class with the highest mean count (ties: the lower
    /// class); a neuron that never fired stays `unassigned`, as in the
    /// original. So does a neuron whose mean count is the same for every
    /// class: its response says nothing about the class. (The original gives
    /// such a neuron the first class, 0. In a large network trained for
    /// several passes the adaptive threshold of neurons that never win decays
    /// until they fire once per image whatever the input; with class 0 they
    /// make every image a 0.)
    std::vector<int> assignment() const
    {
        std::vector<int> out(n_, unassigned);
        for (std::size_t j = 0; j < n_; ++j) {
            double best = 0.0, lowest = 0.0;
            bool first = true;
            for (std::size_t c = 0; c < classes_; ++c) {
                if (images_of_[c] == 0) continue;
                const double m = mean(j, c);
                lowest = first ? m : std::min(lowest, m);
                first = false;
                if (m > best) {
                    best = m;
                    out[j] = static_cast<int>(c);
                }
            }
            if (best == lowest) out[j] = unassigned;  // the same for every class (or never fired)
        }
        return out;
    }

    /// Share of neuron j's mean responses that class c takes:
    /// mean(j, c) / sum over classes of mean(j, ·); 0 for a silent neuron.
    double proportion(std::size_t neuron, std::size_t c) const
    {
        double total = 0.0;
        for (std::size_t k = 0; k < classes_; ++k) total += mean(neuron, k);
        return total > 0.0 ? mean(neuron, c) / total : 0.0;
    }

private:
    std::size_t n_, classes_;
    std::vector<double> mean_;  // [class][neuron]
    std::vector<std::size_t> images_of_;
};

/// Diehl & Cook's labelling: see class_responses::assignment.
inline std::vector<int> assign_labels(std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels,
                                      std::size_t n_neurons, std::size_t n_classes = 10)
{
    return class_responses(counts, labels, n_neurons, n_classes).assignment();
}

namespace detail {

/// Score of class c = sum over the neurons assigned to c of weight_j x count_j
/// (weight 1 when `weights` is empty), divided by their number if `mean`.
/// The highest score wins (ties: the lower class); classes without neurons
/// take no part; `unassigned` if no neuron has a class.
inline int best_class(std::span<const std::uint32_t> counts, std::span<const int> assignment, std::size_t n_classes,
                      std::span<const double> weights, bool mean)
{
    detail::require(counts.size() == assignment.size(), "classify: {} counts for {} assigned neurons", counts.size(),
                    assignment.size());
    std::vector<double> score(n_classes, 0.0);
    std::vector<std::size_t> members(n_classes, 0);
    for (std::size_t j = 0; j < counts.size(); ++j) {
        const int c = assignment[j];
        if (c < 0 || std::size_t(c) >= n_classes) continue;
        score[std::size_t(c)] += weights.empty() ? double(counts[j]) : weights[j] * counts[j];
        ++members[std::size_t(c)];
    }
    int best = unassigned;
    double best_score = -1.0;
    for (std::size_t c = 0; c < n_classes; ++c) {
        if (members[c] == 0) continue;
        const double value = mean ? score[c] / double(members[c]) : score[c];
        if (value > best_score) {
            best_score = value;
            best = static_cast<int>(c);
        }
    }
    return best;
}

} // namespace detail

/// The class whose assigned neurons fired most on average (ties and silence:
/// the lower class), or `unassigned` if no neuron has a class.
inline int classify(std::span<const std::uint32_t> counts, std::span<const int> assignment, std::size_t n_classes = 10)
{
    return detail::best_class(counts, assignment, n_classes, {}, true);
}

/// How the counts of each class's assigned neurons become the class's score
/// (the highest score wins; ties: the lower class; a class with no assigned
/// neuron takes no part).
enum class vote {
    mean,        ///< Diehl & Cook 2015: mean count of the class's neurons (the paper's readout)
    sum,         ///< total count of the class's neurons: a class is not diluted by weakly responding members
    proportion,  ///< BindsNET's "proportion weighting": mean over the class's neurons of count x the
                 ///< neuron's share of its labelling response that went to that class
};

inline const char* vote_name(vote v)
{
    switch (v) {
    case vote::mean: return "mean";
    case vote::sum: return "sum";
    case vote::proportion: return "proportion";
    }
    return "?";
}

/// The labelling fitted once (class_responses, assignment) and applied to
/// new responses with any vote.
class label_readout {
public:
    label_readout(std::span<const std::uint32_t> counts, std::span<const std::uint8_t> labels, std::size_t n_neurons,
                  std::size_t n_classes = 10)
        : responses_(counts, labels, n_neurons, n_classes), assignment_(responses_.assignment()), weight_(n_neurons, 0.0)
    {
        for (std::size_t j = 0; j < n_neurons; ++j)
            if (assignment_[j] >= 0) weight_[j] = responses_.proportion(j, std::size_t(assignment_[j]));
    }

    /// A readout from a saved assignment (a network checkpoint keeps one):
    /// it votes as the paper does; the responses it was fitted on are not
    /// kept, so the proportion vote is refused.
    label_readout(std::vector<int> assignment, std::size_t n_classes)
        : responses_({}, {}, std::max<std::size_t>(assignment.size(), 1), n_classes), assignment_(std::move(assignment)),
          weight_(assignment_.size(), 0.0), fitted_(false)
    {
        for (std::size_t j = 0; j < assignment_.size(); ++j)
            detail::require(assignment_[j] >= unassigned && assignment_[j] < int(n_classes), "label_readout: neuron {} has class {} of {}", j,
                            assignment_[j], n_classes);
    }

    const class_responses& responses() const { return responses_; }
    const std::vector<int>& assignment() const { return assignment_; }
    /// False for a readout made from a saved assignment.
    bool fitted() const { return fitted_; }

    int classify(std::span<const std::uint32_t> counts, vote rule = vote::mean) const
    {
        detail::require(fitted_ || rule != vote::proportion, "label_readout: the proportion vote needs the responses the labels were fitted on");
        const std::span<const double> weights = rule == vote::proportion ? std::span<const double>(weight_) : std::span<const double>{};
        return detail::best_class(counts, assignment_, responses_.n_classes(), weights, rule != vote::sum);
    }

private:
    class_responses responses_;
    std::vector<int> assignment_;
    std::vector<double> weight_;  // proportion of each neuron's response that goes to its own class
    bool fitted_ = true;
};

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
