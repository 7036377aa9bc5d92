"""Staff manage shipping zones, methods and pickup points through /graphql/: every
change is checked, validated, recorded with its actor, and refused to anybody
without the permission, leaving the database as it was."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from strawberry.utils.str_converters import to_camel_case

from orders import services
from orders.api.shipping.mutations import ShippingMutations
from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from orders.selectors import zones_serving
from shop.accounts.models import User
from tests.factories import UserFactory, gid, staff_in_role
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
ORDERS_MODELS = (ShippingZone, PostalCodeRule, ShippingMethod, PickupPoint)
Shipping = dict[str, Any]
Variables = Callable[[Shipping], dict[str, Any]]


@pytest.fixture
def admin() -> User:
    return staff_in_role("Administrador de la tienda")


@pytest.fixture
def order_manager() -> User:
    """Staff who may see shipping but change nothing in it."""
    return staff_in_role("Gestor de pedidos")


def snapshot() -> dict[str, Any]:
    """Every shipping row, the method-office links and the history."""
    rows: dict[str, Any] = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in ORDERS_MODELS
    }
    links = ShippingMethod.pickup_points.through.objects.order_by("pk")
    rows["links"] = list(links.values_list("shippingmethod_id", "pickuppoint_id"))
    rows["LogEntry"] = list(LogEntry.objects.order_by("pk").values())
    return rows


def history() -> list[tuple[int, str, str, int, str, str]]:
    """The administration history as (user, model, object id, flag, repr, message)."""
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "user_id",
            "content_type__model",
            "object_id",
            "action_flag",
            "object_repr",
            "change_message",
        )
    )


def rules(zone: ShippingZone) -> list[tuple[str, str, str, str]]:
    return list(
        PostalCodeRule.objects.filter(zone=zone)
        .order_by("pk")
        .values_list("inclusion", "prefix", "start", "end")
    )


def office(name: str, postal_code: str, **fields: Any) -> PickupPoint:
    defaults = {
        "street_address": "Calle Sierpes 1",
        "city": "Sevilla",
        "opening_hours": "L-V 9:00-14:00",
        "opening_hours_en": "Mon-Fri 9:00-14:00",
    }
    return PickupPoint.objects.create(name=name, postal_code=postal_code, **{**defaults, **fields})


@pytest.fixture
def shipping() -> Shipping:
    """A zone with a delivery and a pickup method, two offices, and a zone without methods."""
    zone = ShippingZone.objects.create(name="Sevilla capital", countries=["ES"])
    zone.rules.create(start="41001", end="41020")
    centro, triana = office("Oficina Centro", "41004"), office("Oficina Triana", "41010")
    delivery = ShippingMethod.objects.create(
        zone=zone, name="Estándar", name_en="Standard", price=Decimal("4.95"), position=1
    )
    pickup = ShippingMethod.objects.create(
        zone=zone, kind="pickup", name="Recogida", price=Decimal("0.00"), position=2
    )
    pickup.pickup_points.set([centro, triana])
    baleares = ShippingZone.objects.create(name="Baleares", countries=["ES"])
    baleares.rules.create(prefix="07")
    return {
        "zone": zone,
        "baleares": baleares,
        "delivery": delivery,
        "pickup": pickup,
        "centro": centro,
        "triana": triana,
    }


def _id(shipping: Shipping, key: str) -> str:
    obj = shipping[key]
    return gid(type(obj).__name__, obj.pk)


MUTATIONS: dict[str, tuple[str, Variables]] = {
    "shippingZoneCreate": (
        "ShippingZoneCreate",
        lambda _s: {"name": "Canarias", "countries": ["ES"], "rules": [{"prefix": "35"}]},
    ),
    "shippingZoneUpdate": (
        "ShippingZoneUpdate",
        lambda s: {"id": _id(s, "zone"), "zone": {"name": "Sevilla", "rules": []}},
    ),
    "shippingZoneDelete": ("ShippingZoneDelete", lambda s: {"id": _id(s, "baleares")}),
    "shippingMethodCreate": (
        "ShippingMethodCreate",
        lambda s: {"zone": _id(s, "zone"), "method": {"name": "Urgente", "price": "9.90"}},
    ),
    "shippingMethodUpdate": (
        "ShippingMethodUpdate",
        lambda s: {"id": _id(s, "delivery"), "method": {"price": "5.95"}},
    ),
    "shippingMethodDelete": ("ShippingMethodDelete", lambda s: {"id": _id(s, "delivery")}),
    "pickupPointCreate": (
        "PickupPointCreate",
        lambda _s: {
            "name": "Oficina Nervión",
            "streetAddress": "Avenida Eduardo Dato 2",
            "postalCode": "41005",
            "city": "Sevilla",
            "openingHours": "L-V 8:00-15:00",
        },
    ),
    "pickupPointUpdate": (
        "PickupPointUpdate",
        lambda s: {"id": _id(s, "centro"), "pickupPoint": {"isActive": False}},
    ),
    "pickupPointDelete": ("PickupPointDelete", lambda s: {"id": _id(s, "triana")}),
}


def send(gql: Any, mutation: str, shipping: Shipping, user: User | None) -> dict[str, Any]:
    name, variables = MUTATIONS[mutation]
    result: dict[str, Any] = gql(
        operation(f"staff/{name}"), {"input": variables(shipping)}, user=user, headers=EN
    )
    return result


def _denied(mutation: str, code: str, message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": [mutation],
                "extensions": {"code": code},
            }
        ],
    }


def mutate(gql: Any, name: str, input: dict[str, Any], user: User) -> dict[str, Any]:
    """The payload of the staff document ``name`` (no top-level errors expected)."""
    body = gql(operation(f"staff/{name}"), {"input": input}, user=user, headers=EN)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][name[0].lower() + name[1:]]
    return payload


def error(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}


# Permissions


def test_every_orders_mutation_is_checked_here():
    definition = ShippingMutations.__strawberry_definition__
    assert {to_camel_case(field.python_name) for field in definition.fields} == set(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_anonymous(gql, shipping, mutation):
    # given
    before = snapshot()

    # when
    body = send(gql, mutation, shipping, None)

    # then
    assert body == _denied(mutation, "UNAUTHENTICATED", "You need to sign in to do this.")
    assert snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_a_customer(gql, shipping, mutation):
    # given
    customer = UserFactory()
    before = snapshot()

    # when
    body = send(gql, mutation, shipping, customer)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_an_order_manager(gql, shipping, order_manager, mutation):
    # given: the order managers' group may only view shipping
    before = snapshot()

    # when
    body = send(gql, mutation, shipping, order_manager)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_refused_requests_would_change_shipping_for_an_administrator(
    gql, shipping, admin, mutation
):
    # given: the very requests the denial tests send
    before = snapshot()

    # when
    body = send(gql, mutation, shipping, admin)

    # then: they are valid, so an unchanged database above really means "refused"
    assert body["data"][mutation]["errors"] == []
    assert snapshot() != before


# Zones


def test_administrator_creates_a_zone_with_rules(gql, admin):
    # when
    payload = mutate(
        gql,
        "ShippingZoneCreate",
        {
            "name": "Área metropolitana",
            "countries": ["es"],
            "isActive": False,
            "rules": [
                {"prefix": "41"},
                {"inclusion": "EXCLUDE", "start": "41001", "end": "41020"},
            ],
        },
        admin,
    )

    # then
    zone = ShippingZone.objects.get()
    assert payload == {
        "shippingZone": {
            "id": gid("ShippingZone", zone.pk),
            "name": "Área metropolitana",
            "countries": ["ES"],
            "isActive": False,
            "rules": [
                {"inclusion": "INCLUDE", "prefix": "41", "start": None, "end": None},
                {"inclusion": "EXCLUDE", "prefix": None, "start": "41001", "end": "41020"},
            ],
        },
        "errors": [],
    }
    assert (zone.name, zone.countries, zone.is_active) == ("Área metropolitana", ["ES"], False)
    assert rules(zone) == [("include", "41", "", ""), ("exclude", "", "41001", "41020")]
    assert history() == [
        (admin.pk, "shippingzone", str(zone.pk), ADDITION, "Área metropolitana", "")
    ]


def test_a_zone_without_rules_serves_its_whole_countries(gql, admin):
    # when
    payload = mutate(gql, "ShippingZoneCreate", {"name": "Península", "countries": ["ES"]}, admin)

    # then
    assert payload["errors"] == []
    assert payload["shippingZone"]["rules"] == []
    assert [z.name for z in zones_serving(country="ES", postal_code="28013")] == ["Península"]


def test_faulty_rules_are_reported_one_by_one_with_their_number(gql, admin):
    # when
    payload = mutate(
        gql,
        "ShippingZoneCreate",
        {
            "name": "Sevilla",
            "countries": ["ES"],
            "rules": [
                {"prefix": "41"},
                {"prefix": "4a"},
                {"prefix": "410011"},
                {"start": "41020", "end": "41001"},
                {"start": "4100", "end": "41020"},
                {"prefix": "41", "start": "41001", "end": "41002"},
                {},
                {"start": "41001"},
                {"prefix": "٤١"},
                {"start": "41001", "end": "41001"},
            ],
        },
        admin,
    )

    # then
    code = "INVALID_POSTAL_CODE_RULE"
    either = "give a prefix, or the first and last postal codes of a range."
    assert payload == {
        "shippingZone": None,
        "errors": [
            error("rules", code, "Rule 2: a prefix has 1 to 5 digits."),
            error("rules", code, "Rule 3: a prefix has 1 to 5 digits."),
            error("rules", code, "Rule 4: the range ends before it starts."),
            error("rules", code, "Rule 5: a range runs between two postal codes of 5 digits."),
            error("rules", code, f"Rule 6: {either}"),
            error("rules", code, f"Rule 7: {either}"),
            error("rules", code, f"Rule 8: {either}"),
            error("rules", code, "Rule 9: a prefix has 1 to 5 digits."),
        ],
    }
    assert snapshot() == {
        "ShippingZone": [],
        "PostalCodeRule": [],
        "ShippingMethod": [],
        "PickupPoint": [],
        "links": [],
        "LogEntry": [],
    }


def test_countries_must_be_known_iso_codes(gql, admin):
    # when
    unknown = mutate(
        gql, "ShippingZoneCreate", {"name": "Z", "countries": ["ES", "XX", "es", "zz"]}, admin
    )
    none = mutate(gql, "ShippingZoneCreate", {"name": "Z", "countries": []}, admin)
    missing = mutate(gql, "ShippingZoneCreate", {"name": "", "rules": [{"prefix": "x"}]}, admin)

    # then
    assert unknown == {
        "shippingZone": None,
        "errors": [error("countries", "INVALID", "Unknown country codes: XX, ZZ.")],
    }
    assert none == {
        "shippingZone": None,
        "errors": [error("countries", "REQUIRED", "Choose at least one country.")],
    }
    assert missing == {
        "shippingZone": None,
        "errors": [
            error("name", "REQUIRED", "This field cannot be blank."),
            error("countries", "REQUIRED", "Choose at least one country."),
            error("rules", "INVALID_POSTAL_CODE_RULE", "Rule 1: a prefix has 1 to 5 digits."),
        ],
    }
    assert ShippingZone.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_an_include_or_exclude_is_required_of_callers_other_than_the_api(admin, english):
    # given: the API's enum cannot send anything else, Python callers can
    data = {
        "name": "Z",
        "countries": ["ES"],
        "rules": [services.PostalCodeRuleData(inclusion="maybe", prefix="41")],
    }

    # when
    with pytest.raises(ValidationError) as raised:
        services.shipping_zone_create(actor=admin, data=data)

    # then
    assert [(e.code, e.message) for e in raised.value.error_dict["rules"]] == [
        ("invalid_postal_code_rule", "Rule 1: choose include or exclude.")
    ]
    assert ShippingZone.objects.count() == 0


def test_updating_the_rules_replaces_them_and_the_zone_matching_follows(gql, admin, shipping):
    # given
    zone = shipping["zone"]
    assert zones_serving(country="ES", postal_code="41001") == [zone]
    assert zones_serving(country="ES", postal_code="41500") == []

    # when: Sevilla capital becomes the rest of the province
    payload = mutate(
        gql,
        "ShippingZoneUpdate",
        {
            "id": gid("ShippingZone", zone.pk),
            "zone": {
                "name": "Provincia de Sevilla",
                "rules": [
                    {"prefix": "41"},
                    {"inclusion": "EXCLUDE", "start": "41001", "end": "41020"},
                ],
            },
        },
        admin,
    )

    # then
    assert payload["errors"] == []
    assert payload["shippingZone"]["rules"] == [
        {"inclusion": "INCLUDE", "prefix": "41", "start": None, "end": None},
        {"inclusion": "EXCLUDE", "prefix": None, "start": "41001", "end": "41020"},
    ]
    assert rules(zone) == [("include", "41", "", ""), ("exclude", "", "41001", "41020")]
    assert rules(shipping["baleares"]) == [("include", "07", "", "")]
    assert zones_serving(country="ES", postal_code="41001") == []
    assert [z.pk for z in zones_serving(country="ES", postal_code="41500")] == [zone.pk]
    assert history() == [
        (admin.pk, "shippingzone", str(zone.pk), CHANGE, "Provincia de Sevilla", "name, rules")
    ]


def test_an_update_without_rules_keeps_them_and_an_empty_list_removes_them(gql, admin, shipping):
    # given
    zone_id = gid("ShippingZone", shipping["zone"].pk)

    # when
    kept = mutate(gql, "ShippingZoneUpdate", {"id": zone_id, "zone": {"isActive": False}}, admin)
    removed = mutate(gql, "ShippingZoneUpdate", {"id": zone_id, "zone": {"rules": []}}, admin)

    # then
    assert kept["shippingZone"]["rules"] == [
        {"inclusion": "INCLUDE", "prefix": None, "start": "41001", "end": "41020"}
    ]
    assert removed["shippingZone"]["rules"] == []
    assert rules(shipping["zone"]) == []
    assert ShippingZone.objects.get(pk=shipping["zone"].pk).is_active is False


def test_faulty_rules_on_update_leave_the_old_rules(gql, admin, shipping):
    # given
    before = snapshot()

    # when
    payload = mutate(
        gql,
        "ShippingZoneUpdate",
        {
            "id": gid("ShippingZone", shipping["zone"].pk),
            "zone": {"name": "Otra", "rules": [{"prefix": "41"}, {"start": "9", "end": "1"}]},
        },
        admin,
    )

    # then
    assert payload == {
        "shippingZone": None,
        "errors": [
            error(
                "rules",
                "INVALID_POSTAL_CODE_RULE",
                "Rule 2: a range runs between two postal codes of 5 digits.",
            )
        ],
    }
    assert snapshot() == before


def test_administrator_deletes_a_zone_with_its_rules_and_methods(gql, admin, shipping):
    # given
    zone = shipping["zone"]

    # when
    payload = mutate(gql, "ShippingZoneDelete", {"id": gid("ShippingZone", zone.pk)}, admin)

    # then
    assert payload == {"shippingZone": None, "errors": []}
    assert list(ShippingZone.objects.values_list("name", flat=True)) == ["Baleares"]
    assert list(PostalCodeRule.objects.values_list("zone__name", "prefix")) == [("Baleares", "07")]
    assert ShippingMethod.objects.count() == 0
    assert PickupPoint.objects.count() == 2
    assert history() == [(admin.pk, "shippingzone", str(zone.pk), DELETION, "Sevilla capital", "")]


@pytest.mark.parametrize(
    ("document", "input"),
    [
        ("ShippingZoneUpdate", lambda _s, bad: {"id": bad, "zone": {"name": "X"}}),
        ("ShippingZoneDelete", lambda _s, bad: {"id": bad}),
        ("ShippingMethodUpdate", lambda _s, bad: {"id": bad, "method": {"price": "1.00"}}),
        ("ShippingMethodDelete", lambda _s, bad: {"id": bad}),
        ("PickupPointUpdate", lambda _s, bad: {"id": bad, "pickupPoint": {"city": "X"}}),
        ("PickupPointDelete", lambda _s, bad: {"id": bad}),
    ],
)
@pytest.mark.parametrize("bad_id", ["garbage", "wrong type", "unknown"])
def test_a_bad_id_is_not_found(gql, admin, shipping, document, input, bad_id):
    # given
    bad = {
        "garbage": "not-a-global-id",
        "wrong type": gid("Product", shipping["zone"].pk),
        "unknown": gid(document.removesuffix("Update").removesuffix("Delete"), 999_999),
    }[bad_id]
    before = snapshot()

    # when
    payload = mutate(gql, document, input(shipping, bad), admin)

    # then
    assert payload["errors"] == [error("id", "NOT_FOUND", "Not found.")]
    assert snapshot() == before


# Methods


def test_administrator_adds_a_method_after_the_zone_s_last_one(gql, admin, shipping):
    # given
    zone = shipping["zone"]

    # when
    payload = mutate(
        gql,
        "ShippingMethodCreate",
        {
            "zone": gid("ShippingZone", zone.pk),
            "method": {
                "name": "Urgente",
                "nameEn": "Express",
                "price": "9.9",
                "minOrderValue": "10.00",
                "maxOrderValue": "500.00",
                "minWeightGrams": 0,
                "maxWeightGrams": 20000,
                "freeAbove": "60",
                "deliveryDaysMin": 1,
                "deliveryDaysMax": 1,
            },
        },
        admin,
    )

    # then
    method = ShippingMethod.objects.get(name="Urgente")
    method_id = gid("ShippingMethod", method.pk)
    assert payload == {
        "shippingMethod": {
            "id": method_id,
            "kind": "DELIVERY",
            "name": "Express",
            "price": {"amount": "9.90", "currency": "EUR"},
            "minOrderValue": {"amount": "10.00", "currency": "EUR"},
            "maxOrderValue": {"amount": "500.00", "currency": "EUR"},
            "minWeightGrams": 0,
            "maxWeightGrams": 20000,
            "freeAbove": {"amount": "60.00", "currency": "EUR"},
            "deliveryDaysMin": 1,
            "deliveryDaysMax": 1,
            "pickupPoints": [],
            "isActive": True,
            "position": 3,
        },
        "shippingZone": {
            "id": gid("ShippingZone", zone.pk),
            "methods": [
                {"id": gid("ShippingMethod", shipping["delivery"].pk)},
                {"id": gid("ShippingMethod", shipping["pickup"].pk)},
                {"id": method_id},
            ],
        },
        "errors": [],
    }
    assert ShippingMethod.objects.filter(pk=method.pk).values(
        "zone_id",
        "kind",
        "name",
        "name_en",
        "price",
        "min_order_value",
        "max_order_value",
        "min_weight_grams",
        "max_weight_grams",
        "free_above",
        "delivery_days_min",
        "delivery_days_max",
        "is_active",
        "position",
    ).get() == {
        "zone_id": zone.pk,
        "kind": "delivery",
        "name": "Urgente",
        "name_en": "Express",
        "price": Decimal("9.90"),
        "min_order_value": Decimal("10.00"),
        "max_order_value": Decimal("500.00"),
        "min_weight_grams": 0,
        "max_weight_grams": 20000,
        "free_above": Decimal("60.00"),
        "delivery_days_min": 1,
        "delivery_days_max": 1,
        "is_active": True,
        "position": 3,
    }
    assert history() == [
        (admin.pk, "shippingmethod", str(method.pk), ADDITION, "Sevilla capital: Urgente", "")
    ]


def test_administrator_adds_a_pickup_method_with_its_offices(gql, admin, shipping):
    # given
    centro = shipping["centro"]

    # when
    payload = mutate(
        gql,
        "ShippingMethodCreate",
        {
            "zone": gid("ShippingZone", shipping["baleares"].pk),
            "method": {
                "kind": "PICKUP",
                "name": "Recogida en Palma",
                "price": "0",
                "pickupPoints": [gid("PickupPoint", centro.pk), gid("PickupPoint", centro.pk)],
            },
        },
        admin,
    )

    # then
    method = ShippingMethod.objects.get(name="Recogida en Palma")
    assert payload["errors"] == []
    assert payload["shippingMethod"]["pickupPoints"] == [
        {"id": gid("PickupPoint", centro.pk), "name": "Oficina Centro"}
    ]
    assert (method.kind, method.price, method.position) == ("pickup", Decimal("0.00"), 1)
    assert list(method.pickup_points.values_list("pk", flat=True)) == [centro.pk]


def test_method_amounts_bands_and_offices_are_checked(gql, admin, shipping):
    # given
    before = snapshot()

    # when
    payload = mutate(
        gql,
        "ShippingMethodCreate",
        {
            "zone": gid("ShippingZone", shipping["zone"].pk),
            "method": {
                "name": "Urgente",
                "price": "-1.00",
                "minOrderValue": "50.00",
                "maxOrderValue": "10.00",
                "minWeightGrams": 5000,
                "maxWeightGrams": 100,
                "freeAbove": "-3",
                "deliveryDaysMin": 5,
                "deliveryDaysMax": 2,
                "pickupPoints": [gid("PickupPoint", shipping["centro"].pk)],
            },
        },
        admin,
    )

    # then
    amount = "Enter an amount of zero or more with at most 2 decimals."
    reversed_band = "The maximum cannot be below the minimum."
    assert payload == {
        "shippingMethod": None,
        "shippingZone": None,
        "errors": [
            error("price", "INVALID", amount),
            error("freeAbove", "INVALID", amount),
            error("maxOrderValue", "INVALID", reversed_band),
            error("maxWeightGrams", "INVALID", reversed_band),
            error("deliveryDaysMax", "INVALID", reversed_band),
            error("pickupPoints", "INVALID", "Only pickup methods have pickup points."),
        ],
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            {"name": "X", "price": "4.999"},
            [error("price", "INVALID", "Enter an amount of zero or more with at most 2 decimals.")],
        ),
        (
            {"name": "X", "price": "100000000.00"},
            [error("price", "INVALID", "Enter an amount of zero or more with at most 2 decimals.")],
        ),
        (
            {},
            [
                error("name", "REQUIRED", "This field cannot be blank."),
                error("price", "REQUIRED", "Enter the price."),
            ],
        ),
        (
            {"name": "X", "price": "1.00", "minWeightGrams": -1},
            [
                error(
                    "minWeightGrams", "INVALID", "Ensure this value is greater than or equal to 0."
                )
            ],
        ),
        (
            {"kind": "PICKUP", "name": "X", "price": "0.00"},
            [error("pickupPoints", "REQUIRED", "Choose at least one pickup point.")],
        ),
        (
            {"name": "X", "price": "1.00", "pickupPoints": ["nonsense"]},
            [error("pickupPoints", "NOT_FOUND", "Not found.")],
        ),
    ],
)
def test_a_faulty_method_is_refused(gql, admin, shipping, method, expected):
    # given
    before = snapshot()

    # when
    payload = mutate(
        gql,
        "ShippingMethodCreate",
        {"zone": gid("ShippingZone", shipping["zone"].pk), "method": method},
        admin,
    )

    # then
    assert payload["errors"] == expected
    assert snapshot() == before


@pytest.mark.parametrize("zone", ["nonsense", "wrong type", "unknown"])
def test_a_method_needs_an_existing_zone(gql, admin, shipping, zone):
    # given
    bad = {
        "nonsense": "nonsense",
        "wrong type": gid("PickupPoint", shipping["zone"].pk),
        "unknown": gid("ShippingZone", 999_999),
    }[zone]
    before = snapshot()

    # when
    payload = mutate(
        gql, "ShippingMethodCreate", {"zone": bad, "method": {"name": "X", "price": "1"}}, admin
    )

    # then
    assert payload["errors"] == [error("zone", "NOT_FOUND", "Not found.")]
    assert snapshot() == before


def test_an_unknown_office_among_known_ones_is_not_found(gql, admin, shipping):
    # given
    before = snapshot()
    offices = [gid("PickupPoint", shipping["centro"].pk), gid("PickupPoint", 999_999)]

    # when
    payload = mutate(
        gql,
        "ShippingMethodUpdate",
        {"id": gid("ShippingMethod", shipping["pickup"].pk), "method": {"pickupPoints": offices}},
        admin,
    )

    # then
    assert payload["errors"] == [error("pickupPoints", "NOT_FOUND", "Not found.")]
    assert snapshot() == before


def test_administrator_changes_a_method_and_clears_its_limits(gql, admin, shipping):
    # given
    delivery = shipping["delivery"]
    ShippingMethod.objects.filter(pk=delivery.pk).update(
        min_order_value=Decimal("10.00"), max_weight_grams=5000, free_above=Decimal("40.00")
    )

    # when
    payload = mutate(
        gql,
        "ShippingMethodUpdate",
        {
            "id": gid("ShippingMethod", delivery.pk),
            "method": {
                "price": "5.95",
                "minOrderValue": None,
                "maxWeightGrams": None,
                "freeAbove": None,
                "isActive": False,
            },
        },
        admin,
    )

    # then
    assert payload["errors"] == []
    method = payload["shippingMethod"]
    assert (method["price"], method["minOrderValue"], method["maxWeightGrams"]) == (
        {"amount": "5.95", "currency": "EUR"},
        None,
        None,
    )
    assert (method["freeAbove"], method["isActive"], method["name"]) == (None, False, "Standard")
    assert ShippingMethod.objects.filter(pk=delivery.pk).values_list(
        "price", "min_order_value", "max_weight_grams", "free_above", "is_active", "name"
    ).get() == (Decimal("5.95"), None, None, None, False, "Estándar")
    assert history() == [
        (
            admin.pk,
            "shippingmethod",
            str(delivery.pk),
            CHANGE,
            "Sevilla capital: Estándar",
            "price, min_order_value, max_weight_grams, free_above, is_active",
        )
    ]


def test_a_pickup_method_becomes_a_delivery_only_without_its_offices(gql, admin, shipping):
    # given
    method_id = gid("ShippingMethod", shipping["pickup"].pk)

    # when
    kept_offices = mutate(
        gql, "ShippingMethodUpdate", {"id": method_id, "method": {"kind": "DELIVERY"}}, admin
    )
    dropped_offices = mutate(
        gql,
        "ShippingMethodUpdate",
        {"id": method_id, "method": {"kind": "DELIVERY", "pickupPoints": []}},
        admin,
    )

    # then
    assert kept_offices["errors"] == [
        error("pickupPoints", "INVALID", "Only pickup methods have pickup points.")
    ]
    assert dropped_offices["errors"] == []
    assert dropped_offices["shippingMethod"]["kind"] == "DELIVERY"
    assert list(shipping["pickup"].pickup_points.all()) == []


def test_administrator_deletes_a_method(gql, admin, shipping):
    # given
    pickup, zone = shipping["pickup"], shipping["zone"]

    # when
    payload = mutate(gql, "ShippingMethodDelete", {"id": gid("ShippingMethod", pickup.pk)}, admin)

    # then
    assert payload == {
        "shippingZone": {
            "id": gid("ShippingZone", zone.pk),
            "methods": [{"id": gid("ShippingMethod", shipping["delivery"].pk)}],
        },
        "errors": [],
    }
    assert list(ShippingMethod.objects.values_list("name", flat=True)) == ["Estándar"]
    assert PickupPoint.objects.count() == 2
    assert ShippingMethod.pickup_points.through.objects.count() == 0
    assert history() == [
        (admin.pk, "shippingmethod", str(pickup.pk), DELETION, "Sevilla capital: Recogida", "")
    ]


# Pickup points


def test_administrator_adds_a_pickup_point(gql, admin):
    # when
    payload = mutate(
        gql,
        "PickupPointCreate",
        {
            "name": "Oficina Nervión",
            "streetAddress": "Avenida Eduardo Dato 2",
            "postalCode": " 41 005 ",
            "city": "Sevilla",
            "openingHours": "L-V 8:00-15:00",
            "openingHoursEn": "Mon-Fri 8:00-15:00",
        },
        admin,
    )

    # then
    point = PickupPoint.objects.get()
    assert payload == {
        "pickupPoint": {
            "id": gid("PickupPoint", point.pk),
            "name": "Oficina Nervión",
            "streetAddress": "Avenida Eduardo Dato 2",
            "postalCode": "41005",
            "city": "Sevilla",
            "openingHours": "Mon-Fri 8:00-15:00",
            "isActive": True,
        },
        "errors": [],
    }
    assert PickupPoint.objects.values(
        "name", "street_address", "postal_code", "city", "opening_hours", "opening_hours_en"
    ).get() == {
        "name": "Oficina Nervión",
        "street_address": "Avenida Eduardo Dato 2",
        "postal_code": "41005",
        "city": "Sevilla",
        "opening_hours": "L-V 8:00-15:00",
        "opening_hours_en": "Mon-Fri 8:00-15:00",
    }
    assert history() == [(admin.pk, "pickuppoint", str(point.pk), ADDITION, "Oficina Nervión", "")]


@pytest.mark.parametrize("postal_code", ["4100", "99001", "00001", "4100A", "410011"])
def test_a_pickup_point_needs_a_spanish_postal_code(gql, admin, postal_code):
    # when
    payload = mutate(
        gql,
        "PickupPointCreate",
        {
            "name": "Oficina",
            "streetAddress": "Calle 1",
            "postalCode": postal_code,
            "city": "Sevilla",
            "openingHours": "L-V",
        },
        admin,
    )

    # then
    assert payload == {
        "pickupPoint": None,
        "errors": [error("postalCode", "INVALID", "Enter a valid Spanish postal code (5 digits).")],
    }
    assert PickupPoint.objects.count() == 0


def test_a_pickup_point_needs_every_field_but_the_english_hours(gql, admin):
    # when
    payload = mutate(gql, "PickupPointCreate", {"name": "Oficina"}, admin)

    # then
    blank = "This field cannot be blank."
    assert payload["errors"] == [
        error("streetAddress", "REQUIRED", blank),
        error("postalCode", "REQUIRED", blank),
        error("city", "REQUIRED", blank),
        error("openingHours", "REQUIRED", blank),
    ]
    assert PickupPoint.objects.count() == 0


def test_administrator_closes_a_pickup_point_which_stays_in_its_methods(gql, admin, shipping):
    # given
    centro = shipping["centro"]

    # when
    payload = mutate(
        gql,
        "PickupPointUpdate",
        {
            "id": gid("PickupPoint", centro.pk),
            "pickupPoint": {"isActive": False, "city": "Sevilla"},
        },
        admin,
    )

    # then
    assert payload["errors"] == []
    assert payload["pickupPoint"]["isActive"] is False
    assert (
        PickupPoint.objects.filter(pk=centro.pk).values_list("is_active", flat=True).get() is False
    )
    assert centro in shipping["pickup"].pickup_points.all()
    assert history() == [
        (admin.pk, "pickuppoint", str(centro.pk), CHANGE, "Oficina Centro", "city, is_active")
    ]


def test_deleting_a_pickup_point_takes_it_out_of_its_methods(gql, admin, shipping):
    # given
    triana = shipping["triana"]

    # when
    payload = mutate(gql, "PickupPointDelete", {"id": gid("PickupPoint", triana.pk)}, admin)

    # then
    assert payload == {"pickupPoint": None, "errors": []}
    assert list(PickupPoint.objects.values_list("name", flat=True)) == ["Oficina Centro"]
    assert list(shipping["pickup"].pickup_points.all()) == [shipping["centro"]]
    assert history() == [(admin.pk, "pickuppoint", str(triana.pk), DELETION, "Oficina Triana", "")]


def test_the_only_pickup_point_of_a_pickup_method_cannot_be_deleted(gql, admin, shipping):
    # given
    shipping["pickup"].pickup_points.remove(shipping["triana"])
    before = snapshot()

    # when
    payload = mutate(
        gql, "PickupPointDelete", {"id": gid("PickupPoint", shipping["centro"].pk)}, admin
    )

    # then
    assert payload == {
        "pickupPoint": None,
        "errors": [error(None, "IN_USE", "It is the only pickup point of: Recogida.")],
    }
    assert snapshot() == before


# Reading


def test_staff_list_every_zone_with_rules_and_methods(gql, order_manager, shipping):
    # given
    ShippingZone.objects.filter(pk=shipping["baleares"].pk).update(is_active=False)
    ShippingMethod.objects.filter(pk=shipping["delivery"].pk).update(is_active=False)
    PickupPoint.objects.filter(pk=shipping["triana"].pk).update(is_active=False)
    zone, delivery, pickup = shipping["zone"], shipping["delivery"], shipping["pickup"]

    # when
    body = gql(operation("staff/ShippingZones"), user=order_manager, headers=EN)

    # then
    assert body == {
        "data": {
            "shippingZones": [
                {
                    "id": gid("ShippingZone", shipping["baleares"].pk),
                    "name": "Baleares",
                    "countries": ["ES"],
                    "isActive": False,
                    "rules": [{"inclusion": "INCLUDE", "prefix": "07", "start": None, "end": None}],
                    "methods": [],
                },
                {
                    "id": gid("ShippingZone", zone.pk),
                    "name": "Sevilla capital",
                    "countries": ["ES"],
                    "isActive": True,
                    "rules": [
                        {"inclusion": "INCLUDE", "prefix": None, "start": "41001", "end": "41020"}
                    ],
                    "methods": [
                        {
                            "id": gid("ShippingMethod", delivery.pk),
                            "kind": "DELIVERY",
                            "name": "Standard",
                            "price": {"amount": "4.95", "currency": "EUR"},
                            "minOrderValue": None,
                            "maxOrderValue": None,
                            "minWeightGrams": None,
                            "maxWeightGrams": None,
                            "freeAbove": None,
                            "deliveryDaysMin": 1,
                            "deliveryDaysMax": 3,
                            "pickupPoints": [],
                            "isActive": False,
                            "position": 1,
                        },
                        {
                            "id": gid("ShippingMethod", pickup.pk),
                            "kind": "PICKUP",
                            "name": "Recogida",
                            "price": {"amount": "0.00", "currency": "EUR"},
                            "minOrderValue": None,
                            "maxOrderValue": None,
                            "minWeightGrams": None,
                            "maxWeightGrams": None,
                            "freeAbove": None,
                            "deliveryDaysMin": 1,
                            "deliveryDaysMax": 3,
                            "pickupPoints": [
                                {
                                    "id": gid("PickupPoint", shipping["centro"].pk),
                                    "name": "Oficina Centro",
                                    "isActive": True,
                                },
                                {
                                    "id": gid("PickupPoint", shipping["triana"].pk),
                                    "name": "Oficina Triana",
                                    "isActive": False,
                                },
                            ],
                            "isActive": True,
                            "position": 2,
                        },
                    ],
                },
            ]
        }
    }


@pytest.mark.parametrize(
    ("who", "code", "message"),
    [
        ("anonymous", "UNAUTHENTICATED", "You need to sign in to do this."),
        ("customer", "PERMISSION_DENIED", "You do not have permission to do this."),
    ],
)
def test_the_zone_list_is_for_staff_only(gql, shipping, who, code, message):
    # given
    user = UserFactory() if who == "customer" else None

    # when
    body = gql(operation("staff/ShippingZones"), user=user, headers=EN)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": ["shippingZones"],
                "extensions": {"code": code},
            }
        ],
    }


def _zones(count: int) -> None:
    """``count`` zones, each with two rules, a delivery and a pickup method with two offices."""
    offices = [office(f"Oficina {n}", "41001") for n in range(2)]
    for n in range(count):
        zone = ShippingZone.objects.create(name=f"Zona {n}", countries=["ES"])
        zone.rules.create(prefix=f"{n:02d}")
        zone.rules.create(inclusion="exclude", start=f"{n:02d}000", end=f"{n:02d}099")
        ShippingMethod.objects.create(zone=zone, name="Estándar", price=Decimal("4.95"))
        pickup = ShippingMethod.objects.create(
            zone=zone, kind="pickup", name="Recogida", price=Decimal("0.00")
        )
        pickup.pickup_points.set(offices)


# The user, their permissions (user's and groups'), then zones, rules, methods, offices.
ZONE_LIST_QUERIES = 7


@pytest.mark.parametrize("zones", [2, 6])
def test_the_zone_list_query_count_is_fixed(gql, django_assert_num_queries, admin, zones):
    # given
    _zones(zones)

    # when
    with django_assert_num_queries(ZONE_LIST_QUERIES):
        body = gql(operation("staff/ShippingZones"), user=admin)

    # then
    listed = body["data"]["shippingZones"]
    assert [zone["name"] for zone in listed] == [f"Zona {n}" for n in range(zones)]
    assert all(len(zone["rules"]) == 2 for zone in listed)
    assert all(len(zone["methods"][1]["pickupPoints"]) == 2 for zone in listed)


NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on ShippingZone { name }
    ... on ShippingMethod { name }
    ... on PickupPoint { name openingHours }
  }
}
"""


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@pytest.mark.parametrize("key", ["zone", "delivery"])
def test_zones_and_methods_are_hidden_from_the_public(gql, shipping, who, key):
    # given
    user = UserFactory() if who == "customer" else None

    # when
    body = gql(NODE, {"id": _id(shipping, key)}, user=user)

    # then
    assert body == {"data": {"node": None}}


def test_staff_with_the_view_permission_reach_zones_and_methods_by_id(gql, shipping, order_manager):
    # when
    zone = gql(NODE, {"id": _id(shipping, "zone")}, user=order_manager)
    method = gql(NODE, {"id": _id(shipping, "delivery")}, user=order_manager, headers=EN)

    # then
    assert zone == {
        "data": {
            "node": {
                "__typename": "ShippingZone",
                "id": _id(shipping, "zone"),
                "name": "Sevilla capital",
            }
        }
    }
    assert method == {
        "data": {
            "node": {
                "__typename": "ShippingMethod",
                "id": _id(shipping, "delivery"),
                "name": "Standard",
            }
        }
    }


def test_an_active_pickup_point_is_public_in_the_request_s_language(gql, shipping):
    # when
    spanish = gql(NODE, {"id": _id(shipping, "centro")})
    english = gql(NODE, {"id": _id(shipping, "centro")}, headers=EN)

    # then
    node = {"__typename": "PickupPoint", "id": _id(shipping, "centro"), "name": "Oficina Centro"}
    assert spanish == {"data": {"node": {**node, "openingHours": "L-V 9:00-14:00"}}}
    assert english == {"data": {"node": {**node, "openingHours": "Mon-Fri 9:00-14:00"}}}


def test_an_inactive_pickup_point_is_for_staff_only(gql, shipping, order_manager):
    # given
    PickupPoint.objects.filter(pk=shipping["triana"].pk).update(is_active=False)

    # when
    public = gql(NODE, {"id": _id(shipping, "triana")})
    staff = gql(NODE, {"id": _id(shipping, "triana")}, user=order_manager)

    # then
    assert public == {"data": {"node": None}}
    assert staff["data"]["node"]["name"] == "Oficina Triana"
