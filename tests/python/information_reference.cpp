// SPDX-License-Identifier: MIT
// The C++ side of tests/python/test_information.py: reads the inputs the
// test wrote (.npy), calls the library's functions directly (not through the
// bindings) and writes their results as .npy, so the test can require the
// Python module's results to be bit-identical.
//   information_reference DIR   (reads DIR/in_*.npy, writes DIR/out_*.npy)
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/population.hpp>
#include <somnus/entropy/shuffle_test.hpp>
#include <somnus/io/npy.hpp>

namespace fs = std::filesystem;

namespace {

template <class T>
std::vector<T> flat(const xt::xarray<T>& a)
{
    return std::vector<T>(a.begin(), a.end());
}

template <class T>
void out(const fs::path& dir, const char* name, const std::vector<T>& v, std::vector<std::size_t> shape = {})
{
    if (shape.empty()) shape = {v.size()};
    somnus::write_npy(dir / (std::string("out_") + name + ".npy"), xt::adapt(v, shape));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fputs("usage: information_reference DIR\n", stderr);
        return 2;
    }
    const fs::path dir = argv[1];
    try {
        const auto x8 = somnus::read_npy<std::uint8_t>(dir / "in_x.npy");
        const auto y8 = somnus::read_npy<std::uint8_t>(dir / "in_y.npy");
        const auto x = somnus::spike_trains::from_bytes(flat(x8), x8.shape()[0], x8.shape()[1]);
        const auto y = somnus::spike_trains::from_bytes(flat(y8), y8.shape()[0], y8.shape()[1]);
        const auto counts = flat(somnus::read_npy<std::uint64_t>(dir / "in_counts.npy"));
        const auto table = somnus::read_npy<std::uint64_t>(dir / "in_table.npy");
        const somnus::plug_in pi{somnus::info_unit::bits};
        const somnus::miller_madow mm{somnus::info_unit::nats};

        out(dir, "entropy", std::vector<double>{pi.entropy(counts), mm.entropy(counts)});
        out(dir, "mi_table", std::vector<double>{somnus::mutual_information(flat(table), table.shape()[0], table.shape()[1], pi),
                                                  somnus::mutual_information(flat(table), table.shape()[0], table.shape()[1], mm)});
        const auto m = somnus::mutual_information_matrix(x, y, pi, 1);
        out(dir, "mi_matrix", m.mi, {m.n_x, m.n_y});
        out(dir, "train_entropies", somnus::train_entropies(x, mm));
        out(dir, "population_entropy", std::vector<double>{somnus::population_entropy(x, pi)});
        const auto one = somnus::mi_shuffle_test(x, 1, y, 2, pi, {200, 7, 3});
        out(dir, "shuffle_one", std::vector<double>{one.observed, one.p_value, one.surrogate_mean, one.surrogate_sd});
        std::vector<double> summed;
        for (const auto& r : somnus::summed_mi_shuffle_test(x, y, pi, {100, 5, 1}, 1))
            summed.insert(summed.end(), {r.observed, r.p_value, r.surrogate_mean, r.surrogate_sd});
        out(dir, "shuffle_summed", summed, {y.size(), 4});

        const auto labels = flat(somnus::read_npy<std::uint8_t>(dir / "in_labels.npy"));
        const auto predicted = flat(somnus::read_npy<std::uint8_t>(dir / "in_predicted.npy"));
        const auto perm64 = flat(somnus::read_npy<std::int64_t>(dir / "in_perm.npy"));
        const std::vector<std::size_t> perm(perm64.begin(), perm64.end());
        const auto map = somnus::label_mapping(labels, predicted, perm);
        out(dir, "label_mapping", std::vector<std::int32_t>(map.begin(), map.end()));
        const auto maps_a = somnus::read_npy<std::int32_t>(dir / "in_mappings.npy");
        std::vector<std::vector<int>> maps(maps_a.shape()[0]);
        for (std::size_t n = 0; n < maps.size(); ++n)
            for (std::size_t k = 0; k < maps_a.shape()[1]; ++k) maps[n].push_back(maps_a(n, k));
        const auto groups = somnus::group_by_agreement(maps, 4);
        const auto first = somnus::group_first_match(maps, 4);
        out(dir, "groups", std::vector<std::uint64_t>(groups.begin(), groups.end()));
        out(dir, "groups_first_match", std::vector<std::uint64_t>(first.begin(), first.end()));
        out(dir, "function_space",
            std::vector<double>{somnus::function_space_entropy(std::span<const std::size_t>(groups)),
                                somnus::function_space_entropy(std::span<const std::size_t>(groups), somnus::plug_in{somnus::info_unit::nats})});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "information_reference: %s\n", e.what());
        return 1;
    }
    return 0;
}
