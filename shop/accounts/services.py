"""Account writes. Each service runs in one transaction and names its actor."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_bridge.services import contracts_link_vouched
from shop.accounts import spain, throttle, two_factor
from shop.accounts.errors import AccountErrorCode as Code
from shop.accounts.models import ADDRESS_FIELDS, Address, User
from shop.accounts.portal import PortalClaims, PortalTokenError, portal_claims
from shop.accounts.tokens import TokenError, create_token, user_from_token
from shop.throttle import Throttled

LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class TokenPair:
    user: User
    access: str
    refresh: str


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": ValidationError(_("Enter a valid e-mail address."), code=Code.INVALID)}
        ) from exc
    return email


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc


@transaction.atomic
def account_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language_code: str = "es",
    confirmation_url: str | None = None,
    accepted: Collection[str] = (),
) -> User:
    """Create a customer account, owe it the e-mail with its confirmation link
    (to ``confirmation_url``, the storefront's confirmation page by default) and
    record the legal texts it ``accepted`` (``LegalPage.Kind`` values, see
    ``shop.accounts.consent``). Raises ``ValidationError`` (UNIQUE, INVALID,
    PASSWORD_*, INVALID_REDIRECT_URL on ``redirect_url``, INVALID on
    ``accept_<kind>`` for a legal text not published)."""
    from shop.accounts import consent, recovery

    email = _clean_email(email)
    confirmation_url = recovery.redirect_url_clean(
        confirmation_url, default=recovery.storefront_route("confirm")
    )
    if language_code not in LANGUAGES:
        raise ValidationError(
            {"language_code": ValidationError(_("Unsupported language."), code=Code.INVALID)}
        )
    user = User(
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        language_code=language_code,
    )
    _validate_password(password, user)
    user.set_password(password)
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two registrations raced past the check: the unique constraint decides.
        raise _email_taken() from exc
    consent.consents_record(
        documents=accepted, email=email, user_id=user.pk, context=consent.REGISTRATION
    )
    recovery.account_confirmation_owe(user=user, redirect_url=confirmation_url)
    return user


def _email_taken() -> ValidationError:
    return ValidationError(
        {
            "email": ValidationError(
                _("An account with this e-mail already exists."), code=Code.UNIQUE
            )
        }
    )


def _too_many_attempts() -> ValidationError:
    return ValidationError(
        _("Too many failed sign-in attempts. Try again later."), code=Code.TOO_MANY_ATTEMPTS
    )


def token_create(*, email: str, password: str, ip: str, otp_code: str = "") -> TokenPair:
    """Sign in. Attempts are counted per account and per IP before the password
    is checked, and stay counted unless it is right; past the limit every attempt
    is refused unchecked with TOO_MANY_ATTEMPTS, even with the right password.

    Staff tokens reach the staff mutations, as powerful as the admin: while the
    admin requires a second factor, so do they (``otp_code``: OTP_REQUIRED when
    missing, INVALID_TOKEN when wrong; either counts as a failed attempt)."""
    try:
        sign_in = throttle.sign_in_attempt(email=email, ip=ip)
    except Throttled as exc:
        raise _too_many_attempts() from exc
    # Portal customers have no password; even one set by hand does not sign them in.
    user = User.objects.filter(email__iexact=email.strip(), portal_subject=None).first()
    if user is None:
        # Hash anyway, like Django's ModelBackend: the response time must not tell
        # an unknown e-mail from a wrong password.
        User().set_password(password)
    if user is None or not user.check_password(password) or not user.is_active:
        raise ValidationError(_("Wrong e-mail or password."), code=Code.INVALID_CREDENTIALS)
    if two_factor.required(user):
        two_factor.token_second_factor_check(user=user, code=otp_code)
    throttle.sign_in_succeeded(sign_in, email=email)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return TokenPair(user, create_token(user, "access"), create_token(user, "refresh"))


def token_refresh(*, refresh_token: str) -> TokenPair:
    """A new access token for a valid refresh token (the refresh token is kept)."""
    try:
        user = user_from_token(refresh_token, "refresh")
    except TokenError as exc:
        raise ValidationError(
            {"refresh_token": ValidationError(str(exc), code=Code.INVALID_TOKEN)}
        ) from exc
    return TokenPair(user, create_token(user, "access"), refresh_token)


def portal_sign_in(*, token: str, ip: str) -> TokenPair:
    """Sign in the customer the portal vouches for with ``token`` (a portal JWT,
    checked by ``shop.accounts.portal``): create or update them, link the supply
    contracts the token lists (numbers the mirror does not know are skipped), and
    return the shop's own tokens. Validation happens before any write; the write
    is one transaction. A refusal writes nothing.

    The customer is the account whose ``portal_subject`` is the token's ``sub``,
    never the account that happens to have the token's e-mail. **A portal
    identity is never attached to a local (password) account**, and the sign-in
    is refused (PORTAL_EMAIL_IN_USE) when the e-mail already belongs to another
    account, rather than creating a second account with it:

    - attaching would hand the portal customer's contracts -- a way to charge
      their water bill -- to whoever holds that account's password. Shop
      e-mails are not verified at registration, so that may be someone who
      registered the address before its owner came through the portal;
    - a second account with the same e-mail would break the one account per
      e-mail rule that password sign-in, the administration and the orders'
      e-mails rely on, and either account's holder would be one mistake away
      from the other's orders.

    Refusing keeps both accounts whole and tells the customer why; staff
    resolve the conflict (the shop's account keeps its orders). The reverse is
    closed too: ``account_register`` refuses a portal customer's e-mail (UNIQUE)
    and ``token_create`` never signs a portal customer in by password. When a
    known portal customer's e-mail changes in the portal to one another account
    holds, the customer keeps the e-mail the shop has.

    Raises ``ValidationError``: PORTAL_TOKEN_INVALID, PORTAL_TOKEN_EXPIRED and
    PORTAL_TOKEN_REPLAYED (on ``portal_token``; counted per IP; a token is
    single use, spent even when the sign-in is then refused for another reason),
    TOO_MANY_ATTEMPTS past the limit,
    PORTAL_SIGN_IN_UNAVAILABLE, PORTAL_EMAIL_IN_USE, INACTIVE (deactivated or
    staff accounts: the portal vouches for customers only).
    """
    try:
        sign_in = throttle.portal_attempt(ip=ip)
    except Throttled as exc:
        raise _too_many_attempts() from exc
    try:
        claims = portal_claims(token)
    except PortalTokenError as exc:
        if exc.code != Code.PORTAL_SIGN_IN_UNAVAILABLE:
            raise ValidationError(
                {"portal_token": ValidationError(str(exc), code=exc.code)}
            ) from exc
        sign_in.release()
        raise ValidationError(str(exc), code=exc.code) from exc
    sign_in.release()
    user = _portal_customer_save(claims)
    return TokenPair(user, create_token(user, "access"), create_token(user, "refresh"))


@transaction.atomic
def _portal_customer_save(claims: PortalClaims) -> User:
    user = User.objects.select_for_update().filter(portal_subject=claims.subject).first()
    if user is None:
        user = _portal_customer_create(claims)
    else:
        _portal_customer_update(user, claims)
    contracts_link_vouched(user=user, numbers=claims.contracts)
    return user


def _portal_customer_create(claims: PortalClaims) -> User:
    if User.objects.filter(email__iexact=claims.email).exists():
        raise _portal_email_in_use()
    user = User(
        email=claims.email,
        first_name=claims.first_name,
        last_name=claims.last_name,
        portal_subject=claims.subject,
        last_login=timezone.now(),
        confirmed_at=timezone.now(),  # the portal vouches for its customers' addresses
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Raced with a sign-in of the same customer, or a registration of the e-mail.
        existing = User.objects.select_for_update().filter(portal_subject=claims.subject).first()
        if existing is None:
            raise _portal_email_in_use() from exc
        _portal_customer_update(existing, claims)
        return existing
    return user


def _portal_customer_update(user: User, claims: PortalClaims) -> None:
    if not user.is_active or user.is_staff or user.is_superuser:
        raise ValidationError(
            _("This account cannot sign in through the customer portal."), code=Code.INACTIVE
        )
    user.last_login = timezone.now()
    fields = ["last_login"]
    if claims.first_name or claims.last_name:
        user.first_name, user.last_name = claims.first_name, claims.last_name
        fields += ["first_name", "last_name"]
    user.save(update_fields=fields)
    if (
        claims.email != user.email
        and not User.objects.filter(email__iexact=claims.email).exclude(pk=user.pk).exists()
    ):
        user.email = claims.email
        try:
            with transaction.atomic():
                user.save(update_fields=["email"])
        except IntegrityError:
            user.refresh_from_db(fields=["email"])  # taken meanwhile: keep the one we have


def _portal_email_in_use() -> ValidationError:
    return ValidationError(
        _(
            "This e-mail address already belongs to a shop account. Sign in with its "
            "password, or contact us to use the shop through the customer portal."
        ),
        code=Code.PORTAL_EMAIL_IN_USE,
    )


@transaction.atomic
def user_tokens_revoke(*, actor: User) -> None:
    """Invalidate every access and refresh token issued to ``actor`` so far."""
    actor.token_version = uuid.uuid4()
    actor.save(update_fields=["token_version"])


@transaction.atomic
def account_update(*, actor: User, data: dict[str, Any]) -> User:
    fields = [name for name in ("first_name", "last_name", "language_code") if name in data]
    if "language_code" in data and data["language_code"] not in LANGUAGES:
        raise ValidationError(
            {"language_code": ValidationError(_("Unsupported language."), code=Code.INVALID)}
        )
    for name in fields:
        setattr(actor, name, str(data[name]).strip()[:150])
    actor.save(update_fields=fields)
    return actor


REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street_address_1", "postal_code", "city")


def clean_address(data: dict[str, Any]) -> dict[str, str]:
    """Validate a Spanish address; returns the cleaned fields with ``province`` derived.

    Raises ``ValidationError`` keyed by field (REQUIRED, INVALID, INVALID_POSTAL_CODE).
    """
    cleaned = {name: str(data.get(name) or "").strip() for name in ADDRESS_FIELDS}
    cleaned["country"] = (cleaned["country"] or "ES").upper()
    cleaned["postal_code"] = spain.normalize_postal_code(cleaned["postal_code"])
    errors: dict[str, ValidationError] = {}
    for name in REQUIRED_ADDRESS_FIELDS:
        if not cleaned[name]:
            errors[name] = ValidationError(_("This field is required."), code=Code.REQUIRED)
    for name in ADDRESS_FIELDS:
        max_length = getattr(Address._meta.get_field(name), "max_length", None)
        if max_length and len(cleaned[name]) > max_length:
            errors[name] = ValidationError(_("This value is too long."), code=Code.INVALID)
    if cleaned["country"] != "ES":
        errors["country"] = ValidationError(
            _("The shop delivers in Spain only."), code=Code.INVALID
        )
    if cleaned["postal_code"] and not spain.is_valid_postal_code(cleaned["postal_code"]):
        errors["postal_code"] = ValidationError(
            _("Enter a valid Spanish postal code (5 digits)."), code=Code.INVALID_POSTAL_CODE
        )
    if cleaned["phone"] and not spain.is_valid_phone(cleaned["phone"]):
        errors["phone"] = ValidationError(_("Enter a valid phone number."), code=Code.INVALID)
    if errors:
        raise ValidationError(errors)
    cleaned["province"] = spain.province_for(cleaned["postal_code"])
    return cleaned


@transaction.atomic
def address_create(*, actor: User, data: dict[str, Any]) -> Address:
    address = Address(user=actor, **clean_address(data))
    first = not actor.addresses.exists()
    address.is_default_shipping = address.is_default_billing = first
    address.save()
    return address


@transaction.atomic
def address_update(*, actor: User, address: Address, data: dict[str, Any]) -> Address:
    """Update ``address`` (which must belong to ``actor``); absent fields keep their value."""
    _check_owner(actor, address)
    current = {name: getattr(address, name) for name in ADDRESS_FIELDS}
    cleaned = clean_address({**current, **{k: v for k, v in data.items() if v is not None}})
    for name, value in cleaned.items():
        setattr(address, name, value)
    address.save()
    return address


@transaction.atomic
def address_delete(*, actor: User, address: Address) -> None:
    _check_owner(actor, address)
    address.delete()


@transaction.atomic
def address_set_default(
    *, actor: User, address: Address, kind: Literal["shipping", "billing"]
) -> Address:
    _check_owner(actor, address)
    flag = f"is_default_{kind}"
    actor.addresses.filter(**{flag: True}).exclude(pk=address.pk).update(**{flag: False})
    setattr(address, flag, True)
    address.save(update_fields=[flag])
    return address


def _check_owner(actor: User, address: Address) -> None:
    if address.user_id != actor.pk:
        raise ValidationError(_("Address not found."), code=Code.NOT_FOUND)
