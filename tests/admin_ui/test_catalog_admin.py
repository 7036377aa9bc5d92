from datetime import timedelta
from decimal import Decimal

import pytest
import tablib
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import (
    Attribute,
    AttributeChoice,
    Collection,
    CollectionProduct,
    Product,
    ProductAttributeValue,
    ProductVariant,
    Stock,
)
from catalog.resources import ProductResource, StockResource
from orders import services
from orders.models import Reservation
from orders.payments.memory import gateway
from shop.accounts.models import User
from shop.accounts.roles import CATALOGUE_MANAGER, ORDER_MANAGER
from tests.admin_ui.forms import field_errors, management_form
from tests.factories import StaffFactory, staff_in_role
from tests.factories.catalog import (
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    StockFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.factories.orders import ready_checkout

pytestmark = pytest.mark.django_db
PRODUCT_HEADER = "slug,name,name_en,category,tax_class,is_published,description,description_en"
EN = {"Accept-Language": "en"}


@pytest.fixture
def manager(client):
    user = staff_in_role(CATALOGUE_MANAGER, email="catalogo@example.com")
    client.force_login(user)
    return user


def product_form(product, **changes):
    """The product change form as the admin posts it, without inline rows."""
    data = {
        "category": product.category_id,
        "name": product.name,
        "name_en": product.name_en,
        "slug": product.slug,
        "tax_class": product.tax_class,
        "description": product.description,
        "description_en": product.description_en,
        "seo_title": "",
        "seo_title_en": "",
        "seo_description": "",
        "seo_description_en": "",
    }
    if product.is_published:
        data["is_published"] = "on"
    for prefix in ("variants", "attribute_values", "media"):
        data |= management_form(prefix)
    return data | changes


def csv_file(text, name="datos.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def import_through_admin(client, model, text):
    """Upload ``text`` to the import view (the dry run); returns its response."""
    return client.post(
        f"/admin/catalog/{model}/import/",
        {"import_file": csv_file(text), "format": "0", "resource": "0"},
    )


def product_values(slug):
    return Product.objects.values(
        "name", "name_en", "category__slug", "tax_class", "is_published", "description"
    ).get(slug=slug)


def test_catalogue_manager_sees_every_catalogue_changelist_and_change_form(client, manager):
    stock = StockFactory(quantity=5, allocated=1)
    product = stock.variant.product
    MediaFactory(product=product, image="products/grifo.png")
    attribute = Attribute.objects.create(slug="material", name="Material", type="choice")
    choice = AttributeChoice.objects.create(attribute=attribute, slug="acero", name="Acero")
    ProductAttributeValue.objects.create(product=product, attribute=attribute, choice=choice)
    collection = Collection.objects.create(name="Novedades", slug="novedades")
    CollectionProduct.objects.create(collection=collection, product=product, position=1)
    objects = {
        "category": product.category,
        "product": product,
        "productvariant": stock.variant,
        "attribute": attribute,
        "collection": collection,
        "warehouse": stock.warehouse,
        "stock": stock,
    }

    statuses = {}
    for model, obj in objects.items():
        statuses[model] = (
            client.get(f"/admin/catalog/{model}/").status_code,
            client.get(f"/admin/catalog/{model}/{obj.pk}/change/").status_code,
            client.get(f"/admin/catalog/{model}/add/").status_code,
        )

    assert statuses == dict.fromkeys(objects, (200, 200, 200))
    assert [
        client.get(f"/admin/catalog/{model}/{view}/").status_code
        for model in ("product", "stock")
        for view in ("import", "export")
    ] == [200, 200, 200, 200]
    change_form = client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert '<img src="/media/products/grifo.png" alt=""' in change_form


def test_changelists_show_availability_prices_and_counts_from_stock(client, manager):
    central, norte = WarehouseFactory(slug="central"), WarehouseFactory(slug="norte")
    product = ProductFactory(name="Grifo")
    cheap = VariantFactory(product=product, sku="GRI-1", price=Decimal("8.50"))
    dear = VariantFactory(product=product, sku="GRI-2", price=Decimal("10.00"))
    StockFactory(variant=dear, warehouse=central, quantity=5, allocated=2)
    StockFactory(variant=dear, warehouse=norte, quantity=3, allocated=0)
    StockFactory(variant=cheap, warehouse=central, quantity=4, allocated=4)
    ProductFactory(name="Jarra")

    products = client.get("/admin/catalog/product/").context["cl"].result_list
    variants = client.get("/admin/catalog/productvariant/").context["cl"].result_list
    stock = client.get(f"/admin/catalog/stock/?warehouse__id__exact={central.pk}")

    assert [(p.name, p.variant_count, p.min_price, p.available) for p in products] == [
        ("Grifo", 2, Decimal("8.50"), 6),
        ("Jarra", 0, None, 0),
    ]
    assert sorted((v.sku, v.available) for v in variants) == [("GRI-1", 0), ("GRI-2", 6)]
    assert sorted(
        (s.variant.sku, s.quantity, s.allocated, s.available)
        for s in stock.context["cl"].result_list
    ) == [("GRI-1", 4, 4, 0), ("GRI-2", 5, 2, 3)]


@pytest.fixture
def _memory_gateway():
    gateway.reset()
    yield
    gateway.reset()


@pytest.mark.usefixtures("_memory_gateway")
def test_changelists_take_live_reservations_off_the_available_units(client, manager):
    central, norte = WarehouseFactory(slug="central"), WarehouseFactory(slug="norte")
    product = ProductFactory(name="Jarra")
    variant = VariantFactory(product=product, sku="JARRA")
    StockFactory(variant=variant, warehouse=central, quantity=8, allocated=2)
    StockFactory(variant=variant, warehouse=norte, quantity=5)
    paying = ready_checkout(lines=[(variant, 9)])
    services.checkout_payment_start(checkout=paying, method_code="card")
    expired = ready_checkout(lines=[(variant, 2)], email="otra@example.com")
    services.checkout_payment_start(checkout=expired, method_code="card")
    Reservation.objects.filter(line__checkout=expired).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    products = client.get("/admin/catalog/product/").context["cl"].result_list
    variants = client.get("/admin/catalog/productvariant/").context["cl"].result_list
    stock = client.get("/admin/catalog/stock/").context["cl"].result_list

    assert [(p.name, p.available) for p in products] == [("Jarra", 2)]
    assert [(v.sku, v.available) for v in variants] == [("JARRA", 2)]
    assert sorted((s.warehouse.slug, s.quantity, s.allocated, s.available) for s in stock) == [
        ("central", 8, 2, 0),
        ("norte", 5, 0, 2),
    ]


def test_product_changelist_query_count_does_not_grow_with_products(client, manager):
    warehouse = WarehouseFactory()
    collection = Collection.objects.create(name="Novedades", slug="novedades")

    def add_products(count):
        for _ in range(count):
            product = ProductFactory()
            CollectionProduct.objects.create(collection=collection, product=product)
            for _variant in range(2):
                StockFactory(variant=VariantFactory(product=product), warehouse=warehouse)

    def changelist_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/catalog/product/")
        assert response.status_code == 200
        return len(response.context["cl"].result_list), len(queries)

    add_products(3)
    changelist_queries()  # warm-up: session and content-type caches
    rows_3, queries_3 = changelist_queries()
    add_products(9)
    rows_12, queries_12 = changelist_queries()

    assert (rows_3, rows_12) == (3, 12)
    assert queries_12 == queries_3


def test_product_search_finds_name_slug_and_variant_sku_once(client, manager):
    grifo = ProductFactory(name="Grifo", name_en="Tap", slug="grifo-cocina")
    VariantFactory(product=grifo, sku="GRI-1")
    VariantFactory(product=grifo, sku="GRI-2")
    ProductFactory(name="Jarra", name_en="Jug", slug="jarra")

    def found(text):
        response = client.get("/admin/catalog/product/", {"q": text})
        return [product.name for product in response.context["cl"].result_list]

    assert [found(text) for text in ("gri", "tap", "cocina", "GRI-2", "jug")] == [
        ["Grifo"],
        ["Grifo"],
        ["Grifo"],
        ["Grifo"],
        ["Jarra"],
    ]


def test_catalogue_manager_adds_product_with_variant_inline(client, manager):
    category = CategoryFactory(slug="filtros")
    data = {
        "category": category.pk,
        "name": "Filtro de jarra",
        "name_en": "Jug filter",
        "slug": "filtro-de-jarra",
        "tax_class": "reduced",
        "is_published": "on",
        "description": '<p onclick="x()">Filtra<script>alert(1)</script></p>',
        "description_en": "<p>Filters</p>",
        **management_form("variants", total=1),
        "variants-0-sku": "FIL-1",
        "variants-0-name": "Blanco",
        "variants-0-name_en": "White",
        "variants-0-price": "19.90",
        "variants-0-compare_at_price": "24.90",
        "variants-0-weight_grams": "350",
        "variants-0-track_inventory": "on",
        "variants-0-position": "0",
        **management_form("attribute_values"),
        **management_form("media"),
    }

    response = client.post("/admin/catalog/product/add/", data)

    assert response.status_code == 302
    product = Product.objects.get(slug="filtro-de-jarra")
    assert (
        product.category_id,
        product.name,
        product.tax_class,
        product.is_published,
        product.description,
    ) == (category.pk, "Filtro de jarra", "reduced", True, "<p>Filtra</p>")
    assert list(
        product.variants.values_list(
            "sku", "name", "price", "compare_at_price", "weight_grams", "track_inventory"
        )
    ) == [("FIL-1", "Blanco", Decimal("19.90"), Decimal("24.90"), 350, True)]
    log = LogEntry.objects.get(object_id=str(product.pk), content_type__model="product")
    assert (log.user_id, log.action_flag) == (manager.pk, ADDITION)


def test_variant_inline_refuses_compare_at_price_not_above_price(client, manager):
    product = ProductFactory()
    data = product_form(product) | management_form("variants", total=1)
    data |= {
        "variants-0-sku": "FIL-1",
        "variants-0-price": "19.90",
        "variants-0-compare_at_price": "19.90",
        "variants-0-weight_grams": "0",
        "variants-0-position": "0",
    }

    response = client.post(f"/admin/catalog/product/{product.pk}/change/", data, headers=EN)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [field_errors(form) for form in formset] == [
        {"compare_at_price": [("invalid", "The compare-at price must be above the price.")]}
    ]
    assert ProductVariant.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_specification_must_use_the_column_of_its_attribute_type(client, manager):
    product = ProductFactory()
    caudal = Attribute.objects.create(slug="caudal", name="Caudal", type="number", unit="l/min")
    material = Attribute.objects.create(slug="material", name="Material", type="choice")
    acero = AttributeChoice.objects.create(attribute=material, slug="acero", name="Acero")
    data = product_form(product) | management_form("attribute_values", total=1)
    data |= {
        "attribute_values-0-attribute": caudal.pk,
        "attribute_values-0-text_value": "seis",
        "attribute_values-0-choice": acero.pk,
    }

    response = client.post(f"/admin/catalog/product/{product.pk}/change/", data, headers=EN)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    assert field_errors(formset.forms[0]) == {
        "text_value": [("invalid", "“Caudal” takes a value of its own type only.")]
    }
    assert ProductAttributeValue.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_order_manager_views_products_but_cannot_change_or_import_them(client):
    product = ProductFactory(name="Grifo", slug="grifo", is_published=False)
    client.force_login(staff_in_role(ORDER_MANAGER, email="pedidos@example.com"))

    changelist = client.get("/admin/catalog/product/")
    change_form = client.get(f"/admin/catalog/product/{product.pk}/change/")
    change = client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        product_form(product, name="Otro", is_published="on"),
    )
    imported = import_through_admin(
        client, "product", f"{PRODUCT_HEADER}\ngrifo,Otro,,{product.category.slug},general,1,,\n"
    )

    assert (changelist.status_code, change_form.status_code) == (200, 200)
    assert (change.status_code, imported.status_code) == (403, 403)
    unchanged = product_values("grifo")
    assert (unchanged["name"], unchanged["is_published"]) == ("Grifo", False)
    assert LogEntry.objects.count() == 0


def test_staff_without_a_role_is_denied_the_catalogue(client):
    product = ProductFactory(name="Grifo", slug="grifo")
    stock = StockFactory(variant=VariantFactory(product=product), quantity=10)
    client.force_login(StaffFactory(email="nadie@example.com"))

    statuses = [
        client.get("/admin/catalog/product/").status_code,
        client.get(f"/admin/catalog/product/{product.pk}/change/").status_code,
        client.post(
            f"/admin/catalog/product/{product.pk}/change/", product_form(product, name="Otro")
        ).status_code,
        client.post("/admin/catalog/product/export/", {"format": "0"}).status_code,
        import_through_admin(
            client,
            "stock",
            f"sku,warehouse,quantity\n{stock.variant.sku},{stock.warehouse.slug},99\n",
        ).status_code,
    ]

    assert statuses == [403, 403, 403, 403, 403]
    stock.refresh_from_db()
    assert (product_values("grifo")["name"], stock.quantity) == ("Grifo", 10)


def test_category_cannot_move_under_its_own_sub_category(client, manager):
    root = CategoryFactory(slug="grifos")
    child = CategoryFactory(slug="monomando", parent=root)

    response = client.post(
        f"/admin/catalog/category/{root.pk}/change/",
        {"parent": child.pk, "name": root.name, "slug": root.slug, "position": "0"},
        headers=EN,
    )

    assert response.status_code == 200
    assert field_errors(response.context["adminform"].form) == {
        "parent": [
            ("invalid", "A category cannot be placed under itself or one of its sub-categories.")
        ]
    }
    root.refresh_from_db()
    assert root.parent_id is None
    assert LogEntry.objects.count() == 0


def test_stock_change_refuses_quantity_below_allocated(client, manager):
    stock = StockFactory(quantity=10)
    Stock.objects.filter(pk=stock.pk).update(allocated=4)

    response = client.post(
        f"/admin/catalog/stock/{stock.pk}/change/", {"quantity": "3"}, headers=EN
    )

    assert response.status_code == 200
    assert field_errors(response.context["adminform"].form) == {
        "quantity": [
            ("invalid_stock", "The quantity cannot be below the 4 units allocated to orders.")
        ]
    }
    assert Stock.objects.values_list("quantity", "allocated").get(pk=stock.pk) == (10, 4)
    assert LogEntry.objects.count() == 0


def test_stock_change_writes_quantity_only_so_concurrent_allocations_survive(client, manager):
    stock = StockFactory(quantity=10)
    other_variant = VariantFactory()

    def order_allocates_meanwhile(sender, instance, **kwargs):
        Stock.objects.filter(pk=instance.pk).update(allocated=5)

    pre_save.connect(order_allocates_meanwhile, sender=Stock)
    try:
        response = client.post(
            f"/admin/catalog/stock/{stock.pk}/change/",
            {"variant": other_variant.pk, "quantity": "12"},
        )
    finally:
        pre_save.disconnect(order_allocates_meanwhile, sender=Stock)

    assert response.status_code == 302
    assert Stock.objects.values_list("variant_id", "quantity", "allocated").get(pk=stock.pk) == (
        stock.variant_id,
        12,
        5,
    )


def test_stock_inline_of_a_variant_writes_quantity_only_and_refuses_below_allocated(
    client, manager
):
    variant = VariantFactory(sku="GRI-1", price=Decimal("10.00"))
    central, norte = WarehouseFactory(slug="central"), WarehouseFactory(slug="norte")
    kept = StockFactory(variant=variant, warehouse=central, quantity=10)
    low = StockFactory(variant=variant, warehouse=norte, quantity=10)
    Stock.objects.filter(pk=low.pk).update(allocated=6)
    data = {
        "product": variant.product_id,
        "sku": "GRI-1",
        "price": "10.00",
        "weight_grams": "250",
        "track_inventory": "on",
        "position": "0",
        **management_form("stocks", total=2, initial=2),
        "stocks-0-id": kept.pk,
        "stocks-0-variant": variant.pk,
        "stocks-0-quantity": "12",
        "stocks-1-id": low.pk,
        "stocks-1-variant": variant.pk,
        "stocks-1-quantity": "10",
    }
    url = f"/admin/catalog/productvariant/{variant.pk}/change/"

    def order_allocates_meanwhile(sender, instance, **kwargs):
        Stock.objects.filter(pk=instance.pk).update(allocated=3)

    refused = client.post(url, data | {"stocks-1-quantity": "5"})
    pre_save.connect(order_allocates_meanwhile, sender=Stock)
    try:
        accepted = client.post(url, data)
    finally:
        pre_save.disconnect(order_allocates_meanwhile, sender=Stock)

    assert refused.status_code == 200
    formset = refused.context["inline_admin_formsets"][0].formset
    assert [[e.code for e in form.errors.as_data().get("quantity", [])] for form in formset] == [
        [],
        ["invalid_stock"],
    ]
    assert accepted.status_code == 302
    assert sorted(Stock.objects.values_list("warehouse__slug", "quantity", "allocated")) == [
        ("central", 12, 3),
        ("norte", 10, 6),
    ]


def test_product_csv_export_has_the_expected_header_and_rows(client, manager):
    category = CategoryFactory(slug="grifos")
    ProductFactory(
        category=category,
        slug="grifo",
        name="Grifo",
        name_en="Tap",
        tax_class="general",
        is_published=True,
        description="<p>Cromado</p>",
        description_en="",
    )
    ProductFactory(
        category=category,
        slug="aireador",
        name="Aireador",
        name_en="",
        tax_class="reduced",
        is_published=False,
        description="",
        description_en="<p>Aerator</p>",
    )
    fields = PRODUCT_HEADER.split(",")

    response = client.post(
        "/admin/catalog/product/export/",
        {"format": "0", "resource": "0"} | {f"productresource_{name}": "on" for name in fields},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines() == [
        PRODUCT_HEADER,
        "aireador,Aireador,,grifos,reduced,0,,<p>Aerator</p>",
        "grifo,Grifo,Tap,grifos,general,1,<p>Cromado</p>,",
    ]


def test_product_csv_import_through_admin_creates_updates_and_skips_by_slug(client, manager):
    grifos, filtros = CategoryFactory(slug="grifos"), CategoryFactory(slug="filtros")
    ProductFactory(slug="grifo", name="Grifo", name_en="", category=grifos, is_published=False)
    ProductFactory(
        slug="jarra",
        name="Jarra",
        name_en="Jug",
        category=filtros,
        tax_class="general",
        is_published=True,
        description="<p>Jarra</p>",
        description_en="",
    )
    text = (
        f"{PRODUCT_HEADER}\n"
        "grifo,Grifo monomando,Mixer tap,grifos,general,1,<p>Cromado</p>,\n"
        "filtro,Filtro,Filter,filtros,reduced,0,"
        '"<p onclick=""x()"">Carbón<script>1</script></p>",\n'
        "jarra,Jarra,Jug,filtros,general,1,<p>Jarra</p>,\n"
    )

    dry_run = import_through_admin(client, "product", text)
    after_dry_run = sorted(Product.objects.values_list("slug", "name"))
    confirm = client.post(
        "/admin/catalog/product/process_import/", dry_run.context["confirm_form"].initial
    )

    assert dry_run.status_code == 200
    totals = dry_run.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"], totals["invalid"]) == (1, 1, 1, 0)
    assert after_dry_run == [("grifo", "Grifo"), ("jarra", "Jarra")]
    assert confirm.status_code == 302
    assert confirm["Location"] == "/admin/catalog/product/"
    assert product_values("grifo") == {
        "name": "Grifo monomando",
        "name_en": "Mixer tap",
        "category__slug": "grifos",
        "tax_class": "general",
        "is_published": True,
        "description": "<p>Cromado</p>",
    }
    assert product_values("filtro") == {
        "name": "Filtro",
        "name_en": "Filter",
        "category__slug": "filtros",
        "tax_class": "reduced",
        "is_published": False,
        "description": "<p>Carbón</p>",
    }
    assert sorted(
        LogEntry.objects.filter(user=manager).values_list("object_repr", "action_flag")
    ) == [("Filtro", ADDITION), ("Grifo monomando", CHANGE)]


def test_product_import_refuses_the_whole_file_when_a_row_is_invalid():
    CategoryFactory(slug="grifos")
    dataset = tablib.Dataset(headers=PRODUCT_HEADER.split(","))
    dataset.append(["grifo", "Grifo", "", "grifos", "general", "1", "", ""])
    dataset.append(["filtro", "Filtro", "", "no-existe", "general", "sí", "", ""])
    dataset.append(["jarra", "Jarra", "", "grifos", "iva-cero", "quizá", "", ""])

    result = ProductResource().import_data(dataset, dry_run=False)

    assert {row.number: sorted(row.error_dict) for row in result.invalid_rows} == {
        2: ["category"],
        3: ["is_published", "tax_class"],
    }
    assert Product.objects.count() == 0


def test_stock_import_below_allocated_is_refused_and_the_row_unchanged(client, manager):
    central = WarehouseFactory(slug="central")
    stock = StockFactory(variant=VariantFactory(sku="GRI-1"), warehouse=central, quantity=10)
    Stock.objects.filter(pk=stock.pk).update(allocated=4)
    other = StockFactory(variant=VariantFactory(sku="GRI-2"), warehouse=central, quantity=1)
    text = "sku,warehouse,quantity\nGRI-2,central,50\nGRI-1,central,3\n"

    response = import_through_admin(client, "stock", text)
    direct = StockResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert '<span class="validation-error-field-label">quantity</span>' in response.content.decode()
    result = response.context["result"]
    assert [
        (row.number, row.error.error_dict["quantity"][0].code) for row in result.invalid_rows
    ] == [(2, "invalid_stock")]
    assert [(row.number, sorted(row.error_dict)) for row in direct.invalid_rows] == [
        (2, ["quantity"])
    ]
    assert sorted(Stock.objects.values_list("pk", "quantity", "allocated")) == [
        (stock.pk, 10, 4),
        (other.pk, 1, 0),
    ]


def test_stock_import_refuses_negative_quantities_and_unknown_sku_or_warehouse():
    central = WarehouseFactory(slug="central")
    stock = StockFactory(variant=VariantFactory(sku="GRI-1"), warehouse=central, quantity=10)
    dataset = tablib.Dataset(headers=["sku", "warehouse", "quantity"])
    dataset.append(["GRI-1", "central", "20"])
    dataset.append(["GRI-1", "central", "-1"])
    dataset.append(["NO-EXISTE", "central", "5"])
    dataset.append(["GRI-1", "sur", "5"])
    dataset.append(["GRI-1", "central", "2,5"])

    result = StockResource().import_data(dataset, dry_run=False)

    assert {row.number: sorted(row.error_dict) for row in result.invalid_rows} == {
        2: ["quantity"],
        3: ["sku"],
        4: ["warehouse"],
        5: ["quantity"],
    }
    assert list(Stock.objects.values_list("pk", "quantity", "allocated")) == [(stock.pk, 10, 0)]


def test_stock_import_through_admin_sets_quantities_creates_rows_and_keeps_allocations(
    client, manager
):
    central = WarehouseFactory(slug="central")
    WarehouseFactory(slug="norte")
    variant = VariantFactory(sku="GRI-1")
    stock = StockFactory(variant=variant, warehouse=central, quantity=10)
    Stock.objects.filter(pk=stock.pk).update(allocated=4)

    dry_run = import_through_admin(
        client, "stock", "sku,warehouse,quantity\nGRI-1,central,12\nGRI-1,norte,5\n"
    )

    def order_allocates_meanwhile(sender, instance, **kwargs):
        if instance.pk is not None:
            Stock.objects.filter(pk=instance.pk).update(allocated=6)

    pre_save.connect(order_allocates_meanwhile, sender=Stock)
    try:
        confirm = client.post(
            "/admin/catalog/stock/process_import/", dry_run.context["confirm_form"].initial
        )
    finally:
        pre_save.disconnect(order_allocates_meanwhile, sender=Stock)

    assert confirm.status_code == 302
    assert sorted(
        Stock.objects.values_list("warehouse__slug", "variant__sku", "quantity", "allocated")
    ) == [("central", "GRI-1", 12, 6), ("norte", "GRI-1", 5, 0)]


def _png(width=640, height=480):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


def _media_post(product, upload):
    from django.urls import reverse

    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = {
        "category": product.category_id,
        "name": product.name,
        "name_en": product.name_en,
        "slug": product.slug,
        "description": "",
        "description_en": "",
        "tax_class": product.tax_class,
        "seo_title": "",
        "seo_title_en": "",
        "seo_description": "",
        "seo_description_en": "",
    }
    for prefix in ("variants", "attribute_values", "media"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update({"media-TOTAL_FORMS": "1", "media-0-image": upload, "media-0-position": "0"})
    data.update({"media-0-alt": "Foto", "media-0-alt_en": "Photo"})
    return url, data


def test_admin_image_upload_is_validated_and_thumbnailed(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    from catalog.models import Category, Product, ProductMedia

    manager = User.objects.create_user("cat@example.com", "pw", is_staff=True)
    manager.groups.add(Group.objects.get(name="Gestor de catálogo"))
    category = Category.objects.create(name="Filtros", slug="filtros")
    product = Product.objects.create(category=category, name="Jarra", slug="jarra")
    client.force_login(manager)

    url, data = _media_post(product, _png())
    response = client.post(url, data)

    assert response.status_code == 302
    media = ProductMedia.objects.get(product=product)
    assert (media.width, media.height) == (640, 480)
    assert sorted(media.thumbnails) == ["160", "480"]
    assert all((tmp_path / name).is_file() for name in media.thumbnails.values())


def test_admin_refuses_an_svg_upload(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import Category, Product, ProductMedia

    manager = User.objects.create_user("cat@example.com", "pw", is_staff=True)
    manager.groups.add(Group.objects.get(name="Gestor de catálogo"))
    product = Product.objects.create(
        category=Category.objects.create(name="Filtros", slug="filtros"), name="Jarra", slug="jarra"
    )
    client.force_login(manager)
    svg = SimpleUploadedFile("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png")

    url, data = _media_post(product, svg)
    response = client.post(url, data)

    assert response.status_code == 200
    assert ProductMedia.objects.filter(product=product).count() == 0
    assert list(tmp_path.rglob("*.*")) == []


# Every page writes through catalog.services


def history():
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "user_id", "content_type__model", "action_flag", "change_message"
        )
    )


def test_stock_change_goes_through_stock_update_under_the_row_lock(client, manager):
    stock = StockFactory(quantity=10)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/admin/catalog/stock/{stock.pk}/change/", {"quantity": "12"})

    assert response.status_code == 302
    assert Stock.objects.values_list("quantity", flat=True).get(pk=stock.pk) == 12
    # stock_update's history entry, written once (not again by the admin)
    assert history() == [(manager.pk, "stock", CHANGE, "quantity: 10 → 12")]
    locked = any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    assert locked == connection.features.has_select_for_update


def test_stock_added_on_its_page_is_set_by_stock_update(client, manager):
    variant, warehouse = VariantFactory(sku="GRI-1"), WarehouseFactory(slug="central")

    response = client.post(
        "/admin/catalog/stock/add/",
        {"variant": variant.pk, "warehouse": warehouse.pk, "quantity": "7"},
    )

    assert response.status_code == 302
    assert list(Stock.objects.values_list("variant__sku", "warehouse__slug", "quantity")) == [
        ("GRI-1", "central", 7)
    ]
    assert history() == [(manager.pk, "stock", ADDITION, "quantity: 0 → 7")]


def test_a_refusal_the_form_did_not_foresee_rolls_the_page_back(client, manager, monkeypatch):
    # given: the form's check lets 3 through, as when an order allocates after it ran
    from admin_ui.catalog import StockForm

    stock = StockFactory(quantity=10)
    Stock.objects.filter(pk=stock.pk).update(allocated=4)
    monkeypatch.setattr(StockForm, "service_check", lambda _self: None)
    url = f"/admin/catalog/stock/{stock.pk}/change/"

    response = client.post(url, {"quantity": "3"}, headers=EN)

    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url, headers=EN).content.decode()
    assert "The quantity cannot be below the 4 units allocated to orders." in page
    assert Stock.objects.values_list("quantity", "allocated").get(pk=stock.pk) == (10, 4)
    assert history() == []


def test_stock_with_allocations_is_not_deleted(client, manager):
    stock = StockFactory(quantity=10)
    Stock.objects.filter(pk=stock.pk).update(allocated=2)
    url = f"/admin/catalog/stock/{stock.pk}/delete/"

    response = client.post(url, {"post": "yes"}, headers=EN)

    assert response.status_code == 302
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "Units of this stock are allocated to orders." in page
    assert Stock.objects.filter(pk=stock.pk).exists()
    assert history() == []


def test_attribute_type_cannot_change_while_products_use_it(client, manager):
    caudal = Attribute.objects.create(slug="caudal", name="Caudal", type="number")
    ProductAttributeValue.objects.create(
        product=ProductFactory(), attribute=caudal, number_value=Decimal("6")
    )
    data = {"slug": "caudal", "name": "Caudal", "name_en": "", "type": "text", "unit": ""}
    data |= management_form("choices")

    response = client.post(f"/admin/catalog/attribute/{caudal.pk}/change/", data, headers=EN)

    assert response.status_code == 200
    assert field_errors(response.context["adminform"].form) == {
        "type": [
            (
                "in_use",
                "Products already have values of this attribute; its type cannot change.",
            )
        ]
    }
    assert Attribute.objects.values_list("type", flat=True).get() == "number"
    assert history() == []


def test_collection_inline_sets_its_products_in_position_order(client, manager):
    grifo, jarra = ProductFactory(name="Grifo"), ProductFactory(name="Jarra")
    data = {"name": "Novedades", "name_en": "", "slug": "novedades", "position": "0"}
    data |= {"description": "", "description_en": "", "is_published": "on"}
    data |= management_form("entries", total=2)
    data |= {"entries-0-product": grifo.pk, "entries-0-position": "5"}
    data |= {"entries-1-product": jarra.pk, "entries-1-position": "1"}

    response = client.post("/admin/catalog/collection/add/", data)

    assert response.status_code == 302
    collection = Collection.objects.get()
    assert list(
        collection.entries.order_by("position").values_list("product__name", "position")
    ) == [("Jarra", 1), ("Grifo", 2)]
    assert history() == [
        (manager.pk, "collection", ADDITION, ""),
        (manager.pk, "collection", CHANGE, "products"),
    ]


def test_replacing_an_image_makes_new_thumbnails_and_removes_the_old_files(
    client, manager, settings, tmp_path, django_capture_on_commit_callbacks
):
    from catalog.services import product_media_create

    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory()
    media = product_media_create(actor=manager, product=product, upload=_png(320, 240))
    old_files = sorted([media.image.name, *media.thumbnails.values()])
    url, data = _media_post(product, _png(800, 600))
    data |= management_form("media", total=1, initial=1) | {"media-0-id": media.pk}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    media.refresh_from_db()
    assert (media.width, media.height, media.alt) == (800, 600, "Foto")
    assert sorted(media.thumbnails) == ["160", "480"]
    assert all(
        (tmp_path / name).is_file() for name in [media.image.name, *media.thumbnails.values()]
    )
    assert [name for name in old_files if (tmp_path / name).exists()] == []
    assert history()[-1] == (manager.pk, "productmedia", CHANGE, "alt, alt_en, position, image")


def test_a_stock_quantity_left_empty_is_a_form_error_and_nothing_changes(client, manager):
    stock = StockFactory(quantity=10)

    response = client.post(f"/admin/catalog/stock/{stock.pk}/change/", {"quantity": ""})

    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["quantity"]] == [
        "required"
    ]
    assert Stock.objects.values_list("quantity", flat=True).get(pk=stock.pk) == 10
    assert history() == []


def test_deleting_a_selection_with_stock_in_use_deletes_none_of_it(client, manager):
    free = StockFactory(quantity=3)
    in_use = StockFactory(quantity=10)
    Stock.objects.filter(pk=in_use.pk).update(allocated=2)

    response = client.post(
        "/admin/catalog/stock/",
        {"action": "delete_selected", "_selected_action": [free.pk, in_use.pk], "post": "yes"},
        headers=EN,
    )

    assert response.status_code == 302
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "Units of this stock are allocated to orders." in page
    assert sorted(Stock.objects.values_list("pk", flat=True)) == sorted([free.pk, in_use.pk])
    assert history() == []
