// SPDX-License-Identifier: MIT
// Gupta 2024's N-MNIST ensemble (DESIGN.md section 8): ten convolutional
// spiking networks (snnTorch tutorial 7's, sg/gupta.hpp), each trained by
// backpropagation through time on its own tenth of the training set (the
// tenths drawn from a seeded permutation), tested on the test recordings;
// then the shuffled-label test, each network's label mapping, the grouping
// of networks that agree on at least --threshold labels, and the
// function-space entropy S0 beside the Shannon form, for every threshold.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <numeric>

#include <somnus/core/parallel.hpp>
#include <somnus/data/events.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/nmnist_frames.hpp>
#include <somnus/data/tonic.hpp>
#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/io/checkpoint.hpp>
#include <somnus/io/crc32.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/batch_file.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/train.hpp>

#include "arrays.hpp"
#include "example.hpp"
#include "mpi.hpp"
#include "script_grouping.hpp"

namespace ex = somnus::example;
namespace sg = somnus::sg;
using nlohmann::json;

namespace {

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

/// One recording as the engine takes it: frames of sparse, channels-last
/// inputs.
struct sample_frames {
    std::vector<std::uint32_t> offsets, index;
    std::vector<float> value;
    std::size_t label = 0;
    sg::frame_sample view() const { return {offsets, index, value, label}; }
};

/// Recording i -> frames, as the paper (tonic's Denoise(10 ms) and ToFrame(1 ms),
/// data/tonic.hpp) or as the library's own definitions (data/events.hpp); a
/// recording of more than max_frames frames is refused, naming it
/// (data/nmnist_frames.hpp).
sample_frames make_frames(const somnus::nmnist_folder& folder, std::size_t i, const std::string& kind, std::size_t max_frames)
{
    const somnus::sparse_frames f = somnus::nmnist_recording_frames(
        folder, i, kind == "tonic" ? somnus::nmnist_frame_kind::tonic : somnus::nmnist_frame_kind::somnus, max_frames, "--max-frames");
    sample_frames s;
    s.offsets = f.offsets;
    sg::channels_last(f.offsets, f.index, f.value, {f.channels, f.height, f.width}, s.index, s.value);
    return s;
}

/// The recordings `which` of a folder, read and framed on `threads` threads.
std::vector<sample_frames> load(const somnus::nmnist_folder& folder, std::span<const std::size_t> which, const std::string& kind,
                                std::size_t max_frames, unsigned threads, const std::string& what, bool final_line = true)
{
    std::vector<sample_frames> out(which.size());
    ex::progress bar(what, which.size());
    std::atomic<std::size_t> done{0};
    somnus::parallel_blocks(which.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k < end; ++k) {
            out[k] = make_frames(folder, which[k], kind, max_frames);
            out[k].label = folder.label(which[k]);
            const auto d = ++done;
            if (worker == 0 && k % 256 == 0) bar.update(d);
        }
    });
    bar.update(which.size(), {}, final_line);
    return out;
}

/// Reads and filters recordings `which` on `threads` threads without making
/// their frames, so that a corrupt one, or one of more than max_frames
/// frames, is refused (one line, naming it) before any work.
void check_recordings(const somnus::nmnist_folder& folder, std::span<const std::size_t> which, const std::string& kind,
                      std::size_t max_frames, unsigned threads)
{
    ex::progress bar("checking training recordings", which.size());
    std::atomic<std::size_t> done{0};
    somnus::parallel_blocks(which.size(), threads, [&](unsigned worker, std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k < end; ++k) {
            somnus::nmnist_bounded_events(folder, which[k],
                                          kind == "tonic" ? somnus::nmnist_frame_kind::tonic : somnus::nmnist_frame_kind::somnus,
                                          max_frames, "--max-frames");
            const auto d = ++done;
            if (worker == 0 && k % 256 == 0) bar.update(d);
        }
    });
}

/// --grouping script: what the author's script computes (script_grouping.hpp)
/// on the members' test predictions: its one run (Python's seed-42
/// permutation, members in order), printed as the script prints it, and the
/// distribution of the outcome over --script-draws draws of the label
/// permutation and the member order (their S0 values in s0_draws).
json script_grouping(const options& o, std::span<const std::vector<std::uint64_t>> member_predictions, std::span<const std::uint64_t> digits,
                     std::vector<double>& s0_draws)
{
    namespace gs = ex::gupta_script;
    constexpr std::size_t script_batch = 128;  // the script's DataLoader batch
    const auto order = gs::class_blocked_order(digits);
    std::vector<std::vector<std::uint64_t>> pred;
    for (const auto& p : member_predictions) {
        auto& q = pred.emplace_back(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) q[k] = p[order[k]];
    }
    std::vector<std::size_t> natural(pred.size());
    std::iota(natural.begin(), natural.end(), std::size_t{0});
    const auto one = gs::run(pred, gs::python_seed42_permutation, natural, script_batch, o.threshold);
    for (std::size_t g = 0; g < one.sizes.size(); ++g) fmt::print("Networks with similar mapping f{} = {}\n", g + 1, one.sizes[g]);
    std::fflush(stdout);
    fmt::print(stderr, "script grouping: best batch accuracies {}; S0 {:.5f} nats, Shannon {:.4f} nats (ours, from its groups)\n",
               json(one.best).dump(), one.s0, one.shannon);

    const auto d = gs::sample(pred, o.script_draws, o.seed, script_batch, o.threshold);
    std::vector<std::pair<std::vector<std::uint64_t>, std::size_t>> tally(d.multisets.begin(), d.multisets.end());
    std::stable_sort(tally.begin(), tally.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    json multisets = json::array();
    for (const auto& [sizes, n] : tally)
        multisets.push_back({{"sizes", sizes},
                             {"draws", n},
                             {"fraction", double(n) / double(d.draws)},
                             {"s0_nats", somnus::function_space_s0{}.entropy(sizes)},
                             {"shannon_nats", somnus::plug_in{somnus::info_unit::nats}.entropy(std::span<const std::uint64_t>(sizes))}});
    s0_draws = d.s0;
    auto sorted = d.s0;
    std::sort(sorted.begin(), sorted.end());
    const auto quantile = [&](double q) { return sorted.empty() ? 0.0 : sorted[std::size_t(q * double(sorted.size() - 1) + 0.5)]; };
    double mean = 0.0, var = 0.0;
    for (const double x : d.s0) mean += x / double(std::max<std::size_t>(1, d.draws));
    for (const double x : d.s0) var += (x - mean) * (x - mean) / double(std::max<std::size_t>(1, d.draws - 1));
    const double n = double(std::max<std::size_t>(1, d.draws));
    fmt::print(stderr, "script grouping over {} draws: {} multisets of group sizes, the commonest {} ({:.1f}%); S0 mean {:.4f}; "
                       "the published {{1,3,5,1}} in {:.2f}% of draws, S0 below 0.32769 in {:.1f}%\n",
               d.draws, tally.size(), tally.empty() ? "[]" : json(tally.front().first).dump(), tally.empty() ? 0.0 : 100.0 * double(tally.front().second) / n,
               mean, 100.0 * double(d.published_multiset) / n, 100.0 * double(d.s0_below) / n);
    return {{"what", "the author's script (DESIGN.md section 8): test labels perm[idx % 10] on the test set in class order, a mapping of "
                     "ten copies of the best per-batch (128) accuracy, greedy first-match grouping; S0 and Shannon are ours"},
            {"batch", script_batch},
            {"script_run",
             {{"permutation", gs::python_seed42_permutation},
              {"permutation_source", "Python: random.seed(42); random.shuffle(list(range(10)))"},
              {"best_batch_accuracy", one.best},
              {"groups", one.group},
              {"group_sizes", one.sizes},
              {"s0_nats", one.s0},
              {"shannon_nats", one.shannon}}},
            {"draws", d.draws},
            {"draw_seed", o.seed},
            {"multisets", multisets},
            {"s0_nats", {{"mean", mean}, {"sd", std::sqrt(var)}, {"min", quantile(0.0)}, {"q05", quantile(0.05)}, {"q25", quantile(0.25)},
                         {"median", quantile(0.5)}, {"q75", quantile(0.75)}, {"q95", quantile(0.95)}, {"max", quantile(1.0)}}},
            {"order_changed_multiset", d.order_changed},
            {"published", {{"group_sizes", gs::published_sizes},
                           {"s0", gs::published_s0},
                           {"multiset_fraction", double(d.published_multiset) / n},
                           {"s0_below_fraction", double(d.s0_below) / n},
                           {"s0_equal_fraction", double(d.s0_equal) / n},
                           {"s0_above_fraction", double(d.draws - d.s0_below - d.s0_equal) / n}}}};
}

/// What one member did.
struct member_result {
    std::size_t index = 0;
    std::vector<float> params;
    std::vector<std::uint64_t> predictions;  ///< per test recording
    double accuracy = 0.0, train_seconds = 0.0, test_seconds = 0.0, final_loss = 0.0;
    std::vector<double> losses;  ///< per batch
    std::vector<std::uint64_t> epoch_hits;  ///< correct test recordings after each epoch but the last (--epoch-tests)
    std::vector<double> epoch_accuracy;  ///< test accuracy after each epoch (--epoch-tests)
    bool resumed = false;
};

constexpr std::size_t classes = 10;

// Member checkpoints, format 2: sections config (the settings, opening with
// "gupta_2024_ensemble v2;"), data (what identifies the recordings),
// params, predictions (per test recording, each < 10), losses (per batch,
// doubles as their bits), epoch_hits (correct test recordings after each
// epoch but the last, with --epoch-tests) and seconds (train and test, as
// bits). Version 1 kept the losses as floats, read none of them back, and
// kept neither the --epoch-tests curve nor the data's identity: refused.
constexpr int checkpoint_version = 2;

std::string config_text(const options& o, std::size_t train_n, std::size_t test_n)
{
    return fmt::format("gupta_2024_ensemble v{}; seed {}; members {}; epochs {}; batch {}; lr {}; frames {}; train per member {}; "
                       "test {}; epoch tests {}; network {}",
                       checkpoint_version, o.seed, o.members, o.epochs, o.batch, o.lr, o.frames, train_n, test_n, o.epoch_tests,
                       "gupta_member (sg/gupta.hpp)") +
           (o.shared_samples ? "; every member on the first part (the script's shared cache)" : "");
}

/// A running CRC-32 (io/crc32.hpp, the checkpoints' own) of what identifies
/// a data set: enough to tell one from another, not a defence against
/// forgery.
class digest {
public:
    void add(const void* p, std::size_t n) { crc_ = somnus::detail::crc32({static_cast<const std::uint8_t*>(p), n}, crc_); }
    void add_u64(std::uint64_t v)
    {
        std::uint8_t b[8];
        for (int k = 0; k < 8; ++k) b[k] = static_cast<std::uint8_t>(v >> (8 * k));
        add(b, 8);
    }
    void add_text(const std::string& t)
    {
        add_u64(t.size());
        add(t.data(), t.size());
    }
    std::string hex() const { return fmt::format("{:08x}", crc_); }

private:
    std::uint32_t crc_ = 0;
};

/// What identifies the data a member saw: the training folder's listing
/// (class, file name and size of every recording, in order) and the test
/// recordings' frames and labels. Checkpoints of other data with the same
/// counts (Fashion recordings for MNIST ones) are refused by it.
std::string data_identity(const somnus::nmnist_folder& train, std::span<const sample_frames> test)
{
    digest listing;
    for (std::size_t i = 0; i < train.size(); ++i) {
        const auto& path = train.sample(i).path;
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(path, ec);
        if (ec) throw somnus::data_error(fmt::format("{}: cannot read its size: {}", path.string(), ec.message()));
        listing.add_u64(train.label(i));
        listing.add_text(path.filename().string());
        listing.add_u64(bytes);
    }
    digest frames;
    for (const auto& s : test) {
        frames.add_u64(s.label);
        frames.add_u64(s.offsets.size());
        frames.add(s.offsets.data(), s.offsets.size() * sizeof(std::uint32_t));
        frames.add_u64(s.index.size());
        frames.add(s.index.data(), s.index.size() * sizeof(std::uint32_t));
        frames.add(s.value.data(), s.value.size() * sizeof(float));
    }
    return fmt::format("training listing of {} recordings {}; frames of the first {} test recordings {}", train.size(), listing.hex(),
                       test.size(), frames.hex());
}

std::filesystem::path checkpoint_path(const options& o, std::size_t m)
{
    return std::filesystem::path(o.checkpoints) / fmt::format("member_{}.ckpt", m);
}

std::vector<std::uint64_t> double_bits(std::span<const double> x)
{
    std::vector<std::uint64_t> out;
    for (const double v : x) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
}

void save_member(const options& o, const std::string& config, const std::string& data, const member_result& r)
{
    somnus::checkpoint_writer w;
    w.add_text("config", config);
    w.add_text("data", data);
    w.add("params", std::span<const float>(r.params));
    w.add_u64("predictions", r.predictions);
    w.add_u64("losses", double_bits(r.losses));
    w.add_u64("epoch_hits", r.epoch_hits);
    const std::vector<double> timing{r.train_seconds, r.test_seconds};
    w.add_u64("seconds", double_bits(timing));
    w.save(checkpoint_path(o, r.index));
}

/// What a member's checkpoint holds at most, in bytes (its sections and a
/// generous allowance for headers and texts): a larger file is refused
/// before it is read, so a crafted one cannot ask for more memory.
std::uint64_t member_checkpoint_max_bytes(const options& o, std::size_t params, std::size_t train_n, std::size_t test_n)
{
    const std::uint64_t batches = o.epochs * ((train_n + o.batch - 1) / o.batch);
    return (std::uint64_t{1} << 20) + 4 * std::uint64_t(params) + 8 * (std::uint64_t(test_n) + batches + o.epochs + 2);
}

/// Opens a member checkpoint, refusing one larger than it can be, of another
/// format version or of other settings, naming the file.
somnus::checkpoint_reader open_member(const std::filesystem::path& path, const std::string& config, std::uint64_t max_bytes)
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (!ec && bytes > max_bytes)
        throw somnus::data_error(fmt::format("{}: {} bytes, more than a member checkpoint of these settings holds ({})", path.string(),
                                             bytes, max_bytes));
    somnus::checkpoint_reader r(path);
    const std::string saved = r.read_text("config");
    const std::string kind = "gupta_2024_ensemble v";
    const std::string head = saved.substr(0, std::min<std::size_t>(saved.find(';'), 40));
    if (saved.rfind(kind, 0) != 0) r.fail("not a member checkpoint of nmnist_ensemble (its config does not open with 'gupta_2024_ensemble')");
    if (head != fmt::format("{}{}", kind, checkpoint_version))
        throw somnus::config_error(fmt::format("{}: a checkpoint of format '{}', this build reads v{} (it keeps each member's losses, "
                                               "--epoch-tests curve and data identity); use another --checkpoints folder",
                                               path.string(), head, checkpoint_version));
    if (saved != config)
        throw somnus::config_error(fmt::format("{}: a checkpoint of other settings ({}), not of this run ({}); use another "
                                               "--checkpoints folder",
                                               path.string(), saved, config));
    return r;
}

/// Refuses a member checkpoint of other data, naming the file and both.
void require_same_data(const somnus::checkpoint_reader& r, const std::string& data_folder, const std::string& data)
{
    const std::string saved = r.read_text("data");
    if (saved != data)
        throw somnus::config_error(fmt::format("{}: a checkpoint of other data ({}), not of {} ({}); use another --checkpoints folder",
                                               r.path(), saved, data_folder, data));
}

/// Doubles stored as their bits, each finite and at least 0.
std::vector<double> read_non_negative(const somnus::checkpoint_reader& r, const std::string& name, std::size_t count)
{
    const auto bits = r.read_u64(name);
    if (bits.size() != count) r.fail(fmt::format("'{}' holds {} values, expected {}", name, bits.size(), count));
    std::vector<double> out;
    for (std::size_t i = 0; i < bits.size(); ++i) {
        const double v = std::bit_cast<double>(bits[i]);
        if (!std::isfinite(v) || v < 0.0) r.fail(fmt::format("'{}' holds {} at {}: not a finite value >= 0", name, v, i));
        out.push_back(v);
    }
    return out;
}

/// A finished member from its checkpoint, or nothing if there is none; a
/// checkpoint of another version, other settings or other data is refused,
/// and every value is checked before it is used.
std::optional<member_result> load_member(const options& o, const std::string& config, const std::string& data, std::size_t m,
                                         std::size_t params, std::size_t train_n, std::size_t test_n)
{
    if (o.checkpoints.empty()) return std::nullopt;
    const auto path = checkpoint_path(o, m);
    if (!somnus::file_exists(path)) return std::nullopt;
    const auto r = open_member(path, config, member_checkpoint_max_bytes(o, params, train_n, test_n));
    require_same_data(r, o.data, data);
    member_result res;
    res.index = m;
    res.resumed = true;
    res.params.resize(params);
    r.read("params", std::span<float>(res.params));
    for (std::size_t i = 0; i < params; ++i)
        if (!std::isfinite(res.params[i])) r.fail(fmt::format("'params' holds {} at {}: not finite", res.params[i], i));
    res.predictions = r.read_u64("predictions");
    if (res.predictions.size() != test_n) r.fail(fmt::format("'predictions' holds {} values for {} test recordings", res.predictions.size(), test_n));
    for (std::size_t k = 0; k < test_n; ++k)
        if (res.predictions[k] >= classes)
            r.fail(fmt::format("'predictions' holds class {} for test recording {}: not a class of 0..{}", res.predictions[k], k, classes - 1));
    res.losses = read_non_negative(r, "losses", o.epochs * ((train_n + o.batch - 1) / o.batch));
    res.final_loss = res.losses.empty() ? 0.0 : res.losses.back();
    res.epoch_hits = r.read_u64("epoch_hits");
    const std::size_t curve = o.epoch_tests ? o.epochs - 1 : 0;
    if (res.epoch_hits.size() != curve) r.fail(fmt::format("'epoch_hits' holds {} values, expected {}", res.epoch_hits.size(), curve));
    for (std::size_t e = 0; e < curve; ++e) {
        if (res.epoch_hits[e] > test_n)
            r.fail(fmt::format("'epoch_hits' holds {} correct after epoch {}, of {} test recordings", res.epoch_hits[e], e + 1, test_n));
        res.epoch_accuracy.push_back(double(res.epoch_hits[e]) / double(test_n));
    }
    const auto timing = read_non_negative(r, "seconds", 2);
    res.train_seconds = timing[0];
    res.test_seconds = timing[1];
    return res;
}

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
        if (mpi.mine(m)) finished[m] = load_member(o, config, data, m, net.parameter_count(), train_n, test_n);
    fmt::print(stderr, "{}: {} training and {} test recordings; {} members x {} recordings, {} epoch(s), batch {}, frames {}; SIMD {}\n",
               o.data, train_folder.size(), test_folder.size(), o.members, train_n, o.epochs, o.batch, o.frames, somnus::simd::arch_name());

    std::size_t test_entries = 0, test_frames = 0;
    for (const auto& s : test) {
        test_entries += s.index.size();
        test_frames += s.offsets.size() - 1;
    }

    std::vector<member_result> results;
    for (std::size_t m = 0; m < o.members; ++m) {
        if (!mpi.mine(m)) continue;  // another process's member
        if (auto& done = finished[m]) {
            std::size_t hit = 0;
            for (std::size_t k = 0; k < test_n; ++k) hit += done->predictions[k] == test[k].label;
            done->accuracy = double(hit) / double(test_n);
            if (o.epoch_tests) done->epoch_accuracy.push_back(done->accuracy);
            fmt::print(stderr, "member {}: resumed from {} (test accuracy {:.2f}%)\n", m, checkpoint_path(o, m).string(), 100 * done->accuracy);
            results.push_back(std::move(*done));
            continue;
        }
        member_result r;
        r.index = m;
        const std::span<const std::size_t> part(perm.data() + (o.shared_samples ? 0 : m * tenth), train_n);
        const auto train = load(train_folder, part, o.frames, o.max_frames, o.threads, fmt::format("member {} frames", m));
        r.params.resize(net.parameter_count());
        net.init(r.params, o.seed, m);
        sg::adam opt(r.params.size(), {o.lr, 0.9, 0.999, 1e-8});
        sg::trainer tr(net, o.threads);
        const auto test_member = [&](std::span<const float> params, const std::string& what) {
            std::vector<std::uint64_t> predictions(test_n, 0);
            ex::progress tbar(what, test_n);
            for (std::size_t b = 0; b < test_n; b += o.batch) {
                const std::size_t n = std::min(o.batch, test_n - b);
                std::vector<std::size_t> pred(n);
                tr.evaluate(params, std::span(test_views).subspan(b, n), pred);
                for (std::size_t k = 0; k < n; ++k) predictions[b + k] = pred[k];
                tbar.update(b + n, {}, b + n == test_n);
            }
            return predictions;
        };
        double epoch_test_seconds = 0.0;
        const auto t0 = ex::clock::now();
        const std::size_t batches = (train_n + o.batch - 1) / o.batch;
        ex::progress bar(fmt::format("member {} train", m), o.epochs * train_n);
        for (std::size_t e = 0; e < o.epochs; ++e) {
            const auto order = somnus::keyed_permutation(train_n, o.seed, (std::uint64_t(m) << 20) + e + 1);
            for (std::size_t b = 0; b < batches; ++b) {
                std::vector<sg::frame_sample> batch;
                for (std::size_t k = b * o.batch; k < std::min(train_n, (b + 1) * o.batch); ++k) batch.push_back(train[order[k]].view());
                const auto s = tr.train_step(r.params, opt, batch);
                r.losses.push_back(s.loss);
                const std::size_t done = e * train_n + std::min(train_n, (b + 1) * o.batch);
                bar.update(done, fmt::format("epoch {} batch {}/{} loss {:.3f} batch accuracy {:.1f}%", e + 1, b + 1, batches, s.loss,
                                             100 * s.accuracy()),
                           done == o.epochs * train_n);
            }
            if (o.epoch_tests && e + 1 < o.epochs) {
                const auto te = ex::clock::now();
                const auto pred = test_member(r.params, fmt::format("member {} epoch {} test", m, e + 1));
                std::size_t hit = 0;
                for (std::size_t k = 0; k < test_n; ++k) hit += pred[k] == test[k].label;
                r.epoch_hits.push_back(hit);
                r.epoch_accuracy.push_back(double(hit) / double(test_n));
                fmt::print(stderr, "member {} after epoch {}: test accuracy {:.2f}%\n", m, e + 1, 100 * r.epoch_accuracy.back());
                epoch_test_seconds += ex::seconds_since(te);
            }
        }
        r.train_seconds = ex::seconds_since(t0) - epoch_test_seconds;
        r.final_loss = r.losses.empty() ? 0.0 : r.losses.back();
        const auto t1 = ex::clock::now();
        r.predictions = test_member(r.params, fmt::format("member {} test", m));
        r.test_seconds = ex::seconds_since(t1);
        std::size_t hit = 0;
        for (std::size_t k = 0; k < test_n; ++k) hit += r.predictions[k] == test[k].label;
        r.accuracy = double(hit) / double(test_n);
        if (o.epoch_tests) r.epoch_accuracy.push_back(r.accuracy);
        fmt::print(stderr, "member {}: test accuracy {:.2f}% (train {:.0f} s, {:.1f} samples/s; test {:.0f} s)\n", m, 100 * r.accuracy,
                   r.train_seconds, double(train_n * o.epochs) / r.train_seconds, r.test_seconds);
        if (!o.checkpoints.empty()) save_member(o, config, data, r);
        results.push_back(std::move(r));
    }

    // Every process's members, gathered at rank 0 in member order.
    {
        json mine = json::array();
        for (const auto& r : results)
            mine.push_back({{"index", r.index},
                            {"accuracy", r.accuracy},
                            {"predictions", r.predictions},
                            {"losses", r.losses},
                            {"final_loss", r.final_loss},
                            {"train_seconds", r.train_seconds},
                            {"test_seconds", r.test_seconds},
                            {"resumed", r.resumed},
                            {"epoch_accuracy", r.epoch_accuracy}});
        const auto all = mpi.gather(mine.dump());
        if (!mpi.root()) return 0;
        results.clear();
        for (const auto& text : all)
            for (const auto& m : json::parse(text)) {
                member_result r;
                r.index = m["index"].get<std::size_t>();
                r.accuracy = m["accuracy"].get<double>();
                r.predictions = m["predictions"].get<std::vector<std::uint64_t>>();
                r.losses = m["losses"].get<std::vector<double>>();
                r.final_loss = m["final_loss"].get<double>();
                r.train_seconds = m["train_seconds"].get<double>();
                r.test_seconds = m["test_seconds"].get<double>();
                r.resumed = m["resumed"].get<bool>();
                r.epoch_accuracy = m["epoch_accuracy"].get<std::vector<double>>();
                results.push_back(std::move(r));
            }
        std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
        if (mpi.size() > 1) fmt::print(stderr, "gathered {} members from {} processes\n", results.size(), mpi.size());
    }

    // The shuffled-label test: one fixed permutation of the labels; each
    // network maps a shuffled label to the class it predicts most often for
    // the test recordings carrying it.
    const auto label_perm = somnus::keyed_permutation(10, o.seed, 0x1abe1);
    std::vector<std::vector<int>> mappings;
    json members = json::array();
    std::vector<std::uint8_t> labels;
    for (const auto& s : test) labels.push_back(std::uint8_t(s.label));
    for (const auto& r : results) {
        std::vector<std::vector<std::uint64_t>> counts(10, std::vector<std::uint64_t>(10, 0));
        for (std::size_t k = 0; k < test_n; ++k) ++counts[label_perm[test[k].label]][r.predictions[k]];
        const std::vector<std::uint8_t> predicted(r.predictions.begin(), r.predictions.end());
        const auto map = somnus::label_mapping(labels, predicted, label_perm);
        mappings.push_back(map);
        members.push_back({{"member", r.index},
                           {"accuracy", r.accuracy},
                           {"mapping", map},
                           {"shuffled_label_counts", counts},
                           {"train_seconds", r.train_seconds},
                           {"test_seconds", r.test_seconds},
                           {"losses", r.losses},
                           {"test_accuracy_after_each_epoch", r.epoch_accuracy},
                           {"resumed", r.resumed}});
    }
    json thresholds = json::array();
    std::vector<double> s0_by, h_by;
    for (std::size_t th = 1; th <= 10; ++th) {
        const auto groups = somnus::group_by_agreement(mappings, th);
        const auto sizes = somnus::group_sizes(groups);
        std::vector<double> p0;
        for (const auto s : sizes) p0.push_back(double(s) / double(results.size()));
        const double s0 = somnus::function_space_entropy(groups, somnus::function_space_s0{});
        const double h = somnus::function_space_entropy(groups, somnus::plug_in{somnus::info_unit::nats});
        s0_by.push_back(s0);
        h_by.push_back(h);
        thresholds.push_back({{"threshold", th}, {"groups", groups}, {"group_sizes", sizes}, {"p0", p0}, {"s0_nats", s0}, {"shannon_nats", h}});
    }
    const auto& chosen = thresholds[o.threshold - 1];
    fmt::print(stderr, "threshold {}: group sizes {}; S0 {:.5f} nats, Shannon {:.4f} nats\n", o.threshold,
               chosen["group_sizes"].dump(), chosen["s0_nats"].get<double>(), chosen["shannon_nats"].get<double>());
    json script;
    std::vector<double> script_s0_draws;
    if (o.grouping == "script") {
        std::vector<std::vector<std::uint64_t>> preds;
        for (const auto& r : results) preds.push_back(r.predictions);
        std::vector<std::uint64_t> digits;
        for (const auto& s : test) digits.push_back(s.label);
        script = script_grouping(o, preds, digits, script_s0_draws);
    }
    const double wall = ex::seconds_since(t_start);

    ex::late_outputs late("nmnist_ensemble");
    if (!o.json.empty()) {
        json j;
        j["experiment"] = "gupta_2024_ensemble";
        j["seed"] = o.seed;
        j["wall_seconds"] = wall;
        j["threads"] = o.threads;
        j["simd_arch"] = somnus::simd::arch_name();
        j["data"] = o.data;
        j["frames"] = o.frames == "tonic" ? "tonic: Denoise(filter_time 10 ms, 4 neighbours) then ToFrame(1 ms windows from the first event, "
                                            "last partial window dropped) (data/tonic.hpp)"
                                          : "somnus: denoise (8 neighbours, 10 ms, causal) then accumulate_frames (1 ms windows from t = 0) "
                                            "(data/events.hpp)";
        j["frames_definition"] = o.frames;
        j["members"] = o.members;
        j["epochs"] = o.epochs;
        j["batch"] = o.batch;
        j["lr"] = o.lr;
        j["train_per_member"] = train_n;
        j["test_recordings"] = test_n;
        j["test_input_density"] = test_frames ? double(test_entries) / double(test_frames * 2 * 34 * 34) : 0.0;
        j["network"] = "Conv(2->12, 5x5) -> MaxPool 2 -> LIF -> Conv(12->32, 5x5) -> MaxPool 2 -> LIF -> Linear(800->10) -> LIF; beta 0.5, "
                       "threshold 1, arctan surrogate alpha 2; mse_count_loss(0.8, 0.2); Adam (0.9, 0.999)";
        j["parameters"] = net.parameter_count();
        j["train_permutation"] = perm;
        j["label_permutation"] = label_perm;
        j["member_results"] = members;
        j["threshold"] = o.threshold;
        j["group_sizes"] = chosen["group_sizes"];
        j["s0_nats"] = chosen["s0_nats"];
        j["shannon_nats"] = chosen["shannon_nats"];
        j["thresholds"] = thresholds;
        j["paper"] = {{"group_sizes", {1, 3, 5, 1}}, {"s0", 0.32769}, {"note", "Gupta 2024's sample output (DESIGN.md section 8)"}};
        j["grouping"] = o.grouping;
        j["shared_samples"] = o.shared_samples;
        if (!script.is_null()) j["script_grouping"] = script;
        // The arrays behind the figures (examples/nmnist_ensemble/figures.py).
        ex::array_outputs arrays("nmnist_ensemble", o.json);
        late.attempt("arrays beside " + o.json, [&] {
            const std::size_t members_n = results.size(), batches = results.empty() ? 0 : results.front().losses.size();
            std::vector<double> accuracy, losses, epoch_accuracy;
            std::vector<std::int32_t> cells;
            std::vector<std::uint64_t> predictions, labels;
            for (const auto& r : results) {
                accuracy.push_back(r.accuracy);
                losses.insert(losses.end(), r.losses.begin(), r.losses.end());
                epoch_accuracy.insert(epoch_accuracy.end(), r.epoch_accuracy.begin(), r.epoch_accuracy.end());
                predictions.insert(predictions.end(), r.predictions.begin(), r.predictions.end());
            }
            for (const auto& m : mappings) cells.insert(cells.end(), m.begin(), m.end());
            for (const auto& s : test) labels.push_back(s.label);
            arrays.add("member_accuracy", accuracy, "test accuracy of each member (0..1), in member order");
            arrays.add("mappings", cells, "class each member maps each shuffled label to (members x 10; -1: no test recording carries it)",
                       {members_n, 10});
            arrays.add("s0_by_threshold", s0_by, "function-space entropy S0 (nats) for agreement thresholds 1..10");
            arrays.add("shannon_by_threshold", h_by, "Shannon entropy of the group sizes (nats) for agreement thresholds 1..10");
            arrays.add("predictions", predictions, "class each member predicts for each test recording (members x test recordings)",
                       {members_n, test_n});
            arrays.add("test_labels", labels, "true class of each test recording");
            arrays.add("losses", losses, "training loss of each member after each batch (members x batches)", {members_n, batches});
            if (o.epoch_tests)
                arrays.add("epoch_accuracy", epoch_accuracy, "test accuracy of each member after each epoch (members x epochs)",
                           {members_n, o.epochs});
            if (!script_s0_draws.empty())
                arrays.add("script_s0_draws", script_s0_draws,
                           "--grouping script: S0 (nats) of the script's grouping in each draw of the label permutation and member order");
        });
        arrays.describe_in(j);
        if (!late.errors().empty()) j["output_errors"] = late.errors();
        ex::write_json(o.json, j);
    }
    return late.status();
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Gupta 2024: an ensemble of surrogate-gradient spiking networks on N-MNIST and its function-space entropy", "nmnist_ensemble");
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
    ex::mpi_session mpi(argc, argv);
    if (const auto code = ex::parse(app, argc, argv)) return mpi.finish(*code);
    return mpi.finish(ex::guarded("nmnist_ensemble", [&] { return run(o, mpi); }));
}
