"""Stable error codes: the snake_case name of the error's class (``TooFewRows`` ->
``too_few_rows``), shared by job records and the JSON API."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def error_code(error: BaseException) -> str:
    """The code of ``error``."""
    return _CAMEL.sub("_", type(error).__name__).lower()
