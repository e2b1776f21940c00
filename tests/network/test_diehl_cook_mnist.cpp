// SPDX-License-Identifier: MIT
// The Diehl & Cook network on real MNIST (skipped, with a message, when
// SOMNUS_MNIST_DIR does not hold the data; scripts/test always fetches it).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include <somnus/data/mnist.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/network/evaluate.hpp>
#include <somnus/readout/assignment.hpp>

using namespace somnus;

namespace {

std::filesystem::path mnist_dir()
{
    const char* d = std::getenv("SOMNUS_MNIST_DIR");
    if (d == nullptr || !std::filesystem::exists(std::filesystem::path(d) / "train-labels-idx1-ubyte")) return {};
    return d;
}

competitive_config tiny(std::size_t n_exc)
{
    competitive_config c;
    c.n_exc = n_exc;
    c.seed = 3;
    return c;
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("25 neurons trained on 1 000 MNIST images classify well above chance, deterministically")
{
    const auto dir = mnist_dir();
    if (dir.empty()) {
        MESSAGE("SOMNUS_MNIST_DIR not set or empty: skipped");
        return;
    }
    const auto train = load_mnist(dir, mnist_split::train, 1000);
    const auto test = load_mnist(dir, mnist_split::test, 1000);
    double accuracy[2];
    for (int run = 0; run < 2; ++run) {
        auto net = make_diehl_cook(tiny(25));
        for (std::size_t k = 0; k < train.size(); ++k) net.train(train.image(k));
        const auto labels = assign_labels(evaluate_counts(net, train.pixels, 0, train.size(), image_set::train, 2), train.labels, 25);
        const auto counts = evaluate_counts(net, test.pixels, 0, test.size(), image_set::test, 2);
        confusion_matrix cm;
        for (std::size_t k = 0; k < test.size(); ++k) cm.add(test.labels[k], classify(std::span(counts).subspan(k * 25, 25), labels));
        accuracy[run] = cm.accuracy();
    }
    MESSAGE("accuracy of 25 neurons after 1 000 images: ", accuracy[0]);
    CHECK(accuracy[0] > 0.45);  // chance is 0.10
    CHECK(accuracy[0] == accuracy[1]);
}

TEST_CASE("2 000 MNIST images, save, load, 2 000 more: the same network as 4 000 in one run")
{
    const auto dir = mnist_dir();
    if (dir.empty()) {
        MESSAGE("SOMNUS_MNIST_DIR not set or empty: skipped");
        return;
    }
    const auto train = load_mnist(dir, mnist_split::train, 4000);
    auto one_run = make_diehl_cook(tiny(25));
    for (std::size_t k = 0; k < 4000; ++k) one_run.train(train.image(k));

    const auto path = std::filesystem::temp_directory_path() / "somnus_tests_mnist_resume.ckpt";
    {
        auto first = make_diehl_cook(tiny(25));
        for (std::size_t k = 0; k < 2000; ++k) first.train(train.image(k));
        first.save(path);
    }
    auto resumed = make_diehl_cook(tiny(25));
    resumed.load(path);
    for (std::size_t k = 2000; k < 4000; ++k) resumed.train(train.image(k));
    CHECK(resumed.images_seen() == 4000);
    CHECK(resumed.weights() == one_run.weights());
    CHECK(resumed.exc_state().theta == one_run.exc_state().theta);
    std::filesystem::remove(path);
}

}
