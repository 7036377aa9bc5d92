"""Translatable content: Spanish in the base column, other languages in ``<field>_<lang>``.

Every translatable model keeps the Spanish text in the plain field (required)
and the English text in ``<field>_en`` (optional); reads fall back to Spanish
when a translation is blank.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation

DEFAULT_LANGUAGE = "es"


def supported_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    language = (translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return language if language in supported_languages() else DEFAULT_LANGUAGE


def localized(obj: models.Model, field: str, language: str | None = None) -> str:
    """The value of ``field`` in ``language`` (default: the active one), or Spanish."""
    language = language or current_language()
    if language != DEFAULT_LANGUAGE:
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return str(value)
    return str(getattr(obj, field))


def translated_fields(field: str) -> list[str]:
    """``["title", "title_en"]`` -- the columns behind one translatable field."""
    return [field] + [f"{field}_{code}" for code in supported_languages() if code != "es"]
