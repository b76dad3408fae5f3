"""Administration over JSON: users, licences, statistics, audit log (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from entrepot.api.schemas.accounts import user_out
from entrepot.api.schemas.admin import (
    AdminUserOut,
    CreateLicencesIn,
    DaysIn,
    FlagIn,
    admin_user_out,
    audit_out,
    licence_admin_out,
)
from entrepot.api.schemas.base import PageOut
from entrepot.http.deps import Admin, Services

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/users")
def users(
    admin: Admin,
    services: Services,
    q: str = "",
    is_admin: bool | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 25,
) -> PageOut:
    """Accounts matching ``q`` (email or name), filtered, paginated."""
    found = services.admin.users(
        admin, query=q, admin=is_admin, active=active, page=page, per_page=per_page
    )
    return PageOut(
        items=[admin_user_out(r) for r in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.post("/users/{user_id}/active")
def set_active(user_id: int, body: FlagIn, admin: Admin, services: Services) -> AdminUserOut:
    """Activate or deactivate an account."""
    user = services.admin.set_active(admin, user_id, body.value)
    return AdminUserOut(user=user_out(user), licence=None)


@router.post("/users/{user_id}/admin")
def set_admin(user_id: int, body: FlagIn, admin: Admin, services: Services) -> AdminUserOut:
    """Grant or revoke the admin role."""
    user = services.admin.set_admin(admin, user_id, body.value)
    return AdminUserOut(user=user_out(user), licence=None)


@router.delete("/users/{user_id}")
def delete_user(user_id: int, admin: Admin, services: Services) -> dict[str, Any]:
    """Delete an account with its models, datasets, predictions and stored objects."""
    return {"deleted": user_id, **services.fraud().deletion.delete(admin, user_id)}


@router.get("/licences")
def licences(
    admin: Admin,
    services: Services,
    q: str = "",
    plan: str | None = None,
    used: bool | None = None,
    page: int = 1,
    per_page: int = 25,
) -> PageOut:
    """Licence keys matching ``q``, filtered, paginated."""
    found = services.admin.licences(
        admin, query=q, plan_name=plan, used=used, page=page, per_page=per_page
    )
    return PageOut(
        items=[licence_admin_out(lic) for lic in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.post("/licences", status_code=201)
def create_licences(
    body: CreateLicencesIn, admin: Admin, services: Services
) -> list[dict[str, Any]]:
    """Create ``count`` keys of a plan."""
    made = services.admin.create_licences(admin, body.plan, days=body.days, count=body.count)
    return [licence_admin_out(lic) for lic in made]


@router.post("/licences/{licence_id}/extend")
def extend(licence_id: int, body: DaysIn, admin: Admin, services: Services) -> dict[str, Any]:
    """Add days to a licence."""
    return licence_admin_out(services.admin.extend_licence(admin, licence_id, body.days))


@router.post("/licences/{licence_id}/enabled")
def toggle(licence_id: int, body: FlagIn, admin: Admin, services: Services) -> dict[str, Any]:
    """Switch a licence on or off."""
    return licence_admin_out(services.admin.set_licence_enabled(admin, licence_id, body.value))


@router.get("/stats")
def stats(admin: Admin, services: Services) -> dict[str, Any]:
    """Accounts, sign-ups per day, licences per plan, jobs per state, models, storage."""
    return services.admin.stats(admin)


@router.get("/audit")
def audit(admin: Admin, services: Services, page: int = 1, per_page: int = 50) -> PageOut:
    """The audit log of admin actions, newest first."""
    found = services.admin.audit(admin, page=page, per_page=per_page)
    return PageOut(
        items=[audit_out(e) for e in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )
