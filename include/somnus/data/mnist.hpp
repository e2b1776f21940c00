// SPDX-License-Identifier: MIT
// MNIST-style image sets (MNIST, LeCun et al. 1998; Fashion-MNIST, Xiao et al.
// 2017): {train,t10k}-images-idx3-ubyte and {train,t10k}-labels-idx1-ubyte in
// one folder, each plain or with a .gz suffix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../io/file.hpp"
#include "idx.hpp"

namespace somnus {

enum class mnist_split { train, test };

/// Grayscale images of rows x cols bytes, stored one after another, with
/// one class label (0..9) each.
struct image_dataset {
    std::size_t rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels;  ///< size() * rows * cols, row-major
    std::vector<std::uint8_t> labels;
    /// Where the images and labels came from (empty when built in memory),
    /// so that later checks (geometry, counts) can name the file.
    std::filesystem::path images_path, labels_path;
    /// Images the file holds; size() may be fewer (a limit was asked for).
    std::size_t items_in_file = 0;

    std::size_t size() const { return labels.size(); }
    std::size_t pixels_per_image() const { return rows * cols; }
    std::span<const std::uint8_t> image(std::size_t i) const
    {
        detail::require<std::out_of_range>(i < size(), "image_dataset::image: index {} out of range (size {})", i, size());
        return std::span<const std::uint8_t>(pixels).subspan(i * rows * cols, rows * cols);
    }
};

/// The size of one image, for checking a data set against a network's input.
struct image_geometry {
    std::size_t rows = 0, cols = 0;
};

namespace detail {

/// dir/base, else dir/base.gz; data_error naming both if neither exists,
/// and naming what happened if a lookup fails for another reason (a
/// symlink loop, a folder that cannot be searched).
inline std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& base)
{
    const auto plain = dir / base;
    auto packed = plain;
    packed += ".gz";
    if (file_exists(plain)) return plain;
    if (file_exists(packed)) return packed;
    throw data_error(fmt::format("{}: no such file (nor {})", plain.string(), packed.filename().string()));
}

inline void require_geometry(const std::string& name, std::size_t rows, std::size_t cols, image_geometry expect)
{
    if (rows != expect.rows || cols != expect.cols)
        throw data_error(fmt::format("{}: images are {}x{} pixels, expected {}x{}", name, rows, cols, expect.rows,
                                     expect.cols));
}

} // namespace detail

/// Checks that an image set's images are rows x cols (a network's input
/// size), naming the file the set came from; data_error if not.
inline void require_geometry(const image_dataset& d, std::size_t rows, std::size_t cols)
{
    detail::require_geometry(d.images_path.empty() ? std::string("image set (built in memory)") : d.images_path.string(),
                             d.rows, d.cols, {rows, cols});
}

/// Loads the training (60000) or test (10000) set from dir, at most `limit`
/// images. Both files are validated in full: IDX structure and length,
/// images of rank 3, labels of rank 1, equal counts, and every label in the
/// file (not only those loaded) below 10. With `expect`, images of another
/// size are refused, naming the file, before any pixel data is read.
inline image_dataset load_mnist(const std::filesystem::path& dir, mnist_split split,
                                std::size_t limit = std::numeric_limits<std::size_t>::max(),
                                std::optional<image_geometry> expect = std::nullopt)
{
    const std::string prefix = split == mnist_split::train ? "train" : "t10k";
    const auto image_path = detail::find_idx_file(dir, prefix + "-images-idx3-ubyte");
    const auto label_path = detail::find_idx_file(dir, prefix + "-labels-idx1-ubyte");

    // The header first: rank and size are checked before the pixels are read.
    const auto dims = read_idx_dims(image_path);
    if (dims.size() != 3)
        throw data_error(fmt::format("{}: images must have rank 3 (count x rows x cols), file has rank {}",
                                     image_path.string(), dims.size()));
    if (expect) detail::require_geometry(image_path.string(), dims[1], dims[2], *expect);

    // The label file is small: read whole, so every label is checked.
    auto labels = read_idx(label_path);
    if (labels.rank() != 1)
        throw data_error(fmt::format("{}: labels must have rank 1, file has rank {}", label_path.string(), labels.rank()));
    if (dims[0] != labels.items_in_file)
        throw data_error(fmt::format("{}: {} labels for the {} images of {}", label_path.string(), labels.items_in_file,
                                     dims[0], image_path.filename().string()));
    for (std::size_t i = 0; i < labels.data.size(); ++i)
        if (labels.data[i] > 9)
            throw data_error(fmt::format("{}: label {} at index {} is not a class 0..9", label_path.string(),
                                         labels.data[i], i));

    auto images = read_idx(image_path, limit);
    // The same file read twice: a file replaced in between is caught here.
    if (images.rank() != 3 || images.items_in_file != dims[0] || images.dims[1] != dims[1] || images.dims[2] != dims[2])
        throw data_error(fmt::format("{}: changed while being read", image_path.string()));

    image_dataset d;
    d.rows = images.dims[1];
    d.cols = images.dims[2];
    d.pixels = std::move(images.data);
    labels.data.resize(images.dims[0]);
    labels.data.shrink_to_fit();
    d.labels = std::move(labels.data);
    d.images_path = image_path;
    d.labels_path = label_path;
    d.items_in_file = images.items_in_file;
    return d;
}

} // namespace somnus
