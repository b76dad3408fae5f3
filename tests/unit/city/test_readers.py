"""Decoding raw objects, and the errors that name the file."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from entrepot.city.errors import RawFormatError
from entrepot.city.readers import read_csv, read_json, read_jsonl, read_object, sniff_header

KEY = "raw/batch/x.csv"
WANTED = [{"arc": "Identifiant arc", "label": "Libelle"}, {"arc": "iu_ac", "label": "libelle"}]


def test_header_with_bom_and_a_stray_quote_is_read() -> None:
    header = sniff_header('\ufeff"Identifiant arc;Libelle;q\n1;a;2\n'.encode(), KEY)
    assert header.sep == ";"
    assert header.columns == ("Identifiant arc", "Libelle", "q")


def test_wrong_separator_is_named() -> None:
    with pytest.raises(RawFormatError, match=r"looks '\\t'-separated") as info:
        sniff_header(b"Identifiant arc\tLibelle\n1\ta\n", KEY)
    assert KEY in str(info.value)


def test_wrong_encoding_is_named() -> None:
    with pytest.raises(RawFormatError, match="not UTF-8") as info:
        read_csv("Identifiant arc;Libellé\n1;a\n".encode("latin-1"), KEY, WANTED)
    assert info.value.key == KEY
    assert "re-export" in str(info.value)


def test_missing_columns_are_listed() -> None:
    with pytest.raises(RawFormatError, match=r"lacks the column\(s\) \['Libelle'\]"):
        read_csv(b"Identifiant arc;Other\n1;a\n", KEY, WANTED)


def test_read_csv_selects_columns_by_name_in_either_variant() -> None:
    labels = read_csv(b"\xef\xbb\xbfLibelle;x;Identifiant arc\nAv_A;9;12\n", KEY, WANTED)
    raw = read_csv(b"iu_ac;libelle\n12;Av_A\n", KEY, WANTED)
    expected = pd.DataFrame({"arc": ["12"], "label": ["Av_A"]})
    pd.testing.assert_frame_equal(labels, expected)
    pd.testing.assert_frame_equal(raw, expected)


def test_quoted_fields_keep_separators_and_newlines() -> None:
    data = b'Identifiant arc;Libelle\n1;"a;b\nc ""d"""\n'
    assert read_csv(data, KEY, WANTED)["label"].tolist() == ['a;b\nc "d"']


def test_truncated_json_is_named() -> None:
    data = json.dumps({"data": {"stations": [{"a": 1}] * 5}}).encode()
    with pytest.raises(RawFormatError, match="truncated JSON") as info:
        read_json(data[:-7], "raw/api/bikes/dt=2025-11-04/hour=03/bikes_data.json")
    assert "hour=03/bikes_data.json" in str(info.value)


def test_jsonl_names_the_bad_line() -> None:
    assert read_jsonl(b'{"a": 1}\n\n{"a": 2}\n', "k.jsonl") == [{"a": 1}, {"a": 2}]
    with pytest.raises(RawFormatError, match="line 2"):
        read_jsonl(b'{"a": 1}\n{"a": \n', "k.jsonl")


def test_read_object_dispatches_on_extension() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    assert read_object("x/y.parquet", buffer.getvalue())["a"].tolist() == [1, 2]
    assert read_object("x/y.csv", b"a;b\n1;2\n").to_dict("records") == [{"a": "1", "b": "2"}]
    assert read_object("x/y.json", b"[1]") == [1]
    with pytest.raises(RawFormatError, match="unsupported"):
        read_object("x/y.xml", b"<a/>")
    with pytest.raises(RawFormatError, match="Parquet"):
        read_object("x/y.parquet", b"not parquet")
