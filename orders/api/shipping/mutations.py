"""Staff mutations for shipping. Each declares its permission, decodes the IDs of
its input, then calls one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from django.db import models as db_models

from orders import models, services
from orders.api.shipping.types import (
    PickupPointType,
    ShippingError,
    ShippingMethodType,
    ShippingZoneType,
    shipping_errors,
)
from orders.errors import ShippingErrorCode
from shop.api.inputs import fetch, fetch_many, given_fields
from shop.api.mutations import Parent, StaffCrud

ModelT = TypeVar("ModelT", bound=db_models.Model)


def _fetch(model: type[ModelT], type_name: str, id: str, field: str = "id") -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    return fetch(model, type_name, id, codes=ShippingErrorCode, field=field)


def _fetch_many(
    model: type[ModelT], type_name: str, ids: list[strawberry.ID], field: str
) -> list[ModelT]:
    """The objects the global IDs name, each once; NOT_FOUND on ``field`` if any is unknown."""
    objects = fetch_many(model, type_name, ids, codes=ShippingErrorCode, field=field)
    return list({obj.pk: obj for obj in objects}.values())


# Inputs and payloads.


@strawberry.input(description="A prefix, or the first and last postal codes of a range.")
class PostalCodeRuleInput:
    inclusion: models.PostalCodeRule.Inclusion = models.PostalCodeRule.Inclusion.INCLUDE
    prefix: str | None = strawberry.field(default=None, description="1 to 5 digits, e.g. 07.")
    start: str | None = strawberry.field(default=None, description="5 digits, e.g. 41001.")
    end: str | None = strawberry.field(default=None, description="5 digits, e.g. 41020.")


@strawberry.input
class ShippingZoneInput:
    name: str | None = None
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes, e.g. ES; at least one."
    )
    is_active: bool | None = None
    rules: list[PostalCodeRuleInput] | None = strawberry.field(
        default=None, description="Replaces every rule of the zone; [] removes them all."
    )


@strawberry.input
class ShippingZoneUpdateInput:
    id: strawberry.ID
    zone: ShippingZoneInput


@strawberry.type
class ShippingZonePayload:
    shipping_zone: ShippingZoneType | None = None
    errors: list[ShippingError] = strawberry.field(default_factory=list)


@strawberry.input
class ShippingMethodInput:
    kind: models.ShippingMethod.Kind | None = None
    name: str | None = None
    name_en: str | None = None
    price: Decimal | None = strawberry.field(default=None, description="Gross (IVA included).")
    min_order_value: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Gross order subtotal; null removes the limit."
    )
    max_order_value: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Gross order subtotal; null removes the limit."
    )
    min_weight_grams: int | None = strawberry.field(
        default=strawberry.UNSET, description="null removes the limit."
    )
    max_weight_grams: int | None = strawberry.field(
        default=strawberry.UNSET, description="null removes the limit."
    )
    free_above: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Free from this gross subtotal; null: never free."
    )
    delivery_days_min: int | None = None
    delivery_days_max: int | None = None
    pickup_points: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Pickup methods only; replaces the method's pickup points."
    )
    is_active: bool | None = None
    position: int | None = strawberry.field(default=None, description="Default: after the last.")


CLEARABLE_METHOD_FIELDS = (
    "min_order_value",
    "max_order_value",
    "min_weight_grams",
    "max_weight_grams",
    "free_above",
)


@strawberry.input
class ShippingMethodCreateInput:
    zone: strawberry.ID
    method: ShippingMethodInput


@strawberry.input
class ShippingMethodUpdateInput:
    id: strawberry.ID
    method: ShippingMethodInput


@strawberry.type
class ShippingMethodPayload:
    shipping_method: ShippingMethodType | None = None
    shipping_zone: ShippingZoneType | None = None
    errors: list[ShippingError] = strawberry.field(default_factory=list)


@strawberry.input
class PickupPointInput:
    name: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    opening_hours: str | None = None
    opening_hours_en: str | None = None
    is_active: bool | None = None


@strawberry.input
class PickupPointUpdateInput:
    id: strawberry.ID
    pickup_point: PickupPointInput


@strawberry.type
class PickupPointPayload:
    pickup_point: PickupPointType | None = None
    errors: list[ShippingError] = strawberry.field(default_factory=list)


def _zone_data(input: ShippingZoneInput) -> dict[str, Any]:
    data = given_fields(input)
    if input.rules is not None:
        data["rules"] = [
            services.PostalCodeRuleData(
                inclusion=rule.inclusion.value,
                prefix=rule.prefix or "",
                start=rule.start or "",
                end=rule.end or "",
            )
            for rule in input.rules
        ]
    return data


def _method_data(input: ShippingMethodInput) -> dict[str, Any]:
    data = given_fields(input, clearable=CLEARABLE_METHOD_FIELDS)
    if input.pickup_points is not None:
        data["pickup_points"] = _fetch_many(
            models.PickupPoint, "PickupPoint", input.pickup_points, "pickupPoints"
        )
    return data


_zones = StaffCrud(
    model=models.ShippingZone,
    payload=ShippingZonePayload,
    errors=shipping_errors,
    keyword="zone",
    payload_field="shipping_zone",
    data=_zone_data,
)
_methods = StaffCrud(
    model=models.ShippingMethod,
    payload=ShippingMethodPayload,
    errors=shipping_errors,
    keyword="method",
    payload_field="shipping_method",
    data=_method_data,
    parent=Parent(models.ShippingZone, "zone", "shipping_zone"),
)
_points = StaffCrud(
    model=models.PickupPoint,
    payload=PickupPointPayload,
    errors=shipping_errors,
    keyword="point",
    payload_field="pickup_point",
    input_field="pickup_point",
)


@strawberry.type
class ShippingMutations:
    shipping_zone_create = _zones.create(
        services.shipping_zone_create,
        input=ShippingZoneInput,
        description="Staff: add a shipping zone with its postal-code rules.",
    )
    shipping_zone_update = _zones.update(
        services.shipping_zone_update,
        input=ShippingZoneUpdateInput,
        description="Staff: change a shipping zone or replace its rules.",
    )
    shipping_zone_delete = _zones.delete(
        services.shipping_zone_delete,
        description="Staff: delete a shipping zone with its rules and methods.",
    )
    shipping_method_create = _methods.create(
        services.shipping_method_create,
        input=ShippingMethodCreateInput,
        description="Staff: add a shipping method to a zone.",
    )
    shipping_method_update = _methods.update(
        services.shipping_method_update,
        input=ShippingMethodUpdateInput,
        description="Staff: change a shipping method.",
    )
    shipping_method_delete = _methods.delete(
        services.shipping_method_delete, description="Staff: delete a shipping method."
    )
    pickup_point_create = _points.create(
        services.pickup_point_create,
        input=PickupPointInput,
        description="Staff: add a pickup point (a customer office).",
    )
    pickup_point_update = _points.update(
        services.pickup_point_update,
        input=PickupPointUpdateInput,
        description="Staff: change a pickup point.",
    )
    pickup_point_delete = _points.delete(
        services.pickup_point_delete,
        description="Staff: delete a pickup point; refused while it is a pickup method's only one.",
    )
