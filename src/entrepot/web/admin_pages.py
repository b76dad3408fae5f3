"""Administration pages: statistics with charts, users, licences, audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from entrepot.errors import EntrepotError
from entrepot.http.deps import PageAdmin, Services
from entrepot.messages import N_, Message
from entrepot.web import charts
from entrepot.web.forms import Csrf, act
from entrepot.web.i18n import translator
from entrepot.web.render import language, render, say

router = APIRouter(prefix="/admin", include_in_schema=False)


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@router.get("")
def stats(request: Request, admin: PageAdmin, services: Services) -> Response:
    """Statistics with charts."""
    found = services.admin.stats(admin)
    figures = charts.admin_figures(found, translator(language(request)))
    return render(request, "admin/stats.html", user=admin, stats=found, figures=figures)


@router.get("/users")
def users(
    request: Request,
    admin: PageAdmin,
    services: Services,
    q: str = "",
    role: str = "",
    active: str = "",
    page: int = 1,
) -> Response:
    """Users: search, filter, paginate, act."""
    found = services.admin.users(
        admin, query=q, admin=_flag(role), active=_flag(active), page=max(page, 1), per_page=25
    )
    return render(
        request, "admin/users.html", user=admin, found=found, q=q, role=role, active=active
    )


def _back(request: Request) -> str:
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    path = referer[len(base) :] if referer.startswith(base) else ""
    return path if path.startswith("/admin/") else "/admin/users"


@router.post("/users/{user_id}/{action}")
def user_action(
    user_id: int, action: str, request: Request, admin: PageAdmin, services: Services, csrf: Csrf
) -> Response:
    """Activate, deactivate, grant or revoke admin, delete (with the user's data)."""
    operations: dict[str, Callable[[], object]] = {
        "activate": lambda: services.admin.set_active(admin, user_id, True),
        "deactivate": lambda: services.admin.set_active(admin, user_id, False),
        "grant": lambda: services.admin.set_admin(admin, user_id, True),
        "revoke": lambda: services.admin.set_admin(admin, user_id, False),
        "delete": lambda: services.fraud().deletion.delete(admin, user_id),
    }
    operation = operations.get(action)
    t = translator(language(request))

    def go() -> None:
        if operation is None:
            raise EntrepotError(
                f"unknown action {action!r}",
                said=Message(N_("error.web.unknown_action"), {"action": repr(action)}),
            )
        operation()

    return act(request, csrf, go, back=_back(request), done=t("admin.done"))


@router.get("/licences")
def licences(
    request: Request,
    admin: PageAdmin,
    services: Services,
    q: str = "",
    plan: str = "",
    used: str = "",
    page: int = 1,
) -> Response:
    """Licences: list, create, extend, switch."""
    found = services.admin.licences(
        admin, query=q, plan_name=plan or None, used=_flag(used), page=max(page, 1), per_page=25
    )
    emails = services.admin.emails(admin, (lic.user_id for lic in found.items if lic.user_id))
    return render(
        request,
        "admin/licences.html",
        user=admin,
        found=found,
        emails=emails,
        q=q,
        plan=plan,
        used=used,
    )


@router.post("/licences")
def create_licences(
    request: Request,
    admin: PageAdmin,
    services: Services,
    csrf: Csrf,
    plan: Annotated[str, Form()] = "basic",
    days: Annotated[int | None, Form()] = None,
    count: Annotated[int, Form()] = 1,
) -> Response:
    """Create keys."""

    def go() -> None:
        services.admin.create_licences(admin, plan, days=days, count=count)

    return act(request, csrf, go, back="/admin/licences", done=say(request, "admin.done"))


@router.post("/licences/{licence_id}/extend")
def extend(
    licence_id: int,
    request: Request,
    admin: PageAdmin,
    services: Services,
    csrf: Csrf,
    days: Annotated[int, Form()] = 30,
) -> Response:
    """Add days to a licence."""

    def go() -> None:
        services.admin.extend_licence(admin, licence_id, days)

    return act(request, csrf, go, back=_back(request), done=say(request, "admin.done"))


@router.post("/licences/{licence_id}/{state}")
def toggle(
    licence_id: int, state: str, request: Request, admin: PageAdmin, services: Services, csrf: Csrf
) -> Response:
    """Enable or disable a licence."""

    def go() -> None:
        services.admin.set_licence_enabled(admin, licence_id, state == "enable")

    return act(request, csrf, go, back=_back(request), done=say(request, "admin.done"))


@router.get("/audit")
def audit(request: Request, admin: PageAdmin, services: Services, page: int = 1) -> Response:
    """The audit log."""
    found = services.admin.audit(admin, page=max(page, 1), per_page=50)
    return render(request, "admin/audit.html", user=admin, found=found)
