// SPDX-License-Identifier: MIT
// What every part of the Python module shares: numpy arrays checked before a
// byte is read (dtype, dimensions, C order: a wrong one is a ValueError
// naming the argument, never converted or read as garbage), arrays handed
// back to Python that own their data, progress callbacks, somnus's errors as Python exceptions
// (config_error -> ValueError, data_error -> OSError, with the C++ message),
// and the estimator and unit names the information functions take.
//
// These headers need pybind11 (Debian pybind11-dev); the rest of somnus does
// not include them. A project that composes its own network types can
// include them to bind those types the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // in every part: type casters must be the same in every translation unit

#include "../core/error.hpp"
#include "../entropy/miller_madow.hpp"
#include "../entropy/plug_in.hpp"
#include "../entropy/unit.hpp"

namespace somnus::python {

namespace py = pybind11;

/// The elements of a numpy array of element type T, C-contiguous, with
/// `ndim` dimensions (0: any); a ValueError naming `name` otherwise.
template <class T>
std::span<const T> view(const py::array& a, const char* name, int ndim = 0)
{
    const auto want = py::dtype::of<T>();
    if (a.dtype().kind() != want.kind() || a.dtype().itemsize() != want.itemsize() || !a.dtype().attr("isnative").cast<bool>())
        throw py::value_error(fmt::format("{}: dtype {}, expected {} (convert with numpy.asarray(..., dtype=...))", name,
                                          py::str(py::handle(a.dtype())).cast<std::string>(), py::str(py::handle(want)).cast<std::string>()));
    if (ndim != 0 && a.ndim() != ndim)
        throw py::value_error(fmt::format("{}: {} dimensions, expected {}", name, a.ndim(), ndim));
    if (!(a.flags() & py::array::c_style))
        throw py::value_error(fmt::format("{}: not C-contiguous (pass numpy.ascontiguousarray(...))", name));
    return {static_cast<const T*>(a.data()), static_cast<std::size_t>(a.size())};
}

/// The length of dimension d of a.
inline std::size_t dim(const py::array& a, int d) { return static_cast<std::size_t>(a.shape(d)); }

/// A numpy array that takes over v (no copy) with the given shape.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<std::size_t> shape = {})
{
    if (shape.empty()) shape = {v.size()};
    auto* owned = new std::vector<T>(std::move(v));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(shape, owned->data(), free_when_done);
}

/// A copy of a range as a 1-d numpy array.
template <class T, class R>
py::array_t<T> copy_to_numpy(const R& r, std::vector<std::size_t> shape = {})
{
    return to_numpy(std::vector<T>(std::begin(r), std::end(r)), std::move(shape));
}

inline info_unit unit_named(const std::string& unit)
{
    if (unit == "bits") return info_unit::bits;
    if (unit == "nats") return info_unit::nats;
    throw py::value_error(fmt::format("unit '{}': expected 'bits' or 'nats'", unit));
}

/// Calls f with the estimator named ("plug_in" or "miller_madow") in `unit`.
template <class F>
decltype(auto) with_estimator(const std::string& name, const std::string& unit, F&& f)
{
    const info_unit u = unit_named(unit);
    if (name == "plug_in") return f(plug_in{u});
    if (name == "miller_madow") return f(miller_madow{u});
    throw py::value_error(fmt::format("estimator '{}': expected 'plug_in' or 'miller_madow'", name));
}

/// An optional Python callback progress(done, total).
using progress_fn = std::optional<std::function<void(std::size_t, std::size_t)>>;

/// Calls progress(done, total) at most every half second and at the end;
/// tick() is called with the GIL released and takes it only to report.
class progress_reporter {
public:
    progress_reporter(progress_fn fn, std::size_t total)
        : fn_(std::move(fn)), total_(total)
    {
    }
    void tick(std::size_t done)
    {
        if (!fn_) return;
        const auto now = std::chrono::steady_clock::now();
        if (done != total_ && now - last_ < std::chrono::milliseconds(500)) return;
        last_ = now;
        py::gil_scoped_acquire hold;
        (*fn_)(done, total_);
    }

private:
    progress_fn fn_;
    std::size_t total_;
    std::chrono::steady_clock::time_point last_{};
};

/// somnus's exceptions as Python's, message kept.
inline void register_errors()
{
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const somnus::config_error& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const somnus::data_error& e) {
            PyErr_SetString(PyExc_OSError, e.what());
        }
    });
}

} // namespace somnus::python
