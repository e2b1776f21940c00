#!/usr/bin/env bash
# somnus vs Brian2 on Diehl & Cook 2015: training speed (images/s) on the same
# first K MNIST training images, single-threaded, forward Euler, for each N;
# plus the accuracy of both on a small shared train/label/test split.
# See README.md in this folder for what is and is not identical.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# Defaults (environment variables of the same name override them; flags override both).
NEURONS="${NEURONS:-100 400}"
TRAIN="${TRAIN:-500}"                 # timing: somnus and Brian2 standalone on the first TRAIN images
RUNTIME_TRAIN="${RUNTIME_TRAIN:-20}"  # timing: Brian2 runtime on the first RUNTIME_TRAIN images (0: skip)
ACC_TRAIN="${ACC_TRAIN:-1000}"        # accuracy split (ACC_TEST=0: skip)
ACC_LABEL="${ACC_LABEL:-1000}"
ACC_TEST="${ACC_TEST:-500}"
ACC_NEURONS="${ACC_NEURONS:-100}"     # sizes the accuracy split is run for (see README: Euler at N=400)
SOMNUS_REPEATS="${SOMNUS_REPEATS:-3}" # somnus timing runs per case (median taken; it is short)
SEED="${SEED:-0}"
DATA="${DATA:-$repo/data/mnist}"
SOMNUS="${SOMNUS:-$repo/build/release/examples/diehl_cook}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="${OUT:-}"
JSON="${JSON:-}"

usage() {
    cat <<EOF
Usage: $0 [options]
  --neurons "LIST"      network sizes N (default "$NEURONS")
  --train K             timing images for somnus and Brian2 standalone (default $TRAIN)
  --runtime-train K     timing images for Brian2 runtime mode, 0 = skip (default $RUNTIME_TRAIN)
  --acc-train K         accuracy split: training images (default $ACC_TRAIN)
  --acc-label L         accuracy split: labelling images (default $ACC_LABEL)
  --acc-test T          accuracy split: test images, 0 = skip accuracy (default $ACC_TEST)
  --acc-neurons "LIST"  sizes N the accuracy split is run for (default "$ACC_NEURONS")
  --somnus-repeats R    somnus timing runs per case, median reported (default $SOMNUS_REPEATS)
  --seed S              seed for both (default $SEED)
  --data DIR            MNIST IDX folder (default $DATA)
  --somnus PATH         somnus diehl_cook binary (default $SOMNUS)
  --python PATH         interpreter with Brian2 (default $PYTHON)
  --out DIR             per-run JSON and logs (default: new folder under /tmp)
  --json FILE           write the summary as JSON to FILE
  -h, --help            this text
Environment variables NEURONS, TRAIN, RUNTIME_TRAIN, ACC_TRAIN, ACC_LABEL, ACC_TEST, ACC_NEURONS,
SOMNUS_REPEATS, SEED, DATA, SOMNUS, PYTHON, OUT, JSON set the same defaults.
Everything runs on one core (somnus --threads 1; Brian2 without OpenMP, make -j1).
EOF
}

die() { echo "compare.sh: error: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --neurons) NEURONS="$2"; shift 2 ;;
        --train) TRAIN="$2"; shift 2 ;;
        --runtime-train) RUNTIME_TRAIN="$2"; shift 2 ;;
        --acc-train) ACC_TRAIN="$2"; shift 2 ;;
        --acc-label) ACC_LABEL="$2"; shift 2 ;;
        --acc-test) ACC_TEST="$2"; shift 2 ;;
        --acc-neurons) ACC_NEURONS="$2"; shift 2 ;;
        --somnus-repeats) SOMNUS_REPEATS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --data) DATA="$2"; shift 2 ;;
        --somnus) SOMNUS="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --json) JSON="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done

for v in TRAIN RUNTIME_TRAIN ACC_TRAIN ACC_LABEL ACC_TEST SOMNUS_REPEATS SEED; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[[ "$TRAIN" -ge 1 && "$SOMNUS_REPEATS" -ge 1 ]] || die "--train and --somnus-repeats must be >= 1"
[[ "$ACC_TEST" -eq 0 || ( "$ACC_TRAIN" -ge 1 && "$ACC_LABEL" -ge 1 ) ]] || die "the accuracy split needs --acc-train and --acc-label >= 1"
[[ -n "${NEURONS// /}" ]] || die "--neurons is empty"

# Prerequisites.
[[ -x "$SOMNUS" ]] || die "somnus binary not found or not executable: $SOMNUS
  build it with: cmake --build $repo/build/release --target diehl_cook -j1"
[[ -x "$PYTHON" ]] || die "Python interpreter not found: $PYTHON (Brian2 comes from the Debian package python3-brian; use /usr/bin/python3)"
b2ver="$("$PYTHON" -W ignore -c 'import brian2, numpy; print(brian2.__version__)' 2>/dev/null)" || b2ver=""
[[ -n "$b2ver" ]] || die "$PYTHON cannot import brian2 and numpy (install python3-brian / python3-numpy, or pass --python)"
command -v g++ >/dev/null || die "g++ not found (Brian2's C++ standalone mode needs it)"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$DATA/$f" ]] || die "MNIST file missing: $DATA/$f (uncompressed IDX expected)"
done
BRIAN="$here/brian2_diehl_cook.py"
[[ -f "$BRIAN" ]] || die "missing $BRIAN"

[[ -n "$OUT" ]] || OUT="$(mktemp -d /tmp/somnus_vs_brian2.XXXXXX)"
mkdir -p "$OUT"
echo "compare.sh: Brian2 $b2ver ($PYTHON), somnus $SOMNUS; per-run JSON and logs in $OUT" >&2

# run NAME CMD...: runs CMD with its stderr in $OUT/NAME.log; stops on failure.
run() {
    local name="$1"; shift
    local t0=$SECONDS
    printf 'compare.sh: %-28s ... ' "$name" >&2
    if ! "$@" >"$OUT/$name.out" 2>"$OUT/$name.log"; then
        echo "FAILED" >&2
        tail -n 20 "$OUT/$name.log" >&2
        die "$name failed (command: $*; log: $OUT/$name.log)"
    fi
    echo "done in $((SECONDS - t0)) s" >&2
}

somnus_run() {  # NAME N TRAIN LABEL TEST
    run "$1" "$SOMNUS" --neurons "$2" --train "$3" --epochs 1 --label "$4" --test "$5" --seed "$SEED" \
        --threads 1 --integration euler --data "$DATA" --json "$OUT/$1.json"
}
brian_run() {  # NAME MODE N TRAIN LABEL TEST
    run "$1" "$PYTHON" "$BRIAN" --mode "$2" --neurons "$3" --train "$4" --label "$5" --test "$6" --seed "$SEED" \
        --data "$DATA" --json "$OUT/$1.json"
}

for n in $NEURONS; do
    for r in $(seq 1 "$SOMNUS_REPEATS"); do
        somnus_run "somnus_n${n}_k${TRAIN}_r${r}" "$n" "$TRAIN" 1 0
    done
    brian_run "brian2_standalone_n${n}_k${TRAIN}" standalone "$n" "$TRAIN" "$TRAIN" 0
    if [[ "$RUNTIME_TRAIN" -gt 0 ]]; then
        for r in $(seq 1 "$SOMNUS_REPEATS"); do
            somnus_run "somnus_n${n}_k${RUNTIME_TRAIN}_r${r}" "$n" "$RUNTIME_TRAIN" 1 0
        done
        brian_run "brian2_runtime_n${n}_k${RUNTIME_TRAIN}" runtime "$n" "$RUNTIME_TRAIN" "$RUNTIME_TRAIN" 0
    fi
    if [[ "$ACC_TEST" -gt 0 && " $ACC_NEURONS " == *" $n "* ]]; then
        somnus_run "somnus_n${n}_acc" "$n" "$ACC_TRAIN" "$ACC_LABEL" "$ACC_TEST"
        brian_run "brian2_standalone_n${n}_acc" standalone "$n" "$ACC_TRAIN" "$ACC_LABEL" "$ACC_TEST"
    fi
done

# Table and summary.
OUT="$OUT" JSON="$JSON" NEURONS="$NEURONS" TRAIN="$TRAIN" RUNTIME_TRAIN="$RUNTIME_TRAIN" ACC_TRAIN="$ACC_TRAIN" \
ACC_LABEL="$ACC_LABEL" ACC_TEST="$ACC_TEST" ACC_NEURONS="$ACC_NEURONS" SOMNUS_REPEATS="$SOMNUS_REPEATS" SEED="$SEED" SOMNUS="$SOMNUS" \
"$PYTHON" - <<'EOF'
import json, os, statistics
env = os.environ
out = env['OUT']
K, KR = int(env['TRAIN']), int(env['RUNTIME_TRAIN'])
A, AL, AT = int(env['ACC_TRAIN']), int(env['ACC_LABEL']), int(env['ACC_TEST'])
R = int(env['SOMNUS_REPEATS'])

def load(name):
    with open(os.path.join(out, name + '.json')) as f:
        return json.load(f)

def somnus_median(n, k):
    runs = [load(f'somnus_n{n}_k{k}_r{r}') for r in range(1, R + 1)]
    ips = statistics.median(r['images_per_second'] for r in runs)
    pps = statistics.median(r['presentations'] / r['train_seconds'] for r in runs)
    return {'train_images': k, 'runs': R, 'images_per_second': ips, 'presentations_per_second': pps,
            'presentations': runs[0]['presentations'], 'all_images_per_second': [r['images_per_second'] for r in runs]}

rows, summary = [], {'neurons': [], 'settings': {
    'timing_train_images': K, 'runtime_train_images': KR, 'accuracy_split': {'train': A, 'label': AL, 'test': AT, 'neurons': env['ACC_NEURONS']},
    'seed': int(env['SEED']), 'somnus_binary': env['SOMNUS'], 'threads': 1, 'integration': 'euler',
    'somnus_timing': f'median of {R} runs', 'per_run_json': out}}
for n in env['NEURONS'].split():
    n = int(n)
    e = {'n': n, 'somnus': somnus_median(n, K)}
    sa = load(f'brian2_standalone_n{n}_k{K}')
    e['brian2_standalone'] = {k: sa[k] for k in ('images_per_second', 'presentations_per_second', 'train_seconds',
                                                 'compile_seconds', 'codegen_seconds', 'presentations',
                                                 'examples_below_min_spikes', 'repeats')}
    e['ratio_standalone'] = e['somnus']['images_per_second'] / sa['images_per_second']
    e['ratio_standalone_presentations'] = e['somnus']['presentations_per_second'] / sa['presentations_per_second']
    if KR > 0:
        rt = load(f'brian2_runtime_n{n}_k{KR}')
        e['somnus_runtime_images'] = somnus_median(n, KR)
        e['brian2_runtime'] = {k: rt[k] for k in ('images_per_second', 'presentations_per_second', 'train_seconds',
                                                  'compile_seconds', 'presentations', 'codegen_target')}
        e['ratio_runtime'] = e['somnus_runtime_images']['images_per_second'] / rt['images_per_second']
    if AT > 0 and os.path.exists(os.path.join(out, f'brian2_standalone_n{n}_acc.json')):
        s, b = load(f'somnus_n{n}_acc'), load(f'brian2_standalone_n{n}_acc')
        e['accuracy'] = {'somnus': s['accuracy'], 'brian2_standalone': b['accuracy'],
                         'somnus_images_per_second': s['images_per_second'],
                         'brian2_standalone_images_per_second': b['images_per_second'],
                         'somnus_presentations': s['presentations'], 'brian2_presentations': b['presentations'],
                         'somnus_theta_mean_mV': s['theta_mean_mV'], 'brian2_theta_mean_mV': b['theta_mean_mV']}
    summary['neurons'].append(e)

def f(x, spec):
    return format(x, spec) if x is not None else '-'

hdr = (f"{'N':>5} | {'somnus img/s':>12} | {'B2 standalone':>13} | {'ratio':>6} | "
       f"{'B2 runtime':>10} | {'ratio':>6} | {'acc somnus':>10} | {'acc B2 sa':>9}")
print(f"Diehl & Cook 2015, MNIST, 1 thread, forward Euler, seed {env['SEED']}. Timing: first {K} training images"
      + (f" (Brian2 runtime: first {KR}, ratio against somnus on the same {KR})" if KR else '') + '.')
if AT:
    print(f"Accuracy: train {A} / label {AL} / test {AT} (N in {env['ACC_NEURONS']}).")
print(hdr)
print('-' * len(hdr))
for e in summary['neurons']:
    rt = e.get('brian2_runtime')
    acc = e.get('accuracy')
    print(f"{e['n']:>5} | {e['somnus']['images_per_second']:>12.1f} | {e['brian2_standalone']['images_per_second']:>13.2f} | "
          f"{e['ratio_standalone']:>5.0f}x | {f(rt and rt['images_per_second'], '10.2f'):>10} | "
          f"{(format(e['ratio_runtime'], '5.0f') + 'x') if rt else '-':>6} | "
          f"{(format(100 * acc['somnus'], '9.1f') + '%') if acc else '-':>10} | "
          f"{(format(100 * acc['brian2_standalone'], '8.1f') + '%') if acc else '-':>9}")
print()
for e in summary['neurons']:
    s, sa = e['somnus'], e['brian2_standalone']
    print(f"N={e['n']}: presentations/s somnus {s['presentations_per_second']:.1f} ({s['presentations']} showings, with repeats) "
          f"vs Brian2 standalone {sa['presentations_per_second']:.2f} ({sa['presentations']} showings, no repeats; "
          f"{sa['examples_below_min_spikes']} below 5 spikes) -> {e['ratio_standalone_presentations']:.0f}x; "
          f"Brian2 compile {sa['compile_seconds']:.0f} s (not counted)")
for e in summary['neurons']:
    if 'accuracy' in e:
        a = e['accuracy']
        print(f"N={e['n']} accuracy runs: training {a['somnus_images_per_second']:.1f} vs {a['brian2_standalone_images_per_second']:.2f} img/s; "
              f"mean theta after training {a['somnus_theta_mean_mV']:.2f} vs {a['brian2_theta_mean_mV']:.2f} mV (starts at 20)")
print("Brian2 standalone shows every image once (no repeat rule); somnus and Brian2 runtime repeat quiet images.")
if env.get('JSON'):
    with open(env['JSON'], 'w') as fh:
        json.dump(summary, fh, indent=2)
        fh.write('\n')
EOF
