"""Message keys the templates build at run time (``"jobs.kind." ~ job.kind``), named here
so that ``pybabel extract`` finds them and ``pybabel update`` keeps them in the catalogs."""

from __future__ import annotations

from entrepot.i18n.catalogs import N_

__all__ = ["N_", "Np_"]


def Np_(key: str) -> str:  # noqa: N802 - the plural marker, as ``N_``
    """``key`` itself: marks a key with plural forms for extraction."""
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
#: Plans (accounts/plans.py).
PLANS = (N_("plan.trial"), N_("plan.basic"), N_("plan.premium"), N_("plan.enterprise"))
#: Column roles (fraud/schema/roles.py) and kinds of entity; the engine's cell words.
ROLES = (
    N_("role.id"),
    N_("role.timestamp"),
    N_("role.amount"),
    N_("role.entity"),
    N_("role.categorical"),
    N_("role.boolean"),
    N_("role.numeric"),
    N_("role.text"),
    N_("role.empty"),
    N_("role.constant"),
    N_("role.target"),
    N_("role.leak"),
    N_("role.kind.customer"),
    N_("role.kind.counterparty"),
    N_("role.kind.other"),
    N_("common.missing"),
    N_("common.yes"),
)
#: Words inside the progress messages (web/phrases.py).
PROGRESS = (
    N_("progress.split_kind.time"),
    N_("progress.split_kind.stratified"),
    N_("progress.state.skipped"),
    N_("progress.state.training"),
    N_("progress.state.built"),
    N_("trial.stage.default"),
    N_("trial.stage.tuned"),
    N_("trial.stage.refined"),
)
#: Refusals and failures by code (jobs/codes.py: the error's class in snake_case), then by
#: HTTP status (web/phrases.py).
ERRORS = (
    N_("error.authentication_required"),
    N_("error.invalid_credentials"),
    N_("error.too_many_attempts"),
    N_("error.account_inactive"),
    N_("error.not_allowed"),
    N_("error.csrf_error"),
    N_("error.not_in_namespace"),
    N_("error.licence_required"),
    N_("error.quota_exceeded"),
    N_("error.dataset_too_large"),
    N_("error.too_large"),
    N_("error.licence_already_used"),
    N_("error.invalid_licence_key"),
    N_("error.email_taken"),
    N_("error.invalid_account_input"),
    N_("error.unsupported_file_type"),
    N_("error.unreadable_file"),
    N_("error.bad_upload"),
    N_("error.library_not_ready"),
    N_("error.no_references"),
    N_("error.no_matching_reference"),
    N_("error.invalid_threshold"),
    N_("error.nothing_to_learn"),
    N_("error.too_few_rows"),
    N_("error.single_class"),
    N_("error.no_target_found"),
    N_("error.target_not_found"),
    N_("error.missing_columns"),
    N_("error.missing_input"),
    N_("error.no_usable_columns"),
    N_("error.no_usable_features"),
    N_("error.model_not_found"),
    N_("error.record_not_found"),
    N_("error.not_found"),
    N_("error.invalid_name"),
    N_("error.version_in_use"),
    N_("error.invalid_request"),
    N_("error.internal_error"),
    N_("error.job_cancelled"),
    N_("error.queue_unavailable"),
    N_("error.status.400"),
    N_("error.status.401"),
    N_("error.status.402"),
    N_("error.status.403"),
    N_("error.status.404"),
    N_("error.status.405"),
    N_("error.status.409"),
    N_("error.status.413"),
    N_("error.status.415"),
    N_("error.status.422"),
    N_("error.status.429"),
    N_("error.status.500"),
    N_("error.status.503"),
    N_("error.empty_file"),
    N_("error.missing_file"),
    N_("error.unknown_domain"),
    N_("error.alias_not_found"),
    N_("error.reference_not_found"),
    N_("error.version_exists"),
    N_("error.invalid_model_files"),
    N_("error.missing_model_files"),
    N_("error.unsafe_model_format"),
    N_("error.object_not_found"),
    N_("error.record_exists"),
    N_("error.record_in_use"),
    N_("error.integrity_error"),
    N_("error.store_unavailable"),
    N_("error.database_unavailable"),
    N_("error.number_too_large"),
    N_("error.invalid_value"),
    N_("error.invalid_page"),
)
