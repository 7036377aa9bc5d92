"""The S3 storage classes (a module of their own: boto3 loads only when S3 is configured)."""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage

from shop.storage import cache_control


class PublicMediaStorage(S3Storage):
    """Public media on S3, each object stored with the ``Cache-Control`` the disk
    view sends (:func:`shop.storage.cache_control`)."""

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        parameters: dict[str, Any] = super().get_object_parameters(name)
        # ``name`` is the object's key here: its folder (``location``) first.
        relative = name.removeprefix(f"{self.location}/") if self.location else name
        parameters.setdefault("CacheControl", cache_control(relative))
        return parameters
