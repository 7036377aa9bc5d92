"""Submission of VERI*FACTU records to the AEAT, behind a small interface.

``base`` is the interface (:class:`VerifactuChannel`) and what every channel shares
(the outgoing records, the results, the errors, the loader of ``VERIFACTU_CHANNEL``);
``answers`` reads the web service's answer; ``aeat`` is the web service itself,
``file`` writes the submissions for another channel, and ``simulator`` plays the AEAT
for the demo and the tests. The services that pick the pending records and store the
answers are in :mod:`invoicing.services_submission`.
"""

from invoicing.submission.base import (
    ChannelError,
    ChannelUnavailable,
    OutgoingRecord,
    RecordKey,
    RecordResult,
    RecordStatus,
    SubmissionRefused,
    SubmissionResult,
    SubmissionStatus,
    VerifactuChannel,
    get_channel,
)

__all__ = [
    "ChannelError",
    "ChannelUnavailable",
    "OutgoingRecord",
    "RecordKey",
    "RecordResult",
    "RecordStatus",
    "SubmissionRefused",
    "SubmissionResult",
    "SubmissionStatus",
    "VerifactuChannel",
    "get_channel",
]
