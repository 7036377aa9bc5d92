"""Getting into an account and keeping its address true: password reset and
change, e-mail confirmation, e-mail change.

Every link sent is ``redirectUrl?email=...&token=...`` (or ``...?token=...``)
on one of the shop's own origins (:func:`redirect_url_clean`); the token is made
when the e-mail is sent, by the outbox task (``recovery_emails``), so no token
is ever stored. The tokens are Django's ``PasswordResetTokenGenerator`` with a
salt of their own per purpose, so a token for one purpose is worthless for
another:

- reset: Django's hash (primary key, password hash, last login, e-mail), so it
  is single use and dies with a later password change or sign-in;
- confirmation: primary key, e-mail and confirmation time (not the last login:
  signing in before clicking the link must not spoil it);
- e-mail change: primary key, password hash and the current e-mail, wrapped in
  a ``django.core.signing`` token that carries the new address; it dies once
  the address has changed or the password has.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _

from shop.accounts.errors import AccountErrorCode as Code
from shop.accounts.models import User
from shop.accounts.services import (
    TokenPair,
    _clean_email,
    _email_taken,
    _validate_password,
)
from shop.accounts.tokens import create_token
from shop.outbox.services import outbox_enqueue
from shop.throttle import Counter, Limit, Throttled, attempt

EMAIL_TASK = "shop.accounts.recovery_emails.account_email_send"


class _PurposeTokens(PasswordResetTokenGenerator):
    """Django's reset tokens with their own salt and lifetime (``timeout_setting``,
    in seconds), instead of every purpose sharing ``PASSWORD_RESET_TIMEOUT``."""

    timeout_setting = "PASSWORD_RESET_TIMEOUT"

    def check_token(self, user: Any, token: Any) -> bool:
        if not (user and isinstance(token, str) and token):
            return False
        ts_b36, _sep, _hash = token.partition("-")
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - ts
        return 0 <= age <= getattr(settings, self.timeout_setting)


class PasswordResetTokens(_PurposeTokens):
    key_salt = "shop.accounts.recovery.PasswordResetTokens"


class ConfirmationTokens(_PurposeTokens):
    key_salt = "shop.accounts.recovery.ConfirmationTokens"
    timeout_setting = "ACCOUNT_CONFIRMATION_TIMEOUT"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        confirmed = "" if user.confirmed_at is None else user.confirmed_at.isoformat()
        return f"{user.pk}{user.email}{confirmed}{timestamp}"


class EmailChangeTokens(_PurposeTokens):
    key_salt = "shop.accounts.recovery.EmailChangeTokens"
    timeout_setting = "EMAIL_CHANGE_TIMEOUT"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.email}{timestamp}"


reset_tokens = PasswordResetTokens()
confirmation_tokens = ConfirmationTokens()
email_change_tokens = EmailChangeTokens()
EMAIL_CHANGE_SALT = "shop.accounts.recovery.email-change"


def _window() -> timedelta:
    return settings.RECOVERY_THROTTLE_WINDOW


ADDRESS = Limit("recovery:address", lambda: settings.RECOVERY_THROTTLE_MAX_PER_ADDRESS, _window)
IP = Limit("recovery:ip", lambda: settings.RECOVERY_THROTTLE_MAX_PER_IP, _window)


def _count_request(address: str, ip: str) -> None:
    """Count an e-mail sent on request to ``address`` from ``ip``; every request
    counts (nothing is given back), whether or not the address has an account."""
    counters: list[Counter] = [ADDRESS.counter(address), IP.counter(ip)]
    try:
        attempt(*counters)
    except Throttled as exc:
        raise ValidationError(
            _("Too many requests. Try again later."), code=Code.TOO_MANY_ATTEMPTS
        ) from exc


def allowed_origins() -> set[str]:
    """The origins a link in an e-mail may lead to: the storefront's and the portal's."""
    origins = {_origin(settings.SHOP_STOREFRONT_URL)}
    origins.update(origin.lower().rstrip("/") for origin in settings.PORTAL_ORIGINS)
    return origins


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def redirect_url_clean(url: str | None, *, default: str = "") -> str:
    """``url`` (or ``default`` when empty), checked to be an http(s) URL on one
    of :func:`allowed_origins`; INVALID_REDIRECT_URL on ``redirect_url`` otherwise
    (a link in our e-mail must never lead to somebody else's site)."""
    url = (url or "").strip() or default
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or "@" in parts.netloc
        or len(url) > 2000
        or _origin(url) not in allowed_origins()
    ):
        raise ValidationError(
            {
                "redirect_url": ValidationError(
                    _("This URL is not one of the shop's."), code=Code.INVALID_REDIRECT_URL
                )
            }
        )
    return url


def link(redirect_url: str, **params: str) -> str:
    """``redirect_url`` with ``params`` in its query, or in its fragment when it
    has one (the storefront routes on the fragment: ``/storefront/#/reset``)."""
    parts = urlsplit(redirect_url)
    if parts.fragment:
        sep = "&" if "?" in parts.fragment else "?"
        return urlunsplit(parts._replace(fragment=parts.fragment + sep + urlencode(params)))
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit(parts._replace(query=query))


def storefront_route(route: str) -> str:
    return f"{settings.SHOP_STOREFRONT_URL}#/{route}"


def _local_account(email: str) -> User | None:
    """The active password account of ``email`` (portal customers have no password)."""
    return User.objects.filter(
        email__iexact=email.strip(), portal_subject=None, is_active=True
    ).first()


def _invalid_token(field: str = "token") -> ValidationError:
    return ValidationError(
        {field: ValidationError(_("This link is invalid or has expired."), code=Code.INVALID_TOKEN)}
    )


# -- password reset ---------------------------------------------------------------


def password_reset_request(*, email: str, redirect_url: str, ip: str) -> None:
    """Owe an e-mail with a one-time link to set a new password for ``email``.

    The same answer and the same work whether or not the address has an
    account: the address is counted per address and per IP (TOO_MANY_ATTEMPTS
    past either limit, for known and unknown addresses alike), one outbox
    message is written, and nothing else is read; the task looks the account
    up and makes the token when it sends (nothing for an unknown address, a
    portal customer or a deactivated account). INVALID on ``email``,
    INVALID_REDIRECT_URL on ``redirect_url``.
    """
    address = _clean_email(email)
    url = redirect_url_clean(redirect_url)
    _count_request(address, ip)
    with transaction.atomic():
        outbox_enqueue(
            task=EMAIL_TASK,
            kwargs={"kind": "password_reset", "email": address, "redirect_url": url},
        )


def password_reset_link(user: User, redirect_url: str) -> str:
    return link(redirect_url, email=user.email, token=reset_tokens.make_token(user))


@transaction.atomic
def password_set(*, email: str, token: str, password: str) -> TokenPair:
    """Set a new password with the token of a reset e-mail; sign in.

    The token is checked on the account's locked row, so two uses at once
    cannot both pass; the new password changes the row it was made from, so it
    is spent, and every token issued before is refused (``shop.accounts.tokens``).
    It also proves the address (``confirmed_at``). INVALID_TOKEN on ``token``;
    the validators' codes on ``password``. Nothing changes on a refusal.
    """
    user = _local_account(email)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
    if user is None or not reset_tokens.check_token(user, token):
        raise _invalid_token()
    _validate_password(password, user)
    user.set_password(password)
    user.last_login = timezone.now()
    fields = ["password", "last_login"]
    if user.confirmed_at is None:
        user.confirmed_at = user.last_login
        fields.append("confirmed_at")
    user.save(update_fields=fields)
    return TokenPair(user, create_token(user, "access"), create_token(user, "refresh"))


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> TokenPair:
    """Change the signed-in ``actor``'s password; every token issued before is
    refused from now on, and fresh ones are returned for this session.

    INVALID_CREDENTIALS on ``old_password``; the validators' codes on
    ``new_password``; PORTAL_MANAGED for portal customers (who sign in through
    the portal and have no password here). Nothing changes on a refusal.
    """
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.is_portal_customer:
        raise ValidationError(
            _("You sign in through the customer portal; your password is managed there."),
            code=Code.PORTAL_MANAGED,
        )
    if not user.check_password(old_password):
        raise ValidationError(
            {
                "old_password": ValidationError(
                    _("The current password is not right."), code=Code.INVALID_CREDENTIALS
                )
            }
        )
    try:
        _validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.error_dict["password"]}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    actor.password = user.password
    return TokenPair(user, create_token(user, "access"), create_token(user, "refresh"))


# -- confirmation -----------------------------------------------------------------


def account_confirmation_owe(*, user: User, redirect_url: str) -> None:
    """Owe ``user`` the e-mail with their confirmation link (in the caller's transaction)."""
    outbox_enqueue(
        task=EMAIL_TASK,
        kwargs={"kind": "confirmation", "user_id": user.pk, "redirect_url": redirect_url},
    )


def account_confirmation_request(*, actor: User, redirect_url: str | None, ip: str) -> None:
    """Send the confirmation link again to the signed-in ``actor`` (throttled like
    resets). Nothing is sent when the address is confirmed already."""
    url = redirect_url_clean(redirect_url, default=storefront_route("confirm"))
    _count_request(actor.email, ip)
    if actor.is_confirmed:
        return
    with transaction.atomic():
        account_confirmation_owe(user=actor, redirect_url=url)


def confirmation_link(user: User, redirect_url: str) -> str:
    return link(redirect_url, email=user.email, token=confirmation_tokens.make_token(user))


@transaction.atomic
def account_confirm(*, email: str, token: str) -> User:
    """Mark the account of ``email`` confirmed with the token of its confirmation
    e-mail. Confirming again with the same token is a no-op success while the
    address is confirmed (a second click); INVALID_TOKEN otherwise."""
    user = User.objects.select_for_update().filter(email__iexact=email.strip()).first()
    if user is None or not user.is_active:
        raise _invalid_token()
    if user.confirmed_at is None:
        if not confirmation_tokens.check_token(user, token):
            raise _invalid_token()
        user.confirmed_at = timezone.now()
        user.save(update_fields=["confirmed_at"])
    elif not _was_valid_confirmation(user, token):
        raise _invalid_token()
    return user


def _was_valid_confirmation(user: User, token: str) -> bool:
    """Whether ``token`` was this (now confirmed) user's confirmation token."""
    unconfirmed = User(pk=user.pk, email=user.email, confirmed_at=None)
    return confirmation_tokens.check_token(unconfirmed, token)


def may_buy(user: User | None) -> bool:
    """Whether ``user`` (None: a guest) may pay and place orders: guests and
    confirmed customers always; unconfirmed ones when ``ACCOUNT_UNCONFIRMED_MAY_BUY``."""
    return (
        user is None or user.confirmed_at is not None or bool(settings.ACCOUNT_UNCONFIRMED_MAY_BUY)
    )


# -- e-mail change ----------------------------------------------------------------


def email_change_request(
    *, actor: User, new_email: str, password: str, redirect_url: str, ip: str
) -> None:
    """Owe the e-mail that lets ``new_email`` prove itself; nothing changes until
    :func:`email_change_confirm`.

    INVALID_CREDENTIALS on ``password``; INVALID or UNIQUE on ``new_email``
    (its own address is INVALID); INVALID_REDIRECT_URL; TOO_MANY_ATTEMPTS (per new
    address and IP); PORTAL_MANAGED for portal customers: their identity is the
    portal's ``sub`` and their address is the portal's, which updates it at each
    portal sign-in, so it is changed in the portal, never here.
    """
    if actor.is_portal_customer:
        raise ValidationError(
            _("Your e-mail address is managed by the customer portal; change it there."),
            code=Code.PORTAL_MANAGED,
        )
    url = redirect_url_clean(redirect_url)
    if not actor.check_password(password):
        raise ValidationError(
            {
                "password": ValidationError(
                    _("The password is not right."), code=Code.INVALID_CREDENTIALS
                )
            }
        )
    try:
        address = _clean_email(new_email)
    except ValidationError as exc:
        raise ValidationError({"new_email": exc.error_dict["email"]}) from exc
    if address == actor.email.lower():
        raise ValidationError(
            {
                "new_email": ValidationError(
                    _("This is already your e-mail address."), code=Code.INVALID
                )
            }
        )
    if User.objects.filter(email__iexact=address).exists():
        raise ValidationError({"new_email": _email_taken().error_dict["email"]})
    _count_request(address, ip)
    with transaction.atomic():
        outbox_enqueue(
            task=EMAIL_TASK,
            kwargs={
                "kind": "email_change",
                "user_id": actor.pk,
                "new_email": address,
                "redirect_url": url,
            },
        )


def email_change_token(user: User, new_email: str) -> str:
    return signing.dumps(
        {"user": user.pk, "email": new_email, "check": email_change_tokens.make_token(user)},
        salt=EMAIL_CHANGE_SALT,
    )


def email_change_link(user: User, new_email: str, redirect_url: str) -> str:
    return link(redirect_url, token=email_change_token(user, new_email))


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """Move the account named by ``token`` to the new address it carries (which
    received it, so it has proved itself), mark it confirmed and tell the old
    address. INVALID_TOKEN when forged, expired, used, or spoilt by a later
    password or address change; UNIQUE on ``token`` when the address was taken
    meanwhile. Nothing changes on a refusal."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.BadSignature as exc:
        raise _invalid_token() from exc
    if not isinstance(data, dict) or not {"user", "email", "check"} <= data.keys():
        raise _invalid_token()
    user = User.objects.select_for_update().filter(pk=data["user"], is_active=True).first()
    if user is None or not email_change_tokens.check_token(user, data["check"]):
        raise _invalid_token()
    old_email, new_email = user.email, str(data["email"])
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise ValidationError({"token": _email_taken().error_dict["email"]})
    user.email = new_email
    user.confirmed_at = timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "confirmed_at"])
    except IntegrityError as exc:
        raise ValidationError({"token": _email_taken().error_dict["email"]}) from exc
    outbox_enqueue(
        task=EMAIL_TASK,
        kwargs={
            "kind": "email_changed",
            "user_id": user.pk,
            "old_email": old_email,
            "new_email": new_email,
        },
    )
    return user
