"""Class (f), cross-site scripting through names and metadata: markup in a dataset's file
name and in its column names comes back escaped on every page that shows it (the dataset
list, the dataset page), never as live markup. (Model names, versions and aliases cannot
hold markup at all: see class (a); city place names: tests/unit/dashboard/test_city.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from markupsafe import escape

from tests.support.web import sign_in as web_sign_in
from tests.support.web import user_api, web_client

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<a href=javascript:alert(1)>x</a>",
    "</script><script>alert(2)</script>",
    "<style>*{display:none}</style>",
    "<math><mtext></mtext><img src=1 onerror=alert(3)></math>",
    "<body onload=alert(4)>",
    "<details open ontoggle=alert(5)>",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with web_client(tmp_path_factory.mktemp("xss")) as (client, services):
        api = user_api(client, services, "mallory@example.com")
        web_sign_in(client, "mallory@example.com")
        yield {"client": client, "api": api}


def _rows(column: str) -> bytes:
    header = '"' + column.replace('"', '""') + '",is_fraud\n'
    return (header + "".join(f"{i}.5,{i % 2}\n" for i in range(40))).encode()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_file_and_column_name_come_back_escaped(
    world: dict[str, Any], payload: str
) -> None:
    api = world["api"]
    answer = api.upload(_rows(payload), f"{payload}.csv")
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        return  # refused at the door: nothing to show
    dataset = answer.json()["dataset_id"]
    client = world["client"]
    for page in ("/datasets", f"/datasets/{dataset}"):
        shown = client.get(page)
        assert shown.status_code == 200, (page, shown.status_code)
        assert payload not in shown.text, page
    detail = client.get(f"/datasets/{dataset}").text
    assert str(escape(payload)) in detail  # shown, as text
