"""A hand-written Django view producing exactly the JSON of the storefront's
``ProductList`` document (first page, no filters): the baseline the GraphQL
endpoint is compared with in ``make bench``. It reads the same rows with the same
queries (stock less live reservations included), so the ratio is the GraphQL
layer's cost alone."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from strawberry.relay import to_base64

from catalog.models import Product, ProductMedia, ProductVariant
from catalog.selectors import stocks_with_free_units
from discounts.pricing import Sale
from discounts.selectors import live_sales, product_prices
from shop.i18n import localized
from shop.money import Money, TaxedMoney


def _money(value: Money) -> dict[str, str]:
    return {"amount": str(value.quantized().amount), "currency": value.currency}


def _thumbnail(media: ProductMedia | None) -> dict[str, str] | None:
    if media is None:
        return None
    widths = sorted(int(width) for width in media.thumbnails)
    url = next(
        (default_storage.url(media.thumbnails[str(w)]) for w in widths if w >= 480),
        media.image.url,
    )
    return {"url": url, "alt": localized(media, "alt")}


def _gross_range(start: Any, stop: Any, rate: Any) -> dict[str, Any]:
    return {
        "start": {"gross": _money(TaxedMoney.from_gross(Money(start), rate).gross)},
        "stop": {"gross": _money(TaxedMoney.from_gross(Money(stop), rate).gross)},
    }


def _product(product: Product, sales: list[Sale]) -> dict[str, Any]:
    variants = list(product.variants.all())
    rate = product.tax_rate
    prices = product_prices(product, variants, sales)
    nodes = []
    available = False
    for variant in variants:
        free = sum(stock.free for stock in variant.stocks.all())
        is_available = not variant.track_inventory or free > 0
        available = available or is_available
        price = TaxedMoney.from_gross(Money(variant.price), rate)
        nodes.append(
            {
                "id": to_base64("ProductVariant", variant.pk),
                "sku": variant.sku,
                "name": localized(variant, "name"),
                "isAvailable": is_available,
                "quantityAvailable": free,
                "price": {
                    "net": {"amount": str(price.net.quantized().amount)},
                    "gross": _money(price.gross),
                    "tax": {"amount": str(price.tax.quantized().amount)},
                },
            }
        )
    if prices is None:
        pricing: dict[str, Any] = {
            "onSale": False,
            "priceRangeUndiscounted": None,
            "priceRange": None,
        }
    else:
        undiscounted = _gross_range(prices.undiscounted_start, prices.undiscounted_stop, rate)
        pricing = {
            "onSale": prices.on_sale,
            "priceRangeUndiscounted": {"start": undiscounted["start"]},
            "priceRange": _gross_range(prices.start.price, prices.stop.price, rate),
        }
    category = product.category
    return {
        "id": to_base64("Product", product.pk),
        "name": localized(product, "name"),
        "slug": product.slug,
        "isAvailable": available,
        "category": {
            "id": to_base64("Category", category.pk),
            "name": localized(category, "name"),
            "slug": category.slug,
        },
        "thumbnail": _thumbnail(next(iter(product.media.all()), None)),
        "pricing": pricing,
        "variants": nodes,
    }


def product_list(request: HttpRequest) -> HttpResponse:
    first = min(int(request.GET.get("first", "20")), 100)
    products = (
        Product.objects.filter(is_published=True, category__is_published=True)
        .defer("search_vector")
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.prefetch_related(
                    # Free units less live reservations, as the API counts them.
                    Prefetch("stocks", queryset=stocks_with_free_units())
                ),
            ),
            "media",
        )
        .order_by("name", "pk")
    )
    total = products.count()
    page = list(products[: first + 1])
    sales = live_sales()
    edges = [
        {"cursor": to_base64("arrayconnection", index), "node": _product(product, sales)}
        for index, product in enumerate(page[:first])
    ]
    body = {
        "data": {
            "products": {
                "totalCount": total,
                "pageInfo": {
                    "hasNextPage": len(page) > first,
                    "endCursor": edges[-1]["cursor"] if edges else None,
                },
                "edges": [{"node": edge["node"]} for edge in edges],
            }
        }
    }
    return HttpResponse(orjson.dumps(body), content_type="application/json")


urlpatterns = [
    path("bench/products/", product_list),
    path("", include("shop.urls")),
]
