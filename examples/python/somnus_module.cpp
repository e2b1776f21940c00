// SPDX-License-Identifier: MIT
// The Python module `somnus`: one pybind11 module over the same headers as
// the C++ programs (include/somnus/python/ binds each part). A project with
// its own network types builds its module the same way: include the parts
// it wants and bind its types beside them.
#include <somnus/python/arrays.hpp>
#include <somnus/python/data.hpp>
#include <somnus/python/information.hpp>
#include <somnus/python/networks.hpp>
#include <somnus/python/sg_member.hpp>

PYBIND11_MODULE(somnus, m)
{
    m.doc() = "somnus: spiking networks with STDP, homeostasis and sleep, and their information measures, on numpy arrays.";
    somnus::python::register_errors();
    auto information = m.def_submodule("information", "Entropies, mutual information, shuffle tests, function-space entropy.");
    somnus::python::bind_information(information);
    auto data = m.def_submodule("data", "MNIST / Fashion-MNIST, N-MNIST files as tonic's events, tonic's Denoise and ToFrame, saccades.");
    somnus::python::bind_data(data);
    somnus::python::bind_networks(m);
    somnus::python::bind_sg_member(m);
}
