"""The gettext catalogs: every key the code and templates use is translated in English and
French (none missing, empty or fuzzy, none left over), the fields match, plurals agree, and
French typography holds (U+00A0 before « : » and inside « », U+202F before « ; ! ? »,
never an ordinary space beside them)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir

from entrepot.i18n import LANGUAGES, translator
from entrepot.i18n.catalogs import po_path, read_catalog

ROOT = Path(__file__).resolve().parents[3]
#: The keywords of `make translations` (the Makefile's BABEL_KEYWORDS).
KEYWORDS = {"t": None, "tn": (1, 1), "say": (2,), "N_": None, "Np_": (1, 1)}
METHODS = [
    ("src/entrepot/**/templates/**.html", "jinja2"),
    ("src/entrepot/**.py", "python"),
]


def _used() -> dict[str, bool]:
    """Key -> whether it is used as a plural, as `pybabel extract` finds them."""
    found: dict[str, bool] = {}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        key = message if isinstance(message, str) else message[0]
        found[key] = found.get(key, False) or not isinstance(message, str)
    return found


USED = _used()


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_the_babel_cfg_names_the_same_files() -> None:
    text = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    for pattern, method in METHODS:
        assert f"[{method}: {pattern}]" in text


def test_the_walk_finds_the_pages_keys() -> None:
    assert len(USED) > 250
    assert {"nav.datasets", "jobs.state.running", "auth.welcome"} <= set(USED)
    assert USED["datasets.row_count"] is True and USED["nav.datasets"] is False


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_is_translated_and_none_is_left_over(lang: str) -> None:
    catalog = read_catalog(lang)
    messages = _messages(catalog)
    assert sorted(set(USED) - set(messages)) == [], "run `make translations`, then translate"
    assert sorted(set(messages) - set(USED)) == [], "keys no page uses: run `make translations`"
    assert not catalog.obsolete
    for key, message in messages.items():
        assert not message.fuzzy, f"{lang}: {key} is fuzzy"
        texts = _texts(message)
        assert all(text.strip() for text in texts), f"{lang}: {key} is not translated"
        assert isinstance(message.id, tuple) == USED[key], f"{lang}: {key} plural or not"


def _texts(message: Message) -> tuple[str, ...]:
    """A message's translation(s): one text, or each plural form."""
    found = message.string
    return tuple(found) if isinstance(found, tuple | list) else (str(found or ""),)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_french_and_english_fill_the_same_fields() -> None:
    english, french = _messages(read_catalog("en")), _messages(read_catalog("fr"))
    for key, message in english.items():
        en = _texts(message)
        fr = _texts(french[key])
        fields = set().union(*map(_fields, en))
        assert set().union(*map(_fields, fr)) == fields, key


#: What French typography forbids, and why: a no-break space (U+00A0) before « : » and
#: inside « », a narrow one (U+202F) before « ; ! ? », never an ordinary space beside them.
FRENCH_SPACING = {
    "an ordinary space before a high sign": re.compile(r" [:;?!»]|« "),
    "two spaces before a high sign": re.compile(r"[ \u00a0\u202f]{2}[:;?!»]|«[ \u00a0\u202f]{2}"),
    "a narrow no-break space before « : »": re.compile("\u202f:"),
    "a no-break space before « ; ! ? », not a narrow one": re.compile("\u00a0[;?!]"),
}


@pytest.mark.parametrize(
    "text",
    [
        "Erreur \u00a0: lisez",
        "Erreur\u00a0 : lisez",
        "Erreur\u202f: lisez",
        "Vraiment\u00a0?",
        "un\u00a0; deux",
        "Fini !",
        "«\u00a0 nom\u00a0»",
    ],
)
def test_the_french_spacing_rule_catches(text: str) -> None:
    assert any(rule.search(text) for rule in FRENCH_SPACING.values()), text


def test_french_typography() -> None:
    for key, message in _messages(read_catalog("fr")).items():
        texts = _texts(message)
        for text in texts:
            for why, rule in FRENCH_SPACING.items():
                assert not rule.search(text), f"{key}: {why}: {text!r}"
            assert "'" not in text, f"{key}: the French apostrophe is ’: {text!r}"
    well_spaced = "Attention\u00a0: «\u00a0nom\u00a0»\u202f; vraiment\u202f? https://a.example:8443"
    assert not any(rule.search(well_spaced) for rule in FRENCH_SPACING.values())


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("fr", 0, "0 ligne"),
        ("fr", 1, "1 ligne"),
        ("fr", 3, "3 lignes"),
        ("fr", 12345, "12\u202f345 lignes"),
        ("en", 0, "0 rows"),
        ("en", 1, "1 row"),
        ("en", 3, "3 rows"),
        ("en", 12345, "12,345 rows"),
    ],
)
def test_plural_forms(lang: str, count: int, expected: str) -> None:
    assert translator(lang).plural("datasets.row_count", count) == expected


def test_a_plural_with_other_fields_and_a_missing_count() -> None:
    t = translator("fr")
    assert t.plural("analyst.test_rows", 1, rate="2 %") == "1 ligne de test, taux de fraude 2 %"
    assert t.plural("datasets.row_count", None) == "– lignes"


def test_unknown_languages_and_keys() -> None:
    assert translator("de")("nav.datasets") == "Datasets"
    assert translator("fr")("no.such.key") == "no.such.key"


def test_the_catalogs_are_package_data() -> None:
    for lang in LANGUAGES:
        path = po_path(lang)
        assert path.is_file() and path.is_relative_to(ROOT / "src" / "entrepot")
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert ".po" not in ignored and "locale" not in ignored
