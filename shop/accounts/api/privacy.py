"""GraphQL for the customer's data rights: deletion and export (``shop.accounts.privacy``)."""

from __future__ import annotations

from typing import Any

import strawberry
from django.utils import timezone
from strawberry.scalars import JSON

from shop.accounts import privacy
from shop.accounts.api.mutations import account_errors
from shop.accounts.api.types import AccountError
from shop.accounts.models import User
from shop.api.mutations import mutation


@strawberry.input
class AccountRequestDeletionInput:
    redirect_url: str = strawberry.field(
        description=(
            "The storefront page that confirms the deletion (on the storefront's or a "
            "portal's origin); the e-mailed link adds ?token=... to it."
        )
    )


@strawberry.type
class AccountRequestDeletionPayload:
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class AccountDeleteInput:
    token: str = strawberry.field(description="The token from the e-mailed link.")


@strawberry.type
class AccountDeletePayload:
    deleted: bool = False
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.type
class AccountDataExportPayload:
    file_name: str | None = strawberry.field(
        default=None, description="A name to save the export under (.json)."
    )
    data: JSON | None = strawberry.field(
        default=None,
        description=(
            "Everything the shop holds about the caller (RGPD arts. 15 and 20): profile, "
            "addresses, orders with lines, claims with messages, invoices, water contracts."
        ),
    )
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description=(
            "E-mail the caller a one-time link to confirm the deletion of their account. "
            "Refused while claims are open, orders unshipped or water-bill charges unsettled."
        )
    )
    @mutation(AccountRequestDeletionPayload, account_errors, signed_in=True)
    def account_request_deletion(
        self, input: AccountRequestDeletionInput, actor: User
    ) -> AccountRequestDeletionPayload:
        privacy.account_deletion_request(actor=actor, redirect_url=input.redirect_url)
        return AccountRequestDeletionPayload()

    @strawberry.mutation(
        description=(
            "Delete the caller's account with the token from the e-mailed link: personal "
            "data erased; orders and invoices kept, detached, as tax law requires."
        )
    )
    @mutation(AccountDeletePayload, account_errors, signed_in=True)
    def account_delete(self, input: AccountDeleteInput, actor: User) -> AccountDeletePayload:
        privacy.account_delete(actor=actor, token=input.token)
        return AccountDeletePayload(deleted=True)

    @strawberry.mutation(description="The caller's personal data as one JSON document.")
    @mutation(AccountDataExportPayload, account_errors, signed_in=True)
    def account_data_export(self, actor: User) -> AccountDataExportPayload:
        data: dict[str, Any] = privacy.account_data_export(actor=actor)
        day = timezone.localdate().isoformat()
        return AccountDataExportPayload(
            file_name=f"account-data-{day}.json",
            data=data,  # type: ignore[arg-type]  # JSON is a scalar of any JSON value
        )
