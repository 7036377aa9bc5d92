"""The frame every mutation shares: the permission it needs, and its errors as
payload errors.

A mutation resolver declares both with :func:`mutation` and keeps to its job --
decode the input, call one service, shape the payload::

    @strawberry.mutation(description="Staff: add a shipping zone.")
    @mutation(ShippingZonePayload, shipping_errors, permission="orders.add_shippingzone")
    def shipping_zone_create(self, info: Info, input: ShippingZoneInput, actor: User):
        zone = services.shipping_zone_create(actor=actor, data=_zone_data(input))
        return ShippingZonePayload(shipping_zone=zone)

``ValidationError`` raised inside (by a service, or by ``fetch`` on a bad ID)
becomes ``payload(errors=[...])`` with the domain's codes; a selector's
``NotFound`` becomes NOT_FOUND on the input field named by ``not_found``.
Permission and sign-in failures stay top-level errors, raised before anything
is read.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from strawberry.types import Info

from shop.api.errors import payload_errors
from shop.api.inputs import not_found as not_found_error
from shop.api.permissions import require_permission, require_user
from shop.errors import NotFound

ErrorT = TypeVar("ErrorT")
PayloadT = TypeVar("PayloadT")


@dataclass(frozen=True)
class PayloadErrors(Generic[ErrorT]):
    """A domain's payload errors: its ``<Domain>Error`` type and code enum (which,
    like every domain's, has ``INVALID`` -- the code for Django's own validators
    -- and ``NOT_FOUND``)."""

    error_type: Callable[..., ErrorT]
    codes: type[enum.StrEnum]
    field: str | None = None  # set: every error is reported on this input field

    def __call__(self, exc: ValidationError) -> list[ErrorT]:
        errors = payload_errors(exc, self.error_type, self.codes, self.codes("invalid"))
        if self.field is not None:
            for error in errors:
                error.field = self.field  # type: ignore[attr-defined]
        return errors

    def on(self, field: str) -> PayloadErrors[ErrorT]:
        """The same errors, all on ``field``: for an input the service knows by
        another name."""
        return replace(self, field=field)

    def not_found(self, field: str, exc: NotFound) -> list[ErrorT]:
        error = not_found_error(field, self.codes)
        if exc.message:
            error = ValidationError(
                {field: ValidationError(exc.message, code=self.codes("not_found"))}
            )
        return self(error)


def mutation(
    payload: Callable[..., PayloadT],
    errors: PayloadErrors[Any],
    *,
    permission: str | None = None,
    signed_in: bool = False,
    not_found: str = "id",
) -> Callable[[Callable[..., PayloadT]], Callable[..., PayloadT]]:
    """Decorate a mutation resolver (under ``@strawberry.mutation``).

    ``permission`` (``"app_label.codename"``): only staff holding it may call it;
    ``signed_in``: only a signed-in user. Either way, a resolver with an ``actor``
    parameter receives that user in it (the parameter is hidden from the schema),
    and a resolver that reads nothing of the request may leave ``info`` out (the
    helper asks strawberry for it, to check the caller).
    ``not_found``: the input field a selector's ``NotFound`` is reported on.
    """
    checks = permission is not None or signed_in

    def caller(info: Info) -> Any:
        if permission is not None:
            return require_permission(info, permission)
        return require_user(info)

    def decorate(resolver: Callable[..., PayloadT]) -> Callable[..., PayloadT]:
        parameters = inspect.signature(resolver).parameters
        takes_actor = "actor" in parameters
        takes_info = "info" in parameters
        if takes_actor and not checks:
            raise TypeError(f"{resolver.__name__}: an actor needs a permission or signed_in.")

        @functools.wraps(resolver)
        def resolve(*args: Any, **kwargs: Any) -> PayloadT:
            if checks:
                actor = caller(kwargs["info"] if takes_info else kwargs.pop("info"))
                if takes_actor:
                    kwargs["actor"] = actor
            try:
                return resolver(*args, **kwargs)
            except NotFound as exc:
                return payload(errors=errors.not_found(not_found, exc))
            except ValidationError as exc:
                return payload(errors=errors(exc))

        _schema_signature(resolve, resolver, add_info=checks and not takes_info)
        return resolve

    return decorate


def _schema_signature(
    resolve: Callable[..., Any], resolver: Callable[..., Any], *, add_info: bool
) -> None:
    """Give ``resolve`` the parameters strawberry should see: the resolver's, less
    ``actor`` (the helper fills it), plus ``info`` when the helper needs it and the
    resolver does not take it."""
    signature = inspect.signature(resolver)
    parameters = [p for p in signature.parameters.values() if p.name != "actor"]
    annotations = {name: v for name, v in resolver.__annotations__.items() if name != "actor"}
    if add_info:
        info = inspect.Parameter("info", inspect.Parameter.KEYWORD_ONLY, annotation=Info)
        parameters = sorted([*parameters, info], key=lambda p: p.kind)  # stable: keeps order
        annotations["info"] = Info
    resolve.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    resolve.__annotations__ = annotations


FoundT = TypeVar("FoundT")


def found_or_none(find: Callable[[], FoundT]) -> FoundT | None:
    """``find()``, or None when it raises ``NotFound``: for queries, where what the
    caller may not see is null."""
    try:
        return find()
    except NotFound:
        return None
