// SPDX-License-Identifier: MIT
// What one unit of the surrogate-gradient control of --protocol ours
// (sg_control.hpp) measures, and its JSON (nlohmann's macros; the names are
// the JSON's keys), for gathering units across processes and for the
// program's output. Doubles round-trip exactly (nlohmann writes the
// shortest exact form). An empty std::optional is written as null.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <somnus/sg/sleep.hpp>

#include "json_optional.hpp"

namespace somnus::sg {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sleep_report, steps, input_spikes, hidden_spikes, output_spikes, decays, decayed_ms)
} // namespace somnus::sg

namespace somnus::example {

/// One layer's weights (biases excluded).
struct sg_layer_weights {
    std::size_t layer = 0;         ///< index in the sequential model
    std::size_t count = 0;
    double mean_abs = 0.0, max_abs = 0.0;
    double entropy_bits = 0.0;     ///< plug-in, 64 bins over [-range, range)
    double range = 0.0;            ///< 4 / sqrt(fan_in)
};

struct sg_weight_stats {
    std::vector<sg_layer_weights> layers;
    double mean_abs = 0.0, max_abs = 0.0;  ///< over every layer's weights
};

struct sg_epoch {
    std::size_t epoch = 0;          ///< 1-based, counted across both phases of a forgetting run
    std::size_t phase = 1;          ///< forgetting runs: 1 (classes 0-4) or 2 (5-9)
    double wake_ms = 0.0, sleep_ms = 0.0;
    double train_loss = 0.0;        ///< mean over the epoch's batches
    double train_accuracy = 0.0;    ///< over the epoch's samples, as the batches went
    sg::sleep_report sleep;
    sg_weight_stats weights;
    /// The test measures below were taken (always in main runs; in forgetting
    /// runs at the end of each phase, or every epoch with forgetting_epoch_tests).
    bool tested = false;
    double accuracy = 0.0, accuracy_0_4 = 0.0, accuracy_5_9 = 0.0;  ///< on the test recordings, after sleep
    std::optional<double> accuracy_before_sleep;                     ///< with test_before_sleep
    std::optional<double> output_correlation;  ///< mean over the defined pairs; none if no pair is
    std::size_t correlation_pairs = 0;         ///< pairs (of 45) with both neurons non-constant
    std::size_t distinct_predicted = 0;        ///< classes predicted over the test set
    std::vector<int> mapping;                  ///< shuffled label -> class (-1: label absent)
    std::size_t distinct_mapped = 0;           ///< distinct classes in the mapping
    double train_seconds = 0.0, sleep_seconds = 0.0, test_seconds = 0.0;
};

struct sg_forgetting {
    double old_after_one = 0.0;   ///< accuracy on test classes 0-4 after phase one
    double old_after_two = 0.0;   ///< ... after phase two
    double new_after_two = 0.0;   ///< on test classes 5-9 after phase two
    double forgetting = 0.0;      ///< old_after_one - old_after_two
};

struct sg_run {
    std::size_t unit = 0;
    bool forgetting_run = false;
    std::size_t fraction_index = 0, seed_index = 0;
    double fraction = 0.0;
    std::size_t train_samples = 0;        ///< main: the part; forgetting: phase one + phase two
    sg_weight_stats initial_weights;
    std::vector<sg_epoch> epochs;
    std::vector<int> mapping;             ///< the last epoch's
    std::vector<std::uint8_t> predictions;  ///< the last epoch's, per test recording
    std::optional<sg_forgetting> forgetting;
    double seconds = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_layer_weights, layer, count, mean_abs, max_abs, entropy_bits, range)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_weight_stats, layers, mean_abs, max_abs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_epoch, epoch, phase, wake_ms, sleep_ms, train_loss, train_accuracy, sleep, weights, tested,
                                   accuracy, accuracy_0_4, accuracy_5_9, accuracy_before_sleep, output_correlation,
                                   correlation_pairs, distinct_predicted, mapping, distinct_mapped, train_seconds, sleep_seconds,
                                   test_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_forgetting, old_after_one, old_after_two, new_after_two, forgetting)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sg_run, unit, forgetting_run, fraction_index, seed_index, fraction, train_samples,
                                   initial_weights, epochs, mapping, predictions, forgetting, seconds)

} // namespace somnus::example
