"""Invoicing benchmarks for ``make bench``: figures printed, never asserted.

- the time invoicing adds to ``checkoutComplete``: the guest checkout of
  ``tests.bench.checkout`` run ``BENCH_INVOICING_FLOWS`` times with
  ``SHOP_INVOICER`` set to the no-op ``orders.invoicer.Invoicer`` and as many
  with the shop's invoicer, alternating in the same run, p50 of each and their
  ratio. Twice: with the tasks published to a broker (production: the request
  pays the invoice, its record and the outbox rows; the PDF and the submission
  go to a worker) and with the tasks run in the request after the commit (the
  embedded default, no broker: the PDF is drawn and the records sent there);
- records chained per second: ``invoicing.chain.record_append`` (the alta's
  XML built and checked against the AEAT's schemas, its huella chained to the
  last record, stored) for ``BENCH_INVOICING_RECORDS`` invoices, each in its
  own transaction with the chain locked, as the services do;
- ``invoice_chain_verify`` at each size in ``BENCH_INVOICING_CHAIN`` (default
  10,000 and 100,000 records): seconds, then again under ``tracemalloc`` for
  its peak Python memory, which stays flat as the chain grows (streamed); and
  the admin's records list at that size (p50 of 5 loads: it checks its page
  only, where it walked the whole chain, as long as the verify, before).

The records of the verify benchmark are made in bulk, as the services would
make them (the same XML builder and huella, chained) but without the schema
check, which the chaining figure measures.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from lxml import etree

from invoicing import chain, conf
from invoicing.models import Invoice, InvoiceTaxLine, VerifactuRecord
from invoicing.verifactu.records import AltaRecord, ChainLink, InvoiceRef, InvoiceType, TaxLine
from invoicing.verifactu.xml import SF_NS, registro
from orders.models import Order
from orders.payments.memory import gateway
from shop.accounts.models import User
from shop.accounts.roles import BILLING_OPERATOR
from shop.celery import app as celery_app
from tests.bench.checkout import Shop, _lines, buy, seed

FLOWS = int(os.environ.get("BENCH_INVOICING_FLOWS", "40"))
RECORDS = int(os.environ.get("BENCH_INVOICING_RECORDS", "1000"))
CHAIN_SIZES = [int(n) for n in os.environ.get("BENCH_INVOICING_CHAIN", "10000,100000").split(",")]
NO_OP = "orders.invoicer.Invoicer"
SHOP = "invoicing.services.ShopInvoicer"
BULK = 5000


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextmanager
def _broker() -> Iterator[None]:
    """Tasks published to an in-memory broker nobody consumes, as to Redis with
    the workers elsewhere."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager


def _complete_p50(shop: Shop, client: Client, turn0: int) -> tuple[float, float]:
    timings: dict[str, list[float]] = {NO_OP: [], SHOP: []}
    for turn in range(FLOWS + 1):
        for invoicer in (NO_OP, SHOP):
            with override_settings(SHOP_INVOICER=invoicer):
                flow = buy(client, shop, _lines(shop, turn0 + turn))
            if turn:  # the first of each is a warm-up
                timings[invoicer].append(flow.timings["CheckoutComplete"])
    return statistics.median(timings[NO_OP]), statistics.median(timings[SHOP])


def bench_checkout_complete(shop: Shop) -> None:
    client = Client()
    print(f"\n== checkoutComplete with and without invoicing, {FLOWS} flows each, alternating")
    before = Invoice.objects.count()
    for label, mode in (("tasks to a broker", _broker), ("tasks run in the request", None)):
        if mode is not None:
            with mode():
                without, with_invoicing = _complete_p50(shop, client, 0)
        else:
            without, with_invoicing = _complete_p50(shop, client, 1)
        print(
            f"{label:<26} no-op invoicer p50 {without:7.2f} ms | shop's invoicer p50"
            f" {with_invoicing:7.2f} ms | added {with_invoicing - without:6.2f} ms"
            f" | ratio {with_invoicing / without:4.2f}"
        )
    issued = Invoice.objects.count() - before
    print(f"invoices issued: {issued} for {2 * (FLOWS + 1)} orders with the shop's invoicer")


def _bare_invoices(count: int, *, start: int, order: Order) -> list[Invoice]:
    """``count`` F2 invoices of 12.10 EUR (21 %) with their tax line, no record."""
    issuer = conf.issuer()
    now = timezone.now()
    invoices = Invoice.objects.bulk_create(
        Invoice(
            order=order,
            kind="F2",
            series="BENCH",
            number=number,
            full_number=f"BENCH-{number:07d}",
            issued_at=now,
            operation_date=timezone.localdate(now),
            language_code="es",
            issuer_nif=issuer.nif,
            issuer_name=issuer.name,
            total_net=Decimal("10.00"),
            total_tax=Decimal("2.10"),
            total_gross=Decimal("12.10"),
            description="Venta de artículos de la tienda online (banco de pruebas)",
            idempotency_key=f"bench:{number}",
        )
        for number in range(start, start + count)
    )
    InvoiceTaxLine.objects.bulk_create(
        InvoiceTaxLine(
            invoice=invoice, rate=Decimal("21.00"), base=Decimal("10.00"), tax=Decimal("2.10")
        )
        for invoice in invoices
    )
    return invoices


def _next_bench_number() -> int:
    last = Invoice.objects.filter(series="BENCH").order_by("-number").first()
    return last.number + 1 if last else 1


def bench_chaining(order: Order) -> None:
    invoices = _bare_invoices(RECORDS, start=_next_bench_number(), order=order)
    _analyze()
    start = time.perf_counter()
    for invoice in invoices:
        with transaction.atomic():
            chain.chain_lock()
            chain.record_append(
                invoice=invoice,
                kind=VerifactuRecord.Kind.ALTA,
                generated_at=timezone.now(),
                actor=None,
            )
    seconds = time.perf_counter() - start
    print(
        f"\n== records chained: {RECORDS:,} altas in {seconds:.2f} s:"
        f" {RECORDS / seconds:7.1f} records/s ({seconds / RECORDS * 1000:.2f} ms each,"
        " XML built and schema-checked, huella, stored, one transaction each)"
    )


def _bulk_records(count: int, order: Order) -> None:
    """Append ``count`` altas of new invoices to the chain, chained exactly as
    ``record_append`` does (same builder, same huella), without the schema check."""
    issuer, sif = conf.issuer(), conf.sistema_informatico()
    last = VerifactuRecord.objects.select_related("invoice").order_by("-position").first()
    assert last is not None
    previous_link = ChainLink(chain.invoice_ref(last.invoice), last.huella)
    position, previous_pk = last.position, last.pk
    number = _next_bench_number()
    generated_at = timezone.now()
    done = 0
    while done < count:
        size = min(BULK, count - done)
        invoices = _bare_invoices(size, start=number, order=order)
        number += size
        rows = []
        for invoice in invoices:
            generated_at += timedelta(milliseconds=10)
            ref = InvoiceRef(issuer.nif, invoice.full_number, invoice.issue_date)
            element = registro(
                AltaRecord(
                    invoice=ref,
                    issuer_name=issuer.name,
                    invoice_type=InvoiceType.F2,
                    description=invoice.description,
                    tax_lines=(TaxLine(Decimal("21.00"), Decimal("10.00"), Decimal("2.10")),),
                    total_quota=Decimal("2.10"),
                    total_amount=Decimal("12.10"),
                    previous=previous_link,
                    generated_at=generated_at,
                ),
                sif,
            )
            huella = element.findtext(f"{{{SF_NS}}}Huella") or ""
            position += 1
            rows.append(
                VerifactuRecord(
                    position=position,
                    invoice=invoice,
                    kind=VerifactuRecord.Kind.ALTA,
                    previous_id=previous_pk,
                    huella=huella,
                    generated_at=generated_at,
                    xml=etree.tostring(element, encoding="UTF-8").decode("utf-8"),
                )
            )
            previous_link = ChainLink(ref, huella)
        previous_pk = _insert_chained(rows, after_pk=previous_pk)
        done += size


def _insert_chained(rows: list[VerifactuRecord], *, after_pk: int) -> int:
    """Insert ``rows`` (in position order) each naming the one before; return the
    last one's primary key. Primary keys are given up front so one bulk insert
    can carry the links."""
    first_pk = (
        VerifactuRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    previous = after_pk
    for offset, row in enumerate(rows):
        row.pk = first_pk + offset
        row.previous_id = previous
        previous = row.pk
    VerifactuRecord.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('invoicing_verifacturecord', 'id'),"
                " (SELECT MAX(id) FROM invoicing_verifacturecord))"
            )
    return previous


def _verify() -> str:
    out = io.StringIO()
    call_command("invoice_chain_verify", stdout=out)
    return out.getvalue().strip()


def bench_verify(order: Order) -> None:
    print("\n== invoice_chain_verify")
    for size in CHAIN_SIZES:
        missing = size - VerifactuRecord.objects.count()
        if missing > 0:
            start = time.perf_counter()
            _bulk_records(missing, order)
            print(f"(chained {missing:,} more records in {time.perf_counter() - start:.1f} s)")
        _analyze()
        start = time.perf_counter()
        said = _verify()
        seconds = time.perf_counter() - start
        tracemalloc.start()
        _verify()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{size:>8,} records   {seconds:6.2f} s ({size / seconds:8,.0f} records/s)"
            f" | peak Python memory {peak / 1024 / 1024:6.2f} MiB | said: {said}"
        )
        print(f"{'':>8}   records admin list (first page): p50 {_records_list_p50():7.2f} ms")


def _records_list_p50(rounds: int = 5) -> float:
    """The admin's records list as the billing operator loads it (it checks the
    page's records, not the whole chain)."""
    client = Client()
    staff = User.objects.filter(email="bench-billing@example.test").first()
    if staff is None:
        staff = User.objects.create_user(email="bench-billing@example.test", is_staff=True)
        staff.groups.add(Group.objects.get(name=BILLING_OPERATOR))
    client.force_login(staff)
    # The admin asks staff for a second factor: pass it as its sign-in would.
    device, _created = TOTPDevice.objects.get_or_create(user=staff, name="authenticator")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    timings = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        response = client.get("/admin/invoicing/verifacturecord/")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings[1:])


def bench_invoicing() -> None:
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task
    gateway.reset()
    shop = seed(slug="bench-invoicing")
    bench_checkout_complete(shop)
    order = Order.objects.order_by("pk").first()
    assert order is not None
    bench_chaining(order)
    bench_verify(order)
    gateway.reset()
