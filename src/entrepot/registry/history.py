"""A training history pushed with a model, summarised into the version's metadata.

``training_history.json`` comes in the two shapes training loops write: a dict of
per-epoch lists (Keras' ``History.history``, most PyTorch loops) or a list of per-epoch
dicts (``[{"epoch": 1, "loss": ..., "val_loss": ...}, ...]``; ``epoch`` is taken as given,
else epochs count from 1). The summary: the number of epochs, the best epoch (lowest
validation loss, else the best validation metric) and, per metric, its final value and
its best one (lowest for losses and errors, highest otherwise). Non-finite and missing
values are skipped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from entrepot.messages import N_, Message, Size
from entrepot.registry.errors import InvalidModelFiles

#: The file name a history is recognised by (anywhere in the pushed tree).
HISTORY_FILE = "training_history.json"
#: The metadata key the summary is recorded under.
SUMMARY_KEY = "training"
#: Larger histories are refused rather than read into memory.
MAX_HISTORY_BYTES = 16 * 1024 * 1024

_LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "mape", "perplexity")
_VALIDATION = ("val_", "val/", "val-", "valid", "validation", "eval", "test_")


def summarize_file(path: Path) -> dict[str, Any]:
    """The summary of the history in ``path``; :class:`InvalidModelFiles` if it is not one."""
    if path.stat().st_size > MAX_HISTORY_BYTES:
        raise InvalidModelFiles(
            f"{path} is larger than {MAX_HISTORY_BYTES // (1024 * 1024)} MiB",
            hint=f"keep per-epoch values only, or rename it to push it without reading it "
            f"(a file named {HISTORY_FILE} is read as a training history)",
            said=Message(
                N_("error.registry.history_too_large"),
                {"file": str(path), "most": Size(MAX_HISTORY_BYTES), "name": HISTORY_FILE},
            ),
        )
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidModelFiles(
            f"{path} is not JSON ({exc})",
            hint=f"fix it, or rename it: {_SHAPES}",
            said=Message(
                N_("error.registry.history_not_json"), {"file": str(path), "detail": str(exc)}
            ),
        ) from None
    return summarize(_series(history, path))


_SHAPES = (
    "a training history is a dict of per-epoch lists ({'loss': [...], 'val_loss': [...]}) "
    "or a list of per-epoch dicts ([{'epoch': 1, 'loss': ...}, ...])"
)


def _series(history: Any, path: Path) -> tuple[list[int], dict[str, list[float | None]]]:
    """Epoch numbers and each metric's per-epoch values (``None`` where missing)."""
    if (
        isinstance(history, Mapping)
        and history
        and all(isinstance(v, list) for v in history.values())
    ):
        length = max(len(v) for v in history.values())
        epochs = list(range(1, length + 1))
        columns = {str(k): [_number(x) for x in v] for k, v in history.items() if k != "epoch"}
        if isinstance(history.get("epoch"), list) and len(history["epoch"]) == length:
            epochs = [_epoch(e, i) for i, e in enumerate(history["epoch"])]
        return epochs, columns
    if isinstance(history, list) and history and all(isinstance(e, Mapping) for e in history):
        names = sorted({str(k) for e in history for k in e if k != "epoch"})
        epochs = [_epoch(e.get("epoch"), i) for i, e in enumerate(history)]
        return epochs, {n: [_number(e.get(n)) for e in history] for n in names}
    raise InvalidModelFiles(
        f"{path} is not a training history",
        hint=f"{_SHAPES}; or rename it",
        said=Message(N_("error.registry.not_a_history"), {"file": str(path)}),
    )


def _epoch(value: Any, index: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else index + 1


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of ``metric`` is better (losses and errors)."""
    return any(word in metric.lower() for word in _LOWER_IS_BETTER)


def summarize(series: tuple[list[int], dict[str, list[float | None]]]) -> dict[str, Any]:
    """Epochs, best epoch and the final and best value of each metric."""
    epochs, columns = series
    final: dict[str, float] = {}
    best: dict[str, float] = {}
    for name, values in columns.items():
        present = [v for v in values if v is not None]
        if not present:
            continue
        final[name] = present[-1]
        best[name] = min(present) if lower_is_better(name) else max(present)
    summary: dict[str, Any] = {"epochs": len(epochs), "final": final, "best": best}
    monitor = _monitor([n for n in columns if n in final])
    if monitor is not None:
        values = columns[monitor]
        index = values.index(best[monitor])
        summary.update(best_epoch=epochs[index], monitor=monitor)
    return summary


def _monitor(names: list[str]) -> str | None:
    validation = [n for n in names if n.lower().startswith(_VALIDATION)]
    losses = [n for n in validation if "loss" in n.lower()]
    chosen = losses or validation
    return chosen[0] if chosen else None


def describe(summary: Mapping[str, Any]) -> list[str]:
    """The summary as lines for people (``entrepot models show``)."""
    best = summary.get("best", {})
    head = f"training: {summary.get('epochs', '?')} epochs"
    if "best_epoch" in summary:
        head += f", best epoch {summary['best_epoch']} (by {summary.get('monitor')})"
    lines = [head]
    for name, value in summary.get("final", {}).items():
        lines.append(f"  {name}: final {value:.4g}, best {best.get(name, value):.4g}")
    return lines
