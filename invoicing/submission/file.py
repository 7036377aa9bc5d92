"""The file channel: each submission is written to ``VERIFACTU_FILE_DIR`` as
``<reference>.xml`` (the RegFactuSistemaFacturacion in its SOAP envelope, exactly the
bytes the ``aeat`` channel would post) for another program to deliver.

Its records are then "sent to file": not pending for sending (they are not written
twice) but not registered either. They stop being pending when that program drops the
AEAT's answer beside it as ``<reference>.answer.xml`` and ``verifactu_answers_import``
(also run by the beat task) reads it: the answer is stored per record exactly as if
the web service had given it, and the rejected records are sent again.

Each file is written to a temporary file in the same directory and renamed, so a
reader never sees half of one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from invoicing.submission.aeat import checked_request
from invoicing.submission.base import (
    OutgoingRecord,
    SubmissionResult,
    SubmissionStatus,
    VerifactuChannel,
)
from shop.files import write_atomically

ANSWER_SUFFIX = ".answer.xml"


def file_dir() -> Path:
    return Path(settings.VERIFACTU_FILE_DIR)


def answer_path(reference: str) -> Path:
    """Where the answer to the submission ``reference`` is expected."""
    return file_dir() / f"{reference}{ANSWER_SUFFIX}"


class FileChannel(VerifactuChannel):
    """Writes submissions as files; the answers come back as files."""

    name = "file"

    def submit(self, records: Sequence[OutgoingRecord], *, incident: bool) -> SubmissionResult:
        """Write ``VF-<UTC time>-<SHA-256 prefix>.xml``; returns a ``written`` result
        without record results. A document the schema refuses is not written
        (:class:`SubmissionRefused`); a write that fails raises ``OSError``."""
        request = checked_request(records, incident=incident, refusal="Not written")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
        reference = f"VF-{stamp}-{hashlib.sha256(request).hexdigest()[:12]}"
        write_atomically(file_dir() / f"{reference}.xml", request)
        return SubmissionResult(
            status=SubmissionStatus.WRITTEN, request=request, reference=reference
        )
