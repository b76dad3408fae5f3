"""The command line's own lines follow the reader's language (issue 44, item 3): under
``LANG=fr_FR.UTF-8`` the installed ``entrepot`` prints ``put``, ``ls``, ``head``,
``verify``, ``doctor``, ``models ls`` and a training's card in French, from the catalogs
the pages use; under ``LANG=C.UTF-8`` the same commands print English. ``--json`` keeps its
English keys."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from entrepot.fraud.synth.generator import generate
from tests.support.cli import ENTRY_POINT
from tests.support.real_paris import CHAMPS, CHANTIERS, real


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "LC_"))}
    env.update(
        ENTREPOT_STORE_URL=str(tmp_path / "store"),
        ENTREPOT_DATABASE_URL=f"sqlite:///{tmp_path / 'catalog.db'}",
        COLUMNS="200",
        TMPDIR=str(tmp_path / "tmp"),  # its own temporary folder: gc counts what it holds
    )
    (tmp_path / "tmp").mkdir()
    done = subprocess.run([*ENTRY_POINT, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return env


def _run(env: dict[str, str], lang: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*ENTRY_POINT, *args],
        env={**env, "LANG": lang},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def _both(env: dict[str, str], cwd: Path, *args: str) -> tuple[str, str]:
    """What ``entrepot ARGS`` prints in French, then in English."""
    return (
        _run(env, "fr_FR.UTF-8", cwd, *args).stdout,
        _run(env, "C.UTF-8", cwd, *args).stdout,
    )


def test_object_commands_print_french(instance: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("bonjour\n" * 100)
    put = _run(instance, "fr_FR.UTF-8", tmp_path, "put", "notes.txt", "docs/notes.txt")
    assert "docs/notes.txt enregistré (" in put.stdout and "stored" not in put.stdout
    french, english = _both(instance, tmp_path, "ls", "docs/")
    assert "clé" in french and "taille" in french and "modifié (UTC)" in french
    assert "0 dossier, 1 objet" in french and "objects" not in french
    assert "key" in english and "0 folders, 1 object" in english
    french, english = _both(instance, tmp_path, "head", "docs/notes.txt")
    assert "type de contenu" in french and "800 octets" in french and "catalogue" in french
    assert "content type" not in french and "bytes" not in french
    assert "content type" in english and "800 bytes" in english
    french, english = _both(instance, tmp_path, "verify")
    assert "1 objet vérifié" in french and "tous intacts" in french
    assert "checked" not in french and "checked 1 object: all verified" in english
    as_json = json.loads(_run(instance, "fr_FR.UTF-8", tmp_path, "ls", "docs/", "--json").stdout)
    assert [o["key"] for o in as_json["objects"]] == ["docs/notes.txt"]  # keys stay English


def test_doctor_and_models_ls_print_french(instance: dict[str, str], tmp_path: Path) -> None:
    french, english = _both(instance, tmp_path, "doctor")
    assert "vérification" in french and "statut" in french and "détail" in french
    assert "check" not in french.split("\n")[0] and "check" in english.split("\n")[0]
    french, english = _both(instance, tmp_path, "models", "ls")
    assert "modèle" in french and "0 modèle" in french and "models" not in french
    assert "0 models" in english


def test_a_trainings_card_prints_french(instance: dict[str, str], tmp_path: Path) -> None:
    data = generate("card_payments", 1500, fraud_rate=0.08, seed=1, variety=False)
    data.frame.to_csv(tmp_path / "history.csv", index=False)
    args = ("fraud", "train", "history.csv", "--name", "cartes", "--time-budget", "2")
    french = _run(instance, "fr_FR.UTF-8", tmp_path, *args, "--out", "fr").stdout
    english = _run(instance, "C.UTF-8", tmp_path, *args, "--out", "en").stdout
    for said in ("recherche du modèle", "AUPRC de validation", "mesure", "au seuil"):
        assert said in french, french
    assert "précision@100 des cartes par jour" in french and "enregistré dans" in french
    for said in ("model search", "at threshold", "alerts a day", "saved to"):
        assert said not in french and said in english
    # the figures as French writes them: a decimal comma
    headline = next(line for line in french.splitlines() if line.startswith("AUPRC"))
    assert "," in headline.split()[1] and "sur le test hors période" in headline


def test_upkeep_commands_print_french(instance: dict[str, str], tmp_path: Path) -> None:
    """``gc --dry-run``, ``cache info``, ``config show``, ``move --status``: the lines the
    modules left last (issue 44 item 3) in French, sizes in the pages' units (octets)."""
    french, english = _both(instance, tmp_path, "gc", "--dry-run")
    assert "supprimerait 0 objet orphelin, 0\u00a0o" in french
    assert "supprimerait 0 fichier temporaire abandonné" in french
    assert "would delete" not in french and "orphan" not in french
    assert "would delete 0 orphan objects, 0 B" in english
    french, english = _both(instance, tmp_path, "cache", "info")
    assert "entrées" in french and "limite" in french and "Gio" in french
    assert "entries" not in french and "GiB" not in french
    assert "entries" in english and "GiB" in english
    french, english = _both(instance, tmp_path, "config", "show")
    assert "réglage" in french and "environnement" in french and "par défaut" in french
    assert "setting" not in french and " default " not in french
    assert "setting" in english and "environment" in english
    french, english = _both(instance, tmp_path, "move", "--status")
    assert "aucune migration d’entrepôt pour l’instant" in french
    assert "no store migration yet" in english and "no store" not in french
    as_json = json.loads(_run(instance, "fr_FR.UTF-8", tmp_path, "config", "show", "--json").stdout)
    sources = {row["env_var"]: row["source"] for row in as_json}
    assert sources["ENTREPOT_STORE_URL"] == "environment"  # --json stays English


def test_fraud_analyze_and_city_status_print_french(
    instance: dict[str, str], tmp_path: Path
) -> None:
    data = generate("card_payments", 400, fraud_rate=0.05, seed=3, variety=False)
    data.frame.to_csv(tmp_path / "tx.csv", index=False)
    french, english = _both(instance, tmp_path, "fraud", "analyze", "tx.csv")
    for said in ("colonne", "rôle", "étiquette candidate", "400 lignes, étiquette", "fraudes"):
        assert said in french, french
    for said in ("label candidate", "400 rows", " frauds", "reasons"):
        assert said not in french and said in english
    french, english = _both(instance, tmp_path, "city", "status")
    assert "origine" in french and "état" in french and "mis à jour" in french
    assert "source" in english and "updated" not in french


def test_fraud_analyze_says_why_and_its_shares_in_french(
    instance: dict[str, str], tmp_path: Path
) -> None:
    """The engine's reasons (a column's role, a label candidate's), its notes, the column
    types in words and the shares as French writes them (``0,80 %``), from the messages the
    engine keeps; English says the same in English (issue 44 item 3)."""
    data = generate("card_payments", 2000, fraud_rate=0.008, seed=4)  # with its variety
    data.frame.to_csv(tmp_path / "tx.csv", index=False)
    french, english = _both(instance, tmp_path, "fraud", "analyze", "tx.csv")
    for said in (
        "identifiant de client répété",
        "son nom dit étiquette ou fraude",
        "nombre entier",
    ):
        assert said in french, french
    for said in ("repeated customer id", "its name says label/fraud", "last column", "int64"):
        assert said not in french
    assert "repeated customer id" in english and "whole number" in english
    assert "\u202f%" in french and "%)" in english  # 0,80 % against 0.80%
    (share,) = re.findall(r"frauds \((\d+\.\d+)%\)", english)  # the summary line's share
    assert f"fraudes ({share.replace('.', ',')}\u202f%)" in french  # the same, as French has it


def test_city_import_and_run_say_their_notes_and_refusals_in_french(
    instance: dict[str, str], tmp_path: Path
) -> None:
    """``city import``'s warnings and each refused file's reason and fix, and ``city run``'s
    statuses and why a day has no data, in French from the messages the importer and the
    run keep; English keeps the importer's own words."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for name in (CHAMPS, CHANTIERS):  # the roadworks export says not when it was taken
        (downloads / name).write_bytes(real(name).read_bytes())
    env = {**instance, "LANG": "fr_FR.UTF-8", "COLUMNS": "400"}
    done = subprocess.run(
        [*ENTRY_POINT, "city", "import", "downloads"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "744 lignes en double pour le même tronçon" in done.stdout
    assert "duplicate row" not in done.stdout
    (refused,) = [line for line in done.stdout.splitlines() if CHANTIERS in line]
    assert refused.startswith("non importé\u00a0:") and refused.count(CHANTIERS) == 1
    assert "ne dit pas quand il a été pris" in refused and "Indiquez --as-of" in refused
    assert "does not say" not in done.stdout + done.stderr
    assert "1 fichier(s) sur 2 non importé(s)" in done.stderr
    run = _run(
        instance, "fr_FR.UTF-8", tmp_path, "city", "run", "--since", "2023-03-01",
        "--until", "2023-03-01", "--type", "traffic", "--type", "weather",
    )  # fmt: skip
    assert "calculé" in run.stdout and "sans données" in run.stdout, run.stdout
    assert "computed" not in run.stdout and "no weather data" not in run.stdout
    english = _run(
        instance, "C.UTF-8", tmp_path, "city", "run", "--since", "2023-03-01",
        "--until", "2023-03-01", "--type", "weather", "--force",
    )  # fmt: skip
    assert "no-data" in english.stdout and "no weather data for 2023-03-01" in english.stdout


def test_fraud_scores_figures_are_written_as_french_writes_them(
    instance: dict[str, str], tmp_path: Path
) -> None:
    """``fraud score``'s summary, trust and estimate lines: decimal commas and ``%`` after a
    narrow no-break space in French, never ``0.481`` or ``62.10%``."""
    data = generate("card_payments", 3000, fraud_rate=0.05, seed=5, variety=False)
    data.frame.iloc[:2000].to_csv(tmp_path / "history.csv", index=False)
    data.frame.iloc[2000:].to_csv(tmp_path / "new.csv", index=False)
    args = ("fraud", "train", "history.csv", "--name", "cartes", "--time-budget", "2")
    _run(instance, "C.UTF-8", tmp_path, *args)
    score = ("fraud", "score", "new.csv", "scored.csv", "--model", "cartes")
    french, english = _both(instance, tmp_path, *score)
    summary = next(line for line in french.splitlines() if "lignes évaluées" in line)
    assert re.search(r"\(\d+,\d\d\u202f%\) au seuil 0,\d{3}", summary), summary
    said = next(line for line in english.splitlines() if "rows scored" in line)
    assert re.search(r"\(\d+\.\d\d%\) at threshold 0\.\d{3}", said), said
    shown = _run(instance, "fr_FR.UTF-8", tmp_path, "models", "show", "cartes").stdout
    assert re.search(r"auprc=0,\d+", shown) and not re.search(r"auprc=0\.\d", shown), shown
    estimated = [line for line in french.splitlines() if line.startswith("précision estimée")]
    assert estimated and "\u202f%" in estimated[0] and not re.search(r"\d\.\d", estimated[0])
