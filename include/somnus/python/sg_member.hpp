// SPDX-License-Identifier: MIT
// somnus.GuptaMember in Python: one member of Gupta 2024's N-MNIST ensemble
// (snnTorch tutorial 7's convolutional SNN, surrogate-gradient training with
// Adam), trained and evaluated on tonic frame arrays [T, 2, 34, 34] as
// examples/nmnist_ensemble trains member m: parameters initialised from
// (seed, member), each epoch's order from the shuffle stream of
// (seed, (member << 20) + epoch + 1), so the same seed and recordings give
// the same parameters, losses and predictions as the C++ program.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <pybind11/stl.h>
#include <xtensor/xadapt.hpp>

#include "../core/random.hpp"
#include "../data/tonic.hpp"
#include "../sg/adam.hpp"
#include "../sg/batch_file.hpp"
#include "../sg/gupta.hpp"
#include "../sg/model_file.hpp"
#include "../sg/train.hpp"
#include "arrays.hpp"

namespace somnus::python {

/// Recordings as the engine takes them: sparse, channels-last frames.
struct frame_set {
    struct one {
        std::vector<std::uint32_t> offsets, index;
        std::vector<float> value;
        std::size_t label = 0;
    };
    std::vector<one> samples;

    std::vector<sg::frame_sample> views() const
    {
        std::vector<sg::frame_sample> v;
        for (const auto& s : samples) v.push_back({s.offsets, s.index, s.value, s.label});
        return v;
    }
};

/// A list of float32 frame arrays [T, 2, 34, 34] (tonic's ToFrame) and,
/// for training, their labels.
inline frame_set frames_from(const py::list& frames, const std::vector<std::size_t>& labels)
{
    frame_set set;
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const py::array a = frames[k];
        const std::string name = fmt::format("frames[{}]", k);
        const auto v = view<float>(a, name.c_str(), 4);
        if (dim(a, 1) != 2 || dim(a, 2) != 34 || dim(a, 3) != 34)
            throw py::value_error(fmt::format("{}: shape [{}, {}, {}, {}], expected [T, 2, 34, 34]", name, dim(a, 0), dim(a, 1), dim(a, 2), dim(a, 3)));
        if (dim(a, 0) == 0) throw py::value_error(fmt::format("{}: no frames", name));
        xt::xtensor<float, 4> dense = xt::adapt(v.data(), v.size(), xt::no_ownership(), std::array<std::size_t, 4>{dim(a, 0), 2, 34, 34});
        const auto sp = to_sparse_frames(dense);
        frame_set::one s;
        s.offsets = sp.offsets;
        sg::channels_last(sp.offsets, sp.index, sp.value, {sp.channels, sp.height, sp.width}, s.index, s.value);
        s.label = labels.empty() ? 0 : labels[k];
        set.samples.push_back(std::move(s));
    }
    return set;
}

class gupta_member {
public:
    gupta_member(std::uint64_t seed, std::size_t member, double lr, unsigned threads)
        : net_(sg::make_gupta_member()), params_(net_.parameter_count()), opt_(params_.size(), {lr, 0.9, 0.999, 1e-8}), seed_(seed),
          member_(member), threads_(threads)
    {
        if (threads == 0) throw py::value_error("threads: at least 1");
        if (!(lr > 0) || !std::isfinite(lr)) throw py::value_error(fmt::format("lr {}: expected a finite number > 0", lr));
        net_.init(params_, seed, member);
    }

    py::dict train(const py::list& frames, const py::array& labels, std::size_t epochs, std::size_t batch, progress_fn progress)
    {
        if (batch == 0) throw py::value_error("batch: at least 1");
        const auto l = view<std::uint8_t>(labels, "labels", 1);
        if (l.size() != frames.size()) throw py::value_error(fmt::format("{} recordings and {} labels", frames.size(), l.size()));
        for (std::size_t k = 0; k < l.size(); ++k)
            if (l[k] >= 10) throw py::value_error(fmt::format("labels[{}] = {}, not a class 0..9", k, int(l[k])));
        const auto set = frames_from(frames, std::vector<std::size_t>(l.begin(), l.end()));
        const auto views = set.views();
        const std::size_t n = views.size();
        std::vector<double> losses, accuracy;
        {
            py::gil_scoped_release free;
            progress_reporter report(std::move(progress), n * epochs);
            sg::trainer tr(net_, threads_);
            for (std::size_t e = 0; e < epochs; ++e) {
                const auto order = keyed_permutation(n, seed_, (std::uint64_t(member_) << 20) + epochs_done_ + 1);
                for (std::size_t b = 0; b < n; b += batch) {
                    std::vector<sg::frame_sample> chunk;
                    for (std::size_t k = b; k < std::min(n, b + batch); ++k) chunk.push_back(views[order[k]]);
                    const auto s = tr.train_step(params_, opt_, chunk);
                    losses.push_back(s.loss);
                    accuracy.push_back(s.accuracy());
                    report.tick(e * n + std::min(n, b + batch));
                }
                ++epochs_done_;
            }
        }
        py::dict d;
        d["losses"] = to_numpy(std::move(losses));
        d["batch_accuracy"] = to_numpy(std::move(accuracy));
        return d;
    }

    py::array_t<std::int64_t> predict(const py::list& frames, std::size_t batch, progress_fn progress) const
    {
        if (batch == 0) throw py::value_error("batch: at least 1");
        const auto set = frames_from(frames, {});
        const auto views = set.views();
        std::vector<std::int64_t> out(views.size());
        {
            py::gil_scoped_release free;
            progress_reporter report(std::move(progress), views.size());
            sg::trainer tr(net_, threads_);
            for (std::size_t b = 0; b < views.size(); b += batch) {
                const std::size_t n = std::min(batch, views.size() - b);
                std::vector<std::size_t> pred(n);
                tr.evaluate(params_, std::span(views).subspan(b, n), pred);
                for (std::size_t k = 0; k < n; ++k) out[b + k] = std::int64_t(pred[k]);
                report.tick(b + n);
            }
        }
        return to_numpy(std::move(out));
    }

    py::array_t<float> parameters() const { return copy_to_numpy<float>(params_); }
    void save(const std::string& path) const { sg::save(path, net_, params_); }
    void load(const std::string& path) { params_ = sg::load(path, net_); }

private:
    sg::gupta_member net_;
    std::vector<float> params_;
    sg::adam opt_;
    std::uint64_t seed_;
    std::size_t member_;
    unsigned threads_;
    std::size_t epochs_done_ = 0;
};

inline void bind_sg_member(py::module_& m)
{
    py::class_<gupta_member>(m, "GuptaMember",
                             "One member of Gupta 2024's ensemble: conv(2->12, 5) - pool 2 - LIF - conv(12->32, 5) - pool 2 - LIF - "
                             "linear(800->10) - LIF (beta 0.5, arctan surrogate), trained with Adam on spike-count cross-entropy, as "
                             "examples/nmnist_ensemble trains member `member`.")
        .def(py::init<std::uint64_t, std::size_t, double, unsigned>(), py::arg("seed") = 0, py::arg("member") = 0, py::arg("lr") = 2e-2,
             py::arg("threads") = 1)
        .def("train", &gupta_member::train, py::arg("frames"), py::arg("labels"), py::arg("epochs") = 1, py::arg("batch") = 128,
             py::arg("progress") = py::none(),
             "Trains on a list of float32 frame arrays [T, 2, 34, 34] (tonic's ToFrame) with uint8 labels; epoch e's order is the "
             "program's. Returns per-batch losses and accuracies.")
        .def("predict", &gupta_member::predict, py::arg("frames"), py::arg("batch") = 128, py::arg("progress") = py::none(),
             "The class of each recording (int64): the output neuron with most spikes.")
        .def_property_readonly("parameters", &gupta_member::parameters, "All parameters (float32, a copy).")
        .def("save", &gupta_member::save, py::arg("path"), "Saves the model (sg::save: atomic, versioned, checksummed).")
        .def("load", &gupta_member::load, py::arg("path"), "Loads parameters saved by save() (configuration checked).");
}

} // namespace somnus::python
