// SPDX-License-Identifier: MIT
// Training throughput of the surrogate-gradient engine on the Gupta member
// network (DESIGN.md section 8): samples per second of full training steps
// (forward over T steps, backward through time, Adam) at a given input
// density, T, batch and thread count, on synthetic event frames whose
// classes a network can learn (each class lights its own patch more often).
// --write-data saves the samples in the frame-file format
// (sg/batch_file.hpp) that benchmarks/peers/sg_member.py reads, so a peer
// trains on the same data; --data reads such a file instead.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <somnus/data/nmnist.hpp>
#include <somnus/data/tonic.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/train.hpp>

#include "example.hpp"

namespace ex = somnus::example;
namespace sg = somnus::sg;

namespace {

struct options {
    double density = 0.006;  // N-MNIST frames: about 0.6 % non-zero
    std::size_t steps_t = 300, batch = 128, train_steps = 4, warmup = 1;
    unsigned threads = 2;
    std::uint64_t seed = 0;
    std::string data, nmnist, write_data, json;
};

/// (warmup + train_steps) * batch samples of steps_t frames: each pixel has
/// an event with probability 2 density (x6 inside the sample's class patch,
/// a 10x10 square placed by class, x0.5 outside it, so that about `density`
/// of the 2 x 34 x 34 inputs are non-zero); the polarity is drawn at random;
/// values are counts 1.
sg::frame_set synthesise(const options& o)
{
    sg::frame_set s;
    s.shape = {2, 34, 34};
    const std::size_t n = (o.warmup + o.train_steps) * o.batch, hw = 34 * 34;
    somnus::random_stream rng(o.seed, somnus::stream_purpose::user, 0x5647);
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t label = static_cast<std::uint32_t>(rng.below(10));
        const std::size_t py = 2 + (label / 5) * 16, px = 2 + (label % 5) * 6;
        std::vector<std::uint32_t> off{0}, idx;
        std::vector<float> val;
        for (std::size_t t = 0; t < o.steps_t; ++t) {
            for (std::size_t pos = 0; pos < hw; ++pos) {
                const std::size_t y = pos / 34, x = pos % 34;
                const bool in_patch = y >= py && y < py + 10 && x >= px && x < px + 10;
                // Either polarity: 2 x density per pixel keeps `density` of the 2 x 34 x 34 inputs.
                const double p = 2.0 * o.density * (in_patch ? 6.0 : 0.5);
                if (rng.uniform() < p) {
                    const std::uint32_t c = static_cast<std::uint32_t>(rng.below(2));
                    idx.push_back(static_cast<std::uint32_t>(c * hw + pos));
                    val.push_back(1.0f);
                }
            }
            // Channel-first order within the frame, as the file keeps it.
            std::vector<std::size_t> order(idx.size() - off.back());
            for (std::size_t q = 0; q < order.size(); ++q) order[q] = off.back() + q;
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return idx[a] < idx[b]; });
            std::vector<std::uint32_t> sorted;
            for (const auto q : order) sorted.push_back(idx[q]);
            std::copy(sorted.begin(), sorted.end(), idx.begin() + off.back());
            off.push_back(static_cast<std::uint32_t>(idx.size()));
        }
        s.add(label, std::move(off), std::move(idx), std::move(val));
    }
    return s;
}

/// The first n recordings of a seeded shuffle of an N-MNIST training folder,
/// framed as the paper did (tonic's Denoise(10 ms) and ToFrame(1 ms)).
sg::frame_set from_nmnist(const std::string& dir, std::size_t n, std::uint64_t seed)
{
    const somnus::nmnist_folder folder(dir, somnus::mnist_split::train);
    somnus::detail::require(folder.size() >= n, "--nmnist {}: {} training recordings, {} needed", dir, folder.size(), n);
    somnus::random_stream rng(seed, somnus::stream_purpose::shuffle, 0x5647);
    const auto order = somnus::random_permutation(folder.size(), rng);
    sg::frame_set s;
    s.shape = {2, 34, 34};
    for (std::size_t k = 0; k < n; ++k) {
        const auto events = folder.events(order[k]);
        auto f = somnus::tonic_to_sparse_frames(somnus::tonic_denoise(events, folder.sensor(), 10000), folder.sensor(), 1000);
        s.add(folder.label(order[k]), std::move(f.offsets), std::move(f.index), std::move(f.value));
    }
    return s;
}

int run(const options& o)
{
    ex::require_output_file(o.json, "--json");
    ex::require_output_file(o.write_data, "--write-data");
    const std::size_t needed = (o.warmup + o.train_steps) * o.batch;
    const sg::frame_set data = !o.data.empty() ? sg::read_frame_file(o.data) : !o.nmnist.empty() ? from_nmnist(o.nmnist, needed, o.seed) : synthesise(o);
    somnus::detail::require(data.size() >= needed, "{}: {} samples, --batch x (--warmup + --train-steps) needs {}", o.data, data.size(),
                            needed);
    somnus::detail::require(data.shape == sg::shape3{2, 34, 34}, "{}: frames of {}x{}x{}, the member network takes 2x34x34", o.data,
                            data.shape.c, data.shape.h, data.shape.w);
    if (!o.write_data.empty()) sg::write_frame_file(o.write_data, data);

    std::vector<std::vector<std::uint32_t>> idx(data.size());
    std::vector<std::vector<float>> val(data.size());
    std::vector<sg::frame_sample> samples(data.size());
    std::size_t entries = 0, frames = 0;
    for (std::size_t k = 0; k < data.size(); ++k) {
        sg::channels_last(data, k, idx[k], val[k]);
        samples[k] = {data.offsets[k], idx[k], val[k], data.labels[k]};
        entries += idx[k].size();
        frames += samples[k].frames();
    }
    const double density = double(entries) / double(frames * data.shape.size());

    auto net = sg::make_gupta_member();
    std::vector<float> w(net.parameter_count());
    net.init(w, o.seed);
    sg::adam opt(w.size());
    sg::trainer tr(net, o.threads);
    std::vector<double> losses;
    double seconds = 0.0;
    std::uint64_t hidden = 0;
    std::size_t longest = 0;  // T: the longest batch, padded
    for (std::size_t step = 0; step < o.warmup + o.train_steps; ++step) {
        const auto t0 = ex::clock::now();
        const auto s = tr.train_step(w, opt, std::span(samples).subspan(step * o.batch, o.batch));
        const double dt = ex::seconds_since(t0);
        if (step >= o.warmup) {
            seconds += dt;
            hidden += s.hidden_spikes;
        }
        losses.push_back(s.loss);
        longest = std::max(longest, s.steps);
        fmt::print(stderr, "step {} loss {:.4f} accuracy {:.3f} T {} {:.1f} samples/s\n", step, s.loss, s.accuracy(), s.steps,
                   double(o.batch) / dt);
    }
    const double rate = seconds > 0 ? double(o.train_steps * o.batch) / seconds : 0.0;
    const double T = double(longest);
    fmt::print("somnus sg member: {:.1f} training samples/s (batch {}, T {}, input density {:.4f}, {} threads, SIMD {}); hidden spikes "
               "per sample-step {:.0f}; tape {:.1f} MB per sample in flight\n",
               rate, o.batch, T, density, o.threads, somnus::simd::arch_name(),
               double(hidden) / (double(o.train_steps * o.batch) * T), double(tr.tape_bytes()) / 1e6);
    if (!o.json.empty()) {
        nlohmann::json j;
        j["implementation"] = "somnus";
        j["samples_per_second"] = rate;
        j["batch"] = o.batch;
        j["steps_t"] = T;
        j["input_density"] = density;
        j["threads"] = o.threads;
        j["train_steps"] = o.train_steps;
        j["warmup"] = o.warmup;
        j["losses"] = losses;
        j["seconds"] = seconds;
        j["simd_arch"] = somnus::simd::arch_name();
        j["tape_bytes_per_sample"] = tr.tape_bytes();
        j["hidden_spikes_per_sample_step"] = double(hidden) / (double(o.train_steps * o.batch) * T);
        ex::write_json(o.json, j);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Training throughput of the surrogate-gradient Gupta member network (samples/s)", "sg_throughput");
    app.add_option("--density", o.density, "synthetic input: fraction of inputs with an event per frame")->check(ex::number_in(0, 1))->capture_default_str();
    app.add_option("--steps", o.steps_t, "synthetic input: frames per sample (T)")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_option("--batch", o.batch, "samples per training step")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_option("--train-steps", o.train_steps, "timed training steps")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_option("--warmup", o.warmup, "untimed training steps first")->check(ex::integer_in(0, 100000))->capture_default_str();
    app.add_option("--threads", o.threads, "threads (results do not depend on it)")->check(ex::integer_in(1, 1024))->capture_default_str();
    app.add_option("--seed", o.seed, "seed of the data and the initial weights")->check(ex::integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--data", o.data, "read the samples from this frame file instead (sg/batch_file.hpp)");
    app.add_option("--nmnist", o.nmnist, "train on recordings of this N-MNIST folder (a seeded shuffle of Train/), framed with tonic's transforms");
    app.add_option("--write-data", o.write_data, "write the samples to this frame file (for the PyTorch peer)");
    app.add_option("--json", o.json, "write the figures as JSON");
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    return ex::guarded("sg_throughput", [&] { return run(o); });
}
