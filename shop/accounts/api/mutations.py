from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

import strawberry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from strawberry.types import Info

from shop.accounts import models, selectors, services
from shop.accounts.api.types import AccountError, AddressType, UserType
from shop.accounts.consent import accepted_documents
from shop.accounts.errors import AccountErrorCode
from shop.accounts.models import User
from shop.accounts.services import TokenPair
from shop.api.context import ShopContext
from shop.api.mutations import PayloadErrors, mutation
from shop.api.relay import decode_id
from shop.api.types import LanguageCode

MAX_PASSWORD_LENGTH = 128


account_errors = PayloadErrors(AccountError, AccountErrorCode)


def _too_long_password(password: str) -> ValidationError | None:
    if len(password) <= MAX_PASSWORD_LENGTH:
        return None
    return ValidationError(
        {"password": ValidationError(_("This value is too long."), code=AccountErrorCode.INVALID)}
    )


@strawberry.type
class SignedInPayload:
    """The answer of a mutation that signs in: the new tokens and their user.
    Each such mutation has its own payload type (a subclass)."""

    token: str | None = strawberry.field(default=None, description="Access token (minutes).")
    refresh_token: str | None = strawberry.field(default=None, description="Refresh token (days).")
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


PayloadT = TypeVar("PayloadT")


def signed_in(
    info: Info[ShopContext, None], pair: TokenPair, payload: Callable[..., PayloadT]
) -> PayloadT:
    """Act as ``pair``'s user for the rest of the request and answer with its tokens."""
    info.context.sign_in(pair.user)
    return payload(token=pair.access, refresh_token=pair.refresh, user=pair.user)


@strawberry.input
class AccountRegisterInput:
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    language_code: LanguageCode = LanguageCode.ES
    redirect_url: str | None = strawberry.field(
        default=None,
        description=(
            "Where the confirmation link e-mailed leads, with `email` and `token` (default: the "
            "storefront's page); on the storefront's or the portal's origin."
        ),
    )
    accept_privacy_policy: bool = strawberry.field(
        default=False, description="The customer accepted the privacy policy as it reads now."
    )
    accept_terms_of_sale: bool = strawberry.field(
        default=False, description="The customer accepted the terms of sale as they read now."
    )


@strawberry.type
class AccountRegisterPayload:
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class TokenCreateInput:
    email: str
    password: str
    otp_code: str = strawberry.field(
        default="",
        description="Staff, while the admin requires it: a code of their authenticator app "
        "or a recovery code.",
    )


@strawberry.type
class TokenCreatePayload(SignedInPayload):
    pass


@strawberry.input
class PortalSignInInput:
    portal_token: str = strawberry.field(
        description="The short-lived token the customer portal signed for its signed-in customer."
    )


@strawberry.type
class PortalSignInPayload(SignedInPayload):
    pass


@strawberry.input
class TokenRefreshInput:
    refresh_token: str


@strawberry.type
class TokenRefreshPayload:
    token: str | None = None
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.type
class TokensDeactivateAllPayload:
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class AccountUpdateInput:
    first_name: str | None = None
    last_name: str | None = None
    language_code: LanguageCode | None = None


@strawberry.type
class AccountUpdatePayload:
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input(description="A Spanish address; the province is derived from the postal code.")
class AddressInput:
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    street_address_1: str | None = None
    street_address_2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO code; only ES.")


@strawberry.input
class AccountAddressCreateInput:
    address: AddressInput


@strawberry.input
class AccountAddressUpdateInput:
    id: strawberry.ID
    address: AddressInput


@strawberry.input
class AccountAddressDeleteInput:
    id: strawberry.ID


@strawberry.enum
class AddressKind(enum.Enum):
    SHIPPING = "shipping"
    BILLING = "billing"


@strawberry.input
class AccountSetDefaultAddressInput:
    id: strawberry.ID
    kind: AddressKind


@strawberry.type
class AccountAddressPayload:
    address: AddressType | None = None
    user: UserType | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


def _own_address(user: User, id: str) -> models.Address:
    """The caller's address named by ``id`` (``selectors.address_for``)."""
    return selectors.address_for(user, id=decode_id(id, "Address"))


def _address_data(address: AddressInput) -> dict[str, str | None]:
    return {name: getattr(address, name) for name in services.ADDRESS_FIELDS}


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create a customer account.")
    @mutation(AccountRegisterPayload, account_errors)
    def account_register(self, input: AccountRegisterInput) -> AccountRegisterPayload:
        if error := _too_long_password(input.password):
            raise error
        user = services.account_register(
            email=input.email,
            password=input.password,
            first_name=input.first_name,
            last_name=input.last_name,
            language_code=input.language_code.value,
            confirmation_url=input.redirect_url,
            accepted=accepted_documents(
                privacy_policy=input.accept_privacy_policy,
                terms_of_sale=input.accept_terms_of_sale,
            ),
        )
        return AccountRegisterPayload(user=user)  # type: ignore[arg-type]

    @strawberry.mutation(description="Sign in with e-mail and password.")
    @mutation(TokenCreatePayload, account_errors)
    def token_create(
        self, info: Info[ShopContext, None], input: TokenCreateInput
    ) -> TokenCreatePayload:
        if error := _too_long_password(input.password):
            raise error
        pair = services.token_create(
            email=input.email,
            password=input.password,
            ip=info.context.client_ip,
            otp_code=input.otp_code[:32],
        )
        return signed_in(info, pair, TokenCreatePayload)

    @strawberry.mutation(
        description=(
            "Sign in with a token from the customer portal: the portal's customer, with the "
            "supply contracts it vouches for, gets the shop's own tokens."
        )
    )
    @mutation(PortalSignInPayload, account_errors)
    def portal_sign_in(
        self, info: Info[ShopContext, None], input: PortalSignInInput
    ) -> PortalSignInPayload:
        pair = services.portal_sign_in(token=input.portal_token, ip=info.context.client_ip)
        return signed_in(info, pair, PortalSignInPayload)

    @strawberry.mutation(description="A fresh access token for a refresh token.")
    @mutation(TokenRefreshPayload, account_errors)
    def token_refresh(
        self, info: Info[ShopContext, None], input: TokenRefreshInput
    ) -> TokenRefreshPayload:
        pair = services.token_refresh(refresh_token=input.refresh_token)
        info.context.sign_in(pair.user)
        return TokenRefreshPayload(token=pair.access, user=pair.user)  # type: ignore[arg-type]

    @strawberry.mutation(description="Sign out everywhere: revoke every token of the caller.")
    @mutation(TokensDeactivateAllPayload, account_errors, signed_in=True)
    def tokens_deactivate_all(self, actor: User) -> TokensDeactivateAllPayload:
        services.user_tokens_revoke(actor=actor)
        return TokensDeactivateAllPayload()

    @strawberry.mutation(description="Update the caller's name and language.")
    @mutation(AccountUpdatePayload, account_errors, signed_in=True)
    def account_update(self, input: AccountUpdateInput, actor: User) -> AccountUpdatePayload:
        data = {
            name: value.value if isinstance(value, LanguageCode) else value
            for name, value in vars(input).items()
            if value is not None
        }
        user = services.account_update(actor=actor, data=data)
        return AccountUpdatePayload(user=user)  # type: ignore[arg-type]

    @strawberry.mutation(description="Save a new address for the caller.")
    @mutation(AccountAddressPayload, account_errors, signed_in=True)
    def account_address_create(
        self, input: AccountAddressCreateInput, actor: User
    ) -> AccountAddressPayload:
        address = services.address_create(actor=actor, data=_address_data(input.address))
        return AccountAddressPayload(address=address, user=actor)  # type: ignore[arg-type]

    @strawberry.mutation(description="Change one of the caller's addresses.")
    @mutation(AccountAddressPayload, account_errors, signed_in=True)
    def account_address_update(
        self, input: AccountAddressUpdateInput, actor: User
    ) -> AccountAddressPayload:
        address = _own_address(actor, input.id)
        address = services.address_update(
            actor=actor, address=address, data=_address_data(input.address)
        )
        return AccountAddressPayload(address=address, user=address.user)  # type: ignore[arg-type]

    @strawberry.mutation(description="Delete one of the caller's addresses.")
    @mutation(AccountAddressPayload, account_errors, signed_in=True)
    def account_address_delete(
        self, input: AccountAddressDeleteInput, actor: User
    ) -> AccountAddressPayload:
        address = _own_address(actor, input.id)
        services.address_delete(actor=actor, address=address)
        return AccountAddressPayload(user=actor)  # type: ignore[arg-type]

    @strawberry.mutation(description="Make an address the default for shipping or billing.")
    @mutation(AccountAddressPayload, account_errors, signed_in=True)
    def account_set_default_address(
        self, input: AccountSetDefaultAddressInput, actor: User
    ) -> AccountAddressPayload:
        address = _own_address(actor, input.id)
        address = services.address_set_default(actor=actor, address=address, kind=input.kind.value)
        return AccountAddressPayload(address=address, user=address.user)  # type: ignore[arg-type]
