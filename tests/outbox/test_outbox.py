"""The outbox: after-commit work survives a broker outage, is retried with backoff,
and runs once per message however often it is delivered."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu import Connection
from redis import Redis

from orders.models import Order, OrderEvent
from shop import catalog_version
from shop.celery import app as celery_app
from shop.outbox.models import Message
from shop.outbox.services import (
    outbox_batch,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_relay,
    retry_delay,
)
from shop.outbox.tasks import outbox_message_deliver, outbox_relay_due
from tests.factories.orders import place_order, ready_checkout
from tests.operations import operation

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
LIVE_BROKER = "redis://127.0.0.1:6379/11"  # this test file's own Redis database
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _no_invoices(settings) -> None:
    """These tests follow the messages of e-mails: a placed order's invoice owes
    two more (its PDF and submission), left out with the no-op invoicer."""
    settings.SHOP_INVOICER = "orders.invoicer.Invoicer"


@contextmanager
def broker(url: str | None) -> Iterator[None]:
    """Publish tasks to the broker at ``url`` (``None``: run them eagerly, the tests' way)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url

    def forget_connections() -> None:
        # Celery keeps its pools of broker connections once made: drop them so
        # the next publication connects to the broker configured now.
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None

    forget_connections()
    conf.task_always_eager = url is None
    conf.broker_url = url or saved[1]
    try:
        yield
    finally:
        forget_connections()
        conf.task_always_eager, conf.broker_url = saved


@pytest.fixture
def broker_down() -> Iterator[None]:
    with broker(DEAD_BROKER):
        yield


def make_due() -> None:
    """Let the messages waiting out their backoff be taken by the next relay."""
    Message.objects.filter(done_at__isnull=True).update(next_attempt_at=timezone.now())


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def place_through_the_api(gql) -> dict:
    """Pay for a guest's ready checkout and complete it through /graphql/; return
    the completion's answer."""
    token = str(ready_checkout(email="lucia@example.com").token)
    started = gql(
        operation("storefront/CheckoutPaymentStart"), {"input": {"token": token, "method": "CARD"}}
    )
    assert started["data"]["checkoutPaymentStart"]["errors"] == []
    return gql(operation("storefront/CheckoutComplete"), {"input": {"token": token}})


def owed_confirmation(order: Order) -> dict[str, object]:
    return {"order_id": order.pk, "kind": "confirmation"}


# Through /graphql/, with the commit inside the request


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_while_the_broker_is_down_is_answered_and_emailed_once_it_is_back(
    gql, caplog
):
    with broker(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="shop.outbox"):
        completed = place_through_the_api(gql)

    assert "errors" not in completed
    payload = completed["data"]["checkoutComplete"]
    assert payload["errors"] == []
    order = Order.objects.get()
    assert payload["order"]["number"] == order.number
    assert mail.outbox == []
    message = Message.objects.get()
    assert (message.task, message.kwargs) == (
        "orders.tasks.order_email_send",
        owed_confirmation(order),
    )
    assert (message.attempts, message.sent_at, message.done_at) == (1, None, None)
    assert message.last_error.startswith("OperationalError: Error 111 connecting to 127.0.0.1:1.")
    [warning] = [record for record in caplog.records if record.name == "shop.outbox.services"]
    assert (warning.levelname, warning.exc_info) == ("WARNING", None)
    assert f"Outbox message {message.pk} (orders.tasks.order_email_send) not published" in (
        warning.getMessage()
    )

    make_due()
    assert outbox_relay_due.delay().get() == 1  # the broker is back: beat's relay delivers it

    assert subjects() == [f"Tu pedido {order.number}"]
    assert mail.outbox[0].to == ["lucia@example.com"]
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.done_at is not None
    make_due()
    assert outbox_relay_due.delay().get() == 0
    assert subjects() == [f"Tu pedido {order.number}"]
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_email_that_fails_after_the_commit_does_not_fail_the_order_and_is_sent_later(
    gql, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # a mail server that is down

    completed = place_through_the_api(gql)

    assert "errors" not in completed
    assert completed["data"]["checkoutComplete"]["errors"] == []
    order = Order.objects.get()
    message = Message.objects.get()
    assert (message.attempts, message.done_at) == (1, None)
    assert message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert message.next_attempt_at - message.last_attempt_at == timedelta(seconds=30)
    assert not order.events.filter(type=OrderEvent.Type.EMAIL_SENT).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due()
    assert outbox_relay() == 1

    assert subjects() == [f"Tu pedido {order.number}"]
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT).count() == 1
    message.refresh_from_db()
    assert message.done_at is not None


# With a real broker: the relay publishes what a worker runs


def live_broker_or_skip() -> None:
    try:
        with Connection(LIVE_BROKER, connect_timeout=1) as probe:
            probe.ensure_connection(max_retries=1)
    except Exception as exc:  # any reason the local Redis is not there
        pytest.skip(f"no Redis at {LIVE_BROKER}: {exc}")


@pytest.mark.django_db
def test_with_a_broker_the_relay_publishes_the_message_and_a_worker_runs_it_once(
    django_capture_on_commit_callbacks,
):
    live_broker_or_skip()
    with django_capture_on_commit_callbacks(execute=False):
        order = place_order(email="lucia@example.com")
    message = Message.objects.get()

    redis = Redis.from_url(LIVE_BROKER)
    redis.flushdb()
    try:
        with broker(LIVE_BROKER), Connection(LIVE_BROKER) as consumer:
            assert outbox_relay() == 1
            queue = consumer.SimpleQueue("celery")  # the worker's queue, declared by publishing
            published = queue.get(timeout=5)
            published.ack()
            with pytest.raises(queue.Empty):
                queue.get_nowait()
            queue.close()
    finally:
        redis.flushdb()
        redis.close()
    assert published.headers["task"] == "shop.outbox.tasks.outbox_message_deliver"
    args, kwargs, _embed = published.decode()
    assert (args, kwargs) == ([message.pk], {})
    message.refresh_from_db()
    assert (message.attempts, message.sent_at, message.done_at) == (
        1,
        message.last_attempt_at,
        None,
    )
    assert mail.outbox == []

    # What the worker does with it, twice (the broker may deliver a message again).
    ran = [outbox_message_deliver.apply(args=args).get() for _ in range(2)]

    assert ran == [True, False]
    assert subjects() == [f"Tu pedido {order.number}"]


# Once per message


@pytest.mark.django_db
def test_a_message_delivered_twice_sends_its_email_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        order = place_order()
    message = Message.objects.get()

    ran = [outbox_message_deliver.delay(message.pk).get() for _ in range(2)]

    assert ran == [True, False]
    assert subjects() == [f"Tu pedido {order.number}"]
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT).count() == 1
    message.refresh_from_db()
    assert message.done_at is not None


@pytest.mark.django_db
def test_a_message_is_written_with_its_transaction_and_relayed_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        order = place_order()

    [message] = Message.objects.all()
    assert (message.task, message.kwargs) == (
        "orders.tasks.order_email_send",
        owed_confirmation(order),
    )
    assert (message.attempts, message.done_at) == (0, None)
    assert mail.outbox == []

    [relay] = [callback for callback in pending if callback is not catalog_version._bump]
    relay()

    assert subjects() == [f"Tu pedido {order.number}"]
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "")
    assert message.done_at is not None


@pytest.mark.django_db
def test_a_rolled_back_transaction_owes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        order = place_order()

    def owe_then_fail() -> None:
        with transaction.atomic():
            outbox_enqueue(task="orders.tasks.order_email_send", kwargs=owed_confirmation(order))
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        owe_then_fail()

    assert callbacks == []
    assert Message.objects.count() == 1  # the order's own confirmation
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_batch_writes_its_messages_in_one_insert_and_relays_them_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        order = place_order()
    Message.objects.all().delete()
    task = "orders.tasks.order_email_send"

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        outbox_batch(),
    ):
        first = outbox_enqueue(task=task, kwargs=owed_confirmation(order))
        with outbox_batch():  # a nested block joins the outer one
            outbox_enqueue_many(messages=[(task, {"order_id": order.pk, "kind": "x"})])
        assert first.pk is None
        assert not Message.objects.exists()

    assert len(queries) == 2  # the check above, and the one insert
    assert first.pk is not None
    assert sorted(Message.objects.values_list("kwargs__kind", flat=True)) == ["confirmation", "x"]
    assert [callback.keywords for callback in callbacks] == [
        {"ids": list(Message.objects.order_by("pk").values_list("pk", flat=True))}
    ]


@pytest.mark.django_db
def test_a_batch_that_raises_writes_nothing(django_capture_on_commit_callbacks):
    def owe_then_fail() -> None:
        with outbox_batch():
            outbox_enqueue(task="orders.tasks.order_email_send", kwargs={"order_id": 1})
            raise KeyError("refused")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(KeyError):
        owe_then_fail()

    assert callbacks == []
    assert not Message.objects.exists()
    with outbox_batch():  # and the next block starts empty
        pass
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("task", ["orders.tasks.no_such_task", "orders.emails.order_email_send"])
def test_a_message_for_something_that_is_not_a_task_is_refused_at_once(task):
    with pytest.raises((ImportError, TypeError)):
        outbox_enqueue(task=task, kwargs={"order_id": 1, "kind": "confirmation"})

    assert not Message.objects.exists()


# Backoff


@pytest.mark.django_db
def test_a_publication_that_fails_is_tried_again_later_and_later(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        place_order()
    message = Message.objects.get()

    assert outbox_relay() == 0
    message.refresh_from_db()
    assert (message.attempts, message.sent_at) == (1, None)
    assert message.next_attempt_at - message.last_attempt_at == timedelta(seconds=30)
    assert message.last_error.startswith("OperationalError: ")
    first_attempt = message.last_attempt_at

    assert outbox_relay() == 0  # not due yet: not even tried
    message.refresh_from_db()
    assert (message.attempts, message.last_attempt_at) == (1, first_attempt)

    make_due()
    assert outbox_relay() == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - message.last_attempt_at == timedelta(seconds=60)
    assert mail.outbox == []


def test_the_delay_doubles_from_thirty_seconds_up_to_thirty_minutes():
    delays = [retry_delay(attempts).total_seconds() for attempts in (1, 2, 3, 4, 5, 6, 7, 100)]

    assert delays == [30, 60, 120, 240, 480, 960, 1800, 1800]


@pytest.mark.django_db
def test_a_relay_meeting_a_broker_outage_leaves_the_other_messages_untouched(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        place_order()
        place_order()
    first, second = Message.objects.order_by("pk")

    assert outbox_relay() == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (1, 0)
    assert second.last_error == ""


# At once, on real parallel connections (PostgreSQL row locks)

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite ignores row locks: parallel relays need PostgreSQL",
)


def run_together(job: Callable[[], T], times: int) -> list[T]:
    """Run ``job`` in ``times`` threads (each its own connection) released at once by
    a barrier; return what each returned."""
    barrier = threading.Barrier(times)
    results: list[T | Exception | None] = [None] * times

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # handed to the main thread, which fails the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [thread for thread in threads if thread.is_alive()], "a thread is still waiting"
    assert [result for result in results if isinstance(result, Exception)] == []
    return results  # type: ignore[return-value]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_two_relays_at_once_publish_and_run_each_message_once():
    order = place_order()
    assert subjects() == [f"Tu pedido {order.number}"]
    Message.objects.bulk_create(
        Message(task="orders.tasks.order_email_send", kwargs=owed_confirmation(order))
        for _ in range(20)
    )

    published = run_together(outbox_relay, 2)

    assert sum(published) == 20
    assert list(Message.objects.values_list("attempts", flat=True).distinct()) == [1]
    assert not Message.objects.filter(done_at__isnull=True).exists()
    assert len(mail.outbox) == 21
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT).count() == 21


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_messages_delivered_to_two_workers_at_once_send_each_email_once():
    order = place_order()
    assert subjects() == [f"Tu pedido {order.number}"]
    messages = Message.objects.bulk_create(
        Message(task="orders.tasks.order_email_send", kwargs=owed_confirmation(order))
        for _ in range(20)
    )

    each_message = threading.Barrier(2)

    def worker() -> list[bool]:  # a broker delivering every message to both workers at once
        ran = []
        for message in messages:
            each_message.wait(timeout=30)
            ran.append(outbox_message_deliver(message.pk))
        return ran

    ran = run_together(worker, 2)

    assert [sorted(pair) for pair in zip(*ran, strict=True)] == [[False, True]] * 20
    assert len(mail.outbox) == 21
    assert order.events.filter(type=OrderEvent.Type.EMAIL_SENT).count() == 21
