"""Staff's second factor (django-otp): an authenticator app (TOTP) and one-time
recovery codes (:class:`~shop.accounts.models.RecoveryCodeDevice`, which keeps
only keyed digests of them: unlike django-otp's static device, a copy of the
database gives no way in).

The admin asks for it after the password whenever ``ADMIN_REQUIRE_2FA`` is on
(``admin_ui.two_factor``). A staff member without a confirmed authenticator
enrols on their first sign-in: :func:`totp_enrolment` gives an unconfirmed
device to scan, :func:`totp_confirm` confirms it with a first code and returns
the recovery codes, shown once. A member who lost both is reset by an
administrator deleting their devices in the admin (the TOTP device and the
recovery codes); they then enrol again.

Codes are checked against the user's own confirmed devices, with django-otp's
throttling (each failure doubles the wait before the next attempt).
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shop.accounts.errors import AccountErrorCode as Code
from shop.accounts.models import RecoveryCode, RecoveryCodeDevice, User, recovery_code_digest
from shop.audit import record_change

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def required(user: User) -> bool:
    """Whether ``user`` must pass a second factor to reach the admin."""
    return bool(settings.ADMIN_REQUIRE_2FA) and user.is_staff


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator ``user`` is enrolling (made on first call,
    the same one until confirmed, so reloading the page keeps the secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (drawn here: no
    third-party image service ever sees the secret)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title=_("QR code")
    )
    return out.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret as apps accept it typed (base32, in groups of four)."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _wrong_code() -> ValidationError:
    return ValidationError(
        {"code": ValidationError(_("The code is wrong or has expired."), code=Code.INVALID_TOKEN)}
    )


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``user``'s enrolling ``device`` with a code from their app; returns
    new recovery codes (any earlier ones stop working). Raises
    ``ValidationError`` (INVALID_TOKEN on ``code``) for a wrong code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(code.replace(" ", "")):
        raise _wrong_code()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(user)
    record_change(actor=user, obj=user, action="change", message="Two-factor sign-in set up.")
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    """New codes, returned once: only their digests are kept."""
    StaticDevice.objects.filter(user=user).delete()  # codes of before accounts 0006
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, digest=recovery_code_digest(code)) for code in codes]
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for ``user`` (who has an authenticator); the old ones
    stop working."""
    codes = _recovery_codes_replace(user)
    record_change(actor=user, obj=user, action="change", message="Recovery codes replaced.")
    return codes


def second_factor_check(*, user: User, code: str) -> Device:
    """The confirmed device of ``user`` that accepts ``code`` (a code of their
    authenticator, or one of their recovery codes, which is then spent).
    Raises ``ValidationError`` (INVALID_TOKEN on ``code``) otherwise, the
    failure counted against the devices' throttling."""
    code = code.strip().replace(" ", "").lower()
    if code:
        with transaction.atomic():
            for device in devices_for_user(user, for_verify=True):
                if device.verify_token(code):
                    return device
    raise _wrong_code()


def token_second_factor_check(*, user: User, code: str) -> None:
    """:func:`second_factor_check` for ``tokenCreate``'s ``otp_code``: raises
    ``ValidationError`` OTP_REQUIRED when it is empty, INVALID_TOKEN when wrong."""
    if not code.strip():
        raise ValidationError(
            {
                "otp_code": ValidationError(
                    _("Staff sign in with a code of their authenticator app."),
                    code=Code.OTP_REQUIRED,
                )
            }
        )
    try:
        second_factor_check(user=user, code=code)
    except ValidationError as exc:
        raise ValidationError({"otp_code": exc.error_dict["code"]}) from exc
