"""What was sent to the AEAT and what it answered (re-exported by ``invoicing.models``).

A record's submission state is never on the record (records are append-only): it is
the answers stored for it. A record is *pending* while it has no answer saying the
AEAT registered it (``correct`` or ``accepted_with_errors``). Every attempt is a
:class:`Submission`, answered or not (``unavailable``: no answer; ``refused``: the
whole submission refused), with the records it held and, when the AEAT answered, one
:class:`RecordAnswer` per record. :class:`SubmissionState` is the one row whose lock
lets a single worker send at a time, and that remembers the AEAT's wait.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models import AppendOnly, VerifactuRecord
from invoicing.submission.base import RecordStatus, SubmissionStatus
from shop.accounts.fields import user_reference


class Submission(models.Model):
    """One RegFactuSistemaFacturacion sent (or written) by a channel.

    Written once by ``verifactu_submit_pending``; a file channel's submission is
    updated once more, when its answer file is imported."""

    class Status(models.TextChoices):
        CORRECT = SubmissionStatus.CORRECT.value, _("Correct")
        PARTIALLY_CORRECT = SubmissionStatus.PARTIALLY_CORRECT.value, _("Partially correct")
        INCORRECT = SubmissionStatus.INCORRECT.value, _("Incorrect")
        WRITTEN = SubmissionStatus.WRITTEN.value, _("Written, awaiting its answer")
        REFUSED = SubmissionStatus.REFUSED.value, _("Refused as a whole")
        UNAVAILABLE = SubmissionStatus.UNAVAILABLE.value, _("No answer")

    adapter = models.CharField(_("channel"), max_length=30)
    sent_at = models.DateTimeField(_("sent"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    records = models.ManyToManyField(
        VerifactuRecord, related_name="submissions", verbose_name=_("records")
    )
    incident = models.BooleanField(_("sent late (incident)"), default=False)
    request = models.TextField(_("XML sent"), blank=True)
    answer = models.TextField(_("raw answer"), blank=True)
    csv = models.CharField("CSV", max_length=64, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait asked (seconds)"), null=True, blank=True)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    actor = user_reference(_("sent by"))

    class Meta:
        verbose_name = _("VERI*FACTU submission")
        verbose_name_plural = _("VERI*FACTU submissions")
        ordering = ("-sent_at", "-id")
        indexes = [models.Index(fields=["status"], name="invoicing_submission_status")]

    def __str__(self) -> str:
        return f"{self.pk} {self.adapter} {self.get_status_display()}"


class RecordAnswer(AppendOnly):
    """What the AEAT said about one record in one submission (EstadoRegistro, with
    CodigoErrorRegistro/DescripcionErrorRegistro). For a duplicate (3000) ``status``
    is the state of the record the AEAT already held."""

    class Status(models.TextChoices):
        CORRECT = RecordStatus.CORRECT.value, _("Correct")
        ACCEPTED_WITH_ERRORS = RecordStatus.ACCEPTED_WITH_ERRORS.value, _("Accepted with errors")
        INCORRECT = RecordStatus.INCORRECT.value, _("Incorrect")

    REGISTERED = (Status.CORRECT, Status.ACCEPTED_WITH_ERRORS)

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="answers", verbose_name=_("submission")
    )
    record = models.ForeignKey(
        VerifactuRecord, on_delete=models.PROTECT, related_name="answers", verbose_name=_("record")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_text = models.TextField(_("error"), blank=True)
    duplicate = models.BooleanField(_("duplicate"), default=False)
    after_rejection = models.BooleanField(_("sent again after a rejection"), default=False)
    created_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("VERI*FACTU answer")
        verbose_name_plural = _("VERI*FACTU answers")
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "record"], name="invoicing_answer_once_per_submission"
            )
        ]
        indexes = [models.Index(fields=["record", "status"], name="invoicing_answer_record_status")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.get_status_display()}"


class SubmissionState(models.Model):
    """The single row (``pk=1``) locked by whoever is sending, with the time before
    which the AEAT asked not to send again (TiempoEsperaEnvio after the last answer)."""

    next_allowed_at = models.DateTimeField(_("next submission from"), null=True, blank=True)
    last_submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("VERI*FACTU submission state")
        verbose_name_plural = _("VERI*FACTU submission state")

    def __str__(self) -> str:
        return f"next from {self.next_allowed_at}"
