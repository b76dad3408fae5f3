"""Reading the tables people export: separators, encodings, decimal commas, formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from entrepot.fraud.errors import EmptyFile, UnreadableFile
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.io import (
    check_header_width,
    read_bytes,
    read_table,
    sniff_separator,
    write_table,
)


@pytest.mark.parametrize(("lang", "suffix"), [("en", ".csv"), ("fr", ".csv"), ("en", ".parquet")])
def test_generated_tables_round_trip(tmp_path: Path, lang: str, suffix: str) -> None:
    data = generate("wire_transfers", 500, seed=4, lang=lang)  # type: ignore[arg-type]
    path = write_table(data.frame, tmp_path / f"t{suffix}", lang=lang)
    back = read_table(path)
    assert list(back.columns) == list(data.frame.columns)
    amount = data.columns["amount"]
    assert pd.api.types.is_float_dtype(back[amount])
    assert back[amount].tolist() == pytest.approx(data.frame[amount].tolist())


def test_xlsx_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"montant": [12.5, 3.0], "pays": ["FR", "DE"], "fraude": [0, 1]})
    back = read_table(write_table(frame, tmp_path / "t.xlsx"))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_french_csv_has_semicolons_decimal_commas_and_a_bom(tmp_path: Path) -> None:
    frame = pd.DataFrame({"montant": [1234.5, 7.25], "libellé": ["café", "thé"]})
    raw = write_table(frame, tmp_path / "fr.csv", lang="fr").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "1234,5;café".encode() in raw
    back = read_table(tmp_path / "fr.csv")
    assert list(back.columns) == ["montant", "libellé"]
    assert back["montant"].tolist() == [1234.5, 7.25]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8", "utf-8-sig", "utf-16"])
def test_encodings(encoding: str) -> None:
    text = "montant_réglé;pays;commerçant\n12,5;France;Crêperie\n3;Été;Noël\n"
    frame = read_bytes(text.encode(encoding), name="x.csv")
    assert list(frame.columns) == ["montant_réglé", "pays", "commerçant"]
    assert frame["montant_réglé"].tolist() == [12.5, 3.0]
    assert frame["commerçant"].tolist() == ["Crêperie", "Noël"]


def test_thousands_separators_and_decimal_commas() -> None:
    frame = read_bytes(b"a;b;c\n1 234,50;x;12,5\n2.000,25;y;\n", name="x.csv")
    assert frame["a"].tolist() == [1234.5, 2000.25]
    assert frame["c"].tolist()[0] == 12.5
    assert pd.isna(frame["c"].tolist()[1])
    assert frame["b"].tolist() == ["x", "y"]


def test_a_comma_separated_file_keeps_its_text() -> None:
    frame = read_bytes(b'id,note\n1,"12,5"\n2,"3,0"\n', name="x.csv")
    assert frame["note"].tolist() == ["12,5", "3,0"]


@pytest.mark.parametrize(
    ("text", "sep"),
    [("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2,5;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2", "|")],
)
def test_separator_sniffing(text: str, sep: str) -> None:
    assert sniff_separator(text) == sep


def test_parquet_is_recognised_by_its_bytes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    frame.to_parquet(tmp_path / "p.parquet")
    data = (tmp_path / "p.parquet").read_bytes()
    pd.testing.assert_frame_equal(read_bytes(data, name="upload.csv"), frame)


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"a,b,c\n"])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "e.csv").write_bytes(content)
    with pytest.raises(EmptyFile) as caught:
        read_table(tmp_path / "e.csv")
    assert "e.csv" in str(caught.value)
    assert "at least one row" in str(caught.value)


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="not text"):
        read_bytes(bytes(range(256)) * 20, name="blob.csv")
    with pytest.raises(UnreadableFile, match="Parquet"):
        read_bytes(b"PAR1 this is not parquet", name="x.parquet")
    with pytest.raises(UnreadableFile, match="XLSX"):
        read_bytes(b"PK\x03\x04 broken zip", name="x.xlsx")
    with pytest.raises(UnreadableFile, match="no file"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(UnreadableFile, match="could not be parsed"):
        read_bytes(b'a,b\n1,"2\n3,4\n', name="x.csv")
    assert isinstance(UnreadableFile("x"), ValueError)


def test_a_header_cell_holding_a_line_end_is_one_column_of_the_header() -> None:
    # The header is read line by line as the csv module asks (never as one StringIO of
    # the whole text, which cost four bytes a character: ADR 0102's round).
    text = 'a,"b\nstill b",c\n1,2,3\n' + "4,5,6\n" * 1000
    check_header_width(text, ",", "t.csv")  # three columns: no refusal
    frame = read_bytes(text.encode(), name="t.csv")
    assert list(frame.columns) == ["a", "b\nstill b", "c"] and len(frame) == 1001


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_a_csv_reads_the_same_values_from_every_encoding(encoding: str) -> None:
    text = "nom;montant;code\nÉlodie;12,5;0042\nZoë;7;0100\n"
    frame = read_bytes(text.encode(encoding), name="t.csv")
    assert frame["nom"].tolist() == ["Élodie", "Zoë"]
    assert frame["montant"].tolist() == [12.5, 7.0]
    assert frame["code"].tolist() == ["0042", "0100"]  # codes with leading zeros stay text


@pytest.mark.parametrize(
    "text",
    [
        b"a,b,c\n1,x,2.5\n3,y,4.5\n",  # nothing to skip: parsed without the options
        b"a, b, c\n1, x, 2.5\n3,  y,4.5\n",  # spaces after the separator
        b" a,b\n 1,x\n2,y\n",  # spaces at a line's start
        b"a,b\r 1,x\r2,y\r",  # old Mac line ends, then a space
        b'a,b\n1,"x, y"\n2,z\n',  # a separator and a space inside quotes
        b"a;b\n1; x\n2;y\n",  # another separator
        b"a\tb\n1\t x\n2\ty\n",
        b"\xef\xbb\xbfa,b\n1,caf\xc3\xa9\n2,ok\n",  # UTF-8 with its BOM
        b"\xef\xbb\xbfa,b\n1,caf\xe9\n2, ok\n",  # marked UTF-8, one byte invalid
        b"a,b\n1,caf\xe9\n2,\xff\n",  # not UTF-8: Windows-1252
    ],
)
def test_a_csv_reads_as_with_every_parsing_option(text: bytes) -> None:
    """Regression (the parse took three times its CPU with options that changed nothing):
    a CSV reads to the same frame as when pandas skipped every initial space and replaced
    every invalid byte, the options now given only where a value needs them."""
    import codecs
    import io

    from entrepot.fraud.tables.numbers import text_numbers
    from entrepot.fraud.tables.text import decode

    decoded, encoding = decode(text)
    utf8 = decoded.encode("utf-8") if encoding not in ("utf-8", "utf-8-sig") else text
    utf8 = utf8.removeprefix(codecs.BOM_UTF8)
    sep = sniff_separator(decoded)
    every = pd.read_csv(
        io.BytesIO(utf8),
        sep=sep,
        skipinitialspace=True,
        encoding="utf-8",
        encoding_errors="replace",
    )
    expected = text_numbers(every, conventions=("en",) if sep == "," else ("fr", "en"))
    pd.testing.assert_frame_equal(read_bytes(text, name="t.csv"), expected)


@pytest.mark.parametrize(
    ("text", "sep", "spaced"),
    [
        (b"a,b\n1,2\n", ",", False),
        (b"a,b\n1,2 3\n", ",", False),  # a space inside a value
        (b" a,b\n", ",", True),
        (b"a,b\n1, 2\n", ",", True),
        (b"a;b\n1;2\r 3;4\n", ";", True),
        (b"a;b\n1, 2\n", ";", False),  # after a comma that is no separator here
        (b"a\xc2\xa7b\n1\xc2\xa7 2\n", "\u00a7", True),  # a separator of two bytes
        (b"a\xc2\xa7b\n1\xc2\xa72\n", "\u00a7", False),
    ],
)
def test_spaces_after_a_separator_are_found_across_blocks(
    text: bytes, sep: str, spaced: bool
) -> None:
    from entrepot.fraud.tables.csv_read import spaced as _spaced

    for block in (1, 2, 3, 1 << 24):  # a space and its separator in two blocks, or one
        blocks = (text[at : at + block] for at in range(0, len(text), block))
        assert _spaced(blocks, sep) is spaced
