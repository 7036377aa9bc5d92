"""Stock and warehouse mutations: set a variant's units in a warehouse, create and
update warehouses, with their inputs and payloads."""

from __future__ import annotations

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _fetch, catalog_errors
from catalog.api.types import CatalogError, ProductVariantType, StockType, WarehouseType
from shop.accounts.models import User
from shop.api.mutations import StaffCrud, mutation


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


_warehouses = StaffCrud(
    model=models.Warehouse, payload=WarehousePayload, errors=catalog_errors, keyword="warehouse"
)


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

    warehouse_create = _warehouses.create(
        services.warehouse_create, input=WarehouseInput, description="Staff: add a warehouse."
    )
    warehouse_update = _warehouses.update(
        services.warehouse_update,
        input=WarehouseUpdateInput,
        description="Staff: change a warehouse.",
    )
