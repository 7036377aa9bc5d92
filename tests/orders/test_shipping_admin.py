"""The shipping administration: zones with their rules and methods, methods,
pickup points; readable form errors instead of broken constraints."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from tests.admin_ui.forms import field_errors, management_form
from tests.factories import staff_in_role

pytestmark = pytest.mark.django_db
INCLUDE, EXCLUDE = PostalCodeRule.Inclusion.INCLUDE, PostalCodeRule.Inclusion.EXCLUDE
EN = {"Accept-Language": "en"}


@pytest.fixture
def shop_admin(client):
    user = staff_in_role("Administrador de la tienda", email="tienda@example.com")
    client.force_login(user)
    return user


def pickup_point(name="Oficina Plaza Nueva", postal_code="41001"):
    return PickupPoint.objects.create(
        name=name,
        street_address="Plaza Nueva, 8",
        postal_code=postal_code,
        city="Sevilla",
        opening_hours="L-V 8:30-14:00",
    )


def zone_with_rules_and_methods(name="Sevilla capital"):
    zone = ShippingZone.objects.create(name=name, countries=["ES"])
    zone.rules.create(inclusion=INCLUDE, start="41001", end="41020")
    zone.rules.create(inclusion=EXCLUDE, prefix="41013")
    zone.methods.create(name="Entrega en 24 h", price=Decimal("2.95"), free_above=Decimal("30"))
    pickup = zone.methods.create(name="Recogida", price=Decimal("0.00"), kind="pickup")
    pickup.pickup_points.add(pickup_point())
    return zone


def zone_form(rules=(), *, name="Sevilla capital", countries="ES", methods=()):
    """The zone add form as the admin posts it; ``rules`` are (inclusion, prefix, start, end)."""
    data = {"name": name, "countries": countries, "is_active": "on"}
    data |= management_form("rules", total=len(rules))
    for index, (inclusion, prefix, start, end) in enumerate(rules):
        data |= {
            f"rules-{index}-inclusion": inclusion,
            f"rules-{index}-prefix": prefix,
            f"rules-{index}-start": start,
            f"rules-{index}-end": end,
        }
    data |= management_form("methods", total=len(methods))
    for index, method in enumerate(methods):
        data |= {f"methods-{index}-{field}": value for field, value in method.items()}
    return data


def method_form(zone, **changes):
    data = {
        "zone": zone.pk,
        "kind": "delivery",
        "name": "Envío estándar",
        "name_en": "Standard shipping",
        "price": "5.95",
        "free_above": "",
        "min_order_value": "",
        "max_order_value": "",
        "min_weight_grams": "",
        "max_weight_grams": "",
        "delivery_days_min": "1",
        "delivery_days_max": "3",
        "is_active": "on",
        "position": "0",
    }
    return data | changes


def rows():
    return {
        "zones": list(ShippingZone.objects.values_list("name", "countries", "is_active")),
        "rules": list(
            PostalCodeRule.objects.values_list("zone__name", "inclusion", "prefix", "start", "end")
        ),
        "methods": list(
            ShippingMethod.objects.values_list("zone__name", "kind", "name", "price", "is_active")
        ),
        "pickup_links": list(ShippingMethod.pickup_points.through.objects.values_list("pk")),
        "history": LogEntry.objects.count(),
    }


def test_changelists_and_change_pages_render(client, shop_admin):
    zone = zone_with_rules_and_methods()
    method = zone.methods.get(kind="pickup")
    point = PickupPoint.objects.get()
    objects = {"shippingzone": zone, "shippingmethod": method, "pickuppoint": point}

    statuses = {
        model: (
            client.get(f"/admin/orders/{model}/").status_code,
            client.get(f"/admin/orders/{model}/{obj.pk}/change/").status_code,
            client.get(f"/admin/orders/{model}/add/").status_code,
        )
        for model, obj in objects.items()
    }

    assert statuses == dict.fromkeys(objects, (200, 200, 200))


def test_zone_changelist_shows_countries_and_counts(client, shop_admin):
    zone_with_rules_and_methods("Sevilla capital")
    ShippingZone.objects.create(name="Baleares", countries=["ES", "PT"], is_active=False)

    response = client.get("/admin/orders/shippingzone/")

    admin = response.context["cl"].model_admin
    assert [
        (z.name, admin.country_list(z), z.is_active, z.rule_count, z.method_count)
        for z in response.context["cl"].result_list
    ] == [("Baleares", "ES, PT", False, 0, 0), ("Sevilla capital", "ES", True, 2, 2)]


def test_method_changelist_shows_bands_and_delivery_days(client, shop_admin):
    zone = ShippingZone.objects.create(name="Península", countries=["ES"])
    zone.methods.create(
        name="Estándar",
        price=Decimal("5.95"),
        max_weight_grams=20000,
        delivery_days_min=1,
        delivery_days_max=3,
        position=1,
    )
    zone.methods.create(
        name="Pesado",
        price=Decimal("14.95"),
        min_order_value=Decimal("10"),
        max_order_value=Decimal("500"),
        min_weight_grams=20500,
        delivery_days_min=2,
        delivery_days_max=2,
        position=2,
    )
    zone.methods.create(name="Sin límites", price=Decimal("9.95"), position=3)

    english = client.get("/admin/orders/shippingmethod/", headers=EN).content.decode()
    spanish = client.get("/admin/orders/shippingmethod/").content.decode()

    cells = [
        '<td class="field-bands">≤ 20 kg</td><td class="field-delivery_days">1-3</td>',
        '<td class="field-bands">10.00 €-500.00 € · ≥ 20.5 kg</td>'
        '<td class="field-delivery_days">2</td>',
        '<td class="field-bands">-</td><td class="field-delivery_days">1-3</td>',
    ]
    assert [cell in english for cell in cells] == [True, True, True]
    assert '<td class="field-bands">10,00 €-500,00 € · ≥ 20,5 kg</td>' in spanish


def test_zone_change_page_summarises_its_rules(client, shop_admin):
    zone = zone_with_rules_and_methods()
    everywhere = ShippingZone.objects.create(name="España", countries=["ES", "PT"])

    page = client.get(f"/admin/orders/shippingzone/{zone.pk}/change/", headers=EN)
    everywhere_page = client.get(f"/admin/orders/shippingzone/{everywhere.pk}/change/", headers=EN)

    assert (
        "<li>Countries: ES</li><li>Postal codes: from 41001 to 41020</li>"
        "<li>Except: starting with 41013</li>"
    ) in page.content.decode()
    assert (
        "<li>Countries: ES, PT</li><li>Postal codes: all</li><li>Except: none</li>"
    ) in everywhere_page.content.decode()
    assert 'value="ES, PT"' in everywhere_page.content.decode()


def test_shop_administrator_adds_a_zone_with_rules_and_a_method(client, shop_admin):
    data = zone_form(
        [(INCLUDE, "41", "", ""), (EXCLUDE, "", "41001", "41020")],
        name="Área metropolitana",
        countries=" es , PT;ES",
        methods=[
            {
                "kind": "delivery",
                "name": "Entrega en 24-48 h",
                "name_en": "24-48-hour delivery",
                "price": "3.95",
                "free_above": "40.00",
                "delivery_days_min": "1",
                "delivery_days_max": "2",
                "is_active": "on",
                "position": "1",
            }
        ],
    )

    response = client.post("/admin/orders/shippingzone/add/", data)

    assert response.status_code == 302
    zone = ShippingZone.objects.get()
    assert (zone.name, zone.countries, zone.is_active) == ("Área metropolitana", ["ES", "PT"], True)
    assert list(zone.rules.values_list("inclusion", "prefix", "start", "end")) == [
        (INCLUDE, "41", "", ""),
        (EXCLUDE, "", "41001", "41020"),
    ]
    assert list(
        zone.methods.values_list("kind", "name", "price", "free_above", "delivery_days_max")
    ) == [("delivery", "Entrega en 24-48 h", Decimal("3.95"), Decimal("40.00"), 2)]
    log = LogEntry.objects.get(content_type__model="shippingzone")
    assert (log.user_id, log.action_flag, log.object_id) == (shop_admin.pk, ADDITION, str(zone.pk))


def test_invalid_rules_are_form_errors_and_nothing_is_saved(client, shop_admin):
    rules = [
        (INCLUDE, "4A", "", ""),
        (INCLUDE, "٤١", "", ""),  # Arabic-Indic digits are digits, but not ASCII ones
        (INCLUDE, "410011", "", ""),
        (INCLUDE, "", "4100", "41020"),
        (INCLUDE, "", "41020", "41001"),
        (INCLUDE, "41", "41001", "41020"),
        (EXCLUDE, "", "", ""),
        (INCLUDE, "", "41001", ""),
        (INCLUDE, "07", "", ""),
    ]

    response = client.post("/admin/orders/shippingzone/add/", zone_form(rules), headers=EN)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    code = "invalid_postal_code_rule"
    prefix = (code, "A prefix has 1 to 5 digits.")
    either = (code, "Give a prefix, or the first and last postal codes of a range.")
    assert [field_errors(form) for form in formset.forms] == [
        {"prefix": [prefix]},
        {"prefix": [prefix]},
        {"prefix": [("max_length", "Ensure this value has at most 5 characters (it has 6).")]},
        {"start": [(code, "A range runs between two postal codes of 5 digits.")]},
        {"end": [(code, "The range ends before it starts.")]},
        {"prefix": [either]},
        {"prefix": [either]},
        {"end": [either]},
        {},
    ]
    assert rows() == {"zones": [], "rules": [], "methods": [], "pickup_links": [], "history": 0}


@pytest.mark.parametrize(
    ("countries", "error"),
    [
        ("ES, UK", ("invalid", "Unknown country codes: UK.")),  # the United Kingdom is GB
        ("SP", ("invalid", "Unknown country codes: SP.")),
        ("ESP", ("invalid", "Unknown country codes: ESP.")),
        (" , ", ("required", "This field is required.")),
    ],
)
def test_countries_must_be_iso_codes(client, shop_admin, countries, error):
    response = client.post(
        "/admin/orders/shippingzone/add/",
        zone_form([(INCLUDE, "41", "", "")], countries=countries),
        headers=EN,
    )

    assert response.status_code == 200
    assert field_errors(response.context["adminform"].form) == {"countries": [error]}
    assert rows() == {"zones": [], "rules": [], "methods": [], "pickup_links": [], "history": 0}


def test_method_bands_must_be_in_order(client, shop_admin):
    zone = ShippingZone.objects.create(name="Península", countries=["ES"])
    data = method_form(
        zone,
        min_order_value="50",
        max_order_value="10",
        min_weight_grams="20000",
        max_weight_grams="1000",
        delivery_days_min="4",
        delivery_days_max="2",
    )

    response = client.post("/admin/orders/shippingmethod/add/", data, headers=EN)

    assert response.status_code == 200
    reversed_band = [("invalid", "The maximum cannot be below the minimum.")]
    assert field_errors(response.context["adminform"].form) == {
        "max_order_value": reversed_band,
        "max_weight_grams": reversed_band,
        "delivery_days_max": reversed_band,
    }
    assert ShippingMethod.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_pickup_points_only_on_pickup_methods(client, shop_admin):
    zone = ShippingZone.objects.create(name="Sevilla capital", countries=["ES"])
    point = pickup_point()

    delivery = client.post(
        "/admin/orders/shippingmethod/add/", method_form(zone, pickup_points=[point.pk]), headers=EN
    )
    pickup_without_points = client.post(
        "/admin/orders/shippingmethod/add/",
        method_form(zone, kind="pickup", name="Recogida", price="0"),
        headers=EN,
    )
    pickup = client.post(
        "/admin/orders/shippingmethod/add/",
        method_form(zone, kind="pickup", name="Recogida", price="0", pickup_points=[point.pk]),
    )

    assert [delivery.status_code, pickup_without_points.status_code] == [200, 200]
    assert [
        field_errors(refused.context["adminform"].form)
        for refused in (delivery, pickup_without_points)
    ] == [
        {"pickup_points": [("invalid", "Only pickup methods have pickup points.")]},
        {"pickup_points": [("required", "Choose at least one pickup point.")]},
    ]
    assert pickup.status_code == 302
    assert [
        (m.kind, m.name, [p.name for p in m.pickup_points.all()])
        for m in ShippingMethod.objects.all()
    ] == [("pickup", "Recogida", ["Oficina Plaza Nueva"])]


def zone_change_form(zone, *, name=None, kinds=None):
    """The zone change form with its saved rules and methods, as the admin posts it."""
    rules = list(zone.rules.order_by("pk"))
    methods = list(zone.methods.order_by("pk"))
    data = {"name": name or zone.name, "countries": ", ".join(zone.countries), "is_active": "on"}
    data |= management_form("rules", total=len(rules), initial=len(rules))
    for index, rule in enumerate(rules):
        data |= {
            f"rules-{index}-id": rule.pk,
            f"rules-{index}-zone": zone.pk,
            f"rules-{index}-inclusion": rule.inclusion,
            f"rules-{index}-prefix": rule.prefix,
            f"rules-{index}-start": rule.start,
            f"rules-{index}-end": rule.end,
        }
    data |= management_form("methods", total=len(methods), initial=len(methods))
    for index, method in enumerate(methods):
        data |= {
            f"methods-{index}-id": method.pk,
            f"methods-{index}-zone": zone.pk,
            f"methods-{index}-kind": (kinds or {}).get(method.name, method.kind),
            f"methods-{index}-name": method.name,
            f"methods-{index}-name_en": method.name_en,
            f"methods-{index}-price": str(method.price),
            f"methods-{index}-free_above": str(method.free_above or ""),
            f"methods-{index}-delivery_days_min": str(method.delivery_days_min),
            f"methods-{index}-delivery_days_max": str(method.delivery_days_max),
            f"methods-{index}-position": str(method.position),
        }
        if method.is_active:
            data[f"methods-{index}-is_active"] = "on"
    return data


def test_renaming_a_zone_keeps_its_rules_and_logs_only_the_name(client, shop_admin):
    zone = zone_with_rules_and_methods()
    before = rows()

    response = client.post(
        f"/admin/orders/shippingzone/{zone.pk}/change/",
        zone_change_form(zone, name="Sevilla ciudad"),
    )

    assert response.status_code == 302
    after = rows()
    assert after["zones"] == [("Sevilla ciudad", ["ES"], True)]
    assert [rule[1:] for rule in after["rules"]] == [rule[1:] for rule in before["rules"]]
    assert [method[1:] for method in after["methods"]] == [m[1:] for m in before["methods"]]
    log = LogEntry.objects.get(content_type__model="shippingzone")
    assert (log.user_id, log.change_message) == (shop_admin.pk, "name")


def test_zone_inline_refuses_pickup_methods_without_points_and_points_off_pickup(
    client, shop_admin
):
    zone = zone_with_rules_and_methods()
    data = zone_change_form(zone, kinds={"Recogida": "delivery", "Entrega en 24 h": "pickup"})
    data |= {
        "methods-TOTAL_FORMS": "3",
        "methods-2-kind": "pickup",
        "methods-2-name": "Recogida en oficina",
        "methods-2-price": "0",
        "methods-2-delivery_days_min": "1",
        "methods-2-delivery_days_max": "2",
        "methods-2-position": "3",
    }
    before = rows()

    response = client.post(f"/admin/orders/shippingzone/{zone.pk}/change/", data, headers=EN)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    no_points = {"__all__": [("required", "Choose at least one pickup point.")]}
    assert [field_errors(form) for form in formset.forms] == [
        no_points,
        {"__all__": [("invalid", "Only pickup methods have pickup points.")]},
        no_points,
    ]
    assert rows() == before


def test_pickup_point_needs_a_spanish_postal_code(client, shop_admin):
    data = {
        "name": "Oficina Sevilla Este",
        "street_address": "Avenida de las Ciencias, 21",
        "city": "Sevilla",
        "opening_hours": "L-V 8:30-14:00",
        "opening_hours_en": "Mon-Fri 8:30-14:00",
        "is_active": "on",
    }

    refused = [
        client.post("/admin/orders/pickuppoint/add/", data | {"postal_code": code}, headers=EN)
        for code in ("4102", "99001", "٤١٠٢٠")
    ]
    accepted = client.post("/admin/orders/pickuppoint/add/", data | {"postal_code": "41020"})

    assert [r.status_code for r in refused] == [200, 200, 200]
    assert [field_errors(r.context["adminform"].form) for r in refused] == [
        {"postal_code": [("invalid", "Enter a valid Spanish postal code (5 digits).")]}
    ] * 3
    assert accepted.status_code == 302
    assert list(PickupPoint.objects.values_list("name", "postal_code")) == [
        ("Oficina Sevilla Este", "41020")
    ]


def test_order_manager_views_shipping_but_cannot_change_it(client):
    zone = zone_with_rules_and_methods()
    method = zone.methods.get(kind="delivery")
    point = PickupPoint.objects.get()
    client.force_login(staff_in_role("Gestor de pedidos", email="pedidos@example.com"))
    before = rows()

    views = [
        client.get(url).status_code
        for url in (
            "/admin/orders/shippingzone/",
            f"/admin/orders/shippingzone/{zone.pk}/change/",
            "/admin/orders/shippingmethod/",
            f"/admin/orders/shippingmethod/{method.pk}/change/",
            "/admin/orders/pickuppoint/",
            f"/admin/orders/pickuppoint/{point.pk}/change/",
        )
    ]
    changes = [
        client.post(
            f"/admin/orders/shippingzone/{zone.pk}/change/",
            zone_form([(INCLUDE, "07", "", "")], name="Otra", countries="PT"),
        ).status_code,
        client.post(
            f"/admin/orders/shippingmethod/{method.pk}/change/",
            method_form(zone, name="Gratis", price="0"),
        ).status_code,
        client.post("/admin/orders/shippingzone/add/", zone_form(name="Nueva")).status_code,
    ]

    assert views == [200] * 6
    assert changes == [403, 403, 403]
    assert rows() == before


def test_zone_changelist_query_count_does_not_grow_with_zones(client, shop_admin):
    def add_zones(count):
        for _ in range(count):
            zone_with_rules_and_methods(f"Zona {ShippingZone.objects.count() + 1}")

    def changelist_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/orders/shippingzone/")
        assert response.status_code == 200
        return len(response.context["cl"].result_list), len(queries)

    add_zones(2)
    changelist_queries()  # warm-up: session and content-type caches
    rows_2, queries_2 = changelist_queries()
    add_zones(6)
    rows_8, queries_8 = changelist_queries()

    assert (rows_2, rows_8) == (2, 8)
    assert queries_8 == queries_2


def test_method_changelist_query_count_does_not_grow_with_methods(client, shop_admin):
    def changelist_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/orders/shippingmethod/")
        assert response.status_code == 200
        return len(response.context["cl"].result_list), len(queries)

    zone_with_rules_and_methods("Zona 1")
    changelist_queries()
    rows_2, queries_2 = changelist_queries()
    for number in range(2, 5):
        zone_with_rules_and_methods(f"Zona {number}")
    rows_8, queries_8 = changelist_queries()

    assert (rows_2, rows_8) == (2, 8)
    assert queries_8 == queries_2


# Every page writes through orders.services.shipping


def test_the_only_pickup_point_of_a_method_is_not_deleted(client, shop_admin):
    zone = zone_with_rules_and_methods()
    point = PickupPoint.objects.get()
    before = rows()

    response = client.post(
        f"/admin/orders/pickuppoint/{point.pk}/delete/", {"post": "yes"}, headers=EN
    )

    assert response.status_code == 302
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "It is the only pickup point of: Recogida." in page
    assert PickupPoint.objects.filter(pk=point.pk).exists()
    assert rows() == before
    assert zone.methods.get(kind="pickup").pickup_points.get() == point


def test_a_method_changed_on_its_page_is_written_by_its_service(client, shop_admin):
    zone = ShippingZone.objects.create(name="Península", countries=["ES"])
    method = zone.methods.create(name="Envío estándar", price=Decimal("5.95"))

    response = client.post(
        f"/admin/orders/shippingmethod/{method.pk}/change/",
        method_form(zone, price="4.95", delivery_days_max="4"),
    )

    assert response.status_code == 302
    assert ShippingMethod.objects.values_list("price", "delivery_days_max").get() == (
        Decimal("4.95"),
        4,
    )
    assert list(LogEntry.objects.values_list("user_id", "change_message")) == [
        (shop_admin.pk, "name_en, price, delivery_days_max")
    ]
