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
from shop.accounts.models import User
from shop.api.inputs import fetch, fetch_many, given_fields
from shop.api.mutations import mutation
from shop.api.types import DeleteInput

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


@strawberry.type
class ShippingMutations:
    @strawberry.mutation(description="Staff: add a shipping zone with its postal-code rules.")
    @mutation(ShippingZonePayload, shipping_errors, permission="orders.add_shippingzone")
    def shipping_zone_create(self, input: ShippingZoneInput, actor: User) -> ShippingZonePayload:
        zone = services.shipping_zone_create(actor=actor, data=_zone_data(input))
        return ShippingZonePayload(shipping_zone=zone)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a shipping zone or replace its rules.")
    @mutation(ShippingZonePayload, shipping_errors, permission="orders.change_shippingzone")
    def shipping_zone_update(
        self, input: ShippingZoneUpdateInput, actor: User
    ) -> ShippingZonePayload:
        zone = _fetch(models.ShippingZone, "ShippingZone", input.id)
        zone = services.shipping_zone_update(actor=actor, zone=zone, data=_zone_data(input.zone))
        return ShippingZonePayload(shipping_zone=zone)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a shipping zone with its rules and methods.")
    @mutation(ShippingZonePayload, shipping_errors, permission="orders.delete_shippingzone")
    def shipping_zone_delete(self, input: DeleteInput, actor: User) -> ShippingZonePayload:
        zone = _fetch(models.ShippingZone, "ShippingZone", input.id)
        services.shipping_zone_delete(actor=actor, zone=zone)
        return ShippingZonePayload()

    @strawberry.mutation(description="Staff: add a shipping method to a zone.")
    @mutation(ShippingMethodPayload, shipping_errors, permission="orders.add_shippingmethod")
    def shipping_method_create(
        self, input: ShippingMethodCreateInput, actor: User
    ) -> ShippingMethodPayload:
        zone = _fetch(models.ShippingZone, "ShippingZone", input.zone, "zone")
        method = services.shipping_method_create(
            actor=actor, zone=zone, data=_method_data(input.method)
        )
        return ShippingMethodPayload(shipping_method=method, shipping_zone=zone)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a shipping method.")
    @mutation(ShippingMethodPayload, shipping_errors, permission="orders.change_shippingmethod")
    def shipping_method_update(
        self, input: ShippingMethodUpdateInput, actor: User
    ) -> ShippingMethodPayload:
        method = _fetch(models.ShippingMethod, "ShippingMethod", input.id)
        method = services.shipping_method_update(
            actor=actor, method=method, data=_method_data(input.method)
        )
        return ShippingMethodPayload(shipping_method=method, shipping_zone=method.zone)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a shipping method.")
    @mutation(ShippingMethodPayload, shipping_errors, permission="orders.delete_shippingmethod")
    def shipping_method_delete(self, input: DeleteInput, actor: User) -> ShippingMethodPayload:
        method = _fetch(models.ShippingMethod, "ShippingMethod", input.id)
        services.shipping_method_delete(actor=actor, method=method)
        return ShippingMethodPayload(shipping_zone=method.zone)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: add a pickup point (a customer office).")
    @mutation(PickupPointPayload, shipping_errors, permission="orders.add_pickuppoint")
    def pickup_point_create(self, input: PickupPointInput, actor: User) -> PickupPointPayload:
        point = services.pickup_point_create(actor=actor, data=given_fields(input))
        return PickupPointPayload(pickup_point=point)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a pickup point.")
    @mutation(PickupPointPayload, shipping_errors, permission="orders.change_pickuppoint")
    def pickup_point_update(self, input: PickupPointUpdateInput, actor: User) -> PickupPointPayload:
        point = _fetch(models.PickupPoint, "PickupPoint", input.id)
        point = services.pickup_point_update(
            actor=actor, point=point, data=given_fields(input.pickup_point)
        )
        return PickupPointPayload(pickup_point=point)  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Staff: delete a pickup point; refused while it is a pickup method's only one."
    )
    @mutation(PickupPointPayload, shipping_errors, permission="orders.delete_pickuppoint")
    def pickup_point_delete(self, input: DeleteInput, actor: User) -> PickupPointPayload:
        point = _fetch(models.PickupPoint, "PickupPoint", input.id)
        services.pickup_point_delete(actor=actor, point=point)
        return PickupPointPayload()
