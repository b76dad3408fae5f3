"""The whole catalog schema: every area's tables, registered on one declarative base.

Each area describes its own tables in its sub-package (``objects/tables.py``,
``models/tables.py``, ``accounts/tables.py``, ``jobs/tables.py``, ``workspace/tables.py``,
``city/tables.py``, ``relocation/tables.py``, ``leases/tables.py``, ``feedback/tables.py``,
``copy/tables.py``) on the :class:`~entrepot.catalog.base.Base` of ``base.py``; importing
this module makes ``Base.metadata`` complete, for Alembic and for the schema check.
"""

from __future__ import annotations

from entrepot.catalog.accounts import tables as accounts
from entrepot.catalog.base import Base
from entrepot.catalog.city import tables as city
from entrepot.catalog.copy import tables as copy
from entrepot.catalog.feedback import tables as feedback
from entrepot.catalog.jobs import tables as jobs
from entrepot.catalog.keyring import tables as keyring
from entrepot.catalog.leases import tables as leases
from entrepot.catalog.models import tables as models
from entrepot.catalog.objects import tables as objects
from entrepot.catalog.relocation import tables as relocation
from entrepot.catalog.workspace import tables as workspace

#: Every table of the catalog.
metadata = Base.metadata

__all__ = [
    "Base",
    "accounts",
    "city",
    "copy",
    "feedback",
    "jobs",
    "keyring",
    "leases",
    "metadata",
    "models",
    "objects",
    "relocation",
    "workspace",
]
