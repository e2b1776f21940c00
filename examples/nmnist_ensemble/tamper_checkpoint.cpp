// SPDX-License-Identifier: MIT
// For nmnist_ensemble's checks: rewrites a member checkpoint with one value
// changed and a valid CRC, as a crafted file would be, so that the program
// is seen to check every value it loads.
//   nmnist_ensemble_tamper IN OUT SECTION INDEX VALUE
// Text sections (config, data) are replaced by VALUE whole; params (and a
// format 1 checkpoint's losses and seconds) take VALUE as a float; format 2's
// losses and seconds as a double ("nan" allowed) stored as its bits; the
// other sections as an unsigned integer.
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
        const std::string config = r.read_text("config");
        const bool v1 = config.rfind("gupta_2024_ensemble v1;", 0) == 0;
        const std::vector<std::string> texts{"config", "data"}, floats = v1 ? std::vector<std::string>{"params", "losses", "seconds"}
                                                                            : std::vector<std::string>{"params"};
        const std::vector<std::string> doubles = v1 ? std::vector<std::string>{} : std::vector<std::string>{"losses", "seconds"};
        const auto in = [](const std::vector<std::string>& names, const std::string& n) {
            for (const auto& x : names)
                if (x == n) return true;
            return false;
        };
        somnus::checkpoint_writer w;
        bool changed = false;
        for (const std::string name : {"config", "data", "params", "predictions", "losses", "epoch_hits", "seconds"}) {
            if (!r.has(name)) continue;
            const bool hit = name == target;
            changed |= hit;
            if (in(texts, name)) {
                w.add_text(name, hit ? value : r.read_text(name));
            } else if (in(floats, name)) {
                std::vector<float> x(r.dims(name).at(0));
                r.read(name, std::span<float>(x));
                if (hit) x.at(at) = std::strtof(value.c_str(), nullptr);
                w.add(name, std::span<const float>(x));
            } else {
                auto x = r.read_u64(name);
                if (hit) x.at(at) = in(doubles, name) ? std::bit_cast<std::uint64_t>(std::strtod(value.c_str(), nullptr)) : std::stoull(value);
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
