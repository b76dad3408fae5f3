"""Malicious model files, built in the test: each would create a sentinel file if its
code ran. :func:`hostile_models` names them; :func:`write` writes one into a folder and
:func:`run_unsafely` opens it the way an unsafe loader would (the control that proves the
file is armed)."""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Hostile:
    """A malicious model file: its name in the version and how to build it."""

    id: str
    #: The file name (its suffix decides the loader).
    name: str
    build: Callable[[Path], bytes]
    #: How an unsafe loader opens it: pickle, joblib, torch or numpy.
    opener: str


def _calls(sentinel: Path) -> dict[str, tuple[Any, tuple[Any, ...]]]:
    """What each payload calls, with the arguments that create ``sentinel``."""
    import builtins
    import subprocess

    target = str(sentinel)
    code = f"open({target!r}, 'w').close()"
    return {
        "os.system": (os.system, (f"touch {target}",)),
        "exec": (builtins.exec, (code,)),
        "eval": (builtins.eval, (f"__import__('pathlib').Path({target!r}).touch()",)),
        "builtins.open": (builtins.open, (target, "w")),
        "subprocess.call": (subprocess.call, (["touch", target],)),
        "subprocess.run": (subprocess.run, (["touch", target],)),
    }


class _Reduce:
    def __init__(self, call: Any, args: tuple[Any, ...]) -> None:
        self.call, self.args = call, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.call, self.args


def _reduced(kind: str, protocol: int, wrap: str = "plain") -> Callable[[Path], bytes]:
    def build(sentinel: Path) -> bytes:
        call, args = _calls(sentinel)[kind]
        payload: Any = _Reduce(call, args)
        if wrap == "nested":  # deep inside what looks like a model's state
            payload = {"model": [1, 2, {"coef": (0.5, payload)}], "version": 3}
        return pickle.dumps(payload, protocol=protocol)

    return build


def _text(value: str) -> bytes:
    """A protocol 4 SHORT_BINUNICODE."""
    raw = value.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def _raw(kind: str) -> Callable[[Path], bytes]:
    """Hand-written opcode streams: no class behind them."""

    def build(sentinel: Path) -> bytes:
        touch = f"touch {sentinel}"
        code = f"open({str(sentinel)!r}, 'w').close()"
        if kind == "GLOBAL protocol 0":
            return f"cos\nsystem\n(S'{touch}'\ntR.".encode()
        if kind == "INST opcode":
            return f"(S'{touch}'\nios\nsystem\n.".encode()
        if kind == "OBJ opcode":
            return b"\x80\x02(cos\nsystem\nX" + _u32(touch) + b"o."
        if kind == "STACK_GLOBAL":
            return (
                b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00"
                + _text("os")
                + _text("system")
                + b"\x93"
                + _text(touch)
                + b"\x85R."
            )
        if kind == "STACK_GLOBAL via getattr(__import__)":
            return (
                b"\x80\x04"
                + _text("builtins")
                + _text("getattr")
                + b"\x93"
                + _text("builtins")
                + _text("__import__")
                + b"\x93"
                + _text("os")
                + b"\x85R"
                + _text("system")
                + b"\x86R"
                + _text(touch)
                + b"\x85R."
            )
        if kind == "GLOBAL builtins.exec in a list":
            return f"(lp0\ncbuiltins\nexec\n(V{code}\ntRa.".encode()
        if kind == "memo-hidden callable":
            return (
                b"\x80\x04"
                + _text("builtins")
                + _text("eval")
                + b"\x93\x94"  # MEMOIZE, then fetched back
                + b"0"  # POP
                + b"h\x00"  # BINGET 0
                + _text(f"__import__('os').system({touch!r})")
                + b"\x85R."
            )
        if kind == "REDUCE of subprocess.Popen":
            return (
                b"\x80\x04"
                + _text("subprocess")
                + _text("Popen")
                + b"\x93"
                + b"]"  # EMPTY_LIST
                + _text("touch")
                + b"a"
                + _text(str(sentinel))
                + b"a\x85R."  # TUPLE1, REDUCE
            )
        raise AssertionError(kind)

    return build


def _u32(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def _joblib(kind: str, compress: int) -> Callable[[Path], bytes]:
    def build(sentinel: Path) -> bytes:
        import joblib

        call, args = _calls(sentinel)[kind]
        buffer = io.BytesIO()
        joblib.dump({"estimator": _Reduce(call, args)}, buffer, compress=compress)
        return buffer.getvalue()

    return build


def _torch_saved(kind: str) -> Callable[[Path], bytes]:
    def build(sentinel: Path) -> bytes:
        import torch

        call, args = _calls(sentinel)[kind]
        buffer = io.BytesIO()
        torch.save({"state": _Reduce(call, args)}, buffer)
        return buffer.getvalue()

    return build


def _torch_zip(kind: str) -> Callable[[Path], bytes]:
    """A zip-based torch file written by hand whose ``data.pkl`` is a raw exploit."""

    def build(sentinel: Path) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("archive/data.pkl", _raw(kind)(sentinel))
            archive.writestr("archive/version", "3\n")
            archive.writestr("archive/byteorder", "little")
        return buffer.getvalue()

    return build


def _numpy(kind: str) -> Callable[[Path], bytes]:
    def build(sentinel: Path) -> bytes:
        import numpy as np

        call, args = _calls(sentinel)[kind]
        array = np.empty(2, dtype=object)
        array[0], array[1] = 1.5, _Reduce(call, args)
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=True)
        return buffer.getvalue()

    return build


CALLS = ("os.system", "exec", "eval", "builtins.open", "subprocess.call", "subprocess.run")
RAW = (
    "GLOBAL protocol 0",
    "INST opcode",
    "OBJ opcode",
    "STACK_GLOBAL",
    "STACK_GLOBAL via getattr(__import__)",
    "GLOBAL builtins.exec in a list",
    "memo-hidden callable",
    "REDUCE of subprocess.Popen",
)


def hostile_models() -> list[Hostile]:
    """Every malicious file of the suite (more than 50)."""
    found: list[Hostile] = []
    for kind in CALLS:
        for protocol in range(6):
            found.append(
                Hostile(
                    f"pickle p{protocol} {kind}", "model.pkl", _reduced(kind, protocol), "pickle"
                )
            )
        found.append(
            Hostile(f"pickle nested {kind}", "model.pickle", _reduced(kind, 4, "nested"), "pickle")
        )
    for kind in RAW:
        found.append(Hostile(f"raw {kind}", "model.pkl", _raw(kind), "pickle"))
    for kind, suffix in (("exec", ".PKL"), ("os.system", ".Pickle"), ("eval", ".JobLib")):
        found.append(
            Hostile(f"upper-case suffix {suffix}", f"model{suffix}", _reduced(kind, 2), "pickle")
        )
    for kind, compress in (("os.system", 0), ("exec", 3), ("subprocess.call", 9)):
        found.append(
            Hostile(f"joblib z{compress} {kind}", "model.joblib", _joblib(kind, compress), "joblib")
        )
    for kind in ("os.system", "exec", "builtins.open"):
        found.append(Hostile(f"torch.save {kind}", "model.pt", _torch_saved(kind), "torch"))
    for kind in ("GLOBAL protocol 0", "STACK_GLOBAL", "memo-hidden callable"):
        found.append(
            Hostile(f"torch zip data.pkl {kind}", "weights.pth", _torch_zip(kind), "torch")
        )
    for kind in ("os.system", "eval"):
        found.append(Hostile(f"numpy object array {kind}", "weights.npy", _numpy(kind), "numpy"))
    for kind, name in (("os.system", "booster.txt"), ("exec", "model.json"), ("eval", "model.bin")):
        found.append(Hostile(f"pickle named {name}", name, _reduced(kind, 2), "pickle"))
    return found


def write(hostile: Hostile, folder: Path, sentinel: Path) -> Path:
    """Write ``hostile`` (armed against ``sentinel``) into ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hostile.name
    path.write_bytes(hostile.build(sentinel))
    return path


def run_unsafely(hostile: Hostile, path: Path) -> None:
    """Open ``path`` as an unsafe loader would (running its code)."""
    if hostile.opener == "pickle":
        with open(path, "rb") as f:
            loaded = pickle.load(f)
    elif hostile.opener == "joblib":
        import joblib

        loaded = joblib.load(path)
    elif hostile.opener == "torch":
        import torch

        loaded = torch.load(path, weights_only=False)
    else:
        import numpy as np

        loaded = np.load(path, allow_pickle=True)
    _close(loaded)


def _close(value: Any) -> None:
    """Close the files a payload opened (``builtins.open``), wherever they sit."""
    if isinstance(value, io.IOBase):
        value.close()
    elif type(value).__name__ == "Popen":  # subprocess.Popen: reap the child
        value.wait()
    elif isinstance(value, dict):
        for item in value.values():
            _close(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _close(item)
    elif type(value).__module__ == "numpy":
        for item in getattr(value, "flat", ()):
            _close(item)
