"""Issue 27 item 8, the model pages as registry users know them: versions grouped under
their model with their aliases, an alias set and moved from the page (CSRF, owner only),
each file of a version downloaded verified, the trials chart, a note on a version. The
numbers the pages show are compared with the API's JSON for the same model."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.analyst import train_model
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, csrf_of, make_web_app, sign_in


@dataclass
class World:
    owner: TestClient
    other: TestClient
    api: Api
    other_api: Api
    services: App
    #: The two versions of ``cards``, oldest first, and the one version of ``loans``.
    cards: tuple[int, int]
    loans: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("model-pages"))
    with (
        TestClient(app, raise_server_exceptions=False) as owner,
        TestClient(app, raise_server_exceptions=False) as other,
    ):
        user = services.accounts.register("owner@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(owner, token, user.id)
        first = train_model(api, services, labelled_csv(), "cards")
        loans = train_model(api, services, labelled_csv(500, seed=5), "loans")
        second = train_model(api, services, labelled_csv(600, seed=9), "cards")
        stranger = services.accounts.register("other@example.com", PASSWORD)
        _, other_token = services.accounts.create_token(stranger.id)
        sign_in(owner, "owner@example.com")
        sign_in(other, "other@example.com")
        yield World(
            owner,
            other,
            api,
            Api(other, other_token, stranger.id),
            services,
            (first, second),
            loans,
        )


def _groups(page: str) -> list[tuple[str, list[int]]]:
    """The models page's groups: each model's name and its versions' ids, in page order."""
    found = []
    for name, body in re.findall(
        r'<section class="card model-group" id="model-([^"]+)".*?>(.*?)</section>', page, re.S
    ):
        found.append((name, [int(i) for i in re.findall(r'<tr data-model="(\d+)">', body)]))
    return found


def _row(page: str, model_id: int) -> str:
    match = re.search(rf'<tr data-model="{model_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for model {model_id}"
    return match.group(1)


def _aliases(row: str) -> list[str]:
    return re.findall(r'<span class="tag alias">([^<]+)</span>', row)


def _alias(client: TestClient, model_id: int, alias: str, lang: str = "en", **extra: str) -> Any:
    """Set ``alias`` through the models page's form; the flash is said in ``lang``."""
    token = csrf_of(client.get("/models").text)
    return client.post(
        "/models/aliases",
        data={"csrf_token": token, "model_id": str(model_id), "alias": alias, **extra},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )


def test_versions_are_grouped_under_their_model_newest_first(world: World) -> None:
    page = world.owner.get("/models").text
    listed = world.api.get("/api/models").json()
    # The API's listing, grouped by hand: newest version first in each model, the model
    # whose newest version is the most recent first.
    by_name: dict[str, list[dict[str, Any]]] = {}
    for model in sorted(listed, key=lambda m: (m["created_at"], m["id"]), reverse=True):
        by_name.setdefault(model["name"], []).append(model)
    expected = [(name, [m["id"] for m in models]) for name, models in by_name.items()]
    assert _groups(page) == expected
    assert expected == [("cards", [world.cards[1], world.cards[0]]), ("loans", [world.loans])]
    for model in listed:  # the figures shown are the API's, to the digits shown
        row = _row(page, model["id"])
        auprc = re.search(r'<td class="auprc">([^<]+)</td>', row).group(1)  # type: ignore[union-attr]
        assert float(auprc) == pytest.approx(round(model["metrics"]["auprc"], 3))
        roc = re.search(r'<td class="roc-auc">([^<]+)</td>', row).group(1)  # type: ignore[union-attr]
        assert float(roc) == pytest.approx(round(model["metrics"]["roc_auc"], 3))
        assert f"<code>{model['version']}</code>" in row


def test_an_alias_is_set_then_moved_from_the_page(world: World) -> None:
    first, second = world.cards
    answer = _alias(world.owner, first, "production")
    assert answer.status_code == 303 and answer.headers["location"] == "/models"
    page = world.owner.get("/models").text
    assert "“production” now points at this version" in page
    assert _aliases(_row(page, first)) == ["production"] and _aliases(_row(page, second)) == []
    moved = _alias(world.owner, second, "production")
    assert moved.status_code == 303
    page = world.owner.get("/models").text
    assert _aliases(_row(page, first)) == [] and _aliases(_row(page, second)) == ["production"]
    listed = {m["id"]: m["aliases"] for m in world.api.get("/api/models").json()}
    assert listed[first] == [] and listed[second] == ["production"]
    # the same rule as the command line's: the registry resolves NAME@ALIAS to the version
    registry = world.services.registry.for_owner(str(world.api.user_id))
    assert registry.latest("cards").version == registry.show("cards", "production").version.version
    version_page = world.owner.get(f"/models/{second}").text
    aliases = version_page.split('id="aliases"')[1].split("</p>")[0]
    assert _aliases(aliases) == ["production"]


def test_an_alias_from_the_version_page_comes_back_to_it(world: World) -> None:
    answer = _alias(world.owner, world.loans, "staging", "fr", back="version")
    assert answer.status_code == 303 and answer.headers["location"] == f"/models/{world.loans}"
    french = world.owner.get(f"/models/{world.loans}", headers={"Accept-Language": "fr"}).text
    assert "L’alias «\u00a0staging\u00a0» désigne maintenant cette version." in french


def test_a_bad_alias_is_refused_in_the_users_language(world: World) -> None:
    before = {m["id"]: m["aliases"] for m in world.api.get("/api/models").json()}
    version = world.api.get(f"/api/models/{world.cards[0]}").json()["version"]
    reserved = "L’alias «\u00a0{}\u00a0» est réservé ou ressemble à une version\u00a0: choisissez"
    for alias, said in (
        ("latest", reserved.format("latest")),
        ("v20240101_120000", reserved.format("v20240101_120000")),
        ("../x", "«\u00a0../x\u00a0» (alias) n’est pas un nom sûr\u00a0: utilisez au plus 64"),
        (version, reserved.format(version)),
    ):
        answer = _alias(world.owner, world.cards[1], alias, "fr")
        assert answer.status_code == 303
        page = world.owner.get("/models", headers={"Accept-Language": "fr"}).text
        assert f'<p class="flash error" role="status">{said}' in page
        assert "Traceback" not in page
    assert {m["id"]: m["aliases"] for m in world.api.get("/api/models").json()} == before


def test_the_alias_form_needs_its_csrf_token(world: World) -> None:
    before = world.api.get("/api/models").json()
    answer = world.owner.post(
        "/models/aliases",
        data={"csrf_token": "forged", "model_id": str(world.cards[0]), "alias": "forged"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert world.api.get("/api/models").json() == before


def test_another_user_can_neither_see_nor_alias_nor_note_a_version(world: World) -> None:
    target = world.cards[0]
    before = world.api.get(f"/api/models/{target}").json()
    assert world.other.get(f"/models/{target}").status_code == 404
    assert world.other_api.put(f"/api/models/{target}/aliases/mine").status_code == 404
    assert world.other_api.put(f"/api/models/{target}/note", json={"note": "x"}).status_code == 404
    assert world.other_api.get(f"/api/models/{target}/files/performance.json").status_code == 404
    answer = _alias(world.other, target, "mine")
    assert answer.status_code == 303  # a page shows the refusal on the page it came from
    assert '<p class="flash error" role="status">' in world.other.get("/models").text
    token = csrf_of(world.other.get("/models").text)
    world.other.post(f"/models/{target}/note", data={"csrf_token": token, "note": "mine"})
    after = world.api.get(f"/api/models/{target}").json()
    assert after["aliases"] == before["aliases"] and after["note"] == before["note"]
    assert "mine" not in world.other.get("/models").text


def test_the_api_sets_an_alias_by_the_same_rule(world: World) -> None:
    answer = world.api.put(f"/api/models/{world.loans}/aliases/shadow")
    assert answer.status_code == 200
    assert answer.json()["alias"] == "shadow" and answer.json()["name"] == "loans"
    assert world.api.put(f"/api/models/{world.loans}/aliases/latest").status_code == 422
    assert "shadow" in world.api.get(f"/api/models/{world.loans}").json()["aliases"]


def test_a_note_is_written_shown_and_removed(world: World) -> None:
    model_id = world.cards[1]
    page = world.owner.get(f"/models/{model_id}").text
    text = "Promoted after the March review.\n<b>not bold</b> & kept"
    answer = world.owner.post(
        f"/models/{model_id}/note",
        data={"csrf_token": csrf_of(page), "note": f"  {text}  "},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/models/{model_id}"
    page = world.owner.get(f"/models/{model_id}").text
    assert f'<p id="note" class="note-text">{html.escape(text, quote=False)}</p>' in page
    assert "<b>not bold</b>" not in page
    assert re.search(r'<p class="muted" id="note-by">Last written [^<]*2\d{3}', page)
    api = world.api.get(f"/api/models/{model_id}").json()
    assert api["note"]["text"] == text and api["note"]["updated_by"] == f"user:{world.api.user_id}"
    listed = world.owner.get("/models").text
    assert "Promoted after the March review." in _row(listed, model_id)
    removed = world.api.put(f"/api/models/{model_id}/note", json={"note": "   "})
    assert removed.status_code == 200 and removed.json() is None
    assert world.api.get(f"/api/models/{model_id}").json()["note"] is None
    assert "No note on this version yet." in world.owner.get(f"/models/{model_id}").text


def test_a_note_too_long_is_refused_in_french(world: World) -> None:
    model_id = world.cards[0]
    page = world.owner.get(f"/models/{model_id}").text
    world.owner.post(
        f"/models/{model_id}/note",
        data={"csrf_token": csrf_of(page), "note": "x" * 2001},
        headers={"Accept-Language": "fr"},
        follow_redirects=False,
    )
    french = world.owner.get(f"/models/{model_id}", headers={"Accept-Language": "fr"}).text
    assert "Une note compte au plus 2\u202f000 caractères\u202f; celle-ci en compte 2\u202f001" in (
        french
    )
    assert world.api.get(f"/api/models/{model_id}").json()["note"] is None
    refused = world.api.put(f"/api/models/{model_id}/note", json={"note": "y" * 2001})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_note"
    forged = world.owner.post(
        f"/models/{model_id}/note", data={"csrf_token": "forged", "note": "z"}
    )
    assert forged.status_code == 403


def test_each_file_downloads_verified(world: World) -> None:
    model_id = world.cards[0]
    page = world.owner.get(f"/models/{model_id}").text
    links = re.findall(r'<a href="(/api/models/\d+/files/[^"]+)" class="file-link"', page)
    detail = world.api.get(f"/api/models/{model_id}").json()
    assert sorted(links) == sorted(detail["file_urls"].values())
    assert {path for path, _ in detail["files"]} == set(detail["file_urls"])
    registry = world.services.registry.for_owner(str(world.api.user_id))
    recorded = {f.path: f for f in registry.show(detail["name"], detail["version"]).files}
    for path, size in detail["files"]:
        answer = world.owner.get(detail["file_urls"][path])
        assert answer.status_code == 200, path
        assert len(answer.content) == size == recorded[path].size
        assert hashlib.sha256(answer.content).hexdigest() == recorded[path].sha256
        assert path.rsplit("/", 1)[-1] in answer.headers["content-disposition"]
    performance = world.owner.get(detail["file_urls"]["performance.json"]).json()
    assert performance == detail["performance"]
    missing = world.api.get(f"/api/models/{model_id}/files/nothing.bin")
    assert missing.status_code == 404 and "performance.json" in missing.json()["message"]
    escape = world.api.get(f"/api/models/{model_id}/files/..%2F..%2Fcatalog.db")
    assert escape.status_code == 404


def test_the_trials_chart_draws_the_search_in_order_with_the_chosen_trial(world: World) -> None:
    model_id = world.cards[0]
    page = world.owner.get(f"/models/{model_id}").text
    data = page.split('<script type="application/json" id="chart-trials-data">')[1]
    figure = json.loads(data.split("</script>")[0])
    selection = world.api.get(f"/api/models/{model_id}").json()["performance"]["selection"]
    trials = selection["trials"]
    each, best, *chosen = figure["data"]
    assert each["x"] == list(range(1, len(trials) + 1))
    assert each["y"] == [t["validation_auprc"] for t in trials]
    running = [max(t["validation_auprc"] for t in trials[: i + 1]) for i in range(len(trials))]
    assert best["y"] == running
    (star,) = chosen
    assert star["x"] == [selection["chosen_trial"] + 1]
    assert star["y"] == [trials[selection["chosen_trial"]]["validation_auprc"]]
    assert star["y"][0] == pytest.approx(selection["chosen_validation_auprc"], abs=1e-6)
    french = world.owner.get(f"/models/{model_id}", headers={"Accept-Language": "fr"}).text
    assert "Essai, dans l’ordre" in french and "meilleur jusque-là" in french


def _remove_alias(
    client: TestClient, model_id: int, alias: str, lang: str = "en", csrf: str | None = None
) -> Any:
    """Press the version page's remove button of ``alias`` (the form the page shows)."""
    page = client.get(f"/models/{model_id}").text
    return client.post(
        f"/models/{model_id}/aliases/remove",
        data={"csrf_token": csrf or csrf_of(page), "alias": alias},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )


def _remove_forms(page: str) -> dict[str, str]:
    """The version page's alias removal forms: alias -> the form's confirmation text."""
    return {
        html.unescape(alias): html.unescape(confirm)
        for confirm, alias in re.findall(
            r'<form method="post" action="/models/\d+/aliases/remove" class="row confirm '
            r'alias-remove" data-confirm="([^"]+)">.*?name="alias" value="([^"]+)"',
            page,
            re.S,
        )
    }


def test_an_alias_is_removed_from_the_version_page_after_a_confirmation(world: World) -> None:
    target = world.loans
    assert world.api.put(f"/api/models/{target}/aliases/canary").status_code == 200
    page = world.owner.get(f"/models/{target}").text
    forms = _remove_forms(page)
    assert forms["canary"] == "Remove the alias “canary”? The version itself is kept."
    button = re.search(
        r'<button type="submit" class="secondary" id="remove-alias-canary">([^<]+)<', page
    )
    assert button and button.group(1) == "Remove “canary”"  # a real button: keyboard-usable
    answer = _remove_alias(world.owner, target, "canary")
    assert answer.status_code == 303 and answer.headers["location"] == f"/models/{target}"
    after = world.owner.get(f"/models/{target}").text
    assert "The alias “canary” was removed." in after
    assert "canary" not in _remove_forms(after)
    assert "canary" not in world.api.get(f"/api/models/{target}").json()["aliases"]
    registry = world.services.registry.for_owner(str(world.api.user_id))
    assert "canary" not in {a.alias for a in registry.aliases("loans")}


def test_removing_an_alias_is_said_in_french(world: World) -> None:
    target = world.loans
    assert world.api.put(f"/api/models/{target}/aliases/essai").status_code == 200
    page = world.owner.get(f"/models/{target}", headers={"Accept-Language": "fr"}).text
    assert _remove_forms(page)["essai"] == (
        "Retirer l’alias «\u00a0essai\u00a0»\u202f? La version elle-même est conservée."
    )
    _remove_alias(world.owner, target, "essai", "fr")
    after = world.owner.get(f"/models/{target}", headers={"Accept-Language": "fr"}).text
    assert "L’alias «\u00a0essai\u00a0» a été retiré." in after


def test_an_alias_is_removed_only_with_its_csrf_token_and_by_its_owner(world: World) -> None:
    target = world.loans
    assert world.api.put(f"/api/models/{target}/aliases/guarded").status_code == 200
    assert _remove_alias(world.owner, target, "guarded", csrf="forged").status_code == 403
    token = csrf_of(world.other.get("/models").text)
    answer = world.other.post(
        f"/models/{target}/aliases/remove",
        data={"csrf_token": token, "alias": "guarded"},
        follow_redirects=False,
    )
    assert answer.status_code == 303  # refused on the page it came from
    assert world.other_api.delete(f"/api/models/{target}/aliases/guarded").status_code == 404
    assert "guarded" in world.api.get(f"/api/models/{target}").json()["aliases"]


def test_the_api_removes_an_alias_of_this_version_only(world: World) -> None:
    first, second = world.cards
    assert world.api.put(f"/api/models/{first}/aliases/pinned").status_code == 200
    # the alias points at the first version: removing it through the second is not found
    wrong = world.api.delete(f"/api/models/{second}/aliases/pinned")
    assert wrong.status_code == 404 and "pinned" in wrong.json()["message"]
    assert "pinned" in world.api.get(f"/api/models/{first}").json()["aliases"]
    answer = world.api.delete(f"/api/models/{first}/aliases/pinned")
    assert answer.status_code == 200 and answer.json() == {"model_id": first, "alias": "pinned"}
    assert "pinned" not in world.api.get(f"/api/models/{first}").json()["aliases"]
    assert world.api.delete(f"/api/models/{first}/aliases/pinned").status_code == 404
