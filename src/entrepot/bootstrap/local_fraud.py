"""Where ``entrepot fraud`` keeps models and references, wired once: under ``entrepot``,
the instance's model registry (or an account's models) and its reference library (or the
folder the ``fraud_library`` setting names); run on its own, folders only."""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.fraud.train.clocks import Clock, clock_factory
from entrepot.fraud_service.local_files import LocalFraud
from entrepot.messages import N_, Message

__all__ = ["DEFAULT_LIBRARY", "LocalFraud", "local_fraud"]

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App
    from entrepot.config import Settings
    from entrepot.fraud_service.pipeline.partitioned import Pool
    from entrepot.registry.keyring import KeyRing
    from entrepot.registry.service import Registry
    from entrepot.settings.fraud import FraudSettings

#: The reference library of ``entrepot fraud`` run on its own, without a setting.
DEFAULT_LIBRARY = Path("fraud-references")


def local_fraud(app: App | None) -> LocalFraud:
    """The engine's file use cases over ``app``'s registry and library; over folders when
    ``app`` is ``None`` (the settings then read once, when first needed)."""

    @functools.cache
    def settings() -> Settings:
        if app is not None:
            return app.settings
        from entrepot.config import load_settings

        return load_settings()

    def models(user: str | None) -> Registry:
        if app is None:
            from entrepot.fraud.errors import FraudError

            raise FraudError(
                "this command has no model registry to use",
                hint="run it as `entrepot fraud ...`, or give a folder (--out, --model DIR)",
                said=Message(N_("error.fraud.no_registry")),
            )
        return app.operations.models_of(user)

    def library(folder: Path | None) -> Any:
        from entrepot.fraud.library.libraries import FolderLibrary

        if folder is not None:
            return FolderLibrary(folder, keys)
        if app is None:
            return FolderLibrary(settings().fraud.library or DEFAULT_LIBRARY, keys)
        configured = settings().fraud.library
        if configured is not None:
            return FolderLibrary(configured, keys)
        return app._reference_library  # the composition root's own part

    def keys() -> KeyRing | None:
        from entrepot.bootstrap.user_key import user_key, user_key_path
        from entrepot.registry.keyring import KeyRing

        # the user's own key verifies the folders written without an instance, and signs
        # them when there is none; the instance's ring, when there is one, signs (ADR 0082)
        own = KeyRing.of(user_key(user_key_path()))
        instance = _instance_ring()
        return own if instance is None else KeyRing(own.keys + instance.keys)

    def _instance_ring() -> KeyRing | None:
        if app is None:
            return None
        from entrepot.errors import EntrepotError

        try:
            return app.operations.keys.ring()
        except EntrepotError:  # no catalog yet: the user's own key signs
            return None

    def new_clock() -> Clock:
        return clock_factory(settings().fraud.training_clock)()

    def pools(workers: int) -> AbstractContextManager[Pool | None]:
        from entrepot.bootstrap.cluster import FRAUD_TASKS, dask_pool

        return dask_pool(settings().jobs.dask_url, workers, FRAUD_TASKS)

    def fraud_settings() -> FraudSettings:
        return settings().fraud

    return LocalFraud(models, library, keys, new_clock, pools, fraud_settings)
