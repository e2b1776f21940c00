# SPDX-License-Identifier: MIT
# resize_bilinear (include/somnus/data/resize.hpp) against PIL's
# Image.resize(..., BILINEAR), byte for byte: real MNIST and Fashion-MNIST
# images (when their folders are given and present) and seeded random images
# of many sizes, down and up, square and not. Exit 0: all equal; 1: a
# difference (printed); 77: PIL or numpy missing (ctest counts it skipped).
#   /usr/bin/python3 check_resize_pil.py --tool somnus_resize_tool [--mnist DIR] [--fashion DIR] [--images N]
import argparse
import gzip
import os
import subprocess
import sys

try:
    import numpy as np
    from PIL import Image
except ImportError as e:
    print(f"check_resize_pil: skipped ({e}); apt-get install python3-pil python3-numpy")
    sys.exit(77)


def read_idx_images(folder, prefix, limit):
    for name in (f"{prefix}-images-idx3-ubyte", f"{prefix}-images-idx3-ubyte.gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            n, rows, cols = (int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(3))
            n = min(n, limit)
            return np.frombuffer(data, np.uint8, n * rows * cols, 16).reshape(n, rows, cols)
    return None


def pil_resize(images, out_rows, out_cols):
    return np.stack([np.asarray(Image.fromarray(im, mode="L").resize((out_cols, out_rows), Image.BILINEAR)) for im in images])


def ours(tool, images, out_rows, out_cols):
    n, rows, cols = images.shape
    run = subprocess.run([tool, str(rows), str(cols), str(out_rows), str(out_cols)], input=images.tobytes(),
                         capture_output=True, check=True)
    return np.frombuffer(run.stdout, np.uint8).reshape(n, out_rows, out_cols)


def compare(name, tool, images, out_rows, out_cols):
    a, b = ours(tool, images, out_rows, out_cols), pil_resize(images, out_rows, out_cols)
    bad = np.nonzero((a != b).reshape(len(images), -1).any(axis=1))[0]
    status = "ok" if len(bad) == 0 else f"{len(bad)} images differ, first {bad[0]}"
    print(f"{name}: {len(images)} images {images.shape[1]}x{images.shape[2]} -> {out_rows}x{out_cols}: {status}")
    if len(bad):
        print("ours\n", a[bad[0]], "\nPIL\n", b[bad[0]])
    return len(bad) == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--mnist", default="")
    ap.add_argument("--fashion", default="")
    ap.add_argument("--images", type=int, default=20000)
    args = ap.parse_args()
    ok = True
    checked_real = 0
    for name, folder in (("MNIST", args.mnist), ("Fashion-MNIST", args.fashion)):
        for prefix in ("train", "t10k"):
            images = read_idx_images(folder, prefix, args.images) if folder else None
            if images is None:
                print(f"{name} {prefix}: not found in '{folder}', not checked")
                continue
            for size in ((15, 15), (14, 14), (20, 11), (40, 33)):
                ok &= compare(f"{name} {prefix}", args.tool, images, *size)
            checked_real += 1
    rng = np.random.default_rng(20260108)
    sizes = [(28, 28, 15, 15), (28, 28, 14, 14), (34, 34, 15, 15), (28, 28, 28, 28), (15, 15, 28, 28), (28, 20, 15, 11),
             (20, 28, 7, 30), (1, 1, 3, 5), (3, 1, 1, 4), (5, 7, 9, 3), (100, 3, 13, 3), (64, 64, 3, 3), (17, 29, 17, 5),
             (33, 31, 32, 30), (28, 28, 27, 29), (2, 2, 1, 1), (7, 7, 100, 1)]
    for rows, cols, out_rows, out_cols in sizes:
        images = rng.integers(0, 256, size=(200, rows, cols), dtype=np.uint8)
        # Some flat and some sparse, bright images, as digits are.
        images[:20] = rng.integers(0, 256, size=(20, 1, 1), dtype=np.uint8)
        images[20:60] = np.where(rng.random((40, rows, cols)) < 0.8, 0, 255).astype(np.uint8)
        ok &= compare("random", args.tool, images, out_rows, out_cols)
    print("all equal" if ok else "DIFFERENCES FOUND", f"({checked_real} real image files checked)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
