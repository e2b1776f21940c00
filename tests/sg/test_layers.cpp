// SPDX-License-Identifier: MIT
// The surrogate-gradient layers one by one: forward passes against naive
// loops on awkward shapes (SIMD against the scalar reference), the LIF layer
// against the library's leaky neuron, and every backward pass against
// central finite differences of a scalar function of its outputs.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include <somnus/neuron/leaky.hpp>
#include <somnus/sg/conv2d.hpp>
#include <somnus/sg/kernels.hpp>
#include <somnus/sg/leaky.hpp>
#include <somnus/sg/linear.hpp>
#include <somnus/sg/max_pool2d.hpp>

using namespace somnus;
using namespace somnus::sg;

namespace {

/// A random activation with roughly `density` of its values non-zero.
activation random_input(std::size_t n, double density, random_stream& rng, bool list = true)
{
    activation a;
    a.resize(n);
    a.has_nz = list;
    for (std::size_t i = 0; i < n; ++i)
        if (rng.uniform() < density) {
            const float x = rng.uniform(-1.0f, 2.0f);
            if (list) a.push(static_cast<std::uint32_t>(i), x);
            else a.v[i] = x;
        }
    return a;
}

std::vector<float> random_vector(std::size_t n, random_stream& rng, float lo = -1.0f, float hi = 1.0f)
{
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(lo, hi);
    return v;
}

/// Naive valid convolution on channels-last data, weights read through the
/// layer's torch-order index.
std::vector<double> naive_conv(const conv2d& l, const std::vector<float>& prm, const activation& a)
{
    const auto& in = l.in;
    const auto& out = l.out;
    std::vector<double> o(out.size());
    for (std::size_t oy = 0; oy < out.h; ++oy)
        for (std::size_t ox = 0; ox < out.w; ++ox)
            for (std::size_t oc = 0; oc < out.c; ++oc) {
                double s = prm[l.bias_index(oc)];
                for (std::size_t ic = 0; ic < in.c; ++ic)
                    for (std::size_t ky = 0; ky < l.p.kernel; ++ky)
                        for (std::size_t kx = 0; kx < l.p.kernel; ++kx)
                            s += double(a.v[((oy + ky) * in.w + ox + kx) * in.c + ic]) * prm[l.weight_index(oc, ic, ky, kx)];
                o[(oy * out.w + ox) * out.c + oc] = s;
            }
    return o;
}

/// Runs `steps` forward steps of layer l on fresh random inputs, then the
/// backward pass of J = sum_t sum_j r[t][j] out[t][j]; checks d J / d params
/// and d J / d inputs against central differences (in double through the
/// float layer: J is evaluated again with one parameter or input moved by
/// +-h). `tol` is relative to max(1, |finite difference|).
template <class L>
void check_gradients(L& l, shape3 in_shape, std::size_t steps, double density, double h, double tol, std::uint64_t seed)
{
    random_stream rng(seed, stream_purpose::user);
    const shape3 out_shape = l.configure(in_shape);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, rng);
    std::vector<activation> inputs;
    for (std::size_t t = 0; t < steps; ++t) inputs.push_back(random_input(in_shape.size(), density, rng, false));
    std::vector<std::vector<float>> r;
    for (std::size_t t = 0; t < steps; ++t) r.push_back(random_vector(out_shape.size(), rng));

    const auto objective = [&](const std::vector<float>& p, const std::vector<activation>& xs) {
        auto w = l.make_work(steps);
        l.begin(w);
        activation o;
        o.resize(out_shape.size());
        double J = 0.0;
        for (std::size_t t = 0; t < steps; ++t) {
            l.forward(p.data(), xs[t], o, w, false);
            for (std::size_t j = 0; j < out_shape.size(); ++j) J += double(r[t][j]) * o.v[j];
        }
        return J;
    };

    auto w = l.make_work(steps);
    l.begin(w);
    activation o;
    o.resize(out_shape.size());
    for (std::size_t t = 0; t < steps; ++t) l.forward(prm.data(), inputs[t], o, w, true);
    std::vector<float> g_prm(prm.size(), 0.0f);
    std::vector<std::vector<float>> g_in(steps, std::vector<float>(in_shape.size()));
    for (std::size_t t = steps; t-- > 0;) l.backward(prm.data(), r[t].data(), g_in[t].data(), g_prm.data(), w, t);

    for (std::size_t k = 0; k < prm.size(); k += std::max<std::size_t>(1, prm.size() / 60)) {
        auto up = prm, down = prm;
        up[k] += float(h);
        down[k] -= float(h);
        const double fd = (objective(up, inputs) - objective(down, inputs)) / (double(up[k]) - double(down[k]));
        CAPTURE(k);
        CHECK(std::abs(g_prm[k] - fd) <= tol * std::max(1.0, std::abs(fd)));
    }
    for (std::size_t t = 0; t < steps; ++t)
        for (std::size_t i = 0; i < in_shape.size(); i += std::max<std::size_t>(1, in_shape.size() / 40)) {
            auto up = inputs, down = inputs;
            up[t].v[i] += float(h);
            down[t].v[i] -= float(h);
            const double fd = (objective(prm, up) - objective(prm, down)) / (double(up[t].v[i]) - double(down[t].v[i]));
            CAPTURE(t);
            CAPTURE(i);
            CHECK(std::abs(g_in[t][i] - fd) <= tol * std::max(1.0, std::abs(fd)));
        }
}

} // namespace

TEST_SUITE("sg") {

TEST_CASE("kernels: axpy and add are the same bits on the SIMD and scalar paths; dot agrees to rounding")
{
    random_stream rng(1, stream_purpose::user);
    for (const std::size_t n : {1u, 7u, 16u, 33u, 100u}) {
        const auto x = random_vector(n, rng), y0 = random_vector(n, rng);
        auto a = y0, b = y0, c = y0, d = y0;
        axpy<float>(n, 0.37f, x.data(), a.data());
        axpy<simd::batch>(n, 0.37f, x.data(), b.data());
        CHECK(a == b);
        add<float>(n, x.data(), c.data());
        add<simd::batch>(n, x.data(), d.data());
        CHECK(c == d);
        double exact = 0.0;
        for (std::size_t i = 0; i < n; ++i) exact += double(x[i]) * y0[i];
        CHECK(dot<float>(n, x.data(), y0.data()) == doctest::Approx(exact).epsilon(1e-5));
        CHECK(dot<simd::batch>(n, x.data(), y0.data()) == doctest::Approx(exact).epsilon(1e-5));
    }
}

TEST_CASE("conv2d forward equals naive loops on awkward shapes, from sparse lists and dense inputs, SIMD and scalar")
{
    struct shape_case {
        std::size_t ic, oc, k, h, w;
    };
    // Channels in whole registers (16, 32, 48, 64) take the register scatter
    // below one non-zero per output position and the gather above it.
    for (const auto sc : {shape_case{2, 12, 5, 34, 34}, shape_case{3, 5, 3, 7, 9}, shape_case{1, 17, 4, 4, 6}, shape_case{12, 32, 5, 15, 15},
                          shape_case{4, 16, 3, 9, 9}, shape_case{3, 48, 4, 8, 10}, shape_case{2, 64, 3, 8, 8}}) {
        CAPTURE(sc.oc);
        conv2d l(sc.ic, sc.oc, sc.k);
        const shape3 out = l.configure({sc.ic, sc.h, sc.w});
        CHECK(out == shape3{sc.oc, sc.h - sc.k + 1, sc.w - sc.k + 1});
        random_stream rng(2, stream_purpose::user);
        std::vector<float> prm(l.parameter_count());
        l.init(prm, rng);
        for (const double density : {0.02, 0.2})
        for (const bool list : {true, false}) {
            CAPTURE(density);
            const auto a = random_input(l.in.size(), density, rng, list);
            const auto want = naive_conv(l, prm, a);
            auto w = l.make_work(1);
            activation o1, o2;
            o1.resize(out.size());
            o2.resize(out.size());
            l.forward<simd::batch>(prm.data(), a, o1, w, false);
            l.forward<float>(prm.data(), a, o2, w, false);
            CHECK(o1.v == o2.v);
            for (std::size_t q = 0; q < want.size(); ++q) REQUIRE(o1.v[q] == doctest::Approx(want[q]).epsilon(1e-5));
        }
    }
    conv2d bad(2, 4, 5);
    CHECK_THROWS_AS(bad.configure({3, 34, 34}), config_error);
    CHECK_THROWS_AS(bad.configure({2, 4, 34}), config_error);
}

TEST_CASE("conv2d backward: the SIMD register kernels equal the scalar reference (every blocking path)")
{
    struct shape_case {
        std::size_t ic, oc, h, w;
    };
    for (const auto sc : {shape_case{12, 32, 15, 15}, shape_case{3, 16, 9, 12}, shape_case{5, 48, 8, 8}, shape_case{2, 64, 7, 11},
                          shape_case{7, 8, 10, 6}}) {
        CAPTURE(sc.oc);
        conv2d l(sc.ic, sc.oc, 5);
        l.configure({sc.ic, sc.h, sc.w});
        random_stream rng(21, stream_purpose::user);
        std::vector<float> prm(l.parameter_count());
        l.init(prm, rng);
        const auto a = random_input(l.in.size(), 0.3, rng);
        const auto g_out = random_vector(l.out.size(), rng);
        std::vector<std::vector<float>> g_in(2, std::vector<float>(l.in.size())), g_prm(2, std::vector<float>(prm.size(), 0.0f));
        for (int path = 0; path < 2; ++path) {
            auto w = l.make_work(1);
            l.begin(w);
            activation o;
            o.resize(l.out.size());
            if (path == 0) {
                l.forward<float>(prm.data(), a, o, w, true);
                l.backward<float>(prm.data(), g_out.data(), g_in[0].data(), g_prm[0].data(), w, 0);
            } else {
                l.forward<simd::batch>(prm.data(), a, o, w, true);
                l.backward<simd::batch>(prm.data(), g_out.data(), g_in[1].data(), g_prm[1].data(), w, 0);
            }
        }
        for (std::size_t i = 0; i < l.in.size(); ++i) REQUIRE(g_in[1][i] == doctest::Approx(g_in[0][i]).epsilon(1e-5));
        CHECK(g_prm[1] == g_prm[0]);  // weight and bias gradients: the same bits (axpy, add)
    }
}

TEST_CASE("max_pool2d: the window maximum, the first on ties, odd edges dropped; gradient to the maximum")
{
    max_pool2d l(2);
    const shape3 out = l.configure({3, 5, 7});
    CHECK(out == shape3{3, 2, 3});
    activation a;
    a.resize(3 * 5 * 7);
    random_stream rng(3, stream_purpose::user);
    for (auto& x : a.v) x = float(rng.below(3));  // many ties
    auto w = l.make_work(1);
    l.begin(w);
    activation o;
    o.resize(out.size());
    l.forward(nullptr, a, o, w, true);
    std::vector<float> g_out(out.size()), g_in(a.v.size());
    for (std::size_t q = 0; q < g_out.size(); ++q) g_out[q] = float(q + 1);
    l.backward(nullptr, g_out.data(), g_in.data(), nullptr, w, 0);
    for (std::size_t py = 0; py < 2; ++py)
        for (std::size_t px = 0; px < 3; ++px)
            for (std::size_t c = 0; c < 3; ++c) {
                float best = -1.0f;
                std::size_t at = 0;
                for (std::size_t dy = 0; dy < 2; ++dy)
                    for (std::size_t dx = 0; dx < 2; ++dx) {
                        const std::size_t i = ((2 * py + dy) * 7 + 2 * px + dx) * 3 + c;
                        if (a.v[i] > best) {
                            best = a.v[i];
                            at = i;
                        }
                    }
                const std::size_t q = (py * 3 + px) * 3 + c;
                CHECK(o.v[q] == best);
                CHECK(g_in[at] == g_out[q]);
            }
    // Row 4 and column 6 lie outside every window: no gradient.
    for (std::size_t x = 0; x < 7; ++x)
        for (std::size_t c = 0; c < 3; ++c) CHECK(g_in[(4 * 7 + x) * 3 + c] == 0.0f);
    double sum_in = 0.0, sum_out = 0.0;
    for (const float g : g_in) sum_in += g;
    for (const float g : g_out) sum_out += g;
    CHECK(sum_in == sum_out);
}

TEST_CASE("linear forward equals the naive sum, SIMD and scalar")
{
    linear l(37, 10);
    l.configure({37, 1, 1});
    random_stream rng(4, stream_purpose::user);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, rng);
    const auto a = random_input(37, 0.3, rng);
    auto w = l.make_work(1);
    activation o1, o2;
    o1.resize(10);
    o2.resize(10);
    l.forward<simd::batch>(prm.data(), a, o1, w, false);
    l.forward<float>(prm.data(), a, o2, w, false);
    CHECK(o1.v == o2.v);
    for (std::size_t o = 0; o < 10; ++o) {
        double s = prm[l.bias_index(o)];
        for (std::size_t i = 0; i < 37; ++i) s += double(a.v[i]) * prm[l.weight_index(o, i)];
        CHECK(o1.v[o] == doctest::Approx(s).epsilon(1e-5));
    }
    CHECK_THROWS_AS(linear(36, 10).configure({37, 1, 1}), config_error);
}

TEST_CASE("the LIF layer is the library's leaky neuron step for step, bit for bit")
{
    const std::size_t n = 50, steps = 40;
    somnus::leaky neuron({0.5f, 1.0f}, 1.0f);
    auto s = neuron.make_state(n);
    sg::leaky<> layer({0.5f, 1.0f, true});
    layer.configure({n, 1, 1});
    auto w = layer.make_work(steps);
    layer.begin(w);
    random_stream rng(5, stream_purpose::user);
    activation in, out;
    in.resize(n);
    out.resize(n);
    for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t i = 0; i < n; ++i) {
            const float x = rng.uniform(-0.2f, 1.2f);
            in.v[i] = x;
            s.in[i] = x;
        }
        spike_list fired;
        neuron.step(s, fired);
        layer.forward(nullptr, in, out, w, true);
        CHECK(w.mem == std::vector<float>(s.mem.begin(), s.mem.end()));
        std::vector<std::uint32_t> want(fired.begin(), fired.end());
        CHECK(out.nz == want);
        for (std::size_t i = 0; i < n; ++i) CHECK(out.v[i] == s.spiked[i]);
    }
}

TEST_CASE("LIF backward with the reset detached: the recurrence computed by hand")
{
    // One neuron, inputs 0.8, 0.9, 0.1: mem 0.8, 1.3 (spike), 0.75 - 1 + 0.1 = -0.25.
    sg::leaky<> l({0.5f, 1.0f, true});
    l.configure({1, 1, 1});
    auto w = l.make_work(3);
    l.begin(w);
    activation in, out;
    in.resize(1);
    out.resize(1);
    std::vector<float> spikes;
    for (const float x : {0.8f, 0.9f, 0.1f}) {
        in.v[0] = x;
        l.forward(nullptr, in, out, w, true);
        spikes.push_back(out.v[0]);
    }
    CHECK(spikes == std::vector<float>{0.0f, 1.0f, 0.0f});
    const auto d = [](float mem) { return 1.0f / (1.0f + std::numbers::pi_v<float> * std::numbers::pi_v<float> * (mem - 1.0f) * (mem - 1.0f)); };
    // J = S[0] + 2 S[1] + 3 S[2]: g_S = 1, 2, 3.
    const float g2 = 3.0f * d(-0.25f);
    const float g1 = 2.0f * d(1.3f) + 0.5f * g2;
    const float g0 = 1.0f * d(0.8f) + 0.5f * g1;
    std::vector<float> g_in(3, 0.0f);
    const std::vector<float> g_out{1.0f, 2.0f, 3.0f};
    for (std::size_t t = 3; t-- > 0;) l.backward(nullptr, g_out.data() + t, g_in.data() + t, nullptr, w, t);
    CHECK(g_in[2] == doctest::Approx(g2));
    CHECK(g_in[1] == doctest::Approx(g1));
    CHECK(g_in[0] == doctest::Approx(g0));
}

TEST_CASE("every layer's backward pass against central finite differences")
{
    // Linear in their inputs and parameters: exact up to rounding.
    SUBCASE("conv2d")
    {
        conv2d l(3, 5, 3);
        check_gradients(l, {3, 7, 6}, 3, 0.5, 1e-2, 2e-3, 11);
    }
    SUBCASE("linear")
    {
        linear l(30, 7);
        check_gradients(l, {30, 1, 1}, 3, 0.5, 1e-2, 2e-3, 12);
    }
    SUBCASE("max_pool2d")
    {
        // Distinct values almost surely: the maximum does not move for a small h.
        max_pool2d l(2);
        check_gradients(l, {3, 6, 5}, 2, 1.0, 1e-4, 2e-3, 13);
    }
    SUBCASE("leaky with a smooth spike and the reset in the graph")
    {
        sg::leaky<smooth_step> l({0.6f, 1.0f, false}, smooth_step{{3.0f}});
        check_gradients(l, {20, 1, 1}, 6, 1.0, 1e-2, 2e-3, 14);
    }
}


TEST_CASE("kernels: add_rows and axpy_whole are add and axpy row by row, bit for bit, SIMD and scalar")
{
    random_stream rng(31, stream_purpose::user);
    for (const std::size_t n : {1u, 5u, 12u, 16u, 20u, 32u, 45u}) {
        CAPTURE(n);
        for (const std::size_t rows : {1u, 2u, 7u, 40u}) {
            const std::size_t stride = n + (rows % 3);  // rows wider than n too
            const auto x = random_vector(rows * stride, rng), y0 = random_vector(n, rng);
            auto ref = y0, s = y0, v = y0;
            for (std::size_t r = 0; r < rows; ++r) add<float>(n, x.data() + r * stride, ref.data());
            add_rows<float>(rows, n, stride, x.data(), s.data());
            add_rows<simd::batch>(rows, n, stride, x.data(), v.data());
            CHECK(s == ref);
            CHECK(v == ref);
        }
        // axpy_whole may touch whole registers past n: give it room, and
        // check that the lanes past n are left exactly as they were.
        const std::size_t whole = (n + simd::width - 1) / simd::width * simd::width;
        const auto x = random_vector(whole, rng);
        auto y0 = random_vector(whole, rng);
        y0[whole - 1] = -0.0f;
        auto ref = y0, v = y0;
        axpy<float>(n, -0.61f, x.data(), ref.data());
        axpy_whole<simd::batch>(n, -0.61f, x.data(), v.data());
        for (std::size_t i = 0; i < whole; ++i) {
            CAPTURE(i);
            CHECK(std::signbit(v[i]) == std::signbit(ref[i]));
            CHECK(v[i] == ref[i]);
        }
    }
}

TEST_CASE("max_pool2d: the SIMD path is the scalar reference bit for bit (values, tape, gradient) on awkward shapes")
{
    for (const auto s : {shape3{12, 30, 30}, shape3{32, 11, 11}, shape3{3, 5, 7}, shape3{20, 6, 9}, shape3{17, 4, 4}, shape3{1, 3, 2}}) {
        CAPTURE(s.c);
        CAPTURE(s.h);
        CAPTURE(s.w);
        max_pool2d l(2);
        const shape3 out = l.configure(s);
        random_stream rng(32, stream_purpose::user);
        activation a;
        a.resize(s.size());
        for (auto& x : a.v) x = rng.uniform() < 0.3 ? float(rng.below(3)) : rng.uniform(-1.0f, 1.0f);  // ties and distinct values
        const auto g_out = random_vector(out.size(), rng);
        std::vector<activation> o(2);
        std::vector<std::vector<float>> g_in(2, std::vector<float>(s.size(), 7.0f));  // stale values must be overwritten
        std::vector<max_pool2d::work> w(2, l.make_work(1));
        for (int path = 0; path < 2; ++path) {
            o[path].resize(out.size());
            l.begin(w[path]);
            if (path == 0) {
                l.forward<float>(nullptr, a, o[path], w[path], true);
                l.backward<float>(nullptr, g_out.data(), g_in[path].data(), nullptr, w[path], 0);
            } else {
                l.forward<simd::batch>(nullptr, a, o[path], w[path], true);
                l.backward<simd::batch>(nullptr, g_out.data(), g_in[path].data(), nullptr, w[path], 0);
            }
        }
        CHECK(o[1].v == o[0].v);
        CHECK(w[1].arg == w[0].arg);
        CHECK(g_in[1] == g_in[0]);
        // Every input gets its window's gradient if it was the maximum, else 0.
        std::size_t nonzero = 0;
        for (const float g : g_in[0]) nonzero += g != 0.0f;
        CHECK(nonzero == out.size());
    }
}

TEST_CASE("conv2d backward behind a max pool (sparse output gradients): the naive sum, SIMD = scalar bit for bit on FMA targets")
{
    struct shape_case {
        std::size_t ic, oc, h, w, k;
    };
    for (const auto sc : {shape_case{12, 32, 15, 15, 5}, shape_case{2, 12, 34, 34, 5}, shape_case{3, 5, 7, 6, 3}, shape_case{7, 20, 9, 8, 4}}) {
        CAPTURE(sc.ic);
        CAPTURE(sc.oc);
        conv2d l(sc.ic, sc.oc, sc.k);
        l.configure({sc.ic, sc.h, sc.w});
        random_stream rng(33, stream_purpose::user);
        std::vector<float> prm(l.parameter_count());
        l.init(prm, rng);
        // One non-zero per 2x2 window and channel, as a max pool's gradient.
        std::vector<float> g_out(l.out.size(), 0.0f);
        for (std::size_t py = 0; py < l.out.h / 2; ++py)
            for (std::size_t px = 0; px < l.out.w / 2; ++px)
                for (std::size_t c = 0; c < sc.oc; ++c) {
                    const std::size_t k = rng.below(4), y = 2 * py + k / 2, x = 2 * px + k % 2;
                    g_out[(y * l.out.w + x) * sc.oc + c] = rng.uniform(-1.0f, 1.0f);
                }
        const auto a = random_input(l.in.size(), 0.2, rng);
        std::vector<std::vector<float>> g_in(2, std::vector<float>(l.in.size(), 5.0f)), g_prm(2, std::vector<float>(prm.size(), 0.0f));
        for (int path = 0; path < 2; ++path) {
            auto w = l.make_work(1);
            l.begin(w);
            activation o;
            o.resize(l.out.size());
            if (path == 0) {
                l.forward<float>(prm.data(), a, o, w, true);
                l.backward<float>(prm.data(), g_out.data(), g_in[0].data(), g_prm[0].data(), w, 0);
            } else {
                l.forward<simd::batch>(prm.data(), a, o, w, true);
                l.backward<simd::batch>(prm.data(), g_out.data(), g_in[1].data(), g_prm[1].data(), w, 0);
            }
        }
        CHECK(g_prm[1] == g_prm[0]);
        for (std::size_t y = 0; y < sc.h; ++y)
            for (std::size_t x = 0; x < sc.w; ++x)
                for (std::size_t i = 0; i < sc.ic; ++i) {
                    double exact = 0.0;
                    for (std::size_t ky = 0; ky < sc.k; ++ky)
                        for (std::size_t kx = 0; kx < sc.k; ++kx) {
                            if (y < ky || x < kx || y - ky >= l.out.h || x - kx >= l.out.w) continue;
                            for (std::size_t o = 0; o < sc.oc; ++o)
                                exact += double(g_out[((y - ky) * l.out.w + x - kx) * sc.oc + o]) * prm[l.weight_index(o, i, ky, kx)];
                        }
                    const std::size_t at = (y * sc.w + x) * sc.ic + i;
                    CAPTURE(at);
                    REQUIRE(g_in[0][at] == doctest::Approx(exact).epsilon(1e-5).scale(1.0));
#if defined(__FMA__) || defined(__AVX512F__)
                    REQUIRE(g_in[1][at] == g_in[0][at]);
#else
                    REQUIRE(g_in[1][at] == doctest::Approx(g_in[0][at]).epsilon(1e-5).scale(1.0));
#endif
                }
    }
}

TEST_CASE("linear backward step by step (weights transposed once per sample) is the scalar loops' bits, and follows new weights after begin")
{
    // A narrow layer on every target (fewer outputs than lanes: 10, as the
    // readout, where registers hold 16): only then does the SIMD path sum in
    // the scalar dot's order; wider layers agree to rounding (kernels.hpp).
    const std::size_t no = std::min<std::size_t>(10, simd::width - 1);
    linear l(800, no);
    l.configure({800, 1, 1});
    random_stream rng(34, stream_purpose::user);
    std::vector<float> prm(l.parameter_count());
    l.init(prm, rng);
    const auto a = random_input(800, 0.1, rng);
    const auto g_out = random_vector(no, rng);
    auto w = l.make_work(1);  // one work for both rounds
    for (int round = 0; round < 2; ++round) {
        std::vector<std::vector<float>> g_in(2, std::vector<float>(800)), g_prm(2, std::vector<float>(prm.size(), 0.0f));
        for (int path = 0; path < 2; ++path) {
            l.begin(w);
            activation o;
            o.resize(no);
            if (path == 0) {
                l.forward<float>(prm.data(), a, o, w, true);
                l.backward<float>(prm.data(), g_out.data(), g_in[0].data(), g_prm[0].data(), w, 0);
            } else {
                l.forward<simd::batch>(prm.data(), a, o, w, true);
                l.backward<simd::batch>(prm.data(), g_out.data(), g_in[1].data(), g_prm[1].data(), w, 0);
            }
        }
        CHECK(g_in[1] == g_in[0]);
        CHECK(g_prm[1] == g_prm[0]);
        for (auto& x : prm) x *= -1.5f;  // the same array, new weights: the next sample must not use the old transposition
    }
}

}
