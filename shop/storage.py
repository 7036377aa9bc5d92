"""Where media files live: local disk (the default) or an S3-compatible object store.

Two storages, as ``settings.STORAGES`` names them:

- ``default``: public media (product and category images, thumbnails), shown to
  every visitor. On disk it is served under ``MEDIA_URL`` by :mod:`shop.media`;
  on S3 its objects are read straight from the bucket (or a CDN in front of it).
- ``private``: claim photos and invoice PDFs. Never public: the shop streams them
  through its own signed, expiring links (``orders.views``, ``invoicing.views``),
  which check who may see them; on S3 any URL the storage itself makes is a
  presigned one.

:func:`s3_storages` builds both from the environment, so every instance of a
multi-instance deployment reads and writes the same bucket.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Product images and thumbnails get a fresh name on every upload
# (catalog.services.media), so a cached copy never goes stale.
IMMUTABLE_PREFIXES = ("products/",)
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
PUBLIC_CACHE = "public, max-age=86400"


def cache_control(name: str) -> str:
    """The ``Cache-Control`` a public media file is served with."""
    return IMMUTABLE_CACHE if name.startswith(IMMUTABLE_PREFIXES) else PUBLIC_CACHE


def s3_storages(environ: os._Environ[str] | dict[str, str]) -> dict[str, dict[str, Any]]:
    """``STORAGES["default"]`` and ``["private"]`` on S3, from ``S3_*`` variables.

    ``S3_BUCKET`` (required), ``S3_PRIVATE_BUCKET`` (default: the same bucket),
    ``S3_MEDIA_PREFIX`` (``media``) and ``S3_PRIVATE_PREFIX`` (``private``),
    ``S3_ENDPOINT_URL`` (any S3-compatible server; AWS when empty), ``S3_REGION``,
    ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` (boto3's own credential chain
    when empty), ``S3_CUSTOM_DOMAIN`` (a CDN host serving the public prefix) and
    ``S3_SIGNED_URL_SECONDS`` (lifetime of presigned private URLs, 600).
    """
    bucket = environ.get("S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("S3_BUCKET must name the media bucket.")
    private_bucket = environ.get("S3_PRIVATE_BUCKET", "").strip() or bucket
    media_prefix = environ.get("S3_MEDIA_PREFIX", "media").strip("/")
    private_prefix = environ.get("S3_PRIVATE_PREFIX", "private").strip("/")
    if private_bucket == bucket and (
        not private_prefix
        or not media_prefix
        or private_prefix.startswith(media_prefix + "/")
        or private_prefix == media_prefix
    ):
        raise ImproperlyConfigured(
            "S3_MEDIA_PREFIX and S3_PRIVATE_PREFIX must be distinct, non-empty folders "
            "when both storages share one bucket (set S3_PRIVATE_BUCKET otherwise)."
        )
    try:
        expire = int(environ.get("S3_SIGNED_URL_SECONDS") or 600)
    except ValueError as exc:
        raise ImproperlyConfigured("S3_SIGNED_URL_SECONDS must be an integer.") from exc
    common: dict[str, Any] = {
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "region_name": environ.get("S3_REGION") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        # Never overwrite: two uploads with one name both keep their files, as on disk.
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    return {
        "default": {
            "BACKEND": "shop.s3.PublicMediaStorage",
            "OPTIONS": {
                **common,
                "bucket_name": bucket,
                "location": media_prefix,
                # Public objects: plain URLs, readable by the bucket policy on this prefix.
                "querystring_auth": False,
                "custom_domain": environ.get("S3_CUSTOM_DOMAIN") or None,
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "location": private_prefix,
                "querystring_auth": True,
                "querystring_expire": expire,
            },
        },
    }
