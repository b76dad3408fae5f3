"""The shared test helpers (tests/support) do what the tests rely on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect

from tests.support.catalog import migrated_engine
from tests.support.clock import FakeClock
from tests.support.csvs import labelled_csv, unlabelled_csv


def test_migrated_engine_has_the_web_tables(tmp_path: Path) -> None:
    engine = migrated_engine(tmp_path)
    names = set(inspect(engine).get_table_names())
    assert {"users", "api_tokens", "licences", "jobs", "datasets", "predictions"} <= names


def test_fake_clock_moves_only_when_told() -> None:
    clock: Callable[[], datetime] = FakeClock()
    first = clock()
    assert clock() == first
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    assert clock() - first == timedelta(days=1)


def test_generated_files_have_and_lack_the_label() -> None:
    assert b"is_fraud" in labelled_csv(200).splitlines()[0]
    assert b"is_fraud" not in unlabelled_csv(200).splitlines()[0]


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in tests/support; a test module (or conftest) never imports a
    test module, so moving or deleting one never breaks another."""
    import ast

    tests = Path(__file__).resolve().parents[1]
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                outside_support = parts[0] == "tests" and parts[1:2] != ["support"]
                if outside_support and any(p.startswith("test_") or p == "conftest" for p in parts):
                    offenders.append(f"{path.relative_to(tests)} imports {name}")
    assert offenders == []


def test_fill_catalog_fills_every_copied_table(tmp_path: Path) -> None:
    from entrepot.catalog.copy.plan import copy_plan
    from entrepot.catalog.tables import metadata
    from tests.support.catalog_fill import catalog_digests, fill_catalog

    engine = migrated_engine(tmp_path)
    counts = fill_catalog(engine, rows=3)
    assert set(counts) == {step.name for step in copy_plan(metadata)}
    assert {d.rows for d in catalog_digests(engine).values()} == {3}


def test_late_frauds_csv_puts_most_frauds_in_the_second_half() -> None:
    import io

    import pandas as pd

    from tests.support.csvs import late_frauds_csv

    data, frauds = late_frauds_csv(2000)
    label = pd.read_csv(io.BytesIO(data))["is_fraud"]
    assert label.sum() == frauds > 0
    assert label[:1000].sum() < label[1000:].sum() / 2


def test_the_city_reference_shares_no_code_with_the_product() -> None:
    """tests/support/city_reference is a second computation of the city metrics: it imports
    nothing of ``entrepot``, so a wrong definition in the product cannot hide in it."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "support" / "city_reference"
    imported = set()
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
    assert len(list(folder.glob("*.py"))) >= 6
    assert not [name for name in imported if name.split(".")[0] == "entrepot"]
