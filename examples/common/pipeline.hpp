// SPDX-License-Identifier: MIT
// The pipeline the image-classification examples share (diehl_cook,
// information, sleep): their common flags; one dataset's training and test
// images, loaded and checked before any work; the training loop with its
// progress lines and hooks (a monitor, a reset, a sleep schedule); labelling
// on training images and testing with Diehl & Cook's readout; and the JSON
// fields every such example writes. A program builds its own network and
// measures what is its own; any network with train(image), images_seen(),
// n_readout(), counts() and what somnus::evaluate_counts asks for will do.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include <somnus/core/simd.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/network/evaluate.hpp>
#include <somnus/readout/assignment.hpp>

#include "example.hpp"

namespace somnus::example {

/// MNIST and Fashion-MNIST images, the networks' input.
inline constexpr std::size_t image_rows = 28, image_cols = 28;

/// The flags every pipeline example has. A program derives its options from
/// this struct and may change a default before registering the flags.
struct pipeline_options {
    std::size_t neurons = 100;
    // Image counts: a count given must be in the file; none given means all
    // the file holds (train, test) or the training images used, at least
    // 1000 (label).
    std::optional<std::size_t> train;
    std::size_t epochs = 1;
    std::optional<std::size_t> test;
    std::optional<std::size_t> label;
    std::string dataset = "mnist";
    std::string data;
    std::uint64_t seed = 0;
    unsigned threads = 2;
    std::string json;
};

/// What the help of those flags says differently from program to program.
struct pipeline_help {
    std::uint64_t max_neurons = 100000;
    std::vector<std::string> datasets{"mnist", "fashion"};  ///< --dataset's choices
    std::string files = "the file";                           ///< whose first images --train and --test take
    std::string data = "folder with the IDX files (default: data/mnist, or /usr/share/datasets/fashion-mnist)";
    std::string threads = "threads for labelling and testing (results do not depend on it)";
};

/// What is trained and on what: --neurons, --train, --epochs, --test,
/// --label, --dataset, --data.
inline void add_experiment_options(CLI::App& app, pipeline_options& o, const pipeline_help& help = {})
{
    app.add_option("--neurons", o.neurons, "excitatory (and inhibitory) neurons")->check(integer_in(1, help.max_neurons))->capture_default_str();
    app.add_option("--train", o.train,
                   fmt::format("training images per pass, the first of {} (default: all it holds, 60000 for MNIST; more than it "
                               "holds is an error)",
                               help.files))
        ->check(integer_at_least<std::size_t>(0));
    app.add_option("--epochs", o.epochs, "passes over the training images")->check(integer_in(0, 100000))->capture_default_str();
    app.add_option("--test", o.test,
                   fmt::format("test images, the first of {} (default: all it holds, 10000 for MNIST; more is an error; 0: no test)",
                               help.files))
        ->check(integer_at_least<std::size_t>(0));
    app.add_option("--label", o.label,
                   "training images used to label the neurons (default: those trained on, at least 1000 or all the file holds; "
                   "more than the file holds is an error)")
        ->check(integer_at_least<std::size_t>(1));
    add_dataset_options(app, o.dataset, o.data, help.datasets, help.data);
}

/// How it runs and where the results go: --seed, --threads, --json. (A
/// program registers its other outputs after these.)
inline void add_run_options(CLI::App& app, pipeline_options& o, const pipeline_help& help = {})
{
    app.add_option("--seed", o.seed, "random seed")->check(integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, help.threads)->check(integer_in(1, 1024))->capture_default_str();
    app.add_option("--json", o.json, "write the results as one JSON object to this file");
}

/// One dataset's images, checked against the network's input and the
/// counts asked for.
struct image_sets {
    std::string name, dir;  ///< the dataset ("mnist", "fashion") and the folder read
    somnus::image_dataset train, test;
    std::size_t train_n = 0;  ///< training images per pass
    std::size_t label_n = 0;  ///< training images that label the neurons
    // Every loaded test image is tested: test.size().
};

/// Loads the training and test images of `dir` for o's counts, before any
/// work: images other than 28x28 are refused (naming the file)
/// before their pixels are read, and a count beyond what the file holds is
/// refused naming the flag, the file and both numbers (images_to_use).
/// Without --label, the labelling images are those trained on, at least
/// 1000, at most all the file holds.
inline image_sets load_sets(const std::string& name, const std::string& dir, const pipeline_options& o)
{
    constexpr std::size_t all = std::numeric_limits<std::size_t>::max();
    const somnus::image_geometry geometry{image_rows, image_cols};
    image_sets s{name, dir, {}, {}, 0, 0};
    const std::size_t train_limit = o.train.value_or(all);
    const std::size_t label_limit = o.label ? *o.label : std::max<std::size_t>(train_limit, 1000);
    s.train = somnus::load_mnist(dir, somnus::mnist_split::train, std::max(train_limit, label_limit), geometry);
    s.train_n = images_to_use(s.train, o.train, "--train");
    s.label_n = o.label ? images_to_use(s.train, o.label, "--label")
                        : std::min(std::max<std::size_t>(s.train_n, 1000), images_to_use(s.train, std::nullopt, "--label"));
    s.test = somnus::load_mnist(dir, somnus::mnist_split::test, o.test.value_or(all), geometry);
    images_to_use(s.test, o.test, "--test");
    return s;
}

/// The line that opens a run on stderr: the sets, the network's size, the
/// SIMD architecture.
inline void print_sets(const image_sets& s, std::size_t neurons)
{
    fmt::print(stderr, "{}: {} training and {} test images from {}; {} excitatory neurons; SIMD {}\n", s.name, s.train.size(),
               s.test.size(), s.dir, neurons, somnus::simd::arch_name());
}

namespace detail {

/// "train", or "mnist train" for a run named "mnist": the progress lines'
/// label.
inline std::string step_name(const std::string& run, const char* step) { return run.empty() ? step : run + " " + step; }

} // namespace detail

/// Where a program hooks into the training loop; each hook is optional and
/// they are called in this order. (The "= {}" lets a designated initializer
/// name only some of them without -Wmissing-field-initializers.)
struct training_hooks {
    /// Before each image (information: the state back to rest).
    std::function<void()> before_image = {};
    /// After each image, with its index in the training set; net.counts()
    /// reads the image's response (diehl_cook: the online monitor).
    std::function<void(std::size_t index)> after_image = {};
    /// After each image, with net.images_seen() (which counts the images of
    /// a loaded checkpoint, as sleep schedules do): where a protocol sleeps,
    ///   [&](std::uint64_t seen) {
    ///       if (const double ms = schedule.sleep_after(seen); ms > 0) net.sleep(mechanism, ms);
    ///   }
    /// (its time counts as training time).
    std::function<void(std::uint64_t images_seen)> sleep = {};
    /// Appended to each progress line (diehl_cook: the online accuracy).
    std::function<std::string()> progress_note = {};
};

/// What training did.
struct training {
    std::size_t images = 0;           ///< images shown: per pass x passes
    std::uint64_t presentations = 0;  ///< showings, counting each showing again of a quiet image
    double seconds = 0.0;
    double images_per_second() const { return seconds > 0 ? double(images) / seconds : 0.0; }
};

/// Trains net (plasticity on) on the first n images of set, `epochs` times
/// over, in order, with progress lines "<run> train ..." on stderr (run:
/// a name such as the dataset's when a program trains several networks).
template <class Network>
training train_network(Network& net, const somnus::image_dataset& set, std::size_t n, std::size_t epochs,
                       const training_hooks& hooks = {}, const std::string& run = "")
{
    training t;
    t.images = n * epochs;
    progress bar(detail::step_name(run, "train"), t.images);
    for (std::size_t e = 0; e < epochs; ++e) {
        for (std::size_t k = 0; k < n; ++k) {
            if (hooks.before_image) hooks.before_image();
            const auto p = net.train(set.image(k));
            t.presentations += 1 + p.repeats;
            if (hooks.after_image) hooks.after_image(k);
            if (hooks.sleep) hooks.sleep(net.images_seen());
            const std::size_t done = e * n + k + 1;
            bar.update(done, hooks.progress_note ? hooks.progress_note() : std::string(), done == t.images);
        }
    }
    t.seconds = bar.elapsed();
    return t;
}

/// A frozen network's labels and test results (Diehl & Cook's readout).
struct evaluation {
    somnus::label_readout readout;            ///< labels fitted on the labelling images' responses
    std::vector<std::uint32_t> label_counts;  ///< [image][neuron] spike counts, labelling images
    std::vector<std::uint32_t> test_counts;   ///< [image][neuron] spike counts, test images
    somnus::confusion_matrix confusion;       ///< test images: true class x class read out (the paper's mean vote)
    double label_seconds = 0.0, test_seconds = 0.0;

    std::size_t neurons() const { return readout.assignment().size(); }
    /// The spike counts of test image k.
    std::span<const std::uint32_t> test_response(std::size_t k) const
    {
        return std::span(test_counts).subspan(k * neurons(), neurons());
    }
};

/// Tests net with a readout it already has (one saved with its checkpoint:
/// no relabelling), as label_and_test does after labelling.
template <class Network>
evaluation test_with_readout(const Network& net, somnus::label_readout readout, const somnus::image_dataset& test, unsigned threads,
                             const std::string& run = "")
{
    const std::size_t n = net.n_readout();
    somnus::detail::require(readout.assignment().size() == n, "a readout of {} neurons for a network of {}", readout.assignment().size(), n);
    progress test_progress(detail::step_name(run, "test"), test.size());
    auto test_counts = somnus::evaluate_counts(net, test.pixels, 0, test.size(), somnus::image_set::test, threads,
                                               [&](std::size_t d) { test_progress.update(d, {}, d == test.size()); });
    somnus::confusion_matrix cm(10);
    for (std::size_t k = 0; k < test.size(); ++k) cm.add(test.labels[k], readout.classify(std::span(test_counts).subspan(k * n, n)));
    const double test_seconds = test_progress.elapsed();
    fmt::print(stderr, "{}test accuracy {:.2f}% ({} of {})\n", run.empty() ? "" : run + ": ", 100.0 * cm.accuracy(), cm.correct(),
               cm.total());
    return {std::move(readout), {}, std::move(test_counts), cm, 0.0, test_seconds};
}

/// Labels net's neurons on the first label_n images of train, then tests it
/// on every image of test, each image from rest on `threads` threads (the
/// results do not depend on their number); progress lines "<run> label ...",
/// "<run> test ...", then "<run>: test accuracy ..." on stderr. net is not
/// changed, so the same network can be evaluated again (before and after
/// sleep, say).
template <class Network>
evaluation label_and_test(const Network& net, const somnus::image_dataset& train, std::size_t label_n, const somnus::image_dataset& test,
                          unsigned threads, const std::string& run = "")
{
    const std::size_t n = net.n_readout();
    progress label_progress(detail::step_name(run, "label"), label_n);
    auto label_counts = somnus::evaluate_counts(net, train.pixels, 0, label_n, somnus::image_set::train, threads,
                                                [&](std::size_t d) { label_progress.update(d, {}, d == label_n); });
    somnus::label_readout readout(label_counts, std::span(train.labels).first(label_n), n);
    const double label_seconds = label_progress.elapsed();
    auto e = test_with_readout(net, std::move(readout), test, threads, run);
    e.label_counts = std::move(label_counts);
    e.label_seconds = label_seconds;
    return e;
}

/// The fields every pipeline example's JSON opens with: experiment, seed,
/// wall_seconds, neurons, epochs, threads, simd_arch.
inline nlohmann::json common_json(const std::string& experiment, const pipeline_options& o, double wall_seconds)
{
    nlohmann::json j;
    j["experiment"] = experiment;
    j["seed"] = o.seed;
    j["wall_seconds"] = wall_seconds;
    j["neurons"] = o.neurons;
    j["epochs"] = o.epochs;
    j["threads"] = o.threads;
    j["simd_arch"] = somnus::simd::arch_name();
    return j;
}

/// The results of one trained and tested network, added to j: accuracy,
/// test_images, train_images (per pass), label_images, train_seconds,
/// test_seconds.
inline void add_results_json(nlohmann::json& j, const image_sets& s, const training& t, const evaluation& e)
{
    j["accuracy"] = e.confusion.accuracy();
    j["test_images"] = e.confusion.total();
    j["train_images"] = s.train_n;
    j["label_images"] = s.label_n;
    j["train_seconds"] = t.seconds;
    j["test_seconds"] = e.test_seconds;
}

/// A confusion matrix as rows of counts: [true class][class read out].
inline std::vector<std::vector<std::uint64_t>> confusion_json(const somnus::confusion_matrix& cm)
{
    std::vector<std::vector<std::uint64_t>> rows(cm.n_classes(), std::vector<std::uint64_t>(cm.n_classes()));
    for (std::size_t t = 0; t < cm.n_classes(); ++t)
        for (std::size_t p = 0; p < cm.n_classes(); ++p) rows[t][p] = cm.at(t, p);
    return rows;
}

/// The same as an array (true x predicted), for the .npy beside the JSON.
inline xt::xtensor<std::uint64_t, 2> confusion_array(const somnus::confusion_matrix& cm)
{
    xt::xtensor<std::uint64_t, 2> a({cm.n_classes(), cm.n_classes()});
    for (std::size_t t = 0; t < cm.n_classes(); ++t)
        for (std::size_t p = 0; p < cm.n_classes(); ++p) a(t, p) = cm.at(t, p);
    return a;
}

} // namespace somnus::example
