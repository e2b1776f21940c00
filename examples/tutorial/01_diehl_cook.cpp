// SPDX-License-Identifier: MIT
// Tutorial 1: Diehl & Cook 2015 on one page. A network of spiking neurons
// learns MNIST digits with STDP and no labels; afterwards each neuron is
// labelled with the digit it answers most, the network is tested, and it is
// saved with those labels, ready to predict. The defaults train briefly, as
// tutorial 2's sleep wants; more images learn more (100 neurons, 5000: 74%).
//   tutorial_01_diehl_cook [MNIST_DIR] [NEURONS] [TRAIN] [TEST] [CHECKPOINT]
//   defaults:               data/mnist 400       1000    10000  diehl_cook.ckpt
#include <algorithm>
#include <exception>
#include <span>
#include <string>
#include <thread>

#include <fmt/core.h>

#include <somnus/somnus.hpp>

int main(int argc, char** argv)
try {
    const std::string data = argc > 1 ? argv[1] : "data/mnist";
    const std::size_t neurons = argc > 2 ? std::stoul(argv[2]) : 400;
    const std::size_t n_train = argc > 3 ? std::stoul(argv[3]) : 1000;
    const std::size_t n_test = argc > 4 ? std::stoul(argv[4]) : 10000;
    const std::string checkpoint = argc > 5 ? argv[5] : "diehl_cook.ckpt";
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());

    // The paper's network: 784 Poisson inputs -> excitatory neurons, each
    // with an inhibitory partner that silences all the others (winner takes
    // all). Every parameter not set here is the paper's.
    somnus::competitive_config cfg;
    cfg.n_exc = neurons;
    cfg.seed = 0;  // same seed, same network, same numbers
    auto net = somnus::make_diehl_cook(cfg);

    const auto train = somnus::load_mnist(data, somnus::mnist_split::train, n_train);
    const auto test = somnus::load_mnist(data, somnus::mnist_split::test, n_test);

    // Learning: each image is shown as 350 ms of Poisson spikes (rate
    // proportional to the pixel) then 150 ms of rest. STDP strengthens the
    // inputs that fired just before a neuron did; its threshold rises each
    // time it fires, so that every neuron gets a share of the digits.
    for (std::size_t k = 0; k < train.size(); ++k) {
        net.train(train.image(k));
        if ((k + 1) % 1000 == 0 || k + 1 == train.size()) fmt::print(stderr, "trained on {} images\n", k + 1);
    }

    // Labelling: learning off, the training images again. Each neuron is
    // given the class it fired most for. (evaluate_counts starts every image
    // from rest with its own random stream: any thread count, same counts.)
    const auto counts = somnus::evaluate_counts(net, train.pixels, 0, train.size(), somnus::image_set::train, threads);
    const somnus::label_readout readout(counts, train.labels, neurons);

    // Test: an image's class is the one whose neurons fired most on average.
    const auto test_counts = somnus::evaluate_counts(net, test.pixels, 0, test.size(), somnus::image_set::test, threads);
    somnus::confusion_matrix cm;
    for (std::size_t k = 0; k < test.size(); ++k)
        cm.add(test.labels[k], readout.classify(std::span(test_counts).subspan(k * neurons, neurons)));

    // The checkpoint holds everything needed to continue or to predict:
    // weights, thresholds, every neuron's state, and the labels.
    net.save(checkpoint, readout.assignment(), 10);
    fmt::print("{} neurons, {} training images: test accuracy {:.2f}% on {} images; saved {}\n", neurons, train.size(),
               100.0 * cm.accuracy(), test.size(), checkpoint);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "tutorial_01_diehl_cook: {}\n(usage: tutorial_01_diehl_cook [MNIST_DIR] [NEURONS] [TRAIN] [TEST] [CHECKPOINT])\n",
               e.what());
    return 1;
}
