// SPDX-License-Identifier: MIT
// nmnist_ensemble's settings and their command-line flags (each checked as
// it is parsed; what depends on the data is checked in main.cpp's run).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <somnus/data/nmnist_frames.hpp>

#include "example.hpp"

namespace somnus::example::ensemble {

namespace ex = somnus::example;

/// The settings (the flags' meanings are in add_options).
struct options {
    std::string data = "data/nmnist-synth";
    std::size_t members = 10, epochs = 1, batch = 128, threshold = 5;
    bool epoch_tests = false;
    std::string grouping = "paper";
    std::size_t script_draws = 10000;
    bool shared_samples = false;
    std::optional<std::size_t> train_per_member, test;
    std::string frames = "tonic";
    double lr = 2e-2;
    std::uint64_t seed = 0;
    unsigned threads = 2;
    std::size_t max_frames = somnus::nmnist_default_max_frames;
    std::string json, checkpoints;
};

/// The flags, with their checks and defaults.
inline void add_options(CLI::App& app, options& o)
{
    app.add_option("--data", o.data, "N-MNIST folder (Train/<digit>/*.bin, Test/...): the real files or examples/make_nmnist's output")
        ->capture_default_str();
    app.add_option("--members", o.members, "networks, one per part of the shuffled training set")->check(ex::integer_in(1, 100))->capture_default_str();
    app.add_option("--epochs", o.epochs, "passes over each member's part")->check(ex::integer_in(1, 1000))->capture_default_str();
    app.add_option("--batch", o.batch, "samples per training step")->check(ex::integer_in(1, 100000))->capture_default_str();
    app.add_flag("--epoch-tests", o.epoch_tests, "test each member after every epoch too (the JSON gets the curve)");
    app.add_option("--grouping", o.grouping,
                   "paper (the paper's description: per-class label permutation, connected components) or script (also what the "
                   "author's script computes: index-based labels, best-batch mappings, greedy grouping, and its distribution)")
        ->check(CLI::IsMember({"paper", "script"}))
        ->capture_default_str();
    app.add_option("--script-draws", o.script_draws, "--grouping script: draws of the label permutation and member order")
        ->check(ex::integer_in(1, 10000000))
        ->capture_default_str();
    app.add_flag("--shared-samples", o.shared_samples,
                 "train every member on the first part of the training set (the script's shared cache path) instead of its own");
    app.add_option("--threshold", o.threshold, "labels (of 10) two networks must map alike to agree")->check(ex::integer_in(1, 10))->capture_default_str();
    app.add_option("--train-per-member", o.train_per_member, "recordings each member trains on (default: its whole part)")->check(ex::integer_in(1, 10000000));
    app.add_option("--test", o.test, "test recordings, the first (default: all)")->check(ex::integer_in(1, 10000000));
    app.add_option("--frames", o.frames, "tonic (the paper's transforms) or somnus (the library's own)")
        ->check(CLI::IsMember({"tonic", "somnus"}))
        ->capture_default_str();
    app.add_option("--max-frames", o.max_frames, "1 ms frames a recording may make (a longer one is refused, naming it; real ones make about 310)")
        ->check(ex::integer_in(1, somnus::nmnist_max_frames_limit))
        ->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->check(ex::positive_number(10))->capture_default_str();
    app.add_option("--seed", o.seed, "random seed (permutations and initial weights)")->check(ex::integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, "threads (results do not depend on it)")->check(ex::integer_in(1, 1024))->capture_default_str();
    app.add_option("--checkpoints", o.checkpoints, "folder for a checkpoint per finished member; a run with the same settings and data resumes from it");
    app.add_option("--json", o.json, "write the results as one JSON object to this file, and the arrays behind the figures beside it");
}

} // namespace somnus::example::ensemble
