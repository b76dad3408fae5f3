"""What a push stores, checked before anything is: files, names, metrics and JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entrepot.catalog.text import refuse_bad_text
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidModelFiles, MissingModelFiles
from entrepot.registry.flavors import detect
from entrepot.registry.history import HISTORY_FILE, SUMMARY_KEY, summarize_file
from entrepot.registry.manifest import Column
from entrepot.registry.names import check_file_path, check_name, check_version, named


@dataclass(frozen=True)
class PushRequest:
    """Everything a push stores, checked by :func:`prepare`."""

    name: str
    version: str | None
    files: Mapping[str, Path]
    flavor: str
    model_file: str | None
    metrics: Mapping[str, float]
    params: Mapping[str, str]
    tags: Mapping[str, str]
    metadata: Mapping[str, Any]
    input_schema: tuple[Column, ...]
    lineage: Mapping[str, str]
    sign: bool


def prepare(
    paths: Sequence[str | Path],
    name: str,
    *,
    version: str | None = None,
    flavor: str | None = None,
    model_file: str | None = None,
    metrics: Mapping[str, float] | None = None,
    params: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    input_schema: Iterable[tuple[str, str]] | None = None,
    lineage: Mapping[str, str] | None = None,
    sign: bool = True,
) -> PushRequest:
    """Check every input of a push; raises before anything is stored."""
    check_name(name)
    if version is not None:
        check_version(version)
    files = collect_files(paths)
    kind, main = detect(files, flavor=flavor, model_file=model_file)
    meta = dict(metadata or {})
    given = dict(metrics or {})
    history = next(
        (f for path, f in files.items() if path.rsplit("/", 1)[-1] == HISTORY_FILE), None
    )
    if history is not None:  # the user's --metadata and --metric win over the summary
        summary = summarize_file(history)
        meta = {SUMMARY_KEY: summary, **meta}
        given = {**summary["final"], **given}
    refuse_bad_text(meta, what="the metadata")
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidModelFiles(
            f"metadata must be plain JSON: {exc}",
            said=Message(N_("error.registry.metadata_not_json"), {"detail": str(exc)}),
        ) from None
    return PushRequest(
        name=name,
        version=version,
        files=files,
        flavor=kind,
        model_file=main,
        metrics=_metrics(given),
        params=_texts(params or {}, "param"),
        tags=_texts(tags or {}, "tag"),
        metadata=meta,
        input_schema=_schema(input_schema or ()),
        lineage=_texts(lineage or {}, "lineage"),
        sign=sign,
    )


def collect_files(paths: Sequence[str | Path]) -> dict[str, Path]:
    """Path in the version -> local file: a file keeps its name, a folder its tree."""
    found: dict[str, Path] = {}
    for given in paths:
        local = Path(given)
        if local.is_dir():
            pairs = [(f.relative_to(local).as_posix(), f) for f in sorted(local.rglob("*"))]
            pairs = [(p, f) for p, f in pairs if f.is_file()]
            _refuse_links_out(local, pairs)
        elif local.is_file():
            pairs = [(local.name, local)]
        else:
            raise MissingModelFiles(
                f"no file or folder at {given}",
                said=Message(N_("error.registry.nothing_at"), {"path": str(given)}),
            )
        for path, file in pairs:
            check_file_path(path)
            if path in found:
                raise InvalidModelFiles(
                    f"two files would be stored as {path!r}: {found[path]} and {file}",
                    hint="rename one, or push their folder instead",
                    said=Message(
                        N_("error.registry.same_stored_path"),
                        {"path": path, "first": str(found[path]), "second": str(file)},
                    ),
                )
            found[path] = file
    if not found:
        raise InvalidModelFiles(
            "nothing to push: no files were given (or the folders are empty)",
            said=Message(N_("error.registry.nothing_to_push")),
        )
    return found


def _refuse_links_out(folder: Path, pairs: Sequence[tuple[str, Path]]) -> None:
    """Refuse a file of ``folder`` that is a link (or under a linked folder) leading out
    of it: pushing it would copy whatever it points at (a key, a password file) into the
    store, where anyone who pulls the version reads it."""
    root = folder.resolve()
    for path, file in pairs:
        if not file.resolve().is_relative_to(root):
            raise InvalidModelFiles(
                f"{path!r} in {folder} is a symbolic link to {file.resolve()}, outside the "
                "folder: refusing to push what it points at",
                hint="copy the file into the folder if it belongs to the model, or remove the link",
                said=Message(
                    N_("error.registry.link_out_of_folder"),
                    {"path": path, "folder": str(folder), "target": str(file.resolve())},
                ),
            )


def _metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    clean: dict[str, float] = {}
    for key, value in metrics.items():
        _label(key, "metric")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidModelFiles(
                f"metric {key!r} must be a finite number, not {value!r}",
                hint="put other values in params, tags or metadata",
                said=Message(
                    N_("error.registry.metric_not_number"),
                    {"metric": key, "value": repr(value)[:70]},
                ),
            )
        clean[key] = float(value)
    return clean


def _texts(values: Mapping[str, Any], what: str) -> dict[str, str]:
    clean: dict[str, str] = {}
    for key, value in values.items():
        _label(key, what)
        if not isinstance(value, str | int | float | bool):
            raise InvalidModelFiles(
                f"{what} {key!r} must be text, not {type(value).__name__}",
                said=Message(
                    N_("error.registry.value_not_text"),
                    {"what": named(what), "name": key, "kind": type(value).__name__},
                ),
            )
        clean[key] = str(value)
        refuse_bad_text(clean[key], what=f"{what} {key!r}")
    return clean


def _label(key: Any, what: str) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= 128 or not key.isprintable():
        raise InvalidModelFiles(
            f"{what} name {key!r} must be 1 to 128 printable characters",
            said=Message(
                N_("error.registry.bad_label"), {"what": named(what), "name": str(key)[:130]}
            ),
        )


def _schema(columns: Iterable[tuple[str, str]]) -> tuple[Column, ...]:
    clean = []
    for pair in columns:
        name, dtype = pair
        _label(name, "input column")
        _label(dtype, f"type of input column {name!r}")
        clean.append(Column(name, dtype))
    if len({c.name for c in clean}) != len(clean):
        raise InvalidModelFiles(
            "the input schema names a column twice", said=Message(N_("error.registry.column_twice"))
        )
    return tuple(clean)
