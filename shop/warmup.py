"""Start-up work done once per process, before the first request.

The first request used to build the URLconf (and with it the GraphQL schema):
that cost landed on one shopper. ``warm_up`` builds them at start-up, then
freezes the start-up objects out of the garbage collector: the schema, the
models and the modules are tens of thousands of long-lived objects that every
full collection would otherwise walk again (the p95 of a listing request was
2.7x its p50, mostly those collections). A larger first-generation threshold
makes the collector run less often during allocation-heavy requests.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def warm_up() -> None:
    """Build the URLconf and schema, then freeze what exists into the permanent generation."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports every view, the schema included
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
