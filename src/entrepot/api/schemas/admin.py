"""Administration: users, licence keys, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from entrepot.accounts.admin import UserRow
from entrepot.api.schemas.accounts import UserOut, user_out
from entrepot.api.schemas.base import Body
from entrepot.catalog.accounts.records import AuditRecord, LicenceRecord


class CreateLicencesIn(Body):
    plan: str
    days: int | None = None
    count: int = 1


class DaysIn(Body):
    days: int


class FlagIn(Body):
    value: bool


class AdminUserOut(BaseModel):
    user: UserOut
    licence: dict[str, Any] | None


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


def admin_user_out(row: UserRow) -> AdminUserOut:
    licence = row.licence
    return AdminUserOut(
        user=user_out(row.user),
        licence=None if licence is None else licence_admin_out(licence),
    )


def licence_admin_out(licence: LicenceRecord) -> dict[str, Any]:
    return {
        "id": licence.id,
        "key": licence.key,
        "plan": licence.plan,
        "duration_days": licence.duration_days,
        "user_id": licence.user_id,
        "enabled": licence.enabled,
        "created_at": licence.created_at.isoformat(),
        "created_by": licence.created_by,
        "activated_at": licence.activated_at.isoformat() if licence.activated_at else None,
        "expires_at": licence.expires_at.isoformat() if licence.expires_at else None,
    }


def audit_out(entry: AuditRecord) -> AuditOut:
    return AuditOut(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        details=dict(entry.details),
    )
