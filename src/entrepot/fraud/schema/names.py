"""Column-name normalisation and the vocabulary that hints at a column's role.

``tokens("MontantTx")`` gives ``("montant", "tx")``: accents stripped, camel case
and any non-alphanumeric character split, lower case. The hint sets hold English
and French words (accents already stripped) so a role can be guessed from a name.
"""

from __future__ import annotations

import re
import unicodedata

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^0-9a-zA-Z]+")

TARGET_STRONG = frozenset(
    {"fraud", "fraude", "frauduleux", "frauduleuse", "isfraud", "label", "target", "class", "y"}
)
TARGET_WEAK = frozenset(
    {"flag", "outcome", "chargeback", "suspicious", "suspect", "alert", "alerte", "positive"}
)
#: Identifier words, English and French, whole or abbreviated (``identifiant``, ``ident``,
#: ``nr``, ``nro``); only whole tokens count.
ID_WORDS = frozenset(
    {
        *("id", "ids", "uuid", "guid", "ref", "reference", "key", "no", "num", "number"),
        *("numero", "idx", "identifier", "identifiant", "ident", "identif", "nr", "nro", "cle"),
    }
)
TIME_WORDS = frozenset(
    {
        "time",
        "timestamp",
        "datetime",
        "date",
        "ts",
        "dt",
        "horodatage",
        "heure",
        "created",
        "at",
        "when",
        "moment",
        "jour",
    }
)
AMOUNT_WORDS = frozenset(
    {
        "amount",
        "amt",
        "montant",
        "value",
        "valeur",
        "sum",
        "somme",
        "price",
        "prix",
        "total",
        "paid",
        "payment",
        "paiement",
        "mnt",
    }
)
CUSTOMER_WORDS = frozenset(
    {
        "customer",
        "cust",
        "client",
        "account",
        "acct",
        "compte",
        "card",
        "carte",
        "cardholder",
        "porteur",
        "pan",
        "user",
        "utilisateur",
        "wallet",
        "portefeuille",
        "sender",
        "emetteur",
        "payer",
        "payeur",
        "borrower",
        "emprunteur",
        "policyholder",
        "assure",
        "holder",
        "titulaire",
        "trader",
        "investor",
        "investisseur",
        "member",
        "buyer",
        "acheteur",
        "originator",
        "ordering",
        "donneur",
        "msisdn",
        "phone",
        "telephone",
        "policy",
        "police",
        "subscriber",
        "abonne",
        "company",
        "entreprise",
    }
)
TERMINAL_WORDS = frozenset(
    {
        "terminal",
        "term",
        "tpe",
        "merchant",
        "marchand",
        "commercant",
        "store",
        "magasin",
        "shop",
        "boutique",
        "atm",
        "dab",
        "gab",
        "device",
        "appareil",
        "beneficiary",
        "beneficiaire",
        "recipient",
        "destinataire",
        "payee",
        "receiver",
        "counterparty",
        "contrepartie",
        "pos",
        "vendor",
        "fournisseur",
        "supplier",
        "agent",
        "branch",
        "agence",
        "garage",
        "provider",
        "prestataire",
        "instrument",
        "exchange",
        "lender",
        "preteur",
        "funder",
        "financeur",
        "seller",
        "vendeur",
        "broker",
        "courtier",
        "venue",
        "servicer",
        "expert",
        "repairer",
        "register",
        "caisse",
        "cashier",
        "caissier",
    }
)
MEASURE_WORDS = frozenset(
    {
        "age",
        "days",
        "jours",
        "anciennete",
        "score",
        "income",
        "revenu",
        "balance",
        "solde",
        "count",
        "nb",
        "duration",
        "duree",
        "distance",
        "since",
        "depuis",
        "rate",
        "taux",
        "limit",
        "plafond",
        "seniority",
        *("months", "month", "years", "weeks", "hours", "mois", "ans", "annees", "semaines"),
        *("tenure", "length"),
    }
)
CATEGORY_WORDS = frozenset(
    {
        "code",
        "type",
        "category",
        "categorie",
        "cat",
        "mcc",
        "status",
        "statut",
        "channel",
        "canal",
        "mode",
        "country",
        "pays",
        "currency",
        "devise",
        "kind",
        "method",
        "methode",
        "grade",
        "segment",
        "region",
    }
)


def strip_accents(text: str) -> str:
    """``"Montant Réglé"`` -> ``"Montant Regle"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(name: object) -> tuple[str, ...]:
    """The lower-case word tokens of a column name."""
    text = _CAMEL.sub("_", strip_accents(str(name)))
    return tuple(t for t in _NON_ALNUM.sub("_", text).lower().split("_") if t)


def normalise(name: object) -> str:
    """A canonical ``snake_case`` spelling of a column name."""
    return "_".join(tokens(name))


def has_any(name_tokens: tuple[str, ...], words: frozenset[str]) -> bool:
    """Whether one of the tokens (or the tokens glued together) is in ``words``."""
    return any(t in words for t in name_tokens) or "".join(name_tokens) in words
