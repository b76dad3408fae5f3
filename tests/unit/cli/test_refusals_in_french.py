"""The command line's own refusals carry their message (issue 39 item 3): under
``LANG=fr_FR.UTF-8`` they say their facts in French, fix included; in English their
message reads exactly as the refusal's text did (``str(error)``, hint included)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entrepot.cli.format import parse_duration
from entrepot.cli.move_checks import chosen_action
from entrepot.cli.push_inputs import json_file, pairs
from entrepot.cli.remote.target import choose, service_url
from entrepot.errors import EntrepotError
from entrepot.i18n.messages import speaker
from tests.support.cli import in_process_cli

_NO_STEP = (False, False, False, False, False, False)
_FLAGS: dict[str, Any] = {
    "to": None,
    "verify": False,
    "prices": None,
    "prefix": "",
    "as_json": False,
    "delete_copies": False,
    "keep_source": False,
    "force": False,
}

REFUSALS: dict[str, tuple[Callable[[], object], str]] = {
    "duration": (lambda: parse_duration("soon"), "ce n’est pas une durée\u00a0: 'soon'"),
    "two steps": (
        lambda: chosen_action((True, True, False, False, False, False), **_FLAGS),
        "choisissez une seule de ces options\u00a0: --estimate, --dry-run",
    ),
    "no destination": (
        lambda: chosen_action((False, True, False, False, False, False), **_FLAGS),
        "nommez la destination avec --to URL (par exemple --to s3://bucket/prefix)",
    ),
    "service url": (
        lambda: service_url("ftp://entrepot.example.org"),
        "'ftp://entrepot.example.org' n’est pas l’URL d’un service",
    ),
    "token alone": (
        lambda: choose(None, "secret", None, "login.json"),
        "ENTREPOT_TOKEN est défini mais pas ENTREPOT_URL",
    ),
    "tag pair": (lambda: pairs(["team"], "tag"), "--tag 'team' n’est pas de la forme CLÉ=VALEUR"),
    "schema file": (
        lambda: json_file(Path("absent-schema.json"), "the input schema"),
        "aucun fichier de schéma d’entrée à absent-schema.json (vérifiez le chemin)",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_refusal_says_its_facts_in_french_and_reads_as_before_in_english(name: str) -> None:
    refuse, french = REFUSALS[name]
    with pytest.raises(EntrepotError) as caught:
        refuse()
    said = caught.value.said
    assert said is not None, name
    assert speaker("en")(said) == str(caught.value)
    assert french in speaker("fr")(said)


@pytest.fixture
def run_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., tuple[int, str]]:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def run(lang: str, *args: str) -> tuple[int, str]:
        code, _, err = in_process_cli(monkeypatch, capsys, {"LANG": lang})(*args)
        return code, " ".join(err.split())

    return run


def test_the_command_line_writes_its_own_refusal_in_the_readers_language(
    run_in: Callable[..., tuple[int, str]],
) -> None:
    french_code, french = run_in("fr_FR.UTF-8", "move", "--estimate", "--json")
    english_code, english = run_in("C.UTF-8", "move", "--estimate", "--json")
    assert french_code == english_code != 0
    assert "--json va avec --status (entrepot move --status --json)" in french
    assert "goes with" not in french
    assert english == "error: --json goes with --status what to do: entrepot move --status --json"
