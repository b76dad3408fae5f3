"""Administration: users, licences, statistics; every change is written to the audit log
in the same transaction as the change itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from entrepot.accounts.errors import InvalidAccountInput, NotAllowed, UnknownPlan
from entrepot.accounts.identities import normalize_email
from entrepot.accounts.plans import PLANS, Plan, new_key, plan
from entrepot.accounts.records import Operator
from entrepot.catalog.accounts.records import AuditRecord, LicenceRecord, Page, UserRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from entrepot.messages import N_, Message

Clock = Callable[[], datetime]
MAX_KEYS_AT_ONCE = 100
MAX_DAYS = 3650


#: Who acts: a signed-in administrator, or the operator at the command line.
Actor = UserRecord | Operator


@dataclass(frozen=True)
class UserRow:
    """A user as the admin list shows it: the account and its licence in force."""

    user: UserRecord
    licence: LicenceRecord | None


class AdminService:
    """What administrators do; each method takes the acting admin and checks it is one."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, clock: Clock | None = None) -> None:
        self._uow = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- users -------------------------------------------------------------
    def users(
        self,
        actor: Actor,
        *,
        query: str = "",
        admin: bool | None = None,
        active: bool | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> Page[UserRow]:
        """Accounts matching ``query`` (email or name), filtered and paginated."""
        _check(actor)
        with self._uow() as uow:
            found = uow.users.search(
                query=query.strip()[:100], admin=admin, active=active, page=page, per_page=per_page
            )
            rows = tuple(UserRow(u, uow.licences.current(u.id)) for u in found.items)
        return Page(rows, found.total, found.page, found.per_page)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserRecord:
        """Activate or deactivate an account (deactivation signs it out everywhere)."""
        _check(
            actor,
            not_on=user_id,
            what="deactivate your own account",
            said=Message(N_("error.account.self_deactivate")),
        )
        with self._uow() as uow:
            user = uow.users.update(user_id, is_active=active)
            if not active:
                uow.users.bump_epoch(user_id)
            self._log(uow, actor, "user.activate" if active else "user.deactivate", user)
            uow.commit()
        return user

    def set_admin(self, actor: Actor, user_id: int, admin: bool) -> UserRecord:
        """Grant or revoke the admin role."""
        _check(
            actor,
            not_on=user_id,
            what="change your own admin role",
            said=Message(N_("error.account.self_admin")),
        )
        with self._uow() as uow:
            user = uow.users.update(user_id, is_admin=admin)
            self._log(uow, actor, "user.grant_admin" if admin else "user.revoke_admin", user)
            uow.commit()
        return user

    def delete_user(self, actor: Actor, user_id: int, details: dict[str, Any]) -> UserRecord:
        """Delete the account's rows (the caller removed its objects first); ``details``
        (what was removed) goes to the audit log."""
        _check(
            actor,
            not_on=user_id,
            what="delete your own account",
            said=Message(N_("error.account.self_delete")),
        )
        with self._uow() as uow:
            user = uow.users.delete(user_id)
            self._log(uow, actor, "user.delete", user, details)
            uow.commit()
        return user

    def check_deletable(self, actor: Actor, user_id: int) -> UserRecord:
        """The account ``user_id`` if ``actor`` may delete it; raises otherwise."""
        _check(
            actor,
            not_on=user_id,
            what="delete your own account",
            said=Message(N_("error.account.self_delete")),
        )
        with self._uow() as uow:
            return uow.users.get(user_id)

    # -- licences ----------------------------------------------------------
    def emails(self, actor: Actor, user_ids: Iterable[int]) -> dict[int, str]:
        """The email of each of ``user_ids`` that still exists (admin tables show emails)."""
        _check(actor)
        found: dict[int, str] = {}
        with self._uow() as uow:
            for user_id in set(user_ids):
                user = uow.users.find(user_id)
                if user is not None:
                    found[user_id] = user.email
        return found

    def licences(
        self,
        actor: Actor,
        *,
        query: str = "",
        plan_name: str | None = None,
        used: bool | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> Page[LicenceRecord]:
        """Licences matching ``query`` (part of the key), filtered and paginated."""
        _check(actor)
        with self._uow() as uow:
            return uow.licences.search(
                query=query.strip()[:64], plan=plan_name, used=used, page=page, per_page=per_page
            )

    def create_licences(
        self, actor: Actor, plan_name: str, *, days: int | None = None, count: int = 1
    ) -> tuple[LicenceRecord, ...]:
        """``count`` new keys of ``plan_name`` lasting ``days`` (the plan's default)."""
        _check(actor)
        chosen = _plan(plan_name)
        days = chosen.default_days if days is None else days
        _check_days(days)
        if not 1 <= count <= MAX_KEYS_AT_ONCE:
            raise InvalidAccountInput(
                f"create 1 to {MAX_KEYS_AT_ONCE} keys at once",
                said=Message(N_("error.account.keys_at_once"), {"most": MAX_KEYS_AT_ONCE}),
            )
        now = self._clock()
        with self._uow() as uow:
            made = tuple(
                uow.licences.add(
                    key=new_key(chosen.name),
                    plan=chosen.name,
                    duration_days=days,
                    created_by=actor.email,
                    now=now,
                )
                for _ in range(count)
            )
            for licence in made:
                self._log_licence(uow, actor, "licence.create", licence, {"days": days})
            uow.commit()
        return made

    def grant_licence(
        self, actor: Actor, email: str, plan_name: str, *, days: int | None = None
    ) -> tuple[LicenceRecord, UserRecord]:
        """A new key of ``plan_name`` lasting ``days`` (the plan's default), activated at
        once for the account of ``email`` (``entrepot users licence``). The plan and the
        days are checked before the account is looked up: a mistyped option is said first."""
        _check(actor)
        chosen = _plan(plan_name)
        days = chosen.default_days if days is None else days
        _check_days(days)
        address = normalize_email(email)
        with self._uow() as uow:
            user = uow.users.by_email(address)
            if user is None:
                raise RecordNotFound(
                    f"no account for {address}",
                    hint="create it: `entrepot users create`",
                    said=Message(N_("error.account.no_account_email"), {"email": address}),
                )
            licence = uow.licences.add(
                key=new_key(chosen.name),
                plan=chosen.name,
                duration_days=days,
                created_by=actor.email,
                now=self._clock(),
                user_id=user.id,
            )
            details = {"user": user.email, "days": days}
            self._log_licence(uow, actor, "licence.create", licence, details)
            uow.commit()
        return licence, user

    def extend_licence(self, actor: Actor, licence_id: int, days: int) -> LicenceRecord:
        """Add ``days`` to a licence."""
        _check(actor)
        _check_days(days)
        with self._uow() as uow:
            licence = uow.licences.extend(licence_id, days, self._clock())
            self._log_licence(uow, actor, "licence.extend", licence, {"days": days})
            uow.commit()
        return licence

    def set_licence_enabled(self, actor: Actor, licence_id: int, enabled: bool) -> LicenceRecord:
        """Switch a licence on or off."""
        _check(actor)
        with self._uow() as uow:
            licence = uow.licences.set_enabled(licence_id, enabled)
            action = "licence.enable" if enabled else "licence.disable"
            self._log_licence(uow, actor, action, licence, {})
            uow.commit()
        return licence

    # -- statistics and audit ----------------------------------------------
    def stats(self, actor: Actor, *, days: int = 30) -> dict[str, Any]:
        """Counts for the statistics page: accounts, sign-ups per day, licences in force
        per plan, jobs per state, models per owner, dataset bytes per owner."""
        _check(actor)
        now = self._clock()
        since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
        with self._uow() as uow:
            signups = dict(uow.users.signups_by_day(since))
            stats: dict[str, Any] = {
                "users": uow.users.count(),
                "admins": uow.users.count(admin=True),
                "signups": [
                    (
                        (since + timedelta(days=i)).date().isoformat(),
                        signups.get((since + timedelta(days=i)).date().isoformat(), 0),
                    )
                    for i in range(days)
                ],
                "licences": {name: 0 for name in PLANS} | uow.licences.count_by_plan(now),
                "jobs": uow.jobs.count_by_state(),
                "models": uow.user_models.count_by_namespace(),
                "datasets": [
                    {"owner": owner, "datasets": count, "bytes": size}
                    for owner, count, size in uow.datasets.usage()
                ],
            }
        return stats

    def audit(self, actor: Actor, *, page: int = 1, per_page: int = 50) -> Page[AuditRecord]:
        """The audit log, newest first."""
        _check(actor)
        with self._uow() as uow:
            return uow.audit.list(page=page, per_page=per_page)

    # -- internals ---------------------------------------------------------
    def _log(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        user: UserRecord,
        details: dict[str, Any] | None = None,
    ) -> None:
        uow.audit.add(
            at=self._clock(),
            actor_id=actor.id,
            actor=actor.email,
            action=action,
            target=f"user {user.id} <{user.email}>",
            details=details,
        )

    def _log_licence(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        licence: LicenceRecord,
        details: dict[str, Any],
    ) -> None:
        uow.audit.add(
            at=self._clock(),
            actor_id=actor.id,
            actor=actor.email,
            action=action,
            target=f"licence {licence.key}",
            details=details,
        )


def _check(
    actor: Actor, *, not_on: int | None = None, what: str = "", said: Message | None = None
) -> None:
    if not actor.is_admin or not actor.is_active:
        raise NotAllowed(
            "this needs an administrator",
            hint="ask an administrator",
            said=Message(N_("error.account.admin_only")),
        )
    if not_on is not None and not_on == actor.id:
        raise NotAllowed(f"you cannot {what}", hint="ask another administrator", said=said)


def _plan(name: str) -> Plan:
    """The plan ``name`` names, whatever its case; an unknown one names the plans."""
    try:
        return plan(name.strip().lower())
    except ValueError as exc:
        raise UnknownPlan(
            str(exc),
            said=Message(
                N_("error.account.unknown_plan"), {"plan": name[:40], "plans": ", ".join(PLANS)}
            ),
        ) from None


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidAccountInput(
            f"days must be between 1 and {MAX_DAYS}, got {days}",
            said=Message(N_("error.account.days"), {"most": MAX_DAYS, "days": days}),
        )
