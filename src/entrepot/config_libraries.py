"""The variables of the libraries Entrepôt configures, and how a ``.env`` file reaches them.

Settings read only ``ENTREPOT_*`` variables; the AWS SDK (boto3, and obstore beside it),
PostgreSQL's client (libpq) and the HTTP clients read their own from the process
environment. A ``.env`` file in the working folder is not the environment, so an
entrypoint copies its library variables there (:func:`export_dotenv_libraries`; the
environment's own values win) before it opens a store or a database. Any other
variable of the file is ignored, and ``entrepot config show`` says so and why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from entrepot.config_values import dotenv_values
from entrepot.masking import mask_url

#: Variable prefixes -> the library that reads them.
_PREFIXES = (("AWS_", "the AWS SDK (boto3, obstore)"), ("PG", "PostgreSQL's client (libpq)"))
#: Whole variable names -> the library that reads them.
_NAMES = dict.fromkeys(
    ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
     "REQUESTS_CA_BUNDLE"),
    "the HTTP clients",
)  # fmt: skip
#: Parts of a variable's name that mark its value as a secret: never shown.
_SECRET_MARKS = ("SECRET", "TOKEN", "PASSWORD", "PASSFILE", "KEY")


def reader(name: str) -> str | None:
    """The library that reads the variable ``name`` (any case), or None."""
    upper = name.upper()
    found = next((lib for prefix, lib in _PREFIXES if upper.startswith(prefix)), None)
    return found or _NAMES.get(upper)


def export_dotenv_libraries(environ: MutableMapping[str, str] | None = None) -> tuple[str, ...]:
    """Copy the ``.env`` file's library variables into ``environ`` (the process
    environment by default) where it has none of its own; the names copied."""
    env = os.environ if environ is None else environ
    copied = []
    for name, value in dotenv_values().items():
        if value is not None and reader(name) is not None and name not in env:
            env[name] = value
            copied.append(name)
    return tuple(copied)


def first_library_value(
    names: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> tuple[str, str, str] | None:
    """The first of the library variables ``names`` that has a value, in the environment
    or else the ``.env`` file: (name, value, where), or None."""
    env = os.environ if environ is None else environ
    dotenv = dotenv_values()
    for name in names:
        if env.get(name):
            copied = dotenv.get(name) == env[name]  # by export_dotenv_libraries
            return name, env[name], ".env file" if copied else "environment"
        if dotenv.get(name):
            return name, str(dotenv[name]), ".env file"
    return None


@dataclass(frozen=True)
class LibraryVariable:
    """A variable ``config show`` lists beside the settings: its value as shown (secrets
    masked), where it came from and who reads it (None: nobody, it is ignored)."""

    name: str
    value: str | None
    source: str
    library: str | None


def library_variables(
    known: frozenset[str], environ: Mapping[str, str] | None = None
) -> list[LibraryVariable]:
    """The library variables of the environment and the ``.env`` file, and the file's
    ignored ones (``known``: the ``ENTREPOT_*`` variables of the settings)."""
    env = os.environ if environ is None else environ
    dotenv = dotenv_values()
    rows = []
    for name in sorted(set(env) | set(dotenv)):
        library = reader(name)
        if library is not None:
            text = env[name] if name in env else dotenv[name]
            copied = name in dotenv and dotenv[name] == env.get(name, text)
            where = ".env file" if copied else "environment"
            shown = _shown(name, text)
            rows.append(LibraryVariable(name, shown, f"{where}, read by {library}", library))
            continue
        if name in env or name.upper() in known:
            continue
        why = (
            "not an Entrepôt setting (check the spelling: `entrepot config show` lists them)"
            if name.upper().startswith("ENTREPOT_")
            else "neither an ENTREPOT_ setting nor read by a library Entrepôt configures"
        )
        shown = _shown(name, dotenv[name])
        rows.append(LibraryVariable(name, shown, f".env file, ignored: {why}", None))
    return rows


def _shown(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if any(mark in name.upper() for mark in _SECRET_MARKS):
        return "****"
    return mask_url(value) if "://" in value else value
