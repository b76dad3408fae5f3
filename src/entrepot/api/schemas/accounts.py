"""Accounts: sign-up and sign-in, your profile, API tokens and licence."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from entrepot.accounts.licences import LicenceStatus
from entrepot.api.schemas.base import Body, fields_of
from entrepot.catalog.accounts.records import TokenRecord, UserRecord


class RegisterIn(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    name: str = Field(default="", max_length=128)


class LoginIn(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class PasswordIn(Body):
    current_password: str = Field(default="", max_length=1024)
    new_password: str = Field(max_length=1024)
    #: Ids of API tokens that survive the change (every other one is revoked).
    keep_tokens: list[int] = Field(default_factory=list, max_length=100)


class TokenIn(Body):
    name: str = Field(default="api", max_length=64)
    #: ``None``: the token works until revoked (made with a token: until that one expires).
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    #: ``None``: ``write`` (made with a token: that token's scope).
    scope: Literal["read", "write", "admin"] | None = None


class ActivateIn(Body):
    key: str = Field(max_length=64)


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class LicenceOut(BaseModel):
    key: str | None
    plan: str | None
    active: bool
    days_left: int
    expires_at: datetime | None
    max_models: int | None
    models_used: int
    models_left: int | None
    max_dataset_bytes: int | None


class MeOut(BaseModel):
    user: UserOut
    licence: LicenceOut
    csrf_token: str | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None
    scope: str = "write"
    #: The token that minted this one, if a token did.
    parent_id: int | None = None


class NewTokenOut(TokenOut):
    token: str


def user_out(user: UserRecord) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def licence_out(status: LicenceStatus) -> LicenceOut:
    licence, plan = status.licence, status.plan
    return LicenceOut(
        key=licence.key if licence else None,
        plan=plan.name if plan else None,
        active=status.active,
        days_left=status.days_left,
        expires_at=licence.expires_at if licence else None,
        max_models=plan.max_models if plan else None,
        models_used=status.models_used,
        models_left=status.models_left,
        max_dataset_bytes=plan.max_dataset_bytes if plan else None,
    )


def token_out(token: TokenRecord) -> TokenOut:
    return TokenOut(**fields_of(token, TokenOut))
