// SPDX-License-Identifier: MIT
// One part of the module in its own translation unit (somnus_module.cpp
// calls it): smaller units compile in parallel, and the compiler's
// per-unit inlining budget goes to this part's kernels alone.
#include <somnus/python/massey.hpp>

void somnus_bind_massey(pybind11::module_& m) { somnus::python::bind_massey(m); }
