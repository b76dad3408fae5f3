#!/bin/bash
# Issue 40 item 6's panels for a machine of at least 8 idle cores (and a GPU, if any):
# speed-up, CPU inflation and identity for 1, 2 and 8 workers in scoring, training and a
# city backfill, and XGBoost's trial on the GPU. Run from the repository's root with the
# product installed (`make setup`); results in bench/results/ and on the terminal.
# Sizes from the environment: SCORE_ROWS (1000000), TRAIN_ROWS (100000), CITY_DAYS (14),
# GPU_ROWS ("1000000 5000000").
set -eu
PY=${PY:-.venv/bin/python}
export PYTHONHASHSEED=0 PYTHONUNBUFFERED=1
echo "cores: $(nproc) · load: $(cat /proc/loadavg)"
$PY -m bench.scale --rows "${SCORE_ROWS:-1000000}" --workers 1 2 8
$PY -m bench.scale --train-rows "${TRAIN_ROWS:-100000}" --budget 20 --train-workers 1 2 8
$PY -m bench.city fanout --days "${CITY_DAYS:-14}" --rounds 1 --workers 1 2 8
if $PY -c "import sys, xgboost; sys.exit(not xgboost.build_info().get('USE_CUDA'))"; then
  # shellcheck disable=SC2086  # the sizes are words
  $PY -m bench.gpu_xgboost --rows ${GPU_ROWS:-1000000 5000000} --threads 1
else
  echo "no XGBoost with CUDA here: the GPU panel is skipped"
fi
