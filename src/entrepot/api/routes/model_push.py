"""Push a model version from a client's files (``entrepot models push`` on a deployed
service, ADR 0057): one multipart upload, the version's files as one ZIP (field ``file``)
and their description (field ``push``, JSON: the options of ``models push`` and each
file's path, size and sha256). The rules are :meth:`ModelService.push`'s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from entrepot.accounts.errors import DatasetTooLarge
from entrepot.api.multipart import BadUpload, receive_upload
from entrepot.api.schemas.models import ModelManifestOut, model_manifest_out
from entrepot.http.bodies import ENVELOPE, PUSH_PATH
from entrepot.http.deps import Services, User
from entrepot.messages import N_, Message
from entrepot.sizes import human_size

router = APIRouter(prefix="/api", tags=["models"])


@router.post(PUSH_PATH.removeprefix("/api"), status_code=201)
async def push_model(request: Request, user: User, services: Services) -> ModelManifestOut:
    """Store a new version of one of your models from its files: multipart, ``file`` a ZIP
    of the files and ``push`` their JSON description (``name``; ``files``: ``path``,
    ``size``, ``sha256`` of each; optional ``version``, ``metrics``, ``params``, ``tags``,
    ``lineage``, ``metadata``, ``input_schema``, ``flavor``, ``model_file``, ``sign``).
    Each file is checked against its size and sha256 before anything is stored; the
    version takes a model slot of your plan; a version holding a pickle is kept unsigned
    (it never loads on the service). Answers the version's verified manifest."""
    limit = await run_in_threadpool(services.fraud().models.check_push, user.id)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE:
        raise DatasetTooLarge(
            f"the push is about {human_size(int(declared))} and this service takes pushes up "
            f"to {human_size(limit)}",
            said=Message(
                N_("error.api.push_too_large"),
                {"size": human_size(int(declared)), "limit": human_size(limit)},
            ),
        )
    spool = await run_in_threadpool(services.fraud().models.spool, limit)
    with spool:
        form = await receive_upload(request, spool)
        spool.close()
        if "push" not in form.fields:
            raise BadUpload(
                "the form has no 'push' field describing the files",
                said=Message(N_("error.api.push_field_missing")),
            )
        described = form.fields["push"]
        found = await run_in_threadpool(
            services.fraud().models.push, user.id, spool.path, described
        )
    return model_manifest_out(found)
