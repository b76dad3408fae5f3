"""Pure listing helpers."""

from __future__ import annotations

from collections.abc import Iterable

from entrepot.storage.types import Listing, ObjectInfo


def one_level(objects: Iterable[ObjectInfo], prefix: str) -> Listing:
    """Fold a recursive listing under ``prefix`` into one level: sub-folders and objects."""
    folders: dict[str, None] = {}
    direct: list[ObjectInfo] = []
    for info in objects:
        rest = info.key[len(prefix) :]
        head, sep, _ = rest.partition("/")
        if sep:
            folders[prefix + head + "/"] = None
        else:
            direct.append(info)
    return Listing(prefixes=tuple(sorted(folders)), objects=tuple(direct))
