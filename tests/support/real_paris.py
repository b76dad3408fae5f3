"""The real Paris exports of ``tests/fixtures/real-paris`` (see its README), and bad variants
of them written into a test's folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from entrepot.city.imports.importer import import_file
from entrepot.city.imports.records import ImportResult
from entrepot.storage.memory import MemoryStore

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-paris"
CONVENTION = "comptages-routiers-permanents-convention-2022.csv"
CHAMPS = "comptages-routiers-historique-champs-elysees-2023.csv"
REFERENTIEL = "referentiel-comptages-routiers.csv"
CHANTIERS = "chantiers-perturbants.csv"
AS_OF = datetime(2023, 1, 10, 12, tzinfo=UTC)


def real(name: str) -> Path:
    """A real export, unmodified."""
    return REAL / name


def variant(folder: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of a real export in ``folder``, its bytes passed through ``change``."""
    path = folder / name
    path.write_bytes(change(real(name).read_bytes()))
    return path


def imported(
    *paths: Path, store: MemoryStore | None = None
) -> tuple[MemoryStore, list[ImportResult]]:
    """A memory lake holding ``paths`` imported in order (as of ``AS_OF``)."""
    lake = store or MemoryStore()
    return lake, [import_file(lake, p, as_of=AS_OF) for p in paths]
