"""Claim photos: private files served only through short-lived signed links.

The API hands a link to those who may see the claim (its customer, the holder
of the order token, claims staff); the link names the photo by a random token,
is signed, and expires after ``PHOTO_LINK_SECONDS``.
"""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from orders.models import ClaimAttachment

PHOTO_LINK_SECONDS = 3600
SALT = "orders.claim-photo"


def claim_photo_url(attachment: ClaimAttachment) -> str:
    signed = signing.dumps(str(attachment.token), salt=SALT, compress=False)
    return reverse("claim-photo", args=[signed])


@require_GET
def claim_photo(request: HttpRequest, signed: str) -> FileResponse:
    try:
        token = signing.loads(signed, salt=SALT, max_age=PHOTO_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    attachment = ClaimAttachment.objects.filter(token=token).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.image.open("rb"), content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
