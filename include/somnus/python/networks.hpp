// SPDX-License-Identifier: MIT
// somnus.DiehlCook and somnus.LabelReadout in Python: the Diehl & Cook 2015
// network built as examples/diehl_cook builds it (the same seed gives the
// same weights, spikes and accuracy), trained image by image on uint8
// arrays, evaluated from rest on any number of threads (the same counts for
// any number), slept with the shipped recipes, saved and loaded with its
// label readout. Long calls release the GIL and report progress through an
// optional callback progress(done, total), called with the GIL held.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "../network/competitive.hpp"
#include "../network/evaluate.hpp"
#include "../readout/assignment.hpp"
#include "../sleep/recipes.hpp"
#include "arrays.hpp"

namespace somnus::python {

/// Sets the fields of p (which offers each_field) named in d; a key that
/// names no field, or a value of the wrong type, is a ValueError.
template <class P>
void set_fields(P& p, const py::dict& d, const char* what)
{
    std::size_t used = 0;
    p.each_field([&](const char* name, const auto& field) {
        if (!d.contains(name)) return;
        using T = std::remove_cvref_t<decltype(field)>;
        try {
            const_cast<T&>(field) = d[name].template cast<T>();  // p itself is not const
        } catch (const py::cast_error&) {
            throw py::value_error(fmt::format("{}: '{}' = {} is not a {}", what, name, py::repr(d[name]).cast<std::string>(),
                                              std::is_same_v<T, bool> ? "bool" : std::is_floating_point_v<T> ? "number" : "whole number"));
        }
        ++used;
    });
    if (used != d.size()) {
        std::vector<std::string> known;
        p.each_field([&](const char* name, const auto&) { known.emplace_back(name); });
        for (const auto& [k, v] : d) {
            const auto key = py::str(k).cast<std::string>();
            if (std::find(known.begin(), known.end(), key) == known.end())
                throw py::value_error(fmt::format("{}: no parameter '{}' (it has: {})", what, key, fmt::join(known, ", ")));
        }
    }
}

template <class P>
py::dict fields_of(const P& p)
{
    py::dict d;
    p.each_field([&](const char* name, const auto& v) { d[name] = v; });
    return d;
}

/// Images as one flat uint8 span: [n, 28, 28] or [n, 784].
inline std::span<const std::uint8_t> images_view(const py::array& images, std::size_t n_input, std::size_t& n)
{
    if (images.ndim() != 2 && images.ndim() != 3)
        throw py::value_error(fmt::format("images: {} dimensions, expected [n, rows, cols] or [n, pixels]", images.ndim()));
    const auto v = view<std::uint8_t>(images, "images");
    n = dim(images, 0);
    if (n != 0 && v.size() / n != n_input)
        throw py::value_error(fmt::format("images: {} pixels each, the network has {} inputs", v.size() / n, n_input));
    return v;
}

/// The network with the settings examples/diehl_cook takes as flags.
class diehl_cook {
public:
    explicit diehl_cook(const py::dict& config)
    {
        py::dict rest;
        for (const auto& [k, v] : config) {
            const auto key = py::str(k).cast<std::string>();
            if (key == "original_refractory")
                original_refractory_ = v.cast<bool>();
            else if (key == "integration")
                integration_ = v.cast<std::string>();
            else
                rest[k] = v;
        }
        if (integration_ != "exponential" && integration_ != "euler")
            throw py::value_error(fmt::format("integration '{}': expected 'exponential' or 'euler'", integration_));
        set_fields(cfg_, rest, "DiehlCook config");
        cfg_.validate();
        auto exc = conductance_lif::diehl_cook_excitatory();
        auto inh = conductance_lif::diehl_cook_inhibitory();
        if (original_refractory_) exc.lockout_ms = 50.0f;
        exc.scheme = inh.scheme = integration_ == "euler" ? conductance_lif::integration::euler : conductance_lif::integration::exponential;
        net_ = std::make_unique<diehl_cook_network>(cfg_, conductance_lif(exc, cfg_.dt_ms), conductance_lif(inh, cfg_.dt_ms));
    }

    py::dict config() const
    {
        auto d = fields_of(cfg_);
        d["original_refractory"] = original_refractory_;
        d["integration"] = integration_;
        return d;
    }

    py::dict train(const py::array& images, std::size_t epochs, progress_fn progress)
    {
        std::size_t n = 0;
        const auto pixels = images_view(images, net_->n_input(), n);
        std::uint64_t presentations = 0;
        const auto t0 = std::chrono::steady_clock::now();
        {
            py::gil_scoped_release free;
            progress_reporter report(std::move(progress), n * epochs);
            for (std::size_t e = 0; e < epochs; ++e)
                for (std::size_t k = 0; k < n; ++k) {
                    presentations += 1 + net_->train(pixels.subspan(k * net_->n_input(), net_->n_input())).repeats;
                    report.tick(e * n + k + 1);
                }
        }
        py::dict d;
        d["images"] = n * epochs;
        d["presentations"] = presentations;
        d["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return d;
    }

    py::array_t<std::uint32_t> evaluate(const py::array& images, const std::string& split, unsigned threads, progress_fn progress) const
    {
        if (split != "train" && split != "test") throw py::value_error(fmt::format("split '{}': expected 'train' or 'test'", split));
        if (threads == 0) throw py::value_error("threads: at least 1");
        std::size_t n = 0;
        const auto pixels = images_view(images, net_->n_input(), n);
        std::vector<std::uint32_t> counts;
        {
            py::gil_scoped_release free;
            progress_reporter report(std::move(progress), n);
            // Image k's input spikes come from the stream of (split, k), as in
            // the programs (labelling images are training images 0.., test
            // images are test images 0..).
            counts = evaluate_counts(*net_, pixels, 0, n, split == "train" ? image_set::train : image_set::test, threads,
                                     [&](std::size_t d) { report.tick(d); });
        }
        return to_numpy(std::move(counts), {n, net_->n_readout()});
    }

    py::array_t<float> weights() const
    {
        const auto& w = net_->weights();
        return copy_to_numpy<float>(w, {w.shape()[0], w.shape()[1]});
    }
    py::array_t<float> theta() const { return copy_to_numpy<float>(net_->exc_state().theta); }
    std::uint64_t images_seen() const { return net_->images_seen(); }
    std::size_t neurons() const { return net_->n_readout(); }

    py::dict sleep(const std::string& recipe, const py::dict& params)
    {
        sleep_report r;
        double ms = 0.0;
        const auto run = [&](auto phase, double duration) {
            ms = duration;
            py::gil_scoped_release free;
            r = net_->sleep(phase, duration);
        };
        if (recipe == "tadros_2019") {
            recipes::tadros_2019_params p;
            set_fields(p, params, "tadros_2019");
            run(recipes::tadros_2019(p), p.duration_ms);
        } else if (recipe == "synaptic_downscaling" || recipe == "noise_injection" || recipe == "summary_scale_decay_prune") {
            // One value (factor / rate_hz / the summary's four) and the duration.
            py::dict q = params.attr("copy")();  // the caller's dict is left as it was
            const double duration = q.contains("duration_ms") ? q["duration_ms"].cast<double>() : 2000.0;
            if (q.contains("duration_ms")) PyDict_DelItemString(q.ptr(), "duration_ms");
            if (recipe == "synaptic_downscaling") {
                simple_params<1> p{{"factor"}, {0.8}};
                p.read(q, recipe);
                run(recipes::synaptic_downscaling(float(p.v[0])), duration);
            } else if (recipe == "noise_injection") {
                simple_params<1> p{{"rate_hz"}, {10.0}};
                p.read(q, recipe);
                run(recipes::noise_injection(float(p.v[0])), duration);
            } else {
                const recipes::summary_params s;
                simple_params<4> p{{"target", "factor", "baseline", "floor"}, {s.target, s.factor, s.baseline, s.floor}};
                p.read(q, recipe);
                run(recipes::summary_scale_decay_prune(cfg_.dt_ms, {float(p.v[0]), float(p.v[1]), float(p.v[2]), float(p.v[3])}), duration);
            }
        } else {
            throw py::value_error(fmt::format("recipe '{}': expected tadros_2019, synaptic_downscaling, noise_injection or "
                                              "summary_scale_decay_prune (massey_2026 belongs to the Massey network)",
                                              recipe));
        }
        py::dict d;
        d["steps"] = r.steps;
        d["input_spikes"] = r.input_spikes;
        d["excitatory_spikes"] = r.excitatory_spikes;
        d["inhibitory_spikes"] = r.inhibitory_spikes;
        d["duration_ms"] = ms;
        return d;
    }

    void save(const std::string& path, const std::optional<label_readout>& readout) const
    {
        if (readout)
            net_->save(path, readout->assignment(), readout->responses().n_classes());
        else
            net_->save(path);
    }

    /// Loads a checkpoint into this network (its configuration must match
    /// in everything that shapes the state); returns (readout or None, notes).
    py::tuple load(const std::string& path)
    {
        const auto report = net_->load(path);
        py::object readout = py::none();
        if (!report.assignment.empty()) readout = py::cast(label_readout(report.assignment, report.classes));
        return py::make_tuple(readout, report.notes);
    }

private:
    template <std::size_t K>
    struct simple_params {
        std::array<const char*, K> names;
        std::array<double, K> v;
        void read(const py::dict& d, const std::string& what)
        {
            std::size_t used = 0;
            for (std::size_t k = 0; k < K; ++k)
                if (d.contains(names[k])) {
                    v[k] = d[names[k]].template cast<double>();
                    ++used;
                }
            if (used != d.size()) throw py::value_error(fmt::format("{}: parameters are {} and duration_ms", what, fmt::join(names, ", ")));
        }
    };

    competitive_config cfg_;
    bool original_refractory_ = false;
    std::string integration_ = "exponential";
    std::unique_ptr<diehl_cook_network> net_;
};

inline vote vote_named(const std::string& name)
{
    if (name == "mean") return vote::mean;
    if (name == "sum") return vote::sum;
    if (name == "proportion") return vote::proportion;
    throw py::value_error(fmt::format("vote '{}': expected 'mean', 'sum' or 'proportion'", name));
}

inline void bind_networks(py::module_& m)
{
    py::class_<label_readout>(m, "LabelReadout",
                              "Diehl & Cook's readout: each neuron is assigned the class it responds to most (mean count per image); "
                              "an image is classified by the class whose neurons respond most.")
        .def(py::init([](const py::array& counts, const py::array& labels, std::size_t classes) {
                 const auto c = view<std::uint32_t>(counts, "counts", 2);
                 const auto l = view<std::uint8_t>(labels, "labels", 1);
                 if (dim(counts, 0) != l.size())
                     throw py::value_error(fmt::format("counts: {} images, labels: {}", dim(counts, 0), l.size()));
                 return label_readout(c, l, dim(counts, 1), classes);
             }),
             py::arg("counts"), py::arg("labels"), py::arg("classes") = 10,
             "Fits the labels on spike counts (uint32 [images, neurons]) and the images' labels (uint8).")
        .def_static(
            "from_assignment",
            [](const py::array& assignment, std::size_t classes) {
                const auto a = view<std::int32_t>(assignment, "assignment", 1);
                return label_readout(std::vector<int>(a.begin(), a.end()), classes);
            },
            py::arg("assignment"), py::arg("classes") = 10, "A readout from a saved assignment (int32, -1 = unassigned).")
        .def_property_readonly("assignment", [](const label_readout& r) { return copy_to_numpy<std::int32_t>(r.assignment()); })
        .def_property_readonly("classes", [](const label_readout& r) { return r.responses().n_classes(); })
        .def(
            "predict",
            [](const label_readout& r, const py::array& counts, const std::string& rule) {
                const auto c = view<std::uint32_t>(counts, "counts", 2);
                const std::size_t n = dim(counts, 0), k = dim(counts, 1);
                if (k != r.assignment().size())
                    throw py::value_error(fmt::format("counts: {} neurons, the readout has {}", k, r.assignment().size()));
                const vote v = vote_named(rule);
                std::vector<std::int32_t> out(n);
                for (std::size_t i = 0; i < n; ++i) out[i] = r.classify(c.subspan(i * k, k), v);
                return to_numpy(std::move(out));
            },
            py::arg("counts"), py::arg("vote") = "mean", "The class of each image (int32; -1 when no neuron is assigned) by the 'mean' (the paper's), 'sum' or 'proportion' vote.");

    py::class_<diehl_cook>(m, "DiehlCook",
                           "The Diehl & Cook 2015 network (784 Poisson inputs -> N excitatory conductance LIF neurons with adaptive "
                           "thresholds, one-to-one inhibition), as examples/diehl_cook builds it.")
        .def(py::init<const py::dict&>(), py::arg("config") = py::dict(),
             "config: the fields of competitive_config by name (n_exc, seed, input_delay_max_ms, max_repeats, dt_ms, ...), plus "
             "original_refractory (bool) and integration ('exponential' or 'euler'). Unknown keys are refused.")
        .def_property_readonly("config", &diehl_cook::config)
        .def_property_readonly("neurons", &diehl_cook::neurons)
        .def_property_readonly("images_seen", &diehl_cook::images_seen)
        .def_property_readonly("weights", &diehl_cook::weights, "Input x excitatory weights (float32 [784, N], a copy).")
        .def_property_readonly("theta", &diehl_cook::theta, "Adaptive thresholds (float32 [N], mV, a copy).")
        .def("train", &diehl_cook::train, py::arg("images"), py::arg("epochs") = 1, py::arg("progress") = py::none(),
             "STDP on, image after image (uint8 [n, 28, 28] or [n, 784]), `epochs` passes. Returns images, presentations, seconds.")
        .def("evaluate", &diehl_cook::evaluate, py::arg("images"), py::arg("split") = "test", py::arg("threads") = 1, py::arg("progress") = py::none(),
             "Frozen network, each image from rest: spike counts (uint32 [n, N]). Image k's input spikes are drawn from the stream "
             "of (split, k), as the C++ programs draw them (labelling: 'train', test: 'test'); the same counts for "
             "any number of threads.")
        .def(
            "label",
            [](const diehl_cook& net, const py::array& images, const py::array& labels, unsigned threads, progress_fn progress) {
                auto counts = net.evaluate(images, "train", threads, std::move(progress));
                const auto l = view<std::uint8_t>(labels, "labels", 1);
                if (l.size() != std::size_t(counts.shape(0)))
                    throw py::value_error(fmt::format("images: {}, labels: {}", counts.shape(0), l.size()));
                return label_readout({counts.data(), std::size_t(counts.size())}, l, std::size_t(counts.shape(1)));
            },
            py::arg("images"), py::arg("labels"), py::arg("threads") = 1, py::arg("progress") = py::none(),
            "Labels the neurons on training images (evaluate with split 'train', then LabelReadout).")
        .def("sleep", &diehl_cook::sleep, py::arg("recipe") = "tadros_2019", py::arg("params") = py::dict(),
             "Runs a sleep phase of a shipped recipe: tadros_2019 (params: rate_scale, window_px, exc_gain, inh_gain, leak, stdp, "
             "threshold_adaptation, duration_ms), synaptic_downscaling (factor), noise_injection (rate_hz), summary_scale_decay_prune "
             "(target, factor, baseline, floor); duration_ms for each. Returns the phase's step and spike counts.")
        .def("save", &diehl_cook::save, py::arg("path"), py::arg("readout") = py::none(),
             "Saves the network (atomic, versioned, checksummed), with its label readout if given.")
        .def("load", &diehl_cook::load, py::arg("path"),
             "Loads a checkpoint into this network; returns (readout saved with it or None, notes on protocol settings that differ).");
}

} // namespace somnus::python
