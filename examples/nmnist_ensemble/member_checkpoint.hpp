// SPDX-License-Identifier: MIT
// nmnist_ensemble's member checkpoints: each finished member saved as one
// somnus checkpoint (atomic, versioned, CRC-checked: io/checkpoint.hpp)
// holding its model as sg::save_parameters writes it (sg/model_file.hpp:
// the network's configuration and parameters) beside what the ensemble
// keeps of the member and what identifies its settings and data; loaded
// back only for the same settings, data and network, every value checked.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <somnus/io/checkpoint.hpp>
#include <somnus/sg/gupta.hpp>
#include <somnus/sg/model_file.hpp>

#include "member.hpp"
#include "options.hpp"

namespace somnus::example::ensemble {

namespace ex = somnus::example;
namespace sg = somnus::sg;
using nlohmann::json;

// Member checkpoints, format 3: sections config (the settings, opening with
// "gupta_2024_ensemble v3;"), data (what identifies the recordings), the
// model as sg::save_parameters writes it (model_version, model: the
// network's configuration layer by layer, parameters), predictions (per
// test recording, each < 10), losses (per batch, doubles as their bits),
// epoch_hits (correct test recordings after each epoch but the last, with
// --epoch-tests) and seconds (train and test, as bits). Versions 1 and 2
// (the parameters without the network's configuration; version 1 without
// the losses, the --epoch-tests curve and the data's identity) are refused
// as written by an older somnus.
inline constexpr int checkpoint_version = 3;

inline std::string config_text(const options& o, std::size_t train_n, std::size_t test_n)
{
    return fmt::format("gupta_2024_ensemble v{}; seed {}; members {}; epochs {}; batch {}; lr {}; frames {}; train per member {}; "
                       "test {}; epoch tests {}; network {}",
                       checkpoint_version, o.seed, o.members, o.epochs, o.batch, o.lr, o.frames, train_n, test_n, o.epoch_tests,
                       "gupta_member (sg/gupta.hpp)") +
           (o.shared_samples ? "; every member on the first part (the script's shared cache)" : "");
}

inline std::filesystem::path checkpoint_path(const options& o, std::size_t m)
{
    return std::filesystem::path(o.checkpoints) / fmt::format("member_{}.ckpt", m);
}

inline std::vector<std::uint64_t> double_bits(std::span<const double> x)
{
    std::vector<std::uint64_t> out;
    for (const double v : x) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
}

inline void save_member(const options& o, const sg::gupta_member& net, const std::string& config, const std::string& data,
                        const member_result& r)
{
    somnus::checkpoint_writer w;
    w.add_text("config", config);
    w.add_text("data", data);
    sg::save_parameters(w, net, r.params);
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
inline std::uint64_t member_checkpoint_max_bytes(const options& o, std::size_t params, std::size_t train_n, std::size_t test_n)
{
    const std::uint64_t batches = o.epochs * ((train_n + o.batch - 1) / o.batch);
    return (std::uint64_t{1} << 20) + 4 * std::uint64_t(params) + 8 * (std::uint64_t(test_n) + batches + o.epochs + 2);
}

/// Opens a member checkpoint, refusing one larger than it can be, of another
/// format version or of other settings, naming the file (one of an older
/// somnus is to be deleted: the member is trained again).
inline somnus::checkpoint_reader open_member(const std::filesystem::path& path, const std::string& config, std::uint64_t max_bytes)
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
    if (head == kind + "1" || head == kind + "2")
        throw somnus::config_error(fmt::format("{}: a member checkpoint of format '{}', written by an older somnus (this build reads "
                                               "v{}, the member's model saved with its configuration); delete it to train the member "
                                               "again, or use another --checkpoints folder",
                                               path.string(), head, checkpoint_version));
    if (head != fmt::format("{}{}", kind, checkpoint_version))
        throw somnus::config_error(fmt::format("{}: a member checkpoint of format '{}', this build reads v{}; use another "
                                               "--checkpoints folder",
                                               path.string(), head, checkpoint_version));
    if (saved != config)
        throw somnus::config_error(fmt::format("{}: a checkpoint of other settings ({}), not of this run ({}); use another "
                                               "--checkpoints folder",
                                               path.string(), saved, config));
    return r;
}

/// Refuses a member checkpoint of other data, naming the file and both.
inline void require_same_data(const somnus::checkpoint_reader& r, const std::string& data_folder, const std::string& data)
{
    const std::string saved = r.read_text("data");
    if (saved != data)
        throw somnus::config_error(fmt::format("{}: a checkpoint of other data ({}), not of {} ({}); use another --checkpoints folder",
                                               r.path(), saved, data_folder, data));
}

/// Doubles stored as their bits, each finite and at least 0.
inline std::vector<double> read_non_negative(const somnus::checkpoint_reader& r, const std::string& name, std::size_t count)
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
inline std::optional<member_result> load_member(const options& o, const sg::gupta_member& net, const std::string& config,
                                                const std::string& data, std::size_t m, std::size_t train_n, std::size_t test_n)
{
    if (o.checkpoints.empty()) return std::nullopt;
    const auto path = checkpoint_path(o, m);
    if (!somnus::file_exists(path)) return std::nullopt;
    const auto r = open_member(path, config, member_checkpoint_max_bytes(o, net.parameter_count(), train_n, test_n));
    require_same_data(r, o.data, data);
    member_result res;
    res.index = m;
    res.resumed = true;
    res.params.resize(net.parameter_count());
    sg::load_parameters(r, net, res.params);  // the network's configuration and every value checked
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

} // namespace somnus::example::ensemble
