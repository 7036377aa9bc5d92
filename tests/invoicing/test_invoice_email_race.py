"""The order's confirmation and its invoice's PDF task delivered by the outbox at the
same moment, on real parallel connections: the customer gets the PDF exactly once,
attached to the confirmation or in its own e-mail, never twice and never not at all."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from invoicing.models import Invoice
from shop.outbox import services as outbox
from shop.outbox.models import Message
from tests.factories.orders import place_order, stocked_variant
from tests.orders.test_concurrency import needs_row_locks
from tests.parallel import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, needs_row_locks]
ROUNDS = 6


def owed(task: str, **kwargs: object) -> Message:
    [message] = [
        message
        for message in Message.objects.filter(task=task, done_at__isnull=True)
        if all(message.kwargs.get(key) == value for key, value in kwargs.items())
    ]
    return message


def test_the_pdf_reaches_the_customer_once_whichever_runs_first(monkeypatch):
    variant = stocked_variant(quantity=ROUNDS)
    send = locmem.EmailBackend.send_messages

    def slow_send(self, messages):  # a mail server takes its time: the PDF is drawn meanwhile
        time.sleep(0.3)
        return send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", slow_send)
    # Placed with the relay held back, so the test delivers the messages itself, at once.
    monkeypatch.setattr(outbox, "outbox_relay", lambda **_kwargs: 0)
    orders = [place_order(lines=[(variant, 1)], email=f"c{n}@example.com") for n in range(ROUNDS)]

    for order in orders:
        [invoice] = Invoice.objects.filter(order=order)
        confirmation = owed("orders.tasks.order_email_send", order_id=order.pk)
        render = owed("invoicing.tasks.invoice_pdf_render", invoice_id=invoice.pk)
        run_together(
            [
                lambda _client, pk=confirmation.pk: outbox.outbox_message_deliver(message_id=pk),
                lambda _client, pk=render.pk: outbox.outbox_message_deliver(message_id=pk),
            ]
        )
    for message in Message.objects.filter(task="invoicing.tasks.invoice_email_send"):
        outbox.outbox_message_deliver(message_id=message.pk)

    for order in orders:
        [invoice] = Invoice.objects.filter(order=order)
        name = f"{invoice.full_number}.pdf"
        received = [message for message in mail.outbox if message.to == [order.email]]
        with_pdf = [m for m in received if [a[0] for a in m.attachments] == [name]]
        assert (len(received), len(with_pdf)) in {(1, 1), (2, 1)}, order.email
        assert [m.subject for m in received].count(f"Tu pedido {order.number}") == 1
