"""The installed ``entrepot`` writes its refusals in its reader's language (issue 39 item
3): under ``LANG=fr_FR.UTF-8`` a refusal with a message of its own says its facts in
French (a store refusal with its key and store); ``LANG=C`` and an unset ``LANG`` write
English. The exit code never changes with the language."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ENTRY_POINT


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "LC_"))}
    env.update(
        ENTREPOT_STORE_URL=str(tmp_path / "store"),
        ENTREPOT_DATABASE_URL=f"sqlite:///{tmp_path / 'catalog.db'}",
        COLUMNS="200",
    )
    done = subprocess.run([*ENTRY_POINT, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return env


def _run(env: dict[str, str], lang: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    env.pop("LANG", None)
    if lang is not None:
        env["LANG"] = lang
    return subprocess.run([*ENTRY_POINT, *args], env=env, capture_output=True, text=True)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    return " ".join(done.stderr.split())


def test_a_refusal_with_its_message_is_french_under_a_french_lang(
    instance: dict[str, str],
) -> None:
    french = _run(instance, "fr_FR.UTF-8", "users", "token", "nobody@example.com")
    english = _run(instance, "C.UTF-8", "users", "token", "nobody@example.com")
    unset = _run(instance, None, "users", "token", "nobody@example.com")
    assert french.returncode == english.returncode == unset.returncode != 0
    assert "Il n’existe aucun compte pour nobody@example.com" in _said(french), french.stderr
    assert "erreur" in _said(french) and "Traceback" not in french.stderr
    assert "no account for nobody@example.com" in _said(english)
    assert _said(unset) == _said(english)


def test_a_store_refusal_in_french_names_its_key_and_the_fix(
    instance: dict[str, str], tmp_path: Path
) -> None:
    """Issue 44 item 3: ``LANG=fr_FR.UTF-8 entrepot get nokey x.csv`` wrote English."""
    french = _run(instance, "fr_FR.UTF-8", "get", "files/absent.bin", str(tmp_path / "out"))
    english = _run(instance, "C.UTF-8", "get", "files/absent.bin", str(tmp_path / "out"))
    assert french.returncode == english.returncode != 0
    said = _said(french)
    assert "aucun objet de ce nom (vérifiez la clé avec `entrepot ls`)" in said, french.stderr
    assert "clé 'files/absent.bin'" in said and "Traceback" not in french.stderr
    assert "no such object" not in said and "what to do" not in said
    assert "no such object" in _said(english) and "files/absent.bin" in _said(english)
