"""Reads about the submission of VERI*FACTU records: what is pending, what goes next."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from invoicing.models import RecordAnswer, Submission, VerifactuRecord


def _registered() -> Exists:
    return Exists(
        RecordAnswer.objects.filter(record=OuterRef("pk"), status__in=RecordAnswer.REGISTERED)
    )


def records_pending() -> QuerySet[VerifactuRecord]:
    """Records the AEAT has not registered (no answer ``correct`` or
    ``accepted_with_errors``), in chain order."""
    return VerifactuRecord.objects.filter(~_registered()).order_by("position")


def records_to_send(*, now: datetime) -> QuerySet[VerifactuRecord]:
    """The pending records that may go in the next submission, in chain order, each
    annotated with ``was_rejected`` (the AEAT rejected it before).

    Left out: records written to a file whose answer has not come back, and records
    rejected less than ``VERIFACTU_RETRY_REJECTED_AFTER`` seconds ago."""
    awaiting_file = Submission.objects.filter(
        records=OuterRef("pk"), status=Submission.Status.WRITTEN
    )
    rejections = RecordAnswer.objects.filter(
        record=OuterRef("pk"), status=RecordAnswer.Status.INCORRECT
    )
    retry_before = now - timedelta(seconds=settings.VERIFACTU_RETRY_REJECTED_AFTER)
    return (
        records_pending()
        .filter(~Exists(awaiting_file))
        .annotate(
            was_rejected=Exists(rejections),
            last_rejected_at=Subquery(rejections.order_by("-created_at").values("created_at")[:1]),
        )
        .filter(Q(last_rejected_at__isnull=True) | Q(last_rejected_at__lte=retry_before))
    )


def with_rejections(
    records: QuerySet[VerifactuRecord], *, before: datetime
) -> QuerySet[VerifactuRecord]:
    """``records`` annotated with ``was_rejected``: rejected by the AEAT before ``before``."""
    return records.annotate(
        was_rejected=Exists(
            RecordAnswer.objects.filter(
                record=OuterRef("pk"), status=RecordAnswer.Status.INCORRECT, created_at__lt=before
            )
        )
    ).order_by("position")


def submissions_awaiting_answer() -> QuerySet[Submission]:
    """File channel submissions whose answer has not been imported, oldest first."""
    return Submission.objects.filter(status=Submission.Status.WRITTEN).order_by("sent_at", "id")
