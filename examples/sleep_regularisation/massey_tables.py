#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The tables of docs/results.md ("Massey et al. 2026 as the authors ran
# it") from the JSON of `sleep_regularisation --protocol massey2026`:
# ours beside theirs per sleep ratio, for the STDP network and the SG
# control, and the measures that are ours alone.
#   massey_tables.py RESULT.json [RESULT.json ...]
import json
import sys


def cell(s, digits=1):
    if not s or s.get("n", 0) == 0:
        return "—"
    return f"{s['mean']:.{digits}f} ± {s['sd']:.{digits}f}" if s["n"] > 1 else f"{s['mean']:.{digits}f}"


def p_cell(p):
    return "—" if p is None or p < 0 else f"{p:.3f}"


def stdp(j):
    s = j["stdp"]["settings"]
    print(f"STDP network: images {s['images']}, rule convention {s['convention']}, early stopping {s['early_stopping']}, "
          f"{s['seeds']} seeds from {j['seed']}, forgetting {s.get('forgetting', False)}\n")
    for dataset, rows in j["stdp"]["table"].items():
        print(f"#### {dataset}\n")
        print("| r | pause (steps) | theirs (5 runs) | ours, their readout | p vs r = 0 | ours, our readout | batches run | "
              "early stops / batch | test E rate (Hz) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['ratio']:g} | {r['pause_steps']:.0f} | {cell(r['published'], 2)} | {cell(r['accuracy'])} | "
                  f"{p_cell(r['p_vs_no_sleep'])} | {cell(r['accuracy_ours'])} | {cell(r['batches_run'])} | "
                  f"{cell(r['early_stops_per_batch'], 2)} | {cell(r['test_exc_rate_hz'])} |")
        print()
        names = list(rows[0]["at_upper"].keys()) if rows and rows[0]["at_upper"] else []
        if names:
            print("Ours (their code records none of these): share of each projection's weights at its bounds, mean |w|, "
                  "distinct class-response profiles of the 200 excitatory neurons, their phi on held-out responses\n")
            print("| r | " + " | ".join(f"{n}: at lower / at upper / mean abs w" for n in names) + " | distinct tunings | phi |")
            print("|---|" + "---|" * (len(names) + 2))
            for r in rows:
                parts = [f"{r['at_lower'][n]['mean']:.3f} / {r['at_upper'][n]['mean']:.3f} / {r['mean_abs_weight'][n]['mean']:.2f}"
                         for n in names]
                print(f"| {r['ratio']:g} | " + " | ".join(parts) +
                      f" | {cell(r.get('distinct_tunings'))} | {cell(r.get('phi'), 2)} |")
            print()
        if any(r.get("forgetting_drop", {}).get("n", 0) > 0 for r in rows):
            print("Forgetting (ours): our readout on classes 0-4 after training on them, after then training on 5-9, "
                  "on 5-9 at the end, and the drop\n")
            print("| r | 0-4 after 0-4 | 0-4 after 5-9 | 5-9 after 5-9 | drop | p (drop) vs r = 0 |")
            print("|---|---|---|---|---|---|")
            for r in rows:
                print(f"| {r['ratio']:g} | {cell(r['forgetting_first_after_first'])} | {cell(r['forgetting_first_after_second'])} | "
                      f"{cell(r['forgetting_second_after_second'])} | {cell(r['forgetting_drop'])} | {p_cell(r['p_drop_vs_no_sleep'])} |")
            print()
    speeds = [u["steps_per_second"] for u in j["stdp"]["runs"] if u.get("steps_per_second")]
    secs = [u["seconds"] for u in j["stdp"]["runs"]]
    if secs:
        line = f"{len(secs)} runs, {min(secs):.0f}-{max(secs):.0f} s each"
        if speeds:
            line += f", {min(speeds) / 1e3:.0f}-{max(speeds) / 1e3:.0f} thousand simulated steps per second"
        print(line + "\n")


def sg(j):
    for dataset, rows in j["sg"]["table"].items():
        print(f"#### SG control, {dataset}\n")
        print("| p | sleep every (minibatches) | theirs | ours | p vs p = 0 |")
        print("|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['ratio']:g} | {r['sleep_every']} | {cell(r['published'], 2)} | {cell(r['accuracy'], 2)} | "
                  f"{p_cell(r['p_vs_no_sleep'])} |")
        print()


for path in sys.argv[1:]:
    with open(path) as f:
        j = json.load(f)
    print(f"<!-- {path}: wall {j.get('wall_seconds', 0):.0f} s, {j.get('threads')} threads -->\n")
    if "stdp" in j:
        stdp(j)
    if "sg" in j:
        sg(j)
