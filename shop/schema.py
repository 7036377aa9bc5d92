"""THE GraphQL schema: each app's ``api`` module merged, with the security rules.

Built once at import; ``graphql/schema.graphql`` is its printed form.
"""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from billing_bridge.api.mutations import BillingMutations
from catalog.api.mutations import CatalogMutations
from catalog.api.queries import CatalogQueries
from discounts.api.mutations import DiscountMutations
from discounts.api.queries import DiscountQueries
from invoicing.api.mutations import InvoiceMutations
from invoicing.api.queries import InvoiceQueries
from orders.api.checkout.mutations import CheckoutMutations
from orders.api.checkout.queries import CheckoutQueries
from orders.api.claims.mutations import ClaimMutations
from orders.api.claims.queries import ClaimQueries
from orders.api.orders.mutations import OrderMutations
from orders.api.orders.queries import OrderQueries
from orders.api.shipping.mutations import ShippingMutations
from orders.api.shipping.queries import ShippingQueries
from orders.selectors import checkout_memo
from shop.accounts.api.mutations import AccountMutations
from shop.accounts.api.privacy import PrivacyMutations
from shop.accounts.api.queries import AccountQueries
from shop.accounts.api.recovery import RecoveryMutations
from shop.api.errors import ShopSchema
from shop.api.execution import ShopExecutionContext
from shop.api.relay import resolve_node
from shop.api.security import schema_extensions
from shop.api.types import MoneyType, TaxedMoneyType
from shop.content.api.mutations import ContentMutations
from shop.content.api.queries import ContentQueries
from shop.content.api.types import (
    FeaturedCollectionSection,
    FeaturedProductsSection,
    HeroSection,
    RichTextSection,
)


class ShopOptimizerExtension(DjangoOptimizerExtension):
    """The optimizer without its per-field ``resolve`` hook.

    The hook wraps every field of every request in a middleware (a listing of 100
    products runs it ~5,000 times) to optimise querysets that plain strawberry
    resolvers return. Here querysets come from ``strawberry_django`` fields, whose
    own ``get_queryset`` calls the optimizer, so the hook only cost time.
    """

    resolve = SchemaExtension.resolve  # type: ignore[assignment]


class RequestMemo(SchemaExtension):
    """Per-operation memos of data many steps of one operation read (shipping zones,
    promotions, checkout lines)."""

    def on_execute(self) -> Iterator[None]:
        with checkout_memo():
            yield


@strawberry.type
class NodeQueries:
    node: relay.Node | None = strawberry.field(
        resolver=resolve_node, description="Any object by its global ID."
    )


Query = merge_types(
    "Query",
    (
        NodeQueries,
        AccountQueries,
        ContentQueries,
        CatalogQueries,
        ShippingQueries,
        CheckoutQueries,
        OrderQueries,
        ClaimQueries,
        InvoiceQueries,
        DiscountQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutations,
        RecoveryMutations,
        PrivacyMutations,
        ContentMutations,
        CatalogMutations,
        ShippingMutations,
        CheckoutMutations,
        OrderMutations,
        ClaimMutations,
        BillingMutations,
        InvoiceMutations,
        DiscountMutations,
    ),
)

schema = ShopSchema(
    query=Query,
    mutation=Mutation,
    types=[
        HeroSection,
        FeaturedCollectionSection,
        FeaturedProductsSection,
        RichTextSection,
        MoneyType,
        TaxedMoneyType,
    ],
    # Without only(): resolvers read columns the client did not select (tax class
    # for prices), and deferred columns would cost a query per row.
    extensions=[
        *schema_extensions(),
        lambda: ShopOptimizerExtension(enable_only_optimization=False),
        RequestMemo,
    ],
    config=StrawberryConfig(relay_max_results=100, disable_field_suggestions=True),
    execution_context_class=ShopExecutionContext,
)
