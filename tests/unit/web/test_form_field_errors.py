"""Issue 44 item 7: a refused form ties its error to the field it is about (aria-invalid on
that field, aria-describedby naming the error), and to no other field."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.web import PASSWORD, csrf_of, make_web_app, sign_in


@pytest.fixture
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, services = make_web_app(tmp_path_factory.mktemp("fields"))
    with TestClient(app, raise_server_exceptions=False) as found:
        services.accounts.register("taken@example.com", PASSWORD, name="Taken")
        yield found


def _inputs(page: str) -> dict[str, str]:
    """Each named input of the page's forms -> its tag."""
    return {
        re.search(r'name="([^"]+)"', tag).group(1): tag  # type: ignore[union-attr]
        for tag in re.findall(r"<input[^>]*>", page)
        if 'name="' in tag and 'type="hidden"' not in tag
    }


def _invalid(page: str) -> set[str]:
    """The inputs marked invalid, each described by the form's error, which exists."""
    marked = set()
    for name, tag in _inputs(page).items():
        if 'aria-invalid="true"' in tag:
            described = re.search(r'aria-describedby="([^"]+)"', tag)
            assert described and "form-error" in described.group(1).split(), tag
            marked.add(name)
    if marked:
        assert 'id="form-error"' in page
    return marked


def _post(client: TestClient, form: str, action: str, **fields: str) -> str:
    answer = client.post(action, data={"csrf_token": csrf_of(client.get(form).text), **fields})
    assert answer.status_code < 500
    return answer.text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "new@example.com", "password": "short", "name": ""}, "password"),
        ({"email": "not an address", "password": PASSWORD, "name": ""}, "email"),
        ({"email": "taken@example.com", "password": PASSWORD, "name": ""}, "email"),
        ({"email": "n@example.com", "password": PASSWORD, "name": "x" * 300}, "name"),
    ],
)
def test_a_refused_sign_up_marks_its_field(
    client: TestClient, fields: dict[str, str], field: str
) -> None:
    page = _post(client, "/register", "/register", **fields)
    assert _invalid(page) == {field}
    # the password's rule stays described whatever the error
    assert 'aria-describedby="' in _inputs(page)["password"]


def test_a_wrong_password_marks_the_password_on_sign_in(client: TestClient) -> None:
    page = _post(client, "/login", "/login", email="taken@example.com", password="x" * 12)
    assert _invalid(page) == {"password"}
    assert 'id="form-error"' in page


def test_a_new_password_too_short_marks_it_on_the_profile(client: TestClient) -> None:
    sign_in(client, "taken@example.com", PASSWORD)
    page = _post(
        client, "/profile", "/profile/password", current_password=PASSWORD, new_password="short"
    )
    assert _invalid(page) == {"new_password"}


def test_a_form_without_error_marks_nothing(client: TestClient) -> None:
    assert _invalid(client.get("/register").text) == set()
