"""Path-traversal payloads and their bypasses, shared by the traversal and file-write
classes of the vulnerability suite."""

from __future__ import annotations

from pathlib import Path

#: Each a way to climb out of a folder (or to look as if it could).
TRAVERSALS: dict[str, str] = {
    "dot-dot": "../escaped",
    "dot-dot deep": "a/../../escaped",
    "encoded %2e%2e": "%2e%2e/escaped",
    "encoded upper-case with %2F": "%2E%2E%2Fescaped",
    "double encoded": "%252e%252e/%252e%252e/escaped",
    "backslash": "..\\escaped",
    "backslash deep": "a\\..\\..\\escaped",
    "absolute": "/tmp/escaped",
    "drive letter": "C:\\escaped",
    "NUL": "ok\x00/../escaped",
    "full-width dots": "\uff0e\uff0e/escaped",
    "full-width slash": "..\uff0fescaped",
    "one-dot-leader dots": "\u2024\u2024/escaped",
    "right-to-left override": "\u202e../escaped",
    "overlong segment": "a" * 300,
    "overlong key": "a/" * 700 + "x",
    "trailing dot-dot": "a/b/..",
}
IDS = list(TRAVERSALS)
VALUES = list(TRAVERSALS.values())


def files_under(folder: Path) -> set[Path]:
    """Every file and link under ``folder`` (resolved paths), for before/after checks."""
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
