"""``make bench``: request latency of the GraphQL endpoint, printed, never asserted.

Runs against a throw-away test database (SQLite in memory, or the PostgreSQL
named by DATABASE_URL) loaded with the demo content.
"""

from __future__ import annotations

import os
import statistics
import time

import django
import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from strawberry.extensions.validation_cache import _get_validate_cache  # noqa: E402

from shop.api.security import CACHE_SIZE  # noqa: E402
from shop.content import demo  # noqa: E402
from tests.operations import operation  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))


def bench(client: Client, name: str, query: str, headers: dict[str, str]) -> None:
    body = orjson.dumps({"query": query})
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.post("/graphql/", body, content_type="application/json", headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or b'"errors"' in response.content:
            raise SystemExit(f"{name}: unexpected answer {response.content[:200]!r}")
    timings.sort()
    print(
        f"{name:<28} {ROUNDS} requests  median {statistics.median(timings):6.2f} ms"
        f"  p95 {timings[int(len(timings) * 0.95)]:6.2f} ms"
        f"  ~{1000 / statistics.mean(timings):6.0f} req/s (one process)"
    )


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        demo.seed()
        client = Client()
        print(f"database: {connection.vendor}")
        bench(client, "ShopHome (es)", operation("storefront/ShopHome"), {})
        bench(client, "ShopHome (en)", operation("storefront/ShopHome"), {"Accept-Language": "en"})
        bench(client, "Faq", operation("storefront/Faq"), {})
        bench(client, "LegalPages", operation("storefront/LegalPages"), {})
        info = _get_validate_cache(CACHE_SIZE).cache_info()
        print(f"validation cache: {info.hits} hits, {info.misses} misses")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
