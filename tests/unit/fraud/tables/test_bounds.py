"""Compressed tables are refused from their declared sizes, before they are inflated."""

from __future__ import annotations

import io
import zipfile

import pytest

from entrepot.fraud.tables.bounds import InflatesTooMuch, check_xlsx


def archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_member_compressed_past_the_ratio_is_refused() -> None:
    bomb = archive({"xl/worksheets/sheet1.xml": b"<row/>" * 2_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(InflatesTooMuch, match="compressed"):
        check_xlsx(bomb, "bomb.xlsx")


def test_the_inflated_total_counts_against_the_limit() -> None:
    data = archive({f"m{i}.xml": bytes(range(256)) * 400 for i in range(5)})
    check_xlsx(data, "ok.xlsx", max_inflated=5 * 256 * 400)
    with pytest.raises(InflatesTooMuch, match="inflates to more than"):
        check_xlsx(data, "big.xlsx", max_inflated=5 * 256 * 400 - 1)


def test_small_members_may_compress_well() -> None:
    check_xlsx(archive({"styles.xml": b" " * 500_000}), "ok.xlsx")
