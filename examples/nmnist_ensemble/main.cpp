// SPDX-License-Identifier: MIT
// Gupta 2024's N-MNIST ensemble (DESIGN.md section 8): ten convolutional
// spiking networks (snnTorch tutorial 7's, sg/gupta.hpp), each trained by
// backpropagation through time on its own tenth of the training set (the
// tenths drawn from a seeded permutation), tested on the test recordings;
// then the shuffled-label test, each network's label mapping, the grouping
// of networks that agree on at least --threshold labels, and the
// function-space entropy S0 beside the Shannon form, for every threshold.
//
// The program in parts: options.hpp (the flags), frames.hpp (recordings to
// frames, the data's identity), member.hpp (training and testing a member),
// member_checkpoint.hpp (a finished member saved and resumed), report.hpp
// (mappings, grouping, entropies, the JSON and arrays), script_grouping.hpp
// (the author's script, replicated).
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include <somnus/data/nmnist.hpp>
#include <somnus/sg/gupta.hpp>

#include "example.hpp"
#include "frames.hpp"
#include "member.hpp"
#include "member_checkpoint.hpp"
#include "mpi.hpp"
#include "options.hpp"
#include "report.hpp"

namespace ex = somnus::example;
namespace sg = somnus::sg;
using namespace somnus::example::ensemble;

namespace {

int run(const options& o, const ex::mpi_session& mpi)
{
    const auto t_start = ex::clock::now();
    ex::require_output_file(o.json, "--json");
    ex::require_output_folder(o.checkpoints, "--checkpoints");
    somnus::detail::require(o.threshold >= 1 && o.threshold <= 10, "--threshold {}: must be 1..10", o.threshold);
    if (!o.checkpoints.empty()) std::filesystem::create_directories(o.checkpoints);

    const somnus::nmnist_folder train_folder(o.data, somnus::mnist_split::train);
    const somnus::nmnist_folder test_folder(o.data, somnus::mnist_split::test);
    const std::size_t tenth = train_folder.size() / o.members;
    somnus::detail::require(tenth >= 1, "{}: {} training recordings for {} members", o.data, train_folder.size(), o.members);
    const std::size_t train_n = o.train_per_member.value_or(tenth);
    somnus::detail::require(train_n <= tenth, "--train-per-member {}: a member's part of the {} training recordings of {} holds {}", train_n,
                            train_folder.size(), o.data, tenth);
    const std::size_t test_n = o.test.value_or(test_folder.size());
    somnus::detail::require(test_n <= test_folder.size(), "--test {}: {} holds {} test recordings", test_n, o.data, test_folder.size());
    const auto net = sg::make_gupta_member();
    const std::string config = config_text(o, train_n, test_n);
    const auto perm = somnus::keyed_permutation(train_folder.size(), o.seed, 0xe75e);
    const std::uint64_t checkpoint_max_bytes = member_checkpoint_max_bytes(o, net.parameter_count(), train_n, test_n);
    const auto has_checkpoint = [&](std::size_t m) { return !o.checkpoints.empty() && somnus::file_exists(checkpoint_path(o, m)); };
    // Checkpoints of another version or other settings are refused before any work.
    for (std::size_t m = 0; m < o.members; ++m)
        if (has_checkpoint(m)) open_member(checkpoint_path(o, m), config, checkpoint_max_bytes);

    // Every recording this process will use is read before any work (progress
    // only every 2 s, so that on a small set a bad file's message is one line).
    std::vector<std::size_t> test_which(test_n);
    std::iota(test_which.begin(), test_which.end(), std::size_t{0});
    const auto test = load(test_folder, test_which, o.frames, o.max_frames, o.threads, "test frames", false);
    std::vector<sg::frame_sample> test_views;
    for (const auto& s : test) test_views.push_back(s.view());
    std::vector<std::size_t> to_train;
    for (std::size_t m = 0; m < o.members; ++m) {
        const std::size_t first = o.shared_samples ? 0 : m * tenth;  // the part member m trains on
        if (mpi.mine(m) && !has_checkpoint(m))
            to_train.insert(to_train.end(), perm.begin() + std::ptrdiff_t(first), perm.begin() + std::ptrdiff_t(first + train_n));
    }
    check_recordings(train_folder, to_train, o.frames, o.max_frames, o.threads);
    // Checkpoints of other data (the test frames and the training listing
    // identify it) and impossible values are refused before any training too.
    const std::string data = data_identity(train_folder, test);
    std::vector<std::optional<member_result>> finished(o.members);
    for (std::size_t m = 0; m < o.members; ++m)
        if (mpi.mine(m)) finished[m] = load_member(o, net, config, data, m, train_n, test_n);
    fmt::print(stderr, "{}: {} training and {} test recordings; {} members x {} recordings, {} epoch(s), batch {}, frames {}; SIMD {}\n",
               o.data, train_folder.size(), test_folder.size(), o.members, train_n, o.epochs, o.batch, o.frames, somnus::simd::arch_name());


    std::vector<member_result> results;
    for (std::size_t m = 0; m < o.members; ++m) {
        if (!mpi.mine(m)) continue;  // another process's member
        if (auto& done = finished[m]) {
            score_resumed(o, *done, test);
            fmt::print(stderr, "member {}: resumed from {} (test accuracy {:.2f}%)\n", m, checkpoint_path(o, m).string(), 100 * done->accuracy);
            results.push_back(std::move(*done));
            continue;
        }
        const std::span<const std::size_t> part(perm.data() + (o.shared_samples ? 0 : m * tenth), train_n);
        const auto train = load(train_folder, part, o.frames, o.max_frames, o.threads, fmt::format("member {} frames", m));
        auto r = train_member(o, net, m, train, test, test_views);
        if (!o.checkpoints.empty()) save_member(o, net, config, data, r);
        results.push_back(std::move(r));
    }
    results = gather_members(mpi, std::move(results));
    if (!mpi.root()) return 0;

    std::size_t test_entries = 0, test_frames = 0;
    for (const auto& s : test) {
        test_entries += s.index.size();
        test_frames += s.offsets.size() - 1;
    }
    const double density = test_frames ? double(test_entries) / double(test_frames * 2 * 34 * 34) : 0.0;
    return report(o, results, test, {t_start, perm, train_n, test_n, net.parameter_count(), density});
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Gupta 2024: an ensemble of surrogate-gradient spiking networks on N-MNIST and its function-space entropy", "nmnist_ensemble");
    add_options(app, o);
    ex::mpi_session mpi(argc, argv);
    if (const auto code = ex::parse(app, argc, argv)) return mpi.finish(*code);
    return mpi.finish(ex::guarded("nmnist_ensemble", [&] { return run(o, mpi); }));
}
