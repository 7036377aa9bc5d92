"""The outbox's Celery tasks: the periodic relay and the run of one message."""

from __future__ import annotations

from celery import shared_task

from shop.outbox import services


@shared_task
def outbox_relay_due() -> int:
    """Publish the outbox messages that are due (scheduled every 30 s by beat)."""
    return services.outbox_relay()


@shared_task
def outbox_message_deliver(message_id: int) -> bool:
    """Run one outbox message's task, once (see ``services.outbox_message_deliver``)."""
    return services.outbox_message_deliver(message_id=message_id)
