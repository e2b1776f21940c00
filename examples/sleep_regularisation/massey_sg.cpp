// SPDX-License-Identifier: MIT
// massey_sg: one run of Massey et al. 2026's surrogate-gradient control with
// their sleep cycle (massey_sg.hpp): MNIST or Fashion-MNIST resized to 15x15
// as torchvision does, 10 epochs, the final test accuracy in a JSON file.
//   massey_sg --dataset mnist --data data/mnist --p 0.1 --seed 0 --json run.json
#include <cstdlib>
#include <string>

#include <somnus/data/mnist.hpp>
#include <somnus/data/resize.hpp>

#include "example.hpp"
#include "massey_sg.hpp"

namespace ex = somnus::example;
namespace mx = somnus::example::massey;

int main(int argc, char** argv)
{
    mx::massey_sg_options o;
    std::string data, json;
    unsigned threads = 1;
    bool quick = false;
    CLI::App app{"One run of Massey et al. 2026's surrogate-gradient control (their snntorch/main.py at de54a77)", "massey_sg"};
    app.add_option("--dataset", o.dataset, "mnist or fashion")->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
    app.add_option("--data", data,
                   "folder of the IDX files (default: $SOMNUS_MNIST_DIR or data/mnist for mnist, "
                   "/usr/share/datasets/fashion-mnist for fashion)");
    app.add_option("--p", o.sleep_fraction, "sleep fraction p: a sleep cycle every int(1/p) minibatches (0: none)")
        ->check(ex::number_in(0.0, 1.0))
        ->capture_default_str();
    app.add_option("--seed", o.seed, "initial weights, epoch order and sleep noise")->check(ex::integer_in(0))->capture_default_str();
    app.add_option("--subset-seed", o.subset_seed, "the class-balanced subsets (theirs: 42 for every run)")
        ->check(ex::integer_in(0))
        ->capture_default_str();
    app.add_option("--epochs", o.epochs, "epochs")->check(ex::integer_in(1, 1000))->capture_default_str();
    app.add_option("--train-per-class", o.train_per_class, "training images per class")->check(ex::integer_in(1, 6000))->capture_default_str();
    app.add_option("--test-per-class", o.test_per_class, "test images per class")->check(ex::integer_in(1, 1000))->capture_default_str();
    app.add_option("--batch", o.batch, "minibatch size")->check(ex::integer_in(1, 60000))->capture_default_str();
    app.add_option("--threads", threads, "threads (the results do not depend on it)")->check(ex::integer_in(1, 256))->capture_default_str();
    app.add_flag("--quick", quick, "60 training and 20 test images per class, batch 32, 3 epochs");
    app.add_option("--json", json, "write the result here");
    if (const auto status = ex::parse(app, argc, argv)) return *status;
    return ex::guarded("massey_sg", [&] {
        if (quick) o = mx::massey_sg_quick(o);
        mx::validate(o);
        ex::require_output_file(json, "--json");
        if (data.empty()) {
            const char* env = std::getenv("SOMNUS_MNIST_DIR");
            data = o.dataset == "fashion" ? "/usr/share/datasets/fashion-mnist" : env ? env : "data/mnist";
        }
        const auto t0 = ex::clock::now();
        const auto train = somnus::resize_dataset(somnus::load_mnist(data, somnus::mnist_split::train, SIZE_MAX, somnus::image_geometry{28, 28}),
                                                  15, 15, threads);
        const auto test = somnus::resize_dataset(somnus::load_mnist(data, somnus::mnist_split::test, SIZE_MAX, somnus::image_geometry{28, 28}),
                                                 15, 15, threads);
        fmt::print(stderr, "massey_sg: {} read and resized to 15x15 in {:.1f} s\n", data, ex::seconds_since(t0));
        const auto r = mx::run_massey_sg(o, train, test, threads);
        for (std::size_t e = 0; e < r.test_accuracy.size(); ++e)
            fmt::print(stderr, "epoch {}: train loss {:.3f}, test loss {:.3f}, test accuracy {:.2f} %\n", e + 1, r.train_loss[e], r.test_loss[e],
                       100.0 * r.test_accuracy[e]);
        fmt::print(stderr, "massey_sg: {} p = {} seed {}: test accuracy {:.2f} % ({} sleep cycles), {:.2f} s ({:.2f} s asleep)\n", o.dataset,
                   o.sleep_fraction, o.seed, 100.0 * r.final_test_accuracy, r.sleep_cycles, r.seconds, r.sleep_seconds);
        if (!json.empty()) {
            nlohmann::json j = r;
            j["wall_seconds"] = ex::seconds_since(t0);
            j["data"] = data;
            ex::write_json(json, j);
        }
        return 0;
    });
}
