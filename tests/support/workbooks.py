"""Workbooks as people keep them: a "read me" sheet first, the transactions after it."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def read_me_then_transactions(path: Path, *, rows: int = 40) -> Path:
    """A "Lisez-moi" sheet of two rows under its title, then "Transactions" with a label
    column ``fraude`` (every tenth row a fraud); written with openpyxl."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Lisez-moi"
    for line in ("Lisez-moi", "Export de mars", "Ne pas modifier"):
        notes.append([line])
    table = book.create_sheet("Transactions")
    table.append(["montant", "carte", "fraude"])
    for i in range(rows):
        table.append([round(10 + i * 1.5, 2), f"c{i % 7}", 1 if i % 10 == 0 else 0])
    book.save(path)
    return path
