"""Commands renamed with their old name kept for one release: the old name runs the same
command, hidden from the help, after a note on stderr naming the new one (issue 23: one
word per concept, ``db upgrade`` for the schema, ``move`` for the store, ``copy-metrics``
for the metrics store)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: The release in which the old names stop answering.
REMOVED_IN = "0.3.0"


def old_name(command: Callable[P, R], old: str, new: str) -> Callable[P, R]:
    """``command`` under its old name ``old``: says on stderr that it is now ``new``."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from entrepot.cli.language import words

        t = words()
        print(t("cli.renamed", old=old, new=new, release=REMOVED_IN), file=sys.stderr)
        return command(*args, **kwargs)

    return run
