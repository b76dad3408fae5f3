"""Every temporary the package creates has a name ``gc`` knows (ADR 0063): each
``tempfile`` call of ``src/entrepot`` is read, and its prefix must be one of
``temp_names.WORK`` (in the working folder), start with ``temp_names.SYSTEM`` (in the
system's temporary folder), or be a hidden sibling of a file being written (removed by its
writer; listed here by module)."""

from __future__ import annotations

import ast
import os
import time
from datetime import timedelta
from pathlib import Path

from entrepot import temp_names
from entrepot.bootstrap.instance import SYSTEM_TEMPORARIES, WORK_TEMPORARIES
from entrepot.services.temporaries import TempArea, collect_temporaries

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"
_CREATORS = {"mkstemp", "mkdtemp", "TemporaryDirectory", "NamedTemporaryFile"}
#: Hidden temporaries beside what is being written, in a folder gc does not own (a local
#: store's are ``storage.local.TEMP_PREFIX``, which gc takes in the store): the module and
#: the literal text its prefix starts with.
_SIBLINGS = {
    ("cli/remote/staging.py", ".entrepot-"),
    ("health.py", ".entrepot-probe-"),
    ("registry/pull.py", ".entrepot-pull-"),
    ("storage/local.py", "TEMP_PREFIX"),
}
#: Modules whose temporaries live in a folder of their own that they empty themselves (the
#: read-through cache's ``tmp/``, swept as it fills).
_OWN_FOLDER = {"storage/cache_folder.py"}


def _prefix(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "prefix"), None)


def _offenders() -> list[str]:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in _CREATORS:
                continue
            if not _known(module, _prefix(node)):
                offenders.append(f"{module}:{node.lineno}")
    return offenders


def _known(module: str, prefix: ast.expr | None) -> bool:
    if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str):
        text = prefix.value
        return (
            text.startswith(temp_names.SYSTEM)
            or text in temp_names.WORK
            or (module, text) in _SIBLINGS
        )
    if module in _OWN_FOLDER:
        return True
    if isinstance(prefix, ast.Attribute) and isinstance(prefix.value, ast.Name):
        return prefix.value.id == "temp_names" and (
            getattr(temp_names, prefix.attr) in temp_names.WORK
        )
    if isinstance(prefix, ast.Name):
        return (module, prefix.id) in _SIBLINGS
    if isinstance(prefix, ast.Call) and isinstance(prefix.func, ast.Attribute):
        return prefix.func.attr == "work_prefix"
    if isinstance(prefix, ast.JoinedStr):  # f".{dest.name}.": beside the file it writes
        first = prefix.values[0] if prefix.values else None
        return isinstance(first, ast.Constant) and first.value == "."
    return False


def test_every_temporary_the_package_creates_has_a_name_gc_knows() -> None:
    assert _offenders() == []


def test_gc_takes_every_kind_of_work_leftover_after_its_grace(tmp_path: Path) -> None:
    """A leftover of each prefix (a push killed while unpacking leaves ``push-*``), in the
    working folder and the system's: all removed once past the grace, none before."""
    work, system = tmp_path / "var-tmp", tmp_path / "system-tmp"
    work.mkdir()
    system.mkdir()
    left = []
    for prefix in temp_names.WORK:
        folder = work / f"{prefix}abc"
        folder.mkdir()
        (folder / "model.bin").write_bytes(b"half")
        left += [folder, system / f"{temp_names.work_prefix(prefix, None)}abc"]
        left[-1].write_bytes(b"x")
    old = time.time() - 3600
    for path in [*left, *(p for f in left if f.is_dir() for p in f.iterdir())]:
        os.utime(path, (old, old))
    areas = [TempArea(work, WORK_TEMPORARIES), TempArea(system, SYSTEM_TEMPORARIES)]
    kept = collect_temporaries(areas, grace=timedelta(hours=2), dry_run=False)
    assert kept.found == () and all(p.exists() for p in left)
    report = collect_temporaries(areas, grace=timedelta(minutes=30), dry_run=False)
    assert {s.path for s in report.found} == set(left)
    assert report.removed == len(left) and not any(p.exists() for p in left)
