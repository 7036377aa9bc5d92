"""Errors shared by every app's services and selectors."""

from __future__ import annotations


class NotFound(LookupError):
    """Raised by a selector when the object does not exist *or* the caller may not
    see it: one error for both, so nobody learns which IDs or tokens exist.

    ``message`` overrides the API's generic "Not found." where a domain words it
    its own way.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "not found")
        self.message = message
