"""Licences and quotas: what a user may do now, and reservations that hold under concurrency.

A model slot is reserved in the transaction that records the training job: the user's
row is write-locked first (``UserRepository.lock_for_quota``), then the user's models are
counted: a model is a name, whatever its number of versions (ADR 0071), so the names with
a ready version and the names of unfinished trainings are counted once each. Retraining
a model, or pushing a new version under a name the user holds, takes no new slot. Two
simultaneous requests count one after the other, and the second sees the first's job:
the limit cannot be exceeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from entrepot.accounts.errors import (
    DatasetTooLarge,
    InvalidLicenceKey,
    LicenceAlreadyUsed,
    LicenceRequired,
    QuotaExceeded,
)
from entrepot.accounts.plans import PLANS, Plan, new_key, parse_key
from entrepot.accounts.ratelimit import KeyLimiter
from entrepot.catalog.accounts.records import LicenceRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import RecordExists
from entrepot.messages import N_, Message, Size, Word
from entrepot.sizes import human_size

Clock = Callable[[], datetime]
#: The job kind whose unfinished jobs hold a model slot.
TRAINING_KIND = "train"


@dataclass(frozen=True)
class LicenceStatus:
    """A user's licence as the pages show it."""

    licence: LicenceRecord | None
    plan: Plan | None
    active: bool
    days_left: int
    models_used: int

    @property
    def models_left(self) -> int | None:
        """How many more models the plan allows (``None``: no limit)."""
        if self.plan is None or not self.active:
            return 0
        if self.plan.max_models is None:
            return None
        return max(0, self.plan.max_models - self.models_used)


class LicenceService:
    """Trial licences, activation, the licence in force and the quotas it sets."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Clock | None = None,
        keys: KeyLimiter | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))
        self._keys = keys or KeyLimiter()

    def grant_trial(self, uow: UnitOfWork, user_id: int, now: datetime) -> LicenceRecord:
        """Give a new account its trial licence, in the caller's transaction."""
        trial = PLANS["trial"]
        return uow.licences.add(
            key=new_key("trial"),
            plan="trial",
            duration_days=trial.default_days,
            created_by="sign-up",
            now=now,
            user_id=user_id,
        )

    def status(self, user_id: int) -> LicenceStatus:
        """The licence in force for ``user_id`` (or the last one, expired), days left and
        models used."""
        with self._uow() as uow:
            licence = uow.licences.current(user_id)
            used = self._used(uow, user_id)
        now = self._clock()
        if licence is None:
            return LicenceStatus(None, None, False, 0, used)
        left = 0
        if licence.expires_at is not None and licence.expires_at > now:
            left = -(-int((licence.expires_at - now).total_seconds()) // 86_400)
        return LicenceStatus(licence, PLANS[licence.plan], licence.active_at(now), left, used)

    def history(self, user_id: int) -> tuple[LicenceRecord, ...]:
        """Every licence ``user_id`` activated, newest first."""
        with self._uow() as uow:
            return uow.licences.of_user(user_id)

    def require(self, user_id: int) -> Plan:
        """The plan in force; raises :class:`LicenceRequired` (naming when it ended)."""
        with self._uow() as uow:
            return self._require(uow, user_id)

    def check_dataset_size(self, user_id: int, size: int) -> None:
        """Raise :class:`DatasetTooLarge` if ``size`` bytes are over the plan's limit."""
        limit = self.require(user_id).max_dataset_bytes
        if size > limit:
            raise DatasetTooLarge(
                too_large_message(size, limit),
                said=Message(
                    N_("error.account.dataset_too_large"),
                    {"size": Size(size), "limit": Size(limit)},
                ),
            )

    def reserve_model(self, uow: UnitOfWork, user_id: int, name: str | None = None) -> Plan:
        """Check, in the caller's transaction and holding the user's row lock until it ends,
        that the model ``name`` fits the plan; the caller then records the training job.
        A name the user already holds (a ready version, or a training under way) is a new
        version of that model and takes no new slot; ``None``: a model not named yet."""
        uow.users.lock_for_quota(user_id)
        plan = self._require(uow, user_id)
        if plan.max_models is not None:
            held = self._models(uow, user_id)
            if name is not None and name in held:
                return plan
            used = len(held)
            if used >= plan.max_models:
                raise QuotaExceeded(
                    f"the {plan.name} plan allows {plan.max_models} models and you have {used} "
                    "(trained or in training)",
                    said=Message(
                        N_("error.account.quota"),
                        {"plan": Word(f"plan.{plan.name}"), "most": plan.max_models, "used": used},
                    ),
                )
        return plan

    def activate(self, user_id: int, key: str) -> LicenceRecord:
        """Activate ``key`` for ``user_id``; it is in force from now. Wrong keys are
        limited per account (:class:`KeyLimiter`: :class:`TooManyAttempts` past it)."""
        canonical = parse_key(key)
        with self._uow() as uow:
            self._keys.reserve(uow, user_id, self._clock())
            uow.commit()
        with self._uow() as uow:
            found = uow.licences.by_key(canonical)
            if found is None or not found.enabled:
                raise InvalidLicenceKey(
                    f"no licence key {canonical} is available",
                    said=Message(N_("error.account.licence_unknown"), {"key": canonical}),
                )
            if found.user_id is not None:
                raise LicenceAlreadyUsed(
                    f"the key {canonical} was already activated",
                    said=Message(N_("error.account.licence_used"), {"key": canonical}),
                )
            try:
                record = uow.licences.activate(found.id, user_id, self._clock())
            except RecordExists:
                raise LicenceAlreadyUsed(
                    f"the key {canonical} was already activated",
                    said=Message(N_("error.account.licence_used"), {"key": canonical}),
                ) from None
            self._keys.succeeded(uow, user_id)
            uow.commit()
        return record

    def _require(self, uow: UnitOfWork, user_id: int) -> Plan:
        licence = uow.licences.current(user_id)
        now = self._clock()
        if licence is None:
            raise LicenceRequired(
                "you have no licence", said=Message(N_("error.account.no_licence"))
            )
        if not licence.active_at(now):
            ended = licence.expires_at.date().isoformat() if licence.expires_at else "?"
            raise LicenceRequired(
                f"your {licence.plan} licence ended on {ended}",
                said=Message(
                    N_("error.account.licence_ended"),
                    {"plan": Word(f"plan.{licence.plan}"), "day": ended},
                ),
            )
        return PLANS[licence.plan]

    @classmethod
    def _used(cls, uow: UnitOfWork, user_id: int) -> int:
        return len(cls._models(uow, user_id))

    @staticmethod
    def _models(uow: UnitOfWork, user_id: int) -> set[str]:
        """The models ``user_id`` holds: the names with a ready version and those being
        trained (a training job with no name holds a slot of its own)."""
        held = set(uow.user_models.ready_names(str(user_id)))
        for number, params in enumerate(uow.jobs.unfinished_params(user_id, TRAINING_KIND)):
            name = params.get("model_name")
            held.add(str(name) if name else f"\0unnamed-{number}")
        return held


def too_large_message(size: int, limit: int) -> str:
    """The message of a dataset over the limit."""
    return (
        f"the file is {human_size(size)} and your plan accepts datasets up to {human_size(limit)}"
    )
