# SPDX-License-Identifier: MIT
"""Figure of a make_nmnist result: the first recording's frames side by
side (35 ms each, three per saccade), ON events green, OFF events magenta,
one brightness scale for all frames."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "common"))
from somnus_result import main, np, plt  # noqa: E402


def draw(r, save):
    if not r.has("first_recording_frames"):
        print(f"{r.path}: no recording was written, no frame strip")
        return
    frames = r.array("first_recording_frames")  # frames x (OFF, ON) x height x width
    scale = max(frames.max(), 1)
    n, _, h, w = frames.shape
    strip = np.full((h, n * (w + 1) - 1, 3), 96 / 255)  # grey separators
    for k, (off, on) in enumerate(frames / scale):
        strip[:, k * (w + 1):k * (w + 1) + w] = np.stack([off, on, off], axis=-1)
    first = r["first_recording"]
    fig, ax = plt.subplots(figsize=(1.2 * n, 1.8))
    ax.imshow(strip, interpolation="nearest")
    ax.set_xticks([k * (w + 1) + w / 2 for k in range(n)], [f"{k * first['frame_us'] // 1000} ms" for k in range(n)], fontsize=7)
    ax.set_yticks([])
    ax.set_title(f"{pathlib.Path(first['path']).name} (label {first['label']}): ON green, OFF magenta", fontsize=9)
    save(fig, "frame_strip")


if __name__ == "__main__":
    sys.exit(main(draw, __doc__))
