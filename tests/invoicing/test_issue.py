"""Invoices issued in the order's transaction: when, which kind, which amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from lxml import etree

from invoicing import services as invoicing
from invoicing.errors import InvoicingErrorCode
from invoicing.models import (
    AppendOnlyError,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    InvoiceTaxLine,
    VerifactuRecord,
)
from invoicing.verifactu import xml
from orders import services
from orders.errors import CheckoutErrorCode
from orders.invoicer import get_invoicer
from orders.models import Claim
from orders.payments.memory import gateway
from orders.services import claims
from shop.accounts.roles import ORDER_MANAGER
from shop.outbox.models import Message
from tests.factories import UserFactory
from tests.factories.invoicing import METHODS, amounts, card_order, variant_at, water_bill_order
from tests.factories.orders import ADDRESS, PickupPointFactory, ready_checkout, staff_in_role

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year
BUYER = {
    "tax_id": "B12345674",
    "company_name": "Fontanería Martín, S.L.",
}


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def two_rate_order(**billing: str):
    """3 x 12.10 at 21 % and 2 x 5.50 at 10 %, shipping 4.95 at 21 %."""
    return card_order(
        [(variant_at("0.21", "12.10"), 3), (variant_at("0.10", "5.50"), 2)], **billing
    )


def test_a_card_order_is_invoiced_at_placement_with_a_simplified_invoice_exactly_as_frozen():
    order = two_rate_order()

    (invoice,) = order.invoices.all()
    assert (invoice.kind, invoice.series, invoice.number, invoice.full_number) == (
        "F2",
        f"F2-{YEAR}",
        1,
        f"F2-{YEAR}-000001",
    )
    assert invoice.idempotency_key == f"placed:{order.pk}"
    assert (invoice.recipient_tax_id, invoice.recipient_name, invoice.recipient_address) == (
        "",
        "",
        None,
    )
    lines = [
        (
            line.order_line_id,
            line.quantity,
            line.unit_price_gross,
            line.tax_rate,
            line.total_gross,
            line.total_tax,
        )
        for line in invoice.lines.all()
    ]
    frozen = [
        (
            line.pk,
            line.quantity,
            line.unit_price_gross,
            line.tax_rate * 100,
            line.total_gross,
            line.total_tax,
        )
        for line in order.lines.all()
    ]
    assert lines == [
        *frozen,
        (None, 1, order.shipping_gross, Decimal("21.00"), order.shipping_gross, order.shipping_tax),
    ]
    # 36.30 + 4.95 = 41.25 at 21 %: IVA 7.16; 11.00 at 10 %: IVA 1.00.
    assert amounts(invoice) == [
        (Decimal("21.00"), Decimal("34.09"), Decimal("7.16")),
        (Decimal("10.00"), Decimal("10.00"), Decimal("1.00")),
    ]
    assert {str(rate / 100): str(tax) for rate, _base, tax in amounts(invoice)} == order.tax_by_rate
    assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
        order.total_net,
        order.total_tax,
        order.total_gross,
    )
    assert InvoiceSeries.objects.get(kind="F2", year=YEAR).next_number == 2


def test_the_invoice_gets_a_schema_valid_alta_record_and_owes_its_pdf_and_submission():
    order = two_rate_order()

    invoice = order.invoices.get()
    (record,) = invoice.records.all()
    assert (record.position, record.kind, record.previous) == (1, "alta", None)
    root = etree.fromstring(record.xml.encode())
    xml.validate(root)
    ns = {"s": xml.SF_NS}
    assert root.findtext("s:IDFactura/s:NumSerieFactura", namespaces=ns) == invoice.full_number
    assert root.findtext("s:TipoFactura", namespaces=ns) == "F2"
    assert root.findtext("s:ImporteTotal", namespaces=ns) == str(order.total_gross)
    assert root.findtext("s:CuotaTotal", namespaces=ns) == str(order.total_tax)
    assert root.findtext("s:Encadenamiento/s:PrimerRegistro", namespaces=ns) == "S"
    assert root.findtext("s:Huella", namespaces=ns) == record.huella
    tasks = list(
        Message.objects.filter(task__startswith="invoicing.").values_list("task", "kwargs")
    )
    assert tasks == [
        ("invoicing.tasks.invoice_pdf_render", {"invoice_id": invoice.pk}),
        ("invoicing.tasks.verifactu_submit_pending", {}),
    ]


def test_the_next_record_chains_to_the_previous_one():
    first = card_order().invoices.get().records.get()

    second = card_order().invoices.get()

    record = second.records.get()
    assert (record.position, record.previous) == (2, first)
    root = etree.fromstring(record.xml.encode())
    ns = {"s": xml.SF_NS}
    previous = "s:Encadenamiento/s:RegistroAnterior/"
    assert root.findtext(previous + "s:Huella", namespaces=ns) == first.huella
    assert root.findtext(previous + "s:NumSerieFactura", namespaces=ns) == f"F2-{YEAR}-000001"
    assert second.full_number == f"F2-{YEAR}-000002"


def test_a_tax_id_at_checkout_gives_a_full_invoice_naming_the_company():
    order = two_rate_order(**BUYER)

    invoice = order.invoices.get()
    assert (invoice.kind, invoice.full_number) == ("F1", f"F1-{YEAR}-000001")
    assert (invoice.recipient_tax_id, invoice.recipient_name) == (
        "B12345674",
        "Fontanería Martín, S.L.",
    )
    assert invoice.recipient_address["street_address_1"] == ADDRESS["street_address_1"]
    root = etree.fromstring(invoice.records.get().xml.encode())
    ns = {"s": xml.SF_NS}
    assert root.findtext("s:Destinatarios/s:IDDestinatario/s:NIF", namespaces=ns) == "B12345674"
    assert order.billing_address["tax_id"] == "B12345674"


def test_a_wrong_tax_id_at_checkout_is_refused_on_its_field_and_nothing_changes(english):
    checkout = ready_checkout()
    before = checkout.billing_address

    with pytest.raises(ValidationError) as caught:
        services.checkout_billing_address_update(
            checkout=checkout, address={**ADDRESS, "tax_id": "B12345675"}
        )

    (error,) = caught.value.error_dict["tax_id"]
    assert error.code == CheckoutErrorCode.INVALID_TAX_ID
    assert (
        error.message % error.params
        == "The check character of B12345675 is wrong: check the tax id."
    )
    checkout.refresh_from_db()
    assert checkout.billing_address == before


def test_a_water_bill_order_is_invoiced_at_each_delivery_for_what_is_delivered():
    general, reduced = variant_at("0.21", "12.10"), variant_at("0.10", "5.50")
    order = water_bill_order([(general, 3), (reduced, 1)])
    assert not order.invoices.exists()
    manager = staff_in_role(ORDER_MANAGER)
    line_general, line_reduced = order.lines.order_by("pk")

    services.order_fulfill(actor=manager, order=order, quantities=[(line_general, 1)])

    first = order.invoices.get()
    assert [
        (line.order_line_id, line.quantity, line.total_gross, line.total_tax)
        for line in first.lines.all()
    ] == [
        (line_general.pk, 1, Decimal("12.10"), Decimal("2.10")),
        (None, 1, order.shipping_gross, order.shipping_tax),
    ]
    assert first.idempotency_key.startswith("fulfilled:")

    services.order_fulfill(
        actor=manager, order=order, quantities=[(line_general, 2), (line_reduced, 1)]
    )

    second = order.invoices.exclude(pk=first.pk).get()
    assert second.full_number == f"F2-{YEAR}-000002"
    line_general.refresh_from_db()
    assert [
        (line.order_line_id, line.quantity, line.total_gross, line.total_tax)
        for line in second.lines.all()
    ] == [
        (
            line_general.pk,
            2,
            line_general.total_gross - Decimal("12.10"),
            line_general.total_tax - Decimal("2.10"),
        ),
        (line_reduced.pk, 1, line_reduced.total_gross, line_reduced.total_tax),
    ]
    by_rate: dict[Decimal, Decimal] = {}
    for row in InvoiceTaxLine.objects.filter(invoice__order=order):
        by_rate[row.rate] = by_rate.get(row.rate, Decimal(0)) + row.tax
    assert {str(rate / 100): str(tax) for rate, tax in by_rate.items()} == order.tax_by_rate
    assert sum(invoice.total_gross for invoice in order.invoices.all()) == order.total_gross


def test_a_refund_after_issue_gives_one_rectificativa_with_the_exact_negatives_per_rate():
    order = two_rate_order()
    original = order.invoices.get()
    manager = staff_in_role(ORDER_MANAGER)

    (refund,) = services.order_refund(
        actor=manager, order=order, amount=order.total_gross, idempotency_key="all"
    )

    rectificativa = order.invoices.get(kind="R5")
    assert rectificativa.idempotency_key == f"refund:{refund.pk}"
    assert (rectificativa.rectified, list(rectificativa.rectifies.all())) == (original, [original])
    assert rectificativa.rectification_type == "I"
    assert rectificativa.full_number == f"R5-{YEAR}-000001"
    assert amounts(rectificativa) == [(rate, -base, -tax) for rate, base, tax in amounts(original)]
    assert (rectificativa.total_net, rectificativa.total_tax, rectificativa.total_gross) == (
        -original.total_net,
        -original.total_tax,
        -original.total_gross,
    )
    root = etree.fromstring(rectificativa.records.get().xml.encode())
    ns = {"s": xml.SF_NS}
    assert root.findtext("s:TipoRectificativa", namespaces=ns) == "I"
    assert (
        root.findtext(
            "s:FacturasRectificadas/s:IDFacturaRectificada/s:NumSerieFactura", namespaces=ns
        )
        == original.full_number
    )


def test_a_partial_refund_is_spread_over_the_rates_by_largest_remainder():
    order = two_rate_order()  # 41.25 at 21 %, 11.00 at 10 %
    manager = staff_in_role(ORDER_MANAGER)

    services.order_refund(actor=manager, order=order, amount=Decimal("10.00"), idempotency_key="p")

    rectificativa = order.invoices.get(kind="R5")
    # 10.00 x 41.25 / 52.25 = 7.894.. -> 7.89; 10.00 x 11.00 / 52.25 = 2.105.. -> 2.11
    # (the cent left goes to the largest remainder).
    assert amounts(rectificativa) == [
        (Decimal("21.00"), Decimal("-6.52"), Decimal("-1.37")),
        (Decimal("10.00"), Decimal("-1.92"), Decimal("-0.19")),
    ]
    assert rectificativa.total_gross == Decimal("-10.00")


def test_the_rest_of_a_partly_refunded_order_is_rectified_to_exactly_zero():
    order = two_rate_order()
    manager = staff_in_role(ORDER_MANAGER)
    services.order_refund(actor=manager, order=order, amount=Decimal("10.00"), idempotency_key="p")

    services.order_refund(
        actor=manager, order=order, amount=order.total_gross - Decimal("10.00"), idempotency_key="q"
    )

    assert order.invoices.filter(kind="R5").count() == 2
    totals: dict[Decimal, list[Decimal]] = {}
    for row in InvoiceTaxLine.objects.filter(invoice__order=order):
        base, tax = totals.get(row.rate, [Decimal(0), Decimal(0)])
        totals[row.rate] = [base + row.base, tax + row.tax]
    assert totals == {
        Decimal("21.00"): [Decimal("0.00"), Decimal("0.00")],
        Decimal("10.00"): [Decimal("0.00"), Decimal("0.00")],
    }


def test_a_repeated_refund_call_makes_no_second_rectificativa():
    order = two_rate_order()
    manager = staff_in_role(ORDER_MANAGER)
    services.order_refund(actor=manager, order=order, amount=Decimal("5.00"), idempotency_key="k")

    services.order_refund(actor=manager, order=order, amount=Decimal("5.00"), idempotency_key="k")
    (refund,) = order.payments.get().transactions.filter(kind="refund")
    again = invoicing.invoice_rectify(
        actor=None,
        order=order,
        amount=refund.amount,
        idempotency_key=f"refund:{refund.pk}",
        reason="",
    )

    (rectificativa,) = order.invoices.filter(kind="R5")
    assert again == rectificativa
    assert VerifactuRecord.objects.count() == 2


def test_a_full_invoice_is_rectified_with_an_r1_naming_its_recipient():
    order = two_rate_order(**BUYER)
    manager = staff_in_role(ORDER_MANAGER)

    services.order_refund(actor=manager, order=order, amount=Decimal("5.00"), idempotency_key="k")

    rectificativa = order.invoices.get(kind="R1")
    assert (rectificativa.recipient_tax_id, rectificativa.total_gross) == (
        "B12345674",
        Decimal("-5.00"),
    )


def test_a_cancelled_card_order_is_rectified_once_to_zero():
    order = two_rate_order()
    original = order.invoices.get()

    services.order_cancel(actor=None, order=order)

    (rectificativa,) = order.invoices.filter(kind="R5")
    assert rectificativa.total_gross == -original.total_gross
    assert sum(invoice.total_gross for invoice in order.invoices.all()) == 0


def test_a_refund_of_a_water_bill_order_before_delivery_rectifies_nothing():
    order = water_bill_order([(variant_at("0.21", "12.10"), 2)])
    manager = staff_in_role(ORDER_MANAGER)

    services.order_refund(actor=manager, order=order, amount=Decimal("5.00"), idempotency_key="k")

    assert not Invoice.objects.exists()
    assert not VerifactuRecord.objects.exists()


def test_a_simplified_invoice_is_exchanged_for_an_f3_with_the_same_amounts():
    order = two_rate_order()
    simplified = order.invoices.get()

    f3 = invoicing.invoice_exchange_full(
        actor=None, order=order, tax_id="12345678Z", name="Lucía Martín", address=ADDRESS
    )

    assert (f3.kind, f3.full_number, list(f3.substituted.all())) == (
        "F3",
        f"F3-{YEAR}-000001",
        [simplified],
    )
    assert (f3.recipient_tax_id, f3.recipient_name) == ("12345678Z", "Lucía Martín")
    assert amounts(f3) == amounts(simplified)
    assert [(line.description, line.total_gross, line.total_tax) for line in f3.lines.all()] == [
        (line.description, line.total_gross, line.total_tax) for line in simplified.lines.all()
    ]
    root = etree.fromstring(f3.records.get().xml.encode())
    ns = {"s": xml.SF_NS}
    assert (
        root.findtext(
            "s:FacturasSustituidas/s:IDFacturaSustituida/s:NumSerieFactura", namespaces=ns
        )
        == simplified.full_number
    )


def test_after_an_exchange_a_refund_is_rectified_with_an_r1_of_the_f3():
    order = two_rate_order()
    f3 = invoicing.invoice_exchange_full(
        actor=None, order=order, tax_id="12345678Z", name="Lucía Martín", address=ADDRESS
    )
    manager = staff_in_role(ORDER_MANAGER)

    services.order_refund(actor=manager, order=order, amount=order.total_gross, idempotency_key="k")

    rectificativa = order.invoices.get(kind="R1")
    assert list(rectificativa.rectifies.all()) == [f3]
    assert rectificativa.total_gross == -f3.total_gross


@pytest.mark.parametrize(
    ("billing", "code"),
    [({}, InvoicingErrorCode.ALREADY_FULL), (None, InvoicingErrorCode.NO_SIMPLIFIED_INVOICE)],
)
def test_an_exchange_is_refused_without_a_simplified_invoice_or_with_a_full_one(billing, code):
    order = (
        two_rate_order(**BUYER)
        if billing is not None
        else water_bill_order([(variant_at("0.21", "12.10"), 1)])
    )
    before = list(Invoice.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as caught:
        invoicing.invoice_exchange_full(
            actor=None, order=order, tax_id="12345678Z", name="Lucía Martín", address=ADDRESS
        )

    assert caught.value.code == code
    assert list(Invoice.objects.values_list("pk", flat=True)) == before


def test_an_exchange_with_a_wrong_tax_id_is_refused_on_its_field():
    order = two_rate_order()

    with pytest.raises(ValidationError) as caught:
        invoicing.invoice_exchange_full(
            actor=None, order=order, tax_id="12345678A", name="Lucía Martín", address=ADDRESS
        )

    (error,) = caught.value.error_dict["tax_id"]
    assert error.code == InvoicingErrorCode.INVALID_TAX_ID
    assert order.invoices.count() == 1


def test_an_invoice_registered_in_error_gets_an_anulacion_record_once():
    order = two_rate_order()
    invoice = order.invoices.get()
    manager = staff_in_role(ORDER_MANAGER)

    record = invoicing.invoice_record_cancel(actor=manager, invoice=invoice)

    assert (record.position, record.kind, record.previous, record.created_by) == (
        2,
        "anulacion",
        invoice.records.get(kind="alta"),
        manager,
    )
    xml.validate(etree.fromstring(record.xml.encode()))
    with pytest.raises(ValidationError) as caught:
        invoicing.invoice_record_cancel(actor=manager, invoice=invoice)
    assert caught.value.code == InvoicingErrorCode.ALREADY_CANCELLED
    assert VerifactuRecord.objects.count() == 2


def test_an_order_that_rolls_back_leaves_no_invoice_and_no_number_used():
    checkout = ready_checkout()
    services.checkout_payment_start(checkout=checkout, method_code="card")

    def place_then_fail():
        with transaction.atomic():
            services.checkout_complete(checkout=checkout, actor=None)
            raise RuntimeError("the request failed after placing")

    with pytest.raises(RuntimeError):
        place_then_fail()

    assert not Invoice.objects.exists()
    assert not VerifactuRecord.objects.exists()
    assert not InvoiceSeries.objects.filter(next_number__gt=1).exists()


def test_invoices_lines_and_records_are_never_updated_nor_deleted():
    invoice = card_order().invoices.get()
    record = invoice.records.get()
    line = invoice.lines.first()
    tax_line = invoice.tax_lines.first()

    for row in (invoice, record, line, tax_line):
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
    with pytest.raises(AppendOnlyError):
        Invoice.objects.filter(pk=invoice.pk).update(total_gross=0)
    with pytest.raises(AppendOnlyError):
        VerifactuRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        InvoiceLine.objects.all().update(quantity=0)

    assert Invoice.objects.get(pk=invoice.pk).total_gross == invoice.total_gross
    assert VerifactuRecord.objects.get().huella == record.huella


def test_a_claim_resolved_with_a_refund_gives_one_rectificativa():
    customer = UserFactory()
    order = card_order([(variant_at("0.21", "10.00"), 2)], user=customer)
    manager = staff_in_role(ORDER_MANAGER)
    line = order.lines.get()
    services.order_fulfill(actor=manager, order=order, quantities=[(line, 2)])
    claim = claims.claim_create(
        actor=customer,
        order=order,
        reason=Claim.Reason.DAMAGED,
        description="Una jarra llegó rota.",
        lines=[(line, 1)],
    )

    claims.claim_resolve(
        actor=manager,
        claim=claim,
        resolution=Claim.Resolution.REFUND,
        message="Le devolvemos una jarra.",
        refund_amount=Decimal("10.00"),
    )

    (refund,) = order.payments.get().transactions.filter(kind="refund")
    rectificativa = order.invoices.get(kind="R5")
    assert rectificativa.idempotency_key == f"refund:{refund.pk}"
    assert amounts(rectificativa) == [(Decimal("21.00"), Decimal("-8.26"), Decimal("-1.74"))]


def test_the_invoicer_is_the_one_settings_name(settings):
    settings.SHOP_INVOICER = "orders.invoicer.Invoicer"

    order = card_order()

    assert not order.invoices.exists()
    assert not InvoiceSeries.objects.exists()


def test_an_invoicer_setting_naming_something_else_is_refused(settings):
    settings.SHOP_INVOICER = "invoicing.services.InvoiceLine"

    with pytest.raises(TypeError, match="is not an Invoicer"):
        get_invoicer()


def test_a_pickup_of_a_water_bill_order_is_its_delivery():
    order = water_bill_order([(variant_at("0.21", "12.10"), 2)], pickup_at=PickupPointFactory())
    assert order.pickup_point is not None
    manager = staff_in_role(ORDER_MANAGER)

    services.order_fulfill(actor=manager, order=order, quantities=[(order.lines.get(), 2)])

    invoice = order.invoices.get()
    assert (invoice.kind, invoice.total_gross) == ("F2", order.total_gross)


def test_a_refund_beyond_what_a_water_bill_order_has_invoiced_rectifies_only_the_invoiced():
    general = variant_at("0.21", "12.10")
    order = water_bill_order([(general, 2)])
    manager = staff_in_role(ORDER_MANAGER)
    line = order.lines.get()
    services.order_fulfill(actor=manager, order=order, quantities=[(line, 1)])
    delivered = order.invoices.get()

    services.order_refund(actor=manager, order=order, amount=order.total_gross, idempotency_key="k")

    rectificativa = order.invoices.get(kind="R5")
    assert rectificativa.total_gross == -delivered.total_gross
    assert amounts(rectificativa) == [(rate, -base, -tax) for rate, base, tax in amounts(delivered)]


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    # FileField calls its storage callable once, when the model class is built.
    monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storages["private"])
    return tmp_path / "private"


def test_the_pdf_is_stored_once_and_nothing_else_changes_with_it(private_root):
    invoice = card_order().invoices.get()
    invoice.pdf.save("F2.pdf", ContentFile(b"%PDF-1.7 first"), save=False)
    invoice.save(update_fields=["pdf"])
    stored = Invoice.objects.get(pk=invoice.pk).pdf.name

    invoice.pdf.save("again.pdf", ContentFile(b"%PDF-1.7 second"), save=False)
    with pytest.raises(AppendOnlyError):
        invoice.save(update_fields=["pdf"])
    invoice.total_gross = Decimal("0.00")
    with pytest.raises(AppendOnlyError):
        invoice.save(update_fields=["pdf", "total_gross"])

    fresh = Invoice.objects.get(pk=invoice.pk)
    assert (fresh.pdf.name, fresh.total_gross) == (stored, fresh.order.total_gross)
    with fresh.pdf.open("rb") as pdf:
        assert pdf.read() == b"%PDF-1.7 first"
