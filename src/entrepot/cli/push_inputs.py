"""What ``entrepot models push`` reads besides the model's files: KEY=VALUE pairs, metrics
and the JSON files of metadata and input schema, each refused with a clear error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entrepot.messages import N_, Message, Param, Word
from entrepot.registry.errors import InvalidModelFiles, MissingModelFiles


@dataclass(frozen=True)
class PushInputs:
    """What ``models push`` was given besides the files and the name, read and checked."""

    version: str | None
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]
    lineage: dict[str, str]
    metadata: dict[str, Any] | None
    input_schema: list[tuple[str, str]] | None
    flavor: str | None
    model_file: str | None
    sign: bool

    def options(self) -> dict[str, Any]:
        """The push's options by name, as ``Registry.push`` takes them."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def pairs(values: list[str] | None, what: str) -> dict[str, str]:
    """``--WHAT KEY=VALUE`` options as a dict."""
    found: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidModelFiles(
                f"--{what} {item!r} is not KEY=VALUE",
                said=Message(
                    N_("error.cli.option_not_pair"), {"option": what, "given": repr(item)}
                ),
            )
        found[key] = value
    return found


def metrics(file: Path | None, values: list[str] | None) -> dict[str, float]:
    """The metrics of a JSON file of metric: number, then of ``--metric KEY=NUMBER``."""
    found: dict[str, Any] = {}
    if file is not None:
        loaded = json_file(file, "metrics")
        if not isinstance(loaded, dict):
            raise InvalidModelFiles(
                f"{file} must hold a JSON object of metric: number",
                said=Message(N_("error.cli.metrics_not_object"), {"file": str(file)}),
            )
        found.update(loaded)
    for key, text in pairs(values, "metric").items():
        try:
            found[key] = float(text)
        except ValueError:
            raise InvalidModelFiles(
                f"--metric {key}={text!r}: not a number",
                said=Message(N_("error.cli.metric_not_number"), {"name": key, "given": repr(text)}),
            ) from None
    return found


def json_file(file: Path | None, what: str) -> Any:
    """The JSON document in ``file`` (``None`` without one)."""
    if file is None:
        return None
    if not file.exists():
        raise MissingModelFiles(
            f"no {what} file at {file}",
            said=Message(
                N_("error.cli.push_file_missing"), {"what": _what(what), "file": str(file)}
            ),
        )
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidModelFiles(
            f"cannot read {what} from {file}: {exc}",
            said=Message(
                N_("error.cli.push_file_unreadable"),
                {"what": _what(what), "file": str(file), "detail": str(exc)},
            ),
        ) from None


def schema(file: Path | None) -> list[tuple[str, str]] | None:
    """The (column, type) pairs of an input schema file: an object of column: type, or a
    list of objects with name and dtype."""
    raw = json_file(file, "the input schema")
    if raw is None:
        return None
    if isinstance(raw, dict):
        return [(str(k), str(v)) for k, v in raw.items()]
    if isinstance(raw, list) and all(isinstance(c, dict) for c in raw):
        return [(str(c.get("name")), str(c.get("dtype"))) for c in raw]
    raise InvalidModelFiles(
        f"{file} must map column names to types, or list objects with name and dtype",
        said=Message(N_("error.cli.schema_not_columns"), {"file": str(file)}),
    )


#: The words of the files a push reads, as the reader's language says them.
_WHAT_WORDS = {
    "metadata": N_("cli.push_file.metadata"),
    "metrics": N_("cli.push_file.metrics"),
    "the input schema": N_("cli.push_file.input_schema"),
}


def _what(what: str) -> Param:
    """``what`` as a word of the reader's language (as it is when it has none)."""
    key = _WHAT_WORDS.get(what)
    return what if key is None else Word(key)
