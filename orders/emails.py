"""Order e-mails to customers, in the order's language.

:func:`order_email_send` is called by the ``orders.tasks.order_email_send`` task,
which the services owe through the outbox (``shop.outbox``): it runs after their
transaction commits, and again later if it fails. Everything shown is
read from the order's frozen data (lines, prices, addresses), never from the
catalogue as it is now.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.models import Fulfillment, Order, OrderEvent
from orders.selectors import payment_balance
from orders.services.orders import order_event
from shop.content.selectors import shop_settings
from shop.i18n import DEFAULT_LANGUAGE, localized, supported_languages
from shop.money import quantize

KINDS = ("confirmation", "shipped", "cancelled")


def format_money(amount: Decimal | str, language: str) -> str:
    """``12,10 €`` in Spanish, ``€12.10`` in English (thousands grouped)."""
    text = f"{quantize(Decimal(amount)):,.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def _percent(rate: Decimal | str, language: str) -> str:
    """``21 %`` in Spanish, ``21%`` in English."""
    number = format(Decimal(rate) * 100, "f").rstrip("0").rstrip(".")
    if language == "en":
        return f"{number}%"
    return f"{number.replace('.', ',')} %"


def email_language(order: Order) -> str:
    """The language of the order's e-mails: the order's, when the shop still
    speaks it."""
    language = order.language_code
    return language if language in supported_languages() else DEFAULT_LANGUAGE


def email_context(order: Order, language: str) -> dict[str, Any]:
    """What every e-mail about ``order`` shows: the order, the shop's name and,
    for a guest, the link to look the order up."""
    return {
        "order": order,
        "shop_name": localized(shop_settings(), "name", language),
        "lookup_url": (
            f"{settings.SHOP_STOREFRONT_URL}#/order/{order.token}" if order.user_id is None else ""
        ),
    }


def _address_lines(address: dict[str, str] | None) -> list[str]:
    if not address:
        return []
    name = " ".join(part for part in (address.get("first_name"), address.get("last_name")) if part)
    place = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    province = address.get("province", "")
    lines = [
        name,
        address.get("company_name", ""),
        address.get("street_address_1", ""),
        address.get("street_address_2", ""),
        f"{place} ({province})" if province and province != address.get("city") else place,
        address.get("phone", ""),
    ]
    return [line for line in lines if line]


def _pickup_lines(point: dict[str, str]) -> list[str]:
    place = " ".join(part for part in (point.get("postal_code"), point.get("city")) if part)
    lines = [point.get("name", ""), point.get("street_address", ""), place]
    if point.get("opening_hours"):
        lines.append(_("Opening hours: %(hours)s") % {"hours": point["opening_hours"]})
    return [line for line in lines if line]


def _confirmation(order: Order, language: str, **_extra: Any) -> dict[str, Any]:
    def money(amount: Decimal | str) -> str:
        return format_money(amount, language)

    lines = [
        {
            "name": localized(line, "product_name", language),
            "variant": localized(line, "variant_name", language),
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": money(line.unit_price_gross),
            "total": money(line.total_gross),
        }
        for line in order.lines.all()
    ]
    taxes = [
        {"rate": _percent(rate, language), "amount": money(tax)}
        for rate, tax in sorted(order.tax_by_rate.items(), key=lambda item: Decimal(item[0]))
    ]
    pickup = order.pickup_point
    address = _pickup_lines(pickup) if pickup else _address_lines(order.shipping_address)
    return {
        "lines": lines,
        "subtotal": money(order.subtotal_gross),
        "shipping_method": localized(order, "shipping_method_name", language),
        "shipping_price": money(order.shipping_gross),
        "taxes": taxes,
        "total": money(order.total_gross),
        "is_pickup": pickup is not None,
        "address_lines": address,
    }


def _shipped(order: Order, language: str, *, fulfillment_id: int, **_extra: Any) -> dict[str, Any]:
    fulfillment = Fulfillment.objects.get(pk=fulfillment_id, order=order)
    shipped = fulfillment.lines.select_related("line").order_by("pk")
    return {
        "tracking_number": fulfillment.tracking_number,
        "lines": [
            {
                "name": localized(row.line, "product_name", language),
                "variant": localized(row.line, "variant_name", language),
                "sku": row.line.sku,
                "quantity": row.quantity,
            }
            for row in shipped
        ],
        "complete": order.status == Order.Status.FULFILLED,
    }


def _cancelled(order: Order, language: str, **_extra: Any) -> dict[str, Any]:
    balance = payment_balance(order)
    return {
        "charged": balance.charged > 0,
        "paid": format_money(balance.charged, language),
    }


_CONTEXT = {"confirmation": _confirmation, "shipped": _shipped, "cancelled": _cancelled}


def _subject(kind: str, number: str) -> str:
    if kind == "shipped":
        return _("Your order %(number)s has shipped") % {"number": number}
    if kind == "cancelled":
        return _("Your order %(number)s has been cancelled") % {"number": number}
    return _("Your order %(number)s") % {"number": number}


Attachment = tuple[str, bytes, str]  # filename, content, mimetype


def order_email_attachments(order: Order, kind: str) -> list[Attachment]:
    """The files the ``ORDER_EMAIL_ATTACHMENTS`` callables give for this e-mail,
    in their order. Each is called as ``callable(order, kind)`` and returns a list
    of ``(filename, content, mimetype)``; what one raises propagates (the e-mail is
    not sent, the outbox retries)."""
    files: list[Attachment] = []
    for path in settings.ORDER_EMAIL_ATTACHMENTS:
        files.extend(import_string(path)(order, kind))
    return files


def order_email_send(order_id: int, kind: str, **extra: Any) -> None:
    """E-mail the customer of order ``order_id`` about ``kind`` ("confirmation",
    "shipped" with ``fulfillment_id``, or "cancelled"), in the order's language,
    as plain text with an HTML alternative and the files of
    :func:`order_email_attachments`; then record an EMAIL_SENT event (with the
    attachments' names under ``attachments`` when there are any).

    Raises ``ValueError`` for an unknown kind, ``Order.DoesNotExist`` (or
    ``Fulfillment.DoesNotExist``) for unknown ids, and whatever the e-mail
    backend raises (``OSError``: the outbox retries). Nothing is recorded when
    sending fails.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown order e-mail {kind!r}.")
    order = Order.objects.select_related("shipping_method").get(pk=order_id)
    language = email_language(order)
    with translation.override(language):
        context = {**email_context(order, language), **_CONTEXT[kind](order, language, **extra)}
        subject = _subject(kind, str(order))
        text = render_to_string(f"orders/email/{kind}.txt", context)
        html = render_to_string(f"orders/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[order.email]
    )
    message.attach_alternative(html, "text/html")
    attachments = order_email_attachments(order, kind)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    if attachments:
        names = [name for name, _content, _mimetype in attachments]
        order_event(order, OrderEvent.Type.EMAIL_SENT, None, kind=kind, attachments=names)
    else:
        order_event(order, OrderEvent.Type.EMAIL_SENT, None, kind=kind)
