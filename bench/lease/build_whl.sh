#!/bin/bash
# Rebuilds /work/main/.whl (the wheels carried to the GPU machine) from PyPI: the product's
# dependencies at requirements.lock's versions that the device image lacks (Python 3.12,
# manylinux x86_64), babel cut to its en/fr/root locale data, and PyPI's CUDA xgboost 3.2.0
# cut to its sm_90 cubins (H100/H200) and stripped of its symbol table.
# Needs: python3 with pip, readelf, strip, unzip. The run: `OUT="$OUT" bash .whl/device_bench.sh`
# with `carry: [".whl"]` (docs/benchmarks.md, "A third lease").
set -eu
HERE=$(cd "$(dirname "$0")" && pwd); REPO=${REPO:-$(cd "$HERE/../.." && pwd)}; W=$REPO/.whl; TMP=$(mktemp -d)
grep -qx '/.whl/' "$REPO/.git/info/exclude" 2>/dev/null || echo /.whl/ >>"$REPO/.git/info/exclude"
mkdir -p "$W"
P="--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform manylinux_2_24_x86_64"
# $P is split into its --platform options on purpose
# shellcheck disable=SC2086
dl() { python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp $P -d "$1" "${@:2}"; }
dl "$W" typer==0.28.0 click==8.5.1 rich==15.0.0 typing-extensions==4.16.0 pydantic==2.14.3 \
  pydantic-core==2.50.4 annotated-types==0.8.0 typing-inspection==0.4.5 sqlalchemy==2.1.9 \
  alembic==1.20.1 mako==1.4.3 python-dotenv==1.2.4 filelock==4.2.11 lightgbm==4.7.0 \
  dask==2026.8.0 distributed==2026.8.0 tornado==6.6.1 tblib==3.2.2 zict==3.0.0 locket==1.0.0 \
  partd==1.4.2 cloudpickle==3.1.2 tzdata==2026.6
# babel: only the locale data of the languages Entrepôt speaks (en, fr) and root
dl "$TMP" babel==2.18.0; mkdir "$TMP/babel"; (cd "$TMP/babel" && unzip -q ../babel-2.18.0-py3-none-any.whl)
find "$TMP/babel/babel/locale-data" -name '*.dat' ! -name root.dat ! -name en.dat ! -name 'en_*.dat' ! -name fr.dat ! -name 'fr_*.dat' -delete
python3 "$HERE/repack.py" "$TMP/babel" "$W/babel-2.18.0-py3-none-any.whl"
# xgboost with CUDA: sm_90 cubins only (every one of the 65 fatbins keeps its sm_90 ELF), no .symtab
dl "$TMP" xgboost==3.2.0; mkdir "$TMP/xgb"; (cd "$TMP/xgb" && unzip -q ../xgboost-3.2.0-py3-none-manylinux_2_28_x86_64.whl)
python3 "$HERE/fatbin.py" prune "$TMP/xgb/xgboost/lib/libxgboost.so" 90
strip --strip-unneeded "$TMP/xgb/xgboost/lib/libxgboost.so"
python3 "$HERE/fatbin.py" list "$TMP/xgb/xgboost/lib/libxgboost.so"
python3 "$HERE/repack.py" "$TMP/xgb" "$W/xgboost-3.2.0-py3-none-manylinux_2_28_x86_64.whl"
cp "$HERE/device_bench.sh" "$W/"
rm -rf "$TMP"; du -cb "$W"/* | tail -1
