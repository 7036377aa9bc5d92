"""Public media served from local disk by the shop itself (``MEDIA_URL``).

A single instance with its media on disk needs no other file server: this view
streams a file of ``MEDIA_ROOT`` with an ``ETag`` and ``Last-Modified`` (answering
304 to a revalidation), one byte ``Range`` (206, 416 when unsatisfiable) and the
cache lifetime :func:`shop.storage.cache_control` gives its name. It answers 404
when ``SERVE_MEDIA`` is off (nginx or a CDN serves the folder), when the default
storage is not on disk (S3 serves its own URLs), and for any path that is not a
regular file inside ``MEDIA_ROOT`` (``..``, absolute paths, hidden files, symbolic
links leading out).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from shop.storage import cache_control

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def media_file(path: str) -> Path:
    """The regular file of ``MEDIA_ROOT`` that ``path`` names; ``Http404`` otherwise."""
    if not settings.SERVE_MEDIA or not isinstance(default_storage, FileSystemStorage):
        raise Http404
    parts = path.split("/")
    if "\\" in path or "\x00" in path or any(not part or part.startswith(".") for part in parts):
        raise Http404
    root = Path(default_storage.location).resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404
    return target


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` of one ``Range: bytes=...`` within ``size`` bytes; ``None``
    when the header asks for something else (several ranges: the whole file is
    sent). Raises ``ValueError`` when the range is unsatisfiable."""
    match = RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError(header)
    return start, end


def _chunks(stream: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    with stream:
        stream.seek(start)
        while length > 0:
            chunk = stream.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    target = media_file(path)
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    modified = int(stat.st_mtime)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(modified),
        "Cache-Control": cache_control(path),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        # Nothing served from here runs as a page, whatever a file turns out to hold.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    wanted = _wanted_range(request, etag, modified)
    response: HttpResponseBase
    try:
        span = byte_range(wanted, stat.st_size) if wanted else None
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return response
    stream = open(target, "rb")  # noqa: SIM115 -- closed by the response
    if span is None:
        response = FileResponse(stream, content_type=content_type)
    else:
        start, end = span
        response = StreamingHttpResponse(
            _chunks(stream, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
        response["Content-Length"] = str(end - start + 1)
    for name, value in headers.items():
        response[name] = value
    return response


def _wanted_range(request: HttpRequest, etag: str, modified: int) -> str:
    """The ``Range`` header, unless an ``If-Range`` names another version of the file."""
    wanted = request.headers.get("Range", "")
    condition = request.headers.get("If-Range", "")
    if wanted and condition:
        if condition.startswith(('"', "W/")):
            fresh = condition == etag
        else:
            fresh = parse_http_date_safe(condition) == modified
        if not fresh:
            return ""
    return wanted


__all__ = ["byte_range", "media_file", "serve_media"]
