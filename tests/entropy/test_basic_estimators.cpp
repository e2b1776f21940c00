// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/plug_in.hpp>

using namespace somnus;

TEST_SUITE("entropy") {

TEST_CASE("plug-in entropy of known distributions")
{
    const std::vector<std::uint64_t> fair{500, 500}, biased{900, 100}, uniform8(8, 10), empty{}, zeros{0, 0};
    CHECK(plug_in{}.entropy(fair) == doctest::Approx(1.0));
    CHECK(plug_in{}.entropy(biased) == doctest::Approx(-(0.9 * std::log2(0.9) + 0.1 * std::log2(0.1))));
    CHECK(plug_in{}.entropy(uniform8) == doctest::Approx(3.0));
    CHECK(plug_in{info_unit::nats}.entropy(fair) == doctest::Approx(std::log(2.0)));
    CHECK(plug_in{}.entropy(empty) == 0.0);
    CHECK(plug_in{}.entropy(zeros) == 0.0);
    const std::vector<std::uint64_t> certain{0, 42, 0};
    CHECK(plug_in{}.entropy(certain) == 0.0);
}

TEST_CASE("Miller-Madow adds (m - 1) / 2N nats")
{
    const std::vector<std::uint64_t> c{30, 10, 0, 10};
    const double expected = plug_in{info_unit::nats}.entropy(c) + 2.0 / 100.0;
    CHECK(miller_madow{info_unit::nats}.entropy(c) == doctest::Approx(expected));
    CHECK(miller_madow{}.entropy(c) == doctest::Approx(expected / std::log(2.0)));
    const std::vector<std::uint64_t> empty{};
    CHECK(miller_madow{}.entropy(empty) == 0.0);
}

}
