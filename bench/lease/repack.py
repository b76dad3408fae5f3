"""Zip an unpacked wheel back into a wheel, with a fresh RECORD.

``build_whl.sh`` uses it after cutting files out of a wheel (babel's locale data, xgboost's
cubins), so that pip accepts the result. Run::

    python3 bench/lease/repack.py UNPACKED_DIR OUT_WHEEL

It rewrites ``*.dist-info/RECORD`` in ``UNPACKED_DIR`` with the SHA-256 and size of every other
file, writes ``OUT_WHEEL`` (deflate, level 9; the ``.dist-info`` folder last) and prints the
wheel's path and size in bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import zipfile
from pathlib import Path


def repack(root: str, out: str) -> None:
    """Write the RECORD of the unpacked wheel in ``root``, then zip ``root`` into ``out``."""
    dist = next(d for d in os.listdir(root) if d.endswith(".dist-info"))
    files = sorted(
        os.path.relpath(os.path.join(dp, f), root) for dp, _, fn in os.walk(root) for f in fn
    )
    rec = f"{dist}/RECORD"
    lines = []
    for p in files:
        if p == rec:
            continue
        b = Path(root, p).read_bytes()
        h = base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
        lines.append(f"{p},sha256={h},{len(b)}")
    Path(root, rec).write_text("\n".join([*lines, f"{rec},,"]) + "\n", encoding="utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for p in sorted(files, key=lambda p: (p.startswith(dist), p)):
            z.write(os.path.join(root, p), p)


def main(argv: list[str] | None = None) -> None:
    """``repack.py UNPACKED_DIR OUT_WHEEL`` (see the module's docstring)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        raise SystemExit("usage: repack.py UNPACKED_DIR OUT_WHEEL")
    root, out = args[0], args[1]
    repack(root, out)
    print(out, os.path.getsize(out))


if __name__ == "__main__":
    main()
