"""Message keys the templates build at run time (``"jobs.kind." ~ job.kind``), named here
so that ``pybabel extract`` finds them and ``pybabel update`` keeps them in the catalogs."""

from __future__ import annotations


def N_(key: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate yet"
    """``key`` itself: marks a key for extraction."""
    return key


#: Job kinds and states, risk levels, prediction sources, the admin's user actions.
DYNAMIC = (
    N_("jobs.kind.train"),
    N_("jobs.kind.predict"),
    N_("jobs.kind.apply_unlabeled"),
    N_("jobs.kind.build_references"),
    N_("jobs.state.queued"),
    N_("jobs.state.running"),
    N_("jobs.state.succeeded"),
    N_("jobs.state.failed"),
    N_("prediction.risk.low"),
    N_("prediction.risk.medium"),
    N_("prediction.risk.high"),
    N_("prediction.risk.critical"),
    N_("prediction.source.model"),
    N_("prediction.source.references"),
    N_("admin.activate"),
    N_("admin.deactivate"),
    N_("admin.grant"),
    N_("admin.revoke"),
)
