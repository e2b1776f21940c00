// SPDX-License-Identifier: MIT
// The Python module `somnus`: one pybind11 module over the same headers as
// the C++ programs (include/somnus/python/ binds each part; bind_*.cpp
// compile one part each). A project with its own network types builds its
// module the same way: include the parts it wants and bind its types beside
// them.
#include <somnus/python/arrays.hpp>

void somnus_bind_information(pybind11::module_& m);
void somnus_bind_data(pybind11::module_& m);
void somnus_bind_networks(pybind11::module_& m);
void somnus_bind_sg_member(pybind11::module_& m);
void somnus_bind_massey(pybind11::module_& m);

PYBIND11_MODULE(somnus, m)
{
    m.doc() = "somnus: spiking networks with STDP, homeostasis and sleep, and their information measures, on numpy arrays.";
    somnus::python::register_errors();
    auto information = m.def_submodule("information", "Entropies, mutual information, shuffle tests, function-space entropy.");
    somnus_bind_information(information);
    auto data = m.def_submodule("data", "MNIST / Fashion-MNIST, N-MNIST files as tonic's events, tonic's Denoise and ToFrame, saccades.");
    somnus_bind_data(data);
    somnus_bind_networks(m);
    somnus_bind_sg_member(m);
    somnus_bind_massey(m);
}
