"""How ``entrepot models show`` prints a version, from plain values: the local command and
the one on a deployed service (``cli/remote/models.py``) print the same lines."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.markup import escape
from rich.table import Table

from entrepot.cli.context import console
from entrepot.cli.output import human
from entrepot.registry.history import SUMMARY_KEY, describe
from entrepot.sizes import human_size


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
    m = manifest
    console.print(
        f"[bold]{name}@{version}[/]  {m['flavor']}  model file: {m.get('model_file') or '-'}"
    )
    console.print(f"pushed {created_at:%Y-%m-%d %H:%M:%S} UTC by {created_by}")
    console.print(f"aliases: {', '.join(aliases) or '-'}")
    console.print(f"signed by this installation: {'yes' if signed else 'no'}")
    console.print(f"manifest sha256: {manifest_sha256}")
    for title in ("metrics", "params", "tags", "lineage", "framework"):
        values = m.get(title)
        if values:
            console.print(f"{title}: {escape(human(dict(values)))}")
    if m.get("input_schema"):
        console.print("input: " + ", ".join(f"{c['name']}:{c['dtype']}" for c in m["input_schema"]))
    metadata = m.get("metadata") or {}
    if isinstance(training := metadata.get(SUMMARY_KEY), dict):
        console.print(escape("\n".join(describe(training))))
    if metadata:
        console.print("metadata: " + escape(json.dumps(dict(metadata), sort_keys=True)))
    table = Table("file", "size", "sha256", box=None)
    for f in files:
        table.add_row(f["path"], human_size(f["size"]), f["sha256"])
    console.print(table)
