"""The customer's e-mails about a claim: opened, answered, resolved -- to the
order's e-mail, in the order's language, queued by the services after commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from catalog.models import Product
from orders import claim_emails, services
from orders.models import Claim, Order
from orders.services import claims as claim_services
from shop.accounts.roles import ORDER_MANAGER
from tests.factories import UserFactory
from tests.factories.orders import place_order, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
TIMES = "\N{MULTIPLICATION SIGN}"
STOREFRONT = "https://tienda.example/storefront/"


@pytest.fixture(autouse=True)
def _storefront():
    with override_settings(SHOP_STOREFRONT_URL=STOREFRONT):
        yield


@pytest.fixture
def staff():
    return staff_in_role(ORDER_MANAGER, email="pedidos@example.com")


def shipped_order(*, user=None, email="lucia@example.com", language="es") -> Order:
    """A guest's (or ``user``'s) order of 3 jugs at 10.00 € and 1 filter at 5.00 €, shipped."""
    jug = stocked_variant(quantity=10, price="10.00")
    Product.objects.filter(pk=jug.product_id).update(name="Jarra filtrante", name_en="Filter jug")
    cartridge = stocked_variant(quantity=10, price="5.00")
    Product.objects.filter(pk=cartridge.product_id).update(name="Filtro", name_en="Filter")
    order = place_order(lines=[(jug, 3), (cartridge, 1)], user=user, email=email)
    Order.objects.filter(pk=order.pk).update(language_code=language)
    order.refresh_from_db()
    lines = list(order.lines.order_by("pk"))
    services.order_fulfill(
        actor=None, order=order, quantities=[(line, line.quantity) for line in lines]
    )
    return order


def open_claim(order: Order, *, reason=Claim.Reason.DAMAGED, quantity=2) -> Claim:
    jug = order.lines.order_by("pk").first()
    return claim_services.claim_create(
        actor=order.user,
        order=order,
        reason=reason,
        description="Dos jarras llegaron rotas.\nLa caja estaba aplastada.",
        lines=[(jug, quantity)],
    )


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


# Opened


def test_opened_email_to_a_guest_in_spanish_lists_the_claim_and_the_lookup_link():
    order = shipped_order(email="lucia@example.com")
    claim = open_claim(order)

    claim_emails.claim_email_send(claim.pk, "opened")

    [message] = mail.outbox
    assert message.to == ["lucia@example.com"]
    assert message.from_email == "tienda@aguas.example"
    assert message.subject == f"Tu reclamación {claim.number} del pedido {order.number}"
    body = message.body
    assert f"Hemos recibido tu reclamación {claim.number} del pedido {order.number}." in body
    assert f"Lo que reclamas:\n2 {TIMES} Jarra filtrante (Único)\n" in body
    assert "Filtro" not in body
    assert "Motivo: Artículo dañado" in body
    assert "Dos jarras llegaron rotas.\nLa caja estaba aplastada." in body
    assert "te responderemos" in body
    link = f"{STOREFRONT}#/order/{order.token}"
    assert link in body
    html = html_of(message)
    assert f"2 {TIMES}</td>" in html
    assert "Jarra filtrante" in html
    assert "<strong>Artículo dañado</strong>" in html
    assert "Dos jarras llegaron rotas.<br>La caja estaba aplastada." in html
    assert f'href="{link}"' in html


def test_opened_email_to_a_customer_in_english_has_english_names_and_no_link():
    customer = UserFactory(email="ana@example.com")
    order = shipped_order(user=customer, email="ana@example.com", language="en")
    claim = open_claim(order, reason=Claim.Reason.MISSING_ITEM, quantity=1)

    claim_emails.claim_email_send(claim.pk, "opened")

    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == f"Your claim {claim.number} on order {order.number}"
    assert f"We have received your claim {claim.number} on order {order.number}." in message.body
    assert f"1 {TIMES} Filter jug (One size)" in message.body
    assert "Reason: Missing item" in message.body
    assert "Jarra" not in message.body
    assert "#/order/" not in message.body
    assert "#/order/" not in html_of(message)


def test_the_email_goes_to_the_orders_address_not_the_accounts():
    customer = UserFactory(email="cuenta@example.com")
    order = shipped_order(user=customer, email="pedidos-casa@example.com")
    claim = open_claim(order)

    claim_emails.claim_email_send(claim.pk, "opened")

    assert [message.to for message in mail.outbox] == [["pedidos-casa@example.com"]]


# Answered


def test_answered_email_quotes_the_latest_staff_message_only(staff):
    order = shipped_order(language="en")
    claim = open_claim(order)
    claim_services.claim_message_add(
        actor=staff, claim=claim, body="Could you send a photo?", from_staff=True
    )
    claim_services.claim_message_add(actor=None, claim=claim, body="Here it is.", from_staff=False)
    claim_services.claim_message_add(
        actor=staff, claim=claim, body="Thank you.\nWe are checking it.", from_staff=True
    )

    claim_emails.claim_email_send(claim.pk, "answered")

    [message] = mail.outbox
    assert message.subject == f"Your claim {claim.number} on order {order.number}"
    body = message.body
    assert f"We have answered your claim {claim.number} on order {order.number}:" in body
    assert "Thank you.\nWe are checking it." in body
    assert "Could you send a photo?" not in body
    assert "Here it is." not in body
    assert f"{STOREFRONT}#/order/{order.token}" in body
    assert "Thank you.<br>We are checking it." in html_of(message)


def test_answered_email_in_spanish():
    order = shipped_order()
    claim = open_claim(order)
    claim_services.claim_message_add(
        actor=staff_in_role(ORDER_MANAGER),
        claim=claim,
        body="¿Nos envías una foto?",
        from_staff=True,
    )

    claim_emails.claim_email_send(claim.pk, "answered")

    [message] = mail.outbox
    assert message.subject == f"Tu reclamación {claim.number} del pedido {order.number}"
    assert f"Hemos respondido a tu reclamación {claim.number} del pedido {order.number}:" in (
        message.body
    )
    assert "¿Nos envías una foto?" in message.body


# Resolved


def test_resolved_with_a_refund_says_the_amount_and_the_message(staff):
    order = shipped_order()
    claim = open_claim(order)
    claim_services.claim_resolve(
        actor=staff,
        claim=claim,
        resolution=Claim.Resolution.REFUND,
        refund_amount=Decimal("20.00"),
        message="Sentimos las molestias.",
    )

    claim_emails.claim_email_send(claim.pk, "resolved")

    [message] = mail.outbox
    assert message.subject == f"Tu reclamación {claim.number} del pedido {order.number}"
    assert (
        f"Tu reclamación {claim.number} del pedido {order.number} está resuelta: "
        "te reembolsamos 20,00 € por el mismo medio de pago que usaste en el pedido."
    ) in message.body
    assert "Sentimos las molestias." in message.body
    assert "20,00 €" in html_of(message)


def test_resolved_with_a_refund_in_english_writes_the_amount_in_english(staff):
    order = shipped_order(language="en")
    claim = open_claim(order)
    claim_services.claim_resolve(
        actor=staff,
        claim=claim,
        resolution=Claim.Resolution.REFUND,
        refund_amount=Decimal("12.50"),
        message="Sorry about that.",
    )

    claim_emails.claim_email_send(claim.pk, "resolved")

    [message] = mail.outbox
    assert (
        f"Your claim {claim.number} on order {order.number} is resolved: we are refunding "
        "you €12.50 through the payment method you used for the order."
    ) in message.body
    assert "Sorry about that." in message.body


def test_resolved_with_a_replacement_names_the_new_order(staff):
    order = shipped_order(language="en")
    claim = open_claim(order)
    claim_services.claim_resolve(
        actor=staff,
        claim=claim,
        resolution=Claim.Resolution.REPLACEMENT,
        message="Two new jugs are on their way.",
    )
    claim.refresh_from_db()
    replacement = claim.replacement_order

    claim_emails.claim_email_send(claim.pk, "resolved")

    [message] = mail.outbox
    assert replacement.number != order.number
    assert (
        f"is resolved: we are sending you a replacement at no cost, order {replacement.number}."
    ) in message.body
    assert "Two new jugs are on their way." in message.body
    assert replacement.number in html_of(message)


def test_resolved_with_no_action(staff):
    order = shipped_order()
    claim = open_claim(order)
    claim_services.claim_resolve(
        actor=staff, claim=claim, resolution=Claim.Resolution.NONE, message="Lo hemos hablado."
    )

    claim_emails.claim_email_send(claim.pk, "resolved")

    body = mail.outbox[0].body
    assert (
        f"Tu reclamación {claim.number} del pedido {order.number} queda cerrada, "
        "sin reembolso ni reposición."
    ) in body
    assert "Lo hemos hablado." in body
    assert "reembolsamos" not in body


def test_rejected_says_so_with_the_rejection_message(staff):
    order = shipped_order(language="en")
    claim = open_claim(order)
    claim_services.claim_update_status(
        actor=staff, claim=claim, status=Claim.Status.REJECTED, message="The jugs left intact."
    )

    claim_emails.claim_email_send(claim.pk, "resolved")

    [message] = mail.outbox
    assert (
        f"We have reviewed your claim {claim.number} on order {order.number} "
        "and we cannot accept it."
    ) in message.body
    assert "The jugs left intact." in message.body
    assert "refund" not in message.body


def test_rejected_without_a_message_repeats_no_earlier_answer(staff):
    order = shipped_order()
    claim = open_claim(order)
    claim_services.claim_message_add(
        actor=staff, claim=claim, body="¿Tienes fotos?", from_staff=True
    )
    claim_services.claim_update_status(actor=staff, claim=claim, status=Claim.Status.REJECTED)

    claim_emails.claim_email_send(claim.pk, "resolved")

    body = mail.outbox[0].body
    assert "no podemos aceptarla" in body
    assert "¿Tienes fotos?" not in body


def test_unknown_kind_sends_nothing():
    claim = open_claim(shipped_order())

    with pytest.raises(ValueError, match="Unknown claim e-mail"):
        claim_emails.claim_email_send(claim.pk, "reminder")

    assert mail.outbox == []


# Through the services, after commit


def subjects_and_first_lines():
    return [(message.subject, message.body.split("\n")[2]) for message in mail.outbox]


def test_claim_create_sends_the_opened_email_after_commit(django_capture_on_commit_callbacks):
    order = shipped_order(language="en")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claim = open_claim(order)

    assert len(callbacks) == 1
    assert subjects_and_first_lines() == [
        (
            f"Your claim {claim.number} on order {order.number}",
            f"We have received your claim {claim.number} on order {order.number}.",
        )
    ]


def test_staff_answers_are_emailed_customer_messages_are_not(
    django_capture_on_commit_callbacks, staff
):
    order = shipped_order(language="en")
    claim = open_claim(order)

    with django_capture_on_commit_callbacks(execute=True) as from_customer:
        claim_services.claim_message_add(
            actor=None, claim=claim, body="More photos.", from_staff=False
        )
    with django_capture_on_commit_callbacks(execute=True) as from_staff:
        claim_services.claim_message_add(actor=staff, claim=claim, body="Thanks.", from_staff=True)

    assert (len(from_customer), len(from_staff)) == (0, 1)
    [message] = mail.outbox
    assert message.body.split("\n")[2] == (
        f"We have answered your claim {claim.number} on order {order.number}:"
    )
    assert "Thanks." in message.body


def test_rejecting_sends_the_resolved_email(django_capture_on_commit_callbacks, staff):
    order = shipped_order(language="en")
    claim = open_claim(order)

    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_update_status(
            actor=staff, claim=claim, status=Claim.Status.REJECTED, message="Not covered."
        )

    [message] = mail.outbox
    assert "and we cannot accept it." in message.body
    assert "Not covered." in message.body


def test_resolving_sends_the_resolved_email(django_capture_on_commit_callbacks, staff):
    order = shipped_order(language="en")
    claim = open_claim(order)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claim_services.claim_resolve(
            actor=staff,
            claim=claim,
            resolution=Claim.Resolution.REFUND,
            refund_amount=Decimal("10.00"),
            message="Refunded.",
        )

    # The e-mail's relay, and one relay for the rectificativa's PDF and submission
    # (issued with the refund, written in one insert).
    assert len(callbacks) == 2
    [message] = mail.outbox
    assert message.to == ["lucia@example.com"]
    assert "we are refunding you €10.00" in message.body
