"""``db copy`` into a SQLite file on a disk that fills up (a real tmpfs, mounted as root):
a clear error naming the cause, the source untouched, and once the disk has room again,
``--resume`` finishes the copy with every digest equal."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, insert

from entrepot.catalog.copy.errors import CopyInterrupted
from entrepot.catalog.copy.service import CatalogCopy
from entrepot.catalog.objects.tables import ObjectRow
from tests.support.catalog import migrated_engine
from tests.support.catalog_fill import catalog_digests, fill_catalog
from tests.support.disks import tiny_tmpfs

OBJECTS = cast(Table, ObjectRow.__table__)


def test_a_full_disk_stops_the_copy_resumably(tmp_path: Path) -> None:
    source = migrated_engine(tmp_path / "source")
    fill_catalog(source, rows=5)
    now = datetime.now(UTC)
    with source.begin() as connection:  # about 6 MB of object rows
        connection.execute(
            insert(OBJECTS),
            [
                {"key": f"datasets/{i:06d}/{'x' * 200}.csv", "sha256": f"{i:064x}", "size": i,
                 "owner": "", "kind": "file", "state": "stored", "created_at": now}
                for i in range(1000, 21_000)
            ],
        )  # fmt: skip
    expected = catalog_digests(source)
    with tiny_tmpfs(tmp_path, "2m") as disk:
        target = migrated_engine(disk)
        with pytest.raises(CopyInterrupted, match="full") as caught:
            CatalogCopy(source, target, batch_size=1000).run()
        assert "--resume" in str(caught.value) and "objects" in str(caught.value)
        assert catalog_digests(source) == expected
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        target.dispose()
        report = CatalogCopy(source, target, batch_size=1000).run(resume=True)
        assert report.ok and report.resumed
        assert catalog_digests(target) == expected
        target.dispose()
