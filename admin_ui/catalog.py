"""Administration of the catalogue, with CSV import and export of products and stock.

Availability is never stored: changelists annotate it with the catalogue's
free-stock expressions (``catalog.selectors.free_units``: on hand, less
allocated, less live reservations), the figure the storefront shows.
``allocated`` belongs to the orders and is read-only here; saving existing
stock writes ``quantity`` only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, ForeignKey, Min, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelChoiceField, ModelForm
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.tmp_storages import CacheStorage

from admin_ui.admin import RichTextAdmin
from catalog.media import (
    delete_files,
    generate_thumbnails,
    media_files,
    validate_image,
    without_metadata,
)
from catalog.models import (
    Attribute,
    AttributeChoice,
    Category,
    Collection,
    CollectionProduct,
    Product,
    ProductAttributeValue,
    ProductMedia,
    ProductVariant,
    Stock,
    Warehouse,
)
from catalog.resources import ProductResource, StockResource
from catalog.selectors import (
    category_descendant_ids,
    free_units,
    total_free_units,
    variant_free_units,
)


class CatalogueImportExportMixin(ImportExportMixin):
    """CSV import and export. Importing needs the add and change permissions,
    exporting the view permission (the library allows both to every staff member).
    The uploaded file waits for confirmation in the cache, which every API
    process shares, rather than in one machine's temporary folder."""

    tmp_storage_class = CacheStorage

    def get_import_formats(self) -> list[type[base_formats.Format]]:
        return [base_formats.CSV]

    def get_export_formats(self) -> list[type[base_formats.Format]]:
        return [base_formats.CSV]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_add_permission(request) and self.has_change_permission(request))

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_view_permission(request))


# Categories


class CategoryForm(ModelForm):
    class Meta:
        model = Category
        fields = (
            "parent",
            "name",
            "name_en",
            "slug",
            "description",
            "description_en",
            "image",
            "position",
            "is_published",
        )

    def clean_parent(self) -> Category | None:
        parent: Category | None = self.cleaned_data["parent"]
        if (
            parent is not None
            and self.instance.pk is not None
            and parent.pk in category_descendant_ids([self.instance.pk])
        ):
            raise ValidationError(
                _("A category cannot be placed under itself or one of its sub-categories."),
                code="cycle",
            )
        return parent


@admin.register(Category)
class CategoryAdmin(RichTextAdmin):
    form = CategoryForm
    rich_text_fields = ("description", "description_en")
    list_display = ("name", "parent", "slug", "position", "is_published")
    list_editable = ("position", "is_published")
    list_filter = ("parent", "is_published")
    list_select_related = ("parent",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}


# Products


class ProductVariantForm(ModelForm):
    class Meta:
        model = ProductVariant
        fields = (
            "product",
            "sku",
            "name",
            "name_en",
            "price",
            "compare_at_price",
            "weight_grams",
            "track_inventory",
            "position",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        price, compare_at = cleaned.get("price"), cleaned.get("compare_at_price")
        if price is not None and compare_at is not None and compare_at <= price:
            self.add_error(
                "compare_at_price",
                ValidationError(
                    _("The compare-at price must be above the price."),
                    code="not_above_price",
                ),
            )
        return cleaned


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    form = ProductVariantForm
    extra = 0
    fields = (
        "sku",
        "name",
        "name_en",
        "price",
        "compare_at_price",
        "weight_grams",
        "track_inventory",
        "position",
    )
    show_change_link = True


class SpecificationForm(ModelForm):
    """Fills exactly the value column that the attribute's type uses."""

    COLUMNS: dict[str, tuple[str, ...]] = {
        Attribute.Type.TEXT: ("text_value", "text_value_en"),
        Attribute.Type.NUMBER: ("number_value",),
        Attribute.Type.BOOLEAN: ("boolean_value",),
        Attribute.Type.CHOICE: ("choice",),
    }

    class Meta:
        model = ProductAttributeValue
        fields = (
            "attribute",
            "text_value",
            "text_value_en",
            "number_value",
            "boolean_value",
            "choice",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        attribute: Attribute | None = cleaned.get("attribute")
        if attribute is None:
            return cleaned
        used = self.COLUMNS[attribute.type]
        if cleaned.get(used[0]) in (None, ""):
            self.add_error(used[0], _("This attribute needs a value here."))
        for column in {c for columns in self.COLUMNS.values() for c in columns} - set(used):
            if cleaned.get(column) not in (None, ""):
                self.add_error(column, _("This attribute's type does not use this value."))
        choice: AttributeChoice | None = cleaned.get("choice")
        if choice is not None and choice.attribute_id != attribute.pk:
            self.add_error("choice", _("Choose a value of this attribute."))
        return cleaned


class AttributeChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.attribute.name}: {obj.name}"


class ProductAttributeValueInline(admin.TabularInline):
    model = ProductAttributeValue
    form = SpecificationForm
    extra = 0
    fields = ("attribute", "text_value", "text_value_en", "number_value", "boolean_value", "choice")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductAttributeValue]:
        return super().get_queryset(request).select_related("attribute", "choice")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "choice":
            kwargs["form_class"] = AttributeChoiceField
            kwargs["queryset"] = AttributeChoice.objects.select_related("attribute").order_by(
                "attribute__name", "position", "pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProductMediaForm(ModelForm):
    """Uploads get the same checks as the API's (real JPEG/PNG/WEBP, size limits)."""

    class Meta:
        model = ProductMedia
        fields = ("image", "position", "alt", "alt_en")

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:
            try:
                image_format, _width, _height = validate_image(image)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["image"]) from exc
            return without_metadata(image, image_format)
        return image


class ProductMediaInline(admin.TabularInline):
    model = ProductMedia
    form = ProductMediaForm
    extra = 0
    fields = ("preview", "image", "position", "alt", "alt_en")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview"))
    def preview(self, media: ProductMedia) -> SafeString | str:
        if not media.image:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="max-height: 80px; max-width: 120px">', media.image.url
        )


@admin.register(Product)
class ProductAdmin(CatalogueImportExportMixin, RichTextAdmin):
    resource_classes = [ProductResource]
    rich_text_fields = ("description", "description_en")
    list_display = (
        "name",
        "category",
        "tax_class",
        "is_published",
        "variant_count",
        "min_price",
        "available",
    )
    list_filter = ("category", "tax_class", "is_published", "collections")
    list_select_related = ("category",)
    search_fields = ("name", "name_en", "slug", "variants__sku")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("category", "name", "name_en", "slug", "tax_class", "is_published")}),
        (_("Description"), {"fields": ("description", "description_en")}),
        (
            _("SEO"),
            {
                "classes": ("collapse",),
                "fields": (
                    "seo_title",
                    "seo_title_en",
                    "seo_description",
                    "seo_description_en",
                ),
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (ProductVariantInline, ProductAttributeValueInline, ProductMediaInline)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not ProductMedia:
            super().save_formset(request, form, formset, change)
            return
        uploaded = {f.instance.pk for f in formset.forms if "image" in f.changed_data}
        stale: list[str] = []
        for media in formset.save(commit=False):
            if media.pk is None or media.pk in uploaded:
                media.save()
                stale += [str(name) for name in media.thumbnails.values()]
                generate_thumbnails(media)
            media.save()
        for media in formset.deleted_objects:
            stale += media_files(media)
            media.delete()
        # Files go only once the rows are committed (a rollback keeps them valid).
        transaction.on_commit(lambda: delete_files(stale))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        variants = (
            ProductVariant.objects.filter(product=OuterRef("pk")).order_by().values("product")
        )
        return (
            super()
            .get_queryset(request)
            .defer("search_vector")
            .annotate(
                variant_count=Coalesce(Subquery(variants.annotate(n=Count("pk")).values("n")), 0),
                min_price=Subquery(variants.annotate(m=Min("price")).values("m")),
                available=total_free_units(
                    Stock.objects.filter(variant__product=OuterRef("pk")), "variant__product"
                ),
            )
        )

    @admin.display(description=_("variants"), ordering="variant_count")
    def variant_count(self, product: Product) -> int:
        return product.variant_count  # type: ignore[attr-defined]

    @admin.display(description=_("lowest price (IVA included)"), ordering="min_price")
    def min_price(self, product: Product) -> Decimal | None:
        return product.min_price  # type: ignore[attr-defined]

    @admin.display(description=_("available"), ordering="available")
    def available(self, product: Product) -> int:
        return product.available  # type: ignore[attr-defined]


# Variants and stock


class StockForm(ModelForm):
    """Existing stock keeps its variant and warehouse (its allocations are there)."""

    class Meta:
        model = Stock
        fields = ("variant", "warehouse", "quantity")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("variant", "warehouse"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_quantity(self) -> int:
        quantity: int = self.cleaned_data["quantity"]
        if quantity < 0:
            raise ValidationError(_("The quantity cannot be negative."), code="min_value")
        if quantity < self.instance.allocated:
            raise ValidationError(
                _("The quantity cannot be below the %(allocated)d units allocated to orders."),
                code="below_allocated",
                params={"allocated": self.instance.allocated},
            )
        return quantity


class StockInlineFormSet(BaseInlineFormSet):
    def save_existing(self, form: ModelForm, obj: Model, commit: bool = True) -> Model:
        stock: Stock = form.save(commit=False)
        if commit:
            stock.save(update_fields=["quantity"])
        return stock


class StockInline(admin.TabularInline):
    model = Stock
    form = StockForm
    formset = StockInlineFormSet
    extra = 0
    fields = ("warehouse", "quantity", "allocated", "available")
    readonly_fields = ("allocated", "available")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        return (
            super()
            .get_queryset(request)
            .select_related("warehouse")
            .annotate(available=free_units())
        )

    @admin.display(description=_("available"))
    def available(self, stock: Stock) -> int | None:
        return getattr(stock, "available", None)


@admin.register(ProductVariant)
class ProductVariantAdmin(admin.ModelAdmin):
    form = ProductVariantForm
    list_display = (
        "sku",
        "product",
        "name",
        "price",
        "compare_at_price",
        "track_inventory",
        "available",
    )
    list_filter = ("track_inventory", "product__category")
    list_select_related = ("product",)
    search_fields = ("sku", "name", "product__name")
    autocomplete_fields = ("product",)
    inlines = (StockInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductVariant]:
        return (
            super()
            .get_queryset(request)
            .select_related("product")
            .annotate(available=variant_free_units())
        )

    @admin.display(description=_("available"), ordering="available")
    def available(self, variant: ProductVariant) -> int:
        return variant.available  # type: ignore[attr-defined]


@admin.register(Stock)
class StockAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [StockResource]
    form = StockForm
    list_display = ("variant_sku", "warehouse", "quantity", "allocated", "available")
    list_filter = ("warehouse",)
    list_select_related = ("variant", "warehouse")
    search_fields = ("variant__sku",)
    autocomplete_fields = ("variant",)
    fields = ("variant", "warehouse", "quantity", "allocated")
    readonly_fields = ("allocated",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        return super().get_queryset(request).annotate(available=free_units())

    def save_model(self, request: HttpRequest, obj: Stock, form: ModelForm, change: bool) -> None:
        if change:
            obj.save(update_fields=["quantity"])
        else:
            obj.save()

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def variant_sku(self, stock: Stock) -> str:
        return stock.variant.sku

    @admin.display(description=_("available"), ordering="available")
    def available(self, stock: Stock) -> int:
        return stock.available  # type: ignore[attr-defined]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "city", "postal_code")
    search_fields = ("name", "slug", "city")
    prepopulated_fields = {"slug": ("name",)}


# Specifications


class AttributeForm(ModelForm):
    class Meta:
        model = Attribute
        fields = ("slug", "name", "name_en", "type", "unit", "is_filterable")

    def clean_type(self) -> str:
        new_type: str = self.cleaned_data["type"]
        if (
            self.instance.pk is not None
            and new_type != self.instance.type
            and self.instance.values.exists()
        ):
            raise ValidationError(
                _("Products already have values of this attribute; its type cannot change."),
                code="in_use",
            )
        return new_type


class AttributeChoiceInline(admin.TabularInline):
    model = AttributeChoice
    extra = 0
    fields = ("name", "name_en", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    form = AttributeForm
    list_display = ("name", "slug", "type", "unit", "is_filterable")
    list_filter = ("type", "is_filterable")
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeChoiceInline,)


# Collections


class CollectionProductInline(admin.TabularInline):
    model = CollectionProduct
    extra = 0
    fields = ("product", "position")
    autocomplete_fields = ("product",)
    ordering = ("position", "pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CollectionProduct]:
        return super().get_queryset(request).select_related("product")


@admin.register(Collection)
class CollectionAdmin(RichTextAdmin):
    rich_text_fields = ("description", "description_en")
    list_display = ("name", "slug", "position", "is_published", "product_count")
    list_filter = ("is_published",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    exclude = ("products",)
    inlines = (CollectionProductInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collection]:
        entries = CollectionProduct.objects.filter(collection=OuterRef("pk")).order_by()
        count = entries.values("collection").annotate(n=Count("pk")).values("n")
        return super().get_queryset(request).annotate(product_count=Coalesce(Subquery(count), 0))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, collection: Collection) -> int:
        return collection.product_count  # type: ignore[attr-defined]
