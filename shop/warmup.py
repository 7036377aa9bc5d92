"""Start-up work done once per process, before the first request, and the garbage
collection done between requests.

The first request used to build the URLconf (and with it the GraphQL schema),
then parse and validate its document: that cost landed on one shopper.
``warm_up`` builds the URLconf and the schema, parses and validates every
storefront document into the schema's parser and validation caches, then
freezes the start-up objects out of the garbage collector: the schema, the
models and the modules are tens of thousands of long-lived objects that every
full collection would otherwise walk again.

A request leaves its whole page of model instances to the cycle collector
(prefetched rows and their querysets refer to each other: ~9,700 objects for
a listing of 100 products). Collected by the allocation counter, they were
freed in the middle of a later request, and whatever that request still held
was promoted and walked again by the older generations' collections: the p95
of a listing was ~2x its p50. ``collect_after_response`` frees them once the
response has been sent (gunicorn's ``post_request``), when nothing of the
request is alive, so nothing is promoted. The larger first-generation
threshold keeps the counter from collecting inside one request.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def warm_up() -> None:
    """Build the URLconf and schema, warm the storefront documents, then freeze what
    exists into the permanent generation."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports every view, the schema included
    warm_documents()
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


def warm_documents() -> None:
    """Parse and validate each storefront document as a request would: through the
    schema's own extensions (token limit, parser cache, validation rules and cache),
    stopping before execution. Touches no database."""
    from strawberry.types.graphql import OperationType

    from shop.api.persisted import DOCUMENTS
    from shop.schema import schema

    for document in DOCUMENTS.values():
        context = schema._create_execution_context(
            query=document.text, allowed_operation_types=OperationType.from_http("POST")
        )
        extensions = schema.get_extensions(sync=True)
        for extension in extensions:
            extension.execution_context = context
        runner = schema.create_extensions_runner(context, extensions)
        with runner.operation():
            schema._prepare_operation_sync(context, runner)


def collect_after_response() -> None:
    """Collect the young generation, or an older one when its counter passed its
    threshold, by the allocation counter's rule (with the default thresholds every
    12th call the middle one, every 133rd all of them: the start-up heap is
    frozen, so that is only what was made since).

    Call it after the response has been sent: the client does not wait for it."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    gc.collect(next((g for g in (2, 1) if counts[g] > thresholds[g]), 0))
