// SPDX-License-Identifier: MIT
// Tutorial 3: a spiking network trained by gradient descent. MNIST digits become
// event-camera recordings as N-MNIST's were made (Orchard et al. 2015: three
// saccades over the image, an event wherever the brightness changes); one member
// of Gupta 2024's ensemble (snnTorch tutorial 7's network) learns from their 1 ms
// frames by backpropagation through time, a surrogate gradient standing in for spikes'.
//   tutorial_03_sg_member [MNIST_DIR=data/mnist] [TRAIN=6000] [TEST=1000] [EPOCHS=1] [MODEL=sg_member.ckpt]
#include <thread>

#include <fmt/core.h>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/model_file.hpp>
#include <somnus/sg/train.hpp>
#include <somnus/somnus.hpp>

namespace sg = somnus::sg;

int main(int argc, char** argv)
try {
    const std::string data = argc > 1 ? argv[1] : "data/mnist", model_file = argc > 5 ? argv[5] : "sg_member.ckpt";
    const auto train = somnus::load_mnist(data, somnus::mnist_split::train, argc > 2 ? std::stoul(argv[2]) : 6000);
    const auto test = somnus::load_mnist(data, somnus::mnist_split::test, argc > 3 ? std::stoul(argv[3]) : 1000);
    const std::size_t epochs = argc > 4 ? std::stoul(argv[4]) : 1, batch = 128;

    const somnus::saccade_synthesizer sensor(somnus::saccade_params{}, /*seed*/ 0);  // a 34x34 event camera
    auto net = sg::make_gupta_member();  // 2x34x34 -> conv, pool, LIF, conv, pool, LIF -> 10 LIF neurons
    std::vector<float> params(net.parameter_count());
    net.init(params, /*seed*/ 0);  // as PyTorch initialises its layers
    sg::adam opt(params.size());   // learning rate 2e-2, as the paper's
    sg::trainer trainer(net, std::max(1u, std::thread::hardware_concurrency()));  // any thread count, same bits

    // Recordings made batch by batch: each image's events, denoised and cut
    // into 1 ms frames as tonic does for N-MNIST, each frame its non-zero
    // counts. Learning: one Adam step per batch on the loss of the output
    // spike counts (target: 80% of the steps for the right class, 20% else).
    const auto run = [&](const somnus::image_dataset& images, std::uint64_t set, bool learn) {
        std::size_t correct = 0;
        for (std::size_t b = 0; b < images.size(); b += batch) {
            std::vector<somnus::sparse_frames> frames;
            frames.reserve(batch);  // the views below point into it
            std::vector<sg::frame_sample> views;
            for (std::size_t k = b; k < std::min(b + batch, images.size()); ++k) {
                const auto events = sensor.synthesize(images.image(k), 28, 28, set << 32 | k);  // the key seeds its noise
                const auto kept = somnus::tonic_denoise(events, {34, 34}, 10000);  // those with a neighbour in the last 10 ms
                const auto f = somnus::tonic_to_sparse_frames(kept, {34, 34}, somnus::nmnist_frame_window_us);
                auto& r = frames.emplace_back(f);  // the network reads channels last:
                sg::channels_last(f.offsets, f.index, f.value, {f.channels, f.height, f.width}, r.index, r.value);
                views.push_back({r.offsets, r.index, r.value, images.labels[k]});
            }
            const auto s = learn ? trainer.train_step(params, opt, views) : trainer.evaluate(params, views);
            correct += s.correct;
            if (learn) fmt::print(stderr, "batch {}: loss {:.2f}, {} of {} right\n", b / batch + 1, s.loss, s.correct, s.samples);
        }
        return 100.0 * double(correct) / double(std::max<std::size_t>(images.size(), 1));
    };
    for (std::size_t e = 0; e < epochs; ++e) run(train, 0, true);
    const double accuracy = run(test, 1, false);  // the class read out: the most active output neuron

    // Saved with the model's configuration and a checksum; sg::load gives the
    // parameters back bit for bit (and refuses a model of another shape).
    sg::save(model_file, net, params);
    fmt::print("{} training images x {} epoch(s): test accuracy {:.2f}% on {} images; saved {} (reloaded: {})\n", train.size(), epochs,
               accuracy, test.size(), model_file, sg::load(model_file, net) == params ? "identical" : "DIFFERENT");
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "tutorial_03_sg_member: {}\n(usage: tutorial_03_sg_member [MNIST_DIR] [TRAIN] [TEST] [EPOCHS] [MODEL])\n", e.what());
    return 1;
}
