# SPDX-License-Identifier: MIT
"""Figures of a diehl_cook result: receptive fields, the threshold theta,
the online training accuracy and the test confusion matrix."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt, tile_grid  # noqa: E402


def draw(r, save):
    w = r.array("weights")
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.imshow(tile_grid(w, 28, 28), cmap="hot", interpolation="nearest")
    ax.set_title(f"Receptive fields of the {w.shape[1]} excitatory neurons (each scaled to its maximum)")
    ax.axis("off")
    save(fig, "receptive_fields")

    fig, ax = plt.subplots()
    ax.hist(r.array("theta"), bins=30, color="tab:blue")
    ax.set(title="Adaptive threshold theta after training", xlabel="theta (mV)", ylabel="neurons")
    save(fig, "theta_histogram")

    curve = r.array("training_accuracy")
    if len(curve):
        fig, ax = plt.subplots()
        ax.plot(curve[:, 0], 100 * curve[:, 1], color="tab:red")
        ax.set(title="Online accuracy during training", xlabel="training images", ylabel="accuracy (%)", ylim=(0, 100))
        save(fig, "accuracy_curve")

    cm = r.array("confusion")
    fig, ax = plt.subplots()
    im = ax.imshow(cm, cmap="viridis")
    for (t, p), n in np.ndenumerate(cm):
        ax.text(p, t, n, ha="center", va="center", fontsize=7, color="w" if n < cm.max() / 2 else "k")
    ax.set(title=f"Test confusion matrix, accuracy {100 * r['accuracy']:.2f}%", xlabel="predicted label",
           ylabel="true label", xticks=range(10), yticks=range(10))
    fig.colorbar(im, ax=ax)
    save(fig, "confusion_matrix")


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
