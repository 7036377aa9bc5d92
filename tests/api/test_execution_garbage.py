"""A request leaves little for the cycle collector: graphql-core's execution
context refers to itself, so whatever it still holds after the response waits
for a (long) collection instead of being freed at once."""

import gc

import pytest
from graphql.execution.collect_fields import FieldDetails

from shop.api.execution import ShopExecutionContext
from tests.factories.catalog import WarehouseFactory, stocked_product
from tests.operations import operation

pytestmark = pytest.mark.django_db


def _garbage_of(run) -> list[object]:
    """The objects only the cycle collector would free after ``run()``."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_product_page_leaves_its_execution_memos_to_reference_counting(gql):
    stocked_product(slug="grifo", warehouses=[WarehouseFactory()])
    document = operation("storefront/Product")
    gql(document, {"slug": "grifo"})

    garbage = _garbage_of(lambda: gql(document, {"slug": "grifo"}))

    contexts = [o for o in garbage if isinstance(o, ShopExecutionContext)]
    assert len(contexts) == 1
    assert contexts[0]._compiled == {}
    assert contexts[0]._relevant_sub_fields == {}
    assert [o for o in garbage if isinstance(o, FieldDetails)] == []
