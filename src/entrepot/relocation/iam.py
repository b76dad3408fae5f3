"""The least-privilege AWS IAM policy for a store in ``s3://bucket/prefix``: pure.

Entrepôt lists (folder-bounded prefixes), reads and heads (``GetObject``), writes
(create-only ``PutObject``, multipart uploads and their abort), copies (``GetObject`` +
``PutObject``) and deletes objects, all under the store's prefix. It never needs to
create, configure or list buckets: ``entrepot bucket create`` is an administrator's job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)


def s3_policy(bucket: str, prefix: str = "", *, read_only: bool = False) -> dict[str, Any]:
    """The IAM policy document granting Entrepôt what it needs on ``bucket`` under the
    folder ``prefix`` (``""``: the whole bucket), and nothing else; ``read_only`` leaves
    out writes and deletes (a dashboard, a read replica)."""
    folder = prefix.strip("/") + "/" if prefix.strip("/") else ""
    listing: dict[str, Any] = {
        "Sid": "ListTheStoreFolder",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    if folder:
        listing["Condition"] = {"StringLike": {"s3:prefix": [folder, f"{folder}*"]}}
    objects = f"arn:aws:s3:::{bucket}/{folder}*"
    statements = [
        listing,
        {
            "Sid": "ReadObjects",
            "Effect": "Allow",
            "Action": list(READ_ACTIONS),
            "Resource": objects,
        },
    ]
    if not read_only:
        statements.append(
            {
                "Sid": "WriteAndDeleteObjects",
                "Effect": "Allow",
                "Action": list(WRITE_ACTIONS),
                "Resource": objects,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_for_url(store_url: str, *, read_only: bool = False) -> dict[str, Any]:
    """The least-privilege policy for the bucket and prefix of ``store_url`` (an
    ``s3://bucket/prefix`` URL; anything else is a :class:`ConfigError`)."""
    parts = urlsplit(store_url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(
            f"{store_url!r} is not an S3 store; an IAM policy only applies to s3://bucket/prefix",
            hint="pass --url s3://bucket/prefix, or set ENTREPOT_STORE_URL",
            said=Message(N_("error.relocation.not_s3"), {"url": store_url[:200]}),
        )
    return s3_policy(parts.netloc, unquote(parts.path), read_only=read_only)
