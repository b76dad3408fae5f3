"""The refusals of the registry, the services and the store relocation say their facts in
the reader's language (issue 39, item 3): a few real refusals, raised by the code users
run, written in French and in English from their message (``said``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from entrepot.catalog.relocation.records import MigrationState
from entrepot.errors import AccessDenied, ConfigError
from entrepot.i18n import translator
from entrepot.i18n.messages import speaker
from entrepot.messages import Word
from entrepot.registry.errors import InvalidModelFiles, InvalidName, VerificationFailed
from entrepot.registry.fetch import Part, download
from entrepot.registry.history import MAX_HISTORY_BYTES, summarize_file
from entrepot.registry.names import check_alias, check_name, parse_ref
from entrepot.registry.parts import Context
from entrepot.relocation.errors import STATE_WORDS
from entrepot.relocation.iam import policy_for_url
from entrepot.services.reserved_keys import refuse_reserved
from entrepot.storage.memory import MemoryStore


def test_a_model_reference_without_its_version() -> None:
    with pytest.raises(InvalidName) as caught:
        parse_ref("fraud@")
    said = caught.value.said
    assert said is not None
    assert speaker("fr")(said) == (
        "«\u00a0fraud@\u00a0» ne nomme aucune version après «\u00a0@\u00a0»\u00a0: "
        "écrivez NOM@VERSION."
    )
    assert speaker("en")(said) == "“fraud@” names no version after “@”: write NAME@VERSION."


def test_a_reserved_alias_names_itself_in_french() -> None:
    with pytest.raises(InvalidName) as caught:
        check_alias("latest")
    said = caught.value.said
    assert said is not None
    assert "L’alias «\u00a0latest\u00a0» est réservé" in speaker("fr")(said)


def test_an_unsafe_name_says_what_it_names_in_the_readers_language() -> None:
    with pytest.raises(InvalidName) as caught:
        check_name("../x")
    said = caught.value.said
    assert said is not None
    assert speaker("fr")(said).startswith("«\u00a0../x\u00a0» (nom de modèle) n’est pas un nom sûr")
    assert speaker("en")(said).startswith("The model name “../x” is not a safe name: use up to 64")
    assert caught.value.message == "model name '../x' is not a safe name"


def test_a_history_too_large_says_its_size_in_the_readers_units(tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    with history.open("wb") as out:  # sparse: no 16 MiB written
        os.truncate(out.fileno(), MAX_HISTORY_BYTES + 1)
    with pytest.raises(InvalidModelFiles) as caught:
        summarize_file(history)
    said = caught.value.said
    assert said is not None
    assert "16\u00a0Mio" in speaker("fr")(said) and "MiB" not in speaker("fr")(said)
    assert "16\u00a0MiB" in speaker("en")(said)
    assert str(history) in speaker("fr")(said)


def _download(store: MemoryStore, key: str, sha256: str, dest: Path, what: Part) -> None:
    download(cast(Context, SimpleNamespace(store=store)), key, sha256, None, dest, what)


def test_a_file_or_a_manifest_that_does_not_match_is_named_in_french(tmp_path: Path) -> None:
    store = MemoryStore()
    store.put("models/fraud/v1/model.pkl", b"other bytes")
    recorded = hashlib.sha256(b"the bytes pushed").hexdigest()
    for what, named in (
        (Part("fraud@v1", "model.pkl"), "Le fichier «\u00a0model.pkl\u00a0» de fraud@v1"),
        (Part("fraud@v1"), "Le manifeste de fraud@v1"),
    ):
        with pytest.raises(VerificationFailed) as caught:
            _download(store, "models/fraud/v1/model.pkl", recorded, tmp_path / "m", what)
        said = caught.value.said
        assert said is not None
        shown = speaker("fr")(said)
        assert shown.startswith(f"{named} ne correspond pas au catalogue\u00a0: 11 octets lus")
        assert recorded in shown and "file" not in shown and "manifest " not in shown
        assert caught.value.message.startswith(f"{what} does not match the catalog: read 11")
    assert not (tmp_path / "m").exists()


def test_a_file_missing_from_the_store_in_french(tmp_path: Path) -> None:
    with pytest.raises(VerificationFailed) as caught:
        _download(MemoryStore(), "models/x", "0" * 64, tmp_path / "x", Part("fraud@v1", "x"))
    said = caught.value.said
    assert said is not None
    assert speaker("fr")(said) == "Le fichier «\u00a0x\u00a0» de fraud@v1 manque dans le stockage."
    assert speaker("en")(said) == "File “x” of fraud@v1 is missing from the store."


def test_the_reserved_folder_refusal_in_french() -> None:
    with pytest.raises(AccessDenied) as caught:
        refuse_reserved(["Users/ana/x.csv"], "put", force=False)
    said = caught.value.said
    assert said is not None
    shown = speaker("fr")(said)
    assert shown.startswith("`entrepot put` refuse les clés sous users/")
    assert "«\u00a0Users/ana/x.csv\u00a0»" in shown


def test_an_iam_policy_for_a_store_that_is_not_s3() -> None:
    with pytest.raises(ConfigError) as caught:
        policy_for_url("file:///srv/entrepot")
    said = caught.value.said
    assert said is not None
    assert speaker("fr")(said).startswith(
        "«\u00a0file:///srv/entrepot\u00a0» n’est pas un stockage S3"
    )
    assert "pass --url s3://bucket/prefix" in speaker("en")(said)


@pytest.mark.parametrize("state", list(MigrationState))
def test_every_migration_state_is_a_word_of_both_languages(state: MigrationState) -> None:
    key = STATE_WORDS[state]
    for lang in ("en", "fr"):
        assert speaker(lang).value(Word(key)) not in ("", key)
    assert speaker("fr").value(Word(key)) != speaker("en").value(Word(key))


def test_a_value_named_key_fills_its_field() -> None:
    """``key`` is the translator's own argument: a message's value of that name once made
    rendering fail (``got multiple values for argument 'key'``)."""
    shown = translator("en")("error.note_too_long", most=5, length=9, key="ignored")
    assert "5" in shown and "9" in shown
