"""How ``entrepot models show`` prints a version, from plain values: the local command and
the one on a deployed service (``cli/remote/models.py``) print the same lines."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console
from entrepot.cli.language import human_size, words
from entrepot.cli.output import human
from entrepot.messages import N_
from entrepot.registry.history import SUMMARY_KEY, describe

#: The manifest's sections a version shows, each under its name in the reader's language.
_SECTIONS = {
    "metrics": N_("cli.column.metrics"),
    "params": N_("cli.version.params"),
    "tags": N_("cli.version.tags"),
    "lineage": N_("cli.version.lineage"),
    "framework": N_("cli.version.framework"),
}


def print_version(
    *,
    name: str,
    version: str,
    created_at: datetime,
    created_by: str,
    signed: bool,
    manifest_sha256: str | None,
    aliases: Sequence[str],
    manifest: Mapping[str, Any],
    files: Sequence[Mapping[str, Any]],
) -> None:
    """Print a version: its row's facts, then its manifest (the JSON document), then its
    files (``path``, ``size``, ``sha256`` each)."""
    m, t = manifest, words()
    model_file = t("cli.version.model_file", file=m.get("model_file") or "-")
    console.print(Text.assemble((f"{name}@{version}", "bold"), f"  {m['flavor']}  {model_file}"))
    pushed = t("cli.version.pushed", at=f"{created_at:%Y-%m-%d %H:%M:%S}", by=created_by)
    console.print(pushed, markup=False)
    console.print(t("cli.version.aliases", aliases=", ".join(aliases) or "-"), markup=False)
    yes_no = t("cli.yes") if signed else t("cli.no")
    console.print(t("cli.version.signed", yes_no=yes_no), markup=False)
    console.print(t("cli.version.manifest", sha256=manifest_sha256), markup=False)
    for title, label in _SECTIONS.items():
        values = m.get(title)
        if values:
            console.print(t(label) + t("cli.head.colon") + human(dict(values)), markup=False)
    if m.get("input_schema"):
        inputs = ", ".join(f"{c['name']}:{c['dtype']}" for c in m["input_schema"])
        console.print(t("cli.version.input") + t("cli.head.colon") + inputs, markup=False)
    metadata = m.get("metadata") or {}
    if isinstance(training := metadata.get(SUMMARY_KEY), dict):
        console.print(escape("\n".join(describe(training))))
    if metadata:
        shown = json.dumps(dict(metadata), sort_keys=True)
        console.print(t("cli.version.metadata") + t("cli.head.colon") + shown, markup=False)
    table = Table(t("cli.version.file"), t("cli.column.size"), "sha256", box=None)
    for f in files:
        table.add_row(f["path"], human_size(f["size"]), f["sha256"])
    console.print(table)
