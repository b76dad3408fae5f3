"""Static assets are compressed once, named by their content and cached for a year under
that name; the plain name is revalidated; an unknown or stale hash is a 404."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.http.assets import IMMUTABLE, SOURCES, asset, asset_url
from tests.support.web import make_web_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, _ = make_web_app(tmp_path_factory.mktemp("assets"))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_asset_is_served_gzipped_and_immutable_under_its_hash(
    client: TestClient, name: str
) -> None:
    url = asset_url(name)
    assert url.startswith("/assets/") and asset(name).digest in url
    answer = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["cache-control"] == IMMUTABLE
    assert answer.content == asset(name).body  # httpx inflated it
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == asset(name).body


def test_plotly_travels_at_a_third_of_its_size() -> None:
    plotly = asset("plotly.min.js")
    assert len(plotly.gzipped) < len(plotly.body) / 3
    assert gzip.decompress(plotly.gzipped) == plotly.body


def test_the_plain_name_is_revalidated_and_an_etag_answers_304(client: TestClient) -> None:
    answer = client.get("/assets/app.css")
    assert answer.status_code == 200 and "must-revalidate" in answer.headers["cache-control"]
    again = client.get("/assets/app.css", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "path", ["/assets/app.000000000000.css", "/assets/secret_key", "/assets/..%2Fpages.py"]
)
def test_a_stale_hash_or_another_file_is_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_pages_name_their_assets_by_content(client: TestClient) -> None:
    page = client.get("/login").text
    assert f'href="{asset_url("app.css")}"' in page and f'src="{asset_url("app.js")}"' in page
    assert Path(asset_url("app.css")).suffix == ".css"
