// SPDX-License-Identifier: MIT
// Checkpoints of any network built from parts: everything needed to
// continue exactly where training stands (every projection's weights,
// traces, delays and spikes in flight, every population's state and shared
// traces, the image and sleep counters and the running mean image), with
// the configuration that shaped it. Atomic, versioned and checksummed
// (io/checkpoint.hpp); a load checks before it changes anything.
#pragma once

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
};

template <class Network>
void save_network(const Network& net, const std::filesystem::path& path)
{
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
    w.save(path);
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
    net = std::move(next);
    return report;
}

} // namespace somnus
