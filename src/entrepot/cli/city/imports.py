"""``entrepot city import FILE...``: real Paris exports into the lake, recognised by content.

A table for people (kind, rows, days, objects new and already present, warnings, files
skipped), ``--json`` for scripts (``imported``, ``skipped``, ``failed``). Files are imported
one by one: a file that cannot be read is reported by name, nothing of it is stored, and the
others still go in; the exit status is zero when at least one file was imported and none
failed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from entrepot.city.errors import RawFormatError
from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.language import in_words, reader_language, words
from entrepot.cli.output import print_json
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.city.imports.records import Failed, ImportSummary


def import_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Exports as downloaded (CSV or JSON, or .gz/.zip archives of them), or "
            "folders of them; the kind is read from content, files that are not data skipped."
        ),
    ],
    prefix: Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")] = "",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="When the exports were taken, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Paris time), "
            "for files whose content does not say (never read from a file's date)."
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Recognise each export, check it, and store it in the lake (see docs/city.md)."""

    def progress_for(name: str) -> AbstractContextManager[Callable[[int, int], None] | None]:
        from entrepot.cli.progress import bar  # rich.progress: only when importing

        return (
            nullcontext(None)
            if json_
            else bar(progress_console, words()(N_("cli.bar.import"), name=name))
        )

    app = current_app(ctx)
    app.catalog.require_instance()  # writes into an instance, never makes one (exit 75)
    summary = app.city.import_files(files, prefix=prefix, as_of=as_of, progress_for=progress_for)
    if json_:
        print_json(summary.as_dict())
    else:
        _table(summary)
    if len(summary.failed) > 1:  # each named with its own hint above (or in the JSON)
        _refuse_files(summary)
    if summary.failed:
        first = summary.failed[0]
        total = len(summary.imported) + len(summary.failed)
        failed, name = len(summary.failed), first.name
        if _own_words(first):  # its own words name the problem and the fix
            said = Message(
                N_("error.cli.city_import_failed_said"),
                {"failed": failed, "total": total, "error": _failure(first)},
            )
        elif first.hint:
            said = Message(
                N_("error.cli.city_import_failed_hint"),
                {
                    "failed": failed,
                    "total": total,
                    "name": name,
                    "error": first.error,
                    "hint": first.hint,
                },
            )
        else:
            said = Message(
                N_("error.cli.city_import_failed"),
                {"failed": failed, "total": total, "name": name, "error": first.error},
            )
        raise RawFormatError(
            f"{len(summary.failed)} of {total} file(s) not imported; first: {first.name}: "
            f"{first.error}",
            hint=first.hint or "check the file is an export listed in docs/city.md",
            said=said,
        )
    if not summary.imported:
        skipped = "; ".join(f"{s.name}: {_note(s.reason)}" for s in summary.skipped[:3])
        raise RawFormatError(
            "nothing imported" + (f" (skipped {skipped})" if skipped else ""),
            hint="give the exports themselves (CSV or JSON, or .gz/.zip archives of them); "
            "docs/city.md lists them",
            said=Message(N_("error.cli.city_nothing_imported_skipped"), {"skipped": skipped})
            if skipped
            else Message(N_("error.cli.city_nothing_imported")),
        )


def _refuse_files(summary: ImportSummary) -> None:
    """The refusal of an import where several files failed: their names, each one's reason
    and what to do having been given once, beside it."""
    names = ", ".join(e.name for e in summary.failed[:SHOWN_NAMES])
    names += ", …" if len(summary.failed) > SHOWN_NAMES else ""
    failed, total = len(summary.failed), len(summary.imported) + len(summary.failed)
    raise RawFormatError(
        f"{failed} of {total} file(s) not imported: {names}",
        hint="each file's reason and what to do are given beside it (`--json`: `failed`)",
        said=Message(
            N_("error.cli.city_import_failed_files"),
            {"failed": failed, "total": total, "names": names},
        ),
    )


#: Refused files named in the refusal itself (all are listed beside their reasons).
SHOWN_NAMES = 5


def _refused_line(name: str, error: str) -> Text:
    """``not imported: REASON`` when the reason names the file (``NAME is not an export …``,
    in either language), else ``not imported: NAME: REASON``; its store key left out when
    it is the name (`` [key 'NAME']``: a Rich tag once, which hid it)."""
    t = words()
    refused = (t("common.colon", label=t("cli.city.not_imported")), "red")
    error = error.removesuffix(f" [key {name!r}]")
    if name in error:
        return Text.assemble(refused, " ", error)
    return Text.assemble(refused, " ", t("common.colon", label=name), " ", error)


def _table(summary: ImportSummary) -> None:
    t = words()
    table = Table(box=None)
    table.add_column(t("cli.city.file"), overflow="fold", min_width=24)
    table.add_column(t("cli.move.kind"), no_wrap=True)
    table.add_column(t("cli.column.rows"), justify="right")
    table.add_column(t("cli.city.days"), no_wrap=True)
    table.add_column(t("cli.city.new"), justify="right")
    table.add_column(t("cli.city.present"), justify="right")
    for r in summary.imported:
        days = "" if r.first_day is None else f"{r.first_day}…{r.last_day}"
        # rows, as the column beside them: those stored now and those the lake held
        new, present = r.new_rows, r.rows - r.new_rows
        table.add_row(r.name, r.kind, str(r.rows), days, str(new), str(present))
    console.print(table)
    for r in summary.imported:  # each note in the reader's language (entrepot.city.imports.notes)
        for warning in r.warnings:
            said = Text.assemble((t("cli.city.warning"), "yellow"), f" {_note(warning)}")
            console.print(said, highlight=False)
    for s in summary.skipped:
        console.print(t("cli.city.skipped", name=s.name, reason=_note(s.reason)), markup=False)
    for e in summary.failed:
        console.print(_refused_line(e.name, _failure(e)), highlight=False)
        if not _own_words(e) and e.hint and len(summary.failed) > 1:  # one: the refusal's
            console.print("  " + t("cli.city.what_to_do", hint=e.hint), markup=False)


def _note(text: str) -> str:
    """A note of the import (a warning, why a file was left aside) in the reader's
    language: its message when it carries one, else its English text as it is."""
    from entrepot.city.messages import Note, render

    return render(text.message, words()) if isinstance(text, Note) else str(text)


def _own_words(failed: Failed) -> bool:
    """Whether a refused file is told by its own message (problem and fix in one), as
    pages do: in another language than English when it carries one; in English the
    importer's own reason, with its hint beside it."""
    return failed.said is not None and reader_language() != "en"


def _failure(failed: Failed) -> str:
    """Why a file was not imported in the reader's language (:func:`_own_words`), else
    the importer's English reason."""
    return in_words(failed.said) if failed.said is not None and _own_words(failed) else failed.error


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``city`` sub-app."""
    app.command("import")(import_command)
