"""The vocabulary schema matching reads column names with: concepts, synonyms, abbreviations.

Each concept (``amount``, ``timestamp``, ``country``...) lists the English and French
words and the usual abbreviations that name it, accents already stripped. ``concepts``
turns a column name into its set of concepts: ``"MontantTx"``, ``"tx_amount"`` and
``"TransactionAmount"`` all read as ``{amount, transaction}``; ``"horodatage"`` and
``"TX_DATETIME"`` as ``{timestamp}``. Words glued together without a separator
(``"txamount"``) are split when the vocabulary covers them entirely. A word the table
does not know stays itself, so two unknown names still match when they are equal.
"""

from __future__ import annotations

from functools import cache

from entrepot.fraud.schema.names import tokens

#: concept -> words that name it (English, French, abbreviations).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "amount": (
        "amount",
        "amounts",
        "amt",
        "amnt",
        "montant",
        "montants",
        "mnt",
        "mt",
        "value",
        "valeur",
        "sum",
        "somme",
        "price",
        "prix",
        "total",
        "paid",
        "paye",
        "cost",
        "cout",
        "spend",
    ),
    "timestamp": (
        "timestamp",
        "datetime",
        "time",
        "date",
        "ts",
        "dt",
        "horodatage",
        "heure",
        "hour",
        "when",
        "moment",
        "instant",
        "created",
        "occurred",
        "dateheure",
        "tstamp",
        "jour",
    ),
    "transaction": (
        "transaction",
        "transactions",
        "tx",
        "txn",
        "trx",
        "trans",
        "tran",
        "operation",
        "op",
        "ope",
        "event",
        "evenement",
        "order",
        "commande",
        "payment",
        "paiement",
        "pmt",
    ),
    "identifier": (
        "id",
        "ids",
        "identifier",
        "identifiant",
        "ident",
        "uuid",
        "guid",
        "ref",
        "reference",
        "key",
        "cle",
        "no",
        "num",
        "number",
        "numero",
        "nr",
        "idx",
        "code",
    ),
    "customer": (
        "customer",
        "customers",
        "cust",
        "cus",
        "client",
        "clients",
        "clt",
        "user",
        "usr",
        "utilisateur",
        "account",
        "acct",
        "acc",
        "compte",
        "cpt",
        "holder",
        "titulaire",
        "member",
        "membre",
        "subscriber",
        "abonne",
        "payer",
        "payeur",
        "sender",
        "emetteur",
        "buyer",
        "acheteur",
        "consumer",
        "consommateur",
        "originator",
        "donneur",
        "ordering",
        "wallet",
        "portefeuille",
        "msisdn",
        "loyalty",
        "fidelite",
    ),
    "company": ("company", "entreprise", "societe", "firm", "business", "corporate"),
    "card": ("card", "carte", "cb", "pan", "cardholder", "porteur"),
    "terminal": ("terminal", "term", "tpe", "pos", "atm", "dab", "gab", "register", "caisse"),
    "merchant": (
        "merchant",
        "marchand",
        "commercant",
        "shop",
        "boutique",
        "store",
        "magasin",
        "seller",
        "vendeur",
        "vendor",
        "fournisseur",
        "supplier",
        "retailer",
        "enseigne",
    ),
    "beneficiary": (
        "beneficiary",
        "beneficiaire",
        "benef",
        "recipient",
        "destinataire",
        "payee",
        "receiver",
        "counterparty",
        "contrepartie",
        "cpty",
        "dest",
        "destination",
    ),
    "country": ("country", "pays", "ctry", "cntry", "nation", "iso"),
    "currency": ("currency", "devise", "ccy", "cur", "curr", "monnaie"),
    "category": (
        "category",
        "categorie",
        "cat",
        "type",
        "kind",
        "genre",
        "class",
        "classe",
        "segment",
        "mcc",
        "family",
        "famille",
    ),
    "channel": ("channel", "canal", "medium", "via", "source", "origine", "origin"),
    "mode": ("mode", "method", "methode", "entry", "saisie", "moyen", "means"),
    "device": ("device", "appareil", "browser", "navigateur", "os", "phone", "mobile"),
    "distance": ("distance", "dist", "km", "kilometre", "kilometres", "miles", "far"),
    "age": ("age", "anciennete", "seniority", "tenure", "since", "depuis"),
    "duration": ("duration", "duree", "seconds", "secondes", "sec", "secs", "elapsed"),
    "count": ("count", "nb", "nombre", "qty", "quantity", "quantite", "items", "articles", "n"),
    "balance": ("balance", "solde", "bal"),
    "limit": ("limit", "plafond", "limite", "cap"),
    "score": ("score", "rating", "note", "risk", "risque", "grade"),
    "fraud": ("fraud", "fraude", "frauduleux", "frauduleuse", "fraudulent", "isfraud"),
    "label": ("label", "target", "class_label", "etiquette", "cible", "flag", "indicateur"),
    "status": ("status", "statut", "state", "etat", "result", "resultat", "outcome"),
    "location": ("location", "lieu", "city", "ville", "region", "zip", "postal", "address"),
    "ip": ("ip", "ipaddress", "adresse_ip"),
    "email": ("email", "mail", "courriel"),
    "income": ("income", "revenu", "revenus", "salary", "salaire"),
    "loan": ("loan", "pret", "credit", "mortgage", "hypotheque", "emprunt", "borrower"),
    "claim": ("claim", "sinistre", "reclamation", "declaration"),
    "policy": ("policy", "police", "contrat", "contract"),
    "asset": ("asset", "actif", "instrument", "symbol", "ticker", "coin", "token", "crypto"),
    "quantity": ("volume", "lots", "shares", "actions", "units", "unites"),
    "interest": ("interest", "interet", "rate", "taux", "apr"),
    "night": ("night", "nuit", "nocturne"),
    "weekend": ("weekend", "we"),
    "day": ("day", "days", "jours", "daily", "quotidien"),
    "network": ("network", "reseau", "net"),
    "batch": ("batch", "lot", "lote", "bundle"),
    "level": ("level", "niveau", "tier", "palier"),
    "fee": ("fee", "fees", "frais", "commission"),
    "late": ("late", "retard", "overdue", "delay", "delai"),
    "invoice": ("invoice", "facture", "bill"),
    "refund": ("refund", "remboursement", "chargeback", "reversal"),
    "direction": ("side", "sens", "direction", "debit", "credit_debit"),
    "shipping": ("shipping", "ship", "livraison", "delivery", "expedition"),
    "purpose": ("purpose", "objet", "motif", "reason", "raison"),
    "annual": ("annual", "annuel", "annuelle", "yearly", "year", "annee"),
    "before": ("before", "avant", "old", "previous", "precedent", "prior"),
    "after": ("after", "apres", "new", "nouveau", "next"),
    "home": ("home", "domicile", "residence"),
}
#: Words that carry no meaning in a column name; dropped unless nothing else is left.
STOPWORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "of", "the", "en", "par", "per", "d", "a", "au", "aux"}
    | {"et", "and", "is", "est", "has", "s"}
)
#: Concepts that say little on their own, weighed less when names are compared.
WEAK = {"identifier": 0.4, "transaction": 0.35, "category": 0.6}


@cache
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for concept, words in CONCEPTS.items():
        for word in words:
            for token in tokens(word):
                table.setdefault(token, concept)
    return table


def concept_of(token: str) -> str:
    """The concept a single lower-case token names, or the token itself."""
    return _lookup().get(token, token)


def _segment(token: str) -> list[str] | None:
    """``"txamount"`` -> ``["tx", "amount"]`` when known words cover the whole token."""
    table = _lookup()
    n = len(token)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 14), end):
            head = best[start]
            piece = token[start:end]
            if head is not None and piece in table and (len(piece) >= 2 or piece == "n"):
                candidate = [*head, piece]
                if best[end] is None or len(candidate) < len(best[end] or []):
                    best[end] = candidate
    return best[n]


def words(name: object) -> tuple[str, ...]:
    """The tokens of a name, glued words split and stop words dropped."""
    out: list[str] = []
    for token in tokens(name):
        if token not in _lookup() and len(token) >= 5 and not token.isdigit():
            out.extend(_segment(token) or [token])
        else:
            out.append(token)
    kept = [t for t in out if t not in STOPWORDS]
    return tuple(kept or out)


@cache
def concepts(name: str) -> frozenset[str]:
    """The set of concepts a column name speaks of."""
    return frozenset(concept_of(t) for t in words(name))


def weight(concept: str) -> float:
    """How much a concept counts when two names are compared (0..1)."""
    return WEAK.get(concept, 1.0)


def canonical(name: str) -> str:
    """The concepts of a name, sorted and joined: equal for synonymous names."""
    return " ".join(sorted(concepts(name)))
