# SPDX-License-Identifier: MIT
# Writes fixture.txt: seeded random 8-bit images and PIL's (Pillow 9.4)
# Image.resize(..., BILINEAR) of each, for tests/data/test_resize.cpp, which
# runs without Python. Random images only (no data set is copied). One case
# per line: rows cols out_rows out_cols, then the source bytes and PIL's
# bytes in hex, row-major.
#   /usr/bin/python3 make_fixture.py > fixture.txt
import sys

import numpy as np
from PIL import Image
import PIL

rng = np.random.default_rng(15)
sizes = [(28, 28, 15, 15), (28, 28, 14, 14), (34, 34, 15, 15), (15, 15, 28, 28), (28, 20, 15, 11), (20, 28, 7, 30),
         (5, 7, 9, 3), (1, 1, 3, 5), (3, 1, 1, 4), (64, 64, 3, 3), (17, 29, 17, 5), (28, 28, 27, 29), (2, 2, 1, 1),
         (9, 4, 9, 4)]
print(f"# PIL {PIL.__version__} Image.resize((out_cols, out_rows), Image.BILINEAR) of mode L images; make_fixture.py")
for rows, cols, out_rows, out_cols in sizes:
    for kind in ("uniform", "sparse"):
        if kind == "uniform":
            im = rng.integers(0, 256, size=(rows, cols), dtype=np.uint8)
        else:
            im = np.where(rng.random((rows, cols)) < 0.75, 0, rng.integers(1, 256, size=(rows, cols))).astype(np.uint8)
        out = np.asarray(Image.fromarray(im, mode="L").resize((out_cols, out_rows), Image.BILINEAR))
        print(rows, cols, out_rows, out_cols, im.tobytes().hex(), out.tobytes().hex())
