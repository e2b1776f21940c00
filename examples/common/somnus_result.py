# SPDX-License-Identifier: MIT
"""A somnus program's result for its figure script: the JSON and the .npy
arrays it names (examples/common/arrays.hpp), and the figures' output.

A figure script defines draw(result, save) and ends with
somnus_result.main(draw, __doc__); run it as
    figures.py RESULT.json OUTDIR [--format png --format pdf ...]
or through scripts/figures, which picks the script from the JSON's "program".
"""
import argparse
import json
import pathlib
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class Result:
    """The JSON (result["key"], result.get) and its arrays (result.array)."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        try:
            self.json = json.loads(self.path.read_text())
        except (OSError, ValueError) as e:
            raise SystemExit(f"{self.path}: cannot read a result JSON ({e})")
        self.arrays = self.json.get("arrays", {})

    def __getitem__(self, key):
        return self.json[key]

    def get(self, key, default=None):
        return self.json.get(key, default)

    def has(self, name):
        return name in self.arrays

    def array(self, name):
        """numpy.load of the named array, its shape checked against the JSON."""
        if name not in self.arrays:
            raise SystemExit(f"{self.path}: no array '{name}' (it names: {', '.join(sorted(self.arrays)) or 'none'})")
        entry = self.arrays[name]
        file = self.path.parent / entry["file"]
        try:
            a = np.load(file, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise SystemExit(f"{file}: cannot load ({e})")
        if list(a.shape) != list(entry["shape"]):
            raise SystemExit(f"{file}: shape {list(a.shape)}, the JSON says {entry['shape']}")
        return a


def tile_grid(w, rows, cols):
    """Columns of w ([rows*cols] x n) as one image of square-ish tiles, each
    scaled to its own maximum (receptive fields)."""
    n = w.shape[1]
    per_row = int(np.ceil(np.sqrt(n)))
    grid = np.full((per_row * (rows + 1), per_row * (cols + 1)), np.nan)
    for j in range(n):
        tile = w[:, j].reshape(rows, cols)
        top = tile.max()
        r, c = divmod(j, per_row)
        grid[r * (rows + 1):r * (rows + 1) + rows, c * (cols + 1):c * (cols + 1) + cols] = tile / top if top > 0 else tile
    return grid


def main(draw, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("result", help="the program's JSON result (its arrays lie beside it)")
    parser.add_argument("outdir", help="folder for the figures (created if missing)")
    parser.add_argument("--format", action="append", choices=["png", "pdf", "svg"],
                        help="file format, repeatable (default png)")
    args = parser.parse_args()
    result = Result(args.result)
    out = pathlib.Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    formats = args.format or ["png"]

    def save(fig, name):
        for f in formats:
            path = out / f"{name}.{f}"
            fig.savefig(path, dpi=120, bbox_inches="tight")
            print(path)
        plt.close(fig)

    draw(result, save)
    return 0


__all__ = ["Result", "main", "plt", "np", "tile_grid"]
if __name__ == "__main__":
    sys.exit("somnus_result.py is imported by the figure scripts; run scripts/figures RESULT.json OUTDIR")
