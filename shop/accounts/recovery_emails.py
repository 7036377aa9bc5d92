"""The account e-mails of ``shop.accounts.recovery``, in the customer's language.

:func:`account_email_send` is the Celery task the recovery services owe through
the outbox (``shop.outbox``): it runs after their transaction commits, and
again later if it fails. Links are made here, at sending time, so no token is
ever written to the database (the outbox keeps only addresses and URLs).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop.accounts import recovery
from shop.accounts.models import User
from shop.content.selectors import shop_settings
from shop.i18n import DEFAULT_LANGUAGE, localized, supported_languages

KINDS = ("password_reset", "confirmation", "email_change", "email_changed")


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _subject(kind: str) -> str:
    if kind == "password_reset":
        return _("Choose a new password")
    if kind == "confirmation":
        return _("Confirm your e-mail address")
    if kind == "email_change":
        return _("Confirm your new e-mail address")
    return _("The e-mail address of your account has changed")


def _prepare(kind: str, **kwargs: Any) -> tuple[User, str, dict[str, Any]] | None:
    """The account, the recipient and the template's context; None: nothing to send."""
    if kind == "password_reset":
        user = recovery._local_account(kwargs["email"])
        if user is None:
            return None  # no account, a portal customer or a deactivated one: no e-mail
        url = recovery.password_reset_link(user, kwargs["redirect_url"])
        return user, user.email, {"url": url, "seconds": settings.PASSWORD_RESET_TIMEOUT}
    user = User.objects.filter(pk=kwargs["user_id"], is_active=True).first()
    if user is None:
        return None
    if kind == "confirmation":
        if user.is_confirmed:
            return None
        url = recovery.confirmation_link(user, kwargs["redirect_url"])
        return user, user.email, {"url": url, "seconds": settings.ACCOUNT_CONFIRMATION_TIMEOUT}
    if kind == "email_change":
        new_email = kwargs["new_email"]
        url = recovery.email_change_link(user, new_email, kwargs["redirect_url"])
        context = {"url": url, "new_email": new_email, "seconds": settings.EMAIL_CHANGE_TIMEOUT}
        return user, new_email, context
    # email_changed: told to the address the account had.
    return user, kwargs["old_email"], {"old_email": kwargs["old_email"], "new_email": user.email}


def account_email_send_now(kind: str, **kwargs: Any) -> bool:
    """Send the account e-mail ``kind`` (see :data:`KINDS`); return whether one was
    sent. Raises ``ValueError`` for an unknown kind and whatever the e-mail
    backend raises (the outbox retries)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown account e-mail {kind!r}.")
    prepared = _prepare(kind, **kwargs)
    if prepared is None:
        return False
    user, recipient, context = prepared
    language = user.language_code if user.language_code in supported_languages() else None
    language = language or DEFAULT_LANGUAGE
    with translation.override(language):
        if "seconds" in context:
            context["duration"] = _duration(context.pop("seconds"))
        context["shop_name"] = localized(shop_settings(), "name", language)
        subject = _subject(kind)
        text = render_to_string(f"accounts/email/{kind}.txt", context)
        html = render_to_string(f"accounts/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True


# Owed through the outbox, which retries it: it does not retry itself.
@shared_task
def account_email_send(kind: str, **kwargs: Any) -> bool:
    """Send an account e-mail (password reset, confirmation, e-mail change)."""
    return account_email_send_now(kind, **kwargs)
