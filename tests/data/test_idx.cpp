#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <somnus/data/idx.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/io/crc32.hpp>

#include "../io/scratch.hpp"

using somnus::data_error;
using somnus_test::contains;
using somnus_test::thrown;
using bytes = std::vector<std::uint8_t>;

namespace {

bytes idx_file(std::vector<std::uint32_t> dims, const bytes& data, std::uint8_t type = 0x08)
{
    bytes b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (const auto d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

bytes iota_bytes(std::size_t n, std::uint8_t mul = 1)
{
    bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * mul);
    return b;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The error message read_idx gives for a file holding `content`.
std::string idx_error(const somnus_test::scratch_dir& dir, const bytes& content, const std::string& name = "bad-idx")
{
    somnus_test::write_bytes(dir / name, content);
    return thrown<data_error>([&] { somnus::read_idx(dir / name); });
}

/// Writes a tiny MNIST-style split into dir (labels 0..n-1 mod 10).
void write_split(const somnus_test::scratch_dir& dir, const std::string& prefix, std::uint32_t n, bool gz)
{
    const auto images = idx_file({n, 2, 3}, iota_bytes(n * 6, 3));
    bytes labels(n);
    for (std::uint32_t i = 0; i < n; ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
    const auto lab = idx_file({n}, labels);
    const std::string im_name = prefix + "-images-idx3-ubyte", lab_name = prefix + "-labels-idx1-ubyte";
    if (gz) {
        somnus_test::gzip_tool(dir, images, 6, im_name);
        somnus_test::gzip_tool(dir, lab, 6, lab_name);
        std::filesystem::remove(dir / im_name);
        std::filesystem::remove(dir / lab_name);
    } else {
        somnus_test::write_bytes(dir / im_name, images);
        somnus_test::write_bytes(dir / lab_name, lab);
    }
}

} // namespace

TEST_SUITE("data")
{
    TEST_CASE("read_idx: valid files of rank 1 to 4")
    {
        somnus_test::scratch_dir dir("idx");
        const auto data = iota_bytes(24, 7);
        somnus_test::write_bytes(dir / "a", idx_file({2, 3, 4}, data));
        const auto a = somnus::read_idx(dir / "a");
        CHECK(a.dims == std::vector<std::size_t>{2, 3, 4});
        CHECK(a.rank() == 3);
        CHECK(a.items_in_file == 2);
        CHECK(a.data == data);

        somnus_test::write_bytes(dir / "b", idx_file({5}, bytes{9, 8, 7, 6, 5}));
        const auto b = somnus::read_idx(dir / "b");
        CHECK(b.dims == std::vector<std::size_t>{5});
        CHECK(b.data == bytes{9, 8, 7, 6, 5});

        somnus_test::write_bytes(dir / "c", idx_file({1, 2, 1, 3}, iota_bytes(6)));
        CHECK(somnus::read_idx(dir / "c").dims == std::vector<std::size_t>{1, 2, 1, 3});

        // max_items keeps a prefix of items but the whole file is still checked.
        const auto one = somnus::read_idx(dir / "a", 1);
        CHECK(one.dims == std::vector<std::size_t>{1, 3, 4});
        CHECK(one.items_in_file == 2);
        CHECK(one.data == bytes(data.begin(), data.begin() + 12));
        CHECK(somnus::read_idx(dir / "a", 0).data.empty());
        CHECK(somnus::read_idx(dir / "a", 99).data == data);
        somnus_test::write_bytes(dir / "a-long", idx_file({2, 3, 4}, iota_bytes(25)));
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(dir / "a-long", 1); }), "trailing bytes"));
    }

    TEST_CASE("read_idx: malformed headers and sizes")
    {
        somnus_test::scratch_dir dir("idx-bad");
        const std::string path = (dir / "bad-idx").string();
        const auto data24 = iota_bytes(24);

        auto wrong_magic = idx_file({2, 3, 4}, data24);
        wrong_magic[1] = 0x01;
        CHECK(contains(idx_error(dir, wrong_magic), path + ": not an IDX file"));
        CHECK(contains(idx_error(dir, idx_file({24}, data24, 0x0D)), "0x0d (float) not supported"));
        CHECK(contains(idx_error(dir, idx_file({24}, data24, 0x05)), "unknown element type 0x05"));
        CHECK(contains(idx_error(dir, idx_file({}, data24)), path + ": IDX rank 0 out of range 1..4"));
        CHECK(contains(idx_error(dir, idx_file({1, 1, 1, 1, 1, 1, 1, 1, 24}, data24)), "IDX rank 9 out of range"));
        CHECK(contains(idx_error(dir, idx_file({2, 0, 4}, {})), "dimension 1 of 2x0x4 is 0"));

        CHECK(idx_error(dir, idx_file({2, 3, 4}, iota_bytes(23))) ==
              path + ": truncated: header declares 2x3x4 = 24 bytes of data, file has 23");
        CHECK(idx_error(dir, idx_file({2, 3, 4}, iota_bytes(30))) ==
              path + ": trailing bytes: header declares 2x3x4 = 24 bytes of data, file has 30");
        CHECK(contains(idx_error(dir, idx_file({2, 3, 4}, {})), "file has 0"));

        // Header itself cut short, down to an empty file.
        const auto full = idx_file({2, 3, 4}, data24);
        for (std::size_t cut = 0; cut < 16; ++cut)
            CHECK(contains(idx_error(dir, bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut))),
                           path + ": truncated IDX header"));

        // Forged sizes: refused from the header and the file size alone,
        // without allocating what the header claims.
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(contains(idx_error(dir, idx_file({0xFFFFFFFFu, 0xFFFFFFFFu}, data24)),
                       "declares 4294967295x4294967295 elements, more than the limit"));
        CHECK(contains(idx_error(dir, idx_file({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, {})),
                       "more than the limit"));
        CHECK(contains(idx_error(dir, idx_file({65536, 65536}, {})), "more than the limit"));
        CHECK(contains(idx_error(dir, idx_file({0x7FFFFFFFu, 1}, data24)),
                       "truncated: header declares 2147483647x1 = 2147483647 bytes of data, file has 24"));
        CHECK(seconds_since(t0) < 2.0);

        const auto missing = dir / "no-such-file";
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(missing); }), missing.string() + ": no such file"));
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(dir.path()); }), "is a directory"));
    }

    TEST_CASE("read_idx: gzip'd files, detected by content")
    {
        if (!somnus_test::have_gzip()) {
            MESSAGE("gzip not found; skipping");
            return;
        }
        somnus_test::scratch_dir dir("idx-gz");
        const auto data = iota_bytes(3 * 28 * 28, 5);
        const auto plain = idx_file({3, 28, 28}, data);
        // No .gz suffix on purpose: detection is by the magic bytes.
        somnus_test::write_bytes(dir / "packed", somnus_test::gzip_tool(dir, plain, 9, "tmp"));
        const auto a = somnus::read_idx(dir / "packed");
        CHECK(a.dims == std::vector<std::size_t>{3, 28, 28});
        CHECK(a.data == data);
        const auto b = somnus::read_idx(dir / "packed", 2);
        CHECK(b.dims == std::vector<std::size_t>{2, 28, 28});
        CHECK(b.items_in_file == 3);
        CHECK(b.data == bytes(data.begin(), data.begin() + 2 * 784));

        const auto gz_error = [&](const bytes& content) {
            somnus_test::write_bytes(dir / "g.gz", somnus_test::gzip_tool(dir, content, 6, "g"));
            return thrown<data_error>([&] { somnus::read_idx(dir / "g.gz"); });
        };
        const std::string name = (dir / "g.gz").string();
        CHECK(gz_error(idx_file({3, 28, 28}, iota_bytes(2351))) ==
              name + ": truncated: header declares 3x28x28 = 2352 bytes of data, decompressed file has 2351");
        CHECK(gz_error(idx_file({3, 28, 28}, iota_bytes(2353))) ==
              name + ": trailing bytes: header declares 3x28x28 = 2352 bytes of data, decompressed file has more than 2352");
        CHECK(contains(gz_error(bytes{0, 0, 8}), name + ": truncated IDX header"));
        CHECK(contains(gz_error(bytes{}), name + ": truncated IDX header"));
        CHECK(contains(gz_error(idx_file({0xFFFFFFFFu, 0xFFFFFFFFu}, data)), "more than the limit"));
        {
            // 8 MB of zeros after a 10-byte declaration: refused after decoding
            // one byte past the declared size, not all of it.
            bytes bomb = idx_file({10}, bytes(10, 1));
            bomb.resize(bomb.size() + (8u << 20), 0);
            CHECK(contains(gz_error(bomb), "trailing bytes"));
        }

        auto packed = somnus_test::read_bytes(dir / "packed");
        auto corrupt = packed;
        corrupt[corrupt.size() - 6] ^= 0x10;  // inside the CRC
        somnus_test::write_bytes(dir / "corrupt", corrupt);
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(dir / "corrupt"); }),
                       (dir / "corrupt").string() + ": gzip CRC mismatch"));
        for (const std::size_t cut : {std::size_t{2}, std::size_t{11}, packed.size() / 2, packed.size() - 1}) {
            somnus_test::write_bytes(dir / "cut", bytes(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(cut)));
            CHECK(contains(thrown<data_error>([&] { somnus::read_idx(dir / "cut"); }), (dir / "cut").string() + ": "));
        }
    }

    TEST_CASE("load_mnist on small synthetic sets")
    {
        somnus_test::scratch_dir dir("mnist-synthetic");
        write_split(dir, "train", 12, false);
        const auto d = somnus::load_mnist(dir.path(), somnus::mnist_split::train);
        CHECK(d.size() == 12);
        CHECK(d.rows == 2);
        CHECK(d.cols == 3);
        CHECK(d.pixels_per_image() == 6);
        CHECK(d.pixels.size() == 72);
        CHECK(d.labels[11] == 1);
        REQUIRE(d.image(4).size() == 6);
        CHECK(d.image(4)[0] == static_cast<std::uint8_t>(4 * 6 * 3));
        CHECK(d.image(4).data() == d.pixels.data() + 24);
        CHECK_THROWS_AS(d.image(12), std::out_of_range);

        const auto few = somnus::load_mnist(dir.path(), somnus::mnist_split::train, 5);
        CHECK(few.size() == 5);
        CHECK(few.pixels.size() == 30);

        const auto no_test = thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::test); });
        CHECK(contains(no_test, (dir / "t10k-images-idx3-ubyte").string() + ": no such file"));

        if (somnus_test::have_gzip()) {
            write_split(dir, "t10k", 7, true);
            const auto t = somnus::load_mnist(dir.path(), somnus::mnist_split::test);
            CHECK(t.size() == 7);
            CHECK(t.pixels == bytes(d.pixels.begin(), d.pixels.begin() + 42));
        }

        SUBCASE("inconsistent files name the culprit")
        {
            const auto labels = (dir / "train-labels-idx1-ubyte").string();
            const auto images = (dir / "train-images-idx3-ubyte").string();
            const auto err = [&] { return thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::train); }); };
            somnus_test::write_bytes(dir / "train-labels-idx1-ubyte", idx_file({11}, bytes(11, 1)));
            CHECK(err() == labels + ": 11 labels for the 12 images of train-images-idx3-ubyte");
            // Mismatch beyond the limit is still caught.
            CHECK_THROWS_AS(somnus::load_mnist(dir.path(), somnus::mnist_split::train, 3), data_error);
            bytes bad(12, 3);
            bad[7] = 10;
            somnus_test::write_bytes(dir / "train-labels-idx1-ubyte", idx_file({12}, bad));
            CHECK(err() == labels + ": label 10 at index 7 is not a class 0..9");
            somnus_test::write_bytes(dir / "train-labels-idx1-ubyte", idx_file({12, 1}, bytes(12, 1)));
            CHECK(contains(err(), labels + ": labels must have rank 1"));
            somnus_test::write_bytes(dir / "train-images-idx3-ubyte", idx_file({12, 6}, bytes(72, 1)));
            CHECK(contains(err(), images + ": images must have rank 3"));
            std::filesystem::remove(dir / "train-images-idx3-ubyte");
            CHECK(contains(err(), images + ": no such file"));
        }
    }

    TEST_CASE("MNIST from SOMNUS_MNIST_DIR")
    {
        const char* env = std::getenv("SOMNUS_MNIST_DIR");
        if (!env || !*env || !std::filesystem::exists(env)) {
            MESSAGE("SOMNUS_MNIST_DIR not set or missing; skipping the real-MNIST checks");
            return;
        }
        const std::filesystem::path dir = env;
        const auto t0 = std::chrono::steady_clock::now();
        const auto train = somnus::load_mnist(dir, somnus::mnist_split::train);
        const auto test = somnus::load_mnist(dir, somnus::mnist_split::test);
        MESSAGE("MNIST loaded in " << seconds_since(t0) << " s");
        CHECK(train.size() == 60000);
        CHECK(test.size() == 10000);
        CHECK(train.rows == 28);
        CHECK(train.cols == 28);
        CHECK(test.rows == 28);
        CHECK(train.pixels.size() == 60000u * 784);
        CHECK(bytes(test.labels.begin(), test.labels.begin() + 10) == bytes{7, 2, 1, 0, 4, 1, 4, 9, 5, 9});
        CHECK(bytes(train.labels.begin(), train.labels.begin() + 10) == bytes{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
        std::array<std::size_t, 10> counts{}, test_counts{};
        for (const auto l : train.labels) ++counts[l];
        for (const auto l : test.labels) ++test_counts[l];
        CHECK(counts == std::array<std::size_t, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
        CHECK(test_counts == std::array<std::size_t, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
        // Checksums of the pixel data, taken with Python's zlib.crc32.
        CHECK(somnus::detail::crc32(train.pixels) == 0xF3639B56u);
        CHECK(somnus::detail::crc32(test.pixels) == 0xE4CA5F57u);

        const auto part = somnus::load_mnist(dir, somnus::mnist_split::test, 100);
        CHECK(part.size() == 100);
        CHECK(part.pixels == bytes(test.pixels.begin(), test.pixels.begin() + 100 * 784));
    }

    TEST_CASE("Fashion-MNIST from /usr/share/datasets/fashion-mnist (gzip'd)")
    {
        const std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
        if (!std::filesystem::exists(dir / "train-images-idx3-ubyte.gz")) {
            MESSAGE("Fashion-MNIST (Debian dataset-fashion-mnist) not installed; skipping");
            return;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto train = somnus::load_mnist(dir, somnus::mnist_split::train);
        const auto test = somnus::load_mnist(dir, somnus::mnist_split::test);
        MESSAGE("Fashion-MNIST loaded in " << seconds_since(t0) << " s");
        CHECK(train.size() == 60000);
        CHECK(test.size() == 10000);
        CHECK(train.rows == 28);
        CHECK(train.cols == 28);
        std::array<std::size_t, 10> counts{}, test_counts{};
        for (const auto l : train.labels) ++counts[l];
        for (const auto l : test.labels) ++test_counts[l];
        for (std::size_t c = 0; c < 10; ++c) {
            CHECK(counts[c] == 6000);
            CHECK(test_counts[c] == 1000);
        }
        CHECK(bytes(test.labels.begin(), test.labels.begin() + 10) == bytes{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
        CHECK(somnus::detail::crc32(train.pixels) == 0xAE65DCCDu);
        CHECK(somnus::detail::crc32(test.pixels) == 0x12728439u);
    }
}
