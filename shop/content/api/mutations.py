"""Staff mutations for shop content. Each checks a permission, then calls one service."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.utils.translation import gettext as _
from strawberry.types import Info

from shop.api.context import ShopContext
from shop.api.errors import payload_errors
from shop.api.inputs import fetch, given_fields
from shop.api.permissions import require_permission
from shop.api.types import DeleteInput
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


def content_errors(exc: ValidationError) -> list[ContentError]:
    return payload_errors(exc, ContentError, ContentErrorCode, ContentErrorCode.INVALID)


def _fetch(model: type[ModelT], type_name: str, id: str) -> ModelT:
    """The object a global ID names; NOT_FOUND as a payload error otherwise."""
    return fetch(model, type_name, id, codes=ContentErrorCode)


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
        try:
            data["category"] = _fetch(models.FaqCategory, "FaqCategory", input.category)
        except ValidationError as exc:
            raise ValidationError(
                {"category": ValidationError(_("Not found."), code=ContentErrorCode.NOT_FOUND)}
            ) from exc
    return data


@strawberry.type
class ContentMutations:
    @strawberry.mutation(description="Staff: change the shop's name and contact details.")
    def shop_settings_update(
        self, info: Info[ShopContext, None], input: ShopSettingsInput
    ) -> ShopSettingsUpdatePayload:
        actor = require_permission(info, "content.change_shopsettings")
        try:
            services.shop_settings_update(actor=actor, data=_data(input))
        except ValidationError as exc:
            return ShopSettingsUpdatePayload(errors=content_errors(exc))
        return ShopSettingsUpdatePayload(shop=Shop())

    @strawberry.mutation(description="Staff: add a home page section.")
    def home_page_section_create(
        self, info: Info[ShopContext, None], input: HomePageSectionInput
    ) -> HomePageSectionPayload:
        actor = require_permission(info, "content.add_homepagesection")
        try:
            section = services.home_page_section_create(actor=actor, data=_data(input))
        except ValidationError as exc:
            return HomePageSectionPayload(errors=content_errors(exc))
        return HomePageSectionPayload(section=section_type(section))

    @strawberry.mutation(description="Staff: change a home page section.")
    def home_page_section_update(
        self, info: Info[ShopContext, None], input: HomePageSectionUpdateInput
    ) -> HomePageSectionPayload:
        actor = require_permission(info, "content.change_homepagesection")
        try:
            section = _fetch(models.HomePageSection, "HomePageSection", input.id)
            section = services.home_page_section_update(
                actor=actor, section=section, data=_data(input.section)
            )
        except ValidationError as exc:
            return HomePageSectionPayload(errors=content_errors(exc))
        return HomePageSectionPayload(section=section_type(section))

    @strawberry.mutation(description="Staff: remove a home page section.")
    def home_page_section_delete(
        self, info: Info[ShopContext, None], input: HomePageSectionDeleteInput
    ) -> HomePageSectionPayload:
        actor = require_permission(info, "content.delete_homepagesection")
        try:
            section = _fetch(models.HomePageSection, "HomePageSection", input.id)
            services.home_page_section_delete(actor=actor, section=section)
        except ValidationError as exc:
            return HomePageSectionPayload(errors=content_errors(exc))
        return HomePageSectionPayload()

    @strawberry.mutation(description="Staff: put the home page sections in a new order.")
    def home_page_sections_reorder(
        self, info: Info[ShopContext, None], input: HomePageSectionsReorderInput
    ) -> HomePageSectionsReorderPayload:
        actor = require_permission(info, "content.change_homepagesection")
        try:
            ids = [_fetch(models.HomePageSection, "HomePageSection", id).pk for id in input.ids]
            sections = services.home_page_sections_reorder(actor=actor, section_ids=ids)
        except ValidationError as exc:
            errors = content_errors(exc)
            for error in errors:
                error.field = "ids"  # the input field at fault, whatever the service calls it
            return HomePageSectionsReorderPayload(errors=errors)
        return HomePageSectionsReorderPayload(sections=[section_type(s) for s in sections])

    @strawberry.mutation(description="Staff: add an FAQ category.")
    def faq_category_create(
        self, info: Info[ShopContext, None], input: FaqCategoryInput
    ) -> FaqCategoryPayload:
        actor = require_permission(info, "content.add_faqcategory")
        try:
            category = services.faq_category_save(actor=actor, category=None, data=_data(input))
        except ValidationError as exc:
            return FaqCategoryPayload(errors=content_errors(exc))
        return FaqCategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change an FAQ category.")
    def faq_category_update(
        self, info: Info[ShopContext, None], input: FaqCategoryUpdateInput
    ) -> FaqCategoryPayload:
        actor = require_permission(info, "content.change_faqcategory")
        try:
            category = _fetch(models.FaqCategory, "FaqCategory", input.id)
            category = services.faq_category_save(
                actor=actor, category=category, data=_data(input.category)
            )
        except ValidationError as exc:
            return FaqCategoryPayload(errors=content_errors(exc))
        return FaqCategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete an empty FAQ category.")
    def faq_category_delete(
        self, info: Info[ShopContext, None], input: DeleteInput
    ) -> FaqCategoryPayload:
        actor = require_permission(info, "content.delete_faqcategory")
        try:
            category = _fetch(models.FaqCategory, "FaqCategory", input.id)
            services.faq_category_delete(actor=actor, category=category)
        except ValidationError as exc:
            return FaqCategoryPayload(errors=content_errors(exc))
        return FaqCategoryPayload()

    @strawberry.mutation(description="Staff: add a question to the FAQ.")
    def faq_entry_create(
        self, info: Info[ShopContext, None], input: FaqEntryInput
    ) -> FaqEntryPayload:
        actor = require_permission(info, "content.add_faqentry")
        try:
            entry = services.faq_entry_save(actor=actor, entry=None, data=_faq_entry_data(input))
        except ValidationError as exc:
            return FaqEntryPayload(errors=content_errors(exc))
        return FaqEntryPayload(entry=entry)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change an FAQ question.")
    def faq_entry_update(
        self, info: Info[ShopContext, None], input: FaqEntryUpdateInput
    ) -> FaqEntryPayload:
        actor = require_permission(info, "content.change_faqentry")
        try:
            entry = _fetch(models.FaqEntry, "FaqEntry", input.id)
            entry = services.faq_entry_save(
                actor=actor, entry=entry, data=_faq_entry_data(input.entry)
            )
        except ValidationError as exc:
            return FaqEntryPayload(errors=content_errors(exc))
        return FaqEntryPayload(entry=entry)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete an FAQ question.")
    def faq_entry_delete(
        self, info: Info[ShopContext, None], input: DeleteInput
    ) -> FaqEntryPayload:
        actor = require_permission(info, "content.delete_faqentry")
        try:
            entry = _fetch(models.FaqEntry, "FaqEntry", input.id)
            services.faq_entry_delete(actor=actor, entry=entry)
        except ValidationError as exc:
            return FaqEntryPayload(errors=content_errors(exc))
        return FaqEntryPayload()

    @strawberry.mutation(description="Staff: write a legal text (created if missing).")
    def legal_page_update(
        self, info: Info[ShopContext, None], input: LegalPageUpdateInput
    ) -> LegalPageUpdatePayload:
        actor = require_permission(info, "content.change_legalpage")
        try:
            page = services.legal_page_update(
                actor=actor, kind=input.kind.value, data=_data(input.page)
            )
        except ValidationError as exc:
            return LegalPageUpdatePayload(errors=content_errors(exc))
        return LegalPageUpdatePayload(page=page)  # type: ignore[arg-type]
