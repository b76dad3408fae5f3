"""Read a ``multipart/form-data`` upload as it streams in.

The file part goes chunk by chunk into a sink (the service's size-checked spool) as
the bytes arrive, so neither the whole file nor a framework's copy of it is held in
memory, and an oversized upload is refused at the first byte past the limit. Other
fields are small text values (at most :data:`MAX_FIELD_BYTES` each). A form that ends
before its closing boundary (a client cut off mid-upload, a half row) is refused, so
nothing truncated is ever stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote_to_bytes

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20
#: The longest multipart boundary (RFC 2046 §5.1.1).
MAX_BOUNDARY = 70


class BadUpload(EntrepotError, ValueError):
    """The request is not a well-formed upload."""

    hint = "send the file as multipart/form-data in a field named 'file' (curl -F file=@data.csv)"


class Sink(Protocol):
    """Where the file's bytes go."""

    def write(self, chunk: bytes) -> None: ...


@dataclass
class Upload:
    """What the form held besides the file's bytes."""

    filename: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Part:
    #: Each header's raw bytes: browsers and curl send names in UTF-8 (RFC 7578), which a
    #: text decoding would mangle or refuse.
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    value: bytearray = field(default_factory=bytearray)


class _Parser:
    """The parser's callbacks: headers of each part, the file's bytes, small fields."""

    def __init__(self, upload: Upload, file_field: str) -> None:
        self.upload = upload
        self.file_field = file_field
        self.part = _Part()
        self.field = bytearray()
        self.value = bytearray()
        self.pending: list[bytes] = []
        self.ended = False

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_header_field": lambda d, s, e: self.field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self.value.extend(d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def header_end(self) -> None:
        name = bytes(self.field).decode("latin-1").lower()
        self.part.headers[name] = bytes(self.value)
        self.field.clear()
        self.value.clear()

    def headers_finished(self) -> None:
        part = self.part
        disposition = part.headers.get("content-disposition", b"")
        _, options = parse_options_header(disposition)  # bytes in, bytes out: any charset
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw = options.get(b"filename")
        part.filename = (
            raw.decode("utf-8", "replace") if raw is not None else _extended_filename(disposition)
        )
        if part.name == self.file_field and part.filename is not None:
            if self.upload.filename is not None:
                raise BadUpload(
                    f"send one file in field {self.file_field!r}, not several",
                    said=Message(N_("error.api.upload_one_file"), {"field": repr(self.file_field)}),
                )
            self.upload.filename = part.filename

    def part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if part.name == self.file_field and part.filename is not None:
            self.pending.append(data[start:end])
            return
        part.value += data[start:end]
        if len(part.value) > MAX_FIELD_BYTES:
            raise BadUpload(
                f"form field {part.name!r} is larger than {MAX_FIELD_BYTES} bytes",
                said=Message(
                    N_("error.api.upload_field_too_large"),
                    {"field": repr(part.name), "limit": MAX_FIELD_BYTES},
                ),
            )

    def part_end(self) -> None:
        part = self.part
        if part.filename is None and part.name:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise BadUpload(
                    "the form has too many fields",
                    said=Message(N_("error.api.upload_too_many_fields")),
                )
            self.upload.fields[part.name] = part.value.decode("utf-8", "replace")
        self.part = _Part()

    def end(self) -> None:
        self.ended = True


#: RFC 5987's ``filename*=charset'language'percent-encoded`` (some clients send only that).
_EXTENDED = re.compile(rb"""filename\*\s*=\s*([A-Za-z0-9!#$&+.^_`|~-]*)'[^']*'([^;\s]+)""")


def _extended_filename(disposition: bytes) -> str | None:
    """The ``filename*`` of a part's disposition, decoded; ``None`` without one."""
    found = _EXTENDED.search(disposition)
    if found is None:
        return None
    charset = found.group(1).decode("ascii").lower() or "utf-8"
    try:
        return unquote_to_bytes(found.group(2)).decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return unquote_to_bytes(found.group(2)).decode("utf-8", "replace")


async def receive_upload(request: Request, sink: Sink, *, file_field: str = "file") -> Upload:
    """Stream the form of ``request``: its ``file_field`` part into ``sink``."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadUpload(
            "the request is not multipart/form-data",
            said=Message(N_("error.api.upload_not_multipart")),
        )
    if len(boundary) > MAX_BOUNDARY:
        raise BadUpload(
            f"the multipart boundary is {len(boundary)} characters long; the standard allows "
            f"at most {MAX_BOUNDARY} (RFC 2046)",
            said=Message(
                N_("error.api.upload_boundary_too_long"),
                {"length": len(boundary), "limit": MAX_BOUNDARY},
            ),
        )
    upload = Upload()
    state = _Parser(upload, file_field)
    parser = MultipartParser(boundary, state.callbacks())  # type: ignore[arg-type]

    def drain() -> None:
        while state.pending:
            sink.write(state.pending.pop(0))

    def feed(chunk: bytes) -> None:
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            raise BadUpload(
                f"the upload is malformed: {exc}",
                said=Message(N_("error.api.upload_malformed"), {"detail": str(exc)}),
            ) from None
        drain()

    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(feed, chunk)
    except ClientDisconnect:
        raise BadUpload(
            "the upload was cut off: the client went away before its end",
            said=Message(N_("error.api.upload_cut_off")),
        ) from None
    try:
        parser.finalize()
    except MultipartParseError as exc:
        raise BadUpload(
            f"the upload is malformed: {exc}",
            said=Message(N_("error.api.upload_malformed"), {"detail": str(exc)}),
        ) from None
    drain()
    if not state.ended:
        raise BadUpload(
            "the upload is incomplete: the form ends before its closing boundary, so the "
            "file may be cut short; nothing was stored",
            hint="send the file again; if a proxy cuts large uploads, raise its body limit",
            said=Message(N_("error.api.upload_incomplete")),
        )
    if upload.filename is None:
        raise BadUpload(
            f"the form has no file in field {file_field!r}",
            said=Message(N_("error.api.upload_no_file"), {"field": repr(file_field)}),
        )
    return upload
