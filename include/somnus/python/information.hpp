// SPDX-License-Identifier: MIT
// somnus.information in Python: entropies of counts, mutual information of
// joint tables and of binary spike trains (all pairs, SIMD popcounts), the
// shuffle test, spike-train and population entropies, and function-space
// grouping with S0. Spike trains are 2-d arrays [train, bin] of bool or
// uint8 (non-zero = spike); spikes_to_trains bins Brian2's (i, t) pairs.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../entropy/function_space.hpp"
#include "../entropy/mutual_information.hpp"
#include "../entropy/population.hpp"
#include "../entropy/shuffle_test.hpp"
#include "../entropy/spike_trains.hpp"
#include "arrays.hpp"

namespace somnus::python {

/// A [train, bin] array of bool or uint8 as packed spike trains.
inline spike_trains trains_from(const py::array& a, const char* name)
{
    if (a.ndim() != 2) throw py::value_error(fmt::format("{}: {} dimensions, expected 2 [train, bin]", name, a.ndim()));
    if (a.dtype().kind() == 'b') {
        const auto b = view<bool>(a, name, 2);
        return spike_trains::from_bytes({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}, dim(a, 0), dim(a, 1));
    }
    return spike_trains::from_bytes(view<std::uint8_t>(a, name, 2), dim(a, 0), dim(a, 1));
}

inline py::dict shuffle_dict(const shuffle_result& r)
{
    py::dict d;
    d["observed"] = r.observed;
    d["p_value"] = r.p_value;
    d["surrogate_mean"] = r.surrogate_mean;
    d["surrogate_sd"] = r.surrogate_sd;
    d["surrogates"] = r.surrogates;
    return d;
}

inline void bind_information(py::module_& m)
{
    m.def(
        "entropy",
        [](const py::array& counts, const std::string& estimator, const std::string& unit) {
            const auto c = view<std::uint64_t>(counts, "counts", 1);
            return with_estimator(estimator, unit, [&](const auto& e) { return e.entropy(c); });
        },
        py::arg("counts"), py::arg("estimator") = "plug_in", py::arg("unit") = "bits",
        "Entropy of a histogram (uint64 counts): 'plug_in' (maximum likelihood) or 'miller_madow' (bias-corrected), in bits or nats.");

    m.def(
        "mutual_information",
        [](const py::array& table, const std::string& estimator, const std::string& unit) {
            const auto t = view<std::uint64_t>(table, "table", 2);
            return with_estimator(estimator, unit, [&](const auto& e) { return mutual_information(t, dim(table, 0), dim(table, 1), e); });
        },
        py::arg("table"), py::arg("estimator") = "plug_in", py::arg("unit") = "bits",
        "I(X;Y) = H(X) + H(Y) - H(X,Y) of a joint count table (uint64, rows x cols).");

    m.def(
        "mutual_information_matrix",
        [](const py::array& x, const py::array& y, const std::string& estimator, const std::string& unit, unsigned threads) {
            const auto tx = trains_from(x, "x"), ty = trains_from(y, "y");
            mi_matrix r;
            {
                py::gil_scoped_release free;
                r = with_estimator(estimator, unit, [&](const auto& e) { return mutual_information_matrix(tx, ty, e, threads); });
            }
            return to_numpy(std::move(r.mi), {r.n_x, r.n_y});
        },
        py::arg("x"), py::arg("y"), py::arg("estimator") = "plug_in", py::arg("unit") = "bits", py::arg("threads") = 1,
        "MI between every train of x [n_x, bins] and every train of y [n_y, bins] (bool or uint8), as an n_x x n_y array: "
        "co-occurrences by SIMD AND + popcount over bit-packed trains.");

    m.def(
        "train_entropies",
        [](const py::array& trains, const std::string& estimator, const std::string& unit) {
            const auto t = trains_from(trains, "trains");
            return to_numpy(with_estimator(estimator, unit, [&](const auto& e) { return train_entropies(t, e); }));
        },
        py::arg("trains"), py::arg("estimator") = "plug_in", py::arg("unit") = "bits",
        "Entropy of each binary train (a train is a binary variable over its bins).");

    m.def(
        "population_entropy",
        [](const py::array& trains, const std::string& estimator, const std::string& unit) {
            const auto t = trains_from(trains, "trains");
            return with_estimator(estimator, unit, [&](const auto& e) { return population_entropy(t, e); });
        },
        py::arg("trains"), py::arg("estimator") = "plug_in", py::arg("unit") = "bits",
        "Entropy of the population's binary pattern per bin (each distinct column of the [train, bin] array is a symbol).");

    m.def(
        "mi_shuffle_test",
        [](const py::array& x, std::size_t i, const py::array& y, std::size_t j, std::size_t surrogates, std::uint64_t seed,
           std::uint64_t key, const std::string& estimator, const std::string& unit) {
            const auto tx = trains_from(x, "x"), ty = trains_from(y, "y");
            shuffle_result r;
            {
                py::gil_scoped_release free;
                r = with_estimator(estimator, unit, [&](const auto& e) { return mi_shuffle_test(tx, i, ty, j, e, {surrogates, seed, key}); });
            }
            return shuffle_dict(r);
        },
        py::arg("x"), py::arg("i"), py::arg("y"), py::arg("j"), py::arg("surrogates") = 1000, py::arg("seed") = 0, py::arg("key") = 0,
        py::arg("estimator") = "plug_in", py::arg("unit") = "bits",
        "Shuffle test of I(x_i; y_j): surrogates are y_j's spikes at uniformly random bins. Returns a dict with observed, "
        "p_value = (1 + #surrogates >= observed) / (1 + surrogates), surrogate_mean, surrogate_sd, surrogates.");

    m.def(
        "summed_mi_shuffle_test",
        [](const py::array& x, const py::array& y, std::size_t surrogates, std::uint64_t seed, std::uint64_t key, const std::string& estimator,
           const std::string& unit, unsigned threads, progress_fn progress) {
            const auto tx = trains_from(x, "x"), ty = trains_from(y, "y");
            std::vector<shuffle_result> r;
            {
                py::gil_scoped_release free;
                progress_reporter report(std::move(progress), ty.size());
                r = with_estimator(estimator, unit, [&](const auto& e) {
                    return summed_mi_shuffle_test(tx, ty, e, {surrogates, seed, key}, threads, [&](std::size_t d) { report.tick(d); });
                });
            }
            std::vector<double> observed, p, mean, sd;
            for (const auto& s : r) {
                observed.push_back(s.observed);
                p.push_back(s.p_value);
                mean.push_back(s.surrogate_mean);
                sd.push_back(s.surrogate_sd);
            }
            py::dict d;
            d["observed"] = to_numpy(std::move(observed));
            d["p_value"] = to_numpy(std::move(p));
            d["surrogate_mean"] = to_numpy(std::move(mean));
            d["surrogate_sd"] = to_numpy(std::move(sd));
            return d;
        },
        py::arg("x"), py::arg("y"), py::arg("surrogates") = 1000, py::arg("seed") = 0, py::arg("key") = 0, py::arg("estimator") = "plug_in",
        py::arg("unit") = "bits", py::arg("threads") = 1, py::arg("progress") = py::none(),
        "For every y train, the shuffle test of its MI summed over all x trains (Capozzi et al.'s per-output-neuron information); "
        "a dict of arrays (one entry per y train). The same numbers for any thread count; progress(done, total) counts y trains.");

    m.def(
        "spikes_to_trains",
        [](const py::array& i, const py::array& t, std::size_t n, double duration, double dt) {
            const auto ii = view<std::int64_t>(i, "i", 1);
            const auto tt = view<double>(t, "t", 1);
            if (ii.size() != tt.size()) throw py::value_error(fmt::format("i and t: {} and {} spikes", ii.size(), tt.size()));
            if (!(dt > 0) || !std::isfinite(dt) || !(duration >= 0) || !std::isfinite(duration))
                throw py::value_error(fmt::format("duration {} and dt {}: expected a finite duration >= 0 and dt > 0", duration, dt));
            const auto bins = static_cast<std::size_t>(std::ceil(duration / dt));
            std::vector<std::uint8_t> out(detail::checked_elements("spikes_to_trains", n, bins, 1), 0);
            for (std::size_t k = 0; k < ii.size(); ++k) {
                if (ii[k] < 0 || std::size_t(ii[k]) >= n || !(tt[k] >= 0) || !(tt[k] < duration))
                    throw py::value_error(fmt::format("spike {}: neuron {} at t = {} is outside {} neurons x [0, {})", k, ii[k], tt[k], n, duration));
                out[std::size_t(ii[k]) * bins + std::min(bins - 1, static_cast<std::size_t>(tt[k] / dt))] = 1;
            }
            return to_numpy(std::move(out), {n, bins});
        },
        py::arg("i"), py::arg("t"), py::arg("n"), py::arg("duration"), py::arg("dt"),
        "Brian2's spike pairs (i: int64 neuron indices, t: float64 times, any unit) as binary trains [n, ceil(duration / dt)] of uint8: "
        "bin floor(t / dt) of train i is 1.");

    m.def(
        "label_mapping",
        [](const py::array& labels, const py::array& predicted, const py::array& label_perm) {
            const auto perm = view<std::int64_t>(label_perm, "label_perm", 1);
            std::vector<std::size_t> p;
            for (const auto v : perm) {
                if (v < 0) throw py::value_error(fmt::format("label_perm: entry {} is negative", v));
                p.push_back(std::size_t(v));
            }
            return to_numpy(label_mapping(view<std::uint8_t>(labels, "labels", 1), view<std::uint8_t>(predicted, "predicted", 1), p));
        },
        py::arg("labels"), py::arg("predicted"), py::arg("label_perm"),
        "A network's mapping in the shuffled-label test: samples of class c carry label label_perm[c]; entry l is the class predicted "
        "most often for label l (lowest on a tie, -1 if no sample carries it). labels, predicted: uint8; label_perm: int64.");

    const auto mappings_from = [](const py::array& a) {
        const auto v = view<std::int32_t>(a, "mappings", 2);
        std::vector<std::vector<int>> out(dim(a, 0));
        for (std::size_t n = 0; n < out.size(); ++n) out[n].assign(v.begin() + std::ptrdiff_t(n * dim(a, 1)), v.begin() + std::ptrdiff_t((n + 1) * dim(a, 1)));
        return out;
    };
    m.def(
        "group_by_agreement",
        [mappings_from](const py::array& mappings, std::size_t threshold) {
            return to_numpy(group_by_agreement(mappings_from(mappings), threshold));
        },
        py::arg("mappings"), py::arg("threshold") = 5,
        "Groups of networks (connected components): networks agree when at least `threshold` entries of their mappings "
        "(int32 [networks, labels]) coincide. Returns each network's group label.");
    m.def(
        "group_first_match",
        [mappings_from](const py::array& mappings, std::size_t threshold) {
            return to_numpy(group_first_match(mappings_from(mappings), threshold));
        },
        py::arg("mappings"), py::arg("threshold") = 5,
        "Greedy first-match grouping as the author's script of Gupta 2024 groups: each network joins the first group whose founder's "
        "mapping it equals on at least `threshold` entries. Order dependent.");
    m.def(
        "group_sizes", [](const py::array& labels) { return to_numpy(group_sizes(view<std::size_t>(labels, "labels", 1))); },
        py::arg("labels"), "Size of each group from the group labels (uint64).");
    m.def(
        "function_space_entropy",
        [](const py::array& labels, const std::string& form, const std::string& unit) {
            const auto l = view<std::size_t>(labels, "labels", 1);
            if (form == "s0") return function_space_entropy(l, function_space_s0{unit_named(unit)});
            if (form == "shannon") return function_space_entropy(l, plug_in{unit_named(unit)});
            throw py::value_error(fmt::format("form '{}': expected 's0' or 'shannon'", form));
        },
        py::arg("labels"), py::arg("form") = "s0", py::arg("unit") = "nats",
        "S0 = -sum P0^2 ln P0 over the group sizes (Gupta 2024, nats by default), or the Shannon form -sum P0 ln P0.");
}

} // namespace somnus::python
