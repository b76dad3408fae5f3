"""A refused city import says its problem and its fix in the reader's language: each refusal
carries a message (``said``: a key and typed values) that a French page, API answer or job
failure writes in French, while the English text the command line prints is unchanged."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.city import layout
from entrepot.city.imports.files import import_paths
from entrepot.city.imports.importer import import_file
from entrepot.city_service.service import CityService
from entrepot.http.job_view import job_out
from entrepot.i18n import Formats, translator
from entrepot.i18n.messages import speaker
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import JobRunner, Progress
from entrepot.jobs.service import JobService
from entrepot.storage.memory import MemoryStore
from entrepot.web.phrases import Phrases
from tests.support.catalog import sqlite_engine, uow_factory
from tests.support.real_paris import AS_OF, CHAMPS, CONVENTION, real

NBSP = "\u00a0"


def _lines(name: str, keep: Callable[[str], bool]) -> bytes:
    lines = real(name).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for n, line in enumerate(lines) if n == 0 or keep(line)).encode()


def _month_first() -> bytes:
    data = _lines(CONVENTION, lambda line: "2022-06-15T" in line)
    return data.replace(b"2022-06-15T", b"06/15/2022 ").replace(b":00:00+02:00", b":00")


def _ambiguous() -> bytes:
    data = _lines(CHAMPS, lambda line: ",2023-12-01 " in line)
    return data.replace(b",2023-12-01 ", b",01/12/2023 ")


def _workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def _escaping_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../etc/counts.csv", real(CONVENTION).read_bytes()[:2000])
    return out.getvalue()


def _nested() -> bytes:
    inner = gzip.compress(gzip.compress(b"a;b\n1;2\n", mtime=0), mtime=0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inner.csv.gz.gz", inner)
    return out.getvalue()


#: refusal: (file name, its bytes, the key said, what the French text must hold (the
#: problem, then the fix), what the English text the command line prints holds).
REFUSALS: dict[str, tuple[str, Callable[[], bytes], str, tuple[str, ...], str]] = {
    "empty": ("comptages.csv", lambda: b"\n \n", "city.refused.empty",
              ("est vide", f"{NBSP}: téléchargez l’export à nouveau"), "is empty"),
    "month-first": ("comptages.csv", _month_first, "city.refused.times_month_first",
                    ("avec le mois en premier", "importez l’export tel qu’il a été téléchargé"),
                    "are month first"),
    "ambiguous": ("champs.csv", _ambiguous, "city.refused.times_ambiguous",
                  ("peuvent avoir le jour ou le mois en premier",
                   "enregistrez ses heures sous la forme 2023-12-31 23:00:00"),
                  "may be day first or month first"),
    "no-header": ("comptages.csv", lambda: real(CONVENTION).read_bytes().split(b"\n", 1)[1],
                  "city.refused.no_header", ("n’a pas de ligne d’en-tête", "remettez cette ligne"),
                  "has no header line"),
    "header-only": ("comptages.csv", lambda: real(CONVENTION).read_bytes().split(b"\n", 1)[0]
                    + b"\n", "city.refused.header_only",
                    ("aucune ligne de comptage", "vérifiez qu’il s’agit bien de l’export"),
                    "its header alone"),
    "utf-16-cut": ("comptages.csv", lambda: _lines(CONVENTION, lambda line: "2022-06-15T" in line)
                   .decode().encode("utf-16-le")[:-1], "city.refused.wide_broken",
                   ("semble être du texte UTF-16 LE", "enregistrez-le au format CSV UTF-8"),
                   "looks like UTF-16 LE text"),
    "json-cut": ("station_status.json", lambda: real("station_status.json").read_bytes()[:500],
                 "city.refused.json_invalid",
                 ("n’est pas un JSON valide", "téléchargez-le de nouveau"), "is not valid JSON"),
    "unknown": ("notes.csv", lambda: b"nom;prix\npomme;1,5\npoire;2\n", "city.refused.unknown_csv",
                ("n’est pas un export que l’import connaît", "vérifiez qu’il s’agit de l’un des"),
                "is not an export this importer knows"),
    "workbook": ("comptages.xlsx", _workbook, "city.refused.workbook",
                 ("classeur de tableur", "enregistrez chaque feuille au format CSV UTF-8"),
                 "spreadsheet workbook"),
    "zip-escape": ("export.zip", _escaping_zip, "city.refused.archive_path",
                   ("un chemin qui sort de l’archive", "téléchargez l’archive de nouveau"),
                   "a path outside the archive"),
    "gzip-cut": ("comptages.csv.gz", lambda: gzip.compress(real(CONVENTION).read_bytes())[:3000],
                 "city.refused.archive_unreadable",
                 ("ne peut pas être lue", "téléchargez-la de nouveau"),
                 "is not a readable gzip archive"),
    "nested": ("export.zip", _nested, "city.refused.nested_archive",
               ("une archive dans une archive dans une archive", "décompressez-la vous-même"),
               "an archive inside an archive"),
}  # fmt: skip


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_each_refusal_says_its_problem_and_fix_in_french(refusal: str, tmp_path: Path) -> None:
    name, made, key, french, english = REFUSALS[refusal]
    path = tmp_path / name
    path.write_bytes(made())
    summary = import_paths(MemoryStore(), [path], as_of=AS_OF)
    [failed] = summary.failed
    assert failed.said is not None and failed.said.key == key, failed
    assert english in failed.error  # the command line's English, as before
    shown = speaker("fr")(failed.said)
    assert shown != key and name in shown, shown
    problem, fix = french
    assert problem in shown and fix in shown and shown.index(problem) < shown.index(fix), shown
    assert name in speaker("en")(failed.said)
    assert failed.as_dict()["said"] == failed.said.to_json()


def _import_job(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
    result = import_file(MemoryStore(), Path(job.params["path"]), as_of=AS_OF)
    return {"rows": result.rows}


def test_a_job_failing_on_a_bad_file_shows_the_french_refusal(tmp_path: Path) -> None:
    path = tmp_path / "comptages.csv"
    path.write_bytes(_month_first())
    uow: UnitOfWorkFactory = uow_factory(tmp_path)[1]
    queue = JobQueue.from_url("memory://", folder=Path("."), name="test")
    runner = JobRunner(uow, {"city-import": _import_job}, worker="w1", heartbeat_seconds=0.05)
    queue.bind(runner.run)
    job = JobService(uow, queue).submit(
        owner_id=None, kind="city-import", params={"path": str(path)}
    )
    assert queue.work_one()
    with uow() as u:
        failed = u.jobs.get(job.id, any_owner=True)
    assert failed.state is JobState.FAILED and failed.error_code == "raw_format_error"
    answer = job_out(failed)  # the API's view: the key and its values beside the English
    assert answer.error_key == "city.refused.times_month_first"
    assert answer.error_params == {"file": "comptages.csv"}
    french = Phrases(translator("fr"), Formats("fr"))
    shown = french.job_error(failed.error_data, failed.error_code, failed.error)
    assert shown.startswith("Les heures du fichier comptages.csv ont été réécrites")
    assert "importez l’export tel qu’il a été téléchargé" in shown
    english = Phrases(translator("en"), Formats("en"))
    assert "month first" in english.job_error(failed.error_data, failed.error_code, failed.error)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def test_a_run_failing_on_a_stored_bad_file_keeps_the_french_refusal(catalog: Engine) -> None:
    # a counts version put in the lake without the import, its flow column renamed: the
    # day fails, and its outcome says why in words a French page writes
    data = real(CONVENTION).read_bytes().replace(b"D\xc3\xa9bit horaire", b"Debit", 1)
    store = MemoryStore()
    key = layout.version_key(layout.COUNTS_CSV, AS_OF, hashlib.sha256(data).hexdigest(), "csv")
    store.put(key, data, content_type="text/csv")
    env = CityService(store, engine=catalog)
    summary = env.runner().run([date(2022, 6, 15)], ["traffic"])
    [outcome] = [o for o in summary.outcomes if o.source == "traffic"]
    assert outcome.status == "failed" and "lacks the column(s)" in (outcome.error or "")
    assert outcome.said is not None and outcome.as_dict()["said"] == outcome.said
    assert outcome.said == {
        "key": "city.refused.stored_columns",
        "params": {"file": key, "missing": "Débit horaire"},
    }
    shown = speaker("fr").stored(outcome.said)
    assert shown.startswith(f"Il manque au fichier {key} la ou les colonnes Débit horaire")
    assert "importez-le avec `entrepot city import FICHIER`" in shown
