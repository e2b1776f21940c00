# SPDX-License-Identifier: MIT
"""Figures of an nmnist_ensemble result: each member's test accuracy, the
class each member maps each shuffled label to, S0 and the Shannon entropy
against the agreement threshold, the members' training losses (and test
accuracy after each epoch, with --epoch-tests) and, with --grouping script,
the distribution of the script's S0 over its draws."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt  # noqa: E402


def draw(r, save):
    acc = r.array("member_accuracy")
    fig, ax = plt.subplots()
    ax.scatter(range(len(acc)), 100 * acc, color="tab:blue")
    ax.set(title="Test accuracy per ensemble member", xlabel="member", ylabel="accuracy (%)", ylim=(0, 100))
    save(fig, "member_accuracy")

    maps = r.array("mappings")
    fig, ax = plt.subplots()
    im = ax.imshow(np.ma.masked_less(maps, 0), cmap="tab10", vmin=-0.5, vmax=9.5)
    ax.set(title="Class each member maps each shuffled label to", xlabel="shuffled label", ylabel="member", xticks=range(10))
    fig.colorbar(im, ax=ax, ticks=range(10), label="class")
    save(fig, "mappings")

    th = np.arange(1, 11)
    fig, ax = plt.subplots()
    ax.plot(th, r.array("s0_by_threshold"), "o-", color="tab:red", label="S0 = -sum P0^2 ln P0")
    ax.plot(th, r.array("shannon_by_threshold"), "o-", color="tab:blue", label="Shannon -sum P0 ln P0")
    ax.set(title="Function-space entropy against the agreement threshold", xlabel="threshold (labels of 10)", ylabel="nats")
    ax.legend()
    save(fig, "entropy_by_threshold")

    losses = r.array("losses")
    if losses.size:
        fig, ax = plt.subplots()
        for m, curve in enumerate(losses):
            ax.plot(np.arange(1, len(curve) + 1), curve, lw=0.8, label=f"member {m}")
        ax.set(title="Training loss of each member", xlabel="batch", ylabel="loss")
        ax.legend(fontsize=7)
        save(fig, "losses")

    if r.has("epoch_accuracy"):
        fig, ax = plt.subplots()
        for m, curve in enumerate(r.array("epoch_accuracy")):
            ax.plot(np.arange(1, len(curve) + 1), 100 * curve, "o-", label=f"member {m}")
        ax.set(title="Test accuracy after each epoch", xlabel="epoch", ylabel="accuracy (%)", ylim=(0, 100))
        ax.legend(fontsize=7)
        save(fig, "epoch_accuracy")

    if r.has("script_s0_draws"):
        fig, ax = plt.subplots()
        ax.hist(r.array("script_s0_draws"), bins=40, color="tab:gray")
        ax.axvline(r["paper"]["s0"], color="tab:red", label=f"published S0 {r['paper']['s0']}")
        ax.set(title=f"The script's S0 over {r['script_grouping']['draws']} draws", xlabel="S0 (nats)", ylabel="draws")
        ax.legend()
        save(fig, "script_s0")


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
