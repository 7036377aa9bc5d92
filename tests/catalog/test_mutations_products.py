"""Staff product and variant mutations by a catalogue manager: database, payload,
history and business errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from strawberry import relay

from catalog.models import (
    Attribute,
    AttributeChoice,
    Product,
    ProductAttributeValue,
    ProductMedia,
    ProductVariant,
    Stock,
)
from tests.factories import gid
from tests.factories.audit import history
from tests.factories.catalog import (
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    StockFactory,
    VariantFactory,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
PRODUCT_CREATE = operation("staff/ProductCreate")
PRODUCT_UPDATE = operation("staff/ProductUpdate")
PRODUCT_DELETE = operation("staff/ProductDelete")
VARIANT_CREATE = operation("staff/ProductVariantCreate")
VARIANT_UPDATE = operation("staff/ProductVariantUpdate")
VARIANT_DELETE = operation("staff/ProductVariantDelete")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def specs() -> dict[str, Attribute]:
    """One attribute of each type; "material" has the choices "acero" and "vidrio"."""
    material = Attribute.objects.create(slug="material", name="Material", type="choice")
    AttributeChoice.objects.create(attribute=material, slug="acero", name="Acero", position=1)
    AttributeChoice.objects.create(attribute=material, slug="vidrio", name="Vidrio", position=2)
    return {
        "caudal": Attribute.objects.create(
            slug="caudal", name="Caudal", type="number", unit="l/min"
        ),
        "color": Attribute.objects.create(slug="color", name="Color", type="text"),
        "apto": Attribute.objects.create(slug="apto", name="Apto lavavajillas", type="boolean"),
        "material": material,
    }


def snapshot() -> dict[str, Any]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Product, ProductVariant, ProductAttributeValue, Stock, LogEntry)
    }


def _attribute_values(product: Product) -> list[tuple[Any, ...]]:
    return list(
        product.attribute_values.order_by("attribute__slug").values_list(
            "attribute__slug",
            "text_value",
            "text_value_en",
            "number_value",
            "boolean_value",
            "choice__slug",
        )
    )


def test_product_create_with_typed_specifications(gql, manager, specs):
    # given
    category = CategoryFactory(slug="filtros")

    # when
    body = gql(
        PRODUCT_CREATE,
        {
            "input": {
                "category": gid("Category", category.pk),
                "name": "Jarra filtrante",
                "nameEn": "Filter jug",
                "description": '<p>Filtra <a href="javascript:x()">cloro</a></p><img src=x>',
                "descriptionEn": "<p>Filters chlorine</p>",
                "taxClass": "REDUCED",
                "isPublished": True,
                "seoTitle": "Jarra filtrante 2,4 l",
                "seoDescriptionEn": "A 2.4 l jug",
                "attributes": [
                    {"attribute": gid("Attribute", specs["caudal"].pk), "number": "1.5"},
                    {
                        "attribute": gid("Attribute", specs["color"].pk),
                        "text": " Azul ",
                        "textEn": "Blue",
                    },
                    {"attribute": gid("Attribute", specs["apto"].pk), "boolean": False},
                    {"attribute": gid("Attribute", specs["material"].pk), "choice": "vidrio"},
                ],
            }
        },
        user=manager,
    )

    # then
    product = Product.objects.get()
    assert body == {
        "data": {
            "productCreate": {
                "product": {
                    "id": gid("Product", product.pk),
                    "name": "Jarra filtrante",
                    "slug": "jarra-filtrante",
                    "description": '<p>Filtra <a rel="noopener noreferrer">cloro</a></p>',
                    "taxClass": "REDUCED",
                    "isPublished": True,
                    "seoTitle": "Jarra filtrante 2,4 l",
                    "seoDescription": "",
                    "category": {"id": gid("Category", category.pk), "slug": "filtros"},
                    "attributes": [
                        {
                            "slug": "apto",
                            "type": "BOOLEAN",
                            "value": "✗",
                            "number": None,
                            "boolean": False,
                            "choiceSlug": None,
                        },
                        {
                            "slug": "caudal",
                            "type": "NUMBER",
                            "value": "1.5",
                            "number": "1.500",
                            "boolean": None,
                            "choiceSlug": None,
                        },
                        {
                            "slug": "color",
                            "type": "TEXT",
                            "value": "Azul",
                            "number": None,
                            "boolean": None,
                            "choiceSlug": None,
                        },
                        {
                            "slug": "material",
                            "type": "CHOICE",
                            "value": "Vidrio",
                            "number": None,
                            "boolean": None,
                            "choiceSlug": "vidrio",
                        },
                    ],
                },
                "errors": [],
            }
        }
    }
    assert Product.objects.values(
        "category_id",
        "name",
        "name_en",
        "slug",
        "description",
        "description_en",
        "tax_class",
        "is_published",
        "seo_title",
        "seo_title_en",
        "seo_description",
        "seo_description_en",
    ).get() == {
        "category_id": category.pk,
        "name": "Jarra filtrante",
        "name_en": "Filter jug",
        "slug": "jarra-filtrante",
        "description": '<p>Filtra <a rel="noopener noreferrer">cloro</a></p>',
        "description_en": "<p>Filters chlorine</p>",
        "tax_class": "reduced",
        "is_published": True,
        "seo_title": "Jarra filtrante 2,4 l",
        "seo_title_en": "",
        "seo_description": "",
        "seo_description_en": "A 2.4 l jug",
    }
    assert _attribute_values(product) == [
        ("apto", "", "", None, False, None),
        ("caudal", "", "", Decimal("1.500"), None, None),
        ("color", "Azul", "Blue", None, None, None),
        ("material", "", "", None, None, "vidrio"),
    ]
    assert history() == [(manager.pk, "product", str(product.pk), ADDITION, "")]


def test_product_update_replaces_the_specifications_and_keeps_other_fields(gql, manager, specs):
    # given
    product = ProductFactory(slug="jarra", name="Jarra", tax_class="general", is_published=False)
    ProductAttributeValue.objects.create(
        product=product, attribute=specs["color"], text_value="Rojo"
    )
    ProductAttributeValue.objects.create(
        product=product, attribute=specs["caudal"], number_value=Decimal("2")
    )
    other = CategoryFactory(slug="jarras")

    # when
    body = gql(
        PRODUCT_UPDATE,
        {
            "input": {
                "id": gid("Product", product.pk),
                "product": {
                    "category": gid("Category", other.pk),
                    "isPublished": True,
                    "attributes": [
                        {"attribute": gid("Attribute", specs["material"].pk), "choice": "acero"}
                    ],
                },
            }
        },
        user=manager,
    )

    # then
    assert body["data"]["productUpdate"]["errors"] == []
    assert body["data"]["productUpdate"]["product"]["attributes"] == [
        {
            "slug": "material",
            "type": "CHOICE",
            "value": "Acero",
            "number": None,
            "boolean": None,
            "choiceSlug": "acero",
        }
    ]
    assert Product.objects.filter(pk=product.pk).values(
        "category_id", "name", "slug", "tax_class", "is_published"
    ).get() == {
        "category_id": other.pk,
        "name": "Jarra",
        "slug": "jarra",
        "tax_class": "general",
        "is_published": True,
    }
    assert _attribute_values(product) == [("material", "", "", None, None, "acero")]
    assert history() == [
        (manager.pk, "product", str(product.pk), CHANGE, "category, is_published, attributes")
    ]


def test_product_update_with_an_empty_list_removes_every_specification(gql, manager, specs):
    # given
    product = ProductFactory()
    ProductAttributeValue.objects.create(
        product=product, attribute=specs["color"], text_value="Rojo"
    )

    # when
    body = gql(
        PRODUCT_UPDATE,
        {"input": {"id": gid("Product", product.pk), "product": {"attributes": []}}},
        user=manager,
    )

    # then
    assert body["data"]["productUpdate"]["errors"] == []
    assert body["data"]["productUpdate"]["product"]["attributes"] == []
    assert _attribute_values(product) == []
    assert history() == [(manager.pk, "product", str(product.pk), CHANGE, "attributes")]


def test_product_delete_removes_variants_stock_media_and_their_files(
    gql, manager, tmp_path, django_capture_on_commit_callbacks
):
    # given
    product = ProductFactory(slug="jarra")
    kept = ProductFactory(slug="grifo")
    StockFactory(variant=VariantFactory(product=product), quantity=4)
    for name in ("products/jarra.png", "products/thumbs/jarra-160.webp"):
        default_storage.save(name, ContentFile(b"x"))
    MediaFactory(
        product=product,
        image="products/jarra.png",
        thumbnails={"160": "products/thumbs/jarra-160.webp"},
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        body = gql(PRODUCT_DELETE, {"input": {"id": gid("Product", product.pk)}}, user=manager)

    # then
    assert body == {"data": {"productDelete": {"product": None, "errors": []}}}
    assert list(Product.objects.values_list("pk", flat=True)) == [kept.pk]
    assert (
        ProductVariant.objects.count(),
        Stock.objects.count(),
        ProductMedia.objects.count(),
    ) == (
        0,
        0,
        0,
    )
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []
    assert history() == [(manager.pk, "product", str(product.pk), DELETION, "")]


def test_a_product_with_allocated_units_cannot_be_deleted(gql, manager):
    # given
    product = ProductFactory()
    StockFactory(variant=VariantFactory(product=product), quantity=4, allocated=1)
    before = snapshot()

    # when
    body = gql(
        PRODUCT_DELETE, {"input": {"id": gid("Product", product.pk)}}, user=manager, headers=EN
    )

    # then
    assert body == {
        "data": {
            "productDelete": {
                "product": None,
                "errors": [
                    {
                        "field": None,
                        "code": "IN_USE",
                        "message": "Units of this product are allocated to orders.",
                    }
                ],
            }
        }
    }
    assert snapshot() == before


def test_duplicate_product_slug_is_refused(gql, manager):
    # given
    category = CategoryFactory()
    ProductFactory(slug="jarra")
    before = snapshot()

    # when
    body = gql(
        PRODUCT_CREATE,
        {"input": {"category": gid("Category", category.pk), "name": "Jarra"}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productCreate"] == {
        "product": None,
        "errors": [
            {"field": "slug", "code": "UNIQUE", "message": "Product with this Slug already exists."}
        ],
    }
    assert snapshot() == before


def test_product_needs_a_category_and_a_name(gql, manager):
    # when
    body = gql(PRODUCT_CREATE, {"input": {"slug": "jarra"}}, user=manager, headers=EN)

    # then
    assert body["data"]["productCreate"] == {
        "product": None,
        "errors": [
            {"field": "category", "code": "REQUIRED", "message": "This field cannot be null."},
            {"field": "name", "code": "REQUIRED", "message": "This field cannot be blank."},
        ],
    }
    assert Product.objects.count() == 0
    assert history() == []


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        ("caudal", {"text": "seis"}, "“Caudal” takes a value of its own type only."),
        ("caudal", {"number": "6", "text": "seis"}, "“Caudal” takes a value of its own type only."),
        ("caudal", {"number": "1.2345"}, "“Caudal” takes a number with at most 3 decimals."),
        ("caudal", {"number": "1000000000"}, "“Caudal” takes a number with at most 3 decimals."),
        ("color", {"number": "3"}, "“Color” takes a value of its own type only."),
        ("color", {"text": "   "}, "“Color” needs a text."),
        ("color", {"text": "a" * 201}, "“Color” takes at most 200 characters."),
        ("apto", {"choice": "si"}, "“Apto lavavajillas” takes a value of its own type only."),
        ("material", {"choice": "madera"}, "“Material” has no choice “madera”."),
        ("material", {"text": "acero"}, "“Material” takes a value of its own type only."),
        ("material", {}, "“Material” takes a value of its own type only."),
    ],
)
def test_a_specification_value_must_match_its_type(gql, manager, specs, spec, value, message):
    # given
    product = ProductFactory()
    ProductAttributeValue.objects.create(
        product=product, attribute=specs["color"], text_value="Rojo"
    )
    before = snapshot()

    # when
    body = gql(
        PRODUCT_UPDATE,
        {
            "input": {
                "id": gid("Product", product.pk),
                "product": {
                    "name": "Cambiado",
                    "attributes": [{"attribute": gid("Attribute", specs[spec].pk), **value}],
                },
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productUpdate"] == {
        "product": None,
        "errors": [{"field": "attributes", "code": "INVALID", "message": message}],
    }
    assert snapshot() == before


def test_every_bad_specification_is_reported_and_a_repeated_one_too(gql, manager, specs):
    # given
    product = ProductFactory()
    before = snapshot()
    caudal = gid("Attribute", specs["caudal"].pk)

    # when
    body = gql(
        PRODUCT_UPDATE,
        {
            "input": {
                "id": gid("Product", product.pk),
                "product": {
                    "attributes": [
                        {"attribute": caudal, "number": "6"},
                        {"attribute": caudal, "number": "7"},
                        {"attribute": gid("Attribute", specs["apto"].pk), "text": "sí"},
                    ]
                },
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productUpdate"]["errors"] == [
        {"field": "attributes", "code": "INVALID", "message": "“Caudal” is given twice."},
        {
            "field": "attributes",
            "code": "INVALID",
            "message": "“Apto lavavajillas” takes a value of its own type only.",
        },
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"id": "bm9wZQ==", "product": {"name": "X"}}, "id"),
        ({"id": None, "product": {"category": relay.to_base64("Category", 999_999)}}, "category"),
        (
            {"id": None, "product": {"attributes": [{"attribute": "bm9wZQ==", "number": "1"}]}},
            "attributes",
        ),
    ],
)
def test_bad_product_ids_are_not_found(gql, manager, variables, field):
    # given
    product = ProductFactory()
    if variables["id"] is None:
        variables = {**variables, "id": gid("Product", product.pk)}
    before = snapshot()

    # when
    body = gql(PRODUCT_UPDATE, {"input": variables}, user=manager, headers=EN)

    # then
    assert body["data"]["productUpdate"] == {
        "product": None,
        "errors": [{"field": field, "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert snapshot() == before


# Variants


def test_variant_create_appends_after_the_last_variant(gql, manager):
    # given
    product = ProductFactory(tax_class="general")
    VariantFactory(product=product, sku="JARRA-1", position=3)

    # when
    body = gql(
        VARIANT_CREATE,
        {
            "input": {
                "product": gid("Product", product.pk),
                "variant": {
                    "sku": "JARRA-2",
                    "name": "Grande",
                    "nameEn": "Large",
                    "price": "24.20",
                    "compareAtPrice": "30",
                    "weightGrams": 900,
                    "trackInventory": False,
                },
            }
        },
        user=manager,
    )

    # then
    variant = ProductVariant.objects.get(sku="JARRA-2")
    assert body == {
        "data": {
            "productVariantCreate": {
                "variant": {
                    "id": gid("ProductVariant", variant.pk),
                    "sku": "JARRA-2",
                    "name": "Grande",
                    "price": {
                        "gross": {"amount": "24.20", "currency": "EUR"},
                        "net": {"amount": "20.00"},
                    },
                    "compareAtPrice": {"gross": {"amount": "30.00"}},
                    "weightGrams": 900,
                    "trackInventory": False,
                },
                "product": {
                    "id": gid("Product", product.pk),
                    "variants": [{"sku": "JARRA-1"}, {"sku": "JARRA-2"}],
                },
                "errors": [],
            }
        }
    }
    assert ProductVariant.objects.filter(pk=variant.pk).values(
        "product_id",
        "sku",
        "name",
        "name_en",
        "price",
        "compare_at_price",
        "weight_grams",
        "track_inventory",
        "position",
    ).get() == {
        "product_id": product.pk,
        "sku": "JARRA-2",
        "name": "Grande",
        "name_en": "Large",
        "price": Decimal("24.20"),
        "compare_at_price": Decimal("30.00"),
        "weight_grams": 900,
        "track_inventory": False,
        "position": 4,
    }
    assert history() == [(manager.pk, "productvariant", str(variant.pk), ADDITION, "")]


def test_variant_update_removes_the_compare_at_price_with_null(gql, manager):
    # given
    variant = VariantFactory(sku="JARRA-1", price=Decimal("20.00"), compare_at_price=Decimal("25"))

    # when
    body = gql(
        VARIANT_UPDATE,
        {
            "input": {
                "id": gid("ProductVariant", variant.pk),
                "variant": {"price": "18.15", "compareAtPrice": None},
            }
        },
        user=manager,
    )

    # then
    result = body["data"]["productVariantUpdate"]
    assert result["errors"] == []
    assert result["variant"]["price"]["gross"] == {"amount": "18.15", "currency": "EUR"}
    assert result["variant"]["compareAtPrice"] is None
    assert ProductVariant.objects.filter(pk=variant.pk).values(
        "sku", "price", "compare_at_price", "weight_grams"
    ).get() == {
        "sku": "JARRA-1",
        "price": Decimal("18.15"),
        "compare_at_price": None,
        "weight_grams": 250,
    }
    assert history() == [
        (manager.pk, "productvariant", str(variant.pk), CHANGE, "price, compare_at_price")
    ]


def test_variant_update_without_compare_at_price_keeps_it(gql, manager):
    # given
    variant = VariantFactory(price=Decimal("20.00"), compare_at_price=Decimal("25.00"))

    # when
    body = gql(
        VARIANT_UPDATE,
        {"input": {"id": gid("ProductVariant", variant.pk), "variant": {"weightGrams": 0}}},
        user=manager,
    )

    # then
    assert body["data"]["productVariantUpdate"]["errors"] == []
    assert ProductVariant.objects.values_list(
        "price", "compare_at_price", "weight_grams"
    ).get() == (
        Decimal("20.00"),
        Decimal("25.00"),
        0,
    )
    assert history() == [(manager.pk, "productvariant", str(variant.pk), CHANGE, "weight_grams")]


def test_variant_delete_removes_it_and_its_stock(gql, manager):
    # given
    product = ProductFactory()
    variant = VariantFactory(product=product, sku="JARRA-1")
    VariantFactory(product=product, sku="JARRA-2")
    StockFactory(variant=variant, quantity=3)

    # when
    body = gql(VARIANT_DELETE, {"input": {"id": gid("ProductVariant", variant.pk)}}, user=manager)

    # then
    assert body == {
        "data": {
            "productVariantDelete": {
                "product": {"id": gid("Product", product.pk), "variants": [{"sku": "JARRA-2"}]},
                "errors": [],
            }
        }
    }
    assert list(ProductVariant.objects.values_list("sku", flat=True)) == ["JARRA-2"]
    assert Stock.objects.count() == 0
    assert history() == [(manager.pk, "productvariant", str(variant.pk), DELETION, "")]


def test_a_variant_with_allocated_units_cannot_be_deleted(gql, manager):
    # given
    variant = VariantFactory()
    StockFactory(variant=variant, quantity=3, allocated=2)
    before = snapshot()

    # when
    body = gql(
        VARIANT_DELETE,
        {"input": {"id": gid("ProductVariant", variant.pk)}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productVariantDelete"] == {
        "product": None,
        "errors": [
            {
                "field": None,
                "code": "IN_USE",
                "message": "Units of this variant are allocated to orders.",
            }
        ],
    }
    assert snapshot() == before


MONEY = "Enter an amount of zero or more with at most 2 decimals."


@pytest.mark.parametrize(
    ("variant", "errors"),
    [
        (
            {"sku": "JARRA-1", "price": "5.00"},
            [
                {
                    "field": "sku",
                    "code": "UNIQUE",
                    "message": "Variant with this SKU already exists.",
                }
            ],
        ),
        ({"sku": "N", "price": "-0.01"}, [{"field": "price", "code": "INVALID", "message": MONEY}]),
        ({"sku": "N", "price": "1.005"}, [{"field": "price", "code": "INVALID", "message": MONEY}]),
        (
            {"sku": "N", "price": "100000000"},
            [{"field": "price", "code": "INVALID", "message": MONEY}],
        ),
        ({"sku": "N", "price": "NaN"}, [{"field": "price", "code": "INVALID", "message": MONEY}]),
        ({"sku": "N"}, [{"field": "price", "code": "REQUIRED", "message": "Enter the price."}]),
        (
            {"sku": "N", "price": "10", "compareAtPrice": "9.99"},
            [
                {
                    "field": "compareAtPrice",
                    "code": "INVALID",
                    "message": "The compare-at price must be above the price.",
                }
            ],
        ),
        (
            {"sku": "N", "price": "10", "compareAtPrice": "10.00"},
            [
                {
                    "field": "compareAtPrice",
                    "code": "INVALID",
                    "message": "The compare-at price must be above the price.",
                }
            ],
        ),
        (
            {"sku": "N", "price": "10", "compareAtPrice": "-1"},
            [{"field": "compareAtPrice", "code": "INVALID", "message": MONEY}],
        ),
        (
            {"sku": "N", "price": "10", "weightGrams": -1},
            [
                {
                    "field": "weightGrams",
                    "code": "INVALID",
                    "message": "The weight must be zero or more grams.",
                }
            ],
        ),
        (
            {"price": "-1", "weightGrams": -5},
            [
                {"field": "sku", "code": "REQUIRED", "message": "This field cannot be blank."},
                {"field": "price", "code": "INVALID", "message": MONEY},
                {
                    "field": "weightGrams",
                    "code": "INVALID",
                    "message": "The weight must be zero or more grams.",
                },
            ],
        ),
    ],
)
def test_variant_values_are_checked(gql, manager, variant, errors):
    # given
    product = ProductFactory()
    VariantFactory(product=product, sku="JARRA-1")
    before = snapshot()

    # when
    body = gql(
        VARIANT_CREATE,
        {"input": {"product": gid("Product", product.pk), "variant": variant}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productVariantCreate"] == {
        "variant": None,
        "product": None,
        "errors": errors,
    }
    assert snapshot() == before


def test_compare_at_price_is_checked_against_the_stored_price_on_update(gql, manager):
    # given
    variant = VariantFactory(price=Decimal("20.00"))
    before = snapshot()

    # when
    body = gql(
        VARIANT_UPDATE,
        {"input": {"id": gid("ProductVariant", variant.pk), "variant": {"compareAtPrice": "19"}}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productVariantUpdate"]["errors"] == [
        {
            "field": "compareAtPrice",
            "code": "INVALID",
            "message": "The compare-at price must be above the price.",
        }
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("document", "mutation", "variables", "field"),
    [
        (
            VARIANT_CREATE,
            "productVariantCreate",
            {"product": "bm9wZQ==", "variant": {"sku": "N", "price": "1"}},
            "product",
        ),
        (
            VARIANT_CREATE,
            "productVariantCreate",
            {"product": relay.to_base64("Category", 1), "variant": {"sku": "N", "price": "1"}},
            "product",
        ),
        (
            VARIANT_UPDATE,
            "productVariantUpdate",
            {"id": relay.to_base64("ProductVariant", 999_999), "variant": {"price": "1"}},
            "id",
        ),
        (VARIANT_DELETE, "productVariantDelete", {"id": "bm9wZQ=="}, "id"),
    ],
)
def test_bad_variant_ids_are_not_found(gql, manager, document, mutation, variables, field):
    # given
    VariantFactory()
    before = snapshot()

    # when
    body = gql(document, {"input": variables}, user=manager, headers=EN)

    # then
    not_found = [{"field": field, "code": "NOT_FOUND", "message": "Not found."}]
    assert body["data"][mutation] == {
        **({} if mutation == "productVariantDelete" else {"variant": None}),
        "product": None,
        "errors": not_found,
    }
    assert snapshot() == before
