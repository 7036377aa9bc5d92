"""Content reads for the storefront: published items only, in display order."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery

from shop.content.models import (
    FaqCategory,
    FaqEntry,
    HomePageSection,
    LegalPage,
    LegalVersion,
    ShopSettings,
)


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


def legal_version() -> Subquery:
    """The legal texts version's token (``LegalVersion``) as a subquery, to read
    with a row the operation reads anyway (``orders.selectors.checkout_for``)."""
    return Subquery(LegalVersion.objects.filter(pk=1).values("token")[:1])


# The legal texts this process read last, by kind, under the legal texts
# version's token read before them (read-only: shared by requests and threads).
_legal_read: tuple[int, dict[str, LegalPage]] | None = None


def published_legal_texts(version: int | None = None) -> dict[str, LegalPage]:
    """The published legal texts by kind: the process's copy when ``version`` (the
    token read in this transaction, :func:`legal_version`; None: unknown) is the
    one it was read under, else one query."""
    global _legal_read
    if version is None:
        return {page.kind: page for page in LegalPage.objects.all()}
    read = _legal_read
    if read is None or read[0] != version:
        read = _legal_read = (version, {page.kind: page for page in LegalPage.objects.all()})
    return read[1]
