"""Factories and helpers for the storefront tests, on top of ``tests.factories.catalog``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import Group

from catalog import models
from shop.accounts import roles
from shop.accounts.models import User
from tests.factories import StaffFactory, UserFactory, gid
from tests.factories.catalog import ProductFactory, VariantFactory

EN = {"Accept-Language": "en"}


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Collection

    name = factory.Sequence(lambda n: f"Colección {n}")
    name_en = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"coleccion-{n}")
    is_published = True


class CollectionProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CollectionProduct

    collection = factory.SubFactory(CollectionFactory)
    product = factory.SubFactory(ProductFactory)


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attribute

    slug = factory.Sequence(lambda n: f"atributo-{n}")
    name = factory.Sequence(lambda n: f"Atributo {n}")
    name_en = factory.Sequence(lambda n: f"Attribute {n}")
    type = models.Attribute.Type.CHOICE


class AttributeChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AttributeChoice

    attribute = factory.SubFactory(AttributeFactory)
    slug = factory.Sequence(lambda n: f"opcion-{n}")
    name = factory.Sequence(lambda n: f"Opción {n}")
    name_en = factory.Sequence(lambda n: f"Option {n}")


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProductAttributeValue

    product = factory.SubFactory(ProductFactory)
    attribute = factory.SubFactory(AttributeFactory)


def product_gid(product: models.Product) -> str:
    return gid("Product", product.pk)


def priced_product(*prices: str, **fields: Any) -> models.Product:
    """A published product with one untracked variant per gross price, in that order."""
    product = ProductFactory(**fields)
    for position, price in enumerate(prices):
        VariantFactory(
            product=product, price=Decimal(price), position=position, track_inventory=False
        )
    return product


def curate(collection: models.Collection, *products: models.Product) -> None:
    """Put ``products`` in ``collection`` at positions 0, 1, 2... in the order given."""
    for position, product in enumerate(products):
        CollectionProductFactory(collection=collection, product=product, position=position)


def catalogue_manager() -> User:
    """A staff member in the catalogue managers' group (holds ``catalog.view_product``)."""
    user: User = StaffFactory()
    user.groups.add(Group.objects.get(name=roles.CATALOGUE_MANAGER))
    return user


def customer() -> User:
    user: User = UserFactory()
    return user


def slugs(body: dict[str, Any]) -> list[str]:
    """The slugs of the ``products`` page of a response, in order."""
    return [edge["node"]["slug"] for edge in body["data"]["products"]["edges"]]


def collection_slugs(body: dict[str, Any]) -> list[str]:
    """The slugs of the ``collection { products }`` page of a response, in order."""
    return [edge["node"]["slug"] for edge in body["data"]["collection"]["products"]["edges"]]
