"""Mutations of ``shop.accounts.recovery``: password reset and change, e-mail
confirmation, e-mail change. Merged into the schema's ``Mutation`` with the
other account mutations."""

from __future__ import annotations

import strawberry
from django.core.exceptions import ValidationError
from strawberry.types import Info

from shop.accounts import recovery
from shop.accounts.api.mutations import (
    SignedInPayload,
    _too_long_password,
    account_errors,
    signed_in,
)
from shop.accounts.api.types import AccountError, UserType
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.mutations import mutation

REDIRECT_URL = (
    "An address on the storefront's or the portal's origin (INVALID_REDIRECT_URL otherwise)."
)


@strawberry.input
class RequestPasswordResetInput:
    email: str
    redirect_url: str = strawberry.field(
        description=(
            "Where the e-mailed link leads, with `email` and `token` added to its query (or to "
            f"its fragment when it has one). {REDIRECT_URL}"
        )
    )


@strawberry.type
class RequestPasswordResetPayload:
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class SetPasswordInput:
    email: str
    token: str
    password: str


@strawberry.type
class SetPasswordPayload(SignedInPayload):
    pass


@strawberry.input
class PasswordChangeInput:
    old_password: str
    new_password: str


@strawberry.type
class PasswordChangePayload:
    token: str | None = strawberry.field(
        default=None, description="A new access token: every earlier one is now refused."
    )
    refresh_token: str | None = strawberry.field(
        default=None, description="A new refresh token: every earlier one is now refused."
    )
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class AccountConfirmInput:
    email: str
    token: str


@strawberry.type
class AccountConfirmPayload:
    user: UserType | None = strawberry.field(
        default=None, description="The account, when the caller is signed in as it."
    )
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class SendConfirmationEmailInput:
    redirect_url: str | None = strawberry.field(
        default=None,
        description=f"Where the link leads (default: the storefront's page). {REDIRECT_URL}",
    )


@strawberry.type
class SendConfirmationEmailPayload:
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class RequestEmailChangeInput:
    new_email: str
    password: str = strawberry.field(description="The account's current password.")
    redirect_url: str = strawberry.field(
        description=f"Where the link sent to the new address leads, with `token`. {REDIRECT_URL}"
    )


@strawberry.type
class RequestEmailChangePayload:
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfirmEmailChangeInput:
    token: str


@strawberry.type
class ConfirmEmailChangePayload:
    user: UserType | None = strawberry.field(
        default=None, description="The account, when the caller is signed in as it."
    )
    errors: list[AccountError] = strawberry.field(default_factory=list)


def _if_caller(info: Info[ShopContext, None], user: User) -> UserType | None:
    caller = info.context.user
    return user if caller is not None and caller.pk == user.pk else None  # type: ignore[return-value]


@strawberry.type
class RecoveryMutations:
    @strawberry.mutation(
        description=(
            "E-mail a one-time link to choose a new password. The answer is the same whether "
            "or not the address has an account."
        )
    )
    @mutation(RequestPasswordResetPayload, account_errors)
    def request_password_reset(
        self, info: Info[ShopContext, None], input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        recovery.password_reset_request(
            email=input.email, redirect_url=input.redirect_url, ip=info.context.client_ip
        )
        return RequestPasswordResetPayload()

    @strawberry.mutation(description="Choose a new password with the link's token; signs in.")
    @mutation(SetPasswordPayload, account_errors)
    def set_password(
        self, info: Info[ShopContext, None], input: SetPasswordInput
    ) -> SetPasswordPayload:
        if error := _too_long_password(input.password):
            raise error
        pair = recovery.password_set(email=input.email, token=input.token, password=input.password)
        return signed_in(info, pair, SetPasswordPayload)

    @strawberry.mutation(
        description="Change the caller's password; every token issued before is refused."
    )
    @mutation(PasswordChangePayload, account_errors, signed_in=True)
    def password_change(
        self, info: Info[ShopContext, None], input: PasswordChangeInput, actor: User
    ) -> PasswordChangePayload:
        if error := _too_long_password(input.new_password):
            raise ValidationError({"new_password": error.error_dict["password"]})
        pair = recovery.password_change(
            actor=actor, old_password=input.old_password, new_password=input.new_password
        )
        return signed_in(info, pair, PasswordChangePayload)

    @strawberry.mutation(description="Confirm the account's e-mail address with the link's token.")
    @mutation(AccountConfirmPayload, account_errors)
    def account_confirm(
        self, info: Info[ShopContext, None], input: AccountConfirmInput
    ) -> AccountConfirmPayload:
        user = recovery.account_confirm(email=input.email, token=input.token)
        return AccountConfirmPayload(user=_if_caller(info, user))

    @strawberry.mutation(description="E-mail the caller's confirmation link again.")
    @mutation(SendConfirmationEmailPayload, account_errors, signed_in=True)
    def send_confirmation_email(
        self, info: Info[ShopContext, None], input: SendConfirmationEmailInput, actor: User
    ) -> SendConfirmationEmailPayload:
        recovery.account_confirmation_request(
            actor=actor, redirect_url=input.redirect_url, ip=info.context.client_ip
        )
        return SendConfirmationEmailPayload()

    @strawberry.mutation(
        description=(
            "Ask to change the caller's e-mail address: the new address receives a link to "
            "confirm it; nothing changes until then."
        )
    )
    @mutation(RequestEmailChangePayload, account_errors, signed_in=True)
    def request_email_change(
        self, info: Info[ShopContext, None], input: RequestEmailChangeInput, actor: User
    ) -> RequestEmailChangePayload:
        recovery.email_change_request(
            actor=actor,
            new_email=input.new_email,
            password=input.password,
            redirect_url=input.redirect_url,
            ip=info.context.client_ip,
        )
        return RequestEmailChangePayload(user=actor)  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Move the account to the new address with the token sent to it."
    )
    @mutation(ConfirmEmailChangePayload, account_errors)
    def confirm_email_change(
        self, info: Info[ShopContext, None], input: ConfirmEmailChangeInput
    ) -> ConfirmEmailChangePayload:
        user = recovery.email_change_confirm(token=input.token)
        return ConfirmEmailChangePayload(user=_if_caller(info, user))
