"""``import_paths``: folders with non-data files, gzip and ZIP archives of the real exports,
archive bombs and paths out of an archive, unknown files named with their nearest kind."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from entrepot.city import layout
from entrepot.city.errors import RawFormatError
from entrepot.city.imports.archives import Bounds
from entrepot.city.imports.detect import detect
from entrepot.city.imports.files import import_paths
from entrepot.city.imports.text import decode
from entrepot.city.lake import Lake
from entrepot.i18n.messages import speaker
from entrepot.storage.memory import MemoryStore
from tests.support.real_paris import AS_OF, CHAMPS, CHANTIERS, REAL, real

VELO = "comptage-velo-donnees-compteurs.csv"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_csv_gz_as_stored_is_imported_as_the_file_it_holds(tmp_path: Path) -> None:
    packed = tmp_path / f"{CHAMPS}.gz"
    packed.write_bytes(gzip.compress(real(CHAMPS).read_bytes()))
    store = MemoryStore()
    summary = import_paths(store, [packed], as_of=AS_OF)
    assert summary.ok and not summary.skipped
    (result,) = summary.imported
    assert (result.kind, result.rows) == ("counts", 8758)
    assert (result.archive, result.member, result.name) == (
        packed.name,
        CHAMPS,
        f"{packed.name}:{CHAMPS}",
    )
    assert result.as_dict()["archive"] == packed.name
    assert any(w.startswith(f"{packed.name}:{CHAMPS}: 744 duplicate") for w in result.warnings)
    # stored as the CSV it holds, the same version as the plain file
    assert store.get(result.keys[0]) == real(CHAMPS).read_bytes()
    plain = import_paths(store, [real(CHAMPS)], as_of=AS_OF)
    assert plain.imported[0].already_present == 1


def test_gzip_bytes_are_recognised_whatever_the_name(tmp_path: Path) -> None:
    packed = tmp_path / "download (3).bin"
    packed.write_bytes(gzip.compress(real(VELO).read_bytes()))
    (result,) = import_paths(MemoryStore(), [packed], as_of=AS_OF).imported
    assert (result.kind, result.archive, result.member) == (
        "bike-counters",
        packed.name,
        packed.name,
    )


def test_a_zip_imports_each_data_member_and_names_what_it_skips(tmp_path: Path) -> None:
    packed = _zip(
        tmp_path / "paris.zip",
        {
            f"exports/{CHANTIERS}": real(CHANTIERS).read_bytes(),
            f"exports/{VELO}.gz": gzip.compress(real(VELO).read_bytes()),
            "README.md": (REAL / "README.md").read_bytes(),
            "__MACOSX/._x.csv": b"\x00\x05",
            "exports/map.png": b"\x89PNG\r\n\x1a\n",
        },
    )
    store = MemoryStore()
    summary = import_paths(store, [packed], as_of=AS_OF)
    assert summary.ok
    assert [(r.kind, r.archive, r.member) for r in summary.imported] == [
        ("roadworks", "paris.zip", f"exports/{CHANTIERS}"),
        ("bike-counters", f"paris.zip:exports/{VELO}.gz", VELO),
    ]
    assert [(s.name, s.reason) for s in summary.skipped] == [
        ("paris.zip:README.md", "not a city data file"),
        ("paris.zip:__MACOSX/._x.csv", "a hidden or system file"),
        ("paris.zip:exports/map.png", "not a city data file"),
    ]
    assert Lake(store).batch_input(layout.ROADWORKS_CSV).key == summary.imported[0].keys[0]


def test_a_folder_with_a_readme_imports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_bytes((REAL / "README.md").read_bytes())
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "notes").mkdir()
    (tmp_path / CHANTIERS).write_bytes(real(CHANTIERS).read_bytes())
    summary = import_paths(MemoryStore(), [tmp_path], as_of=AS_OF)
    assert summary.ok
    assert [r.kind for r in summary.imported] == ["roadworks"]
    assert [s.as_dict() for s in summary.skipped] == [
        {
            "file": ".DS_Store",
            "reason": "a hidden or system file",
            "reason_message": {"key": "city.import_skip.hidden", "params": {}},
        },
        {
            "file": "README.md",
            "reason": "not a city data file",
            "reason_message": {"key": "city.import_skip.not_data", "params": {}},
        },
        {
            "file": "notes",
            "reason": "a folder (its files are not imported)",
            "reason_message": {"key": "city.import_skip.folder", "params": {}},
        },
    ]
    assert summary.as_dict()["failed"] == []


@pytest.mark.parametrize(
    "member", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv"]
)
def test_a_member_path_out_of_the_archive_refuses_it_whole(tmp_path: Path, member: str) -> None:
    packed = _zip(
        tmp_path / "bad.zip", {CHANTIERS: real(CHANTIERS).read_bytes(), member: b"a;b\n1;2\n"}
    )
    store = MemoryStore()
    summary = import_paths(store, [packed], as_of=AS_OF)
    (failed,) = summary.failed
    assert failed.name == "bad.zip"
    assert f"holds {member!r}, a path outside the archive" in failed.error
    assert not summary.imported and list(store.list()) == []  # nothing half-imported


def test_a_zip_bomb_is_refused_by_its_declared_ratio(tmp_path: Path) -> None:
    packed = _zip(tmp_path / "bomb.zip", {"zeros.csv": b"0" * (4 * 1024 * 1024)})
    store = MemoryStore()
    (failed,) = import_paths(store, [packed], as_of=AS_OF).failed
    assert "bomb.zip ('zeros.csv') is compressed more than 200 to 1" in failed.error
    assert "archive bomb" in failed.error
    assert list(store.list()) == []


def test_a_gzip_bomb_is_refused_while_read_and_leaves_nothing(tmp_path: Path) -> None:
    packed = tmp_path / "counts.csv.gz"
    packed.write_bytes(gzip.compress(b"0" * (8 * 1024 * 1024)))
    store = MemoryStore()
    (failed,) = import_paths(store, [packed], as_of=AS_OF).failed
    assert failed.name == "counts.csv.gz"
    assert "is compressed more than 200 to 1" in failed.error
    assert list(store.list()) == []


def test_an_archive_past_the_inflated_bound_is_refused(tmp_path: Path) -> None:
    packed = tmp_path / f"{CHAMPS}.gz"
    packed.write_bytes(gzip.compress(real(CHAMPS).read_bytes()))
    small = Bounds(max_inflated=1024 * 1024)
    (failed,) = import_paths(MemoryStore(), [packed], as_of=AS_OF, bounds=small).failed
    assert "inflates to more than 1 MiB, the most an import unpacks" in failed.error


def test_a_cut_gzip_is_refused_by_name(tmp_path: Path) -> None:
    packed = tmp_path / "chantiers.csv.gz"
    packed.write_bytes(gzip.compress(real(CHANTIERS).read_bytes())[:5000])
    store = MemoryStore()
    (failed,) = import_paths(store, [packed], as_of=AS_OF).failed
    assert "chantiers.csv.gz is not a readable gzip archive" in failed.error
    assert list(store.list()) == []


def test_a_workbook_is_named_not_opened_as_an_archive(tmp_path: Path) -> None:
    packed = _zip(tmp_path / "export.xlsx", {"[Content_Types].xml": b"<Types/>"})
    (failed,) = import_paths(MemoryStore(), [packed], as_of=AS_OF).failed
    assert (
        "is a spreadsheet workbook" in failed.error
        and failed.hint == "save each sheet as CSV UTF-8"
    )


def test_an_unknown_table_is_named_with_what_it_looks_like_and_the_nearest_kind() -> None:
    header = "Identifiant arc;Libelle;Débit horaire;Etat trafic\n1;x;3;Fluide\n"
    with pytest.raises(RawFormatError) as info:
        detect(header, "comptages.csv")
    assert "it looks like a semicolon-separated table of 4 columns ('Identifiant arc'" in str(
        info.value
    )
    assert (info.value.hint or "").startswith(
        "nearest known kind: counts (it lacks 'Date et heure de comptage')"
    )
    with pytest.raises(RawFormatError) as info:
        detect("hello world\n", "notes.txt")
    assert "it looks like text, not a table (first line 'hello world')" in str(info.value)
    assert (info.value.hint or "").startswith("no known kind shares a column with it")


def test_an_unknown_json_is_named_with_what_it_looks_like_and_the_nearest_kind() -> None:
    with pytest.raises(RawFormatError) as info:
        detect('{"latitude": 48.8, "longitude": 2.3, "daily": {}}', "meteo.json")
    assert "it looks like a JSON object with keys 'latitude', 'longitude', 'daily'" in str(
        info.value
    )
    assert (info.value.hint or "").startswith(
        "nearest known kind: open-meteo (it lacks 'hourly', 'utc_offset_seconds')"
    )


@pytest.mark.parametrize(
    ("data", "key", "french"),
    [
        # mtime=0: the bytes, and so the test's id, are the same in every collecting process
        (gzip.compress(b"a,b\n1,2\n", mtime=0), "city.refused.archive_given", "est une archive"),
        (b"%PDF-1.7\n" + bytes(range(256)), "city.refused.binary_given", "pas un export texte"),
    ],
    ids=["gzip", "pdf"],
)
def test_a_binary_given_as_text_is_refused_in_the_readers_language(
    data: bytes, key: str, french: str
) -> None:
    with pytest.raises(RawFormatError, match="not a text export") as refused:
        decode(data, "x.csv")
    said = refused.value.said
    assert said is not None and said.key == key and said.params == {"file": "x.csv"}
    assert french in speaker("fr")(said) and "x.csv" in speaker("fr")(said)
