// SPDX-License-Identifier: MIT
// somnus.data in Python: MNIST / Fashion-MNIST IDX folders as uint8 arrays;
// N-MNIST files read and written with events as tonic's structured array
// (fields x, y, t, p: int64, t in microseconds, p 1 for ON); tonic's
// Denoise and ToFrame; the saccade synthesiser that makes N-MNIST-format
// recordings from images (examples/make_nmnist).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "../data/events.hpp"
#include "../data/mnist.hpp"
#include "../data/nmnist.hpp"
#include "../data/saccade.hpp"
#include "../data/tonic.hpp"
#include "arrays.hpp"

namespace somnus::python {

/// tonic's event dtype for N-MNIST: x, y, t, p, each a native int64.
inline py::dtype tonic_event_dtype()
{
    py::list fields;
    for (const char* f : {"x", "y", "t", "p"}) fields.append(py::make_tuple(f, "<i8"));
    return py::dtype::from_args(fields);
}

inline py::array events_to_numpy(const std::vector<event>& ev)
{
    struct row {
        std::int64_t x, y, t, p;
    };
    static_assert(sizeof(row) == 32);
    py::array a(tonic_event_dtype(), std::vector<py::ssize_t>{static_cast<py::ssize_t>(ev.size())});
    auto* out = static_cast<row*>(a.mutable_data());
    for (std::size_t k = 0; k < ev.size(); ++k) out[k] = {ev[k].x, ev[k].y, std::int64_t{ev[k].t_us}, ev[k].on ? 1 : 0};
    return a;
}

/// A structured array with integer fields x, y, t, p (any integer widths,
/// as tonic's or a user's) as events; values outside the format are a
/// ValueError naming the event.
inline std::vector<event> events_from_numpy(const py::array& a, const char* name = "events")
{
    if (a.ndim() != 1) throw py::value_error(fmt::format("{}: {} dimensions, expected a 1-d structured array", name, a.ndim()));
    const py::object fields = a.dtype().attr("fields");
    if (fields.is_none()) throw py::value_error(fmt::format("{}: not a structured array with fields x, y, t, p", name));
    std::array<std::vector<std::int64_t>, 4> col;
    const char* names[] = {"x", "y", "t", "p"};
    const auto np = py::module_::import("numpy");
    for (int f = 0; f < 4; ++f) {
        if (!fields.contains(names[f])) throw py::value_error(fmt::format("{}: no field '{}' (expected x, y, t, p)", name, names[f]));
        const py::array c = a[py::str(names[f])];
        if (c.dtype().kind() != 'i' && c.dtype().kind() != 'u' && c.dtype().kind() != 'b')
            throw py::value_error(fmt::format("{}: field '{}' is not an integer field", name, names[f]));
        const py::array as64 = np.attr("ascontiguousarray")(c, py::arg("dtype") = "int64");
        const auto v = view<std::int64_t>(as64, names[f], 1);
        col[f].assign(v.begin(), v.end());
    }
    std::vector<event> ev(col[0].size());
    for (std::size_t k = 0; k < ev.size(); ++k) {
        const auto x = col[0][k], y = col[1][k], t = col[2][k], p = col[3][k];
        if (x < 0 || x > 0xffff || y < 0 || y > 0xffff || t < 0 || t > std::numeric_limits<std::uint32_t>::max() || (p != 0 && p != 1))
            throw py::value_error(fmt::format("{}: event {} (x {}, y {}, t {}, p {}) is outside x, y in 0..65535, t in 0..2^32-1 us, p 0 or 1",
                                              name, k, x, y, t, p));
        ev[k] = {static_cast<std::uint32_t>(t), static_cast<std::uint16_t>(x), static_cast<std::uint16_t>(y), p == 1};
    }
    return ev;
}

inline sensor_size sensor_from(const std::pair<std::uint16_t, std::uint16_t>& s) { return {s.first, s.second}; }

inline py::array_t<float> frames_to_numpy(const xt::xtensor<float, 4>& f)
{
    const auto& s = f.shape();
    return to_numpy(std::vector<float>(f.begin(), f.end()), {s[0], s[1], s[2], s[3]});
}

inline void bind_data(py::module_& m)
{
    m.def(
        "load_mnist",
        [](const std::string& folder, const std::string& split, std::optional<std::size_t> limit) {
            if (split != "train" && split != "test") throw py::value_error(fmt::format("split '{}': expected 'train' or 'test'", split));
            image_dataset d;
            {
                py::gil_scoped_release free;
                d = load_mnist(folder, split == "train" ? mnist_split::train : mnist_split::test, limit.value_or(std::numeric_limits<std::size_t>::max()));
            }
            const std::size_t n = d.size();
            return py::make_tuple(to_numpy(std::move(d.pixels), {n, d.rows, d.cols}), to_numpy(std::move(d.labels)));
        },
        py::arg("folder"), py::arg("split") = "train", py::arg("limit") = py::none(),
        "(images uint8 [n, rows, cols], labels uint8 [n]) from an IDX folder (MNIST or Fashion-MNIST; .gz files too): "
        "train-* or t10k-* files, the first `limit` images. A truncated or corrupt file is an OSError naming it.");

    m.attr("EVENT_DTYPE") = tonic_event_dtype();
    m.def(
        "read_nmnist", [](const std::string& path) { return events_to_numpy(read_nmnist(path)); }, py::arg("path"),
        "Events of an N-MNIST .bin file (40-bit records, overflow markers applied) as tonic's structured array (x, y, t, p).");
    m.def(
        "write_nmnist", [](const std::string& path, const py::array& events) { write_nmnist(path, events_from_numpy(events)); },
        py::arg("path"), py::arg("events"),
        "Writes events (a structured array with x, y, t, p) as an N-MNIST .bin file (the real format, overflow markers added), atomically.");
    m.def(
        "denoise",
        [](const py::array& events, std::uint32_t filter_time, std::pair<std::uint16_t, std::uint16_t> sensor) {
            return events_to_numpy(tonic_denoise(events_from_numpy(events), sensor_from(sensor), filter_time));
        },
        py::arg("events"), py::arg("filter_time") = 10000, py::arg("sensor_size") = std::pair<std::uint16_t, std::uint16_t>{34, 34},
        "tonic's Denoise(filter_time): keeps an event if a neighbour pixel fired within filter_time us before it.");
    m.def(
        "to_frame",
        [](const py::array& events, std::uint32_t time_window, std::pair<std::uint16_t, std::uint16_t> sensor) {
            return frames_to_numpy(tonic_to_frame(events_from_numpy(events), sensor_from(sensor), time_window));
        },
        py::arg("events"), py::arg("time_window") = 1000, py::arg("sensor_size") = std::pair<std::uint16_t, std::uint16_t>{34, 34},
        "tonic's ToFrame(time_window): event counts in frames of time_window us, float32 [T, 2, height, width] (channel 1: ON).");
    m.def(
        "synthesize_saccades",
        [](const py::array& image, std::uint64_t sample, std::uint64_t seed, const py::dict& params) {
            const auto px = view<std::uint8_t>(image, "image", 2);
            saccade_params p;
            for (const auto& [k, v] : params) {
                const auto key = py::str(k).cast<std::string>();
                if (key == "black_level") p.black_level = v.cast<float>();
                else if (key == "on_threshold") p.on_threshold = v.cast<float>();
                else if (key == "off_threshold") p.off_threshold = v.cast<float>();
                else if (key == "threshold_sigma") p.threshold_sigma = v.cast<float>();
                else if (key == "min_threshold") p.min_threshold = v.cast<float>();
                else if (key == "refractory_us") p.refractory_us = v.cast<std::uint32_t>();
                else if (key == "noise_rate_hz") p.noise_rate_hz = v.cast<float>();
                else if (key == "noise_on_fraction") p.noise_on_fraction = v.cast<float>();
                else if (key == "saccade_us") p.saccade_us = v.cast<std::uint32_t>();
                else throw py::value_error(fmt::format("synthesize_saccades: no parameter '{}' (it has black_level, on_threshold, "
                                                       "off_threshold, threshold_sigma, min_threshold, refractory_us, noise_rate_hz, "
                                                       "noise_on_fraction, saccade_us)", key));
            }
            const saccade_synthesizer syn(p, seed);
            return events_to_numpy(syn.synthesize(px, dim(image, 0), dim(image, 1), sample));
        },
        py::arg("image"), py::arg("sample") = 0, py::arg("seed") = 0, py::arg("params") = py::dict(),
        "An N-MNIST-format recording (34 x 34 sensor, three saccades, 315 ms) of a uint8 image [rows, cols], as make_nmnist makes "
        "it: the sensor's thresholds from `seed`, the recording's noise from (seed, sample). make_nmnist numbers training image i "
        "as sample i and test image i as (1 << 32) | i.");
}

} // namespace somnus::python
