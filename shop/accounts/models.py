from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


# django-otp is untyped: the stubs cannot see the manager its Device.user adds.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A customer or a staff member, signed in by e-mail."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language_code = models.CharField(
        _("language"), max_length=8, default="es", choices=[("es", "Español"), ("en", "English")]
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Changing it invalidates every token issued before (sign out everywhere).
    token_version = models.UUIDField(default=uuid.uuid4, editable=False)
    # The customer portal's own, stable id of a customer who signs in through it
    # (``portalSignIn``); None for local (password) accounts. Set only when the
    # account is created by portal sign-in, never attached to an existing account.
    portal_subject = models.CharField(
        _("portal customer id"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )

    # When the customer proved they receive mail at ``email`` (the confirmation
    # link, a password reset, an e-mail change, or the portal vouching for it).
    confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_portal_customer(self) -> bool:
        return self.portal_subject is not None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


# What a customer enters for an address; ``province`` is derived from the postal code.
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "street_address_1",
    "street_address_2",
    "postal_code",
    "city",
    "phone",
    "country",
)


class Address(models.Model):
    """A Spanish postal address; ``province`` is derived from the postal code."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    company_name = models.CharField(_("company"), max_length=150, blank=True)
    street_address_1 = models.CharField(_("address"), max_length=200)
    street_address_2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=120)
    province = models.CharField(_("province"), max_length=40)
    country = models.CharField(_("country"), max_length=2, default="ES")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_shipping=True),
                name="accounts_address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_billing=True),
                name="accounts_address_one_default_billing",
            ),
            models.CheckConstraint(
                condition=models.Q(postal_code__regex=r"^[0-9]{5}$"),
                name="accounts_address_postal_code_5_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.street_address_1}, {self.postal_code}"


class Consent(models.Model):
    """A legal text accepted, as it read then: kept as the proof of acceptance.

    ``version`` is the text's last change (``LegalPage.updated_at``) and
    ``digest`` the SHA-256 of its title and body in both languages, so the exact
    wording accepted can be shown later even if the text has changed since.
    """

    class Context(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        CHECKOUT = "checkout", _("Checkout")

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    context = models.CharField(_("where"), max_length=16, choices=Context.choices)
    # The order placed with the acceptance (checkout), blank at registration.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    document = models.CharField(_("legal text"), max_length=32)
    version = models.DateTimeField(_("version"))
    digest = models.CharField(_("text digest"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ("-accepted_at", "-pk")
        indexes = [models.Index(fields=["email"], name="accounts_consent_email")]

    def __str__(self) -> str:
        return f"{self.email}: {self.document} ({self.version:%Y-%m-%d %H:%M})"


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: its HMAC-SHA256 keyed with the
    ``SECRET_KEY`` (codes carry 40 random bits: a plain hash of so few would be
    searched through in hours; the key keeps a copy of the database useless).
    Rotating the ``SECRET_KEY`` voids every recovery code: staff then make new
    ones from their authenticator."""
    normalised = code.strip().replace(" ", "").lower()
    return salted_hmac("shop.accounts.RecoveryCode", normalised, algorithm="sha256").hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's one-time recovery codes (their second factor when the
    authenticator is lost), kept only as :func:`recovery_code_digest` digests:
    the codes are shown once, when made (``shop.accounts.two_factor``)."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        """Whether ``token`` is one of the codes left, which is then spent (a
        parallel use of the same code gets False: only one delete removes it).
        Every code is compared, in constant time; failures are throttled."""
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        digest = recovery_code_digest(token)
        match = None
        for code in self.codes.all():
            if constant_time_compare(code.digest, digest):
                match = code
        spent = match is not None and RecoveryCode.objects.filter(pk=match.pk).delete()[0] == 1
        if spent:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return spent


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return str(_("recovery code"))  # the digest is no one's business
