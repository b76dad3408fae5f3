"""Two metrics documents, value by value: every path whose values differ.

Numbers are equal within one step of the precision the product shows them at (a
``465.0`` is compared to 0.1, a ``2.771`` to 0.001): both sides round to the documented
digits, and sums taken in another order may fall either side of a rounding boundary.
"""

from __future__ import annotations

from typing import Any


def _step(value: float) -> float:
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 1e-9
    return 1.01 * 10.0 ** -len(text.split(".")[1])


def differences(got: Any, expected: Any, path: str = "") -> list[str]:
    """``path: got != expected`` for every leaf that differs (``[]`` when equal)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out = [f"{path}/{k}: missing" for k in expected if k not in got]
        out += [f"{path}/{k}: unexpected" for k in got if k not in expected]
        for key in expected:
            if key in got:
                out += differences(got[key], expected[key], f"{path}/{key}")
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(got) != len(expected):
            return [f"{path}: {len(got)} items != {len(expected)}: {got!r} != {expected!r}"]
        out = []
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            out += differences(a, b, f"{path}/{i}")
        return out
    numbers = (int, float)
    if (
        isinstance(got, numbers)
        and isinstance(expected, numbers)
        and not isinstance(got, bool)
        and not isinstance(expected, bool)
    ):
        if abs(float(got) - float(expected)) <= _step(got):
            return []
        return [f"{path}: {got!r} != {expected!r}"]
    return [] if got == expected else [f"{path}: {got!r} != {expected!r}"]
