"""``entrepot move`` as typed, for what the catalog does not record (ADR 0038): the
estimate counts it per prefix, and ``--finalize`` refuses to leave anything behind unless
``--force``, saying what and how to proceed."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.storage.local import LocalStore
from tests.support.cli import migrated_cli


def test_estimate_and_a_finalize_that_would_leave_the_lake_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = migrated_cli(tmp_path, monkeypatch, capsys)
    (tmp_path / "data.csv").write_bytes(b"id,amount\n1,9.50\n")
    assert run("put", "data.csv", "datasets/data.csv")[0] == 0
    lake = LocalStore(tmp_path / "store")  # what the city writes: no catalog row
    pieces = {f"raw/api/bikes/dt=2024-03-25/hour={h:02d}/x.json": b"{}" * (h + 1) for h in range(3)}
    for key, data in pieces.items():
        lake.put(key, data)

    code, out, _ = run("move", "--estimate")
    said = " ".join(out.split())
    assert code == 0 and f"raw/api/ {len(pieces)} " in said, said

    team = tmp_path / "team"
    assert run("move", "--to", str(team), "--prefix", "datasets")[0] == 0
    code, out, err = run("move", "--finalize")
    said = " ".join((out + err).split())
    assert code != 0
    assert f"still holds {len(pieces)} object(s)" in said, said
    assert "raw/api/ not cataloged: 3 object(s)" in said and "--force" in said
    assert "Traceback" not in said
    assert all(lake.exists(key) for key in pieces) and lake.exists("datasets/data.csv")

    code, out, err = run("move", "--finalize", "--force")
    assert code == 0, out + err
    assert not lake.exists("datasets/data.csv") and all(lake.exists(k) for k in pieces)
    code, out, err = run("move", "--force")
    assert code != 0 and "--force with --finalize" in " ".join((out + err).split())


@pytest.mark.parametrize(
    "typed",
    [
        ("move", "--estimate", "--dry-run", "--to", "x"),
        ("move", "--rollback", "--finalize"),
        ("move", "--keep-source"),
        ("move", "--delete-copies"),
        ("move", "--dry-run"),
        ("move", "--estimate", "--json"),
        ("models", "--user", "a@example.com", "import-tree", "."),
    ],
)
def test_a_usage_mistake_exits_2_as_the_readme_says(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    typed: tuple[str, ...],
) -> None:
    run = migrated_cli(tmp_path, monkeypatch, capsys)
    code, out, err = run(*typed)
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
