// SPDX-License-Identifier: MIT
// The Python module `somnus`: one pybind11 module over the same headers as
// the C++ programs (include/somnus/python/ binds each part). A project with
// its own network types builds its module the same way: include the parts
// it wants and bind its types beside them.
#include <somnus/python/arrays.hpp>
#include <somnus/python/information.hpp>
#include <somnus/python/networks.hpp>

PYBIND11_MODULE(somnus, m)
{
    m.doc() = "somnus: spiking networks with STDP, homeostasis and sleep, and their information measures, on numpy arrays.";
    somnus::python::register_errors();
    auto information = m.def_submodule("information", "Entropies, mutual information, shuffle tests, function-space entropy.");
    somnus::python::bind_information(information);
    somnus::python::bind_networks(m);
}
