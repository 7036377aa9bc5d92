"""``make bench``: in-process latency of the GraphQL endpoint, printed, never asserted.

- the shop's content documents;
- the storefront ``ProductList`` document (``first: 100``) next to a hand-written
  Django view returning the same JSON from the same database (their ratio is
  the GraphQL overhead), at each size in ``BENCH_SIZES`` (default 1,000 and
  100,000 products);
- full-text search at the largest size;
- the guest checkout flow, step by step, and checkout throughput with parallel
  buyers (``tests/bench/checkout.py``);
- exporting 10,000 and 100,000 bill charges: seconds and peak memory
  (``tests/bench/billing.py``);
- invoicing: the time it adds to ``checkoutComplete``, records chained per
  second, ``invoice_chain_verify`` over 10,000 and 100,000 records (seconds,
  peak memory) (``tests/bench/invoicing.py``).

Runs on a throw-away database: PostgreSQL at ``BENCH_DATABASE_URL`` (default:
the local server), or SQLite when that server cannot be reached.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from collections.abc import Callable

import psycopg

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


def _choose_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); benchmarking on SQLite")
        os.environ.pop("DATABASE_URL", None)
        return
    os.environ["DATABASE_URL"] = url


_choose_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from strawberry.extensions.validation_cache import _get_validate_cache  # noqa: E402

from catalog.models import Product  # noqa: E402
from shop.api.security import CACHE_SIZE  # noqa: E402
from shop.content import demo  # noqa: E402
from shop.warmup import warm_up  # noqa: E402
from tests.bench.billing import bench_billing  # noqa: E402
from tests.bench.checkout import bench_checkout  # noqa: E402
from tests.bench.invoicing import bench_invoicing  # noqa: E402
from tests.operations import operation  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
SEARCHES = ["grifo", "ducha ahorro", "filtro", "botella", "water saving", "aireador cromado"]


def measure(call: Callable[[], bytes], rounds: int = ROUNDS) -> tuple[float, float]:
    """p50 and p95 in milliseconds (after a warm-up call)."""
    call()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def graphql_call(client: Client, query: str, variables: dict[str, object], headers=None):
    body = orjson.dumps({"query": query, "variables": variables})

    def call() -> bytes:
        response = client.post(
            "/graphql/", body, content_type="application/json", headers=headers or {}
        )
        if response.status_code != 200 or b'"errors"' in response.content:
            raise SystemExit(f"unexpected answer: {response.content[:300]!r}")
        return response.content

    return call


def bench_content(client: Client) -> None:
    demo.seed()
    print("\n== shop content documents")
    for name, headers in [
        ("storefront/ShopHome", {}),
        ("storefront/ShopHome", {"Accept-Language": "en"}),
        ("storefront/Faq", {}),
        ("storefront/LegalPages", {}),
    ]:
        p50, p95 = measure(graphql_call(client, operation(name), {}, headers))
        label = f"{name} ({headers.get('Accept-Language', 'es')})"
        print(f"{label:<34} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")


def bench_listing(client: Client, size: int) -> None:
    query = operation("storefront/ProductList")
    graphql = graphql_call(client, query, {"first": 100})

    def handwritten() -> bytes:
        return client.get("/bench/products/", {"first": 100}).content

    if orjson.loads(graphql()) != orjson.loads(handwritten()):
        raise SystemExit("the hand-written view does not return the GraphQL answer")
    g50, g95 = measure(graphql)
    h50, h95 = measure(handwritten)
    print(
        f"products(first: 100) at {size:>7,} products   GraphQL p50 {g50:7.2f} ms p95 {g95:7.2f} ms"
        f" | hand-written p50 {h50:7.2f} ms p95 {h95:7.2f} ms | ratio p50 {g50 / h50:4.2f}"
    )


def bench_search(client: Client, size: int) -> None:
    query = (
        "query($q: String!) { products(first: 20, search: $q)"
        " { totalCount edges { node { id name } } } }"
    )
    results = []
    for text in SEARCHES:
        p50, p95 = measure(graphql_call(client, query, {"q": text}), rounds=max(ROUNDS // 4, 20))
        results.append(p50)
        print(f"search {text!r:<22} at {size:>7,} products   p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    print(f"search p50 over the terms (median): {statistics.median(results):.2f} ms")


def main() -> None:
    setup_test_environment()
    warm_up()  # as shop.wsgi does in every gunicorn worker
    connection.settings_dict["TEST"]["NAME"] = (
        "watershop_bench" if connection.vendor == "postgresql" else None
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}; {ROUNDS} rounds per figure, in-process client")
        with override_settings(ROOT_URLCONF="tests.bench.listing"):
            client = Client()
            bench_content(client)
            print("\n== catalogue")
            for size in SIZES:
                missing = size - Product.objects.count()
                if missing > 0:
                    start = time.perf_counter()
                    call_command("seed_catalog", products=missing, stdout=io.StringIO())
                    print(f"(seeded {missing:,} products in {time.perf_counter() - start:.1f} s)")
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
                bench_listing(client, size)
            bench_search(client, SIZES[-1])
        info = _get_validate_cache(CACHE_SIZE).cache_info()
        print(f"\nvalidation cache: {info.hits} hits, {info.misses} misses")
        bench_checkout()
        bench_billing()
        bench_invoicing()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
