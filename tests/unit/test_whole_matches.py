"""Names, keys and ids are checked whole: a pattern anchored with ``$`` and applied with
``match`` accepts a trailing newline (``prod\\n`` was stored as an alias), so every check of
an identifier uses ``fullmatch`` (issue 28)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrepot.registry.errors import InvalidName
from entrepot.registry.names import check_alias, check_name, check_version
from entrepot.storage.hashing import is_sha256

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"
#: ``NAME.match(`` where NAME is a module-level pattern ending in ``$``.
_ANCHORED = re.compile(r"""^(_[A-Z_]+) = re\.compile\(r?["'].*\$["']\)""", re.MULTILINE)


@pytest.mark.parametrize("check", [check_name, check_alias, check_version])
def test_a_trailing_newline_is_not_a_name(check: object) -> None:
    with pytest.raises(InvalidName):
        check("prod\n")  # type: ignore[operator]


def test_a_trailing_newline_is_no_digest() -> None:
    assert not is_sha256("a" * 64 + "\n")


def test_no_anchored_pattern_is_applied_with_match() -> None:
    found = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in _ANCHORED.findall(text):
            if f"{name}.match(" in text:
                found.append(f"{path.relative_to(SRC)}: {name}")
    assert found == [], "use fullmatch for these checks"
