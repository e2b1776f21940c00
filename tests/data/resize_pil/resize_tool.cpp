// SPDX-License-Identifier: MIT
// somnus_resize_tool: resize_bilinear (data/resize.hpp) over raw images, for
// check_resize_pil.py, which compares the bytes with PIL's:
//   somnus_resize_tool ROWS COLS OUT_ROWS OUT_COLS < images.raw > resized.raw
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <somnus/data/resize.hpp>

int main(int argc, char** argv)
{
    if (argc != 5) {
        std::cerr << "usage: somnus_resize_tool ROWS COLS OUT_ROWS OUT_COLS < images.raw > resized.raw\n";
        return 2;
    }
    try {
        const std::size_t rows = std::stoul(argv[1]), cols = std::stoul(argv[2]), out_rows = std::stoul(argv[3]),
                          out_cols = std::stoul(argv[4]);
        const std::vector<unsigned char> in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        if (rows * cols == 0 || in.size() % (rows * cols) != 0) {
            std::cerr << "somnus_resize_tool: " << in.size() << " bytes on stdin is not a whole number of " << rows << "x" << cols
                      << " images\n";
            return 2;
        }
        somnus::image_dataset d;
        d.rows = rows;
        d.cols = cols;
        d.pixels.assign(in.begin(), in.end());
        d.labels.assign(in.size() / (rows * cols), 0);
        const auto r = somnus::resize_dataset(d, out_rows, out_cols);
        std::fwrite(r.pixels.data(), 1, r.pixels.size(), stdout);
        return std::fflush(stdout) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "somnus_resize_tool: " << e.what() << "\n";
        return 2;
    }
}
