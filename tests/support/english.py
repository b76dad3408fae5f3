"""English interface words left on a page that should be French: the walk tests' check."""

from __future__ import annotations

import re
from collections.abc import Set
from html.parser import HTMLParser

#: Words of the English interface that no French page should show.
ENGLISH = {
    "the", "and", "of", "with", "your", "you", "is", "are", "not", "yes", "no", "none",
    "row", "rows", "column", "columns", "upload", "download", "delete", "dataset",
    "datasets", "model", "models", "training", "reading", "storing", "matching",
    "failed", "succeeded", "queued", "running", "error", "warning", "missing", "label",
    "customer", "counterparty", "amount", "day", "days", "hour", "mean", "rate", "high",
    "low", "medium", "risk", "unknown", "identifier", "target", "time", "weekday",
    "precision", "recall", "threshold", "flagged", "share", "users", "admins",
    "trial", "basic", "unlimited", "sign", "history", "profile", "default", "tuned",
    "token", "tokens", "page", "previous", "next", "because", "above", "below", "than",
    "over", "since", "for", "from", "this", "that", "ratio", "count", "area",
}  # fmt: skip
VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area", "base"}
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}


class _Text(HTMLParser):
    """The text a reader meets: text nodes and labelling attributes, not scripts, code or
    what the page marks as data (``translate="no"``: column names, the file's rows)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

        self._open: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        skip = tag in {"script", "style", "code", "pre"} or ("translate", "no") in attrs
        self._open.append(skip)
        self._skip += skip
        if not self._skip:
            self.parts.extend(v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._skip -= self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(html: str, allowed: Set[str] = frozenset()) -> list[str]:
    """The English interface words in the page's visible text (but the ``allowed`` ones)."""
    parser = _Text()
    parser.feed(html)
    # Identifiers and file names (customer_id, history.csv) are the user's data: skipped.
    tokens = re.findall(r"[\w.@'-]+", " ".join(parser.parts))
    words = [w.strip(".'-") for w in tokens if not re.search(r"[_@\d]|\w\.\w", w)]
    return sorted({w for w in words if w.lower() in ENGLISH and w not in allowed})
