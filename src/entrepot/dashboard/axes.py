"""Round ticks for a second value axis: Plotly picks a right axis's ticks on its own, which
gives steps such as 0.35 or 1.4 that match nothing on the left; a reader expects 0, 0.2,
0.4… or 0, 5, 10…. The axis starts at zero and ends on a whole number of steps of 1, 2 or
5 times a power of ten, about five of them; its grid is left to the main axis."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

#: About this many steps from zero to the top of the axis.
STEPS = 5


def round_step(top: float, steps: int = STEPS) -> float:
    """The step of 1, 2 or 5 times a power of ten that cuts ``[0, top]`` into about
    ``steps`` (at most ``steps``) parts; ``1`` for an axis with nothing above zero."""
    if not math.isfinite(top) or top <= 0:
        return 1.0
    raw = top / steps
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw * (1 - 1e-12):
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - 10 always covers raw


def round_axis(values: Iterable[Any]) -> dict[str, Any]:
    """A Plotly axis (the part about ticks) for ``values`` (``None`` and NaN left out):
    from zero to a whole number of round steps, each step a tick."""
    found = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    top = max(found, default=0.0)
    step = round_step(top)
    end = step * max(1, math.ceil(top / step - 1e-9))
    return {"range": [0, end], "tick0": 0, "dtick": step, "showgrid": False}
