"""Run a command line as the user typed it: every error becomes one message and an exit
code, never a traceback (the main CLI and ``python -m entrepot.cli.serve`` share it)."""

from __future__ import annotations

import logging
import time
from typing import Any

import typer
from rich.text import Text

from entrepot.cli.context import PROG, err_console, process_app
from entrepot.cli.errors import exit_code
from entrepot.cli.language import reader_language
from entrepot.cli.refusal_words import refusal_lines
from entrepot.cli.remote.errors import RemoteError
from entrepot.cli.remote.target import process_remote
from entrepot.errors import EntrepotError
from entrepot.i18n.catalogs import translator

log = logging.getLogger("entrepot.cli")

#: The exit code of a failure no check foresaw (sysexits' EX_SOFTWARE): a bug to report.
UNEXPECTED = 70


def run_command(command: typer.Typer, argv: list[str] | None) -> int:
    """Run ``command`` on ``argv``; return the exit code instead of exiting."""
    process_app.cache_clear()
    process_remote.cache_clear()
    began = time.monotonic()
    code = _run(command, argv)
    log.debug("exit %d after %.2f s", code, time.monotonic() - began)
    return code


def _run(command: typer.Typer, argv: list[str] | None) -> int:
    try:
        result: Any = command(args=argv, prog_name=PROG, standalone_mode=False)
    except EntrepotError as exc:
        log.debug("%s", type(exc).__name__, exc_info=exc)
        lang = reader_language()
        if lang == "en" or isinstance(exc, RemoteError):  # a service's answer: its reader's
            t = translator(lang)
            err_console.print(
                Text.assemble((t("cli.refusal.error"), "bold red"), f" {exc.message}")
            )
            if exc.hint:
                said = Text.assemble((t("cli.refusal.what_to_do"), "yellow"), f" {exc.hint}")
                err_console.print(said)
        else:
            for line in refusal_lines(exc, lang):
                err_console.print(line)
        return exit_code(exc)
    except typer.Abort:
        t = translator(reader_language())
        err_console.print(t("cli.runner.aborted"), markup=False)
        return 130
    except typer.TyperException as exc:  # typer's own copy of click's usage errors
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        code = getattr(exc, "exit_code", 2)
        return code if isinstance(code, int) else 2
    except KeyboardInterrupt:
        t = translator(reader_language())
        err_console.print(t("cli.runner.interrupted"), markup=False)
        return 130
    except Exception as exc:
        log.debug("unexpected", exc_info=exc)
        if _raised_by_ctrl_c(exc):  # a library that broke while Ctrl-C unwound through it
            err_console.print(translator(reader_language())("cli.runner.interrupted"), markup=False)
            return 130
        t = translator(reader_language())
        failure = t("cli.runner.unexpected", what=_said(exc))
        err_console.print(Text.assemble((t("cli.refusal.error"), "bold red"), f" {failure}"))
        hint = t("cli.runner.unexpected_hint")
        err_console.print(Text.assemble((t("cli.refusal.what_to_do"), "yellow"), f" {hint}"))
        return UNEXPECTED
    return result if isinstance(result, int) else 0


def _raised_by_ctrl_c(exc: BaseException) -> bool:
    """Whether a :class:`KeyboardInterrupt` lies in the chain that led to ``exc``."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _said(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
