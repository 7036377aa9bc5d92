"""Staff mutations for shop content. Each checks a permission, then calls one service."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

import strawberry
from django.db import models as db_models

from shop.accounts.models import User
from shop.api.inputs import fetch, given_fields
from shop.api.mutations import PayloadErrors, StaffCrud, mutation
from shop.content import models, services
from shop.content.api.types import (
    ContentError,
    FaqCategoryType,
    FaqEntryType,
    HomePageSection,
    LegalPageType,
    Shop,
    section_type,
)
from shop.content.errors import ContentErrorCode

ModelT = TypeVar("ModelT", bound=db_models.Model)


content_errors = PayloadErrors(ContentError, ContentErrorCode)


def _fetch(model: type[ModelT], type_name: str, id: str, field: str = "id") -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    return fetch(model, type_name, id, codes=ContentErrorCode, field=field)


def _data(input: Any) -> dict[str, Any]:
    return {name: value for name, value in given_fields(input).items() if name != "id"}


@strawberry.input
class ShopSettingsInput:
    name: str | None = None
    name_en: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


@strawberry.type
class ShopSettingsUpdatePayload:
    shop: Shop | None = None
    errors: list[ContentError] = strawberry.field(default_factory=list)


@strawberry.input
class HomePageSectionInput:
    kind: models.HomePageSection.Kind | None = None
    position: int | None = None
    is_published: bool | None = None
    title: str | None = None
    title_en: str | None = None
    body: str | None = strawberry.field(default=None, description="HTML; sanitised on save.")
    body_en: str | None = None
    image_alt: str | None = None
    image_alt_en: str | None = None
    link_url: str | None = None
    collection_slug: str | None = None
    product_slugs: list[str] | None = None


@strawberry.input
class HomePageSectionUpdateInput:
    id: strawberry.ID
    section: HomePageSectionInput


@strawberry.input
class HomePageSectionDeleteInput:
    id: strawberry.ID


@strawberry.input
class HomePageSectionsReorderInput:
    ids: list[strawberry.ID] = strawberry.field(description="Every section, in the new order.")


@strawberry.type
class HomePageSectionPayload:
    section: HomePageSection | None = None
    errors: list[ContentError] = strawberry.field(default_factory=list)


@strawberry.type
class HomePageSectionsReorderPayload:
    sections: list[HomePageSection] = strawberry.field(default_factory=list)
    errors: list[ContentError] = strawberry.field(default_factory=list)


@strawberry.input
class FaqCategoryInput:
    name: str | None = None
    name_en: str | None = None
    position: int | None = None


@strawberry.input
class FaqCategoryUpdateInput:
    id: strawberry.ID
    category: FaqCategoryInput


@strawberry.type
class FaqCategoryPayload:
    category: FaqCategoryType | None = None
    errors: list[ContentError] = strawberry.field(default_factory=list)


@strawberry.input
class FaqEntryInput:
    category: strawberry.ID | None = None
    question: str | None = None
    question_en: str | None = None
    answer: str | None = strawberry.field(default=None, description="HTML; sanitised on save.")
    answer_en: str | None = None
    position: int | None = None
    is_published: bool | None = None


@strawberry.input
class FaqEntryUpdateInput:
    id: strawberry.ID
    entry: FaqEntryInput


@strawberry.type
class FaqEntryPayload:
    entry: FaqEntryType | None = None
    errors: list[ContentError] = strawberry.field(default_factory=list)


@strawberry.input
class LegalPageInput:
    title: str | None = None
    title_en: str | None = None
    body: str | None = strawberry.field(default=None, description="HTML; sanitised on save.")
    body_en: str | None = None


@strawberry.input
class LegalPageUpdateInput:
    kind: models.LegalPage.Kind
    page: LegalPageInput


@strawberry.type
class LegalPageUpdatePayload:
    page: LegalPageType | None = None
    errors: list[ContentError] = strawberry.field(default_factory=list)


def _faq_entry_data(input: FaqEntryInput) -> dict[str, Any]:
    data = _data(input)
    if input.category is not None:
        data["category"] = _fetch(models.FaqCategory, "FaqCategory", input.category, "category")
    return data


_sections = StaffCrud(
    model=models.HomePageSection,
    payload=HomePageSectionPayload,
    errors=content_errors,
    keyword="section",
    data=_data,
    shape=section_type,
)
# Creating is saving without an object: the services take None.
_faq_categories = StaffCrud(
    model=models.FaqCategory,
    payload=FaqCategoryPayload,
    errors=content_errors,
    keyword="category",
    data=_data,
)
_faq_entries = StaffCrud(
    model=models.FaqEntry,
    payload=FaqEntryPayload,
    errors=content_errors,
    keyword="entry",
    data=_faq_entry_data,
)


@strawberry.type
class ContentMutations:
    @strawberry.mutation(description="Staff: change the shop's name and contact details.")
    @mutation(ShopSettingsUpdatePayload, content_errors, permission="content.change_shopsettings")
    def shop_settings_update(
        self, input: ShopSettingsInput, actor: User
    ) -> ShopSettingsUpdatePayload:
        services.shop_settings_update(actor=actor, data=_data(input))
        return ShopSettingsUpdatePayload(shop=Shop())

    home_page_section_create = _sections.create(
        services.home_page_section_create,
        input=HomePageSectionInput,
        description="Staff: add a home page section.",
    )
    home_page_section_update = _sections.update(
        services.home_page_section_update,
        input=HomePageSectionUpdateInput,
        description="Staff: change a home page section.",
    )
    home_page_section_delete = _sections.delete(
        services.home_page_section_delete,
        input=HomePageSectionDeleteInput,
        description="Staff: remove a home page section.",
    )

    @strawberry.mutation(description="Staff: put the home page sections in a new order.")
    # Every error on "ids", the input field at fault, whatever the service calls it.
    @mutation(
        HomePageSectionsReorderPayload,
        content_errors.on("ids"),
        permission="content.change_homepagesection",
    )
    def home_page_sections_reorder(
        self, input: HomePageSectionsReorderInput, actor: User
    ) -> HomePageSectionsReorderPayload:
        ids = [_fetch(models.HomePageSection, "HomePageSection", id).pk for id in input.ids]
        sections = services.home_page_sections_reorder(actor=actor, section_ids=ids)
        return HomePageSectionsReorderPayload(sections=[section_type(s) for s in sections])

    faq_category_create = _faq_categories.create(
        partial(services.faq_category_save, category=None),
        input=FaqCategoryInput,
        description="Staff: add an FAQ category.",
    )
    faq_category_update = _faq_categories.update(
        services.faq_category_save,
        input=FaqCategoryUpdateInput,
        description="Staff: change an FAQ category.",
    )
    faq_category_delete = _faq_categories.delete(
        services.faq_category_delete, description="Staff: delete an empty FAQ category."
    )
    faq_entry_create = _faq_entries.create(
        partial(services.faq_entry_save, entry=None),
        input=FaqEntryInput,
        description="Staff: add a question to the FAQ.",
    )
    faq_entry_update = _faq_entries.update(
        services.faq_entry_save,
        input=FaqEntryUpdateInput,
        description="Staff: change an FAQ question.",
    )
    faq_entry_delete = _faq_entries.delete(
        services.faq_entry_delete, description="Staff: delete an FAQ question."
    )

    @strawberry.mutation(description="Staff: write a legal text (created if missing).")
    @mutation(LegalPageUpdatePayload, content_errors, permission="content.change_legalpage")
    def legal_page_update(self, input: LegalPageUpdateInput, actor: User) -> LegalPageUpdatePayload:
        page = services.legal_page_update(
            actor=actor, kind=input.kind.value, data=_data(input.page)
        )
        return LegalPageUpdatePayload(page=page)  # type: ignore[arg-type]
