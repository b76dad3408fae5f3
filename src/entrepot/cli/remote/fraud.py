"""``entrepot fraud score``, ``train`` and ``evaluate`` on a deployed service: the file
uploaded (``POST /api/upload``, kept as one of the account's datasets), the work asked
for (``POST /api/predict``, ``/api/apply_unlabeled``, ``/api/train`` or ``/api/evaluate``)
and followed (``GET /api/jobs/{id}``), and
what it gave printed as the local commands print it. The scores come back checked against
the size and sha256 the service keeps, through a temporary file renamed into place.

The service decides what the local commands let a user set for their own machine (the
model search's budget, seed and threads; explanations); those options, and the ones that
name local folders, are refused here rather than silently ignored.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from entrepot.cli.context import progress_console
from entrepot.cli.language import stored_in_words, words
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.errors import JobFailed, NotAnEntrepot
from entrepot.cli.remote.models import resolve
from entrepot.cli.remote.staging import placed
from entrepot.cli.remote.target import Remote
from entrepot.errors import InvalidArgument
from entrepot.fraud_service.errors import TrainingFailed
from entrepot.i18n.messages import english
from entrepot.messages import N_, Message, message_of

#: Seconds between two looks at a job.
POLL = 0.5
#: The job states after which a job does not change.
FINAL = frozenset({"succeeded", "failed"})
#: What the service writes scores as.
SCORE_SUFFIX = ".csv"

Sleep = Callable[[float], None]


def refuse_options(command: str, given: Sequence[str]) -> None:
    """Refuse the options ``given`` that ``command`` takes only on a local instance."""
    if given:
        raise InvalidArgument(
            f"{', '.join(given)}: `entrepot fraud {command}` on a deployed service does not "
            "take this (the service decides it, or it names a local folder)",
            hint="leave it out, or run the command on a local instance (`entrepot logout`)",
            said=Message(
                N_("error.cli.remote_option_refused"),
                {"options": ", ".join(given), "command": command},
            ),
        )


def score(
    remote: Remote,
    file: Path,
    out: Path,
    model: str | None,
    *,
    history: Path | None = None,
    sleep: Sleep = time.sleep,
    sheet: str | None = None,
) -> Any:
    """Score ``file`` on the service and write the scores to ``out``: with the account's
    ``model`` (``/api/predict``), or with ``model=None`` the reference ensemble fitted to
    the file (``/api/apply_unlabeled``, as ``--ensemble``), weighed on ``history`` (a
    labelled file of earlier transactions, uploaded too) when given; the stored
    prediction's record (its summary, estimate and trust), with the keys the command
    prints."""
    if history is not None and model is not None:
        raise InvalidArgument(
            "--history: on a deployed service a labelled history weighs the reference "
            "ensemble (--ensemble), not one of your models",
            hint="leave --history out, or score with --ensemble",
            said=Message(N_("error.cli.remote_history_with_model")),
        )
    if model is not None and ("/" in model or "\\" in model):
        raise InvalidArgument(
            f"--model {model}: a model folder is read on this machine, and this command line "
            f"works on {remote.url}",
            hint="give one of your models there as NAME[@VERSION] (see `entrepot models ls`)",
            said=Message(N_("error.cli.remote_model_folder"), {"model": model, "url": remote.url}),
        )
    if out.suffix.lower() != SCORE_SUFFIX:
        raise InvalidArgument(
            f"{out}: the service gives scores as CSV",
            hint=f"name the output {out.with_suffix(SCORE_SUFFIX).name}",
            said=Message(
                N_("error.cli.remote_scores_csv"),
                {"out": str(out), "name": out.with_suffix(SCORE_SUFFIX).name},
            ),
        )
    _writable(out)
    _readable(file)
    if history is not None:
        _readable(history)
    with Client(remote) as client:
        model_id = None if model is None else int(resolve(client, model)["id"])
        dataset = _upload(client, file, _fields(None, sheet))
        if model_id is None:
            apply = {"dataset_id": dataset}
            if history is not None:
                apply["history_dataset_id"] = _upload(client, history, {})
            accepted = client.post_json("/api/apply_unlabeled", apply)
        else:
            body = {"model_id": model_id, "dataset_id": dataset}
            accepted = client.post_json("/api/predict", body)
        done = follow(client, _job_id(client, accepted), sleep=sleep)
        if done.get("state") != "succeeded":
            raise _failure(done, JobFailed)
        prediction_id = str(done.get("result", {}).get("prediction_id", ""))
        record = client.get_json(f"/api/predictions/{prediction_id}")
        if not isinstance(record, Mapping) or "summary" not in record:
            raise NotAnEntrepot(
                remote.url, f"prediction {prediction_id} came back without a summary"
            )
        _fetch(client, str(record["download_url"]), int(record["size"]), out)
    return record


def train(
    remote: Remote,
    file: Path,
    name: str,
    *,
    target: str | None,
    evaluation: Mapping[str, Any],
    sleep: Sleep = time.sleep,
    sheet: str | None = None,
) -> tuple[Mapping[str, Any], str]:
    """Train ``name`` on ``file`` on the service (``evaluation``: the label delay, kept
    columns, cards a day, time column and entity columns); the finished job's result and
    the account's email. A training the service refuses leaves no dataset behind."""
    _readable(file)
    with Client(remote) as client:
        me = client.get_json("/api/me")
        dataset = _upload(client, file, _fields(target, sheet))
        body = {
            "dataset_id": dataset,
            "model_name": name,
            "target_column": target,
            "label_delay_days": evaluation["label_delay_days"],
            "keep_columns": list(evaluation["keep_columns"]),
            "cards_per_day": evaluation["cards_per_day"],
            "time_column": evaluation.get("time_column"),
            "entity_columns": list(evaluation.get("entity_columns", ())),
        }
        try:
            accepted = client.post_json("/api/train", body)
        except Exception:
            with contextlib.suppress(Exception):
                client.delete(f"/api/datasets/{dataset}")
            raise
        done = follow(client, _job_id(client, accepted), sleep=sleep)
    if done.get("state") != "succeeded":
        raise _failure(done, TrainingFailed)
    user = me.get("user") if isinstance(me, Mapping) else None
    email = str(user.get("email")) if isinstance(user, Mapping) else "?"
    result = done.get("result")
    return (result if isinstance(result, Mapping) else {}), email


def evaluate(
    remote: Remote,
    file: Path,
    model: str | None,
    target: str | None,
    *,
    sleep: Sleep = time.sleep,
    sheet: str | None = None,
) -> dict[str, Any]:
    """Evaluate ``file`` (labelled) on the service with the account's ``model``, or the
    reference ensemble (``None``); what ``fraud evaluate`` prints: the label, the metrics
    at the threshold, each member's AUPRC."""
    _readable(file)
    with Client(remote) as client:
        model_id = None if model is None else int(resolve(client, model)["id"])
        dataset = _upload(client, file, _fields(target, sheet))
        body = {"dataset_id": dataset, "model_id": model_id, "target_column": target}
        accepted = client.post_json("/api/evaluate", body)
        done = follow(client, _job_id(client, accepted), sleep=sleep)
    if done.get("state") != "succeeded":
        raise _failure(done, JobFailed)
    result = done.get("result")
    if not isinstance(result, Mapping) or not isinstance(result.get("metrics"), Mapping):
        raise NotAnEntrepot(remote.url, "the evaluation came back without its figures")
    return {
        "target": result["target"],
        "metrics": _nan(result["metrics"]),
        "member_auprc": _nan(result.get("member_auprc") or {}),
    }


def _nan(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with JSON's ``null`` figures (and those of a nested mapping) back to NaN,
    as the local command has them."""
    return {
        k: _nan(v) if isinstance(v, Mapping) else float("nan") if v is None else v
        for k, v in values.items()
    }


def follow(client: Client, job_id: str, *, sleep: Sleep = time.sleep) -> Mapping[str, Any]:
    """The job once it is final, its progress messages said on stderr as they change."""
    said = ""
    while True:
        job = client.get_json(f"/api/jobs/{job_id}")
        if not isinstance(job, Mapping):
            raise NotAnEntrepot(client.url, f"job {job_id} came back as something else")
        now = _progress(job)
        if now and now != said:
            said = now
            progress_console.print(f"[dim]{now}[/]")
        if job.get("state") in FINAL:
            return job
        sleep(POLL)


def print_remote_scores(console: Console, record: Mapping[str, Any], out: Path) -> None:
    """What ``fraud score`` prints, from the service's prediction record."""
    from entrepot.cli.fraud.render import (
        print_ensemble,
        print_estimate,
        print_expected,
        print_known_labels,
        print_scores,
        print_trust,
    )

    summary = record["summary"]
    print_ensemble(console, summary.get("members", []))
    print_known_labels(console, summary.get("known_labels"))
    print_scores(console, summary)
    print_trust(console, record.get("trust"))
    print_estimate(console, record.get("estimate"))
    print_expected(console, record.get("expected"))
    t = words()
    console.print(t("cli.score.wrote", out=out), markup=False)


def remote_scores_json(record: Mapping[str, Any], out: Path) -> dict[str, Any]:
    """What ``fraud score --json`` prints, from the service's prediction record (the local
    keys, and the stored prediction's id)."""
    summary = record["summary"]
    return {
        "out": str(out),
        "rows": summary["rows"],
        "flagged": summary["flagged"],
        "threshold": summary["threshold"],
        "saved_ensemble": None,
        "estimate": record.get("estimate"),
        "expected": record.get("expected"),
        "known_labels": summary.get("known_labels"),
        "trust": record.get("trust"),
        "spread": summary.get("spread") or {},
        "prediction_id": record.get("id"),
    }


def _readable(file: Path) -> None:
    """``file`` is a file this process can read, or the error the local command gives."""
    from entrepot.errors import LocalFileNotFound

    if not file.is_file():
        raise LocalFileNotFound(
            f"no file {file}",
            hint="check the path (a CSV, Parquet or XLSX file)",
            said=Message(N_("error.cli.remote_no_file"), {"file": str(file)}),
        )


def _writable(out: Path) -> None:
    """``out`` may be written, checked before anything is uploaded (the local command's
    check, ``local_paths.output_file``, which an entrypoint does not import)."""
    from entrepot.errors import LocalFileNotFound

    if out.is_dir():
        raise InvalidArgument(
            f"{out} is a folder",
            hint="give the path of the file to write, e.g. out.csv",
            said=Message(N_("error.cli.remote_out_is_folder"), {"path": str(out)}),
        )
    if not out.parent.is_dir():
        raise LocalFileNotFound(
            f"no folder {out.parent} to write {out.name} into",
            hint="check the path, or create the folder first",
            said=Message(
                N_("error.cli.remote_out_no_folder"), {"folder": str(out.parent), "name": out.name}
            ),
        )


def _fields(target: str | None, sheet: str | None) -> dict[str, str]:
    """The upload's form fields: the label column and a workbook's sheet, when named."""
    named = {"target_column": target, "sheet": sheet}
    return {key: value for key, value in named.items() if value}


def _upload(client: Client, file: Path, fields: Mapping[str, str]) -> str:
    t = words()
    progress_console.print(Text(t("cli.remote.uploading", file=file.name), "dim"))
    found = client.upload("/api/upload", file, fields)
    dataset = found.get("dataset_id") if isinstance(found, Mapping) else None
    if not dataset:
        raise NotAnEntrepot(client.url, "the upload was answered without a dataset id")
    return str(dataset)


def _job_id(client: Client, accepted: Any) -> str:
    job = accepted.get("job_id") if isinstance(accepted, Mapping) else None
    if not job:
        raise NotAnEntrepot(client.url, "the request was answered without a job id")
    return str(job)


def _progress(job: Mapping[str, Any]) -> str:
    key = job.get("message_key")
    if isinstance(key, str) and key:
        return stored_in_words(key, job.get("message_params"))
    return str(job.get("message") or "")


def _failure(
    job: Mapping[str, Any], kind: type[JobFailed] | type[TrainingFailed]
) -> JobFailed | TrainingFailed:
    """The failed job's error in English, from its message key when it has one, with its
    error code (the server's error class)."""
    said = message_of(
        {"key": job["error_key"], "params": job.get("error_params") or {}}
        if job.get("error_key")
        else None
    )
    text = english(said) if said is not None else str(job.get("error") or "")
    text = text or f"the job ended {job.get('state')}"
    return kind(text, code=job.get("error_code"))


def _fetch(client: Client, path: str, size: int, out: Path) -> None:
    """The scores into ``out``: staged beside it, checked, then renamed."""
    with placed(out) as handle:
        client.download_checked(path, handle, size)
