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


# The answer per active language code, for the ``LANGUAGES`` list it was worked out with.
_memo: tuple[object, dict[str, str]] = (None, {})


def current_language() -> str:
    """The active language if the shop speaks it, else Spanish.

    Called for every translated value (thousands per listing), so the answer per
    active code is remembered while ``LANGUAGES`` stays the same list.
    """
    global _memo
    active = translation.get_language() or DEFAULT_LANGUAGE
    languages, known = _memo
    if languages is not settings.LANGUAGES:
        known = {}
        _memo = (settings.LANGUAGES, known)
    language = known.get(active)
    if language is None:
        code = active.split("-")[0]
        language = code if code in supported_languages() else DEFAULT_LANGUAGE
        known[active] = language
    return language


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
