// SPDX-License-Identifier: MIT
// One part of the module in its own translation unit (somnus_module.cpp
// calls it): smaller units compile in parallel, and the compiler's
// per-unit inlining budget goes to this part's kernels alone.
#include <somnus/python/networks.hpp>

void somnus_bind_networks(pybind11::module_& m) { somnus::python::bind_networks(m); }
