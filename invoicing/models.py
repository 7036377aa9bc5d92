"""Invoices, their series and their VERI*FACTU records.

Invoices, their lines and their records are append-only: once written they are
never updated nor deleted (Real Decreto 1007/2023 asks the records to be kept
unaltered; a mistake is corrected by a rectifying invoice, or an anulación
record). The one exception is ``Invoice.pdf``, written once by the PDF task.
:class:`AppendOnly` refuses the rest at the ORM level; ``invoice_chain_verify``
finds what was changed behind the ORM's back.

Numbers are allocated by ``invoicing.services`` under the row lock of the
:class:`InvoiceSeries` (kind, year), records are chained under the lock of the
:class:`VerifactuChain` row, both in the transaction that issues the invoice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from invoicing import conf
from invoicing.verifactu.huella import SPANISH_TIME
from invoicing.verifactu.records import InvoiceType, RectificationType
from shop.accounts.fields import user_reference


def private_storage() -> Storage:
    """Invoice PDFs are never public: served through a signed link to their owner."""
    return storages["private"]


class AppendOnlyError(RuntimeError):
    """Raised on an attempt to change or delete a row that is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    @override
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnly(models.Model):
    """Rows written once: ``save`` on an existing row and ``delete`` raise
    :class:`AppendOnlyError`, and so do the queryset's ``update`` and ``delete``.
    ``MUTABLE_FIELDS`` lists the fields a ``save(update_fields=...)`` may write."""

    MUTABLE_FIELDS: frozenset[str] = frozenset()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and not (
            update_fields and set(update_fields) <= self.MUTABLE_FIELDS
        ):
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is never updated.")
        super().save(*args, **kwargs)

    @override
    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is never deleted.")


def _money(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2)


KIND_CHOICES = [(kind.value, kind.value) for kind in InvoiceType]


class InvoiceSeries(models.Model):
    """The numbering of one kind of invoice in one year: ``prefix``-000001 onwards.
    ``next_number`` is the number the next invoice takes (locked to allocate it)."""

    kind = models.CharField(_("kind"), max_length=2, choices=KIND_CHOICES)
    year = models.PositiveSmallIntegerField(_("year"))
    prefix = models.CharField(_("prefix"), max_length=20, unique=True)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")
        ordering = ("year", "kind")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="invoicing_series_kind_year"),
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="invoicing_series_next_number_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.prefix


class Invoice(AppendOnly):
    """An issued invoice, frozen from its order at issue (see the module's doc).

    The PDF task stores the file once with
    ``invoice.pdf.save(name, content, save=False)`` then
    ``invoice.save(update_fields=["pdf"])``; a plain ``save()``, or a second PDF,
    raises :class:`AppendOnlyError`.
    """

    MUTABLE_FIELDS = frozenset({"pdf"})

    class RectificationKind(models.TextChoices):
        DIFFERENCES = RectificationType.DIFFERENCES.value, _("By differences")
        SUBSTITUTION = RectificationType.SUBSTITUTION.value, _("By substitution")

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=2, choices=KIND_CHOICES)
    series = models.CharField(_("series"), max_length=20)
    number = models.PositiveIntegerField(_("number"))
    # NumSerieFactura: printable ASCII, at most 60 characters.
    full_number = models.CharField(_("invoice number"), max_length=60, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    operation_date = models.DateField(_("operation date"))
    language_code = models.CharField(_("language"), max_length=5)
    currency = models.CharField(max_length=3, default="EUR")
    issuer_nif = models.CharField(_("issuer NIF"), max_length=9)
    issuer_name = models.CharField(_("issuer"), max_length=120)
    issuer_address = models.JSONField(_("issuer address"), default=conf.issuer_address)
    recipient_tax_id = models.CharField(_("recipient tax id"), max_length=9, blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=120, blank=True)
    recipient_address = models.JSONField(_("recipient address"), null=True, blank=True)
    total_net = _money(_("tax base"))
    total_tax = _money(_("IVA"))
    total_gross = _money(_("total"))
    # The invoice a rectificativa corrects (the first of ``rectifies`` when it
    # corrects several, e.g. the invoices of each delivery of a water-bill order).
    rectified = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("rectified invoice"),
    )
    rectifies = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="rectified_by"
    )
    rectification_type = models.CharField(
        _("rectification type"), max_length=1, choices=RectificationKind.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    # DescripcionOperacion of the record (in Spanish, as the AEAT reads it).
    description = models.CharField(_("description"), max_length=500)
    substituted = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="substituted_by",
        verbose_name=_("substituted invoices"),
    )
    idempotency_key = models.CharField(max_length=255, unique=True)
    issued_by = user_reference(_("issued by"))
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="invoices/%Y/", blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("-issued_at", "-pk")
        indexes = [models.Index(fields=["order", "issued_at"], name="invoicing_invoice_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], name="invoicing_invoice_series_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="invoicing_invoice_number_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.full_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and Invoice.objects.filter(pk=self.pk).exclude(pdf="").exists():
            raise AppendOnlyError(f"Invoice {self.full_number} has its PDF already.")
        super().save(*args, **kwargs)

    @property
    def is_rectifying(self) -> bool:
        return self.kind.startswith("R")

    @property
    def issue_date(self) -> date:
        """FechaExpedicionFactura: the day of issue in the issuer's (Spanish) time."""
        return self.issued_at.astimezone(SPANISH_TIME).date()


class InvoiceLine(AppendOnly):
    """A line as the order froze it (or the part of it delivered, or a refund
    at one rate on a rectificativa). ``order_line`` is None for shipping and
    for the lines of a rectificativa by differences."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.IntegerField(_("quantity"))
    unit_price_gross = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(_("IVA rate"), max_digits=5, decimal_places=2)
    total_gross = _money(_("total"))
    total_tax = _money(_("IVA"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class InvoiceTaxLine(AppendOnly):
    """The tax base and the quota of an invoice at one rate (DetalleDesglose)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="tax_lines")
    rate = models.DecimalField(_("IVA rate"), max_digits=5, decimal_places=2)
    base = _money(_("tax base"))
    tax = _money(_("IVA"))

    class Meta:
        verbose_name = _("invoice tax line")
        verbose_name_plural = _("invoice tax lines")
        ordering = ("-rate",)
        constraints = [
            models.UniqueConstraint(fields=["invoice", "rate"], name="invoicing_taxline_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.rate} %: {self.base} + {self.tax}"

    @property
    def gross(self) -> Decimal:
        return self.base + self.tax


class VerifactuChain(models.Model):
    """The issuer's one chain of records: its row is locked to append a record, so
    records get consecutive positions and each names the one before it."""

    name = models.CharField(max_length=20, unique=True, default="default")

    class Meta:
        verbose_name = _("VERI*FACTU chain")
        verbose_name_plural = _("VERI*FACTU chains")

    def __str__(self) -> str:
        return self.name


class VerifactuRecord(AppendOnly):
    """A registro de facturación (alta or anulación) as generated and sent.

    ``xml`` is the source of truth: the RegistroAlta/RegistroAnulacion element of
    :func:`invoicing.verifactu.xml.registro`; the huella's inputs are all in it,
    and ``huella`` repeats its Huella for queries and the next record's link.
    """

    class Kind(models.TextChoices):
        ALTA = "alta", _("Registration")
        ANULACION = "anulacion", _("Cancellation")

    position = models.PositiveIntegerField(_("position"), unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="records", verbose_name=_("invoice")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    huella = models.CharField(_("huella"), max_length=64)
    # An alta de subsanación names the alta of the same invoice it corrects (one
    # the AEAT accepted with errors); each record is corrected at most once.
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    generated_at = models.DateTimeField(_("generated"))
    xml = models.TextField("XML")
    created_by = user_reference(_("by"))

    class Meta:
        verbose_name = _("VERI*FACTU record")
        verbose_name_plural = _("VERI*FACTU records")
        ordering = ("position",)
        constraints = [
            models.CheckConstraint(
                condition=Q(position__gte=1), name="invoicing_record_position_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(position=1, previous__isnull=True)
                | Q(position__gt=1, previous__isnull=False),
                name="invoicing_record_first_has_no_previous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} {self.get_kind_display()} {self.invoice_id}"


# The submission models live in their own module (helper "aeat"); Django finds an
# app's models through this module.
class ChainVerification(AppendOnly):
    """One full run of ``invoice_chain_verify``: when, how many records held and
    the first that did not (none: the chain was valid). The records list shows
    the last run instead of walking the whole chain on every load."""

    checked_at = models.DateTimeField(_("checked"))
    records = models.PositiveIntegerField(_("records that hold"))
    broken_position = models.PositiveIntegerField(_("first broken record"), null=True, blank=True)
    broken_invoice = models.CharField(_("its invoice"), max_length=60, blank=True)
    problem = models.TextField(_("problem"), blank=True)

    class Meta:
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")
        ordering = ("-checked_at", "-id")

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {self.records}"


from invoicing.models_submission import RecordAnswer, Submission, SubmissionState  # noqa: E402, F401
