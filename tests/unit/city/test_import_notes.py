"""What ``entrepot city import`` notes about a file is a message (issue 23 item 7): each
note's key and typed values, the values counted again from the file here (pandas or plain
Python, no product code), its English text unchanged and its French text naming the
problem."""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from entrepot.city import refused
from entrepot.city.imports.importer import import_file
from entrepot.city.imports.notes import english
from entrepot.city.imports.records import ImportResult
from entrepot.city.messages import Message, Note, render
from entrepot.i18n import translator
from entrepot.i18n.messages import speaker
from entrepot.storage.memory import MemoryStore
from tests.support.real_paris import AS_OF, CHAMPS, CHANTIERS, real

BIKES = "comptage-velo-donnees-compteurs.csv"
SYNOP = "meteo-france-synop-paris.csv"
VELIB = "velib-disponibilite-en-temps-reel.csv"
INFORMATION = "station_information.json"


def _imported(data: bytes, name: str, as_of: datetime = AS_OF) -> ImportResult:
    return import_file(MemoryStore(), data, name=name, as_of=as_of)


def _said(result: ImportResult, key: str) -> Message:
    """The message of the one note ``key`` of ``result``, checked against its text and its
    ``--json`` form."""
    found = [w for w in result.warnings if isinstance(w, Note) and w.message.key == key]
    assert len(found) == 1, [str(w) for w in result.warnings]
    note = found[0]
    assert english(note.message) == str(note)  # the CLI's words, from the key
    out = result.as_dict()
    at = out["warnings"].index(str(note))
    assert out["warning_messages"][at] == note.message.to_json()
    return note.message


def _french(message: Message) -> str:
    text = render(message, translator("fr"))
    assert "city.import_note" not in text and "{" not in text
    return text


def _counts_frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_the_counts_checks_are_messages_with_the_files_counts() -> None:
    lines = real(CHAMPS).read_text(encoding="utf-8").splitlines()
    head, body = lines[0], list(lines[1:])
    for at in (30, 40):  # two flows that are not numbers
        cells = body[at].split(",")
        cells[7] = "abc"
        body[at] = ",".join(cells)
    body.append(body[10].replace(",2023-", ",x2023-"))  # a time that is none
    body.append(body[11].replace(body[11].split(",")[0], "not-an-arc", 1))
    text = "\n".join([head, *body]) + "\n"
    result = _imported(text.encode(), "champs.csv")

    frame = _counts_frame(text)
    valid = frame["iu_ac"].str.fullmatch(r"\d+") & frame["t_1h"].str.match(r"\d{4}-")
    kept = frame[valid]
    dupes = int(kept.duplicated(["iu_ac", "t_1h"]).sum())
    gap = int(kept["t_1h"].str.match(r"2023-03-26 02:").sum())
    numbers = pd.concat([kept["q"], kept["k"]])
    bad = int((numbers.ne("") & pd.to_numeric(numbers, errors="coerce").isna()).sum())
    assert dupes > 0 and gap == 1 and bad == 2 and int((~valid).sum()) == 2  # all kinds met

    said = _said(result, "city.import_note.duplicates")
    assert said.params == {"file": "champs.csv", "count": dupes}
    assert "en double" in _french(said)
    said = _said(result, "city.import_note.dst_gap")
    assert said.params == {"file": "champs.csv", "count": gap}
    assert "heure d’été" in _french(said)
    said = _said(result, "city.import_note.not_numbers")
    assert said.params == {"file": "champs.csv", "count": bad}
    assert "2 valeurs ne sont pas des nombres" in _french(said)
    said = _said(result, "city.import_note.no_valid_arc")
    assert said.params == {"file": "champs.csv", "count": int((~valid).sum())}
    assert "2 lignes sans tronçon ni heure valide" in _french(said)


def test_a_cut_csv_says_its_last_line_was_left_out(tmp_path: Path) -> None:
    whole = real(CHAMPS).read_bytes()
    cut = whole[: whole.rindex(b",", 0, len(whole) - 2)]  # the last row stops mid-way
    result = _imported(cut, "champs.csv")
    complete = _imported(whole, "champs.csv")
    assert complete.rows - result.rows == 1  # the one row left out, counted apart
    said = _said(result, "city.import_note.cut_short")
    assert said.params == {"file": "champs.csv"}
    assert "1 ligne incomplète" in _french(said) and "tronqué" in _french(said)


def test_a_file_without_a_final_newline_may_be_cut() -> None:
    data = real(CHANTIERS).read_bytes().rstrip(b"\r\n")
    assert not data.endswith(b"\n")
    said = _said(_imported(data, "chantiers.csv"), "city.import_note.no_final_newline")
    assert said.params == {"file": "chantiers.csv"}
    assert "saut de ligne" in _french(said)


@pytest.mark.parametrize(
    ("encode", "key", "encoding"),
    [
        (lambda t: t.encode("cp1252"), "city.import_note.decoded", None),
        (lambda t: t.encode("utf-16"), "city.import_note.decoded", "UTF-16"),
        (lambda t: t.encode("utf-16-le"), "city.import_note.decoded_no_bom", None),
    ],
)
def test_a_file_in_another_encoding_says_which(
    encode: Callable[[str], bytes], key: str, encoding: str | None
) -> None:
    text = real(CHANTIERS).read_bytes().decode("utf-8-sig")
    data = encode(text)
    said = _said(_imported(data, "chantiers.csv"), key)
    assert said.params["file"] == "chantiers.csv"
    shown = str(said.params["encoding"])
    if encoding is not None:
        assert shown == encoding
    elif data.startswith(codecs.BOM_UTF16_LE) or b"\x00" in data[:4]:
        assert "16" in shown  # a "Unicode text" without its mark
    else:
        assert data.decode(shown) == text  # the encoding named reads the bytes back
    assert "lu en" in _french(said) and "UTF-8" in _french(said)


def test_a_stray_quote_before_the_header_is_said() -> None:
    said = _said(
        _imported(b'"' + real(CHANTIERS).read_bytes(), "c.csv"), "city.import_note.stray_quote"
    )
    assert said.params == {"file": "c.csv"} and "guillemet" in _french(said)


def test_a_value_that_is_not_a_number_names_its_line_and_column() -> None:
    lines = real(BIKES).read_bytes().decode("utf-8").split("\r\n")
    cells = lines[3].split(";")
    cells[4] = "n/a"
    lines[3] = ";".join(cells)
    text = "\r\n".join(lines)
    said = _said(_imported(text.encode(), "velo.csv"), "city.import_note.not_numbers_left_out")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    counts = frame["Comptage horaire"]
    bad = counts.ne("") & pd.to_numeric(counts, errors="coerce").isna()
    assert said.params == {
        "file": "velo.csv",
        "count": int(bad.sum()),
        "line": 4,  # the header is line 1
        "column": "'Comptage horaire'",
        "value": "'n/a'",
    }
    assert "n’est pas un nombre" in _french(said)


def test_a_weather_file_of_several_stations_keeps_the_biggest() -> None:
    lines = real(SYNOP).read_text(encoding="utf-8").splitlines()[:60]
    other = [line.replace("7149,", "7150,", 1) for line in lines[1:11]]
    text = "\n".join([*lines, *other]) + "\n"
    said = _said(_imported(text.encode(), "synop.csv"), "city.import_note.stations_observations")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    by_station = frame["numer_sta"].value_counts()
    assert said.params == {
        "file": "synop.csv",
        "count": len(by_station),
        "station": by_station.index[0],
        "kept": int(by_station.iloc[0]),
    }
    assert "seule la station" in _french(said)


def test_a_repeated_synop_observation_is_warned_and_counted() -> None:
    lines = real(SYNOP).read_text(encoding="utf-8").splitlines()[:40]
    text = "\n".join([*lines, lines[5], lines[9], lines[5]]) + "\n"
    result = _imported(text.encode(), "synop.csv")
    said = _said(result, "city.import_note.synop_repeated")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    repeated = int(frame.duplicated(subset=["numer_sta", "date"]).sum())
    assert said.params == {"file": "synop.csv", "count": repeated} and repeated == 3
    assert "répètent une observation" in _french(said)


def test_a_snapshot_taken_long_before_as_of_is_placed_at_its_own_time() -> None:
    later = datetime(2030, 1, 1, tzinfo=UTC)
    said = _said(
        _imported(real(VELIB).read_bytes(), VELIB, later), "city.import_note.velib_taken_at"
    )
    assert said.params["as_of"] == later.isoformat()
    assert said.params["file"] == VELIB and str(said.params["taken"]).startswith("2023-12-10")
    assert "--as-of" in _french(said)
    data = real(INFORMATION).read_bytes()
    stamp = json.loads(data)["lastUpdatedOther"]
    said = _said(_imported(data, INFORMATION, later), "city.import_note.information_taken_on")
    taken = datetime.fromtimestamp(stamp, UTC).date().isoformat()
    assert said.params == {"file": INFORMATION, "taken": taken, "as_of": "2030-01-01"}
    assert "lastUpdatedOther" in _french(said)


def test_times_a_spreadsheet_rewrote_are_counted() -> None:
    text = real(CHAMPS).read_bytes().decode("utf-8")
    rewritten = re.sub(r",(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):00,", r",\3/\2/\1 \4:\5,", text)
    result = _imported(rewritten.encode(), "c.csv")
    said = _said(result, "city.import_note.spreadsheet_day_first")
    times = _counts_frame(rewritten)["t_1h"]
    day_first = int(times.str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").sum())
    assert said.params == {"file": "c.csv", "count": day_first} and day_first > 1000
    assert f"{day_first} time(s) a spreadsheet rewrote" in str(result.warnings[0])  # as before
    assert "réécrits par un tableur" in _french(said)


def test_the_skip_reasons_are_said_in_french() -> None:
    from entrepot.city.imports.looks import not_data

    for name, head, key, words in (
        (".DS_Store", b"", "city.import_skip.hidden", "caché"),
        ("README.md", b"", "city.import_skip.not_data", "pas un fichier de données"),
        ("plan.bin", b"%PDF-1.7\n", "city.import_skip.pdf", "document PDF"),
    ):
        reason = not_data(name, head)
        assert isinstance(reason, Note) and reason.message.key == key
        assert words in render(reason.message, translator("fr"))


def test_archive_size_refusals_use_each_languages_units() -> None:
    too_big = refused.archive_too_big("a.zip", 2 * 1024**3)
    assert "2\u00a0Gio" in speaker("fr")(too_big) and "2\u00a0GiB" in speaker("en")(too_big)
    assert "GB" not in speaker("fr")(too_big) and "GiB" not in speaker("fr")(too_big)
    file_too_big = refused.too_big("a.csv", "roadworks", 256 * 1024**2)
    assert "256\u00a0Mio" in speaker("fr")(file_too_big)
    assert "MB" not in speaker("fr")(file_too_big)
    assert "256\u00a0MiB" in speaker("en")(file_too_big)
    assert too_big.to_json()["params"]["limit"] == {"size": 2 * 1024**3}
