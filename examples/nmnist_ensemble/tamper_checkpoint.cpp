// SPDX-License-Identifier: MIT
// For nmnist_ensemble's checks: rewrites a member checkpoint (format 3,
// member_checkpoint.hpp) with one value changed and a valid CRC, as a
// crafted file would be, so that the program is seen to check every value
// it loads.
//   nmnist_ensemble_tamper IN OUT SECTION INDEX VALUE
// Text sections (config, data, model) are replaced by VALUE whole;
// parameters take VALUE as a float; losses and seconds as a double ("nan"
// allowed) stored as its bits; the other sections (model_version,
// predictions, epoch_hits) as an unsigned integer.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <somnus/io/checkpoint.hpp>

int main(int argc, char** argv)
{
    if (argc != 6) {
        fmt::print(stderr, "usage: nmnist_ensemble_tamper IN OUT SECTION INDEX VALUE\n");
        return 2;
    }
    try {
        const somnus::checkpoint_reader r(argv[1]);
        const std::string target = argv[3], value = argv[5];
        const std::size_t at = std::stoull(argv[4]);
        const auto is = [](const std::string& name, std::initializer_list<const char*> names) {
            for (const char* n : names)
                if (name == n) return true;
            return false;
        };
        somnus::checkpoint_writer w;
        bool changed = false;
        for (const std::string name :
             {"config", "data", "model_version", "model", "parameters", "predictions", "losses", "epoch_hits", "seconds"}) {
            if (!r.has(name)) continue;
            const bool hit = name == target;
            changed |= hit;
            if (is(name, {"config", "data", "model"})) {
                w.add_text(name, hit ? value : r.read_text(name));
            } else if (name == "parameters") {
                std::vector<float> x(r.dims(name).at(0));
                r.read(name, std::span<float>(x));
                if (hit) x.at(at) = std::strtof(value.c_str(), nullptr);
                w.add(name, std::span<const float>(x), {x.size()});
            } else {
                auto x = r.read_u64(name);
                if (hit)
                    x.at(at) = is(name, {"losses", "seconds"}) ? std::bit_cast<std::uint64_t>(std::strtod(value.c_str(), nullptr))
                                                               : std::stoull(value);
                w.add_u64(name, x);
            }
        }
        if (!changed) throw std::runtime_error(fmt::format("{}: no section '{}'", argv[1], target));
        w.save(argv[2]);
    } catch (const std::exception& e) {
        fmt::print(stderr, "nmnist_ensemble_tamper: {}\n", e.what());
        return 1;
    }
    return 0;
}
