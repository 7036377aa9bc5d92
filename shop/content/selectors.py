"""Content reads for the storefront: published items only, in display order."""

from __future__ import annotations

from django.db.models import QuerySet

from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings


def shop_settings() -> ShopSettings:
    """The settings row, or unsaved defaults before anyone configured the shop."""
    return ShopSettings.objects.filter(pk=1).first() or ShopSettings(pk=1)


def published_sections() -> QuerySet[HomePageSection]:
    return HomePageSection.objects.filter(is_published=True).order_by("position", "pk")


def published_faq(*, category_id: int | None = None) -> QuerySet[FaqEntry]:
    queryset = FaqEntry.objects.filter(is_published=True).select_related("category")
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    return queryset.order_by("category__position", "category_id", "position", "pk")


def faq_categories() -> QuerySet[FaqCategory]:
    return (
        FaqCategory.objects.filter(entries__is_published=True).distinct().order_by("position", "pk")
    )


def legal_pages() -> QuerySet[LegalPage]:
    return LegalPage.objects.order_by("kind")
