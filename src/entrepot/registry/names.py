"""Model names, versions and aliases (each one safe path segment) and file paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from entrepot.errors import InvalidKey
from entrepot.messages import N_, Message, Param, Word
from entrepot.registry.errors import InvalidModelFiles, InvalidName
from entrepot.storage.keys import validate_key

#: The longest name, version or alias (one rule for every door: command line, API, pages).
NAME_MAX = 64
#: The longest note on a version, in characters (``entrepot.registry.notes``).
NOTE_MAX = 2000
#: A safe segment, as an HTML ``pattern`` and a Python expression (matched whole).
NAME_PATTERN = f"[A-Za-z0-9][A-Za-z0-9._-]{{0,{NAME_MAX - 1}}}"
_SEGMENT = re.compile(NAME_PATTERN)
#: What a default version looks like: ``vYYYYMMDD_HHMMSS``, then ``_2``, ``_3``...
TIMESTAMP_VERSION = re.compile(r"^v\d{8}_\d{6}(?:_\d+)?$")
#: Selectors with a meaning of their own, never a version or an alias.
RESERVED = frozenset({"latest"})
#: The manifest's own path in every version.
MANIFEST_PATH = "manifest.json"
#: What a checked name or label names, as a word of the catalogs (:func:`named`).
_NAMED = {
    "model name": N_("registry.named.model_name"),
    "version": N_("registry.named.version"),
    "alias": N_("registry.named.alias"),
    "version or alias": N_("registry.named.version_or_alias"),
    "reference name": N_("registry.named.reference_name"),
    "domain": N_("registry.named.domain"),
    "owner id": N_("registry.named.owner_id"),
    "metric": N_("registry.named.metric"),
    "param": N_("registry.named.param"),
    "tag": N_("registry.named.tag"),
    "lineage": N_("registry.named.lineage"),
    "input column": N_("registry.named.input_column"),
}


def named(what: str) -> Param:
    """``what`` (``"model name"``) as a message value: a word of the catalogs, so a
    refusal names it in the reader's language (as it is when it has no word)."""
    key = _NAMED.get(what)
    return what if key is None else Word(key)


def check_segment(value: str, what: str) -> str:
    """Return ``value`` if it is one safe segment: letters, digits, ``.``, ``_``, ``-``,
    starting with a letter or digit, at most 64 characters, no ``..``."""
    if not isinstance(value, str) or not _SEGMENT.fullmatch(value) or ".." in value:
        raise InvalidName(
            f"{what} {value!r} is not a safe name",
            said=Message(
                N_("error.registry.unsafe_name"), {"what": named(what), "name": str(value)[:70]}
            ),
        )
    return value


def check_name(name: str) -> str:
    """A model name."""
    return check_segment(name, "model name")


def check_version(version: str) -> str:
    """A version given by hand: a safe segment other than the reserved words."""
    check_segment(version, "version")
    if version in RESERVED:
        raise InvalidName(
            f"version {version!r} is a reserved word",
            said=Message(N_("error.registry.reserved_version"), {"version": version}),
        )
    return version


def check_alias(alias: str) -> str:
    """An alias: a safe segment that is not reserved and does not look like a default
    version (so ``NAME@X`` never means two things)."""
    check_segment(alias, "alias")
    if alias in RESERVED or TIMESTAMP_VERSION.match(alias):
        raise InvalidName(
            f"alias {alias!r} is reserved or looks like a version",
            hint="pick a word such as 'production' or 'staging'",
            said=Message(N_("error.registry.reserved_alias"), {"alias": alias}),
        )
    return alias


def check_file_path(path: str) -> str:
    """A file's path inside a version: a safe relative key, not the manifest's."""
    try:
        validate_key(path)
    except InvalidKey as exc:
        raise InvalidModelFiles(
            f"file path {path!r} cannot be stored: {exc.message}",
            hint="name files with relative paths of letters, digits and '._-/'",
            said=Message(
                N_("error.registry.unstorable_path"), {"path": path[:200], "detail": exc.message}
            ),
        ) from None
    if ":" in path:  # a drive (``C:/x``) or a Windows stream (``x:y``) on a pull there
        raise InvalidModelFiles(
            f"file path {path!r} cannot be stored: a model file's path has no ':'",
            hint="name files with relative paths of letters, digits and '._-/'",
            said=Message(N_("error.registry.path_colon"), {"path": path[:200]}),
        )
    if path.casefold() == MANIFEST_PATH:  # one file on a case-insensitive disk
        raise InvalidModelFiles(
            f"a model file may not be called {path!r}: the registry writes {MANIFEST_PATH!r}"
            + ("" if path == MANIFEST_PATH else ", the same file on a case-insensitive disk"),
            hint="rename the file (its content can go in --metadata or a file of its own)",
            said=Message(N_("error.registry.manifest_name_taken"), {"name": MANIFEST_PATH}),
        )
    return path


def timestamp_version(now: datetime | None = None, attempt: int = 0) -> str:
    """``vYYYYMMDD_HHMMSS`` (UTC), with ``_2``, ``_3``... for later attempts in that second."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("v%Y%m%d_%H%M%S")
    return stamp if attempt == 0 else f"{stamp}_{attempt + 1}"


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``NAME``, ``NAME@VERSION`` or ``NAME@ALIAS`` -> (name, version-or-alias or None)."""
    name, at, selector = ref.partition("@")
    check_name(name)
    if at and not selector:
        raise InvalidName(
            f"{ref!r} names no version after '@'",
            hint="write NAME@VERSION",
            said=Message(N_("error.registry.no_version_after_at"), {"ref": ref[:70]}),
        )
    if selector:
        check_segment(selector, "version or alias")
    return name, selector or None
