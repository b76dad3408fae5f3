"""Metrics in DynamoDB (boto3), with documents of any size.

URL: ``dynamodb://TABLE[?region=eu-west-3&endpoint_url=http://127.0.0.1:5000]``;
credentials come from the usual AWS chain. The table (key ``pk``/``sk``, both
strings, on-demand billing) is created on first use if it does not exist.

Layout:

- the *head* of a document: ``pk = kind``, ``sk = YYYY-MM-DD``, with ``sha256``,
  ``updated_at`` and either the document itself as a native map (floats as
  ``Decimal``, as DynamoDB requires) or, for a document whose JSON is over
  :data:`INLINE_LIMIT` bytes (an item may not exceed 400 KB), a ``generation`` and
  a ``parts`` count (also used for a document with an empty key somewhere, as a
  DynamoDB map cannot hold one);
- the parts of a big document: ``pk = kind#parts``, ``sk = day#generation#NNNNN``,
  each a slice of its zlib-compressed JSON.

A big write puts the new generation's parts first, then the head (the commit
marker), then deletes the previous generation's parts: a reader always finds a
complete document, and a crash leaves at most unreferenced parts, which the next
write of that day removes.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from entrepot.city.errors import MetricsError, MetricsUnavailable
from entrepot.city.metrics.base import DocumentInfo, MetricsStore, StoredDocument, utc
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

#: Largest document JSON kept inline in its head item (DynamoDB's item limit is 400 KB).
INLINE_LIMIT = 350_000
#: Size of one part of a big document (compressed bytes).
PART_BYTES = 350_000
_PARTS = "#parts"
_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
)
_UNAVAILABLE_CODES = {"ResourceNotFoundException", "ServiceUnavailable", "InternalServerError"}


class DynamoMetrics(MetricsStore):
    """Documents in one DynamoDB table."""

    def __init__(
        self,
        table: str,
        *,
        client: Any = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        inline_limit: int = INLINE_LIMIT,
        part_bytes: int = PART_BYTES,
    ) -> None:
        self.table = table
        # A session of its own: boto3's default session caches the credentials it first
        # resolved, which would outlive a change of environment.
        self.client = client or boto3.session.Session().client(
            "dynamodb", region_name=region, endpoint_url=endpoint_url, config=_CLIENT_CONFIG
        )
        where = f"?endpoint_url={endpoint_url}" if endpoint_url else ""
        self.url = f"dynamodb://{table}{where}"
        self.inline_limit = inline_limit
        self.part_bytes = part_bytes
        self._ready = False
        self._serializer = TypeSerializer()
        self._deserializer = TypeDeserializer()

    @classmethod
    def from_url(cls, url: str) -> DynamoMetrics:
        """A store for ``dynamodb://TABLE?region=...&endpoint_url=...``."""
        parts = urlsplit(url)
        if parts.scheme != "dynamodb" or not parts.netloc:
            raise ConfigError(
                f"not a DynamoDB URL: {url!r}",
                hint="use dynamodb://TABLE?region=eu-west-3",
                said=Message(N_("error.city.not_dynamodb_url"), {"url": url[:200]}),
            )
        options = dict(parse_qsl(parts.query))
        unknown = set(options) - {"region", "endpoint_url"}
        if unknown:
            raise ConfigError(
                f"unknown DynamoDB URL option(s) {sorted(unknown)} in {url!r}",
                hint="the options are region and endpoint_url",
                said=Message(
                    N_("error.city.dynamodb_options"),
                    {"options": ", ".join(sorted(unknown))[:200], "url": url[:200]},
                ),
            )
        return cls(
            parts.netloc, region=options.get("region"), endpoint_url=options.get("endpoint_url")
        )

    def ping(self) -> None:
        """Check the table exists (creating it on first use) and answers."""
        with self._errors():
            self.client.describe_table(TableName=self.table)

    # -- backend -------------------------------------------------------------------
    def _put(self, info: DocumentInfo, document: dict[str, Any]) -> None:
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        head: dict[str, Any] = {
            "pk": info.kind,
            "sk": info.day.isoformat(),
            "kind": info.kind,
            "day": info.day.isoformat(),
            "sha256": info.sha256,
            "updated_at": info.updated_at.isoformat(),
        }
        with self._errors():
            previous = self._head(info.kind, info.day, only="generation")
            if len(body) <= self.inline_limit and not _has_empty_key(document):
                head["document"] = json.loads(body, parse_float=Decimal)
            else:
                generation = uuid.uuid4().hex[:12]
                packed = zlib.compress(body, 6)
                chunks = [
                    packed[i : i + self.part_bytes] for i in range(0, len(packed), self.part_bytes)
                ]
                for number, chunk in enumerate(chunks):
                    self._put_item(
                        {
                            "pk": info.kind + _PARTS,
                            "sk": f"{info.day.isoformat()}#{generation}#{number:05d}",
                            "data": chunk,
                        }
                    )
                head.update(generation=generation, parts=len(chunks), bytes=len(body))
            self._put_item(head)
            if previous is not None and previous.get("generation"):
                self._drop_parts(info.kind, info.day, str(previous["generation"]))

    def _get(self, kind: str, day: date) -> StoredDocument | None:
        with self._errors():
            head = self._head(kind, day)
            if head is None:
                return None
            if "document" in head:
                document = _plain(head["document"])
            else:
                document = self._read_parts(kind, day, str(head["generation"]), int(head["parts"]))
        info = DocumentInfo(
            kind, day, str(head["sha256"]), utc(datetime.fromisoformat(str(head["updated_at"])))
        )
        return StoredDocument(info, document)

    def _index(
        self, kinds: tuple[str, ...] | None, start: date | None, end: date | None
    ) -> list[DocumentInfo]:
        low = start.isoformat() if start else "0000-00-00"
        high = end.isoformat() if end else "9999-99-99"
        names = {"#k": "kind", "#d": "day", "#s": "sha256", "#u": "updated_at"}
        found: list[dict[str, Any]] = []
        with self._errors():
            if kinds is None:
                pages = self.client.get_paginator("scan").paginate(
                    TableName=self.table,
                    FilterExpression="attribute_exists(#s) AND #d BETWEEN :low AND :high",
                    ProjectionExpression="#k, #d, #s, #u",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":low": {"S": low}, ":high": {"S": high}},
                    ConsistentRead=True,
                )
                found = [item for page in pages for item in page["Items"]]
            else:
                for kind in kinds:
                    pages = self.client.get_paginator("query").paginate(
                        TableName=self.table,
                        KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                        ProjectionExpression="#k, #d, #s, #u",
                        ExpressionAttributeNames=names,
                        ExpressionAttributeValues={
                            ":pk": {"S": kind},
                            ":low": {"S": low},
                            ":high": {"S": high},
                        },
                        ConsistentRead=True,
                    )
                    found += [item for page in pages for item in page["Items"]]
        return [
            DocumentInfo(
                item["kind"]["S"],
                date.fromisoformat(item["day"]["S"]),
                item["sha256"]["S"],
                utc(datetime.fromisoformat(item["updated_at"]["S"])),
            )
            for item in found
        ]

    def _delete(self, kind: str, day: date) -> bool:
        with self._errors():
            head = self._head(kind, day, only="generation")
            if head is None:
                return False
            self.client.delete_item(
                TableName=self.table, Key={"pk": {"S": kind}, "sk": {"S": day.isoformat()}}
            )
            if head.get("generation"):
                self._drop_parts(kind, day, str(head["generation"]))
        return True

    # -- items ---------------------------------------------------------------------
    def _head(self, kind: str, day: date, *, only: str | None = None) -> dict[str, Any] | None:
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": {"pk": {"S": kind}, "sk": {"S": day.isoformat()}},
            "ConsistentRead": True,
        }
        if only is not None:  # the key too, so that an item without that field is found
            request["ProjectionExpression"] = "pk, #f"
            request["ExpressionAttributeNames"] = {"#f": only}
        item = self.client.get_item(**request).get("Item")
        if item is None:
            return None
        return {k: self._deserializer.deserialize(v) for k, v in item.items()}

    def _put_item(self, item: dict[str, Any]) -> None:
        self.client.put_item(
            TableName=self.table,
            Item={k: self._serializer.serialize(v) for k, v in item.items()},
        )

    def _part_keys(self, kind: str, day: date, generation: str) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": kind + _PARTS},
                ":prefix": {"S": f"{day.isoformat()}#{generation}#"},
            },
            ConsistentRead=True,
        )
        for page in pages:
            yield from page["Items"]

    def _read_parts(self, kind: str, day: date, generation: str, parts: int) -> dict[str, Any]:
        items = sorted(self._part_keys(kind, day, generation), key=lambda i: i["sk"]["S"])
        if len(items) != parts:
            raise MetricsError(
                f"the {kind} document of {day} in {self.url} has {len(items)} of its {parts} parts",
                hint="write the day again (`entrepot city run --force --date DAY`)",
                said=Message(
                    N_("error.city.document_parts"),
                    {
                        "kind": kind,
                        "day": str(day),
                        "store": self.url,
                        "found": len(items),
                        "parts": parts,
                    },
                ),
            )
        packed = b"".join(bytes(item["data"]["B"]) for item in items)
        document: dict[str, Any] = json.loads(zlib.decompress(packed))
        return document

    def _drop_parts(self, kind: str, day: date, keep_not: str) -> None:
        for item in list(self._part_keys(kind, day, keep_not)):
            self.client.delete_item(TableName=self.table, Key={"pk": item["pk"], "sk": item["sk"]})

    # -- table and errors ----------------------------------------------------------
    def _ensure(self) -> None:
        if self._ready:
            return
        try:
            self.client.describe_table(TableName=self.table)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            self.client.create_table(
                TableName=self.table,
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
            self.client.get_waiter("table_exists").wait(
                TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        self._ready = True

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            self._ensure()
            yield
        except EndpointConnectionError as exc:
            raise MetricsUnavailable(
                f"the DynamoDB metrics store {self.url} cannot be reached: {exc}",
                said=Message(
                    N_("error.city.metrics_unreachable_because"),
                    {"store": self.url, "reason": str(exc)[:300]},
                ),
            ) from None
        except NoCredentialsError:
            raise MetricsUnavailable(
                f"no AWS credentials to reach the DynamoDB metrics store {self.url}",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile or role",
                said=Message(N_("error.city.no_aws_credentials"), {"store": self.url}),
            ) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            kind = MetricsUnavailable if error.get("Code") in _UNAVAILABLE_CODES else MetricsError
            raise kind(
                f"DynamoDB refused ({error.get('Code')}: {error.get('Message')}) "
                f"for the metrics store {self.url}"
            ) from None
        except BotoCoreError as exc:
            raise MetricsUnavailable(
                f"the DynamoDB metrics store {self.url}: {exc}",
                said=Message(
                    N_("error.city.metrics_unreachable_because"),
                    {"store": self.url, "reason": str(exc)[:300]},
                ),
            ) from None


def _plain(value: Any) -> Any:
    """DynamoDB values back to JSON ones: integral Decimals to int, others to float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _has_empty_key(value: Any) -> bool:
    if isinstance(value, dict):
        return "" in value or any(_has_empty_key(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_empty_key(v) for v in value)
    return False
