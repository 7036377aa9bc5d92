"""Shop configuration and content: settings, home page, FAQ, legal texts.

Translatable fields keep Spanish in the plain column and English in ``*_en``
(see ``shop.i18n``).
"""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopSettings(models.Model):
    """The single row of shop-wide settings (``pk`` is always 1)."""

    name = models.CharField(_("shop name"), max_length=100, default="Tienda del Agua")
    name_en = models.CharField(_("shop name (English)"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shop settings")
        verbose_name_plural = _("shop settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="content_settings_single_row")
        ]

    def __str__(self) -> str:
        return self.name


class HomePageSection(models.Model):
    class Kind(models.TextChoices):
        HERO = "hero", _("Hero banner")
        FEATURED_COLLECTION = "featured_collection", _("Featured collection")
        FEATURED_PRODUCTS = "featured_products", _("Featured products")
        RICH_TEXT = "rich_text", _("Rich text")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    # Sanitised HTML (see services.clean_rich_text).
    body = models.TextField(_("text"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    image = models.ImageField(
        _("image"),
        upload_to="home/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    image_alt = models.CharField(_("image alternative text"), max_length=200, blank=True)
    image_alt_en = models.CharField(
        _("image alternative text (English)"), max_length=200, blank=True
    )
    link_url = models.CharField(_("link"), max_length=300, blank=True)
    # Catalogue references by slug until the catalogue models exist (catalog issue).
    collection_slug = models.SlugField(_("collection slug"), max_length=120, blank=True)
    product_slugs = models.JSONField(_("product slugs"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("home page section")
        verbose_name_plural = _("home page sections")
        ordering = ("position", "pk")
        indexes = [models.Index(fields=["is_published", "position"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class FaqCategory(models.Model):
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class FaqEntry(models.Model):
    category = models.ForeignKey(
        FaqCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category")
    )
    question = models.CharField(_("question"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer = models.TextField(_("answer"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ("category__position", "category_id", "position", "pk")

    def __str__(self) -> str:
        return self.question


class LegalPage(models.Model):
    class Kind(models.TextChoices):
        LEGAL_NOTICE = "legal_notice", _("Legal notice")
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        TERMS_OF_SALE = "terms_of_sale", _("Terms of sale")
        COOKIES = "cookies", _("Cookie policy")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        ordering = ("kind",)

    def __str__(self) -> str:
        return self.title


class LegalVersion(models.Model):
    """One row whose ``token`` database triggers replace at every write to the
    legal pages (migration 0003, ``shop.versions``). ``shop.content.selectors``
    keeps the published legal texts per process under the token read with the
    checkout."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("legal texts version")

    def __str__(self) -> str:
        return str(self.token)
