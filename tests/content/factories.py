"""factory_boy factories for the shop-content models."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings


class ShopSettingsFactory(DjangoModelFactory[ShopSettings]):
    class Meta:
        model = ShopSettings
        django_get_or_create = ("id",)

    id = 1
    name = "Tienda del Agua"
    name_en = ""
    contact_email = "hola@tiendadelagua.es"
    contact_phone = "+34 900 000 000"


class HomePageSectionFactory(DjangoModelFactory[HomePageSection]):
    class Meta:
        model = HomePageSection

    kind = HomePageSection.Kind.RICH_TEXT
    position = factory.Sequence(lambda n: n + 1)
    is_published = True
    title = factory.Sequence(lambda n: f"Sección {n}")
    body = "<p>Texto</p>"


class FaqCategoryFactory(DjangoModelFactory[FaqCategory]):
    class Meta:
        model = FaqCategory

    name = factory.Sequence(lambda n: f"Categoría {n}")
    position = factory.Sequence(lambda n: n + 1)


class FaqEntryFactory(DjangoModelFactory[FaqEntry]):
    class Meta:
        model = FaqEntry

    category = factory.SubFactory(FaqCategoryFactory)
    question = factory.Sequence(lambda n: f"¿Pregunta {n}?")
    answer = factory.Sequence(lambda n: f"<p>Respuesta {n}</p>")
    position = factory.Sequence(lambda n: n + 1)
    is_published = True


class LegalPageFactory(DjangoModelFactory[LegalPage]):
    class Meta:
        model = LegalPage

    kind = LegalPage.Kind.LEGAL_NOTICE
    title = "Aviso legal"
    body = "<p>Texto legal</p>"
