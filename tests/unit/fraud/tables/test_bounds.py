"""Compressed tables are refused from their declared sizes, before they are inflated."""

from __future__ import annotations

import io
import zipfile

import pytest

from entrepot.fraud.tables.bounds import InflatesTooMuch, TooManyRows, check_xlsx


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


def workbook(rows: int, *, declared: int | None = None) -> bytes:
    """A real workbook of ``rows`` data rows; ``declared`` rewrites the row count its sheet
    declares (a dimension can lie)."""
    import pandas as pd

    buffer = io.BytesIO()
    frame = pd.DataFrame({"amount": [float(i) for i in range(rows)], "id": range(rows)})
    frame.to_excel(buffer, index=False, engine="openpyxl")
    if declared is None:
        return buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        f'ref="A1:B{rows + 1}"', f'ref="A1:B{declared + 1}"'
    ).encode()
    return archive(members)


@pytest.fixture
def cap(monkeypatch: pytest.MonkeyPatch) -> int:
    from entrepot.fraud.tables import bounds, io

    monkeypatch.setattr(bounds, "MAX_XLSX_ROWS", 50)
    monkeypatch.setattr(io, "MAX_XLSX_ROWS", 50)
    return 50


def test_a_sheet_of_more_rows_than_the_cap_is_refused_asking_for_a_csv(cap: int) -> None:
    from entrepot.fraud.tables.io import read_bytes

    assert len(read_bytes(workbook(cap), name="ok.xlsx")) == cap
    with pytest.raises(TooManyRows, match="more than 50 rows") as refused:
        read_bytes(workbook(cap + 1), name="long.xlsx")
    assert "CSV" in refused.value.hint


def test_a_sheet_whose_dimension_lies_is_counted_before_openpyxl_reads_it(cap: int) -> None:
    from entrepot.fraud.tables.io import read_bytes, xlsx_rows

    lying = workbook(cap + 10, declared=2)
    assert xlsx_rows(lying) == cap + 10  # the rows counted in its XML, not the 2 it declares
    with pytest.raises(TooManyRows, match=r"long\.xlsx"):
        read_bytes(lying, name="long.xlsx")


def test_a_sheet_is_refused_while_read_when_its_count_is_missed(
    cap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrepot.fraud.tables import io

    monkeypatch.setattr(io, "xlsx_rows", lambda data, sheet=0: 0)
    with pytest.raises(TooManyRows, match=r"long\.xlsx"):
        io.read_bytes(workbook(cap + 10), name="long.xlsx")
