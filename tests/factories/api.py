"""What the API's callers handle: global IDs."""

from __future__ import annotations

from strawberry import relay


def gid(type_name: str, pk: int | str) -> str:
    """The global ID the API gives an object of ``type_name``."""
    return relay.to_base64(type_name, pk)
