"""A large UTF-8 CSV read from disk a block at a time (ADR 0124): the frame its bytes give,
without its bytes held whole; anything else read whole, as before."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from entrepot.fraud.synth.generator import generate
from entrepot.fraud.tables.bounds import MAX_COLUMNS, InflatesTooMuch
from entrepot.fraud.tables.csv_read import read_csv, read_csv_file
from entrepot.fraud.tables.io import read_bytes, read_table, write_table
from entrepot.fraud.tables.utf8_file import WHOLE_BELOW

READ_THE_SAME = [
    b"a,b,c\n1,x,2.5\n3,y,4.5\n",
    b"a, b, c\n1, x, 2.5\n3,  y,4.5\n",  # spaces after the separator
    b" a,b\n 1,x\n2,y\n",  # a space at the file's start
    b"a,b\r 1,x\r2,y\r",  # old Mac line ends, then a space
    b'a,b\n1,"x, y"\n2,z\n',  # a separator and a space inside quotes
    b'a,b\r\n1,"two\r\nlines"\r\n2,z\r\n',  # CRLF, a line break inside quotes
    b"a;b\n1; x\n2;y\n",
    b"a\tb\n1\t x\n2\ty\n",
    b"a|b\n1|x\n2|y\n",
    b"\xef\xbb\xbfa,b\n1,caf\xc3\xa9\n2,ok\n",  # UTF-8 with its BOM
    b"\xef\xbb\xbfa,b\n1,caf\xe9\n2, ok\n",  # marked UTF-8, one byte invalid: replaced
    b"code,montant\n0042,12.5\n0100,7\n",  # codes with leading zeros stay text
    b"montant;pays\n1 234,56;FR\n12,50;DE\n",  # numbers written the French way
    b"a,b\n1,inf\n2,-inf\n",  # infinite numbers
    b"a,b\n1,\xe2\x82\xac\n2,\xf0\x9f\x98\x80\n",  # characters of three and four bytes
]
READ_WHOLE = [
    b"a,b\n1,caf\xe9\n2,\xff\n",  # not UTF-8: Windows-1252, decoded whole
    b"a,b\n",  # a header alone: no second record in the head
    b"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",  # UTF-16
    b"\x00\x01\x02binary\x00",  # binary: refused where it is read whole
    b"   \n  \n",  # blank
    b"\x1f\x8b\x08\x00",  # gzip
]


@pytest.mark.parametrize("data", READ_THE_SAME)
def test_a_utf8_csv_reads_from_disk_as_from_its_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    streamed = read_csv_file(path, whole_below=0)
    assert streamed is not None
    pd.testing.assert_frame_equal(streamed, read_csv(data, "t.csv"))


@pytest.mark.parametrize("data", READ_WHOLE)
def test_anything_else_is_left_to_the_whole_read(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert read_csv_file(path, whole_below=0) is None


def test_a_small_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(READ_THE_SAME[0])
    assert read_csv_file(path) is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_generated_table_reads_the_same_from_disk(tmp_path: Path, lang: str) -> None:
    data = generate("card_payments", 3000, seed=5, lang=lang)  # type: ignore[arg-type]
    path = write_table(data.frame, tmp_path / "t.csv", lang=lang)
    streamed = read_csv_file(path, whole_below=0)
    assert streamed is not None
    pd.testing.assert_frame_equal(streamed, read_csv(path.read_bytes(), "t.csv"))


def test_a_header_too_wide_is_refused_before_the_rows_are_parsed(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    path = tmp_path / "wide.csv"
    path.write_text(f"{header}\n{','.join('1' * (MAX_COLUMNS + 1))}\n", encoding="utf-8")
    with pytest.raises(InflatesTooMuch):
        read_csv_file(path, whole_below=0)


def test_a_large_csv_is_read_without_its_bytes_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 40 item 3): a 5M-row file's 365 MB were held beside the table
    pandas built from them; a file past the threshold is now never read into memory
    whole, and gives the same frame."""
    data = generate("card_payments", 1000, seed=2)
    path = write_table(data.frame, tmp_path / "big.csv")
    lines = path.read_bytes().split(b"\r\n")
    body = b"\r\n".join(lines[1:-1]) + b"\r\n"
    with path.open("ab") as out:  # the same rows again, past the threshold
        while path.stat().st_size <= WHOLE_BELOW:
            out.write(body)
    expected = read_bytes(path.read_bytes(), name="big.csv")

    def refused(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", refused)
    pd.testing.assert_frame_equal(read_table(path), expected)


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        (b"a,b\n1,\xe2\x82\xac\n2,x\n", True),  # a character of three bytes, cut anywhere
        (b"a,b\n1,\xe2xyz\x82\xac\n", False),  # a cut character, ASCII, then its end
        (b"a,b\n1,x\n2,\xe2", False),  # cut at the file's end
        (b"a,b\n1,x\n2,\xff\n", False),
    ],
)
def test_every_block_is_checked_as_utf8_across_its_ends(
    tmp_path: Path, data: bytes, valid: bool
) -> None:
    from entrepot.fraud.tables.csv_read import _scanned
    from entrepot.fraud.tables.utf8_file import utf8_file

    path = tmp_path / "t.csv"
    path.write_bytes(data)
    found = utf8_file(path, whole_below=0)
    assert found is not None
    for size in (1, 2, 3, 5, 1 << 24):
        assert _scanned(found, ",", size)[0] is valid, size
