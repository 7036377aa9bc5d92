"""Stock and warehouse mutations: set a variant's units in a warehouse, create and
update warehouses, with their inputs and payloads."""

from __future__ import annotations

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, catalog_errors
from catalog.api.types import CatalogError, ProductVariantType, StockType, WarehouseType
from shop.accounts.models import User
from shop.api.mutations import mutation


@strawberry.input
class StockUpdateInput:
    variant: strawberry.ID
    warehouse: strawberry.ID
    quantity: int


@strawberry.type
class StockUpdatePayload:
    stock: StockType | None = None
    variant: ProductVariantType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input
class WarehouseInput:
    name: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    city: str | None = None
    postal_code: str | None = None


@strawberry.input
class WarehouseUpdateInput:
    id: strawberry.ID
    warehouse: WarehouseInput


@strawberry.type
class WarehousePayload:
    warehouse: WarehouseType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.type
class StockMutations:
    @strawberry.mutation(description="Staff: set the units of a variant in a warehouse.")
    @mutation(StockUpdatePayload, catalog_errors, permission="catalog.change_stock")
    def stock_update(self, input: StockUpdateInput, actor: User) -> StockUpdatePayload:
        variant = _fetch(models.ProductVariant, "ProductVariant", input.variant, "variant")
        warehouse = _fetch(models.Warehouse, "Warehouse", input.warehouse, "warehouse")
        stock = services.stock_update(
            actor=actor, variant=variant, warehouse=warehouse, quantity=input.quantity
        )
        return StockUpdatePayload(stock=stock, variant=variant)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: add a warehouse.")
    @mutation(WarehousePayload, catalog_errors, permission="catalog.add_warehouse")
    def warehouse_create(self, input: WarehouseInput, actor: User) -> WarehousePayload:
        warehouse = services.warehouse_create(actor=actor, data=_data(input))
        return WarehousePayload(warehouse=warehouse)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a warehouse.")
    @mutation(WarehousePayload, catalog_errors, permission="catalog.change_warehouse")
    def warehouse_update(self, input: WarehouseUpdateInput, actor: User) -> WarehousePayload:
        warehouse = _fetch(models.Warehouse, "Warehouse", input.id)
        warehouse = services.warehouse_update(
            actor=actor, warehouse=warehouse, data=_data(input.warehouse)
        )
        return WarehousePayload(warehouse=warehouse)  # type: ignore[arg-type]
