"""One model name rule at every door: the registry's (``registry/names.py``). Before, the
command line accepted names of up to 100 characters, trained for the whole budget, then
failed when the registry refused the name; the API and the dataset page said 64."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.registry.names import NAME_MAX
from tests.support.cli import Cli
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, user_api

#: One character over the registry's limit, and a name the old command line accepted.
TOO_LONG = "m" * (NAME_MAX + 1)
#: Names every door must refuse the same way.
REFUSED = [TOO_LONG, "x" * 70, "prod\n", "../up", "-dash-first"]


@pytest.mark.parametrize("name", REFUSED, ids=["limit+1", "70", "newline", "traversal", "dash"])
def test_the_command_line_refuses_before_training(cli: Cli, tmp_path: Path, name: str) -> None:
    (tmp_path / "data.csv").write_bytes(labelled_csv(300))
    done = cli("fraud", "train", "data.csv", "--name", name, "--time-budget", "30")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not a safe name" in done.stderr and "64 characters" in done.stderr
    assert "model search" not in done.stdout  # refused before any training
    assert "Traceback" not in done.stdout + done.stderr


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[Api, App]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "names@example.com"), services


@pytest.mark.parametrize("name", REFUSED, ids=["limit+1", "70", "newline", "traversal", "dash"])
def test_the_api_refuses_the_same_names(api: tuple[Api, App], name: str) -> None:
    client, services = api
    dataset = client.upload(labelled_csv(300)).json()["dataset_id"]
    answer = client.post("/api/train", json={"dataset_id": dataset, "model_name": name})
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_name"), answer.text
    assert "64 characters" in answer.json()["message"]
    with parts(services).uow() as uow:
        assert uow.jobs.count_by_state() == {}


def test_the_longest_name_is_accepted_by_the_api(api: tuple[Api, App]) -> None:
    client, _ = api
    dataset = client.upload(labelled_csv(300)).json()["dataset_id"]
    answer = client.post("/api/train", json={"dataset_id": dataset, "model_name": "m" * NAME_MAX})
    assert answer.status_code == 202, answer.text


def test_the_dataset_page_takes_its_limits_from_the_rule() -> None:
    from entrepot.web.render import environment

    rule = environment().globals["name_rule"]
    assert rule == {"max": NAME_MAX, "pattern": "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"}
