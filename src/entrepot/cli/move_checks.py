"""Which step ``entrepot move`` takes, from its flags: one step at most, each option with
the step it goes with; a combination that makes no sense is an :class:`InvalidArgument`
saying how to write it."""

from __future__ import annotations

from pathlib import Path

from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

ACTIONS = ("estimate", "dry_run", "resume", "rollback", "finalize", "status")


def chosen_action(
    flags: tuple[bool, bool, bool, bool, bool, bool],
    *,
    to: str | None,
    verify: bool,
    prices: Path | None,
    prefix: str,
    as_json: bool,
    delete_copies: bool,
    keep_source: bool,
    force: bool,
) -> str:
    """The step the flags name (``flags``: one per :data:`ACTIONS`, in order): ``migrate``
    with ``--to`` alone, ``verify`` with ``--verify`` alone, else ``status``."""
    chosen = [a for a, on in zip(ACTIONS, flags, strict=True) if on]
    rollback, finalize = flags[3], flags[4]
    if len(chosen) > 1:
        options = ", --".join(a.replace("_", "-") for a in chosen)
        raise InvalidArgument(
            f"choose one of --{options}",
            said=Message(N_("error.cli.move_one_step"), {"options": options}),
        )
    if (delete_copies and not rollback) or ((keep_source or force) and not finalize):
        raise InvalidArgument(
            "--delete-copies goes with --rollback, --keep-source and --force with --finalize",
            said=Message(N_("error.cli.move_option_pairs")),
        )
    action = chosen[0] if chosen else ("migrate" if to else ("verify" if verify else "status"))
    if prices is not None and action != "estimate":
        raise InvalidArgument(
            "--prices goes with --estimate",
            hint="entrepot move --estimate --prices FILE.json",
            said=Message(N_("error.cli.move_prices_with_estimate")),
        )
    if prefix and action not in ("estimate", "dry_run", "migrate"):
        raise InvalidArgument(
            "--prefix goes with --estimate, --dry-run or --to URL",
            hint="e.g. entrepot move --to s3://bucket/prefix --prefix datasets/",
            said=Message(N_("error.cli.move_prefix_with")),
        )
    if as_json and action != "status":
        raise InvalidArgument(
            "--json goes with --status",
            hint="entrepot move --status --json",
            said=Message(N_("error.cli.move_json_with_status")),
        )
    if action in ("dry_run", "migrate") and to is None:
        raise InvalidArgument(
            "name the destination with --to URL",
            hint="e.g. --to s3://bucket/prefix",
            said=Message(N_("error.cli.move_needs_destination")),
        )
    return action
