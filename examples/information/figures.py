# SPDX-License-Identifier: MIT
"""Figures of an information result, per dataset: the heat map of each output
neuron's summed MI with the input for the first test image of each class
(class x output neuron), and Capozzi et al.'s Table 1 as a picture: which
neurons spiked, which have non-zero MI, which significant MI."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# Table 1's cells: a neuron that spiked should be one with non-zero MI.
KINDS = [("silent, MI 0", "#f2f2f2"), ("spiked, MI > 0", "tab:blue"),
         ("spiked, MI 0", "tab:red"), ("silent, MI > 0", "tab:orange")]


def draw(r, save):
    alpha = r["alpha"]
    for name, d in r["datasets"].items():
        mi = r.array(f"mi_{name}")
        size = (min(16, max(6, 0.12 * mi.shape[1])), 4)
        fig, ax = plt.subplots(figsize=size)
        im = ax.imshow(mi, aspect="auto", cmap="viridis", interpolation="nearest")
        ax.set(title=f"{name}: MI with the input per output neuron (bits), accuracy {100 * d['accuracy']:.1f}%",
               xlabel="output neuron", ylabel="class", yticks=range(10))
        fig.colorbar(im, ax=ax, label="summed plug-in MI (bits)")
        save(fig, f"mi_heat_map_{name}")

        spiked = r.array(f"output_spikes_{name}") > 0
        nonzero = mi > 0
        p = r.array(f"p_value_{name}")
        kind = np.select([spiked & nonzero, spiked & ~nonzero, ~spiked & nonzero], [1, 2, 3], 0)
        fig, ax = plt.subplots(figsize=size)
        ax.imshow(kind, aspect="auto", cmap=ListedColormap([c for _, c in KINDS]), vmin=-0.5, vmax=3.5,
                  interpolation="nearest")
        handles = [Patch(color=c, label=f"{label}: {int((kind == k).sum())}") for k, (label, c) in enumerate(KINDS)]
        rows, cols = np.nonzero(np.nan_to_num(p, nan=1.0) < alpha)
        handles.append(ax.scatter(cols, rows, marker="*", s=30, color="k", label=f"significant MI (p < {alpha:g})"))
        equal = d["classes_spiking_equals_nonzero_mi"]
        ax.set(title=f"{name}: spiking vs non-zero MI (Table 1), equal in {equal} of {len(d['classes'])} classes",
               xlabel="output neuron", ylabel="class", yticks=range(10))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        save(fig, f"table1_{name}")


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
