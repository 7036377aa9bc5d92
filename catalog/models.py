"""The catalogue: categories, collections, products, variants, specifications,
media, warehouses and stock.

Translatable fields keep Spanish in the plain column and English in ``*_en``
(see ``shop.i18n``). Availability is never stored: it is computed from
``Stock`` (see ``catalog.selectors``).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TaxClass(models.TextChoices):
    """Spanish IVA rates; prices are entered gross (IVA included)."""

    GENERAL = "general", _("General (21 %)")
    REDUCED = "reduced", _("Reduced (10 %)")
    SUPER_REDUCED = "super_reduced", _("Super-reduced (4 %)")


TAX_RATES: dict[str, Decimal] = {
    TaxClass.GENERAL: Decimal("0.21"),
    TaxClass.REDUCED: Decimal("0.10"),
    TaxClass.SUPER_REDUCED: Decimal("0.04"),
}


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    image = models.ImageField(_("image"), upload_to="categories/", blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    # Sanitised HTML (catalog.services).
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    tax_class = models.CharField(
        _("tax class"), max_length=16, choices=TaxClass.choices, default=TaxClass.GENERAL
    )
    is_published = models.BooleanField(_("published"), default=False)
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_title_en = models.CharField(_("SEO title (English)"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)
    seo_description_en = models.CharField(
        _("SEO description (English)"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept up to date by PostgreSQL triggers (migrations 0002, 0005); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("name", "pk")
        indexes = [
            models.Index(fields=["is_published", "name"], name="catalog_product_pub_name"),
            models.Index(fields=["is_published", "-created_at"], name="catalog_product_pub_new"),
            # The listings' totalCount: an index-only scan instead of reading every row.
            models.Index(fields=["is_published", "category"], name="catalog_product_pub_cat"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tax_rate(self) -> Decimal:
        return TAX_RATES[self.tax_class]


class ProductVariant(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    price = models.DecimalField(
        _("price (IVA included)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    compare_at_price = models.DecimalField(
        _("compare-at price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    track_inventory = models.BooleanField(_("track inventory"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_variant_price_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=F("price")),
                name="catalog_variant_compare_at_above_price",
            ),
        ]
        indexes = [models.Index(fields=["product", "price"], name="catalog_variant_prod_price")]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}".strip() + f" ({self.sku})"


class Attribute(models.Model):
    """A specification, e.g. "Caudal" (number, l/min) or "Material" (choice)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    is_filterable = models.BooleanField(_("filterable"), default=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class AttributeChoice(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="choices")
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute choice")
        verbose_name_plural = _("attribute choices")
        ordering = ("position", "pk")
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_choice_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProductAttributeValue(models.Model):
    """One typed specification value of a product; the column used follows the attribute type."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="values")
    text_value = models.CharField(max_length=200, blank=True)
    text_value_en = models.CharField(max_length=200, blank=True)
    number_value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    boolean_value = models.BooleanField(null=True, blank=True)
    choice = models.ForeignKey(
        AttributeChoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ("attribute__name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "attribute"], name="catalog_value_one_per_attribute"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute}: {self.display_value()}"

    def display_value(self) -> str:
        if self.choice_id is not None:
            return self.choice.name if self.choice else ""
        if self.number_value is not None:
            return f"{self.number_value.normalize():f}"
        if self.boolean_value is not None:
            return str(self.boolean_value)
        return self.text_value


class Collection(models.Model):
    """A curated, ordered selection of products (home page, campaigns)."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    products = models.ManyToManyField(
        Product, through="CollectionProduct", related_name="collections", blank=True
    )

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class CollectionProduct(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="collection_entries"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "product"], name="catalog_collection_product_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.product_id} @ {self.position}"


class ProductMedia(models.Model):
    """An uploaded product image; ``thumbnails`` maps a width to a generated file."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="media")
    image = models.ImageField(_("image"), upload_to="products/")
    alt = models.CharField(_("alternative text"), max_length=250, blank=True)
    alt_en = models.CharField(_("alternative text (English)"), max_length=250, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    thumbnails = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.alt or str(self.image.name)


class Warehouse(models.Model):
    """A place stock is kept. All warehouses' stock is sellable: to stop selling
    from one, move or zero its stock."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """Units of a variant in a warehouse; ``allocated`` are promised to orders."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.IntegerField(_("quantity"), default=0)
    allocated = models.IntegerField(_("allocated"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ("warehouse__name", "pk")
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="catalog_stock_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="catalog_stock_quantity_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("quantity")),
                name="catalog_stock_allocated_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku} @ {self.warehouse}: {self.quantity} ({self.allocated})"
