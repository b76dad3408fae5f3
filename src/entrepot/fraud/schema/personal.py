"""Personal data: columns that describe a person rather than a payment.

A cardholder's first and last name, street address, job and e-mail, and a postcode fine
enough to point at a home, are never model inputs by default: they tell a model who the
person is (and the model would learn, and explain itself with, a surname), they are
personal data a fraud score must not rest on, and they do not carry over to another
bank's file. The rule reads both the name and the values:

- a name's words (``first``/``last`` + ``name``, ``first`` or ``last`` alone over words,
  ``surname``, ``prenom``, ``street``, ``address``, ``job``, ``occupation``, ``email``…),
  unless the column names a shop or a machine (``merchant_name`` is a category,
  ``wallet_address`` an entity);
- values shaped like e-mail addresses or street addresses (``123 Main St``), whatever the
  column is called;
- a postcode whose values are shared by few rows each (fewer than
  :data:`ROWS_PER_AREA`): it locates a home, not an area whose fraud rate can be learnt.
"""

from __future__ import annotations

import re

import pandas as pd

from entrepot.fraud.schema import names

#: Words that name a person's identity, address or work (English and French, accents
#: already stripped).
PERSON_WORDS = frozenset(
    {
        *("firstname", "lastname", "surname", "forename", "fullname", "prenom", "nom"),
        *("street", "address", "addr", "adresse", "rue", "voie"),
        *("job", "occupation", "profession", "metier", "emploi", "employer"),
        *("email", "mail", "courriel"),
    }
)
#: A name word that means a person's name when it goes with a person (``first name``).
NAME_WORDS = frozenset({"name", "nom"})
POSTCODE_WORDS = frozenset({"zip", "zipcode", "postcode", "postal", "postalcode", "codepostal"})
#: A postcode whose values hold fewer rows than this each, on average, points at homes.
ROWS_PER_AREA = 20
#: Share of values that must have a shape for the column to be of that shape.
SHAPED = 0.8
#: Words of a thing's address or name, not a person's (``wallet_address``, ``ip_address``).
_MACHINE = frozenset({"domain", "wallet", "portefeuille", "ip", "mac", "contract", "token"})
#: A column named by one of these words alone, holding words, is a first or last name.
_ALONE = frozenset({("first",), ("last",), ("given",), ("family",)})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_STREET = re.compile(r"^\d+[A-Za-z]?,?\s+[A-Za-z]\S*(\s+\S+)+$")


def is_personal(present: pd.Series, tokens: tuple[str, ...], distinct: int) -> bool:
    """Whether the column (its non-missing values ``present``, its name's ``tokens``)
    holds personal data that is never a model input by default."""
    # the shop's name is a category; an e-mail's domain, a wallet's or a network address
    # are not a person's
    other = names.has_any(tokens, names.TERMINAL_WORDS) or names.has_any(tokens, _MACHINE)
    if not other and (names.has_any(tokens, PERSON_WORDS) or _person_name(tokens)):
        return True
    if names.has_any(tokens, POSTCODE_WORDS):
        return len(present) < ROWS_PER_AREA * distinct
    if pd.api.types.is_numeric_dtype(present) or pd.api.types.is_bool_dtype(present):
        return False
    if tokens in _ALONE:  # ``first``, ``last``: words, not a first or last payment
        return True
    sample = present.astype("str").head(2000)
    if float(sample.str.match(_EMAIL).mean()) >= SHAPED:
        return True
    return float(sample.str.match(_STREET).mean()) >= SHAPED and distinct > ROWS_PER_AREA


def _person_name(tokens: tuple[str, ...]) -> bool:
    """``first_name``, ``last name``, ``nom_client``: a name word with a word of a person
    (a first or last, or a customer's) in the name."""
    if not any(t in NAME_WORDS for t in tokens):
        return False
    person = {"first", "last", "given", "family", "middle", "full"} | names.CUSTOMER_WORDS
    return any(t in person for t in tokens) or len(tokens) == 1
