"""The refusals of sign-up, sign-in and the profile are written in the page's language:
French on a French page (its numbers in French), the service's own words on an English
page, never a 500."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.english import english_words
from tests.support.web import PASSWORD, csrf_of, make_web_app, sign_in

#: French writes a no-break space before ":" and ";" and groups thousands with a narrow one.
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, services = make_web_app(tmp_path_factory.mktemp("refusals"))
    with TestClient(app, raise_server_exceptions=False) as found:
        services.accounts.register("taken@example.com", PASSWORD, name="Taken")
        yield found


def _in(client: TestClient, lang: str) -> None:
    assert client.get(f"/lang/{lang}", follow_redirects=False).status_code in (302, 303)


def _error(page: str) -> str:
    found = re.search(r'id="form-error"[^>]*>([^<]*)<', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


def _post(client: TestClient, form: str, action: str, **fields: str) -> tuple[int, str]:
    answer = client.post(action, data={"csrf_token": csrf_of(client.get(form).text), **fields})
    return answer.status_code, answer.text


def _register(client: TestClient, email: str, password: str, name: str = "") -> tuple[int, str]:
    fields = {"email": email, "password": password, "name": name}
    return _post(client, "/register", "/register", **fields)


SIGN_UP = [
    # (email, password, name, the French words, the English words)
    ("nobody", PASSWORD, "", f"«{NBSP}nobody{NBSP}» n’est pas une adresse e-mail", "not an email"),
    ("a@b.example", "short", "", f"a 5{NBSP}caractères{NNBSP}; il en faut au moins 10", "5 char"),
    ("a@b.example", "x" * 1025, "", f"dépasse 1{NNBSP}024{NBSP}caractères", "longer than 1024"),
    ("a@b.example", "a@b.example", "", "ne peut pas être l’adresse e-mail", "the email address"),
    ("a@b.example", PASSWORD, "n" * 129, f"Le nom dépasse 128{NBSP}caractères", "longer than 128"),
    ("taken@example.com", PASSWORD, "", "Un compte existe déjà", "already"),
]  # fmt: skip


@pytest.mark.parametrize(("email", "password", "name", "french", "english"), SIGN_UP)
def test_sign_up_refusals_in_the_pages_language(
    client: TestClient, email: str, password: str, name: str, french: str, english: str
) -> None:
    _in(client, "fr")
    status, page = _register(client, email, password, name)
    said = _error(page)
    assert 400 <= status < 500 and '<html lang="fr">' in page
    assert french in said and english_words(said) == [], said
    _in(client, "en")
    status, page = _register(client, email, password, name)
    assert 400 <= status < 500 and english in _error(page)


def test_sign_in_refusals_in_the_pages_language(client: TestClient) -> None:
    _in(client, "fr")
    status, page = _post(
        client, "/login", "/login", email="taken@example.com", password="wrong password!"
    )
    assert status == 401 and _error(page) == "E-mail ou mot de passe incorrect."
    _in(client, "en")
    status, page = _post(client, "/login", "/login", email="taken@example.com", password="nope")
    assert status == 401 and "wrong" in _error(page).lower()


def test_too_many_sign_ins_say_how_long_to_wait_in_french(client: TestClient) -> None:
    _in(client, "fr")
    for _ in range(20):
        status, page = _post(client, "/login", "/login", email="taken@example.com", password="x")
        if status == 429:
            break
    assert status == 429, "the sign-in was never limited"
    said = _error(page)
    wait = re.search(rf"patientez (\d[\d{NNBSP}]*){NBSP}secondes?, puis réessayez", said)
    assert wait and int(wait.group(1).replace(NNBSP, "")) > 0, said
    assert english_words(said) == []


PROFILE = [
    ("/profile/password", {"current_password": "wrong password!", "new_password": PASSWORD * 2},
     "Le mot de passe actuel est incorrect", "wrong"),
    ("/profile/password", {"current_password": PASSWORD, "new_password": "tiny"},
     f"a 4{NBSP}caractères", "4 characters"),
    ("/profile/tokens", {"name": "<bad>", "scope": "read"},
     f"Le nom de jeton «{NBSP}<bad>{NBSP}» n’est pas accepté", "not accepted"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "fields", "french", "english"), PROFILE)
def test_profile_refusals_in_the_pages_language(
    client: TestClient, action: str, fields: dict[str, str], french: str, english: str
) -> None:
    assert sign_in(client, "taken@example.com").status_code == 303  # type: ignore[attr-defined]
    _in(client, "fr")
    status, page = _post(client, "/profile", action, **fields)
    said = _error(page)
    assert 400 <= status < 500 and french in said and english_words(said) == [], said
    _in(client, "en")
    status, page = _post(client, "/profile", action, **fields)
    assert 400 <= status < 500 and english in _error(page)
