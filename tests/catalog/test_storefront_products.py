"""The storefront's product listing: page, total, sort orders and filters."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog import models
from tests.catalog.storefront_factories import (
    EN,
    AttributeChoiceFactory,
    AttributeFactory,
    AttributeValueFactory,
    CollectionFactory,
    curate,
    gid,
    priced_product,
    slugs,
)
from tests.factories.catalog import (
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    StockFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRODUCT_LIST = operation("storefront/ProductList")


def cursor(offset: int) -> str:
    return gid("arrayconnection", offset)


def page(body: dict) -> tuple[int, bool, list[str]]:
    """(totalCount, hasNextPage, slugs) of a ``products`` page."""
    products = body["data"]["products"]
    return products["totalCount"], products["pageInfo"]["hasNextPage"], slugs(body)


def test_listing_shows_a_product_card_with_prices_stock_and_thumbnail(gql):
    category = CategoryFactory(name="Grifería", slug="griferia")
    product = ProductFactory(name="Grifo monomando", slug="grifo-monomando", category=category)
    warehouse = WarehouseFactory(slug="central")
    chrome = VariantFactory(
        product=product, sku="GRF-CR", name="Cromado", price=Decimal("60.50"), position=0
    )
    black = VariantFactory(
        product=product,
        sku="GRF-NG",
        name="Negro",
        price=Decimal("72.60"),
        compare_at_price=Decimal("90.00"),
        position=1,
    )
    StockFactory(variant=chrome, warehouse=warehouse, quantity=3, allocated=1)
    MediaFactory(product=product, alt="Grifo cromado")

    body = gql(PRODUCT_LIST)

    assert body == {
        "data": {
            "products": {
                "totalCount": 1,
                "pageInfo": {"hasNextPage": False, "endCursor": cursor(0)},
                "edges": [
                    {
                        "node": {
                            "id": gid("Product", product.pk),
                            "name": "Grifo monomando",
                            "slug": "grifo-monomando",
                            "isAvailable": True,
                            "category": {
                                "id": gid("Category", category.pk),
                                "name": "Grifería",
                                "slug": "griferia",
                            },
                            "thumbnail": {
                                "url": "/media/products/thumbs/sample-480.webp",
                                "alt": "Grifo cromado",
                            },
                            "pricing": {
                                "onSale": True,
                                "priceRangeUndiscounted": {
                                    "start": {"gross": {"amount": "60.50", "currency": "EUR"}}
                                },
                                "priceRange": {
                                    "start": {"gross": {"amount": "60.50", "currency": "EUR"}},
                                    "stop": {"gross": {"amount": "72.60", "currency": "EUR"}},
                                },
                            },
                            "variants": [
                                {
                                    "id": gid("ProductVariant", chrome.pk),
                                    "sku": "GRF-CR",
                                    "name": "Cromado",
                                    "isAvailable": True,
                                    "quantityAvailable": 2,
                                    "price": {
                                        "net": {"amount": "50.00"},
                                        "gross": {"amount": "60.50", "currency": "EUR"},
                                        "tax": {"amount": "10.50"},
                                    },
                                },
                                {
                                    "id": gid("ProductVariant", black.pk),
                                    "sku": "GRF-NG",
                                    "name": "Negro",
                                    "isAvailable": False,
                                    "quantityAvailable": 0,
                                    "price": {
                                        "net": {"amount": "60.00"},
                                        "gross": {"amount": "72.60", "currency": "EUR"},
                                        "tax": {"amount": "12.60"},
                                    },
                                },
                            ],
                        }
                    }
                ],
            }
        }
    }


def test_pages_follow_each_other_without_overlap_and_keep_the_total(gql):
    for letter in "ECADB":
        ProductFactory(name=f"Filtro {letter}", slug=f"filtro-{letter.lower()}")

    first = gql(PRODUCT_LIST, {"first": 2})
    second = gql(
        PRODUCT_LIST, {"first": 2, "after": first["data"]["products"]["pageInfo"]["endCursor"]}
    )
    third = gql(
        PRODUCT_LIST, {"first": 2, "after": second["data"]["products"]["pageInfo"]["endCursor"]}
    )

    assert [page(first), page(second), page(third)] == [
        (5, True, ["filtro-a", "filtro-b"]),
        (5, True, ["filtro-c", "filtro-d"]),
        (5, False, ["filtro-e"]),
    ]


def test_products_with_the_same_name_are_paged_by_creation_without_overlap(gql):
    twins = [ProductFactory(name="Junta tórica", slug=f"junta-{n}") for n in range(3)]

    first = gql(PRODUCT_LIST, {"first": 2})
    second = gql(
        PRODUCT_LIST, {"first": 2, "after": first["data"]["products"]["pageInfo"]["endCursor"]}
    )

    assert [page(first), page(second)] == [
        (3, True, [twins[0].slug, twins[1].slug]),
        (3, False, [twins[2].slug]),
    ]


def test_default_order_is_by_spanish_name(gql):
    ProductFactory(name="Ducha de mano", name_en="Hand shower", slug="ducha")
    ProductFactory(name="Arqueta", name_en="Manhole", slug="arqueta")
    ProductFactory(name="Bomba de agua", name_en="Water pump", slug="bomba")
    ProductFactory(name="Cartucho", name_en="", slug="cartucho")

    body = gql(PRODUCT_LIST)

    assert slugs(body) == ["arqueta", "bomba", "cartucho", "ducha"]


def test_default_order_in_english_is_by_english_name_falling_back_to_spanish(gql):
    ProductFactory(name="Ducha de mano", name_en="Hand shower", slug="ducha")
    ProductFactory(name="Arqueta", name_en="Manhole", slug="arqueta")
    ProductFactory(name="Bomba de agua", name_en="Water pump", slug="bomba")
    ProductFactory(name="Cartucho", name_en="", slug="cartucho")

    body = gql(PRODUCT_LIST, headers=EN)

    assert [
        (edge["node"]["slug"], edge["node"]["name"]) for edge in body["data"]["products"]["edges"]
    ] == [
        ("cartucho", "Cartucho"),
        ("ducha", "Hand shower"),
        ("arqueta", "Manhole"),
        ("bomba", "Water pump"),
    ]


def test_sort_by_name_descending(gql):
    for name in ("Bomba", "Arqueta", "Cartucho"):
        ProductFactory(name=name, slug=name.lower())

    body = gql(PRODUCT_LIST, {"sortBy": {"field": "NAME", "direction": "DESC"}})

    assert slugs(body) == ["cartucho", "bomba", "arqueta"]


def _products_priced_for_sorting() -> None:
    """Cheapest variants: medium 20, cheap 10 (its dearest is the dearest of all),
    dear 30; ``unpriced`` has no variant."""
    priced_product("30.00", "50.00", name="A dear", slug="dear")
    priced_product("80.00", "10.00", name="B cheap", slug="cheap")
    ProductFactory(name="C unpriced", slug="unpriced")
    priced_product("20.00", name="D medium", slug="medium")


def test_sort_by_price_ascending_uses_the_cheapest_variant(gql):
    _products_priced_for_sorting()

    body = gql(PRODUCT_LIST, {"sortBy": {"field": "PRICE"}})

    assert slugs(body) == ["cheap", "medium", "dear", "unpriced"]


def test_sort_by_price_descending_uses_the_cheapest_variant_and_keeps_unpriced_last(gql):
    _products_priced_for_sorting()

    body = gql(PRODUCT_LIST, {"sortBy": {"field": "PRICE", "direction": "DESC"}})

    assert slugs(body) == ["dear", "medium", "cheap", "unpriced"]


def test_sort_by_created_descending_lists_the_newest_first(gql):
    march = ProductFactory(name="A", slug="marzo")
    january = ProductFactory(name="B", slug="enero")
    february = ProductFactory(name="C", slug="febrero")
    for product, month in ((march, 3), (january, 1), (february, 2)):
        models.Product.objects.filter(pk=product.pk).update(
            created_at=datetime(2025, month, 1, tzinfo=UTC)
        )

    body = gql(PRODUCT_LIST, {"sortBy": {"field": "CREATED", "direction": "DESC"}})

    assert slugs(body) == ["marzo", "febrero", "enero"]


def test_category_filter_includes_every_sub_category(gql):
    taps = CategoryFactory(name="Grifería", slug="griferia")
    mixers = CategoryFactory(name="Monomandos", slug="monomandos", parent=taps)
    thermostatic = CategoryFactory(name="Termostáticos", slug="termostaticos", parent=mixers)
    showers = CategoryFactory(name="Duchas", slug="duchas")
    ProductFactory(name="A", slug="grifo", category=taps)
    ProductFactory(name="B", slug="monomando", category=mixers)
    ProductFactory(name="C", slug="termostatico", category=thermostatic)
    ProductFactory(name="D", slug="ducha", category=showers)

    whole_tree = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Category", taps.pk)]}})
    subtree = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Category", mixers.pk)]}})
    two = gql(
        PRODUCT_LIST,
        {"filter": {"categories": [gid("Category", showers.pk), gid("Category", thermostatic.pk)]}},
    )

    assert page(whole_tree) == (3, False, ["grifo", "monomando", "termostatico"])
    assert page(subtree) == (2, False, ["monomando", "termostatico"])
    assert page(two) == (2, False, ["termostatico", "ducha"])


@pytest.mark.parametrize(
    "bad_id",
    [
        "not-a-global-id",
        gid("Category", 999_999),
        gid("Category", "abc"),
        gid("Category", ""),
        gid("Category", "-1"),
        "",
    ],
    ids=["garbage", "unknown", "non-numeric", "empty-pk", "negative", "empty"],
)
def test_unknown_or_malformed_category_ids_match_nothing_without_error(gql, bad_id):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT_LIST, {"filter": {"categories": [bad_id]}})

    assert body == {
        "data": {
            "products": {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
            }
        }
    }


def test_an_id_of_another_type_is_no_category_even_when_the_number_matches_one(gql):
    product = ProductFactory(slug="grifo")

    body = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Product", product.category.pk)]}})

    assert page(body) == (0, False, [])


def test_a_category_id_with_a_superscript_digit_matches_nothing_without_error(gql):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Category", "²")]}})

    assert body == {
        "data": {
            "products": {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
            }
        }
    }


def test_a_category_id_in_arabic_indic_digits_matches_nothing(gql):
    product = ProductFactory(slug="grifo")
    arabic_indic_pk = "".join(chr(0x660 + int(digit)) for digit in str(product.category.pk))

    body = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Category", arabic_indic_pk)]}})

    assert page(body) == (0, False, [])


def test_a_category_id_beyond_64_bits_matches_nothing_without_error(gql):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT_LIST, {"filter": {"categories": [gid("Category", 10**20)]}})

    assert body == {
        "data": {
            "products": {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
            }
        }
    }


def test_collection_filter_keeps_products_of_any_given_collection(gql):
    summer = CollectionFactory(slug="verano")
    offers = CollectionFactory(slug="ofertas")
    hose = ProductFactory(name="A", slug="manguera")
    sprinkler = ProductFactory(name="B", slug="aspersor")
    ProductFactory(name="C", slug="fuera")
    tap = ProductFactory(name="D", slug="grifo")
    curate(summer, sprinkler, hose)
    curate(offers, tap, hose)

    one = gql(PRODUCT_LIST, {"filter": {"collections": [gid("Collection", summer.pk)]}})
    both = gql(
        PRODUCT_LIST,
        {"filter": {"collections": [gid("Collection", summer.pk), gid("Collection", offers.pk)]}},
    )
    unknown = gql(PRODUCT_LIST, {"filter": {"collections": [gid("Collection", 999_999)]}})

    assert page(one) == (2, False, ["manguera", "aspersor"])
    assert page(both) == (3, False, ["manguera", "aspersor", "grifo"])
    assert page(unknown) == (0, False, [])


def _products_priced_for_filtering() -> None:
    priced_product("5.00", "50.00", name="A", slug="cinco-y-cincuenta")
    priced_product("20.00", name="B", slug="veinte")
    priced_product("100.00", name="C", slug="cien")
    ProductFactory(name="D", slug="sin-precio")


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ({"gte": "10", "lte": "30"}, ["veinte"]),
        ({"gte": "50"}, ["cinco-y-cincuenta", "cien"]),
        ({"lte": "5"}, ["cinco-y-cincuenta"]),
        ({"gte": "20.00", "lte": "20.00"}, ["veinte"]),
        ({"gte": "100.01"}, []),
        ({}, ["cinco-y-cincuenta", "veinte", "cien", "sin-precio"]),
    ],
    ids=["between", "from", "up-to", "exact", "above-all", "no-bounds"],
)
def test_price_filter_keeps_products_with_some_variant_in_the_inclusive_range(gql, price, expected):
    _products_priced_for_filtering()

    body = gql(PRODUCT_LIST, {"filter": {"price": price}})

    assert slugs(body) == expected


def _products_with_every_kind_of_stock() -> None:
    north, south = WarehouseFactory(slug="norte"), WarehouseFactory(slug="sur")

    def tracked(slug: str, *stocks: tuple[int, int], variants: int = 1) -> models.Product:
        product = ProductFactory(name=slug, slug=slug)
        for _ in range(variants):
            variant = VariantFactory(product=product)
            for warehouse, (quantity, allocated) in zip((north, south), stocks, strict=False):
                StockFactory(
                    variant=variant, warehouse=warehouse, quantity=quantity, allocated=allocated
                )
        return product

    tracked("a-libre", (5, 0))
    tracked("b-reservado", (3, 3))
    tracked("c-repartido", (4, 4), (2, 1))
    tracked("d-sin-existencias")
    tracked("e-vacio", (0, 0), (0, 0))
    untracked = ProductFactory(name="f-sin-control", slug="f-sin-control")
    VariantFactory(product=untracked, track_inventory=False)
    mixed = tracked("g-mixto", (2, 2))
    second = VariantFactory(product=mixed)
    StockFactory(variant=second, warehouse=south, quantity=1, allocated=0)
    ProductFactory(name="h-sin-variantes", slug="h-sin-variantes")


def test_in_stock_keeps_products_with_free_units_in_some_warehouse_or_untracked(gql):
    _products_with_every_kind_of_stock()

    body = gql(PRODUCT_LIST, {"filter": {"inStock": True}})

    assert page(body) == (4, False, ["a-libre", "c-repartido", "f-sin-control", "g-mixto"])
    assert all(edge["node"]["isAvailable"] for edge in body["data"]["products"]["edges"])


def test_out_of_stock_keeps_products_no_variant_of_which_can_be_bought(gql):
    _products_with_every_kind_of_stock()

    body = gql(PRODUCT_LIST, {"filter": {"inStock": False}})

    assert page(body) == (
        4,
        False,
        ["b-reservado", "d-sin-existencias", "e-vacio", "h-sin-variantes"],
    )
    assert not any(edge["node"]["isAvailable"] for edge in body["data"]["products"]["edges"])


def _products_with_specifications() -> None:
    material = AttributeFactory(slug="material", name="Material")
    brass = AttributeChoiceFactory(attribute=material, slug="laton")
    steel = AttributeChoiceFactory(attribute=material, slug="acero")
    AttributeChoiceFactory(attribute=material, slug="plastico")
    flow = AttributeFactory(slug="caudal", type=models.Attribute.Type.NUMBER, unit="l/min")
    lead_free = AttributeFactory(slug="sin-plomo", type=models.Attribute.Type.BOOLEAN)
    finish = AttributeFactory(slug="acabado", type=models.Attribute.Type.TEXT)

    def specified(slug: str, choice=None, litres=None, unleaded=None, text=None) -> None:
        product = ProductFactory(name=slug, slug=slug)
        if choice is not None:
            AttributeValueFactory(product=product, attribute=material, choice=choice)
        if litres is not None:
            AttributeValueFactory(product=product, attribute=flow, number_value=Decimal(litres))
        if unleaded is not None:
            AttributeValueFactory(product=product, attribute=lead_free, boolean_value=unleaded)
        if text is not None:
            AttributeValueFactory(product=product, attribute=finish, text_value=text)

    specified("a-laton-6", choice=brass, litres="6", unleaded=True, text="Cromo")
    specified("b-laton-9", choice=brass, litres="9.5", unleaded=False)
    specified("c-acero-8", choice=steel, litres="8", unleaded=True, text="Mate")
    specified("d-acero-12", choice=steel, litres="12")
    specified("e-sin-ficha")


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ([{"slug": "material", "values": ["laton"]}], ["a-laton-6", "b-laton-9"]),
        (
            [{"slug": "material", "values": ["laton", "acero"]}],
            ["a-laton-6", "b-laton-9", "c-acero-8", "d-acero-12"],
        ),
        ([{"slug": "material", "values": ["plastico"]}], []),
        ([{"slug": "material", "values": ["no-existe"]}], []),
        ([{"slug": "acabado", "values": ["Mate"]}], ["c-acero-8"]),
        (
            [{"slug": "caudal", "valuesRange": {"gte": "6", "lte": "9.5"}}],
            ["a-laton-6", "b-laton-9", "c-acero-8"],
        ),
        ([{"slug": "caudal", "valuesRange": {"gte": "9"}}], ["b-laton-9", "d-acero-12"]),
        ([{"slug": "caudal", "valuesRange": {"lte": "7.999"}}], ["a-laton-6"]),
        ([{"slug": "sin-plomo", "boolean": True}], ["a-laton-6", "c-acero-8"]),
        ([{"slug": "sin-plomo", "boolean": False}], ["b-laton-9"]),
        (
            [
                {"slug": "material", "values": ["acero"]},
                {"slug": "caudal", "valuesRange": {"lte": "10"}},
            ],
            ["c-acero-8"],
        ),
        (
            [
                {"slug": "material", "values": ["laton", "acero"]},
                {"slug": "sin-plomo", "boolean": True},
                {"slug": "caudal", "valuesRange": {"gte": "7"}},
            ],
            ["c-acero-8"],
        ),
        ([{"slug": "no-existe", "values": ["laton"]}], []),
    ],
    ids=[
        "choice",
        "choice-any-of",
        "unused-choice",
        "unknown-choice",
        "text",
        "number-range-inclusive",
        "number-from",
        "number-up-to",
        "boolean-true",
        "boolean-false",
        "choice-and-number",
        "three-attributes",
        "unknown-attribute",
    ],
)
def test_attribute_filters(gql, attributes, expected):
    _products_with_specifications()

    body = gql(PRODUCT_LIST, {"filter": {"attributes": attributes}})

    assert slugs(body) == expected


def test_filters_combine_category_collection_price_stock_and_attributes(gql):
    warehouse = WarehouseFactory(slug="central")
    taps = CategoryFactory(slug="griferia")
    kitchen = CategoryFactory(slug="cocina", parent=taps)
    showers = CategoryFactory(slug="duchas")
    offers = CollectionFactory(slug="ofertas")
    material = AttributeFactory(slug="material")
    brass = AttributeChoiceFactory(attribute=material, slug="laton")
    steel = AttributeChoiceFactory(attribute=material, slug="acero")

    def product(slug, category, price, free, choice, on_offer=True):
        item = ProductFactory(name=slug, slug=slug, category=category)
        variant = VariantFactory(product=item, price=Decimal(price))
        StockFactory(variant=variant, warehouse=warehouse, quantity=2, allocated=0 if free else 2)
        AttributeValueFactory(product=item, attribute=material, choice=choice)
        if on_offer:
            curate(offers, item)
        return item

    product("a-match", kitchen, "45.00", True, brass)
    product("b-other-category", showers, "45.00", True, brass)
    product("c-too-dear", kitchen, "95.00", True, brass)
    product("d-sold-out", taps, "45.00", False, brass)
    product("e-steel", taps, "45.00", True, steel)
    product("f-not-on-offer", kitchen, "45.00", True, brass, on_offer=False)
    product("g-match", taps, "30.00", True, brass)

    body = gql(
        PRODUCT_LIST,
        {
            "filter": {
                "categories": [gid("Category", taps.pk)],
                "collections": [gid("Collection", offers.pk)],
                "price": {"gte": "30", "lte": "50"},
                "inStock": True,
                "attributes": [{"slug": "material", "values": ["laton"]}],
            },
            "sortBy": {"field": "PRICE"},
        },
    )

    assert page(body) == (2, False, ["g-match", "a-match"])
