"""Datasets: upload (streamed, size-checked, analysed), list, show, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from entrepot.accounts.errors import DatasetTooLarge
from entrepot.api.multipart import receive_upload
from entrepot.api.schemas.base import PageOut
from entrepot.api.schemas.datasets import DatasetOut, UploadOut, dataset_out
from entrepot.bootstrap.app import App
from entrepot.catalog.accounts.records import UserRecord
from entrepot.http.bodies import ENVELOPE
from entrepot.http.deps import Services, User
from entrepot.messages import N_, Message
from entrepot.sizes import human_size

router = APIRouter(prefix="/api", tags=["datasets"])


async def receive(request: Request, user: UserRecord, services: App) -> UploadOut:
    """Stream the upload into a spool, then analyse and store it."""
    limit = await run_in_threadpool(services.fraud().datasets.limit, user.id)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE:
        raise DatasetTooLarge(
            f"the file is about {human_size(int(declared))} and your plan accepts datasets up to "
            f"{human_size(limit)}",
            said=Message(
                N_("error.api.dataset_over_plan"),
                {"size": human_size(int(declared)), "limit": human_size(limit)},
            ),
        )
    spool = await run_in_threadpool(services.fraud().datasets.spool, user.id)
    with spool:
        form = await receive_upload(request, spool)
        target = form.fields.get("target_column") or form.fields.get("target") or None
        named = (form.fields.get("time_column"), form.fields.get("entity_columns"))
        sheet = form.fields.get("sheet") or None
        dataset = await run_in_threadpool(
            lambda: services.fraud().datasets.create(
                user.id,
                form.filename or "upload.csv",
                spool,
                target=target,
                named=named,
                sheet=sheet,
            )
        )
    return UploadOut(
        dataset_id=dataset.id, dataset=dataset_out(dataset), analysis=dict(dataset.analysis)
    )


@router.post("/upload", status_code=201)
async def upload(request: Request, user: User, services: Services) -> UploadOut:
    """Upload a CSV, Parquet or XLSX file (multipart field ``file``; optional
    ``target_column``, ``time_column`` (the column of dates that orders the rows) and
    ``entity_columns`` (``customer_id,terminal_id`` or a JSON list): the analysis takes
    them over its guess, and a training of the dataset reads them unless it names others;
    ``sheet``, a workbook's sheet by name or number from 1, else the sheet holding a label
    and the most rows): returns the dataset id and its analysis (``sheet``, the sheet read,
    and ``other_sheets``, for a workbook of several)."""
    return await receive(request, user, services)


@router.post("/analyze", status_code=201, deprecated=True)
async def analyze(request: Request, user: User, services: Services) -> UploadOut:
    """The seeds' verb: upload a file and get its analysis (target detection, candidates,
    labelled or not); the dataset is kept for training or scoring."""
    return await receive(request, user, services)


@router.get("/datasets")
def datasets(user: User, services: Services, page: int = 1, per_page: int = 50) -> PageOut:
    """Your datasets, newest first."""
    found = services.fraud().datasets.list(user.id, page=page, per_page=per_page)
    return PageOut(
        items=[dataset_out(d) for d in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/datasets/{dataset_id}")
def dataset(dataset_id: str, user: User, services: Services) -> UploadOut:
    """One of your datasets with its analysis."""
    found = services.fraud().datasets.get(user.id, dataset_id)
    return UploadOut(dataset_id=found.id, dataset=dataset_out(found), analysis=dict(found.analysis))


@router.delete("/datasets/{dataset_id}")
def delete_dataset(dataset_id: str, user: User, services: Services) -> DatasetOut:
    """Delete one of your datasets and its stored file."""
    return dataset_out(services.fraud().datasets.delete(user.id, dataset_id))
