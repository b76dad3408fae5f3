"""The values a table shows people that are words of the code (an object's kind and state,
a migration's phase, a check's finding) in the reader's language: ``dataset`` reads
``jeu de données`` under ``LANG=fr_FR.UTF-8``. ``--json`` keeps the code's words; a value
no table below knows shows as it is."""

from __future__ import annotations

from collections.abc import Mapping

from entrepot.cli.language import words
from entrepot.messages import N_

#: What a recorded object is (``objects.kind``).
OBJECT_KINDS = {
    "file": N_("cli.kind.file"),
    "dataset": N_("cli.kind.dataset"),
    "prediction": N_("cli.kind.prediction"),
    "model": N_("cli.kind.model"),
    "model-file": N_("cli.kind.model_file"),
    "manifest": N_("cli.kind.manifest"),
    "city-report": N_("cli.kind.city_report"),
    "city-unit": N_("cli.kind.city_unit"),
}
#: Whether a recorded object may be served (``ObjectState``).
OBJECT_STATES = {
    "stored": N_("cli.object_state.stored"),
    "quarantined": N_("cli.object_state.quarantined"),
}
#: Where a store migration is (``MigrationStatus.phase``).
MIGRATION_PHASES = {
    "copying": N_("cli.migration_phase.copying"),
    "interrupted": N_("cli.migration_phase.interrupted"),
    "copied": N_("cli.migration_phase.copied"),
    "running": N_("cli.migration_phase.running"),
    "finalizing": N_("cli.migration_phase.finalizing"),
    "finalized": N_("cli.migration_phase.finalized"),
    "rolled_back": N_("cli.migration_phase.rolled_back"),
}
#: Where one object of a migration is (``ItemState``).
ITEM_STATES = {
    "pending": N_("cli.item_state.pending"),
    "repointed": N_("cli.item_state.repointed"),
    "failed": N_("cli.item_state.failed"),
    "skipped": N_("cli.item_state.skipped"),
    "rolled_back": N_("cli.item_state.rolled_back"),
}
#: What ``verify`` found wrong with an object (``ProblemKind``), and its cached copy.
PROBLEMS = {
    "missing": N_("cli.problem.missing"),
    "size-mismatch": N_("cli.problem.size_mismatch"),
    "sha256-mismatch": N_("cli.problem.sha256_mismatch"),
    "content-mismatch": N_("cli.problem.content_mismatch"),
}
CACHED_COPIES = {
    "verified": N_("cli.cached_copy.verified"),
    "none": N_("cli.cached_copy.none"),
}
#: A scored row's risk level (``fraud.score.scoring.RISK_LEVELS``) and how far to trust scores.
RISK_LEVELS = {
    "low": N_("cli.risk.low"),
    "medium": N_("cli.risk.medium"),
    "high": N_("cli.risk.high"),
    "critical": N_("cli.risk.critical"),
}
TRUST_LEVELS = {
    "low": N_("cli.trust_level.low"),
    "medium": N_("cli.trust_level.medium"),
    "high": N_("cli.trust_level.high"),
}
#: What collecting one city feed did (``FeedOutcome.status``).
FEED_STATUSES = {
    "collected": N_("cli.feed_status.collected"),
    "already collected": N_("cli.feed_status.already_collected"),
    "failed": N_("cli.feed_status.failed"),
}
#: What a city run did for one (source, day) (``city.runs.Status``), and a watermark's state.
RUN_STATUSES = {
    "computed": N_("cli.run_status.computed"),
    "skipped": N_("cli.run_status.skipped"),
    "failed": N_("cli.run_status.failed"),
    "no-data": N_("cli.run_status.no_data"),
    "kept": N_("cli.run_status.kept"),
    "ok": N_("cli.run_status.ok"),
}
#: A generator domain's title (``fraud/synth/domains.toml``), in words.
DOMAIN_TITLES = {
    "card_payments": N_("cli.domain.card_payments"),
    "ecommerce": N_("cli.domain.ecommerce"),
    "mobile_money": N_("cli.domain.mobile_money"),
    "wire_transfers": N_("cli.domain.wire_transfers"),
    "atm": N_("cli.domain.atm"),
    "corporate_payments": N_("cli.domain.corporate_payments"),
    "mobile_banking": N_("cli.domain.mobile_banking"),
    "crypto_gateway": N_("cli.domain.crypto_gateway"),
    "mortgage_payments": N_("cli.domain.mortgage_payments"),
    "trading": N_("cli.domain.trading"),
    "insurance_claims": N_("cli.domain.insurance_claims"),
    "retail_pos": N_("cli.domain.retail_pos"),
    "p2p_lending": N_("cli.domain.p2p_lending"),
}
#: A fraud scenario of the generator.
SCENARIOS = {
    "account_takeover": N_("cli.scenario.account_takeover"),
    "compromised_card": N_("cli.scenario.compromised_card"),
    "compromised_terminal": N_("cli.scenario.compromised_terminal"),
    "large_amount": N_("cli.scenario.large_amount"),
    "smurfing": N_("cli.scenario.smurfing"),
    "unusual_destination": N_("cli.scenario.unusual_destination"),
    "velocity_burst": N_("cli.scenario.velocity_burst"),
}
#: What ``models import-tree`` did with one folder.
IMPORT_RESULTS = {
    "imported": N_("cli.import_result.imported"),
    "would import": N_("cli.import_result.would_import"),
    "skipped": N_("cli.import_result.skipped"),
    "refused": N_("cli.import_result.refused"),
}


def value_words(table: Mapping[str, str], value: object) -> str:
    """``value`` in the reader's language when ``table`` knows it, else as it is."""
    key = table.get(str(value))
    t = words()
    return t(key) if key else str(value)


def values_words(table: Mapping[str, str], values: str, sep: str = ", ") -> str:
    """Several values joined by ``sep`` (``size-mismatch, content-mismatch``), each in words."""
    return sep.join(value_words(table, value) for value in values.split(sep))


def metric_name(key: str, *, of_training: bool = False) -> str:
    """A metric's name as the model page gives it (``fraud_service/glossary.py``:
    "Precision-recall area", "Aire précision-rappel"); one it does not name, by its key.
    ``of_training``: a version's metrics, whose counts are the training file's, not the
    test rows' (``frauds``: "Frauds (training file)")."""
    t = words()
    if of_training and key in TRAINING_COUNTS:
        return t(TRAINING_COUNTS[key])
    name = t(f"metric.{key}.name")  # the glossary's keys
    return key if name == f"metric.{key}.name" else name


#: A version's counts that are its training file's (``library/trained.py`` ``model_metrics``).
TRAINING_COUNTS = {"frauds": N_("cli.metric.training_frauds")}
