// SPDX-License-Identifier: MIT
// The arrays behind a program's figures, written as NumPy .npy files next to
// its JSON result and named in it, so that the program's figure script
// (examples/<program>/figures.py, run by scripts/figures RESULT.json OUTDIR)
// or a user's own script draws from them with numpy.load:
//
//   ex::array_outputs arrays("diehl_cook", o.json);   // result.json -> result.<name>.npy
//   arrays.add("weights", w, "input x neuron weights after training");
//   ...
//   arrays.describe_in(j);   // j["program"], j["arrays"] = {name: {file, shape, dtype, what}}
//
// Each file is written atomically (io/npy.hpp); the JSON gives it by a path
// relative to the JSON's folder. With no JSON path nothing is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include <somnus/io/npy.hpp>

namespace somnus::example {

class array_outputs {
public:
    /// program: the name scripts/figures dispatches on; json: the result
    /// file's path (empty: no arrays are written).
    array_outputs(std::string program, const std::string& json) : program_(std::move(program)), json_(json) {}

    bool enabled() const { return !json_.empty(); }

    /// Writes e as <json stem>.<name>.npy beside the JSON and records it.
    template <class E>
    void add(const std::string& name, const xt::xexpression<E>& e, const std::string& what)
    {
        if (!enabled()) return;
        const auto file = json_.stem().string() + "." + name + ".npy";
        const auto& d = e.derived_cast();
        std::vector<std::size_t> shape(d.shape().begin(), d.shape().end());
        somnus::write_npy(json_.parent_path() / file, e);
        index_[name] = {{"file", file}, {"shape", shape}, {"dtype", somnus::detail::npy_descr<std::remove_cv_t<typename E::value_type>>()}, {"what", what}};
    }

    /// A flat contiguous range (a vector, a span) with the given shape
    /// (row-major; {} means 1-d).
    template <std::ranges::contiguous_range R>
        requires(!xt::is_xexpression<R>::value)
    void add(const std::string& name, const R& v, const std::string& what, std::vector<std::size_t> shape = {})
    {
        if (!enabled()) return;
        if (shape.empty()) shape = {std::ranges::size(v)};
        add(name, xt::adapt(std::ranges::data(v), std::ranges::size(v), xt::no_ownership(), shape), what);
    }

    /// Records the program and the arrays in a result JSON.
    void describe_in(nlohmann::json& j) const
    {
        j["program"] = program_;
        j["arrays"] = index_.is_null() ? nlohmann::json::object() : index_;
    }

private:
    std::string program_;
    std::filesystem::path json_;
    nlohmann::json index_;
};

} // namespace somnus::example
