"""shop.api.mutations.mutation: the permission a mutation declares is checked
before its resolver runs, the actor is handed in (and never shown in the
schema), and ValidationError / NotFound become payload errors with the
domain's codes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from django.core.exceptions import ValidationError
from django.utils import translation
from strawberry.types import Info

from orders.api.shipping.types import ShippingError, shipping_errors
from orders.errors import ShippingErrorCode
from shop.accounts.models import User
from shop.api.mutations import found_or_none, mutation
from shop.errors import NotFound
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

calls: list[Any] = []


@strawberry.type
class ThingPayload:
    done_by: str | None = None
    errors: list[ShippingError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    @mutation(ThingPayload, shipping_errors, permission="orders.add_shippingzone", not_found="zone")
    # No info: the helper asks strawberry for it to check the caller.
    def thing_do(self, outcome: str, actor: User) -> ThingPayload:
        calls.append(actor)
        if outcome == "invalid":
            raise ValidationError({"max_weight": ValidationError("Too heavy.", code="in_use")})
        if outcome == "django":
            raise ValidationError("Enter a number.", code="max_value")
        if outcome == "missing":
            raise NotFound
        return ThingPayload(done_by=actor.email)


schema = strawberry.Schema(query=Query, mutation=Mutation)


def run(user: User | None, outcome: str) -> Any:
    calls.clear()
    with translation.override("en"):
        return schema.execute_sync(
            "mutation($o: String!) "
            "{ thingDo(outcome: $o) { doneBy errors { field code message } } }",
            variable_values={"o": outcome},
            context_value=SimpleNamespace(user=user),
        )


def test_the_actor_is_not_an_argument_of_the_schema():
    assert "thingDo(outcome: String!): ThingPayload!" in schema.as_str()
    assert "actor" not in schema.as_str()


def test_staff_holding_the_permission_is_the_actor():
    staff = StaffFactory(permissions=["orders.add_shippingzone"])

    result = run(staff, "ok")

    assert result.errors is None
    assert result.data == {"thingDo": {"doneBy": staff.email, "errors": []}}
    assert calls == [staff]


@pytest.mark.parametrize("user", [None, "customer", "staff without it"])
def test_anybody_else_is_refused_before_the_resolver_runs(user):
    caller = {None: None, "customer": UserFactory(), "staff without it": StaffFactory()}[user]

    result = run(caller, "ok")

    assert result.data is None
    assert [error.message for error in result.errors] == [
        "You need to sign in to do this."
        if caller is None
        else "You do not have permission to do this."
    ]
    assert calls == []


def test_a_validation_error_is_the_payloads_with_the_domains_code_and_camel_case_field():
    result = run(StaffFactory(permissions=["orders.add_shippingzone"]), "invalid")

    assert result.data == {
        "thingDo": {
            "doneBy": None,
            "errors": [{"field": "maxWeight", "code": "IN_USE", "message": "Too heavy."}],
        }
    }


def test_a_code_outside_the_domains_enum_is_invalid():
    result = run(StaffFactory(permissions=["orders.add_shippingzone"]), "django")

    assert result.data == {
        "thingDo": {
            "doneBy": None,
            "errors": [{"field": None, "code": "INVALID", "message": "Enter a number."}],
        }
    }


def test_a_selectors_not_found_is_not_found_on_the_declared_field():
    result = run(StaffFactory(permissions=["orders.add_shippingzone"]), "missing")

    assert result.data == {
        "thingDo": {
            "doneBy": None,
            "errors": [{"field": "zone", "code": "NOT_FOUND", "message": "Not found."}],
        }
    }


def test_errors_put_on_one_field():
    errors = shipping_errors.on("ids")(ValidationError({"section_ids": "Repeated."}))

    assert [(e.field, e.code, e.message) for e in errors] == [
        ("ids", ShippingErrorCode.INVALID, "Repeated.")
    ]


def test_an_actor_needs_a_permission_or_a_sign_in():
    def resolver(self: Any, actor: User) -> ThingPayload:
        return ThingPayload()

    with pytest.raises(TypeError):
        mutation(ThingPayload, shipping_errors)(resolver)


def test_a_resolver_taking_info_receives_it_and_the_actor():
    seen: list[Any] = []

    @strawberry.type
    class WithInfo:
        @strawberry.mutation
        @mutation(ThingPayload, shipping_errors, signed_in=True)
        def thing_do(self, info: Info, actor: User) -> ThingPayload:
            seen.append((info.context.user, actor))
            return ThingPayload(done_by=actor.email)

    user = UserFactory()
    result = strawberry.Schema(query=Query, mutation=WithInfo).execute_sync(
        "mutation { thingDo { doneBy } }", context_value=SimpleNamespace(user=user)
    )

    assert result.errors is None
    assert result.data == {"thingDo": {"doneBy": user.email}}
    assert seen == [(user, user)]


def test_found_or_none():
    def missing() -> int:
        raise NotFound

    assert found_or_none(lambda: 7) == 7
    assert found_or_none(missing) is None
