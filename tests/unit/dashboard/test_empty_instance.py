"""Issue 27 item 8: on a new instance, without city data, the whole app's ``/dashboard/``
answers 200 with how to load data (the commands), in both languages, Paris time shown;
the period pages too (they answered 404)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.web import make_web_app

README = Path(__file__).parents[3].joinpath("README.md")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, _ = make_web_app(tmp_path_factory.mktemp("empty-instance"))
    with TestClient(app, raise_server_exceptions=False) as found:
        yield found


@pytest.mark.parametrize(
    ("lang", "title", "zone"),
    [
        ("en", "No city data yet", "Paris time (Europe/Paris)"),
        ("fr", "Pas encore de données sur la ville", "l’heure de Paris (Europe/Paris)"),
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/dashboard/", "/dashboard/city/velos", "/dashboard/city/periode", "/dashboard/city/carte"],
)
def test_an_instance_without_city_data_says_how_to_load_some(
    client: TestClient, path: str, lang: str, title: str, zone: str
) -> None:
    answer = client.get(path, headers={"Accept-Language": lang})
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in answer.text
    section = answer.text.split('id="how-to-load"')[1].split("</section>")[0]
    assert title in section
    steps = re.findall(r"<code>(entrepot city [^<]+)</code>", section)
    assert [step.split()[2] for step in steps] == ["generate", "import", "run"]
    readme = README.read_text(encoding="utf-8")
    for step in steps:  # commands the README gives
        assert step.split("…")[0].split(" --")[0] in readme
    assert zone in answer.text
    assert "Traceback" not in answer.text
