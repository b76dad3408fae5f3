"""The reference library: the seam between the fraud engine and wherever models are kept.

The engine needs little from a model registry, and says so in two small protocols:
:class:`ReferenceSource` (list the active references with their schema and metrics,
load one, count a use) and :class:`ReferenceSink` (which names exist, add a reference
from a trained model folder). :class:`MemoryLibrary` keeps them in memory (tests,
benchmarks); :class:`FolderLibrary` in a local folder, one sub-folder per reference
with ``reference.json`` written last, its pickles signed by the installation's key ring
when added and checked before they are unpickled (``fraud.model.trust``). An adapter
over ``entrepot.registry.Registry`` implements the same two protocols (``push`` +
``add_reference``, ``references``, ``load``, ``record_reference_use``), storing the column
signatures as the type strings of the input schema (:meth:`ColumnSignature.encode`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from entrepot.fraud.errors import FraudError
from entrepot.fraud.match.signature import ColumnSignature
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.model.trust import SIGNATURE_FILE, sign_folder
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidName, UnsafeModelFormat
from entrepot.registry.keyring import KeyRing
from entrepot.registry.names import check_name

REFERENCE_FILE = "reference.json"
#: The model file of a reference folder.
MODEL_FILE = "model.joblib"
#: What to do about a reference whose pickle this installation did not sign.
_UNSIGNED_HINT = (
    "build it again under `entrepot fraud` (delete the reference's folder, then "
    "`entrepot fraud build-references --into LIBRARY`, which signs what it adds), or use "
    "the instance's own library (no --library)"
)


class UnknownReference(FraudError, KeyError):
    """No reference model has this name."""

    hint = "list the references with `entrepot fraud match FILE` or rebuild them"

    def __str__(self) -> str:
        return FraudError.__str__(self)


@dataclass(frozen=True)
class ReferenceInfo:
    """A reference model as matching and weighting see it, without loading it."""

    name: str
    domain: str
    columns: tuple[ColumnSignature, ...]
    metrics: Mapping[str, float]  # validation_auprc, test_auprc, base_rate, threshold...
    version: str = ""
    active: bool = True
    details: Mapping[str, Any] = field(default_factory=dict)  # how it was built

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "domain": self.domain,
            "version": self.version,
            "active": self.active,
            "metrics": dict(self.metrics),
            "input_schema": [[c.name, c.encode()] for c in self.columns],
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ReferenceInfo:
        return cls(
            name=str(raw["name"]),
            domain=str(raw["domain"]),
            columns=decode_schema(raw["input_schema"]),
            metrics={str(k): float(v) for k, v in raw["metrics"].items()},
            version=str(raw.get("version", "")),
            active=bool(raw.get("active", True)),
            details=dict(raw.get("details", {})),
        )


def decode_schema(pairs: Sequence[Sequence[str]]) -> tuple[ColumnSignature, ...]:
    """Column signatures from ``(name, encoded signature)`` pairs (a registry input schema)."""
    return tuple(ColumnSignature.decode(str(name), str(text)) for name, text in pairs)


class ReferenceSource(Protocol):
    """What scoring needs: the active references, their models, a usage counter."""

    def references(self) -> Sequence[ReferenceInfo]:
        """The active references, by name."""
        ...

    def load(self, name: str) -> FraudModel:
        """The model of reference ``name``; raises :class:`UnknownReference`."""
        ...

    def record_use(self, name: str, score: float) -> None:
        """Count one use of ``name`` with its match score (0 to 1)."""
        ...


class Claims(Protocol):
    """Who builds which reference, when several builders share a library (ADR 0092)."""

    def hold(self, name: str) -> AbstractContextManager[bool]:
        """Hold ``name`` while the block builds it: ``True`` when this builder holds it,
        ``False`` when another builder, alive, does."""
        ...

    def wait(self, name: str) -> None:
        """Return once no live builder but this one holds ``name`` (a crashed builder's
        hold expires)."""
        ...


class NoClaims:
    """One builder only (a library in memory, or a folder of one user's)."""

    def hold(self, name: str) -> AbstractContextManager[bool]:
        return nullcontext(True)

    def wait(self, name: str) -> None:
        return None


class ReferenceSink(Protocol):
    """What building the references needs."""

    def names(self) -> frozenset[str]:
        """Every reference name held, active or not."""
        ...

    def claims(self) -> Claims:
        """Who builds which reference (:class:`NoClaims` for a single builder)."""
        ...

    def add(self, info: ReferenceInfo, folder: Path) -> ReferenceInfo:
        """Store the trained model folder (``model.joblib``, ``performance.json``,
        ``schema.json``...) as reference ``info.name``; returns it with its version."""
        ...


def check_reference_name(name: str) -> str:
    """``name`` if it is a safe reference name (letters, digits, ``.``, ``_``, ``-``)."""
    try:
        return check_name(name)
    except InvalidName as exc:
        raise FraudError(
            f"invalid reference name {name!r}",
            hint=exc.hint,
            said=Message(N_("error.reference.bad_name"), {"name": name[:80]}),
        ) from None


def _now() -> str:
    return datetime.now(UTC).strftime("v%Y%m%d_%H%M%S")


class MemoryLibrary:
    """References held in memory, their models loaded from the folders given to ``add``."""

    def __init__(self) -> None:
        self._infos: dict[str, ReferenceInfo] = {}
        self._models: dict[str, FraudModel] = {}
        self.uses: list[tuple[str, float]] = []

    def names(self) -> frozenset[str]:
        return frozenset(self._infos)

    def claims(self) -> Claims:
        return NoClaims()

    def add(self, info: ReferenceInfo, folder: Path) -> ReferenceInfo:
        check_reference_name(info.name)
        model = FraudModel.load(Path(folder) / "model.joblib")
        stored = replace(info, version=info.version or _now())
        self._infos[info.name], self._models[info.name] = stored, model
        return stored

    def references(self) -> list[ReferenceInfo]:
        return [self._infos[n] for n in sorted(self._infos) if self._infos[n].active]

    def load(self, name: str) -> FraudModel:
        if name not in self._models:
            raise UnknownReference(
                f"no reference model named {name!r}",
                said=Message(N_("error.reference.unknown"), {"name": name[:80]}),
            )
        return self._models[name]

    def record_use(self, name: str, score: float) -> None:
        if name not in self._infos:
            raise UnknownReference(
                f"no reference model named {name!r}",
                said=Message(N_("error.reference.unknown"), {"name": name[:80]}),
            )
        self.uses.append((name, float(score)))

    def set_active(self, name: str, active: bool) -> None:
        """Offer ``name`` for matching again, or retire it."""
        if name not in self._infos:
            raise UnknownReference(
                f"no reference model named {name!r}",
                said=Message(N_("error.reference.unknown"), {"name": name[:80]}),
            )
        self._infos[name] = replace(self._infos[name], active=active)


class FolderLibrary:
    """References in a local folder: ``ROOT/NAME/`` holds the model folder,
    ``signature.json`` and ``reference.json``; uses are appended to ``ROOT/usage.jsonl``.

    ``keys()`` is the installation's key ring (``None``: no key, as for ``fraud`` run on
    its own): :meth:`add` signs the folder's files with it and :meth:`load` unpickles a
    model only when one of its keys signed it (a file changed since, or signed by another
    installation, is refused, never opened)."""

    def __init__(self, root: str | Path, keys: Callable[[], KeyRing | None] = lambda: None) -> None:
        self.root = Path(root)
        self._keys = keys
        self._cache: dict[str, FraudModel] = {}

    def _infos(self) -> list[ReferenceInfo]:
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.glob(f"*/{REFERENCE_FILE}")):
            found.append(ReferenceInfo.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        return found

    def names(self) -> frozenset[str]:
        return frozenset(info.name for info in self._infos())

    def claims(self) -> Claims:
        return NoClaims()

    def references(self) -> list[ReferenceInfo]:
        return [info for info in self._infos() if info.active]

    def folder(self, name: str) -> Path:
        """Where reference ``name`` lives; raises :class:`UnknownReference`."""
        path = self.root / check_reference_name(name)
        if not (path / REFERENCE_FILE).is_file():
            raise UnknownReference(
                f"no reference model named {name!r} in {self.root}",
                said=Message(N_("error.reference.unknown"), {"name": name[:80]}),
            )
        return path

    def add(self, info: ReferenceInfo, folder: Path) -> ReferenceInfo:
        check_reference_name(info.name)
        ring = self._keys()
        if ring is None:
            raise UnsafeModelFormat(
                f"cannot add {info.name!r} to {self.root}: this command has no installation "
                "key to sign it, and an unsigned reference is never loaded",
                hint="run it as `entrepot fraud build-references` in an instance",
                said=Message(N_("error.reference.unsigned"), {"name": info.name}),
            )
        stored = replace(info, version=info.version or _now())
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{info.name}."))
        staging.chmod(0o755)  # mkdtemp makes it private; the folder is published as is
        try:
            copied = []
            for item in Path(folder).iterdir():
                if item.is_file() and item.name not in (REFERENCE_FILE, SIGNATURE_FILE):
                    shutil.copy2(item, staging / item.name)
                    copied.append(item.name)
            sign_folder(staging, sorted(copied), ring)
            _write_json(staging / REFERENCE_FILE, stored.to_dict())  # the commit marker
            target = self.root / info.name
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._cache.pop(info.name, None)
        return stored

    def load(self, name: str) -> FraudModel:
        """Reference ``name``'s model, unpickled only when this installation signed it;
        raises :class:`~entrepot.registry.errors.UnsafeModelFormat` otherwise."""
        if name not in self._cache:
            self._cache[name] = FraudModel.load_signed(
                self.folder(name), MODEL_FILE, self._keys(), hint=_UNSIGNED_HINT
            )
        return self._cache[name]

    def record_use(self, name: str, score: float) -> None:
        self.folder(name)
        line = json.dumps({"name": name, "score": round(float(score), 6), "at": _now()})
        with (self.root / "usage.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def set_active(self, name: str, active: bool) -> None:
        """Offer ``name`` for matching again, or retire it."""
        path = self.folder(name) / REFERENCE_FILE
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["active"] = active
        _write_json(path, raw)


def _write_json(path: Path, content: Mapping[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(content, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, path)
