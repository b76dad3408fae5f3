"""A model version pushed from a client (``entrepot models push`` on a deployed service,
ADR 0057): what the client declares (the version's options and each file's path, size and
sha256), and its files unpacked from the uploaded ZIP, each checked against what was
declared before the registry sees any of them.

The rules of the push itself stay the registry's (names, flavor, the write protocol); the
ones added here are a client's: nothing but the declared files, each of its declared size
and sha256, no path that leaves the folder, no more bytes than the upload limit once
unpacked. A version is signed by this installation's key ring only when none of its files
would be unpickled: a pickle a client sent is code this service did not write, and a
signature would have the service run it (``registry/load.py``).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entrepot.accounts.errors import DatasetTooLarge
from entrepot.messages import N_, Message, Size
from entrepot.registry.errors import InvalidModelFiles
from entrepot.registry.flavors import holds_pickle, is_pickle
from entrepot.registry.names import MANIFEST_PATH, check_file_path
from entrepot.sizes import human_size
from entrepot.storage.hashing import copy_counted, is_sha256

#: Bytes copied at a time out of the archive.
CHUNK = 1024 * 1024
#: The most files one version may hold when pushed from a client.
MAX_FILES = 10_000


class PushMismatch(InvalidModelFiles):
    """The uploaded files are not the ones the push declared (a file missing, extra, of
    another size or sha256): nothing is stored."""

    hint = "push again; if it persists, the files changed while they were being sent"


class PushTooLarge(DatasetTooLarge):
    """The files of a push add up to more than the service takes (however small their
    archive): nothing is read out of it."""

    hint = "push a smaller model, or ask the service's operator for a larger upload limit"


@dataclass(frozen=True)
class DeclaredFile:
    """One file as the client declared it."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PushForm:
    """What a client sends beside the archive: the options of ``entrepot models push``
    (as the user gave them: the registry checks them as it does locally) and the files."""

    name: str
    files: tuple[DeclaredFile, ...]
    version: str | None = None
    flavor: str | None = None
    model_file: str | None = None
    metrics: Mapping[str, float] | None = None
    params: Mapping[str, str] | None = None
    tags: Mapping[str, str] | None = None
    lineage: Mapping[str, str] | None = None
    metadata: Mapping[str, Any] | None = None
    input_schema: tuple[tuple[str, str], ...] | None = None
    #: ``False``: the client asked for no signature (``--untrusted``).
    sign: bool = True

    @property
    def total(self) -> int:
        """The declared bytes of every file."""
        return sum(f.size for f in self.files)

    def signable(self, unpacked: Path) -> bool:
        """Whether this installation may sign the version unpacked under ``unpacked``:
        asked, and no file a pickle, judged by name and by content (ADR 0062)."""
        return self.sign and not any(
            is_pickle(f.path) or holds_pickle(unpacked / f.path) for f in self.files
        )


def parse_form(text: str) -> PushForm:
    """The :class:`PushForm` of the JSON ``text``; an :class:`InvalidModelFiles` saying
    what is wrong otherwise."""
    try:
        raw = json.loads(text)
    except ValueError:
        raise InvalidModelFiles(
            "the push's description is not JSON", said=Message(N_("error.push.description_json"))
        ) from None
    if not isinstance(raw, dict):
        raise InvalidModelFiles(
            "the push's description must be a JSON object",
            said=Message(N_("error.push.description_object")),
        )
    name = raw.get("name")
    if not isinstance(name, str):
        raise InvalidModelFiles(
            "the push names no model ('name')", said=Message(N_("error.push.no_name"))
        )
    listed = raw.get("files")
    if not isinstance(listed, list) or not listed:
        raise InvalidModelFiles(
            "the push lists no files ('files')", said=Message(N_("error.push.no_files"))
        )
    if len(listed) > MAX_FILES:
        raise InvalidModelFiles(
            f"a version holds at most {MAX_FILES} files",
            said=Message(N_("error.push.too_many_files"), {"most": MAX_FILES}),
        )
    files = tuple(_declared(item) for item in listed)
    if len({f.path for f in files}) != len(files):
        raise InvalidModelFiles(
            "the push lists a file twice", said=Message(N_("error.push.file_twice"))
        )
    schema = raw.get("input_schema")
    return PushForm(
        name=name,
        files=files,
        version=_text_or_none(raw, "version"),
        flavor=_text_or_none(raw, "flavor"),
        model_file=_text_or_none(raw, "model_file"),
        metrics=_mapping(raw, "metrics"),
        params=_mapping(raw, "params"),
        tags=_mapping(raw, "tags"),
        lineage=_mapping(raw, "lineage"),
        metadata=_mapping(raw, "metadata"),
        input_schema=None if schema is None else _schema(schema),
        sign=raw.get("sign", True) is not False,
    )


def unpack(archive: Path, form: PushForm, into: Path, limit: int) -> None:
    """Write each declared file of the ZIP ``archive`` under the folder ``into``, checked
    as it is copied: exactly the declared files, each of its declared size and sha256, at
    most ``limit`` bytes in all; a :class:`PushMismatch` (or :class:`InvalidModelFiles`)
    otherwise (:class:`PushTooLarge` past ``limit``), and the caller removes ``into``."""
    if form.total > limit:
        raise PushTooLarge(
            f"the files add up to {human_size(form.total)}; this service takes pushes up to "
            f"{human_size(limit)}",
            said=Message(
                N_("error.push.too_large"), {"size": Size(form.total), "limit": Size(limit)}
            ),
        )
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise InvalidModelFiles(
            "the push's file is not a ZIP archive", said=Message(N_("error.push.not_zip"))
        ) from None
    with zipped:
        members = {i.filename: i for i in zipped.infolist() if not i.is_dir()}
        declared = {f.path: f for f in form.files}
        if set(members) != set(declared):
            extra = sorted(set(members) - set(declared))[:3]
            missing = sorted(set(declared) - set(members))[:3]
            raise PushMismatch(
                "the archive does not hold the files the push lists"
                + (f"; not listed: {', '.join(extra)}" if extra else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""),
                said=Message(
                    N_("error.push.mismatch"),
                    {"extra": ", ".join(extra), "missing": ", ".join(missing)},
                ),
            )
        for path, entry in sorted(declared.items()):
            target = into.joinpath(*path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(members[path]) as source, target.open("xb") as sink:
                size, digest = copy_counted(iter(lambda: source.read(CHUNK), b""), sink, entry.size)
            if size != entry.size or digest != entry.sha256:
                raise PushMismatch(
                    f"{path!r} as received does not match what the push declared "
                    f"({entry.size} bytes, sha256 {entry.sha256}); nothing was stored",
                    said=Message(
                        N_("error.push.file_changed"),
                        {"path": path, "size": entry.size, "sha256": entry.sha256},
                    ),
                )


def _declared(item: Any) -> DeclaredFile:
    if not isinstance(item, dict):
        raise InvalidModelFiles(
            "each file of the push is an object with path, size, sha256",
            said=Message(N_("error.push.file_entry")),
        )
    path, size, sha256 = item.get("path"), item.get("size"), item.get("sha256")
    if not isinstance(path, str) or path == MANIFEST_PATH:
        raise InvalidModelFiles(
            f"the push lists a file without a usable path: {path!r}",
            said=Message(N_("error.push.file_path"), {"path": str(path)[:200]}),
        )
    check_file_path(path)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidModelFiles(
            f"the size of {path!r} must be a whole number of bytes",
            said=Message(N_("error.push.file_size"), {"path": str(path)[:200]}),
        )
    if not isinstance(sha256, str) or not is_sha256(sha256):
        raise InvalidModelFiles(
            f"the sha256 of {path!r} must be 64 lowercase hex digits",
            said=Message(N_("error.push.file_sha256"), {"path": str(path)[:200]}),
        )
    return DeclaredFile(path, size, sha256)


def _text_or_none(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidModelFiles(
            f"'{key}' of the push must be text",
            said=Message(N_("error.push.field_text"), {"field": key}),
        )
    return value


def _mapping(raw: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidModelFiles(
            f"'{key}' of the push must be a JSON object",
            said=Message(N_("error.push.field_object"), {"field": key}),
        )
    return value


def _schema(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in value
    ):
        raise InvalidModelFiles(
            "'input_schema' of the push must list [column, type] pairs",
            said=Message(N_("error.push.input_schema")),
        )
    return tuple((p[0], p[1]) for p in value)
