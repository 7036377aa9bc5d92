"""Claim e-mails to customers (opened, answered, resolved), in the order's language.

:func:`claim_email_send` is called by the ``orders.tasks.claim_email_send``
task, which the claim services owe through the outbox (``shop.outbox``) after
their transaction commits. Every e-mail of a claim has the same subject, so mail
programs keep them in one conversation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from orders.emails import email_context, email_language, format_money
from orders.models import Claim, ClaimEvent
from shop.i18n import localized

KINDS = ("opened", "answered", "resolved")


def _opened(claim: Claim, language: str) -> dict[str, Any]:
    lines = claim.lines.select_related("order_line").order_by("pk")
    return {
        "lines": [
            {
                "name": localized(row.order_line, "product_name", language),
                "variant": localized(row.order_line, "variant_name", language),
                "quantity": row.quantity,
            }
            for row in lines
        ],
        "reason": claim.get_reason_display(),
    }


def _answered(claim: Claim, _language: str) -> dict[str, Any]:
    return {"message": claim.messages.filter(from_staff=True).latest("pk").body}


def _resolved(claim: Claim, language: str) -> dict[str, Any]:
    # The event that closed the claim carries the message sent with it: the
    # resolution's, or the rejection's (which may have none).
    closing = (
        claim.events.filter(type__in=(ClaimEvent.Type.STATUS_CHANGED, ClaimEvent.Type.RESOLVED))
        .order_by("pk")
        .last()
    )
    return {
        "rejected": claim.status == Claim.Status.REJECTED,
        "resolution": claim.resolution,
        "refund_amount": (
            format_money(claim.refund_amount, language) if claim.refund_amount is not None else ""
        ),
        "replacement_number": str(claim.replacement_order) if claim.replacement_order else "",
        "message": closing.message.strip() if closing else "",
    }


_CONTEXT = {"opened": _opened, "answered": _answered, "resolved": _resolved}


def claim_email_send(claim_id: int, kind: str) -> None:
    """E-mail the customer of claim ``claim_id`` about ``kind``, in the order's
    language, to the order's e-mail, as plain text with an HTML alternative:

    - "opened": the claimed lines with their quantities and the reason;
    - "answered": the shop's latest message in the thread;
    - "resolved": the resolution (refund and its amount, replacement and its
      order number, no action) or the rejection, with the message sent with it.

    Guests (orders without an account) get the order's private lookup link.
    Raises ``ValueError`` for an unknown kind, ``Claim.DoesNotExist`` for an
    unknown id, ``ClaimMessage.DoesNotExist`` for "answered" without a staff
    message, and whatever the e-mail backend raises (``OSError``: the outbox
    retries). Nothing is recorded: the claim's events are its own history.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown claim e-mail {kind!r}.")
    claim = Claim.objects.select_related("order", "replacement_order").get(pk=claim_id)
    order = claim.order
    language = email_language(order)
    with translation.override(language):
        context = {
            "claim": claim,
            **email_context(order, language),
            **_CONTEXT[kind](claim, language),
        }
        subject = _("Your claim %(claim)s on order %(order)s") % {
            "claim": str(claim),
            "order": str(order),
        }
        text = render_to_string(f"orders/email/claim_{kind}.txt", context)
        html = render_to_string(f"orders/email/claim_{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[order.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
