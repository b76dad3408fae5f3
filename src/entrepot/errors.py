"""Every error Entrepôt raises on purpose descends from :class:`EntrepotError`.

The tree::

    EntrepotError
    ├── ConfigError                      a setting is missing or wrong
    ├── InvalidArgument (ValueError)     a value given to a command is not one it takes
    ├── LocalFileNotFound (FileNotFoundError)  a local file or folder named does not exist
    ├── SchedulerUnavailable (ConnectionError)  the Dask scheduler cannot be reached or left
    ├── StorageError                     anything from an object store
    │   ├── InvalidKey (ValueError)      a key or prefix that is not a safe relative path
    │   ├── ObjectNotFound (FileNotFoundError)
    │   ├── ObjectExists (FileExistsError)
    │   ├── IntegrityError               bytes do not match their recorded sha256
    │   ├── AccessDenied (PermissionError)
    │   └── StoreUnavailable (ConnectionError)  endpoint, bucket or disk cannot serve
    │       └── StoreFull                 its disk or quota is full: no retry helps
    └── CatalogError                     anything from the SQL catalog
        ├── DatabaseUnavailable (ConnectionError)
        ├── NotMigrated                  the schema is behind the code
        ├── RecordExists                 a row with the same unique key exists
        ├── RecordInUse                  a row other rows still reference
        └── RecordNotFound (LookupError)

Storage errors carry the store URL and key they concern; every message says what
went wrong and what to do about it.
"""

from __future__ import annotations

from entrepot.messages import N_, Message


class EntrepotError(Exception):
    """Root of every error Entrepôt raises on purpose."""

    #: A short hint telling the user what to do; appended to ``str(error)``.
    hint: str = ""
    #: The error as a message (a key and its values) that a page or a job's failure writes
    #: in its reader's language; ``None`` when only the English text says it.
    said: Message | None = None

    def __init__(
        self, message: str, *, hint: str | None = None, said: Message | None = None
    ) -> None:
        if hint is not None:
            self.hint = hint
        if said is not None:
            self.said = said
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(EntrepotError):
    """A setting is missing, malformed or unsafe."""


class InvalidArgument(EntrepotError, ValueError):
    """A value given to a command (an option, an argument, a query parameter) is not one
    it takes: a date that is not a date, a kind or a domain that does not exist. The command
    line exits 2 (a usage mistake); the API answers 400."""


class UnstorableText(InvalidArgument):
    """Text no catalog can keep (a NUL character, a lone surrogate), refused on every
    backend before any row is written (``catalog.text``)."""


class LocalFileNotFound(EntrepotError, FileNotFoundError):
    """A local file or folder someone named (a command's argument) does not exist."""

    hint = "check the path"


class LocalFileExists(EntrepotError, FileExistsError):
    """A local file a command would write already exists (and no ``--force`` was given)."""


class PortInUse(EntrepotError, OSError):
    """The address a server was asked to listen on is taken by another program."""


class StorageError(EntrepotError):
    """An object-store operation failed."""

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        store: str | None = None,
        hint: str | None = None,
        said: Message | None = None,
    ) -> None:
        self.key = key
        self.store = store
        where = []
        if key is not None:
            where.append(f"key {key!r}")
        if store is not None:
            where.append(f"store {store}")
        full = f"{message} [{', '.join(where)}]" if where else message
        super().__init__(full, hint=hint, said=said)


class InvalidKey(StorageError, ValueError):
    """A key or prefix is not a safe, relative, ``/``-separated path."""

    hint = "use a relative path such as 'datasets/2024/file.csv'"


class ObjectNotFound(StorageError, FileNotFoundError):
    """No object exists under the key."""

    hint = "check the key with `entrepot ls`"

    @classmethod
    def under(cls, key: str | None, store: str | None) -> ObjectNotFound:
        """No object under ``key`` in ``store``: the one refusal every store gives."""
        return cls(
            "no such object", key=key, store=store, said=Message(N_("error.storage.no_object"), {})
        )


class ObjectExists(StorageError, FileExistsError):
    """A create-only write met an existing object."""

    hint = "keys are write-once: write under a new key or delete the old object first"


class IntegrityError(StorageError):
    """The bytes read do not match the sha256 recorded when they were written."""

    hint = "the object is corrupted or was replaced outside Entrepôt; restore it or delete it"


class AccessDenied(StorageError, PermissionError):
    """The store refused the credentials or the operation."""

    hint = "check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the policy"


class StoreUnavailable(StorageError, ConnectionError):
    """The store cannot serve: endpoint unreachable, bucket missing, disk full."""

    hint = "check ENTREPOT_STORE_URL and ENTREPOT_S3_ENDPOINT_URL, then run `entrepot doctor`"


class StoreFull(StoreUnavailable):
    """The store's disk (or quota) is full: retrying helps only once space is freed."""

    hint = "free space on the disk holding the store, or point it elsewhere"


class SchedulerUnavailable(EntrepotError, ConnectionError):
    """The Dask scheduler (``ENTREPOT_DASK_URL``) cannot be reached, or went away while it
    ran the work: nothing was written (ADR 0086)."""

    hint = "check ENTREPOT_DASK_URL and that its scheduler runs, then run `entrepot doctor`"


class CatalogError(EntrepotError):
    """A catalog (SQL) operation failed."""


class DatabaseUnavailable(CatalogError, ConnectionError):
    """The database cannot be reached."""

    hint = "check ENTREPOT_DATABASE_URL and that the server is running"


class NotMigrated(CatalogError):
    """The database schema is older than this version of Entrepôt."""

    hint = "run `entrepot db upgrade`"


class RecordExists(CatalogError):
    """A row with the same unique key already exists."""

    hint = "keys are write-once: record the object under a new key"


class RecordInUse(CatalogError):
    """A row cannot be deleted while other rows reference it."""


class RecordNotFound(CatalogError, LookupError):
    """No catalog row matches."""
