#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>

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

bytes concat_bytes(bytes a, const bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
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

/// A header declaring dims, gzip'd as its own member, then `members`
/// members of `zeros_each` zero bytes each: a file whose decompressed size
/// is far beyond its own, cheap to make.
bytes gzip_bomb(std::vector<std::uint32_t> dims, std::size_t members, std::size_t zeros_each)
{
    auto file = somnus_test::gzip_zlib(idx_file(std::move(dims), {}), 6);
    const auto zeros = somnus_test::gzip_zeros(zeros_each);
    for (std::size_t i = 0; i < members; ++i) file.insert(file.end(), zeros.begin(), zeros.end());
    return file;
}

/// n images of rows x cols pixels and n labels in dir, as prefix-*; with
/// pixel_bytes set, only that many pixel bytes follow the image header.
void write_images(const somnus_test::scratch_dir& dir, const std::string& prefix, std::uint32_t n, std::uint32_t rows,
                  std::uint32_t cols, std::size_t pixel_bytes = std::size_t(-1))
{
    const std::size_t all = std::size_t{n} * rows * cols;
    somnus_test::write_bytes(dir / (prefix + "-images-idx3-ubyte"),
                             idx_file({n, rows, cols}, iota_bytes(std::min(all, pixel_bytes))));
    somnus_test::write_bytes(dir / (prefix + "-labels-idx1-ubyte"), idx_file({n}, bytes(n, 3)));
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

    TEST_CASE("regression: a FIFO in place of an IDX file is refused, not waited on")
    {
        somnus_test::scratch_dir dir("idx-fifo");
        write_split(dir, "train", 4, false);
        const auto images = dir / "train-images-idx3-ubyte";
        std::filesystem::remove(images);
        REQUIRE(somnus_test::make_fifo(images));
        somnus_test::fifo_unblocker guard(images);
        const std::string expected = images.string() + ": is a FIFO (named pipe), not an IDX file";
        CHECK(thrown<data_error>([&] { somnus::read_idx(images); }) == expected);
        CHECK(thrown<data_error>([&] { somnus::read_idx_dims(images); }) == expected);
        CHECK(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::train); }) == expected);
        // The same for the label file, and for a .gz name.
        write_split(dir, "t10k", 4, false);
        std::filesystem::remove(dir / "t10k-labels-idx1-ubyte");
        REQUIRE(somnus_test::make_fifo(dir / "t10k-labels-idx1-ubyte.gz"));
        somnus_test::fifo_unblocker guard2(dir / "t10k-labels-idx1-ubyte.gz");
        CHECK(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::test); }) ==
              (dir / "t10k-labels-idx1-ubyte.gz").string() + ": is a FIFO (named pipe), not an IDX file");
        CHECK_FALSE(guard.fired());
        CHECK_FALSE(guard2.fired());
    }

    TEST_CASE("regression: a symlink loop or an unsearchable folder is reported as such, not as 'no such file'")
    {
        somnus_test::scratch_dir dir("idx-access");
        write_split(dir, "train", 4, false);
        const auto images = dir / "train-images-idx3-ubyte";
        std::filesystem::remove(images);
        std::filesystem::create_symlink(dir / "loop-b", images);
        std::filesystem::create_symlink(images, dir / "loop-b");
        const auto e = thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::train); });
        CHECK(contains(e, images.string() + ": symbolic link loop"));
        CHECK_FALSE(contains(e, "no such file"));
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(images); }), images.string() + ": symbolic link loop"));

        if (somnus_test::running_as_root()) {
            MESSAGE("running as root: permissions are not enforced, skipping the unsearchable-folder check");
            return;
        }
        const auto locked = dir / "locked";
        std::filesystem::create_directories(locked / "mnist");
        std::filesystem::permissions(locked, std::filesystem::perms::owner_read);  // no search (x) bit
        const auto e2 = thrown<data_error>([&] { somnus::load_mnist(locked / "mnist", somnus::mnist_split::train); });
        std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
        CHECK(contains(e2, "permission denied"));
        CHECK_FALSE(contains(e2, "no such file"));
        // A file that exists but cannot be read.
        write_split(dir, "t10k", 4, false);
        std::filesystem::permissions(dir / "t10k-images-idx3-ubyte", std::filesystem::perms::none);
        CHECK(contains(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::test); }),
                       (dir / "t10k-images-idx3-ubyte").string() + ": permission denied"));
    }

    TEST_CASE("regression: images of the wrong size are refused when loaded, naming the file, before the pixels are read")
    {
        somnus_test::scratch_dir dir("mnist-geometry");
        const somnus::image_geometry mnist{28, 28};
        const std::string images = (dir / "t10k-images-idx3-ubyte").string();
        struct size {
            std::uint32_t rows, cols;
        };
        for (const auto g : {size{29, 28}, size{27, 29}, size{28, 27}, size{784, 1}}) {
            // No pixel data at all: reading it would report "truncated".
            write_images(dir, "t10k", 5, g.rows, g.cols, 0);
            CHECK(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::test, 100, mnist); }) ==
                  fmt::format("{}: images are {}x{} pixels, expected 28x28", images, g.rows, g.cols));
            // Gzip'd: the header is decoded, nothing more is needed.
            if (somnus_test::have_gzip()) {
                somnus_test::scratch_dir gz("mnist-geometry-gz");
                write_images(gz, "t10k", 5, g.rows, g.cols);
                somnus_test::gzip_tool(gz, somnus_test::read_bytes(gz / "t10k-images-idx3-ubyte"), 6, "t10k-images-idx3-ubyte");
                std::filesystem::remove(gz / "t10k-images-idx3-ubyte");
                CHECK(thrown<data_error>([&] { somnus::load_mnist(gz.path(), somnus::mnist_split::test, 2, mnist); }) ==
                      fmt::format("{}.gz: images are {}x{} pixels, expected 28x28",
                                  (gz / "t10k-images-idx3-ubyte").string(), g.rows, g.cols));
            }
        }
        // The right size loads; a loaded set is checked against a network by require_geometry.
        write_images(dir, "t10k", 5, 28, 28);
        const auto d = somnus::load_mnist(dir.path(), somnus::mnist_split::test, 3, mnist);
        CHECK(d.size() == 3);
        CHECK(d.items_in_file == 5);
        CHECK(d.images_path == dir / "t10k-images-idx3-ubyte");
        CHECK(d.labels_path == dir / "t10k-labels-idx1-ubyte");
        CHECK_NOTHROW(somnus::require_geometry(d, 28, 28));
        CHECK(thrown<data_error>([&] { somnus::require_geometry(d, 34, 34); }) ==
              images + ": images are 28x28 pixels, expected 34x34");
        write_images(dir, "train", 4, 29, 28);
        const auto wrong = somnus::load_mnist(dir.path(), somnus::mnist_split::train);
        CHECK(thrown<data_error>([&] { somnus::require_geometry(wrong, 28, 28); }) ==
              (dir / "train-images-idx3-ubyte").string() + ": images are 29x28 pixels, expected 28x28");
        somnus::image_dataset in_memory;
        in_memory.rows = in_memory.cols = 5;
        CHECK(contains(thrown<data_error>([&] { somnus::require_geometry(in_memory, 28, 28); }), "built in memory"));
        // read_idx_dims reads the header only.
        CHECK(somnus::read_idx_dims(dir / "train-images-idx3-ubyte") == std::vector<std::size_t>{4, 29, 28});
    }

    TEST_CASE("regression: labels beyond the loaded images are validated too")
    {
        somnus_test::scratch_dir dir("mnist-labels");
        write_split(dir, "train", 12, false);
        bytes labels(12, 3);
        labels[9] = 10;
        somnus_test::write_bytes(dir / "train-labels-idx1-ubyte", idx_file({12}, labels));
        const auto expected = (dir / "train-labels-idx1-ubyte").string() + ": label 10 at index 9 is not a class 0..9";
        CHECK(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::train, 3); }) == expected);
        CHECK(thrown<data_error>([&] { somnus::load_mnist(dir.path(), somnus::mnist_split::train, 0); }) == expected);
        labels[9] = 9;
        somnus_test::write_bytes(dir / "train-labels-idx1-ubyte", idx_file({12}, labels));
        const auto d = somnus::load_mnist(dir.path(), somnus::mnist_split::train, 3);
        CHECK(d.labels == bytes{3, 3, 3});
        CHECK(d.pixels.size() == 3 * 6);
    }

    TEST_CASE("regression: a small gzip file declaring or inflating to gigabytes costs bounded memory and names the file")
    {
        somnus_test::scratch_dir dir("idx-bomb");
        const auto path = dir / "bomb.gz";
        const std::string name = path.string();
        const auto rss0 = somnus_test::peak_rss_bytes();
        const auto t0 = std::chrono::steady_clock::now();

        // 2 GiB declared (the largest the cap allows), 1 MiB there.
        somnus_test::write_bytes(path, gzip_bomb({std::uint32_t{1} << 31}, 1, 1u << 20));
        CHECK(std::filesystem::file_size(path) < 10'000);
        CHECK(thrown<data_error>([&] { somnus::read_idx(path); }) ==
              name + ": truncated: header declares 2147483648 = 2147483648 bytes of data, decompressed file has 1048576");

        // 256 MiB of zeros from about 260 KB, after a header declaring 10 bytes:
        // refused after one byte past the declared size, not decoded in full.
        somnus_test::write_bytes(path, gzip_bomb({10}, 16, 16u << 20));
        CHECK(std::filesystem::file_size(path) < 300'000);
        CHECK(thrown<data_error>([&] { somnus::read_idx(path); }) ==
              name + ": trailing bytes: header declares 10 = 10 bytes of data, decompressed file has more than 10");
        CHECK(seconds_since(t0) < 1.0);

        // Declaring 128 MiB and holding them: all of it is decoded and
        // counted, but only the 10 items asked for are kept.
        somnus_test::write_bytes(path, gzip_bomb({1u << 20, 128}, 8, 16u << 20));
        const auto few = somnus::read_idx(path, 10);
        CHECK(few.items_in_file == 1u << 20);
        CHECK(few.dims == std::vector<std::size_t>{10, 128});
        CHECK(few.data == bytes(1280, 0));
        CHECK(few.data.capacity() == 1280);
        // One item more than declared is still found at the end.
        somnus_test::write_bytes(path, concat_bytes(gzip_bomb({1u << 20, 128}, 8, 16u << 20), somnus_test::gzip_zlib(bytes(128, 0))));
        CHECK(thrown<data_error>([&] { somnus::read_idx(path, 10); }) ==
              name + ": trailing bytes: header declares 1048576x128 = 134217728 bytes of data, decompressed file has more "
                     "than 134217728");
        MESSAGE("peak memory grew by " << (somnus_test::peak_rss_bytes() - rss0) / 1024 << " KiB");
        CHECK(somnus_test::peak_rss_bytes() - rss0 < (std::uint64_t{16} << 20));

        // A caller's cap below idx_max_elements refuses from the header alone.
        somnus_test::write_bytes(path, gzip_bomb({1u << 24}, 1, 16));
        CHECK(thrown<data_error>([&] { somnus::read_idx(path, 10, 1u << 20); }) ==
              name + ": IDX header declares 16777216 elements, more than the limit of 1048576");
        CHECK(thrown<data_error>([&] { somnus::read_idx_dims(path, 1u << 20); }) ==
              name + ": IDX header declares 16777216 elements, more than the limit of 1048576");
        somnus_test::write_bytes(dir / "plain", idx_file({1u << 24}, {}));
        CHECK(contains(thrown<data_error>([&] { somnus::read_idx(dir / "plain", 10, 1u << 20); }),
                       "more than the limit of 1048576"));
    }
}
