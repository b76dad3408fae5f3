"""Which date orders a table's rows in time, and the user's own choice of roles.

A table often holds several dates: an insurance claim has the policy's bind date
(1990-2015) and the incident's date; a card file the transaction's time and the
cardholder's birth date. The rows are ordered by the *event's* date: a column named for
an event (incident, transaction, claim, payment…) comes first, one named for a contract's
or a person's start (bind, start, since, opened, birth…) last, ties in table order. The
analysis says which it chose and why (``warning.time_order_*``). ``time_column`` and
``entity_columns`` are the user's word and override the guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from entrepot.fraud.errors import UnknownColumns
from entrepot.fraud.schema import names
from entrepot.fraud.schema.roles import CUSTOMER, ColumnProfile, entity_kind
from entrepot.fraud.tables.timeparse import detect_format
from entrepot.messages import N_, Message

#: Words of the date an event happened.
EVENT_WORDS = frozenset(
    {
        *("incident", "transaction", "trans", "txn", "tx", "event", "occurred", "occurrence"),
        *("claim", "payment", "purchase", "order", "operation", "loss", "accident", "trade"),
        *("sinistre", "evenement", "achat", "paiement", "commande", "survenance"),
    }
)
#: Words of a contract's, an account's or a person's start: not when the event happened.
START_WORDS = frozenset(
    {
        *("bind", "start", "since", "opened", "open", "opening", "inception", "effective"),
        *("signup", "registration", "registered", "joined", "enrolment", "enrollment"),
        *("birth", "dob", "born", "expiry", "expiration", "expires", "issue", "issued"),
        *("souscription", "debut", "ouverture", "naissance", "adhesion", "echeance"),
    }
)


def _rank(profile: ColumnProfile) -> int:
    tokens = names.tokens(profile.name)
    if names.has_any(tokens, EVENT_WORDS):
        return 0
    if names.has_any(tokens, START_WORDS):
        return 2
    return 1


def choose_time(
    profiles: list[ColumnProfile], frame: pd.DataFrame, time_column: str | None
) -> tuple[str | None, Message | None]:
    """The column that orders the rows in time and the note saying why (``None`` when
    there is no date, or one date and nothing to say)."""
    if time_column is not None:
        found = next((p for p in profiles if p.name == time_column), None)
        if found is None:
            raise UnknownColumns(
                f"no column {time_column!r} to order the rows in time; the columns are: "
                + ", ".join(p.name for p in profiles),
                hint="name a date column of the file, as written in its header",
                said=Message(
                    N_("error.time_column_unknown"),
                    {"column": time_column, "columns": ", ".join(p.name for p in profiles)},
                ),
            )
        if found.role != "timestamp":
            raise UnknownColumns(
                f"column {time_column!r} does not hold dates and times",
                hint="name a column of dates (2024-03-01 or 2024-03-01 14:05:00)",
                said=Message(N_("error.time_column_not_dates"), {"column": time_column}),
            )
        return time_column, Message(N_("warning.time_order_chosen"), {"column": time_column})
    stamps = [p for p in profiles if p.role == "timestamp"]
    if len(stamps) < 2:
        return (stamps[0].name if stamps else None), None
    ordered = sorted(stamps, key=_rank)  # stable: table order within a rank
    chosen, others = ordered[0], [p.name for p in ordered[1:]]
    if _rank(chosen) == 0 or any(_rank(p) == 2 for p in stamps):
        key = N_("warning.time_order_event")
    else:
        key = N_("warning.time_order_first")
    return chosen.name, Message(key, {"column": chosen.name, "others": ", ".join(others)})


def with_user_roles(
    profiles: list[ColumnProfile],
    frame: pd.DataFrame,
    time_column: str | None,
    entity_columns: Sequence[str],
) -> list[ColumnProfile]:
    """``profiles`` with the user's roles: ``time_column`` a timestamp (when its values
    parse as dates) and each of ``entity_columns`` an entity (a customer unless its name
    says counterparty)."""
    known = {p.name for p in profiles}
    unknown = [c for c in entity_columns if c not in known]
    if unknown:
        raise UnknownColumns(
            f"no column {', '.join(map(repr, unknown))} to use as an entity; the columns are: "
            + ", ".join(p.name for p in profiles),
            hint="name a column of the file, as written in its header",
            said=Message(
                N_("error.entity_column_unknown"),
                {"column": ", ".join(unknown), "columns": ", ".join(p.name for p in profiles)},
            ),
        )
    said = Message(N_("reason.user_choice"))
    out = []
    for p in profiles:
        if p.name in entity_columns:
            kind = entity_kind(names.tokens(p.name)) or CUSTOMER
            p = replace(p, role="entity", entity_kind=kind, why=said, time_format=None)
        elif p.name == time_column and p.role != "timestamp":
            fmt = detect_format(frame[p.name])
            if fmt is not None:
                p = replace(p, role="timestamp", why=said, time_format=fmt, entity_kind=None)
        out.append(p)
    return out
