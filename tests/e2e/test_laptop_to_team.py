"""Everything a laptop instance owns moves to a team's servers, as the README says, with
the installed ``entrepot``: accounts, a token, trained models, predictions and their
feedback, the city's metrics, reports and raw partitions. ``db copy`` to PostgreSQL and
``move`` to S3 run from the laptop; a fresh folder with only the two URLs and a secret of
its own re-wraps the key ring and serves: the same people sign in, every model scores
the same bytes, the city's days are unchanged and a new run adds one, ``verify`` is clean,
and the laptop folder is byte for byte what it was."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import ENTRY_POINT
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.databases import temporary_database
from tests.support.moving import Client, Timings, signs_in, tree_digest
from tests.support.network import unique_bucket
from tests.support.processes import Server
from tests.support.real_paris import real
from tests.support.waiting import HANG_GUARD
from tests.support.web import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
USERS = ("alice@example.com", "bob@example.com")
OLD_DAYS = ("2024-03-25", "2024-03-26")
#: A real export (Open-Meteo, Paris): the day a run on the servers adds.
REAL_FILE = "open-meteo-paris-2024-08-17.json"
NEW_DAY = "2024-08-17"


class Entrepot:
    """``entrepot ...`` in one folder with one environment."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env

    def __call__(self, *args: str, stdin: str | None = None, **env: str) -> str:
        done = subprocess.run(
            [*ENTRY_POINT, *args],
            cwd=self.folder,
            env={**self.env, **env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        said = done.stdout + done.stderr
        assert done.returncode == 0, f"entrepot {' '.join(args)} exited {done.returncode}:\n{said}"
        assert "Traceback" not in said, said
        return done.stdout


def _base_env(system_tmp: Path, s3_endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    return {
        **env,
        "TMPDIR": str(system_tmp),
        "COLUMNS": "200",
        # A one-reference library, built by the laptop's server at its start: the
        # unlabelled ensemble and a saved ensemble must score the same after the move.
        "ENTREPOT_REFERENCE_COUNT": "1",
        "ENTREPOT_REFERENCE_ROWS": "3000",
        "ENTREPOT_REFERENCE_MIN_FRAUDS": "80",
        "ENTREPOT_REFERENCE_BUDGET": "1",
        "ENTREPOT_TRAINING_BUDGET": "2",
        "ENTREPOT_TRAINING_CLOCK": "steps",
        "ENTREPOT_S3_ENDPOINT_URL": s3_endpoint,
    }


def _store_files(store: Path) -> dict[str, str]:
    """Key -> sha256 of every object of a local store (its own bookkeeping left out)."""
    return {k: v for k, v in tree_digest(store).items() if v != "<dir>" and not k.startswith(".")}


def _bucket_files(s3_client: Any, bucket: str, prefix: str) -> dict[str, str]:
    found = {}
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            body = s3_client.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            found[entry["Key"][len(prefix) :]] = hashlib.sha256(body).hexdigest()
    return found


def _city(entrepot: Entrepot, url: str) -> tuple[set[tuple[str, str]], dict[str, Any]]:
    """The (source, day) pairs the city has computed, and each old day's report as the
    service serves it (as values: PostgreSQL keeps a JSON document's keys in its order)."""
    status = json.loads(entrepot("city", "status", "--json"))
    done = {(row["source"], row["date"]) for row in status if row["state"] in ("ok", "no-data")}
    reports = {day: httpx.get(f"{url}/city/report/{day}", timeout=HANG_GUARD) for day in OLD_DAYS}
    assert all(r.status_code == 200 and r.json()["date"] == d for d, r in reports.items())
    return done, {day: answer.json() for day, answer in reports.items()}


def test_a_laptop_moves_to_postgresql_and_s3_and_serves_the_same(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    s3_endpoint: str,
    s3_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    timings, moved = Timings(), ""
    base = _base_env(tmp_path_factory.mktemp("system-tmp"), s3_endpoint)
    try:
        moved = _laptop_to_team(timings, base, tmp_path, s3_client)
    finally:
        with capsys.disabled():
            print(f"\n{moved}\n{timings.table()}")


def _laptop_to_team(timings: Timings, base: dict[str, str], tmp_path: Path, s3_client: Any) -> str:
    """The whole move (see the module docstring); what moved."""
    laptop_folder, team_folder = tmp_path / "laptop", tmp_path / "team"
    laptop_folder.mkdir()
    team_folder.mkdir()
    laptop = Entrepot(laptop_folder, base)

    # -- the laptop: embedded defaults (./var: a folder store, SQLite, its own secret) ---
    with timings.step("laptop: catalog, two accounts, a token"):
        laptop("db", "upgrade")
        for email in USERS:
            laptop("users", "create", email, "--password-stdin", stdin=PASSWORD)
        tokens = {email: laptop("users", "token", email).strip() for email in USERS}
    with timings.step("laptop: city days (generator) and their run"):
        laptop(
            "city", "generate", "--start", OLD_DAYS[0], "--days", "2", "--arcs", "20",
            "--stations", "30", "--counters", "4", "--roadworks", "10",
        )  # fmt: skip
        laptop("city", "run", "--since", OLD_DAYS[0], "--until", OLD_DAYS[1])
    scored: dict[
        str, tuple[int, str, str, bytes, bytes]
    ] = {}  # email -> model, dataset, pred, scores, rescored
    with timings.step("laptop: entrepot serve starts"):
        server = Server(base, laptop_folder)
    try:
        city_before = _city(laptop, server.url)
        with timings.step("laptop: each user trains a model, scores a file, gives feedback"):
            for seed, email in enumerate(USERS):
                user = Client(server.url, tokens[email])
                user.train(user.upload("train.csv", labelled_csv(800, seed=seed)), "fraud")
                model_id = int(user.get("/api/models").json()[0]["id"])
                dataset = user.upload("new.csv", unlabelled_csv(200, seed=10 + seed))
                prediction = user.predict(model_id, dataset)
                labels = [{"row": 1, "label": 1}, {"row": 2, "label": 0}]
                user.post(f"/api/predictions/{prediction}/feedback", json={"labels": labels})
                # A new scoring reads the analysts' decisions as late labels (ADR 0046): the
                # team's must give what the laptop's gives with the same decisions.
                rescored = user.scores(user.predict(model_id, dataset))
                scored[email] = (model_id, dataset, prediction, user.scores(prediction), rescored)
            # alice scores her unlabelled file with the reference ensemble and keeps it.
            alice = Client(server.url, tokens[USERS[0]])
            dataset = scored[USERS[0]][1]
            ensemble = alice.scores(alice.apply(dataset, "ensemble"))
            saved = next(m for m in alice.get("/api/models").json() if m["name"] == "ensemble")
            with_saved = alice.scores(alice.predict(int(saved["id"]), dataset))
    finally:
        server.stop()
    laptop_files = _store_files(laptop_folder / "var" / "store")
    before = tree_digest(laptop_folder)

    # -- the move, from the laptop (README: "Moving to production") ----------------------
    bucket = unique_bucket()
    s3_client.create_bucket(Bucket=bucket)
    s3 = f"s3://{bucket}/team"
    with temporary_database() as pg:
        on_pg = {"ENTREPOT_DATABASE_URL": pg}
        with timings.step("db copy (SQLite -> PostgreSQL)"):
            copied = laptop("db", "copy", "--to", pg)
        said = re.search(r"copied (\d+) rows", " ".join(copied.split()))
        assert said is not None, copied
        rows = int(said.group(1))
        with timings.step("move --estimate"):
            estimate = " ".join(laptop("move", "--estimate", **on_pg).split())
        raw_api = [k for k in laptop_files if k.startswith("raw/api/")]
        raw_bytes = sum((laptop_folder / "var" / "store" / k).stat().st_size for k in laptop_files)
        assert f"raw/api/ {len(raw_api)} " in estimate, estimate
        with timings.step("move --to S3"):
            laptop("move", "--to", s3, "--jobs", "8", **on_pg)
        with timings.step("move --verify"):
            laptop("move", "--verify", **on_pg)
        with timings.step("move --finalize --keep-source"):
            laptop("move", "--finalize", "--keep-source", **on_pg)
        assert _bucket_files(s3_client, bucket, "team/") == laptop_files
        assert tree_digest(laptop_folder) == before, "the laptop folder was changed"

        # -- the team's servers: a fresh folder, the two URLs and a secret of its own ----
        team = Entrepot(
            team_folder,
            {
                **base,
                "ENTREPOT_DATABASE_URL": pg,
                "ENTREPOT_STORE_URL": s3,
                "ENTREPOT_SECRET_KEY": "the-team-servers-own-secret-0123456789-abcdef",
            },
        )
        shutil.copy(laptop_folder / "var" / "secret_key", team_folder / "old-secret")
        with timings.step("team: secrets rewrap, verify"):
            team("secrets", "rewrap", "--old-secret-file", "old-secret")
            (team_folder / "old-secret").unlink()
            assert "all verified" in team("verify")
        with timings.step("team: entrepot serve starts"):
            server = Server(team.env, team_folder)
        try:
            with timings.step("team: sign in, score again, read the feedback"):
                for email in USERS:
                    assert signs_in(server.url, email, PASSWORD), email
                    assert not signs_in(server.url, email, PASSWORD + "!"), email
                    user = Client(server.url, tokens[email])
                    assert user.get("/api/me").json()["user"]["email"] == email
                    model_id, dataset, prediction, scores, rescored = scored[email]
                    assert user.scores(prediction) == scores, "a stored prediction changed"
                    again = user.predict(model_id, dataset)
                    assert user.scores(again) == rescored, f"{email}'s model scores differently"
                    feedback = user.get(f"/api/predictions/{prediction}/feedback").json()
                    assert {(x["row"], x["label"]) for x in feedback["labels"]} == {(1, 1), (2, 0)}
                alice = Client(server.url, tokens[USERS[0]])
                dataset = scored[USERS[0]][1]
                assert alice.scores(alice.apply(dataset)) == ensemble, "the ensemble differs"
                kept = alice.scores(alice.predict(int(saved["id"]), dataset))
                assert kept == with_saved, "the saved ensemble scores differently"
            with timings.step("team: the city unchanged, then a run adds a day"):
                done, reports = _city(team, server.url)
                assert (done, reports) == city_before
                team("city", "import", str(real(REAL_FILE)))
                team("city", "run", "--since", NEW_DAY, "--until", NEW_DAY)
                after, reports_after = _city(team, server.url)
                assert after > done and ("weather", NEW_DAY) in after
                assert reports_after == reports
        finally:
            server.stop()
        with timings.step("team: verify"):
            assert "all verified" in team("verify")
    assert tree_digest(laptop_folder) == before, "the laptop folder was changed"
    return (
        f"moved {len(laptop_files)} objects ({raw_bytes} bytes; {len(raw_api)} raw/api "
        f"partitions) and {rows} catalog rows"
    )
