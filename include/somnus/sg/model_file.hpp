// SPDX-License-Identifier: MIT
// Saving and loading a surrogate-gradient model's parameters, as the STDP
// networks' checkpoints do: the somnus checkpoint format (atomic, versioned,
// CRC-checked, io/checkpoint.hpp), with the model's configuration recorded
// (input shape, every layer's type and parameters, the parameter count) and
// compared field by field on load, and every value checked finite before
// anything is handed back. A file holds one model at the top level (save /
// load), or several under prefixes inside a larger checkpoint (an ensemble
// member's, with its predictions and losses: save_parameters /
// load_parameters).
//
//   sg::save("member.ckpt", net, params);
//   std::vector<float> back = sg::load("member.ckpt", net);   // bit for bit
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../io/checkpoint.hpp"
#include "sequential.hpp"

namespace somnus::sg {

/// Version of what save_parameters writes (beside the container's own).
inline constexpr std::uint64_t model_file_version = 1;

/// The configuration a parameter vector belongs to: the input shape, the
/// parameter count, and every layer's type and parameters (layer.0, ...).
template <layer... Layers>
param_record describe(const sequential<Layers...>& net)
{
    param_record r;
    const auto in = net.input_shape();
    r.add("input", fmt::format("{}x{}x{}", in.c, in.h, in.w));
    r.add("parameters", net.parameter_count());
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        (record_policy(r, fmt::format("layer.{}", K), net.template layer_at<K>()), ...);
    }(std::index_sequence_for<Layers...>{});
    return r;
}

/// Adds the model's configuration and parameters under `prefix` to w.
template <class Net>
void save_parameters(checkpoint_writer& w, const Net& net, std::span<const float> params, const std::string& prefix = "")
{
    detail::require(params.size() == net.parameter_count(), "sg::save_parameters: {} parameters given, the model has {}", params.size(),
                    net.parameter_count());
    w.add_u64(prefix + "model_version", std::vector<std::uint64_t>{model_file_version});
    w.add_text(prefix + "model", describe(net).text());
    w.add(prefix + "parameters", params, {params.size()});
}

/// Reads what save_parameters wrote under `prefix` into params, refusing
/// (data_error naming the file and the section, params untouched) another
/// version, another configuration (every differing field listed), another
/// count or a value that is not finite.
template <class Net>
void load_parameters(const checkpoint_reader& r, const Net& net, std::span<float> params, const std::string& prefix = "")
{
    detail::require(params.size() == net.parameter_count(), "sg::load_parameters: room for {} parameters, the model has {}", params.size(),
                    net.parameter_count());
    if (!r.has(prefix + "model_version") || !r.has(prefix + "model") || !r.has(prefix + "parameters"))
        r.fail(fmt::format("no surrogate-gradient model under '{}' (sections {}model_version, {}model, {}parameters)", prefix, prefix, prefix,
                           prefix));
    const auto version = r.read_u64(prefix + "model_version");
    if (version.size() != 1 || version[0] != model_file_version)
        r.fail(fmt::format("'{}model_version' is {}, this build reads version {}", prefix, version.empty() ? 0 : version[0],
                           model_file_version));
    const auto saved = param_record::parse(r.read_text(prefix + "model"), r.path());
    const auto diffs = describe(net).differences(saved, "this model has", "the file has");
    if (!diffs.empty()) {
        std::string list;
        for (const auto& d : diffs) list += (list.empty() ? "" : "; ") + d;
        r.fail(fmt::format("a model of another configuration ({} difference{}): {}", diffs.size(), diffs.size() == 1 ? "" : "s", list));
    }
    std::vector<float> values(params.size());
    r.read(prefix + "parameters", std::span<float>(values));
    for (std::size_t k = 0; k < values.size(); ++k)
        if (!std::isfinite(values[k])) r.fail(fmt::format("'{}parameters' holds {} at index {}", prefix, values[k], k));
    std::copy(values.begin(), values.end(), params.begin());
}

/// One model in its own file, written atomically.
template <class Net>
void save(const std::filesystem::path& path, const Net& net, std::span<const float> params)
{
    checkpoint_writer w;
    w.add_text("kind", "somnus sg model");
    save_parameters(w, net, params);
    w.save(path);
}

/// The parameters of a model saved by save(), for this model.
template <class Net>
std::vector<float> load(const std::filesystem::path& path, const Net& net)
{
    const checkpoint_reader r(path);
    if (!r.has("kind") || r.read_text("kind") != "somnus sg model") r.fail("not a somnus surrogate-gradient model file");
    std::vector<float> params(net.parameter_count());
    load_parameters(r, net, params);
    return params;
}

} // namespace somnus::sg
