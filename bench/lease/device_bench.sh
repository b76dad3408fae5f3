#!/bin/bash
# Issue 40 item 6's panels on the lent GPU machine (prepared for one `run`): installs the
# carried wheels to /tmp/site, runs the product from src/, prints the versions, then the
# scoring, training and GPU panels one after the other, each under a timeout, all of it
# inside BUDGET seconds (510). Log in $OUT/log.txt, results in $OUT/*.md.
# Sizes: SCORE_ROWS (1000000), TRAIN_ROWS (100000), GPU_ROWS ("1000000 5000000"),
# WORKERS ("1 2 8"), GPU_THREADS (16); the panels run, in this order: PANELS ("score train gpu"); each
# panel's most seconds: SCORE_MAX (260), TRAIN_MAX (220); the training's budget TRAIN_BUDGET (20);
# the data-parallel tolerance panel (`tolerance`): TOL_ROWS (1000000), TOL_WORKERS (8),
# TOL_RUNS (1), TOL_MAX (240).
set -o pipefail
export PYTHONHASHSEED=0 PYTHONUNBUFFERED=1
OUT=${OUT:?OUT unset}; T0=$(date +%s); END=$((T0 + ${BUDGET:-510}))
cd "$(dirname "$0")/.." || exit
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl || exit
export PYTHONPATH=/tmp/site:$PWD/src PATH=/tmp/site/bin:$PATH BENCH_ENTREPOT=/tmp/site/bin/entrepot
# the product's metadata (its version goes into performance.json, as when installed)
V=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)
mkdir -p "/tmp/site/entrepot-$V.dist-info" bench/results
printf 'Metadata-Version: 2.1\nName: entrepot\nVersion: %s\n' "$V" >"/tmp/site/entrepot-$V.dist-info/METADATA"
# the console script `entrepot` (bench.scale runs it), as pip would write it
cat >"$BENCH_ENTREPOT" <<SCRIPT
#!$(python3 -c 'import sys; print(sys.executable)')
import sys
from entrepot.cli.main import run
if __name__ == "__main__":
    sys.exit(run())
SCRIPT
chmod +x "$BENCH_ENTREPOT"
left() { echo $((END - $(date +%s))); }
panel() {  # panel MAX_SECONDS MODULE ARGS...: at most MAX_SECONDS and never past END
  local s=$1; shift
  if [ "$(left)" -le 30 ]; then echo "== SKIPPED (no time left): $*"; return; fi
  [ "$s" -lt "$(left)" ] || s=$(left)
  echo "== $(date -u +%T) start (timeout ${s}s): $* · load $(cut -d' ' -f1-3 /proc/loadavg)"
  timeout -k 5 "$s" python3 -m "$@"
  echo "== rc=$? at $(($(date +%s) - T0))s: $*"
}
# the sizes below are unquoted on purpose: WORKERS, GPU_ROWS and GPU_THREADS may be lists
# shellcheck disable=SC2086
{
  echo "== $(date -u) · nproc $(nproc) · load $(cat /proc/loadavg)"
  nvidia-smi -L || true
  python3 - <<'PY'
import importlib.metadata as m, platform, sys
print("python", platform.python_version(), sys.executable)
names = ("numpy", "pandas", "scikit-learn", "scipy", "pyarrow", "lightgbm", "xgboost", "dask",
         "distributed", "typer", "pydantic", "entrepot")
print(" · ".join(f"{d} {m.version(d)}" for d in names))
import entrepot.cli.main  # noqa: F401  the product imports
import numpy as np, xgboost as xgb
cuda = bool(xgb.build_info().get("USE_CUDA"))
print("xgboost USE_CUDA", cuda, xgb.build_info().get("CUDA_VERSION"))
if cuda:
    try:
        x = np.random.default_rng(0).random((4000, 8)); y = (x[:, 0] > 0.5).astype(int)
        b = xgb.train({"device": "cuda", "tree_method": "hist"}, xgb.DMatrix(x, y), 5)
        import json  # a GPU that xgboost cannot see makes it fall back to the CPU: say which
        device = json.loads(b.save_config())["learner"]["generic_param"]["device"]
        print("xgboost cuda fit: ran on", device)
    except Exception as e:  # the sm_90-only build on another GPU, say
        print("xgboost cuda fit: FAILED", e)
PY
  W=${WORKERS:-1 2 8}
  for P in ${PANELS:-score train gpu}; do  # in the order PANELS names them
    case $P in
      score) panel "${SCORE_MAX:-260}" bench.scale --rows ${SCORE_ROWS:-1000000} --workers $W ;;
      train) panel "${TRAIN_MAX:-220}" bench.scale --train-rows ${TRAIN_ROWS:-100000} --budget "${TRAIN_BUDGET:-20}" --train-workers $W ;;
      tolerance) panel "${TOL_MAX:-240}" bench.lightgbm_dask_tolerance --rows ${TOL_ROWS:-1000000} --workers "${TOL_WORKERS:-8}" --runs "${TOL_RUNS:-1}" ;;
      gpu)
        if [ -z "${NO_GPU:-}" ] && python3 -c "import sys, xgboost; sys.exit(not xgboost.build_info().get('USE_CUDA'))"; then
          panel 600 bench.gpu_xgboost --rows ${GPU_ROWS:-1000000 5000000} --threads ${GPU_THREADS:-16}
        else
          echo "== no XGBoost with CUDA here: the GPU panel is skipped"
        fi ;;
    esac
  done
  echo "== done at $(($(date +%s) - T0))s · load $(cat /proc/loadavg)"
} 2>&1 | tee "$OUT/log.txt"
cp bench/results/*.md "$OUT/" 2>/dev/null
ls -l "$OUT"
