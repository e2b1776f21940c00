// SPDX-License-Identifier: MIT
// Regression: GCC 12.2 with AVX-512 (-march=native on the machines seen so
// far) at -O2 or -O3 builds std::vector<double>{1, 1, 1, 0} as {1, 1, 1, 1}
// (SLP vectorisation broadcasts the repeated constant over the zero).
// CMakeLists.txt turns SLP vectorisation off for GCC < 13; this test fails
// if a build loses that flag on an affected compiler.
#include <doctest/doctest.h>

#include <span>
#include <vector>

namespace {

__attribute__((noinline)) double last_of(std::span<const double> v) { return v.back(); }
__attribute__((noinline)) double braced_four() { return last_of(std::vector<double>{1, 1, 1, 0}); }
__attribute__((noinline)) double braced_eight() { return last_of(std::vector<double>{2, 2, 2, 2, 2, 2, 2, 0}); }

} // namespace

TEST_SUITE("core") {

TEST_CASE("regression: braced initialisers of a repeated constant then zero keep the zero")
{
    CHECK(braced_four() == 0.0);
    CHECK(braced_eight() == 0.0);
}

}
