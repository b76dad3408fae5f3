"""Who acts on accounts from outside a signed-in session: records the entrypoints pass
to the account services without importing them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """Whoever runs the command line with local access to the installation (its catalog,
    its store): trusted as an administrator, recorded as ``cli`` in the audit log."""

    id: None = None
    email: str = "cli"
    is_admin: bool = True
    is_active: bool = True


#: The command line's actor.
OPERATOR = Operator()
