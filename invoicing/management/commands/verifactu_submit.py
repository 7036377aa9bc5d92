"""Send the pending VERI*FACTU records now: ``verifactu_submit``.

The same service as the beat task: it honours the AEAT's wait and the lock, imports
the file channel's answers first, and prints what it sent and what came back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from typing_extensions import override

from invoicing.services_submission import verifactu_answers_import, verifactu_submit_pending


class Command(BaseCommand):
    help = "Send the pending VERI*FACTU records to the AEAT (or the configured channel)."

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        for answered in verifactu_answers_import():
            self.stdout.write(
                f"Imported the answer of submission {answered.pk}: {answered.status}."
            )
        outcome = verifactu_submit_pending()
        until = (
            f"{timezone.localtime(outcome.next_allowed_at):%Y-%m-%d %H:%M:%S}"
            if outcome.next_allowed_at
            else "-"
        )
        submission = outcome.submission
        if submission is None:
            messages = {
                "nothing_pending": "Nothing pending.",
                "waiting": f"Waiting: the AEAT asked for no submission before {until}.",
                "busy": "Another worker is sending now.",
            }
            self.stdout.write(messages[outcome.result])
            return
        records = list(submission.records.order_by("position"))
        self.stdout.write(
            f"Submission {submission.pk} via {submission.adapter}: {len(records)} records "
            f"(positions {records[0].position}-{records[-1].position}), "
            f"status {submission.status}"
            + (f", CSV {submission.csv}" if submission.csv else "")
            + (f", file {submission.reference}.xml" if submission.reference else "")
            + f"; next submission from {until}."
        )
        if submission.error:
            self.stdout.write(self.style.WARNING(f"  {submission.error}"))
        for answer in submission.answers.select_related("record").order_by("record__position"):
            detail = f" [{answer.error_code}] {answer.error_text}" if answer.error_code else ""
            duplicate = " (duplicate: already held)" if answer.duplicate else ""
            style = self.style.SUCCESS if answer.status == "correct" else self.style.WARNING
            self.stdout.write(
                style(f"  {answer.record.position}: {answer.status}{duplicate}{detail}")
            )
