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

An entity that staff create, update and delete through one service each
declares the three mutations at once with :class:`StaffCrud`.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import strawberry
from django.core.exceptions import ValidationError
from django.db.models import Model
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from shop.accounts.models import User
from shop.api.errors import payload_errors
from shop.api.inputs import fetch, given_fields
from shop.api.inputs import not_found as not_found_error
from shop.api.permissions import require_permission, require_user
from shop.api.types import DeleteInput
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


@dataclass(frozen=True)
class Parent:
    """The object a staff entity belongs to (a variant's product): named by the
    create input's ``keyword`` field, passed to the create service as ``keyword=``,
    and returned beside the entity in the payload's ``payload_field``."""

    model: type[Model]
    keyword: str
    payload_field: str = ""


@dataclass(frozen=True)
class StaffCrud:
    """The create, update and delete mutations of one staff-edited entity, declared
    once: each needs ``<app>.<add|change|delete>_<model>``, decodes the input's IDs
    (NOT_FOUND on the field), calls one service and returns the payload; a
    service's ``ValidationError`` becomes payload errors (see :func:`mutation`).

    ``keyword`` is how the services name the entity (``category``); the services
    are called as ``create(actor=, data=)``, ``update(actor=, <keyword>=, data=)``
    and ``delete(actor=, <keyword>=)``, with ``<parent.keyword>=`` added to the
    create. The entity's fields sit in the update (and a parent's create) input
    under ``input_field`` and come back in the payload's ``payload_field`` (both
    default to ``keyword``). ``data`` reads the service's ``data`` from the input
    (default: the fields the client gave); ``shape`` turns the saved object into
    what the payload holds.
    """

    model: type[Model]
    payload: Callable[..., Any]
    errors: PayloadErrors[Any]
    keyword: str
    payload_field: str = ""
    input_field: str = ""
    data: Callable[[Any], dict[str, Any]] = given_fields
    shape: Callable[[Any], Any] = lambda obj: obj
    parent: Parent | None = None

    def create(
        self, service: Callable[..., Any], *, input: type, description: str
    ) -> StrawberryField:
        """``<entity>Create(input: <input>)``; with a parent, ``input`` holds the
        parent's ID under ``parent.keyword`` and the entity's fields under
        ``input_field``."""
        parent = self.parent

        def run(input: Any, actor: User) -> Any:
            if parent is None:
                obj = service(actor=actor, data=self.data(input))
                return self._payload(obj)
            owner = self._fetch(parent.model, getattr(input, parent.keyword), parent.keyword)
            data = self.data(getattr(input, self.input_field or self.keyword))
            return self._payload(service(actor=actor, data=data, **{parent.keyword: owner}))

        return self._field("add", input, run, description)

    def update(
        self, service: Callable[..., Any], *, input: type, description: str
    ) -> StrawberryField:
        """``<entity>Update(input: {id, <input_field>: <fields>})``."""

        def run(input: Any, actor: User) -> Any:
            obj = self._fetch(self.model, input.id)
            data = self.data(getattr(input, self.input_field or self.keyword))
            return self._payload(service(actor=actor, data=data, **{self.keyword: obj}))

        return self._field("change", input, run, description)

    def delete(
        self, service: Callable[..., Any], *, description: str, input: type = DeleteInput
    ) -> StrawberryField:
        """``<entity>Delete(input: {id})``: the payload holds only the parent, if any."""

        def run(input: Any, actor: User) -> Any:
            obj = self._fetch(self.model, input.id)
            service(actor=actor, **{self.keyword: obj})
            return self._payload(obj, deleted=True)

        return self._field("delete", input, run, description)

    def _fetch(self, model: type[Model], id: str, field: str = "id") -> Any:
        return fetch(model, model.__name__, id, codes=self.errors.codes, field=field)

    def _payload(self, obj: Any, *, deleted: bool = False) -> Any:
        fields = {} if deleted else {self.payload_field or self.keyword: self.shape(obj)}
        if self.parent is not None:
            parent = self.parent
            fields[parent.payload_field or parent.keyword] = getattr(obj, parent.keyword)
        return self.payload(**fields)

    def _field(
        self, action: str, input: type, run: Callable[[Any, User], Any], description: str
    ) -> StrawberryField:
        opts = self.model._meta

        def resolve(input: Any, actor: User) -> Any:
            return run(input, actor)

        resolve.__name__ = resolve.__qualname__ = f"{opts.model_name}_{action}"
        resolve.__annotations__ = {"input": input, "actor": User, "return": self.payload}
        permission = f"{opts.app_label}.{action}_{opts.model_name}"
        wrapped = mutation(self.payload, self.errors, permission=permission)(resolve)
        return strawberry.mutation(description=description)(wrapped)


FoundT = TypeVar("FoundT")


def found_or_none(find: Callable[[], FoundT]) -> FoundT | None:
    """``find()``, or None when it raises ``NotFound``: for queries, where what the
    caller may not see is null."""
    try:
        return find()
    except NotFound:
        return None
