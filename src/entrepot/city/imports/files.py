"""``import_paths``: exports as people keep them (files, folders, gzip and ZIP archives),
each data file imported by :func:`~entrepot.city.imports.importer.import_file`.

A folder's files are taken in name order (its sub-folders are skipped and named). Files that
are not data (``README.md``, images, PDFs, hidden and system files: :mod:`.looks`) are
skipped and named; the rest are imported one by one, and one that fails is named with the
reason while the others still go in. A gzip file (by its first bytes) is imported as the file
it holds; a ZIP archive's members each as a file would be, once the whole archive is checked
(:mod:`.archives`). A file from an archive is named ``archive:member`` and its result
records both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path

from entrepot.city import refused
from entrepot.city.errors import CityError
from entrepot.city.imports import notes as noted
from entrepot.city.imports.archives import Bounds, gunzip, unzip_member, zip_members
from entrepot.city.imports.bigfile import temporary_folder
from entrepot.city.imports.importer import ImportStore, Progress, import_file
from entrepot.city.imports.looks import GZIP_MAGIC, ZIP_MAGICS, not_data
from entrepot.city.imports.records import Failed, ImportResult, ImportSummary, Skipped

#: ``progress_for(name)`` -> a context giving the progress callback of one file's import.
ProgressFor = Callable[[str], AbstractContextManager[Progress | None]]
#: Archives inside archives: a ``.csv.gz`` in a ZIP is opened, nothing deeper.
MAX_DEPTH = 2
_HEAD = 512
_WORKBOOK = "is a spreadsheet workbook, not an export this importer reads"


def import_paths(
    store: ImportStore,
    paths: Iterable[Path],
    *,
    as_of: datetime | None = None,
    bounds: Bounds | None = None,
    progress_for: ProgressFor | None = None,
) -> ImportSummary:
    """Import the files, folders and archives ``paths`` into the lake of ``store``.

    ``as_of`` is when the exports were taken, for those whose content does not say (never
    a file's modification time: such a file without ``as_of`` fails). Never raises for a
    file: each is imported, skipped or failed in the summary."""
    run = _Run(store, as_of, bounds or Bounds(), progress_for)
    for given in paths:
        if given.is_dir():
            for path in sorted(given.iterdir()):
                run.path(path)
        else:
            run.path(given)
    return ImportSummary(tuple(run.imported), tuple(run.skipped), tuple(run.failed))


def _unreadable(name: str, exc: OSError) -> Failed:
    """A file the system would not let the import read."""
    reason = str(exc.strerror or exc)
    return Failed(name, f"cannot be read ({reason})", said=refused.unreadable(name, reason))


class _Run:
    def __init__(
        self,
        store: ImportStore,
        as_of: datetime | None,
        bounds: Bounds,
        progress_for: ProgressFor | None,
    ) -> None:
        self.store, self.as_of, self.bounds = store, as_of, bounds
        self.progress_for = progress_for or (lambda name: nullcontext(None))
        self.imported: list[ImportResult] = []
        self.skipped: list[Skipped] = []
        self.failed: list[Failed] = []

    def path(self, path: Path) -> None:
        if path.is_dir():
            self.skipped.append(Skipped(path.name, noted.skip_folder()))
            return
        if not path.is_file():
            self.failed.append(
                Failed(str(path), "no such file", said=refused.no_such_file(str(path)))
            )
            return
        try:
            head = _head(path)
            taken = self.as_of
        except OSError as exc:
            self.failed.append(_unreadable(str(path), exc))
            return
        reason = not_data(path.name, head)
        if reason is not None:
            self.skipped.append(Skipped(path.name, reason))
            return
        self.file(path, path.name, head, taken, None, 0)

    def file(
        self,
        path: Path,
        label: str,
        head: bytes,
        taken: datetime | None,
        within: tuple[str, str] | None,
        depth: int,
    ) -> None:
        try:
            if head.startswith(GZIP_MAGIC) or head.startswith(ZIP_MAGICS):
                if depth >= MAX_DEPTH:
                    raise CityError(
                        f"{label} is an archive inside an archive inside an archive",
                        hint="unpack it yourself and import the files it holds",
                        said=refused.nested_archive(label),
                    )
                if head.startswith(GZIP_MAGIC):
                    self.gzip(path, label, taken, depth)
                else:
                    self.zip(path, label, taken, depth)
                return
            with self.progress_for(label) as progress:
                result = import_file(self.store, path, name=label, as_of=taken, progress=progress)
        except CityError as exc:
            self.failed.append(Failed(label, exc.message, exc.hint, exc.said))
            return
        except OSError as exc:
            self.failed.append(_unreadable(label, exc))
            return
        if within is not None:
            result = dataclasses.replace(result, archive=within[0], member=within[1])
        self.imported.append(result)

    def gzip(self, path: Path, label: str, taken: datetime | None, depth: int) -> None:
        with temporary_folder() as tmp:
            inner = gunzip(path, Path(tmp), label, self.bounds)
            self.member(inner, label, inner.name, taken, depth)

    def zip(self, path: Path, label: str, taken: datetime | None, depth: int) -> None:
        if label.lower().endswith((".xlsx", ".ods")):
            raise CityError(
                f"{label} {_WORKBOOK}",
                hint="save each sheet as CSV UTF-8",
                said=refused.workbook(label),
            )
        members = zip_members(path, label, self.bounds)
        if any(m.filename == "[Content_Types].xml" for m in members):
            raise CityError(
                f"{label} {_WORKBOOK}",
                hint="save each sheet as CSV UTF-8",
                said=refused.workbook(label),
            )
        for member in members:
            reason = not_data(member.filename, b"")
            if reason is not None:
                self.skipped.append(Skipped(f"{label}:{member.filename}", reason))
                continue
            with temporary_folder() as tmp:
                inner = unzip_member(path, member, Path(tmp), label, self.bounds)
                self.member(inner, label, member.filename, taken, depth)

    def member(
        self, inner: Path, archive: str, member: str, taken: datetime | None, depth: int
    ) -> None:
        label = f"{archive}:{member}"
        head = _head(inner)
        reason = not_data(member, head)
        if reason is not None:
            self.skipped.append(Skipped(label, reason))
            return
        self.file(inner, label, head, taken, (archive, member), depth + 1)


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(_HEAD)
