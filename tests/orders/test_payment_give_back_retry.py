"""A card payment no order will use whose give-back failed is never left behind.

Its cart went with its account, the shopper's open tab paid, and the webhook's
refund failed: Stripe refused it, or did not answer. Through the real pieces --
the ``stripe`` SDK against the fake Stripe, the signed webhook, the retry task
and the administration's action -- the money ends given back exactly once: the
task retries what Stripe did not answer, with backoff and a bounded number of
attempts; staff see every payment left to give back and retry it themselves.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Stock
from orders import models, tasks
from orders.selectors import payments_to_give_back
from orders.services import give_backs
from shop.accounts.roles import CATALOGUE_MANAGER, ORDER_MANAGER
from tests.factories import StaffFactory, staff_in_role
from tests.orders.test_card_payment_given_back import (
    complete,
    ledger,
    orphaned_and_paid,
    refunds,
    start,
    two_bottles,
)
from tests.orders.test_card_webhooks import Delivery
from tests.parallel import run_together

pytestmark = pytest.mark.django_db

REFUNDS = "/v1/refunds"
LIST = reverse("admin:orders_payment_changelist")


@pytest.fixture
def fake(settings, stripe_settings):
    """The fake Stripe, with the shop's card route going to it."""
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.card.StripeCardPaymentMethod"}
    return stripe_settings


def paid_webhook(fake, payment: models.Payment, client: Client | None = None) -> int:
    """Deliver Stripe's ``payment_intent.succeeded`` for the payment once; the answer."""
    [event] = [
        e
        for e in fake.webhook_payloads_for(payment.psp_reference)
        if e["type"] == "payment_intent.succeeded"
    ]
    return Delivery.of(fake, event).to(client or Client())


def give_back_state(payment: models.Payment) -> tuple[object, ...]:
    payment.refresh_from_db()
    return (
        payment.status,
        payment.give_back_attempts,
        payment.give_back_retry_at,
        payment.give_back_error,
    )


def refund_posts(fake) -> int:
    return len(fake.requests_to(REFUNDS, "POST"))


def retry_in_admin(client: Client, payment: models.Payment):
    """The admin's retry action, in English (the admin speaks Spanish by default)."""
    return client.post(
        LIST,
        {"action": "retry_give_back", "_selected_action": [payment.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )


def refused(gql, fake) -> models.Payment:
    """An orphaned, paid payment whose refund Stripe refused at the webhook."""
    payment = orphaned_and_paid(gql, fake)
    fake.fail_next(1, status=400, path=REFUNDS, method="POST")
    assert paid_webhook(fake, payment) == 200  # a refusal is not Stripe's to retry
    return payment


def unanswered(gql, fake, times: int) -> models.Payment:
    """An orphaned, paid payment whose refund Stripe did not answer ``times`` times
    from the webhook on."""
    payment = orphaned_and_paid(gql, fake)
    fake.fail_next(times, status=503, path=REFUNDS, method="POST")
    assert paid_webhook(fake, payment) == 503  # Stripe will deliver it again
    return payment


def assert_given_back_once(fake, payment: models.Payment) -> None:
    assert give_back_state(payment)[0] == "cancelled"
    assert refunds(fake) == [(2915, payment.psp_reference)]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("29.15")),
    ]
    assert list(payments_to_give_back()) == []
    assert models.Order.objects.count() == 0


# A refusal: left to staff, who retry it from the payments' list.


def test_a_refused_give_back_is_listed_for_staff_and_not_retried_by_the_task(gql, fake):
    before = timezone.now()
    payment = refused(gql, fake)

    status, attempts, retry_at, error = give_back_state(payment)
    assert (status, attempts, retry_at) == ("charged", 1, None)
    assert "Injected failure (HTTP 400)" in error
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "failed", Decimal("29.15")),
    ]
    assert list(payments_to_give_back()) == [payment]

    assert give_backs.payments_give_back_retry_due(now=before + timedelta(days=30)) == 0
    assert (refund_posts(fake), refunds(fake)) == (1, [])


def test_staff_retry_a_refused_give_back_and_it_is_refunded_once(gql, fake, client):
    payment = refused(gql, fake)
    staff = staff_in_role(ORDER_MANAGER)
    client.force_login(staff)

    listed = client.get(LIST, {"give_back": "due"})
    page = retry_in_admin(client, payment)

    assert list(listed.context["cl"].result_list) == [payment]
    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]] == ["1 payment given back."]
    assert_given_back_once(fake, payment)
    assert give_back_state(payment) == ("cancelled", 1, None, "")
    entry = LogEntry.objects.get(content_type__model="payment", object_id=str(payment.pk))
    assert (entry.user_id, entry.change_message) == (staff.pk, "Given back")

    # when: staff retry again, then Stripe delivers the event once more
    again = retry_in_admin(client, payment)
    answer = paid_webhook(fake, payment)

    assert [str(m) for m in again.context["messages"]] == ["1 payment had nothing to give back."]
    assert answer == 200
    assert (refund_posts(fake), fake.idempotent_replays) == (2, 0)
    assert_given_back_once(fake, payment)


def test_a_second_refusal_stays_on_the_list_with_its_error(gql, fake, client):
    payment = refused(gql, fake)
    client.force_login(staff_in_role(ORDER_MANAGER))
    fake.fail_next(1, status=400, path=REFUNDS, method="POST")

    page = retry_in_admin(client, payment)

    assert [str(m) for m in page.context["messages"]] == [
        "1 payment could not be given back: see its error."
    ]
    assert give_back_state(payment)[:3] == ("charged", 2, None)
    assert list(payments_to_give_back()) == [payment]
    assert refunds(fake) == []


def test_only_who_may_refund_orders_may_retry_a_give_back(gql, fake, client):
    payment = refused(gql, fake)
    client.force_login(staff_in_role(CATALOGUE_MANAGER))
    history = LogEntry.objects.count()

    response = client.post(LIST, {"action": "retry_give_back", "_selected_action": [payment.pk]})

    assert response.status_code == 403
    assert give_back_state(payment)[:2] == ("charged", 1)
    assert (refund_posts(fake), refunds(fake)) == (1, [])
    assert LogEntry.objects.count() == history


def test_an_order_manager_without_the_change_permission_is_not_offered_the_action(
    gql, fake, client
):
    payment = refused(gql, fake)
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(viewer)

    listed = client.get(LIST)
    response = retry_in_admin(client, payment)

    assert listed.context["action_form"] is None  # no action this user may take
    assert response.status_code == 200
    assert give_back_state(payment)[:2] == ("charged", 1)
    assert (refund_posts(fake), refunds(fake)) == (1, [])


# No answer: the task retries with backoff, a bounded number of times.


def test_a_give_back_stripe_did_not_answer_is_retried_by_the_task_with_backoff(gql, fake):
    failed_at = timezone.now()
    payment = unanswered(gql, fake, times=2)
    _status, attempts, first_retry, _error = give_back_state(payment)
    assert attempts == 1
    assert first_retry is not None
    assert timedelta(minutes=5) <= first_retry - failed_at < timedelta(minutes=5, seconds=30)
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "pending", Decimal("29.15")),
    ]
    assert list(payments_to_give_back()) == [payment]

    # not due yet: nothing asked of Stripe
    assert give_backs.payments_give_back_retry_due(now=first_retry - timedelta(seconds=1)) == 0
    assert refund_posts(fake) == 1

    # due: Stripe still does not answer; the next retry waits twice as long
    tried_at = timezone.now()
    assert give_backs.payments_give_back_retry_due(now=first_retry) == 0
    _status, attempts, second_retry, _error = give_back_state(payment)
    assert attempts == 2
    assert second_retry is not None
    assert timedelta(minutes=10) <= second_retry - tried_at < timedelta(minutes=10, seconds=30)

    # due again: Stripe answers, with the same key the first attempt sent
    models.Payment.objects.filter(pk=payment.pk).update(give_back_retry_at=timezone.now())
    assert tasks.payments_give_back_retry_due.delay().get() == 1

    assert_given_back_once(fake, payment)
    assert give_back_state(payment) == ("cancelled", 2, None, "")
    keys = {r.idempotency_key for r in fake.requests_to(REFUNDS, "POST")}
    assert keys == {f"{payment.idempotency_key}:refund:superseded"}
    assert refund_posts(fake) == 3

    # Stripe's own retry of the webhook then finds it given back
    assert paid_webhook(fake, payment) == 200
    assert refund_posts(fake) == 3
    assert_given_back_once(fake, payment)


def test_the_task_gives_up_after_the_attempts_allowed_and_leaves_it_to_staff(
    gql, fake, client, settings
):
    settings.SHOP_GIVE_BACK_ATTEMPTS = 2
    payment = unanswered(gql, fake, times=2)
    far = timezone.now() + timedelta(days=1)

    assert give_backs.payments_give_back_retry_due(now=far) == 0
    assert give_backs.payments_give_back_retry_due(now=far) == 0

    assert give_back_state(payment)[:3] == ("charged", 2, None)
    assert refund_posts(fake) == 2
    client.force_login(staff_in_role(ORDER_MANAGER))
    left = client.get(LIST, {"give_back": "staff"})
    assert list(left.context["cl"].result_list) == [payment]

    retry_in_admin(client, payment)

    assert_given_back_once(fake, payment)


def test_the_retry_task_runs_every_five_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE["retry-payment-give-backs"]
    assert schedule["task"] == "orders.tasks.payments_give_back_retry_due"
    assert schedule["schedule"] == 300.0


def test_the_dashboard_counts_the_payments_to_give_back_only_when_there_are_any(gql, fake, client):
    client.force_login(staff_in_role(ORDER_MANAGER))

    def kpis() -> dict[str, str]:
        dashboard = client.get("/admin/", headers={"Accept-Language": "en"}).context["dashboard"]
        return {kpi.label: (kpi.value, kpi.url) for kpi in dashboard.kpis}

    assert "Payments to give back" not in kpis()
    refused(gql, fake)
    assert kpis()["Payments to give back"] == ("1", f"{LIST}?give_back=due")


# The task and staff at once.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel needs PostgreSQL")
def test_the_task_and_staff_retrying_at_once_refund_once(gql, fake):
    payment = unanswered(gql, fake, times=1)
    models.Payment.objects.filter(pk=payment.pk).update(give_back_retry_at=timezone.now())
    # The order manager's two permissions, given directly: the roles' groups are
    # data migrations' rows, which an earlier transactional test's flush removed.
    staff = StaffFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=["view_payment", "change_order"]
        )
    )
    # Stripe takes its time over each refund: every caller reaches it meanwhile.
    fake.slow_next(4, seconds=0.5, path=REFUNDS, method="POST")

    def task(_client: Client) -> int:
        return give_backs.payments_give_back_retry_due()

    def admin(client: Client) -> int:
        client.force_login(staff)
        return retry_in_admin(client, payment).status_code

    results = run_together([task, admin] * 2)

    assert results[1::2] == [200, 200]
    assert_given_back_once(fake, payment)
    # One refund asked after the unanswered one: the others queued on the
    # payment's lock and found it made.
    assert (refund_posts(fake), fake.idempotent_replays) == (2, 0)
    assert give_back_state(payment) == ("cancelled", 1, None, "")


def test_an_unplaced_give_back_stripe_kept_not_answering_is_retried_with_its_own_key(gql, fake):
    # given: a paid checkout whose stock ran out; Stripe does not answer the
    # refund at checkoutComplete, nor twice at the webhook
    checkout = two_bottles()
    payment = start(gql, checkout)
    fake.succeed(payment.psp_reference)
    Stock.objects.update(quantity=1)
    fake.fail_next(3, status=503, path=REFUNDS, method="POST")
    refused_order = complete(gql, checkout)
    assert [e["code"] for e in refused_order["errors"]] == ["INSUFFICIENT_STOCK"]

    assert paid_webhook(fake, payment) == 503

    # then: the refund is still owed, and the task has it
    status, attempts, retry_at, _error = give_back_state(payment)
    assert (status, attempts) == ("charged", 1)
    assert retry_at is not None
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "pending", Decimal("29.15")),
    ]
    assert list(payments_to_give_back()) == [payment]

    assert give_backs.payments_give_back_retry_due(now=retry_at) == 1

    assert_given_back_once(fake, payment)
    keys = {r.idempotency_key for r in fake.requests_to(REFUNDS, "POST")}
    assert keys == {f"{payment.idempotency_key}:refund:unplaced"}
    assert refund_posts(fake) == 4
