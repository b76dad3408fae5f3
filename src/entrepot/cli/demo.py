"""``entrepot demo``: the main job on embedded defaults, end to end."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, current_app
from entrepot.cli.language import human_size, words
from entrepot.messages import Np_


def _sample_csv(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["transaction_id", "customer_id", "amount", "fraud"])
    for i in range(rows):
        writer.writerow(
            [i, rng.randrange(500), f"{rng.lognormvariate(3, 1):.2f}", int(rng.random() < 0.01)]
        )
    return out.getvalue().encode()


def demo() -> None:
    """Write, list, verify and read back a few objects through the catalog and the store."""

    app = current_app()
    started = time.perf_counter()
    revision = app.catalog.migrate()
    t = words()
    console.print(
        Text.assemble(
            (t("cli.column.store"), "bold"),
            f" {app.objects.store_url}  ",
            (t("cli.head.catalog"), "bold"),
            " " + t("cli.demo.revision", revision=revision),
        )
    )
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{random.randrange(16**6):06x}"
    prefix = f"files/demo/{run}"
    payloads = {
        f"{prefix}/transactions.csv": _sample_csv(20_000, seed=42),
        f"{prefix}/summary.json": json.dumps({"run": run, "rows": 20_000}).encode(),
        f"{prefix}/blob.bin": random.Random(7).randbytes(4 * 1024 * 1024),
    }
    for key, data in payloads.items():
        record = app.objects.put(key, data, kind="file", owner=None)
        size, sha = human_size(record.size), record.sha256[:12]
        console.print(Text("  " + t("cli.demo.put", key=record.key, size=size, sha256=sha)))

    title = Text(t("cli.demo.listing", prefix=f"{prefix}/"))
    table = Table(t("cli.column.key"), t("cli.column.size"), "sha256", title=title, box=None)
    for info in app.objects.keys(prefix):
        table.add_row(Text(info.key), human_size(info.size), (info.sha256 or "")[:12])
    console.print(table)

    report = app.operations.maintenance.verify(deep=True, prefix=prefix).report
    verdict = t("cli.verify.all_verified") if report.ok else t("cli.demo.problems")
    said = t.plural(Np_("cli.demo.verified"), report.checked, verdict=verdict)
    console.print("  " + said, markup=False)
    for key, data in payloads.items():
        if app.objects.get(key) != data:
            raise RuntimeError(f"read back different bytes for {key}")
    console.print("  " + t.plural(Np_("cli.demo.read_back"), len(payloads)), markup=False)
    took = f"{time.perf_counter() - started:.2f}"
    then = t("cli.demo.done_then", seconds=took, prefix=prefix)
    console.print(Text.assemble((t("cli.demo.done"), "green"), " ", then))
