// SPDX-License-Identifier: MIT
// Checkpoints of any network built from parts: everything needed to
// continue exactly where training stands (every projection's weights,
// traces, delays and spikes in flight, every population's state and shared
// traces, the image and sleep counters and the running mean image), with
// the configuration that shaped it, and optionally the label readout fitted
// to it (each readout neuron's class), so that a loaded network predicts
// without relabelling. Atomic, versioned and checksummed
// (io/checkpoint.hpp); a load checks before it changes anything.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../core/params.hpp"
#include "../io/checkpoint.hpp"

namespace somnus {

/// What load() found: differences in protocol fields between the file and
/// this network (the network keeps its own), and whether the file recorded
/// its configuration at all (files written before it did are checked by
/// shape only).
struct load_report {
    bool configuration_recorded = false;
    std::vector<std::string> notes;
    /// The label readout saved with the network (readout/assignment.hpp:
    /// each readout neuron's class or `unassigned`, -1), empty if the file
    /// has none.
    std::vector<int> assignment;
    std::size_t classes = 0;  ///< classes of that readout (0: none saved)
};

/// Saves net to path; with a non-empty `assignment` (one class per readout
/// neuron, -1 for none, below `classes`) the label readout goes with it.
template <class Network>
void save_network(const Network& net, const std::filesystem::path& path, std::span<const int> assignment, std::size_t classes)
{
    if (!assignment.empty()) {
        detail::require(assignment.size() == net.n_readout(), "save: a label readout of {} neurons for a network of {} readout neurons",
                        assignment.size(), net.n_readout());
        detail::require(classes >= 1 && classes <= 1000000, "save: {} classes", classes);
        for (std::size_t j = 0; j < assignment.size(); ++j)
            detail::require(assignment[j] >= -1 && assignment[j] < std::int64_t(classes), "save: readout neuron {} has class {} of {}", j,
                            assignment[j], classes);
    }
    checkpoint_writer w;
    w.add_text("network", Network::network_name);
    w.add_text("config", net.recorded_configuration().text());
    w.add_u64("shape", net.recorded_shape());
    const std::uint64_t seen[] = {net.images_seen_};
    w.add_u64("images_seen", seen);
    const std::uint64_t sleeps[] = {net.sleeps_done_};
    w.add_u64("sleeps_done", sleeps);
    const auto parts = const_cast<Network&>(net).parts();  // parts() hands out mutable references; saving reads them
    parts.for_each_projection([&](const auto& part) { part.proj.save_to(w, std::string(part.key) + ".", false); });
    w.add("mean_image", std::span<const float>(net.mean_image_));
    parts.for_each_population([&](auto& pop) { pop.save_to(w); });
    if (!assignment.empty()) {
        // Stored as class + 1, so that an unassigned neuron is 0.
        std::vector<std::uint64_t> stored(assignment.size());
        for (std::size_t j = 0; j < assignment.size(); ++j) stored[j] = std::uint64_t(assignment[j] + 1);
        w.add_u64("readout.assignment_plus_one", stored);
        const std::uint64_t n_classes[] = {classes};
        w.add_u64("readout.classes", n_classes);
    }
    w.save(path);
}

/// Saves net to path without a label readout.
template <class Network>
void save_network(const Network& net, const std::filesystem::path& path)
{
    save_network(net, path, {}, 10);
}

/// The file's recorded configuration must match this network's in every
/// field that shapes the saved state (sizes, dt, delays, weight bounds,
/// every neuron, plasticity and homeostasis parameter, the policy types); a
/// mismatch is refused with a data_error that names each field and both
/// values. Protocol fields (the config's is_protocol_field) may differ:
/// this network keeps its own and the report lists the differences. Values
/// are validated too (finite state, weights within bounds, delays within
/// the configured maximum). Anything refused leaves net unchanged.
template <class Network>
load_report load_network(Network& net, const std::filesystem::path& path)
{
    using config_type = std::remove_cvref_t<decltype(net.config())>;
    const char* name = Network::network_name;
    const checkpoint_reader r(path);
    if (r.read_text("network") != name) r.fail(fmt::format("not a {} checkpoint", name));
    const auto file_shape = r.read_u64("shape");
    const auto expected = net.recorded_shape();
    if (file_shape != expected) {
        if constexpr (requires { Network::describe_shape(file_shape); })
            r.fail(fmt::format("checkpoint is for {}, this network has {}", Network::describe_shape(file_shape), fmt::join(expected, " x ")));
        else
            r.fail(fmt::format("checkpoint is for shape ({}), this network has ({})", fmt::join(file_shape, " x "),
                               fmt::join(expected, " x ")));
    }
    load_report report;
    if (r.has("config")) {
        report.configuration_recorded = true;
        const auto saved = param_record::parse(r.read_text("config"), r.path());
        std::vector<std::string> refused;
        for (auto& d : net.recorded_configuration().differences(saved, "this network has", "the file has")) {
            const auto field = std::string_view(d).substr(0, d.find(':'));
            const bool protocol = field.starts_with("config.") && config_type::is_protocol_field(field.substr(7));
            (protocol ? report.notes : refused).push_back(std::move(d));
        }
        if (!refused.empty())
            r.fail(fmt::format("saved under another configuration ({} difference{}): {}", refused.size(), refused.size() == 1 ? "" : "s",
                               fmt::join(refused, "; ")));
    } else {
        report.notes.push_back("the file records no configuration (written by an older somnus): checked by shape only");
    }
    Network next = net;
    const auto seen = r.read_u64("images_seen");
    if (seen.size() != 1) r.fail("section 'images_seen' must hold one value");
    next.images_seen_ = seen[0];
    if (r.has("sleeps_done")) {
        const auto sleeps = r.read_u64("sleeps_done");
        if (sleeps.size() != 1) r.fail("section 'sleeps_done' must hold one value");
        next.sleeps_done_ = sleeps[0];
    } else {
        next.sleeps_done_ = 0;
    }
    const auto parts = next.parts();
    std::string first_plastic;  // where files written before traces were shared kept them
    parts.for_each_projection([&](const auto& part) {
        part.proj.load_from(r, std::string(part.key) + ".", false);
        if (first_plastic.empty() && part.view().weights != nullptr) first_plastic = std::string(part.key) + ".post_traces";
    });
    r.read("mean_image", std::span<float>(next.mean_image_));
    for (std::size_t i = 0; i < next.mean_image_.size(); ++i)
        if (!(next.mean_image_[i] >= 0.0f && next.mean_image_[i] <= 255.0f))
            r.fail(fmt::format("'mean_image' holds {} at input {}, outside the pixel range 0..255", next.mean_image_[i], i));
    parts.for_each_population([&](auto& pop) { pop.load_from(r, first_plastic); });
    if constexpr (requires { next.check_loaded(r); }) next.check_loaded(r);
    if (r.has("readout.assignment_plus_one") || r.has("readout.classes")) {
        const auto stored = r.read_u64("readout.assignment_plus_one");
        const auto classes = r.read_u64("readout.classes");
        if (classes.size() != 1 || classes[0] < 1 || classes[0] > 1000000)
            r.fail(fmt::format("'readout.classes' must hold one count of 1..1000000"));
        if (stored.size() != next.n_readout())
            r.fail(fmt::format("'readout.assignment_plus_one' has {} entries for {} readout neurons", stored.size(), next.n_readout()));
        report.assignment.resize(stored.size());
        for (std::size_t j = 0; j < stored.size(); ++j) {
            if (stored[j] > classes[0])
                r.fail(fmt::format("'readout.assignment_plus_one' gives readout neuron {} class {} of {}", j, std::int64_t(stored[j]) - 1,
                                   classes[0]));
            report.assignment[j] = int(stored[j]) - 1;
        }
        report.classes = classes[0];
    }
    net = std::move(next);
    return report;
}

} // namespace somnus
