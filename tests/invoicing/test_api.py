"""Invoices through /graphql/: order.invoices for whoever may see the order,
invoiceRequestFull for its customer or token holder, the staff list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from invoicing import services
from invoicing.models import Invoice
from invoicing.rendering import invoice_pdf_render
from invoicing.selectors import invoice_pdf_signature_valid
from orders.payments.memory import gateway
from shop.accounts import roles
from tests.factories import StaffFactory, UserFactory
from tests.factories.invoicing import METHODS, card_order, variant_at, water_bill_order
from tests.factories.orders import API_ADDRESS, gid, place_order, staff_in_role, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year
VALIDAR = "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()
    yield
    gateway.reset()


def customer_order(customer=None):
    """A customer's card order: 2 x 12.10 at 21 % + 4.95 shipping = 29.15 (IVA 5.06)."""
    return place_order(lines=[(stocked_variant(price="12.10"), 2)], user=customer or UserFactory())


def in_spanish(message: str) -> str:
    with translation.override("es"):
        return gettext(message)


def qr(invoice: Invoice, amount: str) -> str:
    day = timezone.localdate(invoice.issued_at).strftime("%d-%m-%Y")
    return f"{VALIDAR}?nif=A99999997&numserie={invoice.full_number}&fecha={day}&importe={amount}"


def invoice_json(invoice: Invoice, net: str, gross: str, tax: str, pdf_url: Any = None):
    return {
        "id": gid("Invoice", invoice.pk),
        "number": invoice.full_number,
        "kind": invoice.kind,
        "issuedAt": invoice.issued_at.isoformat(),
        "total": {
            "net": {"amount": net},
            "gross": {"amount": gross},
            "tax": {"amount": tax},
            "currency": "EUR",
        },
        "pdfUrl": pdf_url,
        "verificationUrl": qr(invoice, gross),
    }


# order.invoices


def test_the_customer_sees_the_orders_invoice_with_its_totals_and_verification_url(gql):
    customer = UserFactory()
    order = customer_order(customer)
    (invoice,) = order.invoices.all()

    body = gql(operation("storefront/OrderInvoices"), {"id": gid("Order", order.pk)}, user=customer)

    assert body == {
        "data": {
            "order": {
                "number": order.number,
                "invoices": [invoice_json(invoice, "24.09", "29.15", "5.06")],
            }
        }
    }
    assert invoice.full_number == f"F2-{YEAR}-000001"


def test_a_drawn_pdf_gets_a_signed_link_that_downloads_it(gql, client):
    customer = UserFactory()
    order = customer_order(customer)
    (invoice,) = order.invoices.all()
    invoice_pdf_render(invoice_id=invoice.pk)

    body = gql(operation("storefront/OrderInvoices"), {"id": gid("Order", order.pk)}, user=customer)

    url = body["data"]["order"]["invoices"][0]["pdfUrl"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "testserver",
        f"/invoices/{invoice.pk}/pdf/",
    )
    assert invoice_pdf_signature_valid(invoice.pk, parse_qs(parts.query)["sig"][0])
    download = client.get(f"{parts.path}?{parts.query}")
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_guest_sees_the_invoices_with_the_order_token(gql):
    order = card_order([(variant_at("0.10", "5.50"), 2)])
    (invoice,) = order.invoices.all()

    body = gql(operation("storefront/OrderInvoicesByToken"), {"token": str(order.token)})

    # 11.00 at 10 % (IVA 1.00) + 4.95 shipping at 21 % (IVA 0.86).
    assert body["data"]["orderByToken"] == {
        "number": order.number,
        "invoices": [invoice_json(invoice, "14.09", "15.95", "1.86")],
    }


@pytest.mark.parametrize("who", ["another customer", "guest", "staff of another role"])
def test_nobody_else_sees_an_orders_invoices(gql, who):
    order = customer_order()
    user = {
        "another customer": UserFactory,
        "guest": lambda: None,
        "staff of another role": lambda: staff_in_role(roles.CATALOGUE_MANAGER),
    }[who]()

    by_id = gql(operation("storefront/OrderInvoices"), {"id": gid("Order", order.pk)}, user=user)
    by_node = gql(
        "query($id: ID!) { node(id: $id) { ... on Invoice { number } } }",
        {"id": gid("Invoice", order.invoices.get().pk)},
        user=user,
    )

    assert by_id == {"data": {"order": None}}
    assert by_node == {"data": {"node": None}}


def test_a_list_of_orders_reads_all_their_invoices_in_one_query(gql, django_assert_num_queries):
    customer = UserFactory()
    for _ in range(2):
        customer_order(customer)
    with django_assert_num_queries(3) as two:  # the user, the page of orders, their invoices
        small = gql(operation("storefront/MyOrderInvoices"), user=customer)
    for _ in range(3):
        customer_order(customer)

    with django_assert_num_queries(len(two.captured_queries)):
        large = gql(operation("storefront/MyOrderInvoices"), user=customer)

    assert [len(edge["node"]["invoices"]) for edge in small["data"]["me"]["orders"]["edges"]] == [
        1,
        1,
    ]
    assert [len(edge["node"]["invoices"]) for edge in large["data"]["me"]["orders"]["edges"]] == [
        1
    ] * 5
    invoice_queries = [q for q in two.captured_queries if "invoicing_invoice" in q["sql"]]
    assert len(invoice_queries) == 1


# invoiceRequestFull

FULL = {"taxId": "12345678Z", "name": "Lucía Martín", "address": API_ADDRESS}


def request_full(gql, input: dict[str, Any], user=None) -> dict[str, Any]:
    body = gql(operation("storefront/InvoiceRequestFull"), {"input": input}, user=user)
    payload: dict[str, Any] = body["data"]["invoiceRequestFull"]
    return payload


def test_the_customer_exchanges_the_simplified_invoice_for_a_full_one(gql):
    customer = UserFactory()
    order = customer_order(customer)
    simplified = order.invoices.get()

    payload = request_full(gql, {**FULL, "order": gid("Order", order.pk)}, user=customer)

    assert payload == {
        "invoice": {
            "number": f"F3-{YEAR}-000001",
            "kind": "F3",
            "total": {
                "net": {"amount": "24.09"},
                "gross": {"amount": "29.15"},
                "tax": {"amount": "5.06"},
                "currency": "EUR",
            },
        },
        "errors": [],
    }
    full = order.invoices.get(kind="F3")
    assert (full.recipient_tax_id, full.recipient_name, full.issued_by) == (
        "12345678Z",
        "Lucía Martín",
        customer,
    )
    assert list(full.substituted.all()) == [simplified]


def test_a_guest_exchanges_with_the_order_token(gql):
    order = card_order([(variant_at("0.21", "12.10"), 1)])

    payload = request_full(gql, {**FULL, "token": str(order.token)})

    assert (payload["invoice"]["kind"], payload["errors"]) == ("F3", [])
    assert list(order.invoices.order_by("pk").values_list("kind", flat=True)) == ["F2", "F3"]


def test_a_wrong_tax_id_is_refused_on_tax_id_and_nothing_is_issued(gql):
    customer = UserFactory()
    order = customer_order(customer)

    payload = request_full(
        gql, {**FULL, "taxId": "12345678A", "order": gid("Order", order.pk)}, user=customer
    )

    assert payload == {
        "invoice": None,
        "errors": [
            {
                "field": "taxId",
                "code": "INVALID_TAX_ID",
                "message": in_spanish(
                    "The check character of %(value)s is wrong: check the tax id."
                )
                % {"value": "12345678A"},
            }
        ],
    }
    assert list(order.invoices.values_list("kind", flat=True)) == ["F2"]


@pytest.mark.parametrize("who", ["another customer", "guest without the token"])
def test_somebody_elses_order_is_not_found_and_nothing_is_issued(gql, who):
    order = customer_order()
    user = UserFactory() if who == "another customer" else None

    payload = request_full(gql, {**FULL, "order": gid("Order", order.pk)}, user=user)

    assert payload == {
        "invoice": None,
        "errors": [{"field": "order", "code": "NOT_FOUND", "message": in_spanish("Not found.")}],
    }
    assert list(order.invoices.values_list("kind", flat=True)) == ["F2"]


def test_a_second_request_is_refused_as_already_full(gql):
    customer = UserFactory()
    order = customer_order(customer)
    input = {**FULL, "order": gid("Order", order.pk)}
    request_full(gql, input, user=customer)

    payload = request_full(gql, input, user=customer)

    assert payload == {
        "invoice": None,
        "errors": [
            {
                "field": None,
                "code": "ALREADY_FULL",
                "message": in_spanish("This order already has a full invoice."),
            }
        ],
    }
    assert sorted(order.invoices.values_list("kind", flat=True)) == ["F2", "F3"]


def test_a_water_bill_order_not_delivered_has_no_simplified_invoice_to_exchange(gql):
    order = water_bill_order([(variant_at("0.21", "12.10"), 1)])

    payload = request_full(gql, {**FULL, "order": gid("Order", order.pk)}, user=order.user)

    assert payload == {
        "invoice": None,
        "errors": [
            {
                "field": None,
                "code": "NO_SIMPLIFIED_INVOICE",
                "message": in_spanish("This order has no simplified invoice to exchange."),
            }
        ],
    }
    assert order.invoices.count() == 0


def test_a_blank_name_is_required_and_nothing_is_issued(gql):
    customer = UserFactory()
    order = customer_order(customer)

    payload = request_full(
        gql, {**FULL, "name": "  ", "order": gid("Order", order.pk)}, user=customer
    )

    assert payload == {
        "invoice": None,
        "errors": [
            {
                "field": "name",
                "code": "REQUIRED",
                "message": in_spanish("Enter the name or company name (120 characters at most)."),
            }
        ],
    }
    assert list(order.invoices.values_list("kind", flat=True)) == ["F2"]


# Staff list


def test_invoicing_staff_list_every_invoice_filtered(gql):
    first, second = customer_order(), customer_order()
    operator = staff_in_role(roles.BILLING_OPERATOR)
    wanted = second.invoices.get()

    everything = gql(operation("staff/Invoices"), user=operator)
    searched = gql(
        operation("staff/Invoices"),
        {"filter": {"search": second.number, "kinds": ["F2"]}},
        user=operator,
    )
    none_of_kind = gql(operation("staff/Invoices"), {"filter": {"kinds": ["R5"]}}, user=operator)

    numbers = [edge["node"]["number"] for edge in everything["data"]["invoices"]["edges"]]
    assert numbers == [wanted.full_number, first.invoices.get().full_number]
    assert everything["data"]["invoices"]["totalCount"] == 2
    assert [edge["node"] for edge in searched["data"]["invoices"]["edges"]] == [
        {
            "id": gid("Invoice", wanted.pk),
            "number": wanted.full_number,
            "kind": "F2",
            "issuedAt": wanted.issued_at.isoformat(),
            "total": {"gross": {"amount": "29.15", "currency": "EUR"}, "tax": {"amount": "5.06"}},
            "verificationUrl": qr(wanted, "29.15"),
        }
    ]
    assert none_of_kind["data"]["invoices"]["totalCount"] == 0


@pytest.mark.parametrize("who", ["customer", "staff without the permission", "guest"])
def test_the_staff_list_is_refused_without_the_invoicing_permission(gql, who):
    order = customer_order()
    user = {
        "customer": lambda: order.user,
        "staff without the permission": StaffFactory,
        "guest": lambda: None,
    }[who]()

    body = gql(operation("staff/Invoices"), user=user)

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == [
        "UNAUTHENTICATED" if user is None else "PERMISSION_DENIED"
    ]


def test_rectified_invoices_show_negative_totals(gql):
    customer = UserFactory()
    order = customer_order(customer)
    services.invoice_rectify(
        actor=None, order=order, amount=Decimal("29.15"), idempotency_key="refund:t", reason="x"
    )

    body = gql(operation("storefront/OrderInvoices"), {"id": gid("Order", order.pk)}, user=customer)

    totals = [
        (invoice["kind"], invoice["total"]["gross"]["amount"], invoice["total"]["tax"]["amount"])
        for invoice in body["data"]["order"]["invoices"]
    ]
    assert totals == [("F2", "29.15", "5.06"), ("R5", "-29.15", "-5.06")]
