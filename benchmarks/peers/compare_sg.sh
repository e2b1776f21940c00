#!/usr/bin/env bash
# somnus vs plain PyTorch on the Gupta 2024 member network (surrogate-gradient
# training, DESIGN.md section 8): training samples/s of both on the same frame
# file, the ratio, and both loss sequences, with a check that the losses
# behave alike. Builds nothing. See README.md in this folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# Defaults (environment variables of the same name override them; flags override both).
STEPS="${STEPS:-300}"              # T: frames per sample
BATCH="${BATCH:-128}"
DENSITY="${DENSITY:-0.006}"        # sg_throughput --density (see README: the measured input density is about half)
TRAIN_STEPS="${TRAIN_STEPS:-4}"    # timed training steps
WARMUP="${WARMUP:-1}"              # untimed training steps first
THREADS="${THREADS:-2}"
SEED="${SEED:-0}"
DATA="${DATA:-}"                   # an existing frame file instead of writing one
SOMNUS="${SOMNUS:-$repo/build/release/benchmarks/sg_throughput}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OMP_POLICY="${OMP_POLICY:-PASSIVE}" # OMP_WAIT_POLICY for PyTorch; 'default' leaves it unset
START_TOL="${START_TOL:-0.05}"
END_TOL="${END_TOL:-0.20}"
OUT="${OUT:-}"
JSON="${JSON:-}"

usage() {
    cat <<EOF
Usage: $0 [options]
  --steps T             frames per sample (default $STEPS)
  --batch B             samples per training step (default $BATCH)
  --density D           sg_throughput --density of the synthetic frames (default $DENSITY)
  --train-steps N       timed training steps (default $TRAIN_STEPS)
  --warmup W            untimed training steps first (default $WARMUP)
  --threads N           threads of both (somnus --threads, torch.set_num_threads; default $THREADS)
  --seed S              data and initial weights (default $SEED; the two draw different weights)
  --data FILE           train on this frame file instead of writing one (--steps, --density ignored)
  --somnus PATH         sg_throughput binary (default $SOMNUS)
  --python PATH         interpreter with torch and numpy (default $PYTHON)
  --omp-wait-policy P   OMP_WAIT_POLICY for the PyTorch run: PASSIVE, ACTIVE or default (unset)
                        (default $OMP_POLICY; see README: spinning OpenMP threads on a busy machine)
  --start-tol R         check: first-step losses within R of each other (default $START_TOL)
  --end-tol R           check: last-step losses within R of each other, unless both decreased (default $END_TOL)
  --out DIR             frame file, per-run JSON and logs (default: new folder under /tmp)
  --json FILE           write the summary as JSON to FILE
  -h, --help            this text
Environment variables STEPS, BATCH, DENSITY, TRAIN_STEPS, WARMUP, THREADS, SEED, DATA, SOMNUS, PYTHON,
OMP_POLICY, START_TOL, END_TOL, OUT, JSON set the same defaults.
Exit status: 0 if the losses behave alike, 1 if not, 2 on a usage error or a failed run.
EOF
}

die() { echo "compare_sg.sh: error: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --steps) STEPS="$2"; shift 2 ;;
        --batch) BATCH="$2"; shift 2 ;;
        --density) DENSITY="$2"; shift 2 ;;
        --train-steps) TRAIN_STEPS="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --data) DATA="$2"; shift 2 ;;
        --somnus) SOMNUS="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --omp-wait-policy) OMP_POLICY="$2"; shift 2 ;;
        --start-tol) START_TOL="$2"; shift 2 ;;
        --end-tol) END_TOL="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --json) JSON="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done

for v in STEPS BATCH TRAIN_STEPS WARMUP THREADS SEED; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[[ "$STEPS" -ge 1 && "$BATCH" -ge 1 && "$TRAIN_STEPS" -ge 1 && "$THREADS" -ge 1 ]] ||
    die "--steps, --batch, --train-steps and --threads must be >= 1"
for v in DENSITY START_TOL END_TOL; do
    [[ "${!v}" =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] || die "$v must be a non-negative number, got '${!v}'"
done
case "$OMP_POLICY" in PASSIVE|ACTIVE|default) ;; *) die "--omp-wait-policy must be PASSIVE, ACTIVE or default, got '$OMP_POLICY'" ;; esac

# Prerequisites.
[[ -x "$SOMNUS" ]] || die "sg_throughput binary not found or not executable: $SOMNUS
  build it with: cmake --build $repo/build/release --target sg_throughput -j1   (or pass --somnus)"
[[ -x "$PYTHON" ]] || die "Python interpreter not found: $PYTHON (torch comes from the Debian package python3-torch; use /usr/bin/python3)"
torchver="$("$PYTHON" -W ignore -c 'import torch, numpy; print(torch.__version__)' 2>/dev/null)" || torchver=""
[[ -n "$torchver" ]] || die "$PYTHON cannot import torch and numpy (install python3-torch / python3-numpy, or pass --python)"
PEER="$here/sg_member.py"
[[ -f "$PEER" ]] || die "missing $PEER"
[[ -z "$DATA" || -f "$DATA" ]] || die "frame file not found: $DATA"

[[ -n "$OUT" ]] || OUT="$(mktemp -d /tmp/somnus_vs_pytorch_sg.XXXXXX)"
mkdir -p "$OUT"
echo "compare_sg.sh: torch $torchver ($PYTHON), somnus $SOMNUS; frame file, per-run JSON and logs in $OUT" >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

# run NAME CMD...: runs CMD with its stdout in $OUT/NAME.out and stderr in $OUT/NAME.log; stops on failure.
run() {
    local name="$1"; shift
    local t0=$SECONDS
    printf 'compare_sg.sh: %-16s ... ' "$name" >&2
    if ! "$@" >"$OUT/$name.out" 2>"$OUT/$name.log"; then
        echo "FAILED" >&2
        tail -n 20 "$OUT/$name.log" >&2
        die "$name failed (command: $*; log: $OUT/$name.log)"
    fi
    echo "done in $((SECONDS - t0)) s" >&2
}

common=(--batch "$BATCH" --train-steps "$TRAIN_STEPS" --warmup "$WARMUP" --threads "$THREADS" --seed "$SEED")
if [[ -z "$DATA" ]]; then
    # Writing the file trains too (sg_throughput always does): on the same
    # samples as the run from the file, so its losses must be the same bits.
    DATA="$OUT/frames.sgf"
    run somnus_write "$SOMNUS" --steps "$STEPS" --density "$DENSITY" "${common[@]}" --write-data "$DATA" --json "$OUT/somnus_write.json"
    WROTE=1
else
    WROTE=0
fi
run somnus "$SOMNUS" --data "$DATA" "${common[@]}" --json "$OUT/somnus.json"
if [[ "$OMP_POLICY" == default ]]; then
    run pytorch env -u OMP_WAIT_POLICY "$PYTHON" "$PEER" --data "$DATA" "${common[@]}" --json "$OUT/pytorch.json"
else
    run pytorch env OMP_WAIT_POLICY="$OMP_POLICY" "$PYTHON" "$PEER" --data "$DATA" "${common[@]}" --json "$OUT/pytorch.json"
fi

# Table, check and summary.
OUT="$OUT" JSON="$JSON" WROTE="$WROTE" DATA="$DATA" DENSITY="$DENSITY" SEED="$SEED" SOMNUS="$SOMNUS" OMP_POLICY="$OMP_POLICY" \
START_TOL="$START_TOL" END_TOL="$END_TOL" LOAD_BEFORE="$load_before" LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" \
"$PYTHON" - <<'EOF'
import json, os, sys
env = os.environ
out = env['OUT']

def load(name):
    with open(os.path.join(out, name + '.json')) as f:
        return json.load(f)

s, p = load('somnus'), load('pytorch')
T = int(s['steps_t'])
if int(p['steps_t']) != T:
    sys.exit(f"compare_sg.sh: T differs: somnus {T}, pytorch {p['steps_t']}")
# mse_count_loss of an all-silent network: every sample scores int(0.8T)^2 + 9 int(0.2T)^2 over 10 classes, / T.
silent = (int(T * 0.8) ** 2 + 9 * int(T * 0.2) ** 2) / 10 / T
ls, lp = s['losses'], p['losses']
start_tol, end_tol = float(env['START_TOL']), float(env['END_TOL'])

def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-12)

start_ok = rel(ls[0], lp[0]) <= start_tol
end_close = rel(ls[-1], lp[-1]) <= end_tol
both_decrease = ls[-1] < ls[0] and lp[-1] < lp[0]
ok = start_ok and (end_close or both_decrease)
moved = {'somnus': any(x != ls[0] for x in ls), 'pytorch': any(x != lp[0] for x in lp)}
silent_steps = {'somnus': sum(abs(x - silent) <= 1e-9 * silent for x in ls),
                'pytorch': sum(abs(x - silent) <= 1e-9 * silent for x in lp)}
roundtrip = None
if env['WROTE'] == '1':
    w = load('somnus_write')
    roundtrip = w['losses'] == ls

ratio = s['samples_per_second'] / p['samples_per_second'] if p['samples_per_second'] > 0 else float('inf')
print(f"Gupta member network, T {T}, batch {s['batch']}, {s['threads']} threads, input density {s['input_density']:.4f} "
      f"(--density {env['DENSITY']}), seed {env['SEED']}; {s['train_steps']} timed steps after {s['warmup']} warm-up; "
      f"load average (1/5/15 min) {env['LOAD_BEFORE']} before the runs, {env['LOAD_AFTER']} after.")
print(f"  somnus  ({s.get('simd_arch', '?')}): {s['samples_per_second']:8.2f} training samples/s ({s['seconds']:.2f} s timed)")
print(f"  pytorch ({p['torch_version']}, OMP_WAIT_POLICY {env['OMP_POLICY']}): {p['samples_per_second']:8.2f} training samples/s "
      f"({p['seconds']:.2f} s timed, includes building the dense input)")
print(f"  ratio somnus / pytorch: {ratio:.2f}x")
print(f"  losses somnus : {' '.join(f'{x:.4f}' for x in ls)}")
print(f"  losses pytorch: {' '.join(f'{x:.4f}' for x in lp)}")
print(f"  hidden spikes per sample-step: somnus {s['hidden_spikes_per_sample_step']:.1f}, pytorch {p['hidden_spikes_per_sample_step']:.1f}")
print(f"  all-silent loss at T {T}: {silent:.4f}; steps at it: somnus {silent_steps['somnus']}/{len(ls)}, "
      f"pytorch {silent_steps['pytorch']}/{len(lp)}; loss moved: somnus {moved['somnus']}, pytorch {moved['pytorch']}")
if roundtrip is not None:
    print(f"  somnus losses from the synthetic data and from the frame file identical: {roundtrip}")
print(f"  check: first losses within {100 * start_tol:.0f} % ({'yes' if start_ok else 'NO'}: {100 * rel(ls[0], lp[0]):.2f} %); "
      f"last losses within {100 * end_tol:.0f} % ({'yes' if end_close else 'no'}: {100 * rel(ls[-1], lp[-1]):.2f} %) "
      f"or both decreased ({'yes' if both_decrease else 'no'}) -> {'PASS' if ok else 'FAIL'}")
if roundtrip is False:
    print("  FAIL: the somnus run from the frame file did not reproduce the run on the synthetic data")
    ok = False
summary = {'somnus': s, 'pytorch': p, 'ratio_somnus_over_pytorch': ratio, 'steps_t': T, 'all_silent_loss': silent,
           'silent_steps': silent_steps, 'loss_moved': moved, 'frame_file': env['DATA'],
           'frame_file_roundtrip_identical': roundtrip, 'omp_wait_policy': env['OMP_POLICY'], 'load_average_before': env['LOAD_BEFORE'], 'load_average_after': env['LOAD_AFTER'],
           'check': {'start_tolerance': start_tol, 'end_tolerance': end_tol, 'start_ok': start_ok,
                     'end_within_tolerance': end_close, 'both_decreased': both_decrease, 'pass': ok},
           'somnus_binary': env['SOMNUS'], 'per_run_json': out}
if env.get('JSON'):
    with open(env['JSON'], 'w') as fh:
        json.dump(summary, fh, indent=2)
        fh.write('\n')
sys.exit(0 if ok else 1)
EOF
