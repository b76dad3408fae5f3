"""CSV text in UTF-16 and UTF-32 is decoded, with or without BOM; bytes that do not decode
in the encoding they announce are refused by name, never a crash."""

from __future__ import annotations

import codecs

import pytest

from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.tables.io import read_bytes
from entrepot.fraud.tables.text import UndecodableText, decode, line_cut, wide_encoding

TEXT = "montant,pays,fraude\n1.5,Côte d’Ivoire,0\n2.5,FR,1\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le"),
        (TEXT.encode("utf-32-be"), "utf-32-be"),
    ],
    ids=["16le-bom", "16be-bom", "16le", "16be", "32le-bom", "32be"],
)
def test_wide_text_is_decoded_with_or_without_bom(data: bytes, encoding: str) -> None:
    assert wide_encoding(data) == encoding
    assert decode(data) == (TEXT, encoding)
    frame = read_bytes(data, name="wide.csv")
    assert list(frame.columns) == ["montant", "pays", "fraude"]
    assert frame["pays"].tolist() == ["Côte d’Ivoire", "FR"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x00", "truncated data"),
        (codecs.BOM_UTF16_LE + "a,b\n1,".encode("utf-16-le") + b"\x00\xd8", "not valid UTF-16"),
        (codecs.BOM_UTF16_BE + "a,b\n".encode("utf-16-be") + b"\xdc\x00,\x001", "not valid UTF-16"),
        (codecs.BOM_UTF32_LE + "a,b\n".encode("utf-32-le") + b"\x00\x00\x11\x00", "range"),
    ],
    ids=["odd length", "lone high surrogate", "lone low surrogate", "beyond unicode"],
)
def test_wide_text_that_does_not_decode_is_refused_naming_the_fix(
    data: bytes, problem: str
) -> None:
    with pytest.raises(UndecodableText, match=problem) as refused:
        read_bytes(data, name="bad.csv")
    assert "bad.csv" in str(refused.value)
    assert "CSV UTF-8" in refused.value.hint
    assert isinstance(refused.value, UnreadableFile)


def test_binary_bytes_are_still_refused_as_not_a_csv() -> None:
    with pytest.raises(UnreadableFile, match="binary"):
        decode(bytes(range(256)) * 4)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_cut_falls_after_a_whole_line_end(encoding: str) -> None:
    data = ("a,b\n" + "1,\u0a0a\n" * 3).encode(encoding)[:-3]  # \u0a0a holds 0x0a bytes
    cut = line_cut(data, None if encoding == "utf-8" else encoding)
    assert data[:cut].decode(encoding).endswith("\n")
    assert data[:cut].decode(encoding).count("\n") == 3
