"""What the attack suites share: what a user has stored, what an upload left in the spool,
and archives built in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from entrepot.bootstrap.app import App
from tests.support.parts import parts
from tests.support.web import Api


def stored(services: App, api: Api) -> list[str]:
    """Everything the user has: dataset rows and objects in their folder."""
    rows = [d.id for d in services.fraud().datasets.list(api.user_id).items]
    objects = [o.key for o in parts(services).raw_store.list(f"users/{api.user_id}/")]
    return rows + objects


def spool_leftovers(services: App) -> list[Path]:
    folder = services.fraud().options.temp_dir
    return sorted(folder.glob("upload-*")) if folder.exists() else []


def zip_bytes(members: dict[str, bytes], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
