# SPDX-License-Identifier: MIT
"""Figures of a sleep result (Tadros et al. 2019 on Diehl & Cook): accuracy by
training level before and after sleep, accuracy under Gaussian noise and blur,
threshold change against the receptive fields' neighbourhood variance, and
the receptive fields of one network before and after sleep."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt, tile_grid  # noqa: E402


def mean_sem(a):
    """Mean and s.e.m. over the seeds (axis 1; s.e.m. 0 for one seed)."""
    n = a.shape[1]
    return a.mean(axis=1), (a.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(a.mean(axis=1).shape))


def draw(r, save):
    levels = r["levels"]
    m, e = mean_sem(100 * r.array("accuracy"))
    fig, ax = plt.subplots()
    for k, (label, colour) in enumerate([("before sleep", "tab:blue"), ("after sleep (labels re-assigned)", "tab:red"),
                                         ("after sleep (labels kept)", "tab:orange"), ("STDP-only sleep", "tab:green")]):
        ax.errorbar(levels, m[:, k], yerr=e[:, k], label=label, color=colour, marker="o", capsize=3)
    ax.set(xscale="log", ylim=(0, 100), xlabel="training images", ylabel="accuracy (%)",
           title=f"Test accuracy before and after sleep (N = {r['neurons']}, mean ± s.e.m., {r['seeds']} seeds)")
    ax.legend()
    save(fig, "accuracy_by_level")

    for kind, xs, xlabel in [("noise", r["noise_variances"], "noise variance (images in [0, 1])"),
                             ("blur", r["blur_sigmas_px"], "blur sigma (pixels)")]:
        m, e = mean_sem(100 * r.array(f"{kind}_accuracy"))
        for i, level in enumerate(levels):
            fig, ax = plt.subplots()
            for q, (label, colour) in enumerate([("before sleep", "tab:blue"), ("after sleep", "tab:red")]):
                ax.errorbar(xs, m[i, q], yerr=e[i, q], label=label, color=colour, marker="o", capsize=3)
            ax.set(ylim=(0, 100), xlabel=xlabel, ylabel="accuracy (%)",
                   title=f"Accuracy under Gaussian {kind} after {level} training images")
            ax.legend()
            save(fig, f"{kind}_level_{level}")

    dtheta = r.array("theta_after").astype(np.float64) - r.array("theta_before").astype(np.float64)
    variance = r.array("neighbourhood_variance")
    for i, result in enumerate(r["results"]):
        t = result["summary"]["thresholds"]
        fig, ax = plt.subplots()
        ax.scatter(variance[i].ravel(), dtheta[i].ravel(), s=8, color="tab:red")
        title = f"Threshold change in sleep, {result['level']} training images"
        if t["pearson_r"] is not None:
            title += f": r = {t['pearson_r']:.2f}, rho = {t['spearman_rho']:.2f}"
        ax.set(title=title, xlabel="receptive field's mean 3x3-neighbourhood variance", ylabel="theta change (mV)")
        save(fig, f"theta_change_level_{result['level']}")

    net = r["receptive_fields_network"]
    for when in ("before", "after"):
        w = r.array(f"weights_{when}")
        fig, ax = plt.subplots(figsize=(8, 8))
        ax.imshow(tile_grid(w, 28, 28), cmap="hot", interpolation="nearest")
        ax.set_title(f"Receptive fields {when} sleep: {net['level']} training images, seed {net['seed']} (each tile to its maximum)")
        ax.axis("off")
        save(fig, f"receptive_fields_{when}_level_{net['level']}_seed_{net['seed']}")


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
