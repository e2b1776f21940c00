// SPDX-License-Identifier: MIT
// The C++ side of tests/python/test_massey.py: a short piece of Massey et
// al.'s protocol composed as examples/sleep_regularisation composes it
// (their pass start, keyed showings with learning, a sleep phase, a frozen
// copy responding), written as .npy for the test to require the Python
// module's Massey to give the same counts and weights bit for bit.
//   massey_reference MNIST_DIR OUT_DIR
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <somnus/core/random.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/data/resize.hpp>
#include <somnus/encoding/poisson.hpp>
#include <somnus/io/npy.hpp>
#include <somnus/network/massey.hpp>
#include <somnus/sleep/recipes.hpp>

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fputs("usage: massey_reference MNIST_DIR OUT_DIR\n", stderr);
        return 2;
    }
    try {
        const std::filesystem::path out = argv[2];
        const auto mnist = somnus::load_mnist(argv[1], somnus::mnist_split::train, 8);
        somnus::massey_config cfg;
        cfg.seed = 3;
        auto net = somnus::make_massey(cfg);
        auto phase = somnus::recipes::massey_2026(net.excitatory_total(), net.inhibitory_total());
        const std::uint32_t steps = 200;
        std::vector<float> rates(cfg.n_input);
        somnus::poisson_encoder enc(cfg.n_input, cfg.dt_ms);
        std::vector<std::uint32_t> counts;
        const auto show = [&](somnus::massey_network<>& n, std::size_t image, std::uint64_t kind, std::uint64_t batch, std::uint64_t pos,
                              bool learn) {
            const auto small = somnus::resize_bilinear(mnist.image(image), 28, 28, 15, 15);
            somnus::massey_input_rates(cfg, small, rates);
            somnus::random_stream rng(cfg.seed, somnus::stream_purpose::input_spikes, kind, batch, pos);
            enc.begin(rates, steps, rng);
            const std::uint64_t key = (kind << 48) ^ (batch << 24) ^ pos;
            if (learn)
                n.train(enc, steps, key);
            else
                n.respond(enc, steps, key);
            for (const auto c : n.exc_population().counts) counts.push_back(c);
            for (const auto c : n.inh_population().counts) counts.push_back(c);
        };
        net.start_pass_as_their_code(-70.0f);
        std::vector<std::uint64_t> sleep_steps;
        for (std::size_t k = 0; k < 6; ++k) {
            show(net, k, 1, 0, k, true);
            if (k == 2 || k == 5) {
                net.clear_last_input();
                sleep_steps.push_back(net.sleep(phase, 60.0).steps);
            }
        }
        auto v = net.clone();
        v.start_pass_as_their_code(-70.0f);
        for (std::size_t k = 0; k < 2; ++k) show(v, 6 + k, 2, 0, k, false);
        somnus::write_npy(out / "counts.npy", xt::adapt(counts, {counts.size() / 250, std::size_t{250}}));
        somnus::write_npy(out / "sleep_steps.npy", xt::adapt(sleep_steps, {sleep_steps.size()}));
        const auto w = net.exc_to_exc().weights();
        somnus::write_npy(out / "exc_exc_weights.npy", xt::adapt(std::vector<float>(w.begin(), w.end()), {w.size()}));
        const std::vector<double> totals{net.excitatory_total(), net.inhibitory_total()};
        somnus::write_npy(out / "totals.npy", xt::adapt(totals, {std::size_t{2}}));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "massey_reference: %s\n", e.what());
        return 1;
    }
    return 0;
}
