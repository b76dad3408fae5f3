"""A message of the city pipeline: a stable key and typed parameters, never a sentence.

The pipeline stores ``{"key": "city.alert.congestion", "params": {"congested": 12,
"blocked": 3}}`` (ADR 0037); a reader writes it in its own language with
:func:`render`. Parameters are numbers as numbers, counts as ints, names as text, or
another message (an arc's place, an impact's level). A message with a ``count`` takes
the plural form of that count; a ``nth`` is written as an ordinal (``1er``, ``2nd``).

Anything else a document holds where a message is expected (the French sentence a
document of the previous release stored) is shown as it is, never parsed.

The codes the pipeline stores are here too: levels, traffic states, impact levels, alert
sources, kinds of weather, roadworks impacts and places; :func:`word` gives a code's
message, :func:`place` and :func:`arc` name a place or a counted arc for people (never a
raw id or a postal code alone). :data:`MESSAGES` lists every key the pipeline emits with
its parameters: each has an English and a French entry filling the same fields. The
French words the documents also keep beside the codes (``"level": "critique"``) are for
the API's clients of the previous release; no reader turns them back into codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from entrepot.i18n import Formats, Translator
from entrepot.i18n.catalogs import N_, Np_

#: CLDR's ordinal categories -> the key writing a rank (``1er``, ``11e``; ``1st``, ``2nd``).
ORDINALS = {
    "one": N_("city.ordinal.one"),
    "two": N_("city.ordinal.two"),
    "few": N_("city.ordinal.few"),
    "other": N_("city.ordinal.other"),
}


@dataclass(frozen=True)
class Message:
    """A stable key and its parameters, stored as ``{"key": ..., "params": {...}}``."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored form: nested messages stored the same way."""
        return {
            "key": self.key,
            "params": {
                name: value.to_json() if isinstance(value, Message) else value
                for name, value in self.params.items()
            },
        }

    @classmethod
    def from_json(cls, value: object) -> Message | None:
        """The message ``value`` stores, or None when it is not one (plain text, None)."""
        if not isinstance(value, Mapping) or set(value) != {"key", "params"}:
            return None
        key, params = value["key"], value["params"]
        if not isinstance(key, str) or not isinstance(params, Mapping):
            return None
        return cls(key, {str(name): _param(item) for name, item in params.items()})


Param: TypeAlias = int | float | str | Message


class Note(str):
    """A data-quality warning: its English text for the operator (a document's
    ``warnings``) carrying its :class:`Message` for people (``warning_messages``) and the
    local hours it concerns, if any (``missing_hours``)."""

    message: Message
    hours: tuple[int, ...]

    def __new__(
        cls, text: str, key: str, *, at_hours: tuple[int, ...] = (), **params: Param
    ) -> Note:
        note = super().__new__(cls, text)
        note.message = Message(key, params)
        note.hours = at_hours
        return note


def notes_fields(warnings: Iterable[str]) -> dict[str, Any]:
    """A document's warning fields: ``warnings`` (the texts, each once), and beside them
    ``warning_messages`` (each text's message, or None for a note without one) and
    ``missing_hours`` (the local hours without data)."""
    texts = list(dict.fromkeys(warnings))
    return {
        "warnings": [str(w) for w in texts],
        "warning_messages": [w.message.to_json() if isinstance(w, Note) else None for w in texts],
        "missing_hours": sorted({h for w in texts if isinstance(w, Note) for h in w.hours}),
    }


def _param(value: object) -> Param:
    nested = Message.from_json(value)
    if nested is not None:
        return nested
    if isinstance(value, int | float | str):
        return value
    return str(value)


def ordinal(number: int, t: Translator) -> str:
    """``1er``, ``2e`` (fr); ``1st``, ``2nd``, ``3rd``, ``11th`` (en)."""
    form = Formats(t.lang).ordinal_form(number)
    return t(ORDINALS.get(form, ORDINALS["other"]), number=number)


def _text(name: str, value: Param, t: Translator) -> str:
    if isinstance(value, Message):
        return render(value, t)
    if isinstance(value, bool | str):
        return str(value)
    if name == "nth":
        return ordinal(int(value), t)
    if isinstance(value, float) and not value.is_integer():
        return Formats(t.lang).number(value, 1)
    return Formats(t.lang).number(value, 0)


def render(value: object, t: Translator) -> str:
    """``value`` in ``t``'s language when it is a message (a :class:`Message` or its stored
    form); other text as it is, never parsed; nothing for None."""
    message = value if isinstance(value, Message) else Message.from_json(value)
    if message is None:
        return "" if value is None else str(value)
    values = {name: _text(name, item, t) for name, item in message.params.items()}
    count = message.params.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        values.pop("count")
        return t.plural(message.key, count, **values)
    return t(message.key, **values)


#: A zone outside Paris (a suburban Vélib' station, an outer ramp) and one without a point.
OUTSIDE = "outside"
UNKNOWN = "unknown"
#: Traffic states, indexed by the Etat trafic code of the counts (0 Inconnu ... 4 Bloqué).
STATES = ("unknown", "fluid", "dense", "saturated", "blocked")
#: WMO weather code groups (the highest code of each group) and their kind.
WMO_KINDS = (
    (0, "clear"),
    (3, "cloudy"),
    (48, "fog"),
    (57, "drizzle"),
    (67, "rain"),
    (77, "snow"),
    (82, "showers"),
    (86, "snow_showers"),
    (99, "storm"),
)
#: A roadworks impact the export leaves empty.
NOT_GIVEN = "not_given"
#: Each family of codes -> code -> its message key.
WORDS: dict[str, dict[str, str]] = {
    "level": {"alert": N_("city.level.alert"), "critical": N_("city.level.critical")},
    "state": {
        "unknown": N_("city.state.unknown"),
        "fluid": N_("city.state.fluid"),
        "dense": N_("city.state.dense"),
        "saturated": N_("city.state.saturated"),
        "blocked": N_("city.state.blocked"),
    },
    "impact": {
        "low": N_("city.impact.low"),
        "moderate": N_("city.impact.moderate"),
        "high": N_("city.impact.high"),
    },
    "source": {
        "traffic": N_("city.source.traffic"),
        "bikes": N_("city.source.bikes"),
        "roadworks": N_("city.source.roadworks"),
        "transit": N_("city.source.transit"),
        "weather": N_("city.source.weather"),
    },
    "weather": {
        "clear": N_("city.weather.clear"),
        "cloudy": N_("city.weather.cloudy"),
        "fog": N_("city.weather.fog"),
        "drizzle": N_("city.weather.drizzle"),
        "rain": N_("city.weather.rain"),
        "snow": N_("city.weather.snow"),
        "showers": N_("city.weather.showers"),
        "snow_showers": N_("city.weather.snow_showers"),
        "storm": N_("city.weather.storm"),
        "unknown": N_("city.weather.unknown"),
    },
    "works_impact": {
        "BARRAGE_TOTAL": N_("city.works_impact.barrage_total"),
        "IMPASSE": N_("city.works_impact.impasse"),
        "SENS_UNIQUE": N_("city.works_impact.sens_unique"),
        "RESTREINTE": N_("city.works_impact.restreinte"),
        NOT_GIVEN: N_("city.works_impact.not_given"),
    },
}
PLACE_ARRONDISSEMENT = N_("city.place.arrondissement")
PLACE_OUTSIDE = N_("city.place.outside")
PLACE_UNKNOWN = N_("city.place.unknown")
ARC_NAMED = N_("city.arc.named")
ARC_NUMBERED = N_("city.arc.numbered")
ALERT_CONGESTION = N_("city.alert.congestion")
ALERT_EMPTY_FOR = N_("city.alert.empty_for")
ALERT_WORKS = Np_("city.alert.works")
ALERT_SCORE = N_("city.alert.score")
ALERT_CLOSURES = Np_("city.alert.closures")
ALERT_NO_SERVICE = Np_("city.alert.no_service")
SUBJECT_STATION = N_("city.subject.station")
SUBJECT_INTERRUPTIONS = N_("city.subject.interruptions")
SUBJECT_WEATHER = N_("city.subject.weather")
REASON_RAIN = N_("city.reason.rain")
REASON_GUSTS = N_("city.reason.gusts")
REASON_FROST = N_("city.reason.frost")
REASON_HEAT = N_("city.reason.heat")
REASON_RAIN_DAY = N_("city.reason.rain_day")
#: A day's weather read from a daily summary (no hourly source that day).
DAILY_SUMMARY = N_("city.weather_source.daily_summary")

WARNING_MISSING_HOURS = Np_("city.warning.missing_hours")
WARNING_DUPLICATES = Np_("city.warning.duplicates")
WARNING_DST_GAP = Np_("city.warning.dst_gap")
WARNING_UNKNOWN_STATES = Np_("city.warning.unknown_states")
WARNING_BAD_VALUES = Np_("city.warning.bad_values")
WARNING_SHORT_ARCS = Np_("city.warning.short_arcs")
WARNING_SKIPPED_ROWS = Np_("city.warning.skipped_rows")
WARNING_RAIN_PARTIAL = N_("city.warning.rain_partial")
WARNING_RAIN_COARSE = Np_("city.warning.rain_coarse")
WARNING_RAIN_SPLIT = N_("city.warning.rain_split")
WARNING_INPUT_MISSING = N_("city.warning.input_missing")
WARNING_ARCS_STOPPED = Np_("city.warning.arcs_stopped")
WARNING_IMPLAUSIBLE_FLOW = Np_("city.warning.implausible_flow")
WARNING_IMPLAUSIBLE_OCCUPANCY = Np_("city.warning.implausible_occupancy")
WARNING_TEMPERATURE_JUMP = Np_("city.warning.temperature_jump")
WARNING_COUNTERS_STOPPED = Np_("city.warning.counters_stopped")
WARNING_COUNTER_SITES = Np_("city.warning.counter_sites")
WARNING_STALE_STATIONS = Np_("city.warning.stale_stations")
WARNING_DAILY_WEATHER = N_("city.warning.daily_weather")
#: Every key with parameters the pipeline emits -> its parameters.
MESSAGES: dict[str, frozenset[str]] = {
    PLACE_ARRONDISSEMENT: frozenset({"nth"}),
    PLACE_OUTSIDE: frozenset(),
    PLACE_UNKNOWN: frozenset(),
    ARC_NAMED: frozenset({"name", "place"}),
    ARC_NUMBERED: frozenset({"arc", "place"}),
    ALERT_CONGESTION: frozenset({"congested", "blocked"}),
    ALERT_EMPTY_FOR: frozenset({"hours"}),
    ALERT_WORKS: frozenset({"count"}),
    ALERT_SCORE: frozenset({"score"}),
    ALERT_CLOSURES: frozenset({"count"}),
    ALERT_NO_SERVICE: frozenset({"count"}),
    SUBJECT_STATION: frozenset({"name"}),
    SUBJECT_INTERRUPTIONS: frozenset(),
    SUBJECT_WEATHER: frozenset({"level"}),
    REASON_RAIN: frozenset({"hours", "mm"}),
    REASON_GUSTS: frozenset({"gust"}),
    REASON_FROST: frozenset({"celsius"}),
    REASON_HEAT: frozenset({"celsius"}),
    REASON_RAIN_DAY: frozenset({"mm"}),
    DAILY_SUMMARY: frozenset({"source"}),
    WARNING_MISSING_HOURS: frozenset({"count", "hours"}),
    WARNING_DUPLICATES: frozenset({"count"}),
    WARNING_DST_GAP: frozenset({"count"}),
    WARNING_UNKNOWN_STATES: frozenset({"count", "congested"}),
    WARNING_BAD_VALUES: frozenset({"count"}),
    WARNING_SHORT_ARCS: frozenset({"count", "hours"}),
    WARNING_SKIPPED_ROWS: frozenset({"count"}),
    WARNING_RAIN_PARTIAL: frozenset({"known", "hours"}),
    WARNING_RAIN_COARSE: frozenset({"count"}),
    WARNING_RAIN_SPLIT: frozenset(),
    WARNING_INPUT_MISSING: frozenset({"since"}),
    WARNING_ARCS_STOPPED: frozenset({"count"}),
    WARNING_IMPLAUSIBLE_FLOW: frozenset({"count", "limit"}),
    WARNING_IMPLAUSIBLE_OCCUPANCY: frozenset({"count"}),
    WARNING_TEMPERATURE_JUMP: frozenset({"count", "celsius"}),
    WARNING_COUNTERS_STOPPED: frozenset({"count"}),
    WARNING_COUNTER_SITES: frozenset({"count", "counters"}),
    WARNING_STALE_STATIONS: frozenset({"count", "days"}),
    WARNING_DAILY_WEATHER: frozenset({"source"}),
} | {key: frozenset() for family in WORDS.values() for key in family.values()}


def word(family: str, code: object) -> Message | str | None:
    """The message of ``code`` in ``family`` (:data:`WORDS`); a code the family does not
    know (a new roadworks impact) as it is; None for None."""
    if code is None:
        return None
    key = WORDS[family].get(str(code))
    return str(code) if key is None else Message(key)


def wmo_kind(code: int) -> str:
    """The kind of weather of a WMO weather code (``61`` -> ``rain``)."""
    return next((kind for top, kind in WMO_KINDS if code <= top), "unknown")


def arrondissement(zone: str) -> int | None:
    """The arrondissement of a Paris postal code (``75012`` -> 12, ``75116`` -> 16)."""
    if len(zone) == 5 and zone.isdigit() and zone.startswith("75"):
        number = int(zone[2:]) % 100
        return number if 1 <= number <= 20 else None
    return None


def place(zone: object) -> Message | str:
    """A zone for people: ``Paris 12e`` / ``12th arrondissement``, outside Paris, unknown;
    another value (a document of the previous release) as it is."""
    text = "" if zone is None else str(zone)
    number = arrondissement(text)
    if number is not None:
        return Message(PLACE_ARRONDISSEMENT, {"nth": number})
    if text == OUTSIDE:
        return Message(PLACE_OUTSIDE)
    if text == UNKNOWN:
        return Message(PLACE_UNKNOWN)
    return text


def arc_name(label: object) -> str:
    """An arc's name for people: the référentiel's label with ``_`` read as a space
    (``Av_Daumesnil`` is "Av Daumesnil"); empty without a label."""
    return " ".join(str(label or "").replace("_", " ").split())


def arc(label: object, arc_id: object, zone: object) -> Message:
    """A counted arc for people: its name (:func:`arc_name`) and its place, or its number
    and its place without a label."""
    name = arc_name(label)
    where = place(zone)
    if name:
        return Message(ARC_NAMED, {"name": name, "place": where})
    return Message(ARC_NUMBERED, {"arc": str(arc_id), "place": where})
