"""Content writes by staff. Each service runs in one transaction, names its actor
and leaves an entry in the administration history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from shop.accounts.models import User
from shop.catalog_version import positions_record, record_catalog_change
from shop.content.errors import ContentErrorCode as Code
from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings
from shop.validation import full_clean

ModelT = TypeVar("ModelT", bound=Model)

RICH_TEXT_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"}
RICH_TEXT_ATTRIBUTES = {"a": {"href", "title"}}


def clean_rich_text(html: str) -> str:
    """Keep a small set of formatting tags; scripts, styles and handlers are removed."""
    return nh3.clean(
        html,
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _assign(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    changed = [name for name in fields if name in data and data[name] is not None]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


def _validate(obj: Model) -> None:
    full_clean(obj, Code)


def _save(
    actor: User,
    obj: ModelT,
    data: dict[str, Any],
    fields: tuple[str, ...],
    *,
    rich_text: tuple[str, ...] = (),
    clean: Callable[[ModelT], None] = _validate,
) -> ModelT:
    """Set the ``fields`` given in ``data`` on ``obj``, sanitise its ``rich_text``
    fields, run ``clean`` (raises ``ValidationError``; default: model validation),
    save, and record it: an add when ``obj`` is new, else a change naming the
    fields set. Nothing is saved when it raises."""
    adding = obj.pk is None
    changed = _assign(obj, data, fields)
    for name in rich_text:
        setattr(obj, name, clean_rich_text(getattr(obj, name)))
    clean(obj)
    obj.save()
    record_catalog_change(
        actor=actor, obj=obj, action="add" if adding else "change", changed=changed
    )
    return obj


SHOP_SETTINGS_FIELDS = ("name", "name_en", "contact_email", "contact_phone")


@transaction.atomic
def shop_settings_update(*, actor: User, data: dict[str, Any]) -> ShopSettings:
    row = ShopSettings.objects.select_for_update().get_or_create(pk=1)[0]
    return _save(actor, row, data, SHOP_SETTINGS_FIELDS)


SECTION_FIELDS = (
    "kind",
    "position",
    "is_published",
    "title",
    "title_en",
    "body",
    "body_en",
    "image_alt",
    "image_alt_en",
    "link_url",
    "collection_slug",
    "product_slugs",
)


def _clean_section(section: HomePageSection) -> None:
    section.body = clean_rich_text(section.body)
    section.body_en = clean_rich_text(section.body_en)
    full_clean(section, Code)
    errors: dict[str, ValidationError] = {}
    kinds = HomePageSection.Kind
    if section.kind == kinds.FEATURED_COLLECTION and not section.collection_slug:
        errors["collection_slug"] = ValidationError(
            _("A featured collection section needs a collection."), code=Code.REQUIRED
        )
    if section.kind == kinds.FEATURED_PRODUCTS and not section.product_slugs:
        errors["product_slugs"] = ValidationError(
            _("A featured products section needs at least one product."), code=Code.REQUIRED
        )
    link = section.link_url
    # "//host" is another site, not a path of this one.
    if link and not (link.startswith("https://") or (link.startswith("/") and link[1:2] != "/")):
        errors["link_url"] = ValidationError(
            _("Links must be site paths or https addresses."), code=Code.INVALID
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def home_page_section_create(*, actor: User, data: dict[str, Any]) -> HomePageSection:
    section = HomePageSection()
    _assign(section, data, SECTION_FIELDS)
    if "position" not in data or data["position"] is None:
        last = HomePageSection.objects.order_by("-position").values_list("position", flat=True)
        section.position = (last.first() or 0) + 1
    _clean_section(section)
    section.save()
    record_catalog_change(actor=actor, obj=section, action="add")
    return section


@transaction.atomic
def home_page_section_update(
    *, actor: User, section: HomePageSection, data: dict[str, Any]
) -> HomePageSection:
    return _save(actor, section, data, SECTION_FIELDS, clean=_clean_section)


@transaction.atomic
def home_page_section_delete(*, actor: User, section: HomePageSection) -> None:
    record_catalog_change(actor=actor, obj=section, action="delete")
    section.delete()


@transaction.atomic
def home_page_sections_reorder(*, actor: User, section_ids: list[int]) -> list[HomePageSection]:
    """Give the sections the positions of ``section_ids``; every section must be listed once."""
    sections = {s.pk: s for s in HomePageSection.objects.select_for_update().order_by("pk")}
    if sorted(section_ids) != sorted(sections):
        raise ValidationError(
            {
                "section_ids": ValidationError(
                    _("List every section exactly once."), code=Code.INVALID
                )
            }
        )
    return positions_record(actor=actor, model=HomePageSection, rows=sections, ids=section_ids)


FAQ_CATEGORY_FIELDS = ("name", "name_en", "position")
FAQ_ENTRY_FIELDS = (
    "category",
    "question",
    "question_en",
    "answer",
    "answer_en",
    "position",
    "is_published",
)


@transaction.atomic
def faq_category_save(
    *, actor: User, category: FaqCategory | None, data: dict[str, Any]
) -> FaqCategory:
    """Create (``category=None``) or update an FAQ category."""
    return _save(actor, category or FaqCategory(), data, FAQ_CATEGORY_FIELDS)


@transaction.atomic
def faq_category_delete(*, actor: User, category: FaqCategory) -> None:
    if category.entries.exists():
        raise ValidationError(_("Move or delete the category's questions first."), code=Code.IN_USE)
    record_catalog_change(actor=actor, obj=category, action="delete")
    category.delete()


@transaction.atomic
def faq_entry_save(*, actor: User, entry: FaqEntry | None, data: dict[str, Any]) -> FaqEntry:
    """Create (``entry=None``) or update an FAQ entry; answers are sanitised rich text."""
    return _save(
        actor, entry or FaqEntry(), data, FAQ_ENTRY_FIELDS, rich_text=("answer", "answer_en")
    )


@transaction.atomic
def faq_entry_delete(*, actor: User, entry: FaqEntry) -> None:
    record_catalog_change(actor=actor, obj=entry, action="delete")
    entry.delete()


LEGAL_FIELDS = ("title", "title_en", "body", "body_en")


@transaction.atomic
def legal_page_update(*, actor: User, kind: str, data: dict[str, Any]) -> LegalPage:
    """Create or replace the legal text of ``kind``."""
    page = LegalPage.objects.select_for_update().filter(kind=kind).first()
    return _save(
        actor, page or LegalPage(kind=kind), data, LEGAL_FIELDS, rich_text=("body", "body_en")
    )
