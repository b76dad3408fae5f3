"""``entrepot serve`` (the fraud web service) and ``entrepot worker`` (a job worker).

``serve`` alone is enough: on the embedded defaults it migrates the catalog, runs a job
worker in its own process and builds the reference library in the background, then
prints the URL. With Redis (``ENTREPOT_JOBS_URL=redis://...``) run
``entrepot serve --no-worker`` on the web machines and ``entrepot worker`` elsewhere.
"""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from entrepot.cli.context import console, current_app


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to ``app``."""
    app.command("serve")(serve)
    app.command("worker")(worker)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
    run_worker: Annotated[
        bool,
        typer.Option("--worker/--no-worker", help="Run a job worker in this process"),
    ] = True,
    migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Bring the catalog schema up first")
    ] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Start the fraud detection web service and print its URL."""
    import uvicorn

    from entrepot.api.app import create_app
    from entrepot.api.observability import configure_logging
    from entrepot.catalog.engine import masked
    from entrepot.cli.reference_build import follow_in_background

    configure_logging(log_level.upper())
    app = current_app()
    if migrate:
        app.migrate()
    web = create_app(app, worker=run_worker)
    services = web.state.services
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    console.print(
        f"[bold]Entrepôt[/] serving on [bold cyan]http://{shown}:{port}[/]\n"
        f"  store    {app.raw_store.url}\n"
        f"  catalog  {masked(app.settings.database_url)}\n"
        f"  jobs     {services.queue.description}"
        + (" (worker in this process)" if run_worker else " (run `entrepot worker`)")
        + "\n  no account exists by default: `entrepot users create EMAIL --admin`"
    )
    if run_worker:
        follow_in_background(services.references, console)
    uvicorn.run(
        web,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,
        proxy_headers=False,  # the app believes X-Forwarded-For from trusted proxies only
        timeout_graceful_shutdown=10,
    )


def worker(
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at once")] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Run background jobs (trainings, scorings) from the queue until stopped."""
    from entrepot.api.observability import configure_logging
    from entrepot.cli.reference_build import follow_in_background

    configure_logging(log_level.upper())
    services = current_app().fraud()
    running = services.worker(threads)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    running.start()
    services.references.ensure()
    console.print(f"worker {services.runner.worker} on {services.queue.description}")
    follow_in_background(services.references, console)
    stop.wait()
    console.print("stopping after the jobs in progress (a second signal exits now)")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    running.stop(timeout=60)


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
