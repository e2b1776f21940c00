// SPDX-License-Identifier: MIT
// somnus.Massey in Python: the recurrent STDP network of Massey et al. 2026
// (network/massey.hpp) with the pieces their protocol is made of, as
// examples/sleep_regularisation composes them: an image shown for `steps`
// steps with its input spikes and noise drawn from the streams of (kind,
// batch, position), learning on or off; their sleep (recipes::massey_2026,
// back to the weight totals of the untrained network); their pass start,
// the resets and the noise switch. The same calls in the same order give the
// C++ program's spike counts and weights bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../core/random.hpp"
#include "../data/resize.hpp"
#include "../encoding/poisson.hpp"
#include "../network/massey.hpp"
#include "../sleep/recipes.hpp"
#include "arrays.hpp"
#include "networks.hpp"

namespace somnus::python {

class massey {
public:
    massey(const py::dict& config, const std::string& convention)
    {
        if (convention != "code" && convention != "textbook")
            throw py::value_error(fmt::format("convention '{}': expected 'code' (their sign) or 'textbook'", convention));
        set_fields(cfg_, config, "Massey config");
        cfg_.validate();
        convention_ = convention;
        net_ = std::make_unique<massey_network<>>(
            make_massey(cfg_, convention == "code" ? timing_convention::pre_after_post : timing_convention::pre_before_post));
        base_e_ = net_->excitatory_total();
        base_i_ = net_->inhibitory_total();
        phase_ = recipes::massey_2026(base_e_, base_i_);
    }
    massey(const massey& o)
        : cfg_(o.cfg_), convention_(o.convention_), net_(std::make_unique<massey_network<>>(o.net_->clone())), base_e_(o.base_e_),
          base_i_(o.base_i_), phase_(o.phase_)
    {
    }

    /// Shows images [n, 15, 15] (or [n, 225]) one after another; image k at
    /// position first_position + k. Returns spike counts [n, E + I].
    py::array_t<std::uint32_t> show(const py::array& images, std::uint64_t kind, std::uint64_t batch, bool learn, std::size_t steps,
                                    std::uint64_t first_position, progress_fn progress)
    {
        if (steps == 0) throw py::value_error("steps: at least 1");
        std::size_t n = 0;
        const auto pixels = images_view(images, cfg_.n_input, n);
        const std::size_t width = cfg_.n_exc + cfg_.n_inh;
        std::vector<std::uint32_t> counts(n * width);
        {
            py::gil_scoped_release free;
            progress_reporter report(std::move(progress), n);
            std::vector<float> rates(cfg_.n_input);
            poisson_encoder enc(cfg_.n_input, cfg_.dt_ms);
            const auto seed = cfg_.seed;
            for (std::size_t k = 0; k < n; ++k) {
                const std::uint64_t pos = first_position + k;
                massey_input_rates(cfg_, pixels.subspan(k * cfg_.n_input, cfg_.n_input), rates);
                random_stream rng(seed, stream_purpose::input_spikes, kind, batch, pos);
                enc.begin(rates, static_cast<std::uint32_t>(steps), rng);
                const std::uint64_t key = (kind << 48) ^ (batch << 24) ^ pos;
                if (learn)
                    net_->train(enc, static_cast<std::uint32_t>(steps), key);
                else
                    net_->respond(enc, static_cast<std::uint32_t>(steps), key);
                auto* row = counts.data() + k * width;
                for (const auto c : net_->exc_population().counts) *row++ = c;
                for (const auto c : net_->inh_population().counts) *row++ = c;
                report.tick(k + 1);
            }
        }
        return to_numpy(std::move(counts), {n, width});
    }

    py::dict sleep(double ms, const py::dict& decay)
    {
        // One phase object for the network's life, as the program keeps one.
        log_decay::params d = phase_.get<2>().p;
        set_fields(d, decay, "massey_2026 decay");
        phase_.get<2>().p = d;
        sleep_report r;
        {
            py::gil_scoped_release free;
            net_->clear_last_input();  // their data stream pauses: the last input spikes are never delivered
            r = net_->sleep(phase_, ms);
        }
        py::dict out;
        out["steps"] = r.steps;
        out["input_spikes"] = r.input_spikes;
        out["excitatory_spikes"] = r.excitatory_spikes;
        out["inhibitory_spikes"] = r.inhibitory_spikes;
        return out;
    }

    py::array_t<float> weights(const std::string& name) const
    {
        const auto* p = name == "input_exc" ? &net_->input_to_exc()
                        : name == "exc_exc" ? &net_->exc_to_exc()
                        : name == "exc_inh" ? &net_->exc_to_inh()
                        : name == "inh_exc" ? &net_->inh_to_exc()
                                            : nullptr;
        if (p == nullptr) throw py::value_error(fmt::format("projection '{}': expected input_exc, exc_exc, exc_inh or inh_exc", name));
        const std::size_t pre = name == "input_exc" ? cfg_.n_input : name == "inh_exc" ? cfg_.n_inh : cfg_.n_exc;
        const std::size_t post = name == "exc_inh" ? cfg_.n_inh : cfg_.n_exc;
        std::vector<float> dense(pre * post, 0.0f);
        const auto w = p->weights();
        for (std::size_t i = 0; i < pre; ++i) {
            const auto targets = p->targets(i);
            for (std::size_t s = 0; s < targets.size(); ++s) dense[i * post + std::size_t(targets[s])] = w[p->first_slot(i) + s];
        }
        return to_numpy(std::move(dense), {pre, post});
    }

    py::dict config() const
    {
        auto d = fields_of(cfg_);
        d["convention"] = convention_;
        return d;
    }

    massey_network<>& net() { return *net_; }
    const massey_network<>& net() const { return *net_; }
    double base_e() const { return base_e_; }
    double base_i() const { return base_i_; }

private:
    massey_config cfg_;
    std::string convention_;
    std::unique_ptr<massey_network<>> net_;
    double base_e_ = 0.0, base_i_ = 0.0;
    recipes::massey_phase phase_;
};

inline void bind_massey(py::module_& m)
{
    py::class_<massey>(m, "Massey",
                       "Massey et al. 2026's recurrent STDP network (225 inputs -> 200 excitatory + 50 inhibitory current LIF neurons, "
                       "four sparse plastic projections, their nearest-spike rule), with the steps of their protocol as "
                       "examples/sleep_regularisation runs it.")
        .def(py::init<const py::dict&, const std::string&>(), py::arg("config") = py::dict(), py::arg("convention") = "code",
             "config: fields of massey_config by name (seed, n_exc, p_input_exc, w_input_exc, ...); convention 'code' (their "
             "code's sign of the rule, the default) or 'textbook'.")
        .def("copy", [](const massey& n) { return massey(n); }, "An independent copy (their validation runs on one).")
        .def_property_readonly("config", &massey::config)
        .def("show", &massey::show, py::arg("images"), py::arg("kind"), py::arg("batch"), py::arg("learn"), py::arg("steps") = 1000,
             py::arg("first_position") = 0, py::arg("progress") = py::none(),
             "Shows uint8 images [n, 15, 15] for `steps` steps each, learning or not; image k's input spikes and noise come from the "
             "streams of (kind, batch, first_position + k), the program's keys (kind 1 training, 2 validation, 3 test, 4 fit). "
             "Returns spike counts uint32 [n, 250] (excitatory, then inhibitory).")
        .def("sleep", &massey::sleep, py::arg("ms"), py::arg("decay") = py::dict(),
             "Their sleep for at most `ms` (input off, membrane noise, STDP and thresholds on, weights decayed in log space "
             "(decay: target, lambda), ending once the weight totals are back at the untrained network's). The last input spikes are "
             "dropped first, as their data stream pauses. Returns steps and spike counts.")
        .def("start_pass_as_their_code", [](massey& n, float v) { n.net().start_pass_as_their_code(v); }, py::arg("v_mV"),
             "Their pass start: membranes at v_mV, thresholds unadapted, no spikes from the step before.")
        .def("reset_to_rest", [](massey& n) { n.net().reset_to_rest(); })
        .def("reset_spike_times", [](massey& n) { n.net().reset_spike_times(); })
        .def("clear_last_spikes", [](massey& n) { n.net().clear_last_spikes(); })
        .def_property("noise", [](const massey& n) { return n.net().noise(); }, [](massey& n, bool on) { n.net().set_noise(on); },
                      "Membrane noise of both populations (their code: on in training, validation and sleep).")
        .def_property_readonly("excitatory_total", [](const massey& n) { return n.net().excitatory_total(); })
        .def_property_readonly("inhibitory_total", [](const massey& n) { return n.net().inhibitory_total(); })
        .def_property_readonly("baseline_totals", [](const massey& n) { return py::make_tuple(n.base_e(), n.base_i()); },
                               "The untrained network's totals, where sleep stops.")
        .def("weights", &massey::weights, py::arg("projection"),
             "A projection's weights as a dense float32 [pre, post] array, 0 where no synapse exists (every synapse is at least "
             "0.01 in magnitude): 'input_exc', 'exc_exc', 'exc_inh' or 'inh_exc'.");

    m.def(
        "resize_images",
        [](const py::array& images, std::size_t rows, std::size_t cols) {
            if (images.ndim() != 3) throw py::value_error(fmt::format("images: {} dimensions, expected [n, rows, cols]", images.ndim()));
            if (rows == 0 || cols == 0) throw py::value_error("rows and cols: at least 1");
            const auto px = view<std::uint8_t>(images, "images", 3);
            const std::size_t n = dim(images, 0), r = dim(images, 1), c = dim(images, 2);
            std::vector<std::uint8_t> out;
            out.reserve(n * rows * cols);
            for (std::size_t k = 0; k < n; ++k) {
                const auto one = resize_bilinear(px.subspan(k * r * c, r * c), r, c, rows, cols);
                out.insert(out.end(), one.begin(), one.end());
            }
            return to_numpy(std::move(out), {n, rows, cols});
        },
        py::arg("images"), py::arg("rows"), py::arg("cols"),
        "uint8 images resized as PIL's Image.resize(BILINEAR) does, byte for byte (Massey et al. resize MNIST to 15 x 15 so).");
}

} // namespace somnus::python
