"""Invoices and VERI*FACTU in the admin: the billing operator reads invoices,
records (with the chain's state) and submissions, and acts through the
invoicing services; nothing append-only is editable, and other roles cannot act."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from invoicing.models import (
    ChainVerification,
    Invoice,
    RecordAnswer,
    Submission,
    VerifactuRecord,
)
from invoicing.rendering import invoice_pdf_render, invoice_qr_url
from orders.payments.memory import gateway
from shop.accounts.roles import BILLING_OPERATOR, CATALOGUE_MANAGER, ORDER_MANAGER
from tests.factories import UserFactory
from tests.factories.invoicing import METHODS
from tests.factories.orders import place_order, staff_in_role, stocked_variant
from tests.invoicing.submission_helpers import aeat_simulator  # noqa: F401  (the aeat fixture)

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
INVOICES = "/admin/invoicing/invoice/"
RECORDS = "/admin/invoicing/verifacturecord/"
SUBMISSIONS = "/admin/invoicing/submission/"


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()
    yield
    gateway.reset()


def an_invoice() -> Invoice:
    """The F2 of a card order: 2 x 12.10 at 21 % + 4.95 shipping = 29.15 (IVA 5.06)."""
    order = place_order(lines=[(stocked_variant(price="12.10"), 2)], user=UserFactory())
    return order.invoices.get()


def signed_in(client, role):
    user = staff_in_role(role)
    client.force_login(user)
    return user


def test_the_operator_reads_an_invoice_with_its_lines_taxes_pdf_and_records(client):
    invoice = an_invoice()
    invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    signed_in(client, BILLING_OPERATOR)

    listing = client.get(INVOICES, headers=EN)
    page = client.get(f"{INVOICES}{invoice.pk}/change/", headers=EN)

    assertContains(listing, invoice.full_number)
    assertContains(page, invoice.lines.order_by("pk").first().description)
    assertContains(page, "24.09")  # the base at 21 %
    assertContains(page, f"/invoices/{invoice.pk}/pdf/?sig=")
    assertContains(page, invoice_qr_url(invoice).replace("&", "&amp;"))
    assertContains(page, invoice.records.get().huella)
    assertContains(page, "Pending")
    assertContains(page, f"{INVOICES}{invoice.pk}/rectify/")
    assertContains(page, f"{INVOICES}{invoice.pk}/exchange/")
    assertNotContains(page, 'name="_save"')


def test_the_record_list_shows_the_chain_valid(client):
    an_invoice(), an_invoice()
    signed_in(client, BILLING_OPERATOR)

    page = client.get(RECORDS, headers=EN)

    assertContains(page, "All 2 records on this page hold against the ones before them.")
    assertContains(page, "The whole chain has not been verified yet (invoice_chain_verify).")


def test_the_record_list_shows_the_last_full_verification(client):
    an_invoice(), an_invoice()
    call_command("invoice_chain_verify", stdout=io.StringIO())
    run = ChainVerification.objects.get()
    signed_in(client, BILLING_OPERATOR)

    page = client.get(RECORDS, headers=EN)

    assert (run.records, run.broken_position) == (2, None)
    assertContains(
        page,
        "Last full verification (invoice_chain_verify) at "
        f"{run.checked_at.isoformat(timespec='seconds')}: 2 records, chain valid.",
    )


def test_the_record_list_checks_only_the_page_it_shows_in_a_fixed_number_of_queries(client):
    for _ in range(3):
        an_invoice()
    signed_in(client, BILLING_OPERATOR)
    client.get(RECORDS, headers=EN)  # the session and permissions cached
    with CaptureQueriesContext(connection) as three:
        client.get(RECORDS, headers=EN)
    for _ in range(4):
        an_invoice()

    with CaptureQueriesContext(connection) as seven:
        page = client.get(RECORDS, headers=EN)

    assertContains(page, "All 7 records on this page hold against the ones before them.")
    assert len(seven) == len(three)


def test_the_record_list_names_the_first_broken_record(client):
    first, second, _third = an_invoice(), an_invoice(), an_invoice()
    record = second.records.get()
    # Behind the ORM's back, as someone editing the database would.
    QuerySet(VerifactuRecord).filter(pk=record.pk).update(huella="0" * 64)
    signed_in(client, BILLING_OPERATOR)

    page = client.get(RECORDS, headers=EN)

    assertContains(
        page,
        f"Chain broken at record 2 (invoice {second.full_number}): huella {'0' * 64} differs "
        f"from its XML&#x27;s {record.huella}.",
    )
    assert first.records.get().position == 1


def test_sending_by_hand_submits_the_pending_records_and_shows_each_answer(client, aeat):
    # A simulator of its own: the shared one remembers the records of other tests.
    invoices = [an_invoice(), an_invoice()]
    signed_in(client, BILLING_OPERATOR)

    response = client.post(f"{SUBMISSIONS}send/", headers=EN)

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{SUBMISSIONS}{submission.pk}/change/"
    assert submission.status == Submission.Status.CORRECT
    assert sorted(RecordAnswer.objects.values_list("record__invoice", "status")) == [
        (invoice.pk, "correct") for invoice in invoices
    ]
    page = client.get(response["Location"], headers=EN)
    answer = '<td class="field-status"><p>Correct</p></td>'
    assertContains(page, answer, count=2, html=True)
    records = client.get(RECORDS, headers=EN)
    assertContains(records, "Registered by the AEAT", count=2)
    assert LogEntry.objects.get().change_message == "Sent by hand."


def test_sending_with_nothing_pending_sends_nothing(client):
    signed_in(client, BILLING_OPERATOR)

    response = client.post(f"{RECORDS}send/", headers=EN, follow=True)

    assertContains(response, "No record is pending.")
    assert Submission.objects.count() == 0


def test_the_operator_rectifies_an_invoice_once_per_form(client):
    invoice = an_invoice()
    signed_in(client, BILLING_OPERATOR)
    form = {"amount": "10.00", "reason": "Descuento acordado", "idempotency_key": "6f1c" * 8}

    first = client.post(f"{INVOICES}{invoice.pk}/rectify/", form, headers=EN)
    again = client.post(f"{INVOICES}{invoice.pk}/rectify/", form, headers=EN)

    assert (first.status_code, again.status_code) == (302, 302)
    (rectification,) = Invoice.objects.filter(kind="R5")
    assert (rectification.total_gross, rectification.total_tax) == (
        Decimal("-10.00"),
        Decimal("-1.74"),
    )
    assert list(rectification.rectifies.all()) == [invoice]
    assert rectification.reason == "Descuento acordado"
    assert LogEntry.objects.filter(object_id=str(invoice.pk)).count() == 2


def test_a_rectification_without_a_reason_is_refused_and_nothing_issued(client):
    invoice = an_invoice()
    signed_in(client, BILLING_OPERATOR)

    response = client.post(
        f"{INVOICES}{invoice.pk}/rectify/",
        {"amount": "10.00", "reason": " ", "idempotency_key": "6f1c" * 8},
        headers=EN,
    )

    assert response.status_code == 200
    assert Invoice.objects.count() == 1


def test_the_operator_exchanges_a_simplified_invoice_for_a_full_one(client):
    invoice = an_invoice()
    signed_in(client, BILLING_OPERATOR)

    response = client.post(
        f"{INVOICES}{invoice.pk}/exchange/",
        {
            "tax_id": "12345678Z",
            "name": "Lucía Martín",
            "first_name": "Lucía",
            "last_name": "Martín",
            "street_address_1": "Calle Sierpes 12",
            "postal_code": "41004",
            "city": "Sevilla",
        },
        headers=EN,
    )

    assert response.status_code == 302
    full = Invoice.objects.get(kind="F3")
    assert (full.recipient_tax_id, full.total_gross, list(full.substituted.all())) == (
        "12345678Z",
        Decimal("29.15"),
        [invoice],
    )


def test_a_wrong_tax_id_in_the_exchange_is_shown_and_nothing_issued(client):
    invoice = an_invoice()
    signed_in(client, BILLING_OPERATOR)

    response = client.post(
        f"{INVOICES}{invoice.pk}/exchange/",
        {
            "tax_id": "12345678A",
            "name": "Lucía Martín",
            "first_name": "Lucía",
            "last_name": "Martín",
            "street_address_1": "Calle Sierpes 12",
            "postal_code": "41004",
            "city": "Sevilla",
        },
        headers=EN,
        follow=True,
    )

    assertContains(response, "The check character of 12345678A is wrong: check the tax id.")
    assert list(Invoice.objects.values_list("kind", flat=True)) == ["F2"]


def test_an_order_manager_reads_invoices_but_cannot_act(client):
    invoice = an_invoice()
    signed_in(client, ORDER_MANAGER)

    page = client.get(f"{INVOICES}{invoice.pk}/change/", headers=EN)
    rectify = client.post(
        f"{INVOICES}{invoice.pk}/rectify/",
        {"amount": "10.00", "reason": "x", "idempotency_key": "6f1c" * 8},
    )
    send = client.post(f"{SUBMISSIONS}send/")

    assert page.status_code == 200
    assertNotContains(page, f"{INVOICES}{invoice.pk}/rectify/")
    assert (rectify.status_code, send.status_code) == (403, 403)
    assert (Invoice.objects.count(), Submission.objects.count()) == (1, 0)


def test_other_roles_see_no_invoicing_page(client):
    an_invoice()
    signed_in(client, CATALOGUE_MANAGER)

    pages = [client.get(url).status_code for url in (INVOICES, RECORDS, SUBMISSIONS)]

    assert pages == [403, 403, 403]
