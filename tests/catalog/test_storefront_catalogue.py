"""One product, the category tree, collections and specifications as the storefront
reads them, in Spanish and English."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog import models
from tests.catalog.storefront_factories import (
    EN,
    AttributeChoiceFactory,
    AttributeFactory,
    AttributeValueFactory,
    CollectionFactory,
    collection_slugs,
    curate,
    gid,
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

PRODUCT = operation("storefront/Product")
CATEGORIES = operation("storefront/Categories")
CATEGORY = operation("storefront/Category")
COLLECTIONS = operation("storefront/Collections")
COLLECTION = operation("storefront/Collection")
ATTRIBUTES = operation("storefront/Attributes")


def one_of_id_and_slug_error(field: str) -> dict[str, object]:
    return {
        "data": {field: None},
        "errors": [
            {
                "message": "Give exactly one of 'id' and 'slug'.",
                "locations": [{"line": 2, "column": 3}],
                "path": [field],
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
    }


# --- lookups by id or slug ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "field"),
    [(PRODUCT, "product"), (CATEGORY, "category"), (COLLECTION, "collection")],
    ids=["product", "category", "collection"],
)
def test_a_lookup_with_neither_id_nor_slug_is_a_top_level_error(gql, document, field):
    ProductFactory(slug="grifo")

    body = gql(document, {})

    assert body == one_of_id_and_slug_error(field)


@pytest.mark.parametrize(
    ("document", "field", "type_name"),
    [
        (PRODUCT, "product", "Product"),
        (CATEGORY, "category", "Category"),
        (COLLECTION, "collection", "Collection"),
    ],
    ids=["product", "category", "collection"],
)
def test_a_lookup_with_both_id_and_slug_is_a_top_level_error(gql, document, field, type_name):
    product = ProductFactory(slug="grifo")
    collection = CollectionFactory(slug="verano")
    pks = {"Product": product.pk, "Category": product.category.pk, "Collection": collection.pk}

    body = gql(document, {"id": gid(type_name, pks[type_name]), "slug": "grifo"})

    assert body == one_of_id_and_slug_error(field)


@pytest.mark.parametrize(
    "variables",
    [
        {"slug": "no-existe"},
        {"id": "not-a-global-id"},
        {"id": gid("Product", 999_999)},
        {"id": gid("Product", "grifo")},
    ],
    ids=["unknown-slug", "malformed-id", "unknown-id", "non-numeric-id"],
)
def test_an_unknown_product_is_null_without_error(gql, variables):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT, variables)

    assert body == {"data": {"product": None}}


def test_an_id_of_another_type_finds_no_product_even_when_the_number_matches(gql):
    product = ProductFactory(slug="grifo")

    body = gql(PRODUCT, {"id": gid("Category", product.pk)})

    assert body == {"data": {"product": None}}


def test_a_product_id_with_a_non_ascii_digit_is_null_without_error(gql):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT, {"id": gid("Product", "²")})

    assert body == {"data": {"product": None}}


# --- one product -------------------------------------------------------------------------


def _tap() -> models.Product:
    """A fully specified product: two-level category, two images, specs, two variants."""
    taps = CategoryFactory(name="Grifería", name_en="Taps", slug="griferia")
    kitchen = CategoryFactory(name="Cocina", name_en="", slug="cocina", parent=taps)
    product = ProductFactory(
        name="Grifo de cocina",
        name_en="Kitchen tap",
        slug="grifo-cocina",
        category=kitchen,
        description="<p>Monomando de latón.</p>",
        description_en="",
        seo_title="",
        seo_description="Grifo de cocina con caño alto",
        seo_description_en="Tall-spout kitchen tap",
    )
    MediaFactory(product=product, position=1, alt="Detalle", alt_en="")
    MediaFactory(
        product=product,
        position=0,
        alt="Grifo entero",
        alt_en="Whole tap",
        image="products/grifo.png",
        thumbnails={"480": "products/thumbs/grifo-480.webp"},
    )
    material = AttributeFactory(slug="material", name="Material", name_en="")
    brass = AttributeChoiceFactory(attribute=material, slug="laton", name="Latón", name_en="Brass")
    flow = AttributeFactory(
        slug="caudal",
        name="Caudal",
        name_en="Flow rate",
        type=models.Attribute.Type.NUMBER,
        unit="l/min",
    )
    lead_free = AttributeFactory(
        slug="sin-plomo", name="Sin plomo", name_en="Lead-free", type=models.Attribute.Type.BOOLEAN
    )
    finish = AttributeFactory(
        slug="acabado", name="Acabado", name_en="Finish", type=models.Attribute.Type.TEXT
    )
    AttributeValueFactory(product=product, attribute=material, choice=brass)
    AttributeValueFactory(product=product, attribute=flow, number_value=Decimal("5.5"))
    AttributeValueFactory(product=product, attribute=lead_free, boolean_value=True)
    AttributeValueFactory(product=product, attribute=finish, text_value="Cromo", text_value_en="")
    warehouse = WarehouseFactory(slug="central")
    chrome = VariantFactory(
        product=product,
        sku="GC-CR",
        name="Cromado",
        name_en="Chrome",
        price=Decimal("96.80"),
        compare_at_price=Decimal("121.00"),
        weight_grams=1200,
        position=0,
    )
    VariantFactory(
        product=product,
        sku="GC-NG",
        name="Negro mate",
        name_en="",
        price=Decimal("108.90"),
        weight_grams=1250,
        track_inventory=False,
        position=1,
    )
    StockFactory(variant=chrome, warehouse=warehouse, quantity=7, allocated=2)
    return product


def no_promotion(price: dict[str, object]) -> dict[str, object]:
    """A variant's ``pricing`` when no promotion covers it: the catalogue's price."""
    return {"onSale": False, "promotionName": None, "price": price, "priceUndiscounted": price}


def _tap_payload(product: models.Product, *, english: bool) -> dict[str, object]:
    category = product.category
    chrome, black = product.variants.order_by("position")
    first_image, second_image = product.media.order_by("position")

    def taxed(gross: str, net: str, tax: str) -> dict[str, object]:
        return {
            "currency": "EUR",
            "net": {"amount": net, "currency": "EUR"},
            "gross": {"amount": gross, "currency": "EUR"},
            "tax": {"amount": tax, "currency": "EUR"},
        }

    def text(spanish: str, english_text: str) -> str:
        return english_text if english else spanish

    return {
        "data": {
            "product": {
                "id": gid("Product", product.pk),
                "name": text("Grifo de cocina", "Kitchen tap"),
                "slug": "grifo-cocina",
                "description": "<p>Monomando de latón.</p>",
                "seoTitle": text("Grifo de cocina", "Kitchen tap"),
                "seoDescription": text("Grifo de cocina con caño alto", "Tall-spout kitchen tap"),
                "taxClass": "GENERAL",
                "isAvailable": True,
                "category": {
                    "id": gid("Category", category.pk),
                    "name": "Cocina",
                    "slug": "cocina",
                    "ancestors": [
                        {
                            "id": gid("Category", category.parent_id),
                            "name": text("Grifería", "Taps"),
                            "slug": "griferia",
                        }
                    ],
                },
                "thumbnail": {
                    "url": "/media/products/thumbs/grifo-480.webp",
                    "alt": text("Grifo entero", "Whole tap"),
                },
                "media": [
                    {
                        "id": gid("ProductMedia", first_image.pk),
                        "url": "/media/products/grifo.png",
                        "alt": text("Grifo entero", "Whole tap"),
                        "position": 0,
                        "thumbnail": {
                            "url": "/media/products/thumbs/grifo-480.webp",
                            "alt": text("Grifo entero", "Whole tap"),
                        },
                    },
                    {
                        "id": gid("ProductMedia", second_image.pk),
                        "url": "/media/products/sample.png",
                        "alt": "Detalle",
                        "position": 1,
                        "thumbnail": {
                            "url": "/media/products/thumbs/sample-480.webp",
                            "alt": "Detalle",
                        },
                    },
                ],
                "pricing": {
                    "onSale": True,
                    "priceRange": {
                        "start": taxed("96.80", "80.00", "16.80"),
                        "stop": taxed("108.90", "90.00", "18.90"),
                    },
                },
                "attributes": [
                    {
                        "slug": "acabado",
                        "name": text("Acabado", "Finish"),
                        "type": "TEXT",
                        "unit": "",
                        "value": "Cromo",
                        "number": None,
                        "boolean": None,
                        "choiceSlug": None,
                    },
                    {
                        "slug": "caudal",
                        "name": text("Caudal", "Flow rate"),
                        "type": "NUMBER",
                        "unit": "l/min",
                        "value": "5.5",
                        "number": "5.500",
                        "boolean": None,
                        "choiceSlug": None,
                    },
                    {
                        "slug": "material",
                        "name": "Material",
                        "type": "CHOICE",
                        "unit": "",
                        "value": text("Latón", "Brass"),
                        "number": None,
                        "boolean": None,
                        "choiceSlug": "laton",
                    },
                    {
                        "slug": "sin-plomo",
                        "name": text("Sin plomo", "Lead-free"),
                        "type": "BOOLEAN",
                        "unit": "",
                        "value": "✓",
                        "number": None,
                        "boolean": True,
                        "choiceSlug": None,
                    },
                ],
                "variants": [
                    {
                        "id": gid("ProductVariant", chrome.pk),
                        "sku": "GC-CR",
                        "name": text("Cromado", "Chrome"),
                        "weightGrams": 1200,
                        "trackInventory": True,
                        "isAvailable": True,
                        "quantityAvailable": 5,
                        "price": taxed("96.80", "80.00", "16.80"),
                        "compareAtPrice": taxed("121.00", "100.00", "21.00"),
                        "pricing": no_promotion(taxed("96.80", "80.00", "16.80")),
                    },
                    {
                        "id": gid("ProductVariant", black.pk),
                        "sku": "GC-NG",
                        "name": "Negro mate",
                        "weightGrams": 1250,
                        "trackInventory": False,
                        "isAvailable": True,
                        "quantityAvailable": 0,
                        "price": taxed("108.90", "90.00", "18.90"),
                        "compareAtPrice": None,
                        "pricing": no_promotion(taxed("108.90", "90.00", "18.90")),
                    },
                ],
            }
        }
    }


def test_product_by_slug_shows_everything_in_spanish(gql):
    product = _tap()

    body = gql(PRODUCT, {"slug": "grifo-cocina"})

    assert body == _tap_payload(product, english=False)


def test_product_by_id_in_english_falls_back_to_spanish_where_untranslated(gql):
    product = _tap()

    body = gql(PRODUCT, {"id": gid("Product", product.pk)}, headers=EN)

    assert body == _tap_payload(product, english=True)


def test_seo_title_is_the_seo_title_in_the_language_when_set(gql):
    ProductFactory(slug="grifo", seo_title="Grifo barato", seo_title_en="Cheap tap")

    spanish = gql(PRODUCT, {"slug": "grifo"})
    english = gql(PRODUCT, {"slug": "grifo"}, headers=EN)

    assert spanish["data"]["product"]["seoTitle"] == "Grifo barato"
    assert english["data"]["product"]["seoTitle"] == "Cheap tap"


def test_an_unsupported_language_reads_spanish(gql):
    ProductFactory(slug="grifo", name="Grifo", name_en="Tap")

    body = gql(PRODUCT, {"slug": "grifo"}, headers={"Accept-Language": "fr"})

    assert body["data"]["product"]["name"] == "Grifo"


# --- thumbnails ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thumbnails", "size", "expected"),
    [
        ({"960": "t/960.webp", "480": "t/480.webp"}, "SMALL", "/media/t/480.webp"),
        ({"960": "t/960.webp", "480": "t/480.webp"}, "MEDIUM", "/media/t/480.webp"),
        ({"960": "t/960.webp", "480": "t/480.webp"}, "LARGE", "/media/t/960.webp"),
        ({"160": "t/160.webp", "1200": "t/1200.webp"}, "MEDIUM", "/media/t/1200.webp"),
        ({"160": "t/160.webp", "480": "t/480.webp"}, "LARGE", "/media/products/original.png"),
        ({}, "SMALL", "/media/products/original.png"),
    ],
    ids=[
        "smallest-wide-enough",
        "exact-width",
        "largest",
        "skips-narrower",
        "none-wide-enough-original",
        "no-thumbnails-original",
    ],
)
def test_thumbnail_is_the_smallest_generated_width_at_least_the_size_asked(
    gql, thumbnails, size, expected
):
    product = ProductFactory(slug="grifo")
    MediaFactory(product=product, image="products/original.png", alt="Grifo", thumbnails=thumbnails)

    body = gql(PRODUCT, {"slug": "grifo", "thumbnailSize": size})

    product_data = body["data"]["product"]
    assert product_data["thumbnail"] == {"url": expected, "alt": "Grifo"}
    assert [image["thumbnail"] for image in product_data["media"]] == [
        {"url": expected, "alt": "Grifo"}
    ]


def test_a_product_without_images_has_no_thumbnail(gql):
    ProductFactory(slug="grifo")

    body = gql(PRODUCT, {"slug": "grifo"})

    assert (body["data"]["product"]["thumbnail"], body["data"]["product"]["media"]) == (None, [])


# --- categories ---------------------------------------------------------------------------


def test_category_tree_nests_children_in_display_order(gql):
    showers = CategoryFactory(name="Duchas", name_en="Showers", slug="duchas", position=2)
    taps = CategoryFactory(name="Grifería", name_en="Taps", slug="griferia", position=1)
    bathroom = CategoryFactory(
        name="Baño", name_en="Bathroom", slug="bano", parent=taps, position=5
    )
    kitchen = CategoryFactory(name="Cocina", name_en="", slug="cocina", parent=taps, position=3)
    thermostatic = CategoryFactory(
        name="Termostáticos", name_en="Thermostatic", slug="termo", parent=bathroom, position=0
    )
    pipes = CategoryFactory(name="Tuberías", name_en="Pipes", slug="tuberias", position=1)

    body = gql(CATEGORIES)

    def node(category, name, position, children=None):
        data = {
            "id": gid("Category", category.pk),
            "name": name,
            "slug": category.slug,
            "position": position,
        }
        if children is not None:
            data["children"] = children
        return data

    assert body == {
        "data": {
            "categories": [
                node(
                    taps,
                    "Grifería",
                    1,
                    [
                        node(kitchen, "Cocina", 3, []),
                        node(bathroom, "Baño", 5, [node(thermostatic, "Termostáticos", 0)]),
                    ],
                ),
                node(pipes, "Tuberías", 1, []),
                node(showers, "Duchas", 2, []),
            ]
        }
    }


def test_category_tree_in_english(gql):
    taps = CategoryFactory(name="Grifería", name_en="Taps", slug="griferia")
    CategoryFactory(name="Cocina", name_en="", slug="cocina", parent=taps)

    body = gql(CATEGORIES, headers=EN)

    assert [
        (c["name"], [k["name"] for k in c["children"]]) for c in body["data"]["categories"]
    ] == [("Taps", ["Cocina"])]


def test_category_by_slug_shows_parent_ancestors_and_children(gql):
    taps = CategoryFactory(name="Grifería", name_en="Taps", slug="griferia")
    bathroom = CategoryFactory(
        name="Baño",
        name_en="Bathroom",
        slug="bano",
        parent=taps,
        description="<p>Para el baño.</p>",
        description_en="<p>For the bathroom.</p>",
        position=4,
    )
    basin = CategoryFactory(
        name="Lavabo", name_en="Basin", slug="lavabo", parent=bathroom, position=1
    )
    bidet = CategoryFactory(name="Bidé", name_en="", slug="bide", parent=bathroom, position=0)

    spanish = gql(CATEGORY, {"slug": "bano"})
    english = gql(CATEGORY, {"id": gid("Category", bathroom.pk)}, headers=EN)

    assert spanish == {
        "data": {
            "category": {
                "id": gid("Category", bathroom.pk),
                "name": "Baño",
                "slug": "bano",
                "description": "<p>Para el baño.</p>",
                "position": 4,
                "image": None,
                "parent": {"id": gid("Category", taps.pk), "name": "Grifería", "slug": "griferia"},
                "ancestors": [
                    {"id": gid("Category", taps.pk), "name": "Grifería", "slug": "griferia"}
                ],
                "children": [
                    {"id": gid("Category", bidet.pk), "name": "Bidé", "slug": "bide"},
                    {"id": gid("Category", basin.pk), "name": "Lavabo", "slug": "lavabo"},
                ],
            }
        }
    }
    category = english["data"]["category"]
    assert (
        category["name"],
        category["description"],
        category["parent"]["name"],
        [child["name"] for child in category["children"]],
    ) == ("Bathroom", "<p>For the bathroom.</p>", "Taps", ["Bidé", "Basin"])


def test_ancestors_run_from_the_top_level_down_to_the_parent(gql):
    top = CategoryFactory(slug="a")
    middle = CategoryFactory(slug="b", parent=top)
    bottom = CategoryFactory(slug="c", parent=middle)
    CategoryFactory(slug="d", parent=bottom)

    body = gql(CATEGORY, {"slug": "d"})

    category = body["data"]["category"]
    assert [a["slug"] for a in category["ancestors"]] == ["a", "b", "c"]
    assert category["parent"]["slug"] == "c"


def test_a_top_level_category_has_no_parent_nor_ancestors(gql):
    CategoryFactory(slug="griferia")

    body = gql(CATEGORY, {"slug": "griferia"})

    category = body["data"]["category"]
    assert (category["parent"], category["ancestors"], category["children"]) == (None, [], [])


def test_a_category_image_is_shown_with_its_name_as_alt(gql):
    CategoryFactory(slug="griferia", name="Grifería", image="categories/griferia.jpg")

    body = gql(CATEGORY, {"slug": "griferia"})

    assert body["data"]["category"]["image"] == {
        "url": "/media/categories/griferia.jpg",
        "alt": "Grifería",
    }


# --- collections --------------------------------------------------------------------------


def test_collections_are_listed_in_display_order(gql):
    summer = CollectionFactory(
        name="Verano",
        name_en="Summer",
        slug="verano",
        description="<p>Riego.</p>",
        description_en="",
        position=2,
    )
    offers = CollectionFactory(name="Ofertas", name_en="", slug="ofertas", position=1)

    spanish = gql(COLLECTIONS)
    english = gql(COLLECTIONS, headers=EN)

    assert spanish == {
        "data": {
            "collections": [
                {
                    "id": gid("Collection", offers.pk),
                    "name": "Ofertas",
                    "slug": "ofertas",
                    "description": "",
                    "position": 1,
                },
                {
                    "id": gid("Collection", summer.pk),
                    "name": "Verano",
                    "slug": "verano",
                    "description": "<p>Riego.</p>",
                    "position": 2,
                },
            ]
        }
    }
    assert [(c["name"], c["description"]) for c in english["data"]["collections"]] == [
        ("Ofertas", ""),
        ("Summer", "<p>Riego.</p>"),
    ]


def test_collection_products_follow_the_curated_order_of_that_collection(gql):
    summer = CollectionFactory(name="Verano", slug="verano")
    offers = CollectionFactory(slug="ofertas")
    hose = ProductFactory(name="A manguera", slug="manguera")
    sprinkler = ProductFactory(name="B aspersor", slug="aspersor")
    timer = ProductFactory(name="C programador", slug="programador")
    curate(summer, timer, hose, sprinkler)
    curate(offers, hose, sprinkler, timer)

    summer_body = gql(COLLECTION, {"slug": "verano"})
    offers_body = gql(COLLECTION, {"id": gid("Collection", offers.pk)})

    assert summer_body["data"]["collection"]["products"]["totalCount"] == 3
    assert collection_slugs(summer_body) == ["programador", "manguera", "aspersor"]
    assert collection_slugs(offers_body) == ["manguera", "aspersor", "programador"]


def test_collection_products_are_paged_in_curated_order(gql):
    summer = CollectionFactory(slug="verano")
    products = [ProductFactory(name=f"P{n}", slug=f"p{n}") for n in range(5)]
    curate(summer, *reversed(products))

    first = gql(COLLECTION, {"slug": "verano", "first": 3})
    end = first["data"]["collection"]["products"]["pageInfo"]["endCursor"]
    second = gql(COLLECTION, {"slug": "verano", "first": 3, "after": end})

    assert (
        collection_slugs(first),
        first["data"]["collection"]["products"]["pageInfo"]["hasNextPage"],
    ) == (["p4", "p3", "p2"], True)
    assert (
        collection_slugs(second),
        second["data"]["collection"]["products"]["pageInfo"]["hasNextPage"],
        second["data"]["collection"]["products"]["totalCount"],
    ) == (["p1", "p0"], False, 5)


def test_collection_by_slug_shows_product_cards(gql):
    summer = CollectionFactory(name="Verano", name_en="Summer", slug="verano", description="")
    product = ProductFactory(name="Manguera", name_en="Hose", slug="manguera")
    variant = VariantFactory(product=product, sku="MNG", price=Decimal("24.20"))
    curate(summer, product)

    body = gql(COLLECTION, {"slug": "verano"}, headers=EN)

    assert body == {
        "data": {
            "collection": {
                "id": gid("Collection", summer.pk),
                "name": "Summer",
                "slug": "verano",
                "description": "",
                "products": {
                    "totalCount": 1,
                    "pageInfo": {"hasNextPage": False, "endCursor": gid("arrayconnection", 0)},
                    "edges": [
                        {
                            "node": {
                                "id": gid("Product", product.pk),
                                "name": "Hose",
                                "slug": "manguera",
                                "isAvailable": False,
                                "category": {
                                    "id": gid("Category", product.category.pk),
                                    "name": product.category.name_en,
                                    "slug": product.category.slug,
                                },
                                "thumbnail": None,
                                "pricing": {
                                    "onSale": False,
                                    "priceRange": {
                                        "start": {"gross": {"amount": "24.20", "currency": "EUR"}},
                                        "stop": {"gross": {"amount": "24.20", "currency": "EUR"}},
                                    },
                                    "priceRangeUndiscounted": {
                                        "start": {"gross": {"amount": "24.20", "currency": "EUR"}},
                                    },
                                },
                                "variants": [
                                    {
                                        "id": gid("ProductVariant", variant.pk),
                                        "sku": "MNG",
                                        "isAvailable": False,
                                        "quantityAvailable": 0,
                                    }
                                ],
                            }
                        }
                    ],
                },
            }
        }
    }


def test_an_unknown_collection_is_null(gql):
    CollectionFactory(slug="verano")

    body = gql(COLLECTION, {"slug": "invierno"})

    assert body == {"data": {"collection": None}}


# --- attributes ---------------------------------------------------------------------------


def test_attributes_lists_filterable_specifications_by_name_with_choices_in_order(gql):
    material = AttributeFactory(slug="material", name="Material", name_en="", unit="")
    AttributeChoiceFactory(
        attribute=material, slug="acero", name="Acero", name_en="Steel", position=2
    )
    AttributeChoiceFactory(
        attribute=material, slug="laton", name="Latón", name_en="Brass", position=1
    )
    flow = AttributeFactory(
        slug="caudal",
        name="Caudal",
        name_en="Flow rate",
        type=models.Attribute.Type.NUMBER,
        unit="l/min",
    )
    AttributeFactory(slug="interno", name="Código interno", is_filterable=False)

    spanish = gql(ATTRIBUTES)
    english = gql(ATTRIBUTES, headers=EN)

    assert spanish == {
        "data": {
            "attributes": [
                {
                    "id": gid("Attribute", flow.pk),
                    "slug": "caudal",
                    "name": "Caudal",
                    "type": "NUMBER",
                    "unit": "l/min",
                    "choices": [],
                },
                {
                    "id": gid("Attribute", material.pk),
                    "slug": "material",
                    "name": "Material",
                    "type": "CHOICE",
                    "unit": "",
                    "choices": [
                        {"slug": "laton", "name": "Latón"},
                        {"slug": "acero", "name": "Acero"},
                    ],
                },
            ]
        }
    }
    assert [
        (a["name"], [c["name"] for c in a["choices"]]) for a in english["data"]["attributes"]
    ] == [("Flow rate", []), ("Material", ["Brass", "Steel"])]
