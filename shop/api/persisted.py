"""Persisted queries and the shared response cache for public catalogue reads.

Clients send the storefront's documents (``graphql/operations/storefront/``) by
their SHA-256, in Apollo's automatic-persisted-query shape:
``extensions={"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}``, by
POST or, for queries, by GET (``?operationName=..&variables=..&extensions=..``).
Only those documents are known: an unknown hash is Apollo's
``PersistedQueryNotFound`` error, and nothing is registered at run time.

A GET of a *public* document (catalogue and content reads, :data:`PUBLIC`) from an
anonymous client is answered from Django's cache when it can be: the entry is
keyed by the document, the variables, the operation name, the language, the
response media type and the catalogue version (``shop.catalog_version``), so the
first request after any catalogue write misses it. Such responses carry an
``ETag`` and ``Cache-Control: public, max-age=0, must-revalidate``; a matching
``If-None-Match`` is a 304. A request with an ``Authorization`` header (signed-in
customers, staff) never reads or fills the cache, so what staff see (unpublished
products) never reaches it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

from shop.catalog_version import catalog_version
from shop.i18n import current_language

logger = logging.getLogger(__name__)

DOCUMENTS_DIR = Path(settings.BASE_DIR) / "graphql" / "operations" / "storefront"
# Documents whose answer depends only on the catalogue, the language and the variables.
PUBLIC = frozenset(
    {
        "ProductList",
        "Product",
        "Categories",
        "Category",
        "Collections",
        "Collection",
        "Attributes",
        "ShopHome",
        "Faq",
        "LegalPages",
    }
)
NOT_FOUND = {
    "errors": [
        {
            "message": "PersistedQueryNotFound",
            "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
        }
    ]
}
CACHE_CONTROL = "public, max-age=0, must-revalidate"
VARY = "Accept, Accept-Language, Authorization"


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    sha256: str
    public: bool


def _load() -> dict[str, Document]:
    documents = {}
    for path in sorted(DOCUMENTS_DIR.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        documents[digest] = Document(path.stem, text, digest, path.stem in PUBLIC)
    return documents


DOCUMENTS = _load()


class PersistedQueryNotFound(Exception):
    """The request names a hash no known document has."""


def persisted_hash(extensions: Any) -> str | None:
    """The ``sha256Hash`` of an APQ ``extensions`` object, or None when there is none."""
    if not isinstance(extensions, dict):
        return None
    persisted = extensions.get("persistedQuery")
    if not isinstance(persisted, dict):
        return None
    digest = persisted.get("sha256Hash")
    return digest if isinstance(digest, str) else None


def document_for(extensions: Any, query: str | None) -> Document | None:
    """The persisted document a request names, or None when it names none.

    A request sending both the query and its hash (Apollo's registration retry) is
    a plain request. Raises :class:`PersistedQueryNotFound` for an unknown hash.
    """
    digest = persisted_hash(extensions)
    if digest is None or query:
        return None
    document = DOCUMENTS.get(digest.lower())
    if document is None:
        raise PersistedQueryNotFound(digest)
    return document


@dataclass(frozen=True)
class Entry:
    status: int
    content_type: str
    body: bytes
    etag: str


def cacheable(request: HttpRequest, document: Document | None) -> Document | None:
    """``document`` when the request may be answered from the cache: a GET of a
    public document by an anonymous client (no Authorization header)."""
    if (
        document is not None
        and document.public
        and request.method == "GET"
        and not request.headers.get("Authorization")
    ):
        return document
    return None


def cache_key(request: HttpRequest, document: Document, media_type: str) -> str:
    params = request.GET
    try:
        variables = orjson.loads(params.get("variables") or "null")
    except orjson.JSONDecodeError:
        variables = params.get("variables")
    canonical = orjson.dumps(
        [
            document.sha256,
            params.get("operationName"),
            variables,
            current_language(),
            media_type,
            catalog_version(),
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return "graphql-response:" + hashlib.sha256(canonical).hexdigest()


def lookup(
    request: HttpRequest, document: Document, media_type: str
) -> tuple[str | None, HttpResponse | None]:
    """The cache key and the stored answer for a cacheable request. While the cache is
    unreachable both are None: the request is answered uncached, never with an error."""
    try:
        key = cache_key(request, document, media_type)
        return key, cached_response(request, key)
    except RedisError:
        logger.warning("Response cache unreachable: answering uncached.", exc_info=True)
        return None, None


def cached_response(request: HttpRequest, key: str) -> HttpResponse | None:
    """The stored answer for ``key`` (a 304 when the client holds it), or None."""
    entry: Entry | None = cache.get(key)
    if entry is None:
        return None
    if request.headers.get("If-None-Match") == entry.etag:
        return public_headers(HttpResponse(status=304), entry.etag)
    response = HttpResponse(entry.body, status=entry.status, content_type=entry.content_type)
    return public_headers(response, entry.etag)


def store(request: HttpRequest, key: str, response: HttpResponse) -> HttpResponse:
    """Keep a successful answer (HTTP 200, no errors) under ``key``; set its headers."""
    body = response.content
    if response.status_code != 200 or b'"errors"' in body:
        response.setdefault("Cache-Control", "no-store")
        return response
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    entry = Entry(200, response["Content-Type"], body, etag)
    try:
        cache.set(key, entry, timeout=settings.GRAPHQL_RESPONSE_CACHE_TIMEOUT)
    except RedisError:
        logger.warning("Response cache unreachable: answer not kept.", exc_info=True)
        response.setdefault("Cache-Control", "no-store")
        return response
    if request.headers.get("If-None-Match") == etag:
        return public_headers(HttpResponse(status=304), etag)
    return public_headers(response, etag)


def public_headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = VARY
    return response
