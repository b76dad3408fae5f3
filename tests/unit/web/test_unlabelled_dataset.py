"""Issue 42 item 5: an unlabelled dataset offers no training. Its page says what training
needs instead of showing the form, and the form's route refuses it (400, the dataset page
with the reason), in English and in French; a labelled dataset keeps its form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.web import PASSWORD, Api, csrf_of, make_web_app, sign_in

World = tuple[TestClient, Api]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("unlabelled"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        sign_in(client, "ana@example.com")
        yield client, Api(client, token, user.id)


def _upload(api: Api, content: bytes) -> str:
    return str(api.upload(content, "batch.csv").json()["dataset_id"])


def test_an_unlabelled_dataset_says_what_training_needs(world: World) -> None:
    client, api = world
    dataset = _upload(api, unlabelled_csv(300))
    page = client.get(f"/datasets/{dataset}").text
    assert 'id="train-form"' not in page and 'id="train-submit"' not in page
    assert 'id="train-needs-label"' in page
    assert "Training needs a label column" in page
    assert 'id="apply-form"' in page  # scoring it is still offered
    french = client.get(f"/datasets/{dataset}", headers={"Accept-Language": "fr"}).text
    assert 'id="train-form"' not in french
    assert "L’entraînement demande une colonne d’étiquette" in french
    labelled = _upload(api, labelled_csv(300))
    assert 'id="train-form"' in client.get(f"/datasets/{labelled}").text


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "has no label column, so there is nothing to train on"),
        ("fr", "n’a pas de colonne d’étiquette, il n’y a donc rien sur quoi entraîner"),
    ],
)
def test_the_route_refuses_to_train_an_unlabelled_dataset(
    world: World, lang: str, said: str
) -> None:
    client, api = world
    dataset = _upload(api, unlabelled_csv(300))
    page = client.get(f"/datasets/{dataset}").text
    columns = api.get(f"/api/datasets/{dataset}").json()["analysis"]["columns"]
    answer = client.post(
        f"/datasets/{dataset}/train",
        data={
            "csrf_token": csrf_of(page),
            "model_name": "fraud-model",
            "target_column": columns[0]["name"],  # a column, but not a label
        },
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    assert said in answer.text and 'id="dataset-name"' in answer.text
    assert api.get("/api/history").json()["total"] == 0  # no job recorded
