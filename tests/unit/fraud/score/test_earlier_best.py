"""A library grown by later references keeps its earlier state's candidates (issue 41
item 4, ADR 0096): a reference is a candidate when it was among the ``top`` best matches
of the library as it stood when it was added."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.match.matching import Match
from entrepot.fraud.score.assemble import earlier_best


def _match(name: str, score: float) -> Match:
    return Match(name, score, 1.0, 1.0, (), (), ())


def _by_every_state(
    scores: dict[str, float], built: dict[str, tuple[str, str]], top: int
) -> set[str]:
    """The union of the ``top`` best matches of each state the library went through,
    each state the references built up to one of them (a second computation)."""
    found: set[str] = set()
    for last in built.values():
        state = [name for name in scores if built[name] <= last]
        found |= set(sorted(state, key=lambda n: -scores[n])[:top])
    return found


@pytest.mark.parametrize("seed", range(8))
def test_the_candidates_are_those_among_the_best_when_each_was_added(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count, top = int(rng.integers(3, 40)), int(rng.integers(1, 9))
    names = [f"ref-{i:02d}" for i in range(count)]
    scores = {n: float(s) for n, s in zip(names, rng.random(count), strict=True)}
    # versions as the library stamps them (to the second: some equal, then by name)
    stamps = rng.integers(0, count // 2 + 1, count)
    built = {n: (f"v20261125_1900{s:02d}", n) for n, s in zip(names, stamps, strict=True)}
    matches = [_match(n, scores[n]) for n in sorted(names, key=lambda n: -scores[n])]
    found = earlier_best(matches, built, top)
    assert {m.reference for m in found} == _by_every_state(scores, built, top)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    # the top best of the whole library are always among them
    assert {m.reference for m in matches[:top]} <= {m.reference for m in found}


def test_a_grown_library_keeps_the_candidates_of_its_earlier_state() -> None:
    """13 references, each matching the file less well than the ones before it, then 27
    more that each match it better than all before: the 8 first stay candidates and the
    later ones join them (the 8 best by name alone were the last 8 added)."""
    old = {f"ref-{i:02d}": 0.62 - i / 100 for i in range(13)}
    new = {f"ref-{i:02d}": 0.9 + i / 1000 for i in range(13, 40)}
    built = {n: (f"v2026112{0 if n in old else 5}_190000", n) for n in [*old, *new]}
    both = {**old, **new}
    matches = [_match(n, both[n]) for n in sorted(both, key=lambda n: -both[n])]
    small = earlier_best([m for m in matches if m.reference in old], built, 8)
    large = earlier_best(matches, built, 8)
    assert [m.reference for m in small] == [f"ref-{i:02d}" for i in range(8)]
    assert {m.reference for m in large} == {f"ref-{i:02d}" for i in [*range(8), *range(13, 40)]}
    assert [m.reference for m in matches[:8]] == [f"ref-{i:02d}" for i in range(39, 31, -1)]
