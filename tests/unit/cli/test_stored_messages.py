"""A job's message read back from JSON (``message_key``/``message_params``, as
:meth:`Message.to_json` stores it) is written in words by the remote command line: a
marked number reads ``0.81``, never the dict it is stored as, and in the reader's
language (regression: remote progress printed ``{'number': 0.8123, 'digits': 2}``)."""

from __future__ import annotations

import pytest

from entrepot.cli.language import stored_in_words
from entrepot.cli.remote.fraud import _progress
from entrepot.messages import Message, Number

MEASURED = Message("trust.measured", {"auprc": Number(0.8123, 2), "frauds": 31}).to_json()


def _job() -> dict[str, object]:
    return {"message_key": MEASURED["key"], "message_params": MEASURED["params"]}


def test_a_stored_number_reads_as_a_number_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "C")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    said = _progress(_job())
    assert "0.81" in said and "31" in said
    assert "{" not in said and "digits" not in said


def test_a_stored_number_reads_in_french_under_a_french_lang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    said = _progress(_job())
    assert "0,81" in said and "digits" not in said


def test_an_unknown_shape_says_nothing_rather_than_a_dict() -> None:
    assert stored_in_words(None, {"x": 1}) == ""
    assert _progress({"message": "queued"}) == "queued"
