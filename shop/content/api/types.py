"""Shop content as the storefront sees it, in the request's language (Accept-Language)."""

from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.conf import settings
from django.db.models import QuerySet
from strawberry import relay
from strawberry.types import Info

from shop.accounts.selectors import staff_may
from shop.api.errors import ShopError
from shop.api.relay import ModelNode, decode_id
from shop.api.types import Image, LanguageCode
from shop.content import models, selectors
from shop.content.errors import ContentErrorCode
from shop.i18n import current_language, localized

strawberry.enum(ContentErrorCode, name="ContentErrorCode")


@strawberry.type
class ContentError(ShopError):
    code: ContentErrorCode


@strawberry.interface(description="One block of the home page, in display order.")
class HomePageSection:
    id: strawberry.ID
    position: int
    title: str


def section_id(pk: int) -> strawberry.ID:
    return strawberry.ID(relay.to_base64("HomePageSection", pk))


@strawberry.type
class HeroSection(HomePageSection):
    text: str = strawberry.field(description="Sanitised HTML.")
    image: Image | None
    link_url: str | None


@strawberry.type
class FeaturedCollectionSection(HomePageSection):
    collection_slug: str


@strawberry.type
class FeaturedProductsSection(HomePageSection):
    product_slugs: list[str]


@strawberry.type
class RichTextSection(HomePageSection):
    text: str = strawberry.field(description="Sanitised HTML.")


def section_type(section: models.HomePageSection) -> HomePageSection:
    """The GraphQL type of a stored section, with texts in the active language."""
    id, position, title = section_id(section.pk), section.position, localized(section, "title")
    kinds = models.HomePageSection.Kind
    if section.kind == kinds.HERO:
        image = None
        if section.image:
            image = Image(url=section.image.url, alt=localized(section, "image_alt"))
        return HeroSection(
            id=id,
            position=position,
            title=title,
            text=localized(section, "body"),
            image=image,
            link_url=section.link_url or None,
        )
    if section.kind == kinds.FEATURED_COLLECTION:
        return FeaturedCollectionSection(
            id=id, position=position, title=title, collection_slug=section.collection_slug
        )
    if section.kind == kinds.FEATURED_PRODUCTS:
        return FeaturedProductsSection(
            id=id, position=position, title=title, product_slugs=list(section.product_slugs)
        )
    return RichTextSection(id=id, position=position, title=title, text=localized(section, "body"))


@strawberry.type
class HomePage:
    @strawberry.field(description="Published sections in display order.")
    def sections(self) -> list[HomePageSection]:
        return [section_type(section) for section in selectors.published_sections()]


@strawberry_django.type(models.FaqCategory, name="FaqCategory")
class FaqCategoryType(ModelNode):
    position: int

    @strawberry_django.field(only=["name", "name_en"])
    def name(self, root: models.FaqCategory) -> str:
        return localized(root, "name")


@strawberry_django.type(models.FaqEntry, name="FaqEntry")
class FaqEntryType(ModelNode):
    position: int
    category: FaqCategoryType

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.FaqEntry], info: Info, **_kwargs: Any
    ) -> QuerySet[models.FaqEntry]:
        if staff_may(info.context.user, "content.view_faqentry"):
            return queryset
        return queryset.filter(is_published=True)

    @strawberry_django.field(only=["question", "question_en"])
    def question(self, root: models.FaqEntry) -> str:
        return localized(root, "question")

    @strawberry_django.field(only=["answer", "answer_en"], description="Sanitised HTML.")
    def answer(self, root: models.FaqEntry) -> str:
        return localized(root, "answer")


strawberry.enum(models.LegalPage.Kind, name="LegalPageKind")
strawberry.enum(models.HomePageSection.Kind, name="HomePageSectionKind")


@strawberry_django.type(models.LegalPage, name="LegalPage")
class LegalPageType(ModelNode):
    updated_at: strawberry.auto

    @strawberry_django.field(only=["kind"])
    def kind(self, root: models.LegalPage) -> models.LegalPage.Kind:
        return models.LegalPage.Kind(root.kind)

    @strawberry_django.field(only=["title", "title_en"])
    def title(self, root: models.LegalPage) -> str:
        return localized(root, "title")

    @strawberry_django.field(only=["body", "body_en"], description="Sanitised HTML.")
    def body(self, root: models.LegalPage) -> str:
        return localized(root, "body")


@strawberry.type
class Shop:
    @strawberry.field(description="The shop's name in the request's language.")
    def name(self) -> str:
        return localized(selectors.shop_settings(), "name")

    @strawberry.field(description="The languages the shop speaks; the first is the default.")
    def languages(self) -> list[LanguageCode]:
        return [LanguageCode(code) for code, _name in settings.LANGUAGES]

    @strawberry.field(description="The language of this response (from Accept-Language).")
    def language_code(self) -> LanguageCode:
        return LanguageCode(current_language())

    @strawberry.field(description="ISO 4217 code of every price in the shop.")
    def currency(self) -> str:
        return str(settings.SHOP_CURRENCY)

    @strawberry.field
    def contact_email(self) -> str:
        return selectors.shop_settings().contact_email

    @strawberry.field
    def contact_phone(self) -> str:
        return selectors.shop_settings().contact_phone

    @strawberry.field
    def home_page(self) -> HomePage:
        return HomePage()

    @strawberry_django.field(description="Published questions, grouped by category order.")
    def faq(self, category: strawberry.ID | None = None) -> list[FaqEntryType]:
        category_id = None
        if category is not None:
            category_id = decode_id(category, "FaqCategory")
            if category_id is None:
                return []
        return selectors.published_faq(category_id=category_id)  # type: ignore[return-value]

    @strawberry_django.field(description="Categories that have published questions.")
    def faq_categories(self) -> list[FaqCategoryType]:
        return selectors.faq_categories()  # type: ignore[return-value]

    @strawberry_django.field(description="Legal notice, privacy policy and other legal texts.")
    def legal(self) -> list[LegalPageType]:
        return selectors.legal_pages()  # type: ignore[return-value]
