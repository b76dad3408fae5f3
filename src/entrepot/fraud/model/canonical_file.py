"""A model written as the same bytes whatever process wrote it (issue 40 item 4).

A pickle refers back to an object it has written already by the object's identity: two
equal strings that are one object in memory are written once, two copies twice. Which
equal strings are one object depends on the process's history (what was interned, what
was unpickled from a worker), so the same model written by two processes could differ in
a few bytes. :func:`dump` writes joblib's own format (``joblib.load`` reads it as ever)
with every equal string written once, so a model trained on any number of workers is
the same file as one trained here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from joblib.numpy_pickle import NumpyPickler
from joblib.numpy_pickle_utils import _write_fileobject

#: joblib's ``compress=3``: zlib, level 3.
COMPRESSION = ("zlib", 3)


class _CanonicalPickler(NumpyPickler):  # type: ignore[misc]
    """joblib's pickler, each string value standing for all its equal copies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._strings: dict[str, str] = {}

    def save(self, obj: Any) -> None:
        if type(obj) is str:
            obj = self._strings.setdefault(obj, obj)
        super().save(obj)


def dump(value: Any, path: str | Path) -> None:
    """Write ``value`` to ``path`` as ``joblib.dump(value, path, compress=3)`` would, with
    its strings canonical (see the module)."""
    with _write_fileobject(str(path), compress=COMPRESSION) as out:
        _CanonicalPickler(out).dump(value)
