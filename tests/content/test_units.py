"""Direct tests of the rich-text sanitiser and of the translated-field reader."""

from __future__ import annotations

import pytest
from django.utils import translation

from shop.content.models import FaqCategory, HomePageSection
from shop.content.services import clean_rich_text
from shop.i18n import current_language, localized, translated_fields


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        pytest.param("<script>alert(1)</script>", "", id="script with its content"),
        pytest.param("<style>p { color: red }</style><p>x</p>", "<p>x</p>", id="style"),
        pytest.param('<p onclick="steal()">Hola</p>', "<p>Hola</p>", id="event handler"),
        pytest.param('<p style="color: red" class="x" id="y">Hola</p>', "<p>Hola</p>", id="attrs"),
        pytest.param('<img src="x" onerror="alert(1)">', "", id="img"),
        pytest.param('<iframe src="https://evil.example"></iframe>ok', "ok", id="iframe"),
        pytest.param("<h1>Título</h1><div>caja</div>", "Títulocaja", id="unknown tags unwrapped"),
        pytest.param(
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer">x</a>',
            id="javascript link",
        ),
        pytest.param(
            '<a href="data:text/html,hi">x</a>',
            '<a rel="noopener noreferrer">x</a>',
            id="data link",
        ),
        pytest.param(
            '<a href="https://tiendadelagua.es" title="Tienda" target="_blank">x</a>',
            '<a href="https://tiendadelagua.es" title="Tienda" rel="noopener noreferrer">x</a>',
            id="https link",
        ),
        pytest.param(
            '<a href="mailto:hola@tiendadelagua.es">x</a>',
            '<a href="mailto:hola@tiendadelagua.es" rel="noopener noreferrer">x</a>',
            id="mailto link",
        ),
        pytest.param("5 < 6 & 7", "5 &lt; 6 &amp; 7", id="text is escaped"),
        pytest.param("", "", id="empty"),
    ],
)
def test_clean_rich_text_removes_what_is_not_allowed(dirty, clean):
    # given: dirty HTML

    # when
    result = clean_rich_text(dirty)

    # then
    assert result == clean


def test_clean_rich_text_keeps_the_formatting_tags():
    # given
    html = (
        "<h2>A</h2><h3>B</h3><p>Uno<br>dos</p><ul><li><strong>x</strong></li></ul>"
        "<ol><li><em>y</em></li></ol><blockquote>cita</blockquote>"
    )

    # when
    result = clean_rich_text(html)

    # then
    assert result == html


def test_clean_rich_text_is_idempotent():
    # given
    once = clean_rich_text(
        '<p onclick="x()">Hola <a href="https://a.es">a</a></p><script>1</script>'
    )

    # when
    twice = clean_rich_text(once)

    # then
    assert twice == once


def test_localized_reads_spanish_by_default():
    # given
    section = HomePageSection(title="Bienvenida", title_en="Welcome")

    # when
    with translation.override("es"):
        title = localized(section, "title")

    # then
    assert title == "Bienvenida"


def test_localized_reads_the_active_language():
    # given
    section = HomePageSection(title="Bienvenida", title_en="Welcome")

    # when
    with translation.override("en"):
        title = localized(section, "title")

    # then
    assert title == "Welcome"


def test_localized_falls_back_to_spanish_for_a_blank_translation():
    # given
    category = FaqCategory(name="Envíos", name_en="")

    # when
    with translation.override("en"):
        name = localized(category, "name")

    # then
    assert name == "Envíos"


def test_localized_with_an_explicit_language_ignores_the_active_one():
    # given
    category = FaqCategory(name="Envíos", name_en="Shipping")

    # when
    with translation.override("es"):
        english = localized(category, "name", "en")
    with translation.override("en"):
        spanish = localized(category, "name", "es")

    # then
    assert (english, spanish) == ("Shipping", "Envíos")


def test_localized_falls_back_to_spanish_for_an_unsupported_language():
    # given
    category = FaqCategory(name="Envíos", name_en="Shipping")

    # when
    with translation.override("fr"):
        name = localized(category, "name")
        language = current_language()

    # then
    assert (name, language) == ("Envíos", "es")


def test_localized_uses_the_base_language_of_a_regional_variant():
    # given
    category = FaqCategory(name="Envíos", name_en="Shipping")

    # when
    with translation.override("en-gb"):
        name = localized(category, "name")

    # then
    assert name == "Shipping"


def test_translated_fields_lists_the_columns_of_a_field():
    # given / when
    fields = translated_fields("title")

    # then
    assert fields == ["title", "title_en"]
