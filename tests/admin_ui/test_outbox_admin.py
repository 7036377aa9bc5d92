"""The outbox in the administration: failing side effects are listed with their
error, and a superuser retries them at once; staff without the outbox permission
neither see nor retry them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from shop.accounts.roles import ORDER_MANAGER
from shop.outbox.models import Message
from tests.factories import UserFactory
from tests.factories.orders import place_order, staff_in_role

pytestmark = pytest.mark.django_db

MESSAGES = "/admin/outbox/message/"


@pytest.fixture(autouse=True)
def _no_invoices(settings) -> None:
    settings.SHOP_INVOICER = "orders.invoicer.Invoicer"


def failing_message(django_capture_on_commit_callbacks) -> Message:
    """An order's confirmation e-mail that failed three times and waits 30 minutes."""
    with django_capture_on_commit_callbacks(execute=False):
        order = place_order()
    message = Message.objects.get()
    message.attempts = 3
    message.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    message.next_attempt_at = timezone.now() + timedelta(minutes=30)
    message.save()
    assert order.pk == message.kwargs["order_id"]
    return message


def test_failing_messages_are_listed_with_their_error(client, django_capture_on_commit_callbacks):
    failing = failing_message(django_capture_on_commit_callbacks)
    done = Message.objects.create(task="orders.tasks.order_email_send", done_at=timezone.now())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(MESSAGES, {"state": "failing"}, headers={"accept-language": "en"})

    assertContains(page, "SMTPServerDisconnected: Connection unexpectedly closed")
    assert [row.pk for row in page.context["cl"].result_list] == [failing.pk]
    assert done.pk not in [row.pk for row in page.context["cl"].result_list]


def test_retry_now_delivers_a_failing_message_and_records_who(
    client, django_capture_on_commit_callbacks
):
    message = failing_message(django_capture_on_commit_callbacks)
    done = Message.objects.create(task="orders.tasks.order_email_send", done_at=timezone.now())
    done_before = Message.objects.values().get(pk=done.pk)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            MESSAGES,
            {"action": "retry_now", "_selected_action": [message.pk, done.pk]},
            headers={"accept-language": "en"},
            follow=True,
        )

    assertContains(answer, "1 pending message will be retried now.")
    message.refresh_from_db()
    assert message.done_at is not None
    assert message.attempts == 4
    assert len(mail.outbox) == 1
    assert Message.objects.values().get(pk=done.pk) == done_before
    entry = LogEntry.objects.get(object_id=str(message.pk))
    assert (entry.user_id, entry.change_message) == (admin.pk, "Retry now")


def test_staff_without_the_outbox_permission_neither_see_nor_retry(
    client, django_capture_on_commit_callbacks
):
    message = failing_message(django_capture_on_commit_callbacks)
    before = Message.objects.values().get()
    client.force_login(staff_in_role(ORDER_MANAGER))

    listing = client.get(MESSAGES)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(MESSAGES, {"action": "retry_now", "_selected_action": [message.pk]})

    assert listing.status_code == 403
    assert Message.objects.values().get() == before
    assert mail.outbox == []
    assertNotContains(client.get("/admin/"), MESSAGES)
