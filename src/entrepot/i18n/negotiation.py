"""The language of a request: the one chosen with the switch, else the best of the
browser's ``Accept-Language`` (negotiated with Babel), else the default."""

from __future__ import annotations

from collections.abc import Sequence

from babel.core import negotiate_locale


def _preferred(accept_language: str) -> list[str]:
    """The tags of ``Accept-Language`` by falling weight (equal weights keep their order)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().replace("_", "-")
        if not tag or tag == "*":
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:  # q=0 means "not this one"
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(
    chosen: object, accept_language: str | None, available: Sequence[str], default: str
) -> str:
    """``chosen`` when it is one of ``available``, else the best match of
    ``accept_language`` (``fr-FR,fr;q=0.9,en;q=0.8`` -> ``fr``), else ``default``."""
    if isinstance(chosen, str) and chosen in available:
        return chosen
    preferred = _preferred(accept_language or "")
    # Babel matches "fr-FR" to "fr" (and "fr" to "fr-FR"); try each tag's language too.
    candidates = [c for tag in preferred for c in (tag, tag.split("-")[0])]
    found = negotiate_locale(candidates, list(available), sep="-")
    return found if found is not None and found in available else default
