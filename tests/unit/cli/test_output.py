"""Listings and status commands: a table for people (numbers rounded), one JSON document
with ``--json`` (numbers unrounded, nothing else on stdout); through the real entry point."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from entrepot.cli.output import counted, human, rounded
from tests.support.cli import Run, migrated_cli

F1 = 0.43749999999999994


@pytest.mark.parametrize(
    ("number", "shown"),
    [(F1, "0.4375"), (0.9, "0.9"), (123.456, "123.5"), (12345.6, "12,346"), (1e-5, "1e-05")],
)
def test_numbers_are_rounded_for_people(number: float, shown: str) -> None:
    assert rounded(number) == shown


def test_values_for_people() -> None:
    at = datetime(2025, 11, 4, 3, 15, 9, 123456, tzinfo=UTC)
    assert [human(v) for v in (None, True, False, at, date(2025, 11, 4))] == [
        "-", "yes", "no", "2025-11-04 03:15:09", "2025-11-04",
    ]  # fmt: skip
    assert human({"f1": F1, "tags": ["a", "b"]}) == "f1=0.4375, tags=a, b"
    assert human(math.inf) == "inf"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    run = migrated_cli(tmp_path, monkeypatch, capsys)
    (tmp_path / "a.txt").write_text("hello")
    assert run("put", str(tmp_path / "a.txt"), "files/a.txt")[0] == 0
    (tmp_path / "metrics.json").write_text(json.dumps({"f1": F1}))
    pushed = run("models", "push", "a.txt", "-n", "demo", "--metrics", "metrics.json")
    assert pushed[0] == 0, pushed[2]
    return run


def _json(cli: Run, *args: str) -> Any:
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)  # the whole of stdout is one document


def test_listings_print_one_json_document_with_unrounded_numbers(cli: Run) -> None:
    listing = _json(cli, "ls", "files")
    assert isinstance(listing, dict) and listing["folders"] == []
    (entry,) = listing["objects"]
    assert set(entry) == {"key", "size", "modified", "sha256"}
    assert (entry["key"], entry["size"], len(entry["sha256"])) == ("files/a.txt", 5, 64)
    datetime.fromisoformat(entry["modified"])

    usage = _json(cli, "du")
    assert isinstance(usage, dict)
    assert {"name": "files/", "objects": 1, "bytes": 5} in usage["folder"]
    assert _json(cli, "verify") == {
        "checked": 3,
        "ok": True,
        "problems": [],
        "restored": [],
        "not_repaired": [],
    }

    (model,) = _json(cli, "models", "ls")
    assert (model["name"], model["versions"]) == ("demo", 1)
    (version,) = _json(cli, "models", "versions", "demo")
    assert version["metrics"] == {"f1": F1}
    assert version["state"] == "ready" and version["aliases"] == []
    assert _json(cli, "users", "list") == []


def test_tables_have_headers_and_round_numbers(cli: Run) -> None:
    code, out, _ = cli("models", "versions", "demo")
    assert code == 0
    assert out.split()[:3] == ["version", "pushed", "(UTC)"]
    assert "f1=0.4375" in out and str(F1) not in out
    code, out, _ = cli("models", "show", "demo")
    assert "metrics: f1=0.4375" in out and str(F1) not in out
    code, out, _ = cli("du")
    assert out.split()[:4] == ["folder", "objects", "bytes", "size"]
    assert "total" in out


def test_verify_json_reports_problems_and_exits_1(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "store" / "files" / "a.txt").unlink()
    code, out, _ = cli("verify", "--json")
    assert code == 1
    report = json.loads(out)
    assert (report["checked"], report["ok"]) == (3, False)
    assert [(p["key"], p["problem"]) for p in report["problems"]] == [("files/a.txt", "missing")]


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 objects"), (1, "1 object"), (2, "2 objects"), (1500, "1,500 objects")],
)
def test_a_count_takes_the_noun_in_the_right_number(count: int, expected: str) -> None:
    assert counted(count, "object") == expected
