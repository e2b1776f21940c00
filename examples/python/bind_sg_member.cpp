// SPDX-License-Identifier: MIT
// One part of the module in its own translation unit (somnus_module.cpp
// calls it): smaller units compile in parallel, and the compiler's
// per-unit inlining budget goes to this part's kernels alone.
#include <somnus/python/sg_member.hpp>

void somnus_bind_sg_member(pybind11::module_& m) { somnus::python::bind_sg_member(m); }
