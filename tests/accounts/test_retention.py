"""Retention: the personal data a deleted account's orders kept for tax law is
erased once the retention period has passed (six years after the end of the
order's year by default); amounts, numbers and invoices stay as they were."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from invoicing.models import Invoice
from orders import services
from orders.models import Order, OrderEvent
from orders.payments.memory import gateway
from shop.accounts import privacy
from shop.accounts.retention import orders_retention_erase, retention_cutoff
from shop.accounts.roles import ORDER_MANAGER
from shop.accounts.tasks import orders_retention_erase_due
from shop.celery import app
from tests.factories import UserFactory
from tests.factories.invoicing import METHODS, card_order
from tests.factories.orders import staff_in_role

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 7, 12, 0))
BUYER = {"tax_id": "B12345674", "company_name": "Fontanería Martín, S.L."}
TERRITORY = {"country": "ES", "province": "Sevilla"}


@pytest.fixture(autouse=True)
def _methods(settings: Any) -> None:
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def placed_on(order: Order, when: datetime) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=when)
    return Order.objects.get(pk=order.pk)


def deleted_customers_order(staff, when: datetime, email: str) -> Order:
    """A shipped F1 order with a staff note, of a customer who then deleted the account."""
    user = UserFactory(email=email)
    order = card_order(user=user, **BUYER)
    services.order_fulfill(
        actor=staff, order=order, quantities=[(line, line.quantity) for line in order.lines.all()]
    )
    OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.NOTE_ADDED, actor=staff, message="Llamar a Lucía"
    )
    privacy.account_delete(actor=user, token=privacy.deletion_tokens.make_token(user))
    return placed_on(order, when)


def figures(order: Order) -> dict[str, Any]:
    row = Order.objects.filter(pk=order.pk).values(
        "number", "status", "total_gross", "total_tax", "subtotal_gross", "tax_by_rate", "email"
    )[0]
    row["lines"] = list(order.lines.order_by("pk").values("sku", "quantity", "total_gross"))
    row["events"] = list(order.events.order_by("pk").values("type", "actor_id", "created_at"))
    return row


def test_the_cutoff_is_six_years_after_the_end_of_the_orders_year():
    assert settings.SHOP_ORDER_RETENTION_YEARS == 6
    assert retention_cutoff(NOW) == timezone.make_aware(datetime(2020, 1, 1))


def test_orders_of_deleted_accounts_past_retention_lose_the_personal_data_they_kept():
    # given: a deleted account's order of 2019 (past), another of 2020 (not yet),
    # and a guest's and a customer's orders of 2018 (never detached by a deletion)
    staff = staff_in_role(ORDER_MANAGER)
    due = deleted_customers_order(staff, timezone.make_aware(datetime(2019, 12, 31, 23)), "a@x.es")
    kept = deleted_customers_order(staff, timezone.make_aware(datetime(2020, 1, 1, 1)), "b@x.es")
    old = timezone.make_aware(datetime(2018, 5, 1))
    guest = placed_on(card_order(**BUYER), old)
    customer = placed_on(card_order(user=UserFactory(), **BUYER), old)
    assert due.billing_address["tax_id"] == "B12345674"  # what deletion kept for the F1
    before = {order.pk: figures(order) for order in (due, kept, guest, customer)}
    untouched = {
        order.pk: Order.objects.filter(pk=order.pk).values()[0] for order in (kept, guest, customer)
    }
    invoices = list(Invoice.objects.order_by("pk").values())

    # when
    erased = orders_retention_erase(now=NOW)

    # then
    assert erased == 1
    after = Order.objects.get(pk=due.pk)
    assert (after.billing_address, after.shipping_address, after.customer_note) == (
        TERRITORY,
        TERRITORY,
        "",
    )
    assert set(after.events.values_list("message", flat=True)) == {""}
    assert {order.pk: figures(order) for order in (due, kept, guest, customer)} == before
    for pk, row in untouched.items():
        assert Order.objects.filter(pk=pk).values()[0] == row
    assert OrderEvent.objects.filter(order=kept, message="Llamar a Lucía").count() == 1
    # Invoices are immutable: their recipient stays as issued.
    assert list(Invoice.objects.order_by("pk").values()) == invoices
    assert Invoice.objects.get(order=due).recipient_tax_id == "B12345674"

    # when: run again, nothing is left to do
    assert orders_retention_erase(now=NOW) == 0


def test_the_command_and_the_nightly_task_run_the_erasure():
    staff = staff_in_role(ORDER_MANAGER)
    order = deleted_customers_order(staff, timezone.make_aware(datetime(2010, 3, 1)), "c@x.es")
    out = io.StringIO()

    call_command("orders_retention_erase", stdout=out)

    assert out.getvalue().strip().endswith(": 1 erased.")
    assert Order.objects.get(pk=order.pk).billing_address == TERRITORY
    assert orders_retention_erase_due.delay().get() == 0
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert orders_retention_erase_due.name in schedule
    assert orders_retention_erase_due.name in app.tasks
