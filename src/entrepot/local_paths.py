"""Local files a command is told to write: where they may go, checked before any work."""

from __future__ import annotations

from pathlib import Path

from entrepot.errors import InvalidArgument, LocalFileNotFound
from entrepot.messages import N_, Message


def output_file(path: Path) -> Path:
    """``path`` if a file may be written there: its folder exists (no folder tree is made
    for a mistyped path) and it is not itself a folder."""
    if path.is_dir():
        raise InvalidArgument(
            f"{path} is a folder",
            hint="give the path of the file to write, e.g. out.csv",
            said=Message(N_("error.file.is_folder"), {"path": str(path)}),
        )
    if not path.parent.is_dir():
        raise LocalFileNotFound(
            f"no folder {path.parent} to write {path.name} into",
            hint="check the path, or create the folder first",
            said=Message(
                N_("error.file.no_folder"), {"folder": str(path.parent), "name": path.name}
            ),
        )
    return path
