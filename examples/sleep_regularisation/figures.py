# SPDX-License-Identifier: MIT
"""Figures of a sleep_regularisation result. --protocol massey2026: test
accuracy by sleep ratio, their published runs beside ours (their readout
and ours), for the STDP network and the SG control. --protocol ours: the
STDP and SG measures over training per sleep fraction (mean and s.e.m. over
seeds), forgetting, and the SG members' function-space entropy S0."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt  # noqa: E402


def lines(ax, xs, table, labels, runs=None):
    """Series k: table[i, k] = (mean, error) at xs[i] (or xs[i][p] for table[i, p]); runs[k] drawn as dots."""
    for k, label in enumerate(labels):
        x, y = (xs, table[:, k]) if runs is not None else (xs[k], table[k])
        if np.isnan(y[:, 0]).all():
            continue
        bar = ax.errorbar(x, y[:, 0], y[:, 1], capsize=3, marker="o", label=label)
        if runs is not None and runs[k] is not None:
            ax.plot(np.repeat(x, runs[k].shape[1]), runs[k].ravel(), ".", color=bar[0].get_color(), alpha=0.5)
    ax.legend()


def forgetting(save, name, x, drop, error):
    """The drop in accuracy on classes 0-4 after training on 5-9, per setting (mean and error bar)."""
    fig, ax = plt.subplots()
    ax.bar(x, drop[:, 0], yerr=drop[:, 1], width=0.6 * np.min(np.diff(x), initial=5), capsize=3, color="tab:red")
    ax.set(title=f"{name.removesuffix('_')}: forgetting after classes 5-9 (mean ± {error})", xlabel="sleep (%)",
           ylabel="accuracy drop on classes 0-4")
    save(fig, name + "forgetting")


def massey(r, save):
    parts = {"stdp": ("recurrent STDP network", ["theirs (published)", "ours, their readout", "ours, our readout"],
                      ["published_runs", "accuracy_runs", "accuracy_ours_runs"]),
             "sg": ("surrogate-gradient control", ["theirs (published)", "ours"], [None, "accuracy_runs"])}
    for part, (who, labels, runs) in parts.items():
        for d, rows in r.get(part, {}).get("table", {}).items():
            at = f"{part}_{d}_"
            fig, ax = plt.subplots()
            lines(ax, np.array([row["ratio"] for row in rows]), r.array(at + "summary"), labels,
                  [r.array(at + n) if n else None for n in runs])
            ax.set(title=f"Massey et al. 2026, {who}, {d}\n(mean ± SD; dots: runs)", xlabel="sleep ratio r", ylabel="test accuracy (%)")
            save(fig, at + "accuracy")
            summary = r.array(at + "summary")
            if part == "stdp" and not np.isnan(summary[:, 3, 0]).all():  # with --forgetting
                forgetting(save, at, 100 * np.array([row["ratio"] for row in rows]), summary[:, 3], "SD")


def ours(r, save):
    stdp = ["accuracy", "recurrent_at_upper", "recurrent_mean", "recurrent_max", "recurrent_entropy_bits", "input_entropy_bits",
            "mean_pairwise_correlation", "distinct_receptive_fields"]
    sg = ["accuracy", "mean_abs_weight", "max_abs_weight", "weight_entropy_bits"]
    for part, charted in (("stdp", stdp), ("sg", sg)):
        if part not in r.json:
            continue
        s = r[part]["settings"]
        labels = [f"f = {100 * f:g}%" for f in s["fractions"]]
        for at in [f"stdp_{d}_" for d in s.get("datasets", [])] if part == "stdp" else ["sg_"]:
            if not r.has(at + "curves"):
                continue
            c, names = r.array(at + "curves"), r[part]["curve_measures"]
            x = r.array(at + "wake_s") if part == "stdp" else np.tile(np.arange(1, c.shape[2] + 1), (c.shape[1], 1))
            for m in charted:
                fig, ax = plt.subplots()
                lines(ax, x, c[names.index(m)], labels)
                ax.set(title=f"{at[:-1]}: {m.replace('_', ' ')} (mean ± s.e.m. over seeds)", ylabel=m.replace("_", " "),
                       xlabel="waking training time (simulated s)" if part == "stdp" else "epoch")
                save(fig, at + m)
            if r.has(at + "forgetting_drop"):
                forgetting(save, at, 100 * np.array(s["fractions"]), r.array(at + "forgetting_drop"), "s.e.m.")
    if r.has("sg_s0_by_threshold"):
        fig, ax = plt.subplots()
        for f, s0 in zip(r["sg"]["settings"]["fractions"], r.array("sg_s0_by_threshold")):
            ax.plot(np.arange(1, 11), s0, marker="o", label=f"f = {100 * f:g}%")
        ax.legend()
        ax.set(title="SG: function-space entropy S0 of the members", xlabel="agreement threshold (labels of 10)", ylabel="S0 (nats)")
        save(fig, "sg_s0_by_threshold")


def draw(r, save):
    (massey if r.get("protocol") == "massey2026" else ours)(r, save)


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
