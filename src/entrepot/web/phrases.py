"""The engine's sentences in the page's language: a column's role and the reason for it, a
row's explanation, a job's progress.

The engine writes them in English (they are stored, and the API returns them as they are);
a page reads each through the pattern below that names its catalog key, with the numbers
rewritten as the language writes them. A sentence no pattern knows shows as it is (a test
runs the engine's sentences through these patterns, so a new one is noticed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from entrepot.i18n import Formats, Translator
from entrepot.web.message_keys import N_, Np_

_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?")


def _number(text: str, formats: Formats) -> str:
    """An English number (``1,148.01``) as ``formats`` writes it (``1 148,01``)."""
    if not _NUMBER.fullmatch(text):
        return text
    digits = len(text.partition(".")[2])
    return formats.number(float(text.replace(",", "")), digits)


#: Role reasons (fraud/schema/roles.py and analysis.py) -> key; groups fill its fields.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"every value is missing", N_("reason.all_missing")),
        (r"a single value (?P<value>.+)", N_("reason.single_value")),
        (r"parses as (?P<format>.+)", N_("reason.parses_as")),
        (r"two values", N_("reason.two_values")),
        (r"an identifier's name, a different integer on every row", N_("reason.id_named_unique")),
        (r"numeric with an amount-like name", N_("reason.amount_named")),
        (r"a different integer on every row", N_("reason.unique_integers")),
        (r"a different value on every row", N_("reason.unique_values")),
        (r"a different value on almost every row", N_("reason.near_unique_values")),
        (r"numbers the rows", N_("reason.row_numbers")),
        (r"repeated (?P<kind>customer|counterparty) id", N_("reason.repeated_entity")),
        (r"repeated id", N_("reason.repeated_id")),
        (r"integer codes with a category-like name", N_("reason.category_codes")),
        (r"a few id values", N_("reason.few_ids")),
        (r"numbers", N_("reason.numbers")),
        (r"(?P<count>\d+) distinct labels", Np_("reason.labels")),
        (r"(?P<count>\d+) distinct labels \(high cardinality\)", Np_("reason.labels_many")),
        (r"free text", N_("reason.free_text")),
        (r"the fraud label", N_("reason.label")),
        (r"each value goes with one class", N_("reason.leak")),
    )
)
#: Warnings of the analysis and of training (fraud/schema/analysis.py, fraud/train/training.py).
_WARNINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (
            r"column '(?P<column>.+)' determines the label exactly: it is derived from it "
            r"\(like a fraud-scenario code\) and is left out of the features",
            N_("warning.leak"),
        ),
        (r"(?P<count>\d+) rows have no label; training ignores them", Np_("warning.unlabelled")),
        (
            r"column '(?P<column>.+)' held (?P<count>\d+) infinite values?, read as missing",
            Np_("warning.infinite"),
        ),
        (
            r"the best model barely beats chance on validation \(AUPRC (?P<auprc>[\d.]+) vs a "
            r"fraud rate of (?P<rate>[\d.]+)\): the columns carry little signal about fraud",
            N_("warning.chance"),
        ),
        (
            r"a time-ordered split leaves validation or test with fewer than 5 frauds: the split "
            r"is stratified at random instead, which flatters the model",
            N_("warning.stratified"),
        ),
    )
)
#: Job progress (fraud_service/training.py, scoring.py, fraud/train/training.py).
_PROGRESS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"reading the dataset", N_("progress.reading")),
        (r"reading the analysts' decisions", N_("progress.reading_decisions")),
        (r"storing the model", N_("progress.storing_model")),
        (r"loading the model, matching the columns", N_("progress.loading_model")),
        (r"scoring", N_("progress.scoring")),
        (r"measuring drift", N_("progress.drift")),
        (r"storing the scores", N_("progress.storing_scores")),
        (r"matching the reference models", N_("progress.matching_references")),
        (r"keeping the ensemble as a model", N_("progress.keeping_ensemble")),
        (
            r"(?P<rows>\d+) rows, (?P<frauds>\d+) frauds; (?P<kind>\w+) split",
            N_("progress.split"),
        ),
        (r"(?P<count>\d+) features built in (?P<seconds>[\d.]+) s", Np_("progress.features")),
        (
            r"(?P<kind>\S+) \((?P<stage>[^)]*)\): validation AUPRC (?P<auprc>[\d.]+) "
            r"\((?P<seconds>[\d.]+) s\)",
            N_("progress.trial"),
        ),
        (
            r"test AUPRC (?P<auprc>[\d.]+), ROC-AUC (?P<roc>[\d.]+) in (?P<seconds>[\d.]+) s",
            N_("progress.tested"),
        ),
        (r"(?P<name>[\w.-]+): (?P<state>skipped|training|built)", N_("progress.reference")),
    )
)
#: Counts that take a plural form: field -> the key of its own words (None: the sentence's).
_PLURALS = {"count": None, "rows": Np_("datasets.row_count"), "frauds": Np_("progress.fraud_count")}
#: (key, field) whose value is itself a word to translate -> the words' key prefix.
_WORDS = {
    ("reason.repeated_entity", "kind"): "role.kind.",
    ("progress.split", "kind"): "progress.split_kind.",
    ("progress.reference", "state"): "progress.state.",
    ("progress.trial", "stage"): "trial.stage.",
}
#: The engine's words for a missing, true or false cell in an explanation.
_CELL_WORDS = {"missing": "common.missing", "yes": "common.yes", "no": "common.no"}
_RATIO = re.compile(r"(?P<head>.+), (?P<ratio>[\d.,]+) × this customer's (?P<days>\d+)-day mean")
_CELL = re.compile(r"(?P<label>.+) (?P<value>-?[\d,]+(?:\.\d+)?|missing|yes|no)")


@dataclass(frozen=True)
class Phrases:
    """The engine's sentences in one language."""

    t: Translator
    formats: Formats

    def _fill(self, key: str, match: re.Match[str]) -> str:
        values: dict[str, object] = {}
        count: int | None = None
        for name, text in match.groupdict().items():
            words = _WORDS.get((key, name))
            if name in _PLURALS and text.isdigit():
                own = _PLURALS[name]
                if own is None:
                    count = int(text)
                else:
                    values[name] = self.t.plural(own, int(text))
            elif words is not None:
                values[name] = self.t(words + text)
            else:
                values[name] = _number(text, self.formats)
        if count is not None:
            return self.t.plural(key, count, **values)
        return self.t(key, **values)

    def _read(self, text: str, patterns: tuple[tuple[re.Pattern[str], str], ...]) -> str:
        for pattern, key in patterns:
            match = pattern.fullmatch(text)
            if match:
                return self._fill(key, match)
        return text

    def reason(self, text: str | None) -> str:
        """Why a column has its role (``repeated customer id``)."""
        return self._read(text or "", _REASONS)

    def warning(self, text: str | None) -> str:
        """A warning of the analysis or of training (a column that leaks the label...)."""
        return self._read(text or "", _WARNINGS)

    def progress(self, text: str | None) -> str:
        """A job's progress message (``storing the model``)."""
        return self._read(text or "", _PROGRESS)

    def error(self, code: str | None, message: str, status: int | None = None) -> str:
        """A refusal or failure: in English the service's own message (it says what to do);
        in another language the sentence of its code, else of its HTTP status."""
        if self.t.lang == "en" or not code:
            return message
        for key in (f"error.{code}", f"error.status.{status or 400}", "error.status.400"):
            text = self.t(key)
            if text != key:
                return text
        return message

    def role(self, role: str, kind: str | None = None) -> str:
        """A column's role, with its kind of entity (``entity (customer)``)."""
        role_key, kind_key = f"role.{role}", f"role.kind.{kind}"
        name = self.t(role_key)
        return f"{name} ({self.t(kind_key)})" if kind else name

    def explanation(self, text: str | None) -> str:
        """A row's explanation: ``amount 1,148.01, 3.5 × this customer's 30-day mean; hour 3``
        (the column names, the user's data, stay as they are)."""
        parts = []
        for part in (text or "").split("; "):
            ratio = _RATIO.fullmatch(part)
            head = ratio.group("head") if ratio else part
            cell = _CELL.fullmatch(head)
            if cell:
                value = cell.group("value")
                word = self.t(_CELL_WORDS[value]) if value in _CELL_WORDS else None
                head = f"{cell.group('label')} {word or _number(value, self.formats)}"
            if ratio:
                head = self.t(
                    "explanation.ratio",
                    head=head,
                    ratio=_number(ratio.group("ratio"), self.formats),
                    days=ratio.group("days"),
                )
            parts.append(head)
        return ("\u202f; " if self.t.lang == "fr" else "; ").join(parts)
