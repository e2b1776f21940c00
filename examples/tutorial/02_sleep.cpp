// SPDX-License-Identifier: MIT
// Tutorial 2: sleep. Load the network tutorial 1 trained and test it with
// the labels saved in it; then let it sleep (an offline phase with no data:
// Tadros, Krishnan & Bazhenov 2019's recipe, as this library sets it for 400
// neurons after 1000 images), label it again and test it again.
//
//   tutorial_02_sleep [CHECKPOINT]      [MNIST_DIR] [NEURONS] [LABEL] [TEST]
//   defaults:          diehl_cook.ckpt  data/mnist  400       1000    10000
#include <algorithm>
#include <exception>
#include <span>
#include <string>
#include <thread>

#include <fmt/core.h>

#include <somnus/somnus.hpp>

int main(int argc, char** argv)
try {
    const std::string checkpoint = argc > 1 ? argv[1] : "diehl_cook.ckpt";
    const std::string data = argc > 2 ? argv[2] : "data/mnist";
    const std::size_t neurons = argc > 3 ? std::stoul(argv[3]) : 400;
    const std::size_t n_label = argc > 4 ? std::stoul(argv[4]) : 1000;
    const std::size_t n_test = argc > 5 ? std::stoul(argv[5]) : 10000;
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());

    // A network of the same shape as the saved one (load refuses any other,
    // naming what differs), then its saved state and labels.
    somnus::competitive_config cfg;
    cfg.n_exc = neurons;
    auto net = somnus::make_diehl_cook(cfg);
    const somnus::load_report saved = net.load(checkpoint);
    if (saved.assignment.empty()) throw somnus::data_error(checkpoint + ": no labels saved with the network");

    const auto train = somnus::load_mnist(data, somnus::mnist_split::train, n_label);
    const auto test = somnus::load_mnist(data, somnus::mnist_split::test, n_test);
    const auto accuracy = [&](const somnus::label_readout& readout) {
        const auto counts = somnus::evaluate_counts(net, test.pixels, 0, test.size(), somnus::image_set::test, threads);
        somnus::confusion_matrix cm;
        for (std::size_t k = 0; k < test.size(); ++k)
            cm.add(test.labels[k], readout.classify(std::span(counts).subspan(k * neurons, neurons)));
        return 100.0 * cm.accuracy();
    };
    // No relabelling: the saved labels predict straight away.
    const double before = accuracy(somnus::label_readout(saved.assignment, saved.classes));

    // Sleep: for 2 s the input is Poisson noise shaped like the mean training
    // image (the checkpoint keeps it), inhibition is off, the membranes leak
    // faster and the thresholds adapt (recipes.hpp says where each value
    // comes from). net.sleep restores gains and leak when the phase ends. A
    // network trained longer has higher thresholds and barely fires in it.
    const somnus::recipes::tadros_2019_params p;
    auto phase = somnus::recipes::tadros_2019(p);
    const somnus::sleep_report slept = net.sleep(phase, p.duration_ms);
    fmt::print(stderr, "slept {} steps: {} input and {} excitatory spikes\n", slept.steps, slept.input_spikes, slept.excitatory_spikes);

    // Sleep moved the thresholds, so which neuron answers which digit may
    // have changed: label again, on the images tutorial 1 labelled with
    // (with LABEL = its TRAIN, the labels before sleep are these images').
    const auto counts = somnus::evaluate_counts(net, train.pixels, 0, train.size(), somnus::image_set::train, threads);
    const double after = accuracy(somnus::label_readout(counts, train.labels, neurons));
    fmt::print("test accuracy before sleep {:.2f}%, after sleep {:.2f}% ({} test images)\n", before, after, test.size());
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "tutorial_02_sleep: {}\n(usage: tutorial_02_sleep [CHECKPOINT] [MNIST_DIR] [NEURONS] [LABEL] [TEST])\n", e.what());
    return 1;
}
