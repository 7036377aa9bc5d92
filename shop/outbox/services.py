"""The transactional outbox: work owed after a commit, done even when the broker is away.

This is how every app queues a side effect of a change (an e-mail, an invoice,
a submission, a webhook): it calls :func:`outbox_enqueue` inside the
transaction that makes the change, naming a Celery task by its dotted path::

    with transaction.atomic():
        order = Order.objects.create(...)
        outbox_enqueue(
            task="orders.tasks.order_email_send",
            kwargs={"order_id": order.pk, "kind": "confirmation"},
        )

Naming the task by path is also how an app reacts to another without either
importing the other: the orders app will owe ``"invoicing.tasks..."`` runs
the same way. Never call ``task.delay()`` from a service, nor from
``transaction.on_commit``: when the broker cannot be reached, ``delay()``
raises after the commit, the committed request answers an error, and the work
is lost.

The life of a message:

1. :func:`outbox_enqueue` writes it in the caller's transaction, so it exists
   exactly when that transaction commits.
2. Right after the commit it is relayed (:func:`outbox_relay`): published to
   the broker as ``shop.outbox.tasks.outbox_message_deliver(message_id)``.
   A broker that cannot be reached is logged as a warning and the message
   stays pending; the caller never sees it.
3. Beat runs ``shop.outbox.tasks.outbox_relay_due`` every 30 s, which
   publishes the pending messages that are due. A failed publication is tried
   again after :func:`retry_delay` (30 s, doubling, at most 30 minutes); a
   published message not done within ``REDELIVER_AFTER`` is published again
   (a broker that lost it).
4. A worker runs :func:`outbox_message_deliver`: it locks the message, returns
   at once when it is done already, runs the task and marks the message done.
   A task that raises leaves the message pending, its error recorded, for a
   retry after :func:`retry_delay`.

What is guaranteed:

- *At-least-once publication*: a message is published until its task has run;
  a crash between publishing it and recording that, or a lost broker message,
  means it is published again.
- *Once-only effect per message*: the task runs and ``done_at`` is written in
  one transaction under the message's row lock, so a message published twice
  runs its task once. The task's database writes belong to that transaction;
  an effect outside the database (an e-mail handed to the mail server) is
  repeated only if the process dies between doing it and the commit.
- No order between messages, and no limit of attempts: a message that keeps
  failing is retried every 30 minutes, its ``last_error`` on its row and a
  warning in the log each time. The administration lists the failing ones and
  can retry them at once (:func:`outbox_retry_now`) once the cause is fixed.
- Tasks run through the outbox should not retry themselves (``autoretry_for``):
  the outbox does.

Without a broker (``CELERY_TASK_ALWAYS_EAGER``: the embedded default and the
tests) publishing runs the task in this process, right after the commit, with
the same rules: a task that raises is logged and kept for the relay.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

from shop.accounts.models import User
from shop.audit import record_change
from shop.outbox.models import Message

logger = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
REDELIVER_AFTER = timedelta(minutes=10)
RELAY_BATCH = 100
# Publish or give up at once (one connection attempt, short socket timeouts), never
# Celery's seconds of reconnecting: the outbox retries, and a request is waiting.
PUBLISH_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}


def retry_delay(
    attempts: int, *, first: timedelta = RETRY_FIRST, most: timedelta = RETRY_MAX
) -> timedelta:
    """How long after its ``attempts``-th attempt failed a message is tried again:
    ``first`` (30 s) after the first, doubling each time, at most ``most`` (30 minutes)."""
    return min(first * 2 ** min(max(attempts - 1, 0), 16), most)


def _task(path: str) -> Task:
    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a Celery task.")
    return task


# Inside outbox_batch(): the messages enqueued, written together at its end.
_batch: ContextVar[list[Message] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def outbox_batch() -> Iterator[None]:
    """Within, the messages enqueued are written in one insert when the block
    ends (inside the caller's transaction still: they exist exactly when it
    commits) and relayed together after the commit; until the block ends they
    have no ``pk``. A nested block joins the outer one; a block that raises
    writes nothing (its transaction is rolling back)."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        pending = _batch.get() or []
    finally:
        _batch.reset(token)
    if pending:
        _write(pending)


def _write(messages: list[Message]) -> list[Message]:
    created = Message.objects.bulk_create(messages)
    # The caller's work is committed by then: whatever relaying meets must not undo its answer.
    transaction.on_commit(
        partial(outbox_relay, ids=[message.pk for message in created]), robust=True
    )
    return created


def _enqueue(messages: list[Message]) -> list[Message]:
    pending = _batch.get()
    if pending is None:
        return _write(messages)
    pending.extend(messages)
    return messages


def outbox_enqueue(*, task: str, kwargs: Mapping[str, Any] | None = None) -> Message:
    """Owe one run of ``task(**kwargs)`` once the current transaction commits.

    ``task`` is the dotted path of a Celery task (``"orders.tasks.order_email_send"``);
    ``kwargs`` holds JSON values (ids, strings, numbers), never model instances.
    Call it inside the transaction whose commit the work depends on: the message
    is written there (at the end of an :func:`outbox_batch`), relayed right after
    the commit, and kept until the task has run. Returns the message; raises
    ``ImportError`` or ``TypeError`` at once when ``task`` names no Celery task.
    """
    _task(task)
    return _enqueue([Message(task=task, kwargs=dict(kwargs or {}))])[0]


def outbox_enqueue_many(*, messages: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Message]:
    """:func:`outbox_enqueue` for several ``(task, kwargs)`` at once, in one insert."""
    for task, _kwargs in messages:
        _task(task)
    return _enqueue([Message(task=task, kwargs=dict(kwargs)) for task, kwargs in messages])


def _record_failure(message: Message, now: datetime, error: BaseException) -> None:
    message.last_attempt_at = now
    message.next_attempt_at = now + retry_delay(message.attempts)
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.save(update_fields=["last_attempt_at", "next_attempt_at", "last_error"])


def outbox_relay(*, ids: Collection[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish up to ``limit`` pending messages that are due (only those of
    ``ids`` when given), longest due first; return how many were published.

    Each message taken counts an attempt and is due again ``REDELIVER_AFTER``
    later unless its task runs by then. Never raises for the broker: when it
    cannot be reached the message is due again after :func:`retry_delay`, a
    warning is logged and the rest wait for the next relay. Messages are locked
    while they are published and locked ones are skipped, so relays running at
    once (PostgreSQL) never publish the same message.
    """
    from shop.outbox.tasks import outbox_message_deliver

    now = timezone.now()
    due = Message.objects.filter(done_at__isnull=True, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    published = 0
    broker = outbox_message_deliver.app.connection_for_write(
        transport_options=PUBLISH_TRANSPORT_OPTIONS
    )
    batch = due.select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")[:limit]
    with transaction.atomic(), broker:
        for message in batch:
            # Written before publishing: a worker taking the message waits for this commit.
            message.attempts += 1
            message.last_attempt_at = now
            message.next_attempt_at = now + REDELIVER_AFTER
            message.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
            try:
                outbox_message_deliver.apply_async(
                    args=[message.pk], connection=broker, retry=False
                )
            except OperationalError as exc:
                _record_failure(message, now, exc)
                logger.warning(
                    "Outbox message %s (%s) not published, the broker is unreachable: %s. "
                    "Next attempt at %s.",
                    message.pk,
                    message.task,
                    exc,
                    message.next_attempt_at.isoformat(),
                )
                break
            except Exception as exc:  # anything else publishing met: kept for the next relay
                _record_failure(message, now, exc)
                logger.exception("Outbox message %s (%s) not published.", message.pk, message.task)
                continue
            Message.objects.filter(pk=message.pk).update(sent_at=now)
            published += 1
    return published


def outbox_message_deliver(*, message_id: int) -> bool:
    """Run the task of message ``message_id`` unless it has run; return whether it ran now.

    Safe to call any number of times, at once too: the message is locked, its
    task run and ``done_at`` set in one transaction, and a message already done
    (or unknown) returns ``False`` without running anything. A task that raises
    is rolled back, logged with its traceback and recorded on the message,
    which is due again after :func:`retry_delay`; nothing is raised.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().filter(pk=message_id, done_at__isnull=True).first()
        )
        if message is None:
            return False
        try:
            with transaction.atomic():
                _task(message.task)(**message.kwargs)
        except Exception as exc:  # the task is any code; whatever it raises is retried
            _record_failure(message, timezone.now(), exc)
            logger.warning(
                "Outbox message %s (%s) failed; next attempt at %s.",
                message.pk,
                message.task,
                message.next_attempt_at.isoformat(),
                exc_info=True,
            )
            return False
        message.done_at = timezone.now()
        message.save(update_fields=["done_at"])
    return True


def outbox_retry_now(*, actor: User, ids: Collection[int]) -> int:
    """Make the pending messages among ``ids`` due now and relay them after the
    commit; return how many were pending. Messages already done are left alone, so
    a repeat does nothing more than bring a failing message forward again. Each
    change is recorded in the administration's history with ``actor``."""
    with transaction.atomic():
        pending = list(
            Message.objects.select_for_update()
            .filter(pk__in=ids, done_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        for message in pending:
            message.next_attempt_at = now
            message.save(update_fields=["next_attempt_at"])
            record_change(actor=actor, obj=message, action="change", message="Retry now")
        ready = [message.pk for message in pending]
        transaction.on_commit(partial(outbox_relay, ids=ready), robust=True)
    return len(ready)
