"""Every message of the code has a Spanish translation, compiled."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"


def entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            if key:
                yield key, "".join(re.findall(r'"(.*)"', msgstr.group(1))), block


def test_every_message_is_translated_to_spanish():
    untranslated = [key for key, value, _block in entries() if not value]
    assert untranslated == []


def test_no_fuzzy_translations():
    assert [key for key, _value, block in entries() if "fuzzy" in block] == []


def unescape(value):
    return value.encode("latin-1", "backslashreplace").decode("unicode_escape")


def test_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        key
        for key, value, block in entries()
        if _compiled(catalogue, key, block) != unescape(value)
    ]
    assert stale == [], "run `make messages`"


def _compiled(catalogue, key, block):
    context = re.search(r'^msgctxt "(.*)"', block, re.M)
    if context:
        return catalogue.pgettext(unescape(context.group(1)), unescape(key))
    return catalogue.gettext(unescape(key))
