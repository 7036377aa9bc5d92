"""Product search: full text on PostgreSQL (Spanish and English, accent-insensitive,
ranked), an accent- and case-insensitive substring elsewhere; both also search the
product's category names."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.models import Category, Product
from tests.catalog.storefront_factories import EN, gid, priced_product, slugs
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRODUCT_LIST = operation("storefront/ProductList")
BY_NAME = {"field": "NAME"}

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL searches full text instead"
)


def search(gql, text: str, **variables) -> list[str]:
    return slugs(gql(PRODUCT_LIST, {"search": text, **variables}))


def _catalogue() -> None:
    ProductFactory(
        name="Grifo de cocina",
        name_en="Kitchen tap",
        slug="grifo-cocina",
        description="<p>Monomando de latón.</p>",
        description_en="<p>Brass single-lever mixer.</p>",
    )
    ProductFactory(
        name="Rociador de ducha",
        name_en="Shower head",
        slug="rociador",
        description="<p>Cinco chorros, antical.</p>",
        description_en="<p>Five jets, anti-limescale.</p>",
    )
    ProductFactory(
        name="Aireador",
        name_en="Tap aerator",
        slug="aireador",
        description="<p>Ahorra agua en el grifo.</p>",
        description_en="<p>Saves water.</p>",
    )
    ProductFactory(
        name="Cartucho cerámico",
        name_en="Ceramic cartridge",
        slug="cartucho",
        description="<p>Recambio de 35 mm.</p>",
        description_en="<p>35 mm spare.</p>",
    )


# --- Both databases: accents, case and category names --------------------------------


def _garden() -> None:
    garden = CategoryFactory(name="Riego de jardín", name_en="Garden watering", slug="riego")
    plumbing = CategoryFactory(name="Fontanería", name_en="Plumbing", slug="fontaneria")
    ProductFactory(
        name="Programador de riego",
        name_en="Watering timer",
        slug="programador",
        category=garden,
        description="<p>Cuatro riegos al día.</p>",
        description_en="",
    )
    ProductFactory(
        name="Kit de goteo", name_en="Drip kit", slug="goteo", category=garden, description=""
    )
    ProductFactory(
        name="Arqueta",
        name_en="Meter box",
        slug="arqueta",
        category=plumbing,
        description="<p>Para la acera o el JARDÍN.</p>",
        description_en="",
    )
    ProductFactory(
        name="Llave de paso",
        name_en="Stop valve",
        slug="llave",
        category=plumbing,
        description="<p>Latón.</p>",
        description_en="",
    )


@pytest.mark.parametrize("text", ["jardín", "jardin", "JARDÍN", "JARDIN", "Jardín"])
def test_search_ignores_accents_and_case_in_names_descriptions_and_categories(gql, text):
    _garden()

    found = search(gql, text, sortBy=BY_NAME)

    assert found == ["arqueta", "goteo", "programador"]


@pytest.mark.parametrize(
    ("text", "headers"),
    [("fontaneria", {}), ("FONTANERÍA", {}), ("plumbing", EN), ("Plumbing", {})],
    ids=["spanish-unaccented", "spanish-upper-accented", "english", "english-name-in-spanish"],
)
def test_search_finds_the_products_of_a_category_by_its_name(gql, text, headers):
    _garden()

    found = search(gql, text, headers=headers, sortBy=BY_NAME)

    assert found == ["arqueta", "llave"]


def test_search_follows_a_renamed_category_and_a_moved_product(gql):
    _garden()
    category = Category.objects.get(slug="fontaneria")
    category.name, category.name_en = "Saneamiento", "Sanitation"
    category.save()
    Product.objects.filter(slug="goteo").update(category=category)
    # ``update()`` skips ``save()``; the search must not depend on it.

    assert search(gql, "saneamiento", sortBy=BY_NAME) == ["arqueta", "goteo", "llave"]
    assert search(gql, "fontaneria") == []
    assert search(gql, "jardin", sortBy=BY_NAME) == ["arqueta", "programador"]


def test_search_for_nonsense_finds_nothing(gql):
    _garden()

    body = gql(PRODUCT_LIST, {"search": "xqzwv"})

    assert body["data"]["products"]["totalCount"] == 0
    assert slugs(body) == []


# --- SQLite: substrings --------------------------------------------------------------


@on_sqlite
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GRIFO", ["aireador", "grifo-cocina"]),
        ("ducha", ["rociador"]),
        ("shower", ["rociador"]),
        ("antical", ["rociador"]),
        ("anti-limescale", ["rociador"]),
        ("  cartucho  ", ["cartucho"]),
        ("bañera", []),
    ],
    ids=[
        "name-any-case",
        "name",
        "english-name",
        "description",
        "english-description",
        "trimmed",
        "nothing",
    ],
)
def test_sqlite_search_matches_a_substring_of_names_and_descriptions(gql, text, expected):
    _catalogue()

    found = search(gql, text, sortBy=BY_NAME)

    assert found == expected


@on_sqlite
def test_sqlite_search_matches_a_variant_sku_exactly(gql):
    _catalogue()
    cartridge = ProductFactory(name="Recambio", slug="recambio")
    VariantFactory(product=cartridge, sku="CRT-35")

    assert search(gql, "crt-35") == ["recambio"]
    assert search(gql, "CRT") == []


@on_sqlite
def test_sqlite_blank_search_lists_everything_by_name(gql):
    _catalogue()

    assert search(gql, "   ") == ["aireador", "cartucho", "grifo-cocina", "rociador"]


@on_sqlite
def test_sqlite_search_combines_with_filters(gql):
    taps = CategoryFactory(slug="griferia")
    priced_product("15.00", name="Grifo lavabo", slug="grifo-barato", category=taps)
    priced_product("85.00", name="Grifo cocina", slug="grifo-caro", category=taps)
    priced_product("15.00", name="Grifo jardín", slug="grifo-otra-categoria")
    priced_product("15.00", name="Llave de paso", slug="llave", category=taps)

    body = gql(
        PRODUCT_LIST,
        {
            "search": "grifo",
            "filter": {"categories": [gid("Category", taps.pk)], "price": {"lte": "20"}},
        },
    )

    assert body["data"]["products"]["totalCount"] == 1
    assert slugs(body) == ["grifo-barato"]


# --- PostgreSQL: full text -------------------------------------------------------------


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("grifos", ["aireador", "grifo-cocina"]),
        ("rociadores", ["rociador"]),
        ("cartuchos cerámicos", ["cartucho"]),
        ("recambios", ["cartucho"]),
    ],
    ids=["plural-name-and-description", "plural", "two-plurals", "plural-in-description"],
)
def test_search_stems_spanish_words(gql, text, expected):
    _catalogue()

    assert search(gql, text, sortBy=BY_NAME) == expected


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ceramico", ["cartucho"]),
        ("dúcha", ["rociador"]),
        ("cartuchó", ["cartucho"]),
        ("LATON", ["grifo-cocina"]),
    ],
    ids=["accent-in-product", "accent-in-query", "accent-in-query-only", "case-and-accent"],
)
def test_search_ignores_accents_both_ways(gql, text, expected):
    _catalogue()

    assert search(gql, text, sortBy=BY_NAME) == expected


@pytest.mark.postgres
@needs_postgresql
def test_search_ignores_accents_of_the_product_text_when_the_query_has_none(gql):
    ProductFactory(name="Válvula de ósmosis", name_en="", slug="valvula", description="")
    ProductFactory(name="Cañería", name_en="", slug="caneria", description="")

    assert search(gql, "valvula osmosis") == ["valvula"]
    assert search(gql, "caneria") == ["caneria"]


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tap aerator", ["aireador"]),
        ("aerators", ["aireador"]),
        ("showers", ["rociador"]),
        ("mixers", ["grifo-cocina"]),
        ("tap connector", []),
    ],
    ids=["english-name", "english-plural", "english-plural-2", "english-description", "all-words"],
)
def test_search_understands_english(gql, text, expected):
    _catalogue()

    assert search(gql, text, headers=EN, sortBy=BY_NAME) == expected


@pytest.mark.postgres
@needs_postgresql
def test_search_ranks_a_name_match_above_a_description_only_match(gql):
    ProductFactory(name="Filtro de carbón", name_en="Carbon filter", slug="filtro", description="")
    ProductFactory(
        name="Abrazadera",
        name_en="Clamp",
        slug="abrazadera",
        description="<p>Sujeta el filtro a la tubería.</p>",
    )
    ProductFactory(name="Bomba", name_en="Pump", slug="bomba", description="<p>Sin nada.</p>")

    body = gql(PRODUCT_LIST, {"search": "filtro"})

    assert body["data"]["products"]["totalCount"] == 2
    assert slugs(body) == ["filtro", "abrazadera"]


@pytest.mark.postgres
@needs_postgresql
def test_search_sorted_explicitly_ignores_relevance(gql):
    ProductFactory(name="Filtro de carbón", slug="filtro", description="")
    ProductFactory(name="Abrazadera", slug="abrazadera", description="<p>Sujeta el filtro.</p>")

    by_name = search(gql, "filtro", sortBy=BY_NAME)
    by_relevance_ascending = search(gql, "filtro", sortBy={"field": "RANK", "direction": "ASC"})

    assert by_name == ["abrazadera", "filtro"]
    assert by_relevance_ascending == ["abrazadera", "filtro"]


@pytest.mark.postgres
@needs_postgresql
def test_search_does_not_match_html_markup(gql):
    ProductFactory(name="Grifo", slug="grifo", description="<p><strong>Latón</strong></p>")

    assert search(gql, "strong") == []
    assert search(gql, "laton") == ["grifo"]


@pytest.mark.postgres
@needs_postgresql
def test_search_combines_with_filters_and_counts_only_matches(gql):
    taps = CategoryFactory(slug="griferia")
    priced_product("15.00", name="Grifo de lavabo", slug="grifo-barato", category=taps)
    priced_product("85.00", name="Grifo de cocina", slug="grifo-caro", category=taps)
    priced_product("15.00", name="Grifo de jardín", slug="grifo-otra-categoria")
    priced_product("15.00", name="Llave de paso", slug="llave", category=taps)
    priced_product(
        "12.00",
        name="Llave de escuadra",
        slug="llave-escuadra",
        category=taps,
        description="<p>Para el grifo del lavabo.</p>",
    )

    body = gql(
        PRODUCT_LIST,
        {
            "search": "grifos",
            "filter": {"categories": [gid("Category", taps.pk)], "price": {"lte": "20"}},
        },
    )

    assert body["data"]["products"]["totalCount"] == 2
    assert slugs(body) == ["grifo-barato", "llave-escuadra"]


@pytest.mark.postgres
@needs_postgresql
def test_search_finds_a_product_renamed_after_creation(gql):
    product = ProductFactory(name="Nombre provisional", slug="renombrado", description="")
    product.name = "Descalcificador"
    product.save()

    assert search(gql, "descalcificadores") == ["renombrado"]
    assert search(gql, "provisional") == []


@on_sqlite
def test_fallback_search_ranks_a_name_match_above_a_description_only_match(gql):
    ProductFactory(name="Abrazadera", slug="abrazadera", description="<p>Sujeta el filtro.</p>")
    ProductFactory(name="Filtro de carbón", slug="filtro", description="")

    body = gql(PRODUCT_LIST, {"search": "filtro"})

    assert body["data"]["products"]["totalCount"] == 2
    assert slugs(body) == ["filtro", "abrazadera"]
