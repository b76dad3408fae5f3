"""Where an instance is: found from the configuration, never created by a read."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from entrepot import temp_names
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.config import Settings
    from entrepot.services.temporaries import TempArea
    from entrepot.storage.protocols import Store
    from entrepot.storage.s3_options import S3Options
    from entrepot.storage.url import StoreUrl

#: The names Entrepôt gives its temporaries under ``var_dir/tmp`` (``temp_names.WORK``):
#: spooled uploads, model ZIPs, unpacked datasets, models and pushes, score files, verified
#: downloads.
WORK_TEMPORARIES = tuple(f"{prefix}*" for prefix in temp_names.WORK)
#: What jobs leave in the system's temporary folder (city lake and DuckDB work, the
#: reference build, model exports, store moves, work with no folder configured): every
#: such name starts so.
SYSTEM_TEMPORARIES = (f"{temp_names.SYSTEM}*",)


def require_instance(engine: Engine) -> None:
    """Raise :class:`~entrepot.errors.NotMigrated` ("no Entrepôt instance here") when the
    SQLite catalog of ``engine`` does not exist: a read, a listing or a diagnosis never
    creates an instance (relative defaults, ``./var``, run from another folder would make a
    new, empty one). Only ``db upgrade``, ``serve`` and ``demo`` create one."""
    from entrepot.catalog.engine import sqlite_file
    from entrepot.errors import NotMigrated

    path = sqlite_file(engine.url)
    if path is None or path.exists():
        return
    raise NotMigrated(
        f"no Entrepôt instance here: its catalog {path.resolve()} does not exist "
        f"(working folder {Path.cwd()})",
        hint="run the command in the instance's folder (the one holding var/), or point "
        "ENTREPOT_DATABASE_URL and ENTREPOT_STORE_URL at it; `entrepot db upgrade` "
        "creates a new instance here",
        said=Message(
            N_("error.config.no_instance"),
            {"catalog": str(path.resolve()), "folder": str(Path.cwd())},
        ),
    )


def s3_options(settings: Settings, url: StoreUrl) -> S3Options:
    """The configured S3 options for the store at ``url`` (an endpoint or region the URL
    names itself wins)."""
    from entrepot.storage.s3_options import S3Options

    return S3Options(
        endpoint_url=None if url.endpoint is not None else settings.store.s3_endpoint_url,
        region=None if url.region is not None else settings.store.s3_region,
        path_style=settings.store.s3_path_style,
    )


def temp_areas(settings: Settings, home: Store) -> tuple[TempArea, ...]:
    """Where this instance's processes leave temporaries, and their names: the working
    folder (``var_dir/tmp``: uploads spooled, files unpacked by jobs), the system's
    temporary folder (``entrepot-*``: what city runs, the reference build, model exports
    and store moves unpack there) and, for a local store, the temporary files of its
    writes (``.entrepot-tmp-*`` beside each object)."""
    from entrepot.services.temporaries import TempArea
    from entrepot.storage.local import TEMP_PREFIX, LocalStore

    areas = [
        TempArea(Path(settings.var_dir) / "tmp", WORK_TEMPORARIES),
        TempArea(Path(tempfile.gettempdir()), SYSTEM_TEMPORARIES),
    ]
    if isinstance(home, LocalStore):
        areas.append(TempArea(home.root, (f"{TEMP_PREFIX}*",), recursive=True))
    return tuple(areas)
