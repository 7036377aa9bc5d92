"""Claim photos: private files served only through short-lived signed links.

The API hands a link to those who may see the claim (its customer, the holder
of the order token, claims staff); the link names the photo by a random token,
is signed, and expires after ``PHOTO_LINK_SECONDS``. A photo whose file is gone
from the storage is not found, like one that never existed.
"""

from __future__ import annotations

import logging

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from orders.models import ClaimAttachment

PHOTO_LINK_SECONDS = 3600
SALT = "orders.claim-photo"

logger = logging.getLogger(__name__)


def claim_photo_url(attachment: ClaimAttachment) -> str:
    signed = signing.dumps(str(attachment.token), salt=SALT, compress=False)
    return reverse("claim-photo", args=[signed])


@require_GET
def claim_photo(_request: HttpRequest, signed: str) -> FileResponse:
    try:
        token = signing.loads(signed, salt=SALT, max_age=PHOTO_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    attachment = ClaimAttachment.objects.filter(token=token).first()
    if attachment is None:
        raise Http404
    response = claim_photo_response(attachment)
    response["Cache-Control"] = "private, max-age=600"
    return response


def claim_photo_response(attachment: ClaimAttachment) -> FileResponse:
    """The photo's file, streamed, for whoever the caller has let see it.
    Raises ``Http404`` when the file is missing from the private storage."""
    try:
        stream = attachment.image.open("rb")
    except FileNotFoundError:
        logger.warning(
            "Claim photo %s: %s is missing from storage.", attachment.pk, attachment.image.name
        )
        raise Http404 from None
    response = FileResponse(stream, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
