"""``make bench``: in-process latency of the GraphQL endpoint, printed, never asserted.

- the shop's content documents;
- the storefront ``ProductList`` document (``first: 100``) next to a hand-written
  Django view returning the same JSON from the same database (their ratio is
  the GraphQL overhead; the two requests alternate in one loop, timed in wall
  and in CPU time, so the shared machine's load hits both alike), at each size
  in ``BENCH_SIZES`` (default 1,000 and 100,000 products);
- full-text search at the largest size;
- the guest checkout flow, step by step, and checkout throughput with parallel
  buyers (``tests/bench/checkout.py``);
- exporting 10,000 and 100,000 bill charges: seconds and peak memory
  (``tests/bench/billing.py``);
- invoicing: the time it adds to ``checkoutComplete``, records chained per
  second, ``invoice_chain_verify`` over 10,000 and 100,000 records (seconds,
  peak memory) (``tests/bench/invoicing.py``).

Runs on a throw-away database (``BENCH_TEST_DATABASE``, default
``watershop_bench``): PostgreSQL at ``BENCH_DATABASE_URL`` (default: the local
server), or SQLite when that server cannot be reached.
"""

from __future__ import annotations

import gc
import hashlib
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
from shop.warmup import collect_after_response, warm_up  # noqa: E402
from tests.bench.billing import bench_billing  # noqa: E402
from tests.bench.checkout import bench_checkout  # noqa: E402
from tests.bench.invoicing import bench_invoicing  # noqa: E402
from tests.bench.summary import latency, print_summary, record  # noqa: E402
from tests.operations import operation  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
# The issue's short product read (issue 19's table).
PRODUCT_SHORT = "query($slug: String) { product(slug: $slug) { name variants { id } } }"
SEARCHES = ["grifo", "ducha ahorro", "filtro", "botella", "water saving", "aireador cromado"]


class GcWatch:
    """Collections and their pauses, split into those inside the timed requests and
    the one :func:`shop.warmup.collect_after_response` makes after each response,
    as gunicorn's ``post_request`` does in production (the client does not wait
    for it, so it is timed apart)."""

    def __init__(self) -> None:
        self.inside = 0
        self.inside_ms = 0.0
        self.after_ms: list[float] = []
        self._start = 0.0
        self._counting = False

    def _callback(self, phase: str, _info: dict[str, int]) -> None:
        if not self._counting:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.inside += 1
            self.inside_ms += (time.perf_counter() - self._start) * 1000

    def timed(self, call: Callable[[], bytes]) -> tuple[float, float]:
        """Run ``call``: its wall and CPU milliseconds; then the after-response collection."""
        self._counting = True
        cpu, wall = time.process_time(), time.perf_counter()
        call()
        wall_ms = (time.perf_counter() - wall) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        self._counting = False
        start = time.perf_counter()
        collect_after_response()
        self.after_ms.append((time.perf_counter() - start) * 1000)
        return wall_ms, cpu_ms

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def measure(call: Callable[[], bytes], rounds: int = ROUNDS) -> tuple[float, float]:
    """p50 and p95 in milliseconds (after a warm-up call)."""
    call()
    timings = []
    with GcWatch() as watch:
        for _ in range(rounds):
            timings.append(watch.timed(call)[0])
    return _percentiles(timings)


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def measure_pair(
    first: Callable[[], bytes], second: Callable[[], bytes], watch: GcWatch, rounds: int = ROUNDS
) -> dict[str, tuple[float, float]]:
    """Both calls alternated in one loop, so load on the shared machine hits both
    alike: p50 and p95 in milliseconds of wall and of CPU time (``process_time``),
    keyed ``first-wall``, ``first-cpu``, ``second-wall``, ``second-cpu``."""
    first()
    second()
    timings: dict[str, list[float]] = {
        key: [] for key in ("first-wall", "first-cpu", "second-wall", "second-cpu")
    }
    for _ in range(rounds):
        for name, call in (("first", first), ("second", second)):
            wall, cpu = watch.timed(call)
            timings[f"{name}-wall"].append(wall)
            timings[f"{name}-cpu"].append(cpu)
    return {key: _percentiles(values) for key, values in timings.items()}


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
        print(f"{label:<34} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p95/p50 {p95 / p50:4.2f}")
        record(f"{label} p50 / p95", latency(p50, p95))


def bench_listing(client: Client, size: int) -> None:
    query = operation("storefront/ProductList")
    graphql = graphql_call(client, query, {"first": 100})

    def handwritten() -> bytes:
        return client.get("/bench/products/", {"first": 100}).content

    cpu = time.process_time()
    first_answer = graphql()
    first_cpu = (time.process_time() - cpu) * 1000
    if orjson.loads(first_answer) != orjson.loads(handwritten()):
        raise SystemExit("the hand-written view does not return the GraphQL answer")
    with GcWatch() as watch:
        pair = measure_pair(graphql, handwritten, watch)
    per_request = watch.inside / (2 * ROUNDS)
    pause_per_request = watch.inside_ms / (2 * ROUNDS)
    a50, a95 = _percentiles(watch.after_ms)
    g50, g95 = pair["first-wall"]
    h50, h95 = pair["second-wall"]
    gc50, gc95 = pair["first-cpu"]
    hc50, hc95 = pair["second-cpu"]
    print(
        f"products(first: 100) at {size:>7,} products   GraphQL p50 {g50:7.2f} ms p95 {g95:7.2f} ms"
        f" | hand-written p50 {h50:7.2f} ms p95 {h95:7.2f} ms | ratio p50 {g50 / h50:4.2f}"
        " (interleaved, wall)"
    )
    print(
        f"products(first: 100) at {size:>7,} products   GraphQL CPU p50 {gc50:7.2f} ms"
        f" p95 {gc95:7.2f} ms | hand-written CPU p50 {hc50:7.2f} ms p95 {hc95:7.2f} ms"
        f" | ratio p50 {gc50 / hc50:4.2f} (interleaved, CPU time)"
    )
    print(
        f"garbage collections inside a listing request: {per_request:.2f}"
        f" ({pause_per_request:.2f} ms per request) | after each response (post_request,"
        f" not in the times above) p50 {a50:.2f} ms p95 {a95:.2f} ms"
    )
    if size == SIZES[0]:
        print(
            f"first ProductList of the process: {first_cpu:.2f} ms CPU"
            f" (later p50 {gc50:.2f} ms; documents warmed by shop.warmup)"
        )
        record("ProductList first request of the process CPU", f"{first_cpu:.2f} ms")
    cached = persisted_call(client, "ProductList", {"first": 100})
    if orjson.loads(cached()) != orjson.loads(graphql()):
        raise SystemExit("the cached answer is not the GraphQL answer")
    c50, c95 = measure(cached)
    print(
        f"products(first: 100) at {size:>7,} products   cached (persisted GET)"
        f" p50 {c50:7.2f} ms p95 {c95:7.2f} ms"
    )
    slug = (
        Product.objects.filter(is_published=True).order_by("pk").values_list("slug", flat=True)[0]
    )
    p50, p95 = measure(graphql_call(client, operation("storefront/Product"), {"slug": slug}))
    n50, n95 = measure(graphql_call(client, PRODUCT_SHORT, {"slug": slug}))
    s50, s95 = measure(graphql_call(client, "{ shop { name } }", {}))
    print(f"product(slug) at {size:>7,} products   p50 {p50:7.2f} ms p95 {p95:7.2f} ms")
    print(f"product(slug) {{ name variants {{ id }} }}   p50 {n50:7.2f} ms p95 {n95:7.2f} ms")
    print(f"{{ shop {{ name }} }}                       p50 {s50:7.2f} ms p95 {s95:7.2f} ms")
    at = f"at {size:,} products"
    record(f"ProductList(first:100) GraphQL/hand-written p50 ratio {at}", f"{g50 / h50:.2f}")
    record(
        f"ProductList(first:100) GraphQL/hand-written CPU-time p50 ratio {at}",
        f"{gc50 / hc50:.2f}",
    )
    record(f"ProductList(first:100) GraphQL p50 / p95 {at}", latency(g50, g95))
    record(f"ProductList(first:100) hand-written p50 / p95 {at}", latency(h50, h95))
    record(f"ProductList(first:100) GraphQL p95/p50 {at}", f"{g95 / g50:.2f}")
    record(f"ProductList(first:100) hand-written p95/p50 {at}", f"{h95 / h50:.2f}")
    record(f"ProductList garbage collections per request {at}", f"{per_request:.2f}")
    record(f"ProductList collection after each response p50 / p95 {at}", latency(a50, a95))
    record(f"ProductList(first:100) cached p50 / p95 {at}", latency(c50, c95))
    record(f"Product(slug) p50 / p95 {at}", latency(p50, p95))
    short = "product(slug) { name variants { id } }"
    record(f"{short} p50 / p95 {at}", latency(n50, n95))
    record(f"{{ shop {{ name }} }} p50 / p95 {at}", latency(s50, s95))


def persisted_call(client: Client, name: str, variables: dict[str, object]):
    """A persisted GET by hash, as an APQ client sends it (answered from the cache)."""
    digest = hashlib.sha256(operation(f"storefront/{name}").encode()).hexdigest()
    params = {
        "operationName": name,
        "variables": orjson.dumps(variables).decode(),
        "extensions": orjson.dumps(
            {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        ).decode(),
    }

    def call() -> bytes:
        response = client.get("/graphql/", params)
        if response.status_code != 200 or b'"errors"' in response.content:
            raise SystemExit(f"unexpected answer: {response.content[:300]!r}")
        return response.content

    return call


def bench_search(client: Client, size: int) -> None:
    query = (
        "query($q: String!) { products(first: 20, search: $q)"
        " { totalCount edges { node { id name } } } }"
    )
    results, tails = [], []
    for text in SEARCHES:
        p50, p95 = measure(graphql_call(client, query, {"q": text}), rounds=max(ROUNDS // 4, 20))
        results.append(p50)
        tails.append(p95 / p50)
        print(f"search {text!r:<22} at {size:>7,} products   p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    print(f"search p50 over the terms (median): {statistics.median(results):.2f} ms")
    record(
        f"search at {size:,} products, median over the terms: p50, p95/p50",
        f"{statistics.median(results):.2f} ms, {statistics.median(tails):.2f}",
    )


def main() -> None:
    setup_test_environment()
    warm_up()  # as shop.wsgi does in every gunicorn worker (collect_after_response: GcWatch)
    connection.settings_dict["TEST"]["NAME"] = (
        os.environ.get("BENCH_TEST_DATABASE", "watershop_bench")
        if connection.vendor == "postgresql"
        else None
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
                    seconds = time.perf_counter() - start
                    print(f"(seeded {missing:,} products in {seconds:.1f} s)")
                    record(f"seeding {missing:,} products (bulk_create)", f"{seconds:.1f} s")
                if connection.vendor == "postgresql":
                    # As autovacuum leaves a settled table: statistics, and the
                    # visibility map index-only scans (totalCount) depend on.
                    with connection.cursor() as cursor:
                        cursor.execute("VACUUM ANALYZE")
                bench_listing(client, size)
            bench_search(client, SIZES[-1])
        info = _get_validate_cache(CACHE_SIZE).cache_info()
        print(f"\nvalidation cache: {info.hits} hits, {info.misses} misses")
        bench_checkout()
        bench_billing()
        bench_invoicing()
        print_summary()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
