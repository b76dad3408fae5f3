"""The pages: sign-in with CSRF, rate limiting and safe redirects; sessions; French and
English; the work pages; admin pages and their audit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.http.assets import asset_url
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import PASSWORD, csrf_of, make_web_app, run_jobs, sign_in

WEB = Path(__file__).resolve().parents[3] / "src" / "entrepot" / "web"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def test_pages_need_a_session_and_come_back_after_sign_in(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    answer = client.get("/datasets?page=2", follow_redirects=False)
    assert (
        answer.status_code == 303
        and answer.headers["location"] == "/login?next=/datasets%3Fpage%3D2"
    )
    signed = sign_in(client, "a@example.com", next="/datasets?page=2")
    assert signed.status_code == 303 and signed.headers["location"] == "/datasets?page=2"  # type: ignore[attr-defined]
    assert "a@example.com" in client.get("/datasets").text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/ok\r\nLocation: https://evil.example",
        "evil.example",
    ],
)
def test_no_open_redirect_after_sign_in(web: tuple[TestClient, App], target: str) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    answer = sign_in(client, "a@example.com", next=target)
    assert answer.headers["location"] == "/"  # type: ignore[attr-defined]
    switched = client.get("/lang/fr", params={"next": target}, follow_redirects=False)
    assert switched.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(web: tuple[TestClient, App]) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    client.get("/login")
    answer = client.post(
        "/login",
        data={"email": "a@example.com", "password": PASSWORD},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 422 and "csrf_token" in answer.text
    forged = client.post(
        "/login",
        data={"csrf_token": "forged" * 8, "email": "a@example.com", "password": PASSWORD},
        headers={"Accept": "text/html"},
    )
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert "uid" not in (forged.cookies.get("entrepot_session") or "")


def test_cookie_authenticated_api_writes_need_the_csrf_header(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    body = {"dataset_id": "x" * 32, "model_name": "m"}
    refused = client.post("/api/train", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_error"
    token = csrf_of(client.get("/datasets").text)
    allowed = client.post("/api/train", json=body, headers={"X-CSRF-Token": token})
    assert allowed.status_code == 404  # past the CSRF check: the dataset does not exist
    assert client.get("/api/me").status_code == 200  # reads need no token


def test_wrong_passwords_are_rate_limited_with_retry_after(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    for _ in range(5):
        answer = sign_in(client, "a@example.com", password="not the password")
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert "wrong email or password" in answer.text  # type: ignore[attr-defined]
    blocked = sign_in(client, "a@example.com")
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert int(blocked.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    api = client.post("/api/auth/login", json={"email": "a@example.com", "password": PASSWORD})
    assert api.status_code == 429 and api.json()["code"] == "too_many_attempts"


def test_register_signs_in_and_refuses_a_weak_password(
    web: tuple[TestClient, App],
) -> None:
    client, _ = web
    token = csrf_of(client.get("/register").text)
    weak = client.post(
        "/register", data={"csrf_token": token, "email": "b@example.com", "password": "short"}
    )
    assert weak.status_code == 422 and "at least 10" in weak.text and "b@example.com" in weak.text
    made = client.post(
        "/register",
        data={"csrf_token": token, "email": "b@example.com", "password": PASSWORD, "name": "Bea"},
        follow_redirects=False,
    )
    assert made.headers["location"] == "/datasets"
    page = client.get("/datasets").text
    assert "Welcome, Bea." in page and 'id="upload-form"' in page


def test_the_session_cookie_is_signed_http_only_and_lax(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    answer = sign_in(client, "a@example.com")
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("entrepot_session=") and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    tampered = cookie.split(";")[0].split("=", 1)[1][:-4] + "AAAA"
    client.cookies.clear()
    client.cookies.set("entrepot_session", tampered)
    assert client.get("/datasets", follow_redirects=False).status_code == 303


def test_a_password_change_signs_out_the_other_sessions(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path)
    services.accounts.register("a@example.com", PASSWORD)
    with TestClient(app) as first, TestClient(app) as second:
        sign_in(first, "a@example.com")
        sign_in(second, "a@example.com")
        token = csrf_of(first.get("/profile").text)
        changed = first.post(
            "/profile/password",
            data={
                "csrf_token": token,
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
            },
        )
        assert "other sessions are signed out" in changed.text
        assert first.get("/datasets", follow_redirects=False).status_code == 200
        assert second.get("/datasets", follow_redirects=False).status_code == 303


def test_logout_needs_the_token_and_ends_the_session(web: tuple[TestClient, App]) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    token = csrf_of(client.get("/").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/datasets", follow_redirects=False).status_code == 303


def test_a_new_token_is_shown_once_in_the_page_and_never_in_the_cookie(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    token = csrf_of(client.get("/profile").text)
    answer = client.post("/profile/tokens", data={"csrf_token": token, "name": "laptop"})
    shown = re.search(r'id="new-token">(ent_[^<]+)<', answer.text)
    assert shown is not None
    assert shown.group(1) not in answer.headers.get("set-cookie", "")
    assert shown.group(1) not in client.get("/profile").text
    assert client.get("/api/me", headers={"Authorization": f"Bearer {shown.group(1)}"}).is_success


def test_french_from_the_browser_or_the_switch(web: tuple[TestClient, App]) -> None:
    client, _ = web
    assert "Create an account" in client.get("/").text
    french = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}).text
    assert "Créer un compte" in french and '<html lang="fr">' in french
    client.get("/lang/fr?next=/login")
    assert "Connexion" in client.get("/login").text
    client.get("/lang/en")
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "fr"}).text


def test_browsers_get_an_error_page_and_scripts_get_json(
    web: tuple[TestClient, App],
) -> None:
    client, _ = web
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and 'id="error-message"' in page.text
    assert client.get("/no/such/page").json()["code"] == "not_found"


def test_the_work_pages_show_analysis_model_charts_and_predictions(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    token = csrf_of(client.get("/datasets").text)
    dataset = client.post(
        "/api/upload",
        files={"file": ("cards.csv", labelled_csv(1500))},
        headers={"X-CSRF-Token": token},
    ).json()["dataset_id"]
    page = client.get(f"/datasets/{dataset}").text
    assert re.search(r'<tr class="highlight" id="target-row"><td>is_fraud</td>', page)
    assert '<option value="is_fraud" selected>' in page
    started = client.post(
        f"/datasets/{dataset}/train",
        data={"csrf_token": token, "model_name": "cards", "target_column": "is_fraud"},
        follow_redirects=False,
    )
    job_url = started.headers["location"]
    assert job_url.startswith("/jobs/") and 'data-final="no"' in client.get(job_url).text
    run_jobs(services)
    job_page = client.get(job_url).text
    assert 'data-final="yes"' in job_page and "/models/" in job_page
    model_id = re.search(r'href="/models/(\d+)"', job_page).group(1)  # type: ignore[union-attr]
    model_page = client.get(f"/models/{model_id}").text
    for chart in ("chart-pr", "chart-calibration", "chart-importance"):
        assert f'id="{chart}"' in model_page and f'id="{chart}-data"' in model_page
    assert f'<script src="{asset_url("plotly.min.js")}"' in model_page
    assert client.get("/assets/plotly.min.js").text.startswith("/**")
    client.post(f"/datasets/{dataset}/predict", data={"csrf_token": token, "model_id": model_id})
    run_jobs(services)
    history = client.get("/history").text
    prediction_id = re.search(r'href="/predictions/([0-9a-f]{32})"', history).group(1)  # type: ignore[union-attr]
    page = client.get(f"/predictions/{prediction_id}").text
    assert 'id="risk-critical"' in page and 'id="preview"' in page
    assert f'href="/api/predictions/{prediction_id}/download"' in page


def test_a_refused_action_is_shown_on_the_page(web: tuple[TestClient, App]) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    token = csrf_of(client.get("/datasets").text)
    dataset = client.post(
        "/api/upload",
        files={"file": ("cards.csv", labelled_csv(300))},
        headers={"X-CSRF-Token": token},
    ).json()["dataset_id"]
    answer = client.post(
        f"/datasets/{dataset}/train",
        data={"csrf_token": token, "model_name": "bad name!", "target_column": "is_fraud"},
    )
    assert answer.status_code == 200 and "is not a safe name" in answer.text


def test_admin_pages_are_for_admins(web: tuple[TestClient, App]) -> None:
    client, services = web
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    answer = client.get("/admin/users", headers={"Accept": "text/html"})
    assert answer.status_code == 403 and "administrators" in answer.text
    assert client.get("/api/admin/stats").status_code == 403


def test_admin_manages_users_and_licences_with_an_audit(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    services.accounts.register("root@example.com", PASSWORD, admin=True)
    target = services.accounts.register("user@example.com", PASSWORD)
    sign_in(client, "root@example.com")
    stats = client.get("/admin").text
    for chart in ("chart-signups", "chart-jobs", "chart-plans", "chart-storage"):
        assert f'id="{chart}-data"' in stats
    users = client.get("/admin/users", params={"q": "user@"}).text
    table = users[users.index('id="users-table"') :]
    assert "user@example.com" in table and "root@example.com" not in table
    token = csrf_of(users)
    client.post(f"/admin/users/{target.id}/deactivate", data={"csrf_token": token})
    assert "user@example.com" in client.get("/admin/users", params={"active": "no"}).text
    client.post("/admin/licences", data={"csrf_token": token, "plan": "premium", "count": "2"})
    keys = re.findall(
        r'class="licence-key">(PREMIUM-[0-9a-f]{16})<', client.get("/admin/licences").text
    )
    assert len(keys) == 2
    licences = client.get("/admin/licences", params={"plan": "trial"}).text
    rows = licences[licences.index('id="licences-table"') :]
    assert "user@example.com" in rows and f"<td>{target.id}</td>" not in rows  # emails, not ids
    client.post(f"/admin/users/{target.id}/delete", data={"csrf_token": token})
    audit = client.get("/admin/audit").text
    for action in ("user.deactivate", "licence.create", "user.delete", "sign-up", "sign-in"):
        assert action in audit
    assert 'id="audit-empty"' not in audit
    with parts(services).uow() as uow:
        assert uow.users.find(target.id) is None


def test_an_empty_audit_log_says_so(web: tuple[TestClient, App]) -> None:
    from sqlalchemy import delete

    from entrepot.catalog.accounts.tables import AuditRow

    client, services = web
    services.accounts.register("root@example.com", PASSWORD, admin=True)
    sign_in(client, "root@example.com")
    assert 'id="audit-empty"' not in client.get("/admin/audit").text
    engine = parts(client.app.state.entrepot).engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(delete(AuditRow))
    page = client.get("/admin/audit", headers={"Accept-Language": "fr"}).text
    assert 'id="audit-empty"' in page and "Rien n’est encore consigné" in page


def test_each_page_has_its_own_title_and_one_h1(web: tuple[TestClient, App]) -> None:
    client, services = web
    services.accounts.register("root@example.com", PASSWORD, admin=True)
    sign_in(client, "root@example.com")
    titles = {}
    for path in ("/", "/datasets", "/models", "/history", "/licence", "/profile", "/admin",
                 "/admin/users", "/admin/licences", "/admin/audit"):  # fmt: skip
        page = client.get(path).text
        assert page.count("<h1") == 1, path
        assert '<a class="skip" href="#main">' in page and '<main id="main"' in page
        titles[path] = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)  # type: ignore[union-attr]
        assert "<" not in titles[path], titles[path]
    assert len(set(titles.values())) == len(titles), titles
    assert titles["/models"] == "Your models · Entrepôt fraud detection"


def test_the_token_form_starts_empty_copies_the_new_token_and_confirms_a_revoke(
    web: tuple[TestClient, App],
) -> None:
    """Issue 44 item 7: the name field is empty (an example beside it, a name required),
    a new token has a copy button, revoking one asks to confirm, naming it."""
    client, services = web
    services.accounts.register("tokens@example.com", PASSWORD)
    sign_in(client, "tokens@example.com")
    page = client.get("/profile").text
    field = re.search(r"<input name=\"name\" id=\"token-name\"[^>]*>", page)
    assert field is not None and "value=" not in field.group(0)
    assert "required" in field.group(0) and "placeholder=" in field.group(0)
    token = csrf_of(page)
    answer = client.post("/profile/tokens", data={"csrf_token": token, "name": "ci-runner"})
    assert re.search(r'<button type="button" class="copy"[^>]*data-copy="new-token"', answer.text)
    revoke = re.search(r'<form[^>]*action="/profile/tokens/\d+/revoke"[^>]*>', answer.text)
    assert revoke is not None and "confirm" in revoke.group(0)
    assert "ci-runner" in revoke.group(0), "the confirmation names the token"


def test_the_greeting_is_written_in_the_language_of_the_page_that_shows_it(
    web: tuple[TestClient, App],
) -> None:
    """Issue 44 item 7 (regression: the greeting was a sentence written at sign-in, in
    that request's language, and showed in English on a French page)."""
    client, services = web
    user = services.accounts.register("greeted@example.com", PASSWORD, name="Zoé")
    token = csrf_of(client.get("/login").text)
    client.post(
        "/login",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    client.get("/lang/fr?next=/", follow_redirects=False)  # the language changes first
    page = client.get("/").text
    assert "Bienvenue, Zoé." in page and "Welcome" not in page
    client.get("/lang/en?next=/", follow_redirects=False)
