"""``entrepot serve`` (the fraud web service) and ``entrepot worker`` (a job worker).

``serve`` alone is enough: on the embedded defaults it migrates the catalog, starts a job
worker as a child process (never inside the web process, ADR 0073), which builds the
reference library in the background, then prints the URL. With Redis
(``ENTREPOT_JOBS_URL=redis://...``) run ``entrepot serve --no-worker`` on the web machines
and ``entrepot worker`` elsewhere.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from entrepot.bootstrap.jobs import QueueChoice
from entrepot.cli.context import console, current_app
from entrepot.cli.language import words
from entrepot.messages import Np_

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App
    from entrepot.cli.worker_process import WorkerProcess


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to ``app``."""
    app.command("serve")(serve)
    app.command("worker")(worker)


#: The levels ``--log-level`` and the ``log_level`` setting take.
LOG_LEVELS = ("debug", "info", "warning", "error")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port to listen on (default: the port setting, 8000)"),
    ] = None,
    run_worker: Annotated[
        bool,
        typer.Option("--worker/--no-worker", help="Run a job worker (a child process of this one)"),
    ] = True,
    migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Bring the catalog schema up first")
    ] = True,
    log_level: Annotated[
        str | None,
        typer.Option(help="debug, info, warning or error (default: the log_level setting)"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Web processes answering requests (jobs then run in one more process)",
        ),
    ] = 1,
) -> None:
    """Start the fraud detection web service and print its URL."""
    import uvicorn

    from entrepot.asgi import create_app
    from entrepot.http.observability import configure_logging

    app = current_app()
    port = app.settings.web.port if port is None else port
    app.operations.check_port(host, port)  # before saying "serving on" (a taken port used to hang)
    log_level = _log_level(log_level, app)
    configure_logging(log_level.upper(), json_lines=app.settings.env == "production")
    if migrate:
        app.catalog.migrate()
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "log_level": log_level.lower(),
        "access_log": False,
        "proxy_headers": False,  # the app believes X-Forwarded-For from trusted proxies only
        "timeout_graceful_shutdown": 10,
        # an idle connection is closed after this; a stalled body: BodyPaceGuard (ADR 0040)
        "timeout_keep_alive": app.settings.web.keep_alive,
    }
    if workers > 1:
        _serve_processes(app, workers, run_worker=run_worker, **options)
        return
    web = create_app(app)
    jobs = _job_worker(app, log_level) if run_worker else None
    served = app.health.served()
    t = words()
    worker = (
        t("cli.serve.worker_in_process", pid=jobs.pid)
        if jobs is not None
        else t("cli.serve.run_worker")
    )
    _banner(
        f"http://{shown}:{port}",
        "",
        [
            (t("cli.serve.store"), served.store),
            (t("cli.serve.catalog"), served.catalog),
            (t("cli.serve.jobs"), f"{served.jobs} ({worker})"),
            (t("cli.serve.accounts"), _accounts(app)),
        ],
    )
    try:
        uvicorn.run(web, **options)
    finally:
        if jobs is not None:
            jobs.stop()


def _job_worker(app: App, log_level: str) -> WorkerProcess:
    """The instance's job worker, started as a child process (ADR 0073)."""
    from entrepot.cli.worker_process import WorkerProcess

    app.operations.ensure_secret()  # one instance secret, before the worker needs it
    threads = min(max(app.settings.jobs.worker_threads, 1), 32)  # what `entrepot worker` takes
    jobs = WorkerProcess(threads=threads, log_level=log_level, said=console.print)
    jobs.start()
    jobs.stop_on_sigterm()
    return jobs


def _serve_processes(app: App, workers: int, *, run_worker: bool, **options: Any) -> None:
    """``serve --workers N``: N web processes under uvicorn's supervisor, each building its
    app from the environment like this one, and one job worker process beside them."""
    import uvicorn

    app.operations.ensure_secret()  # one instance secret, before any worker needs it
    log_level = options["log_level"]
    os.environ["ENTREPOT_LOG_LEVEL"] = log_level  # each web process reads it in its settings
    jobs = _job_worker(app, log_level) if run_worker else None
    host = options["host"]
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    served = app.health.served()
    t = words()
    _banner(
        f"http://{shown}:{options['port']}",
        " " + t.plural(Np_("cli.serve.web_processes"), workers),
        [
            (t("cli.serve.store"), served.store),
            (t("cli.serve.catalog"), served.catalog),
            (
                t("cli.serve.jobs"),
                t("cli.serve.in_worker_process", pid=jobs.pid)
                if jobs is not None
                else t("cli.serve.run_worker"),
            ),
            (t("cli.serve.accounts"), _accounts(app)),
        ],
    )
    try:
        uvicorn.run("entrepot.asgi:served_app", factory=True, workers=workers, **options)
    finally:
        if jobs is not None:
            jobs.stop()


def _banner(url: str, extra: str, rows: list[tuple[str, str]]) -> None:
    """``Entrepôt serving on URL`` and a line for each of ``rows``, their labels aligned."""
    t = words()
    width = max(len(label) for label, _ in rows) + 1
    said = Text.assemble(("Entrepôt", "bold"), " " + t("cli.serve.serving_on") + " ")
    said.append(url, "bold cyan")
    said.append(extra)
    for label, value in rows:
        said.append(f"\n  {label.ljust(width)}{value}")
    console.print(said)


def _accounts(app: App) -> str:
    """How many accounts exist, or how to create the first one."""
    count, t = app.accounts.count(), words()
    return t("cli.serve.accounts_count", count=count) if count else t("cli.serve.no_account")


def _log_level(given: str | None, app: App) -> str:
    """``--log-level`` if given (checked as the setting is), else the ``log_level`` setting."""
    if given is None:
        return app.settings.log_level
    if given.lower() not in LOG_LEVELS:
        raise typer.BadParameter(f"use one of {', '.join(LOG_LEVELS)}", param_hint="--log-level")
    return given.lower()


def worker(
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at once")] = 1,
    log_level: Annotated[
        str | None,
        typer.Option(help="debug, info, warning or error (default: the log_level setting)"),
    ] = None,
    queue: Annotated[
        QueueChoice,
        typer.Option(help="all, fraud (trainings, scorings) or city (`city run --jobs` units)."),
    ] = QueueChoice.all,
    parent_pid: Annotated[
        int | None,
        typer.Option("--parent-pid", hidden=True, help="Stop when this process is gone"),
    ] = None,
) -> None:
    """Run background jobs (trainings, scorings, city units) from the queue until stopped."""
    from entrepot.cli.reference_build import follow_in_background
    from entrepot.http.observability import configure_logging

    app = current_app()
    log_level = _log_level(log_level, app)
    configure_logging(log_level.upper(), json_lines=app.settings.env == "production")
    # A fraud job loads the ML stack when it runs: city units need pandas and DuckDB only.
    if queue is not QueueChoice.city:
        app.fraud()  # its options decide the job system's
    running = app.operations.worker(threads, queues=queue.value)
    name, where = app.operations.worker_place(queue.value)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    running.start()
    t = words()
    console.print(t("cli.serve.worker", name=name, where=where, queue=queue), markup=False)
    if queue is not QueueChoice.city:
        references = app.fraud().references
        references.ensure()
        follow_in_background(references, console)
    _wait(stop, parent_pid)
    console.print(t("cli.serve.stopping"), markup=False)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    running.stop(timeout=60)


def _wait(stop: threading.Event, parent: int | None) -> None:
    """Until ``stop`` is set, or until the process ``parent`` is gone (``serve``'s worker
    never outlives it, ADR 0073)."""
    if parent is None:
        stop.wait()
        return
    from entrepot.cli.worker_process import parent_gone

    while not stop.wait(1.0) and not parent_gone(parent):
        pass


def main(argv: list[str] | None = None) -> int:
    """``serve``, ``worker`` and ``users`` without the main CLI
    (``python -m entrepot.cli.serve ...``); errors print as the main CLI prints them."""
    from entrepot.cli.runner import run_command
    from entrepot.cli.users import users_app

    commands = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
    register(commands)
    commands.add_typer(users_app, name="users")
    return run_command(commands, argv)


if __name__ == "__main__":
    raise SystemExit(main())
