"""Invoicing benchmark for ``make bench``: figures printed, never asserted.

- the time invoicing adds to ``checkoutComplete``: p50 of the guest flow's last
  request with the shop's invoicer, and with the no-op ``orders.invoicer.Invoicer``;
- records chained per second: invoices issued one per transaction through
  ``invoice_issue_for_order`` (number, lines, record, XML validated, outbox);
- ``invoice_chain_verify`` over each size in ``BENCH_CHAIN_SIZES`` (default
  10,000 and 100,000 records, written in bulk): seconds, then peak Python memory
  in a second run under ``tracemalloc``. A streamed verification's peak stays the
  same whatever the length of the chain.
"""

from __future__ import annotations

import io
import os
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client, override_settings
from django.utils import timezone
from lxml import etree

from catalog.models import Category, Product, ProductVariant, Stock, Warehouse
from invoicing import conf
from invoicing.chain import chain_lock
from invoicing.models import Invoice, VerifactuRecord
from invoicing.services import invoice_issue_for_order
from invoicing.verifactu import xml
from invoicing.verifactu.records import AltaRecord, ChainLink, InvoiceRef, InvoiceType, TaxLine
from orders.models import Order, ShippingMethod, ShippingZone
from tests.bench.checkout import Shop, buy, percentiles

SIZES = [int(n) for n in os.environ.get("BENCH_CHAIN_SIZES", "10000,100000").split(",")]
FLOWS = 40
ISSUES = 300
CHUNK = 2000


def _seed() -> Shop:
    category = Category.objects.create(name="Banco de facturas", slug="bench-invoicing")
    warehouse = Warehouse.objects.create(name="Bench facturas", slug="bench-invoicing")
    product = Product.objects.create(
        category=category, name="Jarra de banco", slug="bench-invoicing-0", is_published=True
    )
    variant = ProductVariant.objects.create(
        product=product, sku="BENCH-INVOICING-0", price=Decimal("12.10")
    )
    Stock.objects.create(variant=variant, warehouse=warehouse, quantity=1_000_000)
    zone = ShippingZone.objects.create(name="Bench facturas", countries=["ES"])
    method = ShippingMethod.objects.create(zone=zone, name="Bench envío", price=Decimal("4.95"))
    return Shop([variant], method)


def bench_complete(shop: Shop) -> None:
    client = Client()
    lines = [(shop.variants[0], 1)]
    timings = {}
    for label, invoicer in (
        ("with invoicing", "invoicing.services.ShopInvoicer"),
        ("without (no-op)", "orders.invoicer.Invoicer"),
    ):
        with override_settings(SHOP_INVOICER=invoicer):
            buy(client, shop, lines)  # warm-up
            flows = [buy(client, shop, lines) for _ in range(FLOWS)]
        timings[label] = percentiles([flow.timings["CheckoutComplete"] for flow in flows])[0]
    added = timings["with invoicing"] - timings["without (no-op)"]
    print(f"\n== invoicing in checkoutComplete, {FLOWS} guest flows each")
    for label, p50 in timings.items():
        print(f"checkoutComplete {label:<18} p50 {p50:7.2f} ms")
    print(f"time added by invoicing           p50 {added:7.2f} ms")


def bench_issue() -> None:
    order = Order.objects.filter(invoices__isnull=False).order_by("pk").first()
    if order is None:
        raise SystemExit("no invoiced order to issue more invoices for")
    start = time.perf_counter()
    for n in range(ISSUES):
        with transaction.atomic():
            invoice_issue_for_order(actor=None, order=order, idempotency_key=f"bench:{n}")
    seconds = time.perf_counter() - start
    print(
        f"\n== issuing: {ISSUES} invoices, one transaction each: {seconds:6.2f} s"
        f"   {ISSUES / seconds:7.1f} records chained/s"
    )


def _bulk_chain(size: int) -> None:
    """Append ``size`` valid records in bulk (the services would take minutes):
    the same XML the services write, without the schema check."""
    order = Order.objects.order_by("pk").first()
    sif = conf.sistema_informatico()
    issuer = conf.issuer()
    last = VerifactuRecord.objects.select_related("invoice").order_by("-position").first()
    previous = (
        ChainLink(
            InvoiceRef(last.invoice.issuer_nif, last.invoice.full_number, last.invoice.issue_date),
            last.huella,
        )
        if last
        else None
    )
    position = last.position if last else 0
    record_pk = VerifactuRecord.objects.aggregate(top=Max("pk"))["top"] or 0
    invoice_pk = Invoice.objects.aggregate(top=Max("pk"))["top"] or 0
    previous_pk = last.pk if last else None
    issued_at = timezone.now() - timedelta(days=1)
    tax = [TaxLine(rate=Decimal("21.00"), base=Decimal("10.00"), quota=Decimal("2.10"))]
    done = 0
    while done < size:
        invoices, records = [], []
        for _ in range(min(CHUNK, size - done)):
            invoice_pk += 1
            record_pk += 1
            position += 1
            number = f"BENCH-{invoice_pk:09d}"
            ref = InvoiceRef(issuer.nif, number, issued_at.date())
            alta = AltaRecord(
                invoice=ref,
                issuer_name=issuer.name,
                invoice_type=InvoiceType.F2,
                description="Banco de pruebas",
                tax_lines=tuple(tax),
                total_quota=Decimal("2.10"),
                total_amount=Decimal("12.10"),
                previous=previous,
                generated_at=issued_at,
            )
            element = xml.registro(alta, sif)
            huella = element.findtext(f"{{{xml.SF_NS}}}Huella")
            invoices.append(
                Invoice(
                    pk=invoice_pk,
                    order=order,
                    kind="F2",
                    series="BENCH",
                    number=invoice_pk,
                    full_number=number,
                    issued_at=issued_at,
                    operation_date=issued_at.date(),
                    language_code="es",
                    issuer_nif=issuer.nif,
                    issuer_name=issuer.name,
                    total_net=Decimal("10.00"),
                    total_tax=Decimal("2.10"),
                    total_gross=Decimal("12.10"),
                    description="Banco de pruebas",
                    idempotency_key=f"bench-chain:{invoice_pk}",
                )
            )
            records.append(
                VerifactuRecord(
                    pk=record_pk,
                    position=position,
                    invoice_id=invoice_pk,
                    kind="alta",
                    previous_id=previous_pk,
                    huella=huella,
                    generated_at=issued_at,
                    xml=etree.tostring(element, encoding="UTF-8").decode("utf-8"),
                )
            )
            previous, previous_pk = ChainLink(ref, huella), record_pk
        with transaction.atomic():
            chain_lock()
            Invoice.objects.bulk_create(invoices)
            VerifactuRecord.objects.bulk_create(records)
        done += len(records)


def _verify() -> str:
    out = io.StringIO()
    call_command("invoice_chain_verify", stdout=out, verbosity=0)
    return out.getvalue().strip()


def bench_chain_verify() -> None:
    print("\n== invoice_chain_verify")
    for size in SIZES:
        missing = size - VerifactuRecord.objects.count()
        if missing > 0:
            start = time.perf_counter()
            _bulk_chain(missing)
            print(f"(chained {missing:,} records in bulk in {time.perf_counter() - start:.1f} s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        start = time.perf_counter()
        answer = _verify()
        seconds = time.perf_counter() - start
        tracemalloc.start()
        _verify()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        count = VerifactuRecord.objects.count()
        print(
            f"verify {count:>8,} records   {seconds:6.2f} s   {count / seconds:8,.0f} records/s"
            f"   peak Python memory {peak / 1e6:5.2f} MB   ({answer})"
        )


def bench_invoicing() -> None:
    shop = _seed()
    bench_complete(shop)
    bench_issue()
    bench_chain_verify()
