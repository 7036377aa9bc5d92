"""Order administration: the list with payment status, the read-only order page,
and the actions (ship, cancel, add note, refund) for order managers only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from orders.models import Fulfillment, Order, OrderEvent, Payment, PaymentTransaction, Reservation
from orders.payments.memory import gateway
from orders.selectors import ChargeStatus, payment_balance
from shop.accounts.roles import CATALOGUE_MANAGER, ORDER_MANAGER
from tests.admin_ui.forms import messages_of
from tests.factories.audit import logged
from tests.factories.catalog import stock_of
from tests.factories.orders import place_order, ready_checkout, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
TIMES = "\N{MULTIPLICATION SIGN}"
EN = {"Accept-Language": "en"}
ORDERS = "/admin/orders/order/"


@pytest.fixture
def manager(client):
    user = staff_in_role(ORDER_MANAGER, email="pedidos@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def variant():
    return stocked_variant(quantity=10, price="12.10")


def refund_key(client, order):
    page = client.get(f"{ORDERS}{order.pk}/refund/", headers=EN).content.decode()
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page).group(1)


def charged_reference(order):
    return order.payments.get().psp_reference


# The list


def test_order_manager_lists_orders_with_their_payment_status(client, manager, variant):
    paid = place_order(lines=[(variant, 1)], email="ana@example.com")
    refunded = place_order(lines=[(variant, 1)], email="luis@example.com")
    services.order_refund(
        actor=manager, order=refunded, amount=Decimal("5.00"), idempotency_key="k1"
    )

    response = client.get(ORDERS, headers=EN)

    assert response.status_code == 200
    page = response.content.decode()
    for order in (paid, refunded):
        assert f">{order.number}</a>" in page
    assert '<td class="field-email">ana@example.com</td>' in page
    assert '<td class="field-payment_status">Paid</td>' in page
    assert '<td class="field-payment_status">Partially refunded</td>' in page
    assert '<td class="field-total">17.05 €</td>' in page
    assert '<td class="field-status">Unfulfilled</td>' in page


def changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ORDERS)
    assert response.status_code == 200
    return len(queries)


def test_order_list_query_count_does_not_grow_with_orders(client, manager, variant):
    first = place_order(lines=[(variant, 1)])
    services.order_refund(actor=manager, order=first, amount=Decimal("1.00"), idempotency_key="a")
    one = changelist_queries(client)
    for _ in range(4):
        place_order(lines=[(variant, 1)])

    assert Order.objects.count() == 5
    assert changelist_queries(client) == one


def test_order_list_filters_by_status_and_payment_method_and_searches(client, manager, variant):
    kept = place_order(lines=[(variant, 1)], email="ana@example.com")
    cancelled = place_order(lines=[(variant, 1)], email="luis@example.com")
    services.order_cancel(actor=manager, order=cancelled, reason="test")

    def numbers(query):
        page = client.get(ORDERS + query).content.decode()
        return {order.number for order in (kept, cancelled) if f">{order.number}</a>" in page}

    assert numbers("?status__exact=cancelled") == {cancelled.number}
    assert numbers("?payment_method=card") == {kept.number, cancelled.number}
    assert numbers("?payment_method=water_bill") == set()
    assert numbers(f"?q={kept.number}") == {kept.number}
    assert numbers("?q=luis@example") == {cancelled.number}


# The order page


def test_order_page_is_read_only_with_lines_shipments_payments_and_history(
    client, manager, variant
):
    order = place_order(lines=[(variant, 2)], email="ana@example.com")

    response = client.get(f"{ORDERS}{order.pk}/change/", headers=EN)

    assert response.status_code == 200
    page = response.content.decode()
    line = order.lines.get()
    assert line.product_name in page
    assert line.sku in page
    assert "Order placed" in page
    assert "Charge" in page
    assert "Succeeded" in page
    assert "Calle Sierpes 12" in page
    assert 'name="_save"' not in page
    assert 'name="email"' not in page
    for action in ("fulfill", "cancel", "refund", "note"):
        assert f'href="{ORDERS}{order.pk}/{action}/"' in page


def test_posting_the_order_page_changes_nothing(client, manager, variant):
    order = place_order(lines=[(variant, 1)], email="ana@example.com")

    response = client.post(
        f"{ORDERS}{order.pk}/change/", {"email": "otra@example.com", "status": "cancelled"}
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.email, order.status) == ("ana@example.com", Order.Status.UNFULFILLED)
    assert logged(order) == []


def test_cancelled_order_offers_only_the_note_and_refund_actions(client, manager, variant):
    order = place_order(lines=[(variant, 1)])
    services.order_cancel(actor=manager, order=order, reason="test")

    page = client.get(f"{ORDERS}{order.pk}/change/").content.decode()

    assert f'href="{ORDERS}{order.pk}/note/"' in page
    for action in ("fulfill", "cancel", "refund"):  # refunded in full on cancel
        assert f'href="{ORDERS}{order.pk}/{action}/"' not in page


# Actions


def test_fulfill_form_offers_what_is_left_of_each_line(client, manager, variant):
    order = place_order(lines=[(variant, 3)])
    line = order.lines.get()
    services.order_fulfill(actor=manager, order=order, quantities=[(line, 1)], notify=False)

    page = client.get(f"{ORDERS}{order.pk}/fulfill/", headers=EN).content.decode()

    assert re.search(rf'name="line_{line.pk}" value="2"[^>]*max="2"', page)
    assert "2 of 3 left to ship." in page
    assert 'name="tracking_number"' in page


def test_order_manager_ships_an_order_with_a_tracking_number(client, manager, variant):
    order = place_order(lines=[(variant, 2)])
    line = order.lines.get()

    response = client.post(
        f"{ORDERS}{order.pk}/fulfill/", {f"line_{line.pk}": "2", "tracking_number": "PQ-123"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{ORDERS}{order.pk}/change/"
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED
    assert stock_of(variant) == (8, 0)
    fulfillment = Fulfillment.objects.get(order=order)
    assert (fulfillment.tracking_number, fulfillment.created_by) == ("PQ-123", manager)
    assert [(row.line_id, row.quantity) for row in fulfillment.lines.all()] == [(line.pk, 2)]
    assert order.events.filter(type=OrderEvent.Type.FULFILLED, actor=manager).count() == 1
    [(email, flag, message)] = logged(order)
    assert (email, flag) == ("pedidos@example.com", CHANGE)
    assert f"2 {TIMES} {line.sku}" in message
    assert "PQ-123" in message


def test_order_manager_ships_part_of_an_order(client, manager, variant):
    order = place_order(lines=[(variant, 3)])
    line = order.lines.get()

    client.post(f"{ORDERS}{order.pk}/fulfill/", {f"line_{line.pk}": "1", "tracking_number": ""})

    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_FULFILLED
    assert stock_of(variant) == (9, 2)


def test_shipping_nothing_is_refused_with_the_services_message(client, manager, variant):
    order = place_order(lines=[(variant, 2)])
    line = order.lines.get()

    response = client.post(
        f"{ORDERS}{order.pk}/fulfill/", {f"line_{line.pk}": "0", "tracking_number": "X"}, headers=EN
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        ("error", "Ship at least one unit and no more than is left to ship of each line.")
    ]
    order.refresh_from_db()
    assert order.status == Order.Status.UNFULFILLED
    assert stock_of(variant) == (10, 2)
    assert not Fulfillment.objects.exists()
    assert logged(order) == []


def test_shipping_a_cancelled_order_is_refused_and_changes_nothing(client, manager, variant):
    order = place_order(lines=[(variant, 2)])
    line = order.lines.get()
    services.order_cancel(actor=manager, order=order, reason="test")
    events = order.events.count()

    response = client.post(
        f"{ORDERS}{order.pk}/fulfill/", {f"line_{line.pk}": "2", "tracking_number": "X"}, headers=EN
    )

    assert messages_of(response) == [("error", "This order cannot be shipped.")]
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock_of(variant) == (10, 0)
    assert order.events.count() == events
    assert logged(order) == []


def test_order_manager_cancels_an_order_releasing_stock_and_refunding(client, manager, variant):
    order = place_order(lines=[(variant, 2)])

    page = client.get(f"{ORDERS}{order.pk}/cancel/", headers=EN).content.decode()
    assert "This cannot be undone." in page
    response = client.post(f"{ORDERS}{order.pk}/cancel/", {"reason": "Customer called"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock_of(variant) == (10, 0)
    balance = payment_balance(order)
    assert (balance.charged, balance.refunded) == (Decimal("29.15"), Decimal("29.15"))
    assert gateway.refunded(charged_reference(order)) == Decimal("29.15")
    event = order.events.get(type=OrderEvent.Type.CANCELLED)
    assert (event.actor, event.message) == (manager, "Customer called")
    [(email, flag, message)] = logged(order)
    assert (email, flag) == ("pedidos@example.com", CHANGE)
    assert "Customer called" in message


def test_cancel_needs_a_reason(client, manager, variant):
    order = place_order(lines=[(variant, 1)])

    response = client.post(f"{ORDERS}{order.pk}/cancel/", {"reason": ""})

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.UNFULFILLED
    assert payment_balance(order).refunded == 0


def test_order_manager_adds_a_note(client, manager, variant):
    order = place_order(lines=[(variant, 1)])

    response = client.post(f"{ORDERS}{order.pk}/note/", {"message": "  Llamar antes  "})

    assert response.status_code == 302
    note = order.events.get(type=OrderEvent.Type.NOTE_ADDED)
    assert (note.actor, note.message) == (manager, "Llamar antes")
    assert [(email, flag) for email, flag, _message in logged(order)] == [
        ("pedidos@example.com", CHANGE)
    ]
    page = client.get(f"{ORDERS}{order.pk}/change/").content.decode()
    assert "Llamar antes" in page
    assert "pedidos@example.com" in page


def test_a_resubmitted_refund_form_refunds_once(client, manager, variant):
    order = place_order(lines=[(variant, 2)])  # 29.15 paid
    key = refund_key(client, order)
    form = {"amount": "10.00", "reason": "Damaged jug", "idempotency_key": key}

    first = client.post(f"{ORDERS}{order.pk}/refund/", form, headers=EN)
    client.get(first["Location"])  # the browser shows the order (and its message)
    again = client.post(f"{ORDERS}{order.pk}/refund/", form, headers=EN)

    assert first.status_code == again.status_code == 302
    assert messages_of(first) == [("success", "Refunded 10.00 €.")]
    assert messages_of(again) == [
        ("warning", "This refund was already made: nothing more was refunded.")
    ]
    refunds = PaymentTransaction.objects.filter(kind=PaymentTransaction.Kind.REFUND)
    assert [(row.amount, row.status, row.actor) for row in refunds] == [
        (Decimal("10.00"), PaymentTransaction.Status.SUCCESS, manager)
    ]
    assert gateway.refunded(charged_reference(order)) == Decimal("10.00")
    balance = payment_balance(order)
    assert (balance.refunded, balance.status) == (
        Decimal("10.00"),
        ChargeStatus.PARTIALLY_REFUNDED,
    )
    assert order.events.filter(type=OrderEvent.Type.REFUNDED, actor=manager).count() == 1
    assert len(logged(order)) == 1


def test_refunds_never_exceed_what_was_paid(client, manager, variant):
    order = place_order(lines=[(variant, 2)])  # 29.15 paid
    first = {"amount": "20.00", "reason": "Part", "idempotency_key": refund_key(client, order)}
    client.post(f"{ORDERS}{order.pk}/refund/", first)
    too_much = {"amount": "9.16", "reason": "More", "idempotency_key": refund_key(client, order)}

    response = client.post(f"{ORDERS}{order.pk}/refund/", too_much, headers=EN)

    assert response.status_code == 200
    assert messages_of(response) == [
        ("error", "The refund exceeds what was paid and not yet refunded.")
    ]
    assert payment_balance(order).refunded == Decimal("20.00")
    assert gateway.refunded(charged_reference(order)) == Decimal("20.00")
    rest = {"amount": "9.15", "reason": "Rest", "idempotency_key": refund_key(client, order)}
    client.post(f"{ORDERS}{order.pk}/refund/", rest)
    balance = payment_balance(order)
    assert (balance.refunded, balance.status) == (Decimal("29.15"), ChargeStatus.FULLY_REFUNDED)
    assert len(logged(order)) == 2


def test_a_refund_the_provider_does_not_answer_stays_pending_until_the_form_is_sent_again(
    client, manager, variant
):
    order = place_order(lines=[(variant, 1)])
    key = refund_key(client, order)
    gateway.unavailable = True
    form = {"amount": "5.00", "reason": "Damaged", "idempotency_key": key}

    response = client.post(f"{ORDERS}{order.pk}/refund/", form, headers=EN)

    assert response.status_code == 302
    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert text.startswith("The payment provider did not answer: the refund of 5.00 €")
    row = PaymentTransaction.objects.get(kind=PaymentTransaction.Kind.REFUND)
    assert row.status == PaymentTransaction.Status.PENDING
    assert payment_balance(order).refunded == Decimal("5.00")

    gateway.unavailable = False
    again = client.post(f"{ORDERS}{order.pk}/refund/", form, headers=EN)

    assert ("success", "Refunded 5.00 €.") in messages_of(again)
    row.refresh_from_db()
    assert row.status == PaymentTransaction.Status.SUCCESS
    assert list(gateway.refunds.values()) == [Decimal("5.00")]


# Who may


@pytest.mark.parametrize("page", ["", "change/", "fulfill/", "cancel/", "note/", "refund/"])
def test_catalogue_manager_cannot_see_order_pages(client, variant, page):
    order = place_order(lines=[(variant, 1)])
    client.force_login(staff_in_role(CATALOGUE_MANAGER, email="catalogo@example.com"))

    url = f"{ORDERS}{order.pk}/{page}" if page else ORDERS
    assert client.get(url).status_code == 403


def test_catalogue_manager_posting_the_actions_changes_nothing(client, variant):
    order = place_order(lines=[(variant, 2)])
    line = order.lines.get()
    client.force_login(staff_in_role(CATALOGUE_MANAGER, email="catalogo@example.com"))
    events = order.events.count()
    posts = {
        "fulfill": {f"line_{line.pk}": "2", "tracking_number": "X"},
        "cancel": {"reason": "No"},
        "note": {"message": "Hola"},
        "refund": {
            "amount": "5.00",
            "reason": "No",
            "idempotency_key": "6f1c2f9e-5b0a-4d8e-9a39-0e3b1f7f5d11",
        },
    }

    for action, data in posts.items():
        assert client.post(f"{ORDERS}{order.pk}/{action}/", data).status_code == 403

    order.refresh_from_db()
    assert order.status == Order.Status.UNFULFILLED
    assert stock_of(variant) == (10, 2)
    assert order.events.count() == events
    assert not Fulfillment.objects.exists()
    assert not PaymentTransaction.objects.filter(kind=PaymentTransaction.Kind.REFUND).exists()
    assert logged(order) == []


def test_actions_are_refused_without_the_csrf_token(manager, variant):
    order = place_order(lines=[(variant, 1)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(f"{ORDERS}{order.pk}/note/", {"message": "Hola"})

    assert response.status_code == 403
    assert not order.events.filter(type=OrderEvent.Type.NOTE_ADDED).exists()


def test_an_order_manager_finds_payments_charged_without_an_order(client):
    variant = stocked_variant(quantity=1)
    first = ready_checkout(lines=[(variant, 1)])
    second = ready_checkout(lines=[(variant, 1)])
    services.checkout_payment_start(checkout=first, method_code="card")
    Reservation.objects.all().delete()  # as if it expired
    services.checkout_payment_start(checkout=second, method_code="card")
    services.checkout_complete(checkout=second, actor=None)
    with pytest.raises(ValidationError):
        services.checkout_complete(checkout=first, actor=None)
    unplaced = Payment.objects.get(order__isnull=True)
    client.force_login(staff_in_role(ORDER_MANAGER))

    response = client.get(reverse("admin:orders_payment_changelist") + "?order__isempty=1")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [unplaced]
    page = client.get(reverse("admin:orders_payment_change", args=[unplaced.pk]))
    assert page.status_code == 200
    assert sorted(unplaced.transactions.values_list("kind", "status")) == [
        ("charge", "success"),
        ("refund", "success"),
    ]
