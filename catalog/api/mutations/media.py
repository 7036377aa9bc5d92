"""Product image mutations: upload (multipart request), reorder and delete, with
their inputs and payloads."""

from __future__ import annotations

from typing import cast

import strawberry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from strawberry.file_uploads import Upload

from catalog import models, services
from catalog.api.mutations._common import _fetch, _fetch_many, catalog_errors
from catalog.api.types import CatalogError, ProductMediaType, ProductType
from catalog.errors import CatalogErrorCode
from shop.accounts.models import User
from shop.api.mutations import mutation
from shop.api.types import DeleteInput


@strawberry.input(description="Sent as a GraphQL multipart request.")
class ProductMediaCreateInput:
    product: strawberry.ID
    image: Upload = strawberry.field(description="A JPEG, PNG or WEBP image.")
    alt: str = ""
    alt_en: str = ""


@strawberry.type
class ProductMediaPayload:
    media: ProductMediaType | None = None
    product: ProductType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input
class ProductMediaReorderInput:
    product: strawberry.ID
    media: list[strawberry.ID] = strawberry.field(description="Every image, in the new order.")


@strawberry.type
class ProductMediaReorderPayload:
    product: ProductType | None = None
    media: list[ProductMediaType] = strawberry.field(default_factory=list)
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductMediaMutations:
    @strawberry.mutation(description="Staff: upload a product image (multipart request).")
    @mutation(ProductMediaPayload, catalog_errors, permission="catalog.add_productmedia")
    def product_media_create(
        self, input: ProductMediaCreateInput, actor: User
    ) -> ProductMediaPayload:
        product = _fetch(models.Product, "Product", input.product, "product")
        if not isinstance(input.image, UploadedFile):
            raise ValidationError(
                {
                    "image": ValidationError(
                        _("Send the image as a file of a multipart request."),
                        code=CatalogErrorCode.INVALID_IMAGE,
                    )
                }
            )
        media = services.product_media_create(
            actor=actor,
            product=product,
            upload=cast(UploadedFile, input.image),
            alt=input.alt,
            alt_en=input.alt_en,
        )
        return ProductMediaPayload(media=media, product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: put a product's images in a new order.")
    @mutation(ProductMediaReorderPayload, catalog_errors, permission="catalog.change_productmedia")
    def product_media_reorder(
        self, input: ProductMediaReorderInput, actor: User
    ) -> ProductMediaReorderPayload:
        product = _fetch(models.Product, "Product", input.product, "product")
        listed = _fetch_many(models.ProductMedia, "ProductMedia", input.media, "media")
        media = services.product_media_reorder(
            actor=actor, product=product, media_ids=[item.pk for item in listed]
        )
        return ProductMediaReorderPayload(product=product, media=media)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a product image and its files.")
    @mutation(ProductMediaPayload, catalog_errors, permission="catalog.delete_productmedia")
    def product_media_delete(self, input: DeleteInput, actor: User) -> ProductMediaPayload:
        media = _fetch(models.ProductMedia, "ProductMedia", input.id)
        services.product_media_delete(actor=actor, media=media)
        return ProductMediaPayload(product=media.product)  # type: ignore[arg-type]
