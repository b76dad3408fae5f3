"""Which kind of model a set of files is, which file holds it, and which libraries made it."""

from __future__ import annotations

import bz2
import io
import json
import lzma
import pickletools
import platform
import zipfile
import zlib
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidModelFiles

PICKLE_SUFFIXES = frozenset({".joblib", ".pkl", ".pickle"})
TORCH_SUFFIXES = frozenset({".pt", ".pth"})
#: Every flavor, in detection order.
FLAVORS = ("pytorch", "safetensors", "skops", "sklearn", "lightgbm", "xgboost", "raw")
_BY_SUFFIX = (
    ("pytorch", TORCH_SUFFIXES),
    ("safetensors", frozenset({".safetensors"})),
    ("skops", frozenset({".skops"})),
    ("sklearn", PICKLE_SUFFIXES),
)
_BOOSTER_SUFFIXES = frozenset({".txt", ".json", ".ubj", ".lgb", ".model"})
_LIBRARIES = {
    "sklearn": ("scikit-learn", "lightgbm", "xgboost", "joblib"),
    "skops": ("scikit-learn", "skops"),
    "pytorch": ("torch",),
    "safetensors": ("safetensors", "torch"),
    "lightgbm": ("lightgbm",),
    "xgboost": ("xgboost",),
    "raw": (),
}


def is_pickle(path: str | Path) -> bool:
    """Whether ``path`` is *named* as a pickle (its suffix). Where the file is at hand,
    judge it by content with :func:`holds_pickle` instead: a name is the sender's word."""
    return Path(path).suffix.lower() in PICKLE_SUFFIXES


def holds_pickle(path: Path) -> bool:
    """Whether loading the local file ``path`` could unpickle it, judged by its bytes
    whatever its name (ADR 0062): pickle opcodes (any protocol), a joblib file compressed
    with zlib, gzip, bz2 or xz around a pickle, or a ZIP holding a ``.pkl`` member (what
    ``torch.save`` writes). A name with a pickle suffix counts too."""
    if is_pickle(path):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
            longer = bool(f.read(1))
    except OSError:
        return False
    return _pickled(head, longer) or _compressed_pickle(head) or _zip_pickle(path, head)


#: How much of a file the content checks read.
_HEAD = 1 << 16
_PICKLE_PROTOCOL = frozenset(range(2, 6))
_OPCODES = frozenset(op.code.encode("latin-1") for op in pickletools.opcodes)


def _pickled(head: bytes, longer: bool) -> bool:
    """Pickle opcodes from the first byte: a protocol-2+ header, or a run of valid
    opcodes up to STOP (or up to the end of what was read, for a longer file)."""
    if len(head) >= 2 and head[0] == 0x80 and head[1] in _PICKLE_PROTOCOL:
        return True
    if not head or head[:1] not in _OPCODES:
        return False
    last = 0
    try:
        for op, _arg, pos in pickletools.genops(io.BytesIO(head)):
            last = pos or 0
            if op.name == "STOP":
                return True
    except ValueError:  # an unknown opcode, a bad argument or the end of what was read
        return longer and last > len(head) - 1024
    return False


def _compressed_pickle(head: bytes) -> bool:
    """A zlib, gzip, bz2 or xz stream (joblib's ``compress=``) whose first bytes pickle."""
    if head[:1] == b"\x78":
        opener: Any = zlib.decompressobj()
    elif head[:2] == b"\x1f\x8b":
        opener = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif head[:3] == b"BZh":
        opener = bz2.BZ2Decompressor()
    elif head[:6] == b"\xfd7zXZ\x00":
        opener = lzma.LZMADecompressor(lzma.FORMAT_XZ)
    elif head[:3] == b"\x5d\x00\x00":
        opener = lzma.LZMADecompressor(lzma.FORMAT_ALONE)
    else:
        return False
    try:
        inner = opener.decompress(head, 64)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        return False
    return len(inner) >= 2 and inner[0] == 0x80 and inner[1] in _PICKLE_PROTOCOL


def _zip_pickle(path: Path, head: bytes) -> bool:
    """A ZIP archive with a pickle inside (``torch.save`` writes ``NAME/data.pkl``)."""
    if not head.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(is_pickle(name) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def file_flavor(path: Path) -> str | None:
    """The flavor a single file holds, judged by suffix, then by content: boosters, and a
    pickle under any other name (a ZIP holding one, as ``torch.save`` writes, is pytorch)."""
    suffix = path.suffix.lower()
    for flavor, suffixes in _BY_SUFFIX:
        if suffix in suffixes:
            return flavor
    if suffix in _BOOSTER_SUFFIXES:
        found = _booster_kind(path)
        if found is not None:
            return found
    if holds_pickle(path):
        with open(path, "rb") as f:
            return "pytorch" if f.read(2) == b"PK" else "sklearn"
    return None


def detect(
    files: Mapping[str, Path], *, flavor: str | None = None, model_file: str | None = None
) -> tuple[str, str | None]:
    """The flavor of a version's ``files`` (path in the version -> local file) and the path
    of the file holding the model (``None`` for raw files).

    ``model_file`` and ``flavor`` override detection; raises :class:`InvalidModelFiles` for
    an unknown flavor, a model file that is not pushed, or several equally likely ones.
    """
    if flavor is not None and flavor not in FLAVORS:
        raise InvalidModelFiles(
            f"unknown flavor {flavor!r}",
            hint=f"use one of: {', '.join(FLAVORS)}",
            said=Message(
                N_("error.registry.unknown_flavor"),
                {"flavor": str(flavor)[:70], "flavors": ", ".join(FLAVORS)},
            ),
        )
    if flavor == "raw":
        return "raw", None
    if model_file is not None:
        if model_file not in files:
            raise InvalidModelFiles(
                f"model file {model_file!r} is not among the files pushed",
                hint=f"pick one of: {', '.join(sorted(files))}",
                said=Message(
                    N_("error.registry.model_file_not_pushed"),
                    {"file": model_file, "files": ", ".join(sorted(files))},
                ),
            )
        found = flavor or file_flavor(files[model_file])
        if found is None:
            raise InvalidModelFiles(
                f"cannot tell which kind of model {model_file!r} holds",
                hint=f"pass the flavor ({', '.join(FLAVORS)})",
                said=Message(
                    N_("error.registry.flavor_unknown_for_file"),
                    {"file": model_file, "flavors": ", ".join(FLAVORS)},
                ),
            )
        return found, model_file
    kinds = {path: file_flavor(local) for path, local in sorted(files.items())}
    for candidate in FLAVORS:
        if flavor is not None and candidate != flavor:
            continue
        matches = [path for path, kind in kinds.items() if kind == candidate]
        if len(matches) > 1:
            raise InvalidModelFiles(
                f"several {candidate} model files: {', '.join(matches)}",
                hint="name the one to load with --model-file",
                said=Message(
                    N_("error.registry.several_model_files"),
                    {"flavor": candidate, "files": ", ".join(matches)},
                ),
            )
        if matches:
            return candidate, matches[0]
    if flavor is not None:
        raise InvalidModelFiles(
            f"no {flavor} model file among: {', '.join(sorted(files))}",
            said=Message(
                N_("error.registry.no_model_file_of_flavor"),
                {"flavor": flavor, "files": ", ".join(sorted(files))},
            ),
        )
    return "raw", None


def framework_versions(flavor: str) -> dict[str, str]:
    """Python and the flavor's library versions installed here (read without importing)."""
    found = {"python": platform.python_version()}
    for dist in _LIBRARIES.get(flavor, ()):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def _booster_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if head.startswith(b"tree\n") or b"\nversion=v" in head[:200]:
        return "lightgbm"
    suffix = path.suffix.lower()
    if suffix == ".ubj":
        return "xgboost"
    if suffix == ".json" and head.lstrip().startswith(b"{") and b'"learner"' in head:
        try:
            body = json.loads(path.read_bytes())
        except (ValueError, OSError):
            return None
        if isinstance(body, dict) and "learner" in body:
            return "xgboost"
    return None
