"""Errors of the fraud service, beyond the engine's own (``entrepot.fraud.errors``).

::

    FraudServiceError (EntrepotError)
    ├── UnsupportedFileType (ValueError)  not a CSV, Parquet or XLSX file
    ├── LibraryNotReady                   the reference library is still being built
    └── NotInNamespace (PermissionError)  a key outside the caller's folder
"""

from __future__ import annotations

from entrepot.errors import EntrepotError


class FraudServiceError(EntrepotError):
    """The fraud service refused the request."""


class UnsupportedFileType(FraudServiceError, ValueError):
    """The upload is not a table in a supported format."""

    hint = "upload a CSV (.csv), Parquet (.parquet) or Excel (.xlsx) file"


class LibraryNotReady(FraudServiceError):
    """The reference models are not built yet."""

    hint = "the service builds them on its first start; retry in a few minutes"


class NotInNamespace(FraudServiceError, PermissionError):
    """A key outside the caller's folder."""

    hint = "download your predictions by id: GET /api/predictions/{id}/download"
