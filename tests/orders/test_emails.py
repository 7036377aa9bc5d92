"""The customer's e-mails about an order: confirmation, shipped, cancelled --
in the order's language, with its frozen lines and amounts, queued after commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from catalog.models import Product
from orders import emails, models, services
from orders.models import Order, OrderEvent
from shop import catalog_version
from shop.accounts.models import User
from tests.factories.orders import ADDRESS, ShippingMethodFactory, place_order, stocked_variant

pytestmark = pytest.mark.django_db
TIMES = "\N{MULTIPLICATION SIGN}"
STOREFRONT = "https://tienda.example/storefront/"


@pytest.fixture(autouse=True)
def _storefront():
    with override_settings(SHOP_STOREFRONT_URL=STOREFRONT):
        yield


def jug(**fields):
    variant = stocked_variant(quantity=10, price="12.10", **fields)
    Product.objects.filter(pk=variant.product_id).update(
        name="Jarra filtrante", name_en="Filter jug"
    )
    return variant


def in_english(order: Order) -> Order:
    Order.objects.filter(pk=order.pk).update(language_code="en")
    order.refresh_from_db()
    return order


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_guest_confirmation_in_spanish_lists_lines_totals_and_the_lookup_link():
    order = place_order(lines=[(jug(), 2)], email="lucia@example.com")

    emails.order_email_send(order.pk, "confirmation")

    [message] = mail.outbox
    assert message.to == ["lucia@example.com"]
    assert message.from_email == "tienda@aguas.example"
    assert message.subject == f"Tu pedido {order.number}"
    link = f"{STOREFRONT}#/order/{order.token}"
    assert f"2 {TIMES} Jarra filtrante (Único)" in message.body
    assert f"2 {TIMES} 12,10 € = 24,20 €" in message.body
    assert f"Envío ({order.shipping_method_name}): 4,95 €" in message.body
    assert "Total: 29,15 €" in message.body
    assert "IVA incluido al 21 %: 5,06 €" in message.body
    assert "Calle Sierpes 12" in message.body
    assert "41004 Sevilla" in message.body
    assert link in message.body
    html = html_of(message)
    assert "Jarra filtrante" in html
    assert "29,15 €" in html
    assert f'href="{link}"' in html
    assert "<link" not in html
    assert "src=" not in html
    event = order.events.get(type=OrderEvent.Type.EMAIL_SENT)
    assert (event.actor, event.data) == (None, {"kind": "confirmation"})


def test_customer_confirmation_in_english_uses_english_names_and_has_no_link():
    customer = User.objects.create_user("ana@example.com", "correct-horse-battery-9")
    order = in_english(place_order(lines=[(jug(), 2)], user=customer, email="ana@example.com"))

    emails.order_email_send(order.pk, "confirmation")

    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == f"Your order {order.number}"
    assert f"2 {TIMES} Filter jug (One size)" in message.body
    assert f"2 {TIMES} €12.10 = €24.20" in message.body
    assert "Total: €29.15" in message.body
    assert "including IVA at 21%: €5.06" in message.body
    assert "Jarra" not in message.body
    assert "#/order/" not in message.body
    assert "#/order/" not in html_of(message)
    assert "€29.15" in html_of(message)


def test_english_confirmation_falls_back_to_the_spanish_name():
    variant = stocked_variant(quantity=5)
    Product.objects.filter(pk=variant.product_id).update(name="Botijo", name_en="")
    order = in_english(place_order(lines=[(variant, 1)]))

    emails.order_email_send(order.pk, "confirmation")

    assert f"1 {TIMES} Botijo (One size)" in mail.outbox[0].body


def test_pickup_confirmation_shows_the_pickup_point_instead_of_the_address():
    point = models.PickupPoint.objects.create(
        name="Oficina Plaza Nueva",
        street_address="Plaza Nueva, 8",
        postal_code="41001",
        city="Sevilla",
        opening_hours="L-V 8:30-14:00",
    )
    method = ShippingMethodFactory(kind=models.ShippingMethod.Kind.PICKUP, price=Decimal("0.00"))
    method.pickup_points.add(point)
    checkout = services.checkout_create(user=None, email="lucia@example.com", lines=[(jug(), 1)])
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    services.checkout_billing_address_update(checkout=checkout, address=ADDRESS)
    services.checkout_shipping_method_update(checkout=checkout, method=method, pickup_point=point)
    services.checkout_payment_start(checkout=checkout, method_code="card")
    order = services.checkout_complete(checkout=checkout, actor=None)

    emails.order_email_send(order.pk, "confirmation")

    body = mail.outbox[0].body
    assert "Recoger en:\nOficina Plaza Nueva\nPlaza Nueva, 8\n41001 Sevilla\n" in body
    assert "Horario: L-V 8:30-14:00" in body
    assert "Calle Sierpes" not in body


def test_shipped_email_names_the_shipped_units_and_the_tracking_number():
    order = place_order(lines=[(jug(), 3)])
    line = order.lines.get()
    fulfillment = services.order_fulfill(
        actor=None,
        order=order,
        quantities=[(line, 2)],
        tracking_number="CORREOS-PQ123",
        notify=False,
    )

    emails.order_email_send(order.pk, "shipped", fulfillment_id=fulfillment.pk)

    [message] = mail.outbox
    assert message.subject == f"Tu pedido {order.number} ha sido enviado"
    assert "Parte de tu pedido" in message.body
    assert f"2 {TIMES} Jarra filtrante (Único)" in message.body
    assert f"3 {TIMES} Jarra" not in message.body
    assert "Número de seguimiento: CORREOS-PQ123" in message.body
    assert "CORREOS-PQ123" in html_of(message)
    event = order.events.get(type=OrderEvent.Type.EMAIL_SENT)
    assert event.data == {"kind": "shipped"}


def test_cancelled_email_says_what_was_paid_is_refunded():
    order = in_english(place_order(lines=[(jug(), 1)]))
    services.order_cancel(actor=None, order=order, reason="Out of stock")

    emails.order_email_send(order.pk, "cancelled")

    [message] = mail.outbox
    assert message.subject == f"Your order {order.number} has been cancelled"
    assert f"Your order {order.number} has been cancelled." in message.body
    assert "What you paid (€17.05) is refunded" in message.body
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT, data={"kind": "cancelled"}).exists()


def test_unknown_kind_sends_nothing():
    order = place_order()

    with pytest.raises(ValueError, match="Unknown order e-mail"):
        emails.order_email_send(order.pk, "invoice")

    assert mail.outbox == []
    assert not order.events.filter(type=OrderEvent.Type.EMAIL_SENT).exists()


def side_effects(callbacks: list) -> list:
    """The commit callbacks other than the catalogue-version bumps (stock changed)."""
    return [callback for callback in callbacks if callback is not catalog_version._bump]


def test_services_send_their_emails_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as placed:
        order = place_order(lines=[(jug(), 1)])
    # One relay for the e-mail, the invoice's PDF and its submission (one insert).
    assert len(side_effects(placed)) == 1
    assert [message.subject for message in mail.outbox] == [f"Tu pedido {order.number}"]

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.order_fulfill(
            actor=None, order=order, quantities=[(order.lines.get(), 1)], tracking_number="T-1"
        )
    assert len(side_effects(pending)) == 1
    assert len(mail.outbox) == 1  # not sent before the commit

    side_effects(pending)[0]()
    assert [message.subject for message in mail.outbox][1:] == [
        f"Tu pedido {order.number} ha sido enviado"
    ]
    assert "T-1" in mail.outbox[1].body
    kinds = [e.data["kind"] for e in order.events.filter(type=OrderEvent.Type.EMAIL_SENT)]
    assert kinds == ["confirmation", "shipped"]


@pytest.mark.parametrize(
    ("amount", "language", "text"),
    [
        ("12.1", "es", "12,10 €"),
        ("12.1", "en", "€12.10"),
        ("1234.5", "es", "1.234,50 €"),
        ("1234.5", "en", "€1,234.50"),
        ("0", "es", "0,00 €"),
    ],
)
def test_amounts_are_written_the_way_each_language_writes_them(amount, language, text):
    assert emails.format_money(Decimal(amount), language) == text
