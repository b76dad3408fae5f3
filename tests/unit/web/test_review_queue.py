"""Issue 42 item 5: the review page keeps its place across reloads (it stands on the next
undecided row and says how many are left) and undoes the last decision (a form, so it
works from the keyboard and without scripts; in English and in French)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, csrf_of, make_web_app, sign_in


@dataclass
class World:
    client: TestClient
    api: Api
    stranger: TestClient
    services: Any
    model_id: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("review"))
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        TestClient(app, raise_server_exceptions=False) as stranger,
    ):
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        model_id = train_model(api, services, labelled_csv(), "cards")
        services.accounts.register("eve@example.com", PASSWORD)
        sign_in(client, "ana@example.com")
        sign_in(stranger, "eve@example.com")
        yield World(client, api, stranger, services, model_id)


def _scored(world: World) -> dict[str, Any]:
    """A prediction of its own, so each test starts with no decision."""
    return predict(world.api, world.services, world.model_id, labelled_csv(700, seed=21))


@dataclass
class Shown:
    """What the review page shows: the flagged rows in order, the one on screen, its
    position text, the rows left, the decided count, and each decided row's label."""

    rows: list[int]
    current: int | None
    position: str
    left: int
    decided: int
    labels: dict[int, int]


def _read(page: str) -> Shown:
    rows = re.findall(r'<div class="review-row" data-row="(\d+)"[^>]*>', page)
    tags = re.findall(r'<div class="review-row" [^>]*>', page)
    visible = [int(r) for r, tag in zip(rows, tags, strict=True) if " hidden" not in tag]
    assert len(visible) <= 1
    labels = {
        int(r): int(label)
        for r, label in re.findall(r'data-row="(\d+)"[^>]*data-label="(\d)"', page)
    }
    position = re.search(r'id="review-position">([^<]*)<', page).group(1)  # type: ignore[union-attr]
    left = re.search(r'id="review-left" data-count="(\d+)">([^<]*)<', page)
    assert left
    decided = re.search(r'id="review-decided">(\d+)<', page).group(1)  # type: ignore[union-attr]
    return Shown(
        [int(r) for r in rows],
        visible[0] if visible else None,
        position,
        int(left.group(1)),
        int(decided),
        labels,
    )


def _decide(world: World, prediction: str, rows: list[int], label: int = 1) -> None:
    labels = [{"row": r, "label": label} for r in rows]
    answer = world.api.post(f"/api/predictions/{prediction}/feedback", json={"labels": labels})
    assert answer.status_code == 200, answer.text


def _undo(client: TestClient, prediction: str, lang: str = "en") -> Any:
    page = client.get(f"/predictions/{prediction}/review").text
    return client.post(
        f"/predictions/{prediction}/review/undo",
        data={"csrf_token": csrf_of(page)},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )


def test_a_reload_stands_on_the_next_undecided_row(world: World) -> None:
    prediction = _scored(world)["id"]
    url = f"/predictions/{prediction}/review"
    first = _read(world.client.get(url).text)
    n = len(first.rows)
    assert n >= 4, "too few flagged rows to review"
    assert first.current == first.rows[0] and first.position == f"1 / {n}"
    assert first.left == n and first.decided == 0 and not first.labels
    _decide(world, prediction, first.rows[:3])
    page = world.client.get(url).text
    again = _read(page)
    assert again.current == first.rows[3] and again.position == f"4 / {n}"
    assert again.left == n - 3 and again.decided == 3
    assert again.labels == {r: 1 for r in first.rows[:3]}
    assert f">{n - 3} left<" in page
    # A row decided out of order: the place is still the first undecided one.
    _decide(world, prediction, [first.rows[5]], label=0)
    later = _read(world.client.get(url).text)
    assert later.current == first.rows[3] and later.left == n - 4
    french = world.client.get(url, headers={"Accept-Language": "fr"}).text
    assert f"À revoir\u00a0: {n - 4}<" in french
    # Every row decided: nothing on screen, the end said.
    _decide(world, prediction, first.rows)
    done = world.client.get(url).text
    assert _read(done).current is None and _read(done).left == 0
    assert re.search(r'<div id="review-done">', done)


def test_undo_removes_the_last_decision_and_shows_its_row(world: World) -> None:
    prediction = _scored(world)["id"]
    url = f"/predictions/{prediction}/review"
    rows = _read(world.client.get(url).text).rows
    n = len(rows)
    _decide(world, prediction, [rows[0]])
    _decide(world, prediction, [rows[1]], label=0)
    page = world.client.get(url).text
    assert 'id="review-undo-form"' in page and 'aria-keyshortcuts="u"' in page
    assert _read(page).left == n - 2
    answer = _undo(world.client, prediction)
    assert answer.status_code == 303 and answer.headers["location"] == f"{url}?row={rows[1]}"
    after = world.client.get(answer.headers["location"]).text
    shown = _read(after)
    assert shown.current == rows[1] and shown.left == n - 1 and shown.decided == 1
    assert shown.labels == {rows[0]: 1}  # rows[1] is undecided again
    assert f"Decision on row {rows[1]} undone" in after
    decisions = world.api.get(f"/api/predictions/{prediction}/feedback").json()
    assert [d["row"] for d in decisions["labels"]] == [rows[0]]
    # Once more: the first decision goes too, said in French; then nothing is left to undo.
    answer = _undo(world.client, prediction, "fr")
    french = world.client.get(answer.headers["location"], headers={"Accept-Language": "fr"})
    assert f"Décision sur la ligne {rows[0]} annulée" in french.text
    assert _read(french.text).left == n
    empty = _undo(world.client, prediction)
    assert empty.headers["location"] == url
    assert "No decision to undo" in world.client.get(url).text


def test_another_user_cannot_undo(world: World) -> None:
    prediction = _scored(world)["id"]
    rows = _read(world.client.get(f"/predictions/{prediction}/review").text).rows
    _decide(world, prediction, [rows[0]])
    token = csrf_of(world.stranger.get("/").text)
    answer = world.stranger.post(
        f"/predictions/{prediction}/review/undo",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code in (303, 404)
    assert _read(world.client.get(f"/predictions/{prediction}/review").text).decided == 1
