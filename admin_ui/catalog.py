"""Administration of the catalogue, with CSV import and export of products and stock.

Every page writes through :mod:`catalog.services`, as the API does: the forms
ask the services' checks (so a refusal shows on its field with the service's
message) and saving calls the services, which validate again, write and record
the change in the history.

Availability is never stored: changelists annotate it with the catalogue's
free-stock expressions (``catalog.selectors.free_units``: on hand, less
allocated, less live reservations), the figure the storefront shows.
``allocated`` belongs to the orders and is read-only here; stock is set with
``stock_update``, which writes ``quantity`` only, under the row's lock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, ForeignKey, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.tmp_storages import CacheStorage
from typing_extensions import override

from admin_ui.common import (
    ServiceAdmin,
    ServiceCheckedForm,
    Writes,
    actor,
    changed,
    save_rows,
    show_errors,
)
from catalog import services
from catalog.errors import CatalogErrorCode as Code
from catalog.media import validate_image
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


class CategoryForm(ServiceCheckedForm):
    class Meta:
        model = Category
        fields = services.CATEGORY_FIELDS

    def service_check(self) -> None:
        services.category_check(self.instance)


@admin.register(Category)
class CategoryAdmin(ServiceAdmin):
    writes = Writes(
        "category",
        services.CATEGORY_FIELDS,
        services.category_create,
        services.category_update,
        services.category_delete,
    )
    form = CategoryForm
    list_display = ("name", "parent", "slug", "position", "is_published")
    list_editable = ("position", "is_published")
    list_filter = ("parent", "is_published")
    list_select_related = ("parent",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}


# Products


class ProductVariantForm(ServiceCheckedForm):
    class Meta:
        model = ProductVariant
        fields = ("product", *services.VARIANT_FIELDS)

    def service_check(self) -> None:
        services.variant_check(self.instance)


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    form = ProductVariantForm
    extra = 0
    fields = services.VARIANT_FIELDS
    show_change_link = True


def _specification(cleaned: dict[str, Any]) -> services.AttributeValueData:
    """A specification row as the service takes it: the columns left empty are not given."""
    choice: AttributeChoice | None = cleaned.get("choice")

    def given(name: str) -> Any:
        value = cleaned.get(name)
        return None if value in (None, "") else value

    return services.AttributeValueData(
        attribute=cleaned["attribute"],
        text=given("text_value"),
        text_en=given("text_value_en"),
        number=given("number_value"),
        boolean=given("boolean_value"),
        choice=choice.slug if choice is not None else None,
    )


class SpecificationForm(ServiceCheckedForm):
    """One specification, checked by the service (the value in the column of the
    attribute's type, a choice of that attribute)."""

    service_renames = {
        "text": "text_value",
        "number": "number_value",
        "boolean": "boolean_value",
        "choice": "choice",
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

    def service_check(self) -> None:
        if self.cleaned_data.get("attribute") is None:
            return  # the form already says the attribute is missing
        value = _specification(self.cleaned_data)
        choice: AttributeChoice | None = self.cleaned_data.get("choice")
        if choice is not None and choice.attribute_id != value.attribute.pk:
            choice = None
        problem = services.specification_error(value, choice)
        if problem is not None:
            field, message = problem
            error = ValidationError(message, code=Code.INVALID)
            show_errors(self, ValidationError({field: error}), self.service_renames)


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


class ProductMediaForm(ServiceCheckedForm):
    """Uploads get the checks the media services make (real JPEG/PNG/WEBP, size limits)."""

    class Meta:
        model = ProductMedia
        fields = ("image", "position", "alt", "alt_en")

    def service_check(self) -> None:
        if self.cleaned_data.get("image") and "image" in self.changed_data:
            validate_image(self.cleaned_data["image"])


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
class ProductAdmin(CatalogueImportExportMixin, ServiceAdmin):
    writes = Writes(
        "product",
        services.PRODUCT_FIELDS,
        services.product_create,
        services.product_update,
        services.product_delete,
    )
    resource_classes = [ProductResource]
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

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        product, who = form.instance, actor(request)
        if formset.model is ProductVariant:
            save_rows(
                formset,
                create=lambda row: services.variant_create(
                    actor=who, product=product, data=changed(row, services.VARIANT_FIELDS)
                ),
                update=lambda variant, row: services.variant_update(
                    actor=who, variant=variant, data=changed(row, services.VARIANT_FIELDS)
                ),
                delete=lambda variant: services.variant_delete(actor=who, variant=variant),
            )
        elif formset.model is ProductMedia:
            save_rows(
                formset,
                create=lambda row: services.product_media_create(
                    actor=who,
                    product=product,
                    upload=row.cleaned_data["image"],
                    alt=row.cleaned_data["alt"],
                    alt_en=row.cleaned_data["alt_en"],
                    position=row.cleaned_data["position"],
                ),
                update=lambda media, row: services.product_media_update(
                    actor=who,
                    media=media,
                    data=changed(row, services.MEDIA_FIELDS),
                    upload=row.cleaned_data["image"] if "image" in row.changed_data else None,
                ),
                delete=lambda media: services.product_media_delete(actor=who, media=media),
            )
        elif formset.model is ProductAttributeValue:
            self._save_specifications(request, product, formset)

    def _save_specifications(self, request: HttpRequest, product: Product, formset: Any) -> None:
        """The rows left on the page replace the product's specifications, as the API's
        ``attributes`` does; only when one of them changed."""
        rows = [f for f in formset.forms if f.has_changed() or f.instance.pk is not None]
        if not any(f.has_changed() or formset._should_delete_form(f) for f in rows):
            return
        kept = [f for f in rows if f.cleaned_data and not formset._should_delete_form(f)]
        services.product_update(
            actor=actor(request),
            product=product,
            data={"attributes": [_specification(f.cleaned_data) for f in kept]},
        )

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


class StockForm(ServiceCheckedForm):
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

    def service_check(self) -> None:
        if (quantity := self.cleaned_data.get("quantity")) is not None:
            services.stock_check(stock=self.instance, quantity=quantity)


def _stock_update(request: HttpRequest, stock: Stock, form: ModelForm) -> Stock:
    return services.stock_update(
        actor=actor(request),
        variant=stock.variant,
        warehouse=stock.warehouse,
        quantity=form.cleaned_data["quantity"],
    )


class StockInline(admin.TabularInline):
    model = Stock
    form = StockForm
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
class ProductVariantAdmin(ServiceAdmin):
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

    def create(self, request: HttpRequest, form: ModelForm) -> ProductVariant:
        return services.variant_create(
            actor=actor(request),
            product=form.cleaned_data["product"],
            data=changed(form, services.VARIANT_FIELDS),
        )

    @override
    def get_readonly_fields(
        self, request: HttpRequest, obj: ProductVariant | None = None
    ) -> tuple[str, ...]:
        # A variant stays with its product (its order lines name both).
        return ("product",) if obj is not None else ()

    def update(self, request: HttpRequest, obj: ProductVariant, form: ModelForm) -> None:
        data = changed(form, services.VARIANT_FIELDS)
        services.variant_update(actor=actor(request), variant=obj, data=data)

    def delete(self, request: HttpRequest, obj: ProductVariant) -> None:
        services.variant_delete(actor=actor(request), variant=obj)

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        save_rows(
            formset,
            create=lambda row: _stock_update(request, row.instance, row),
            update=lambda stock, row: _stock_update(request, stock, row),
            delete=lambda stock: services.stock_delete(actor=actor(request), stock=stock),
        )

    @admin.display(description=_("available"), ordering="available")
    def available(self, variant: ProductVariant) -> int:
        return variant.available  # type: ignore[attr-defined]


@admin.register(Stock)
class StockAdmin(CatalogueImportExportMixin, ServiceAdmin):
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

    def create(self, request: HttpRequest, form: ModelForm) -> Stock:
        return _stock_update(request, form.instance, form)

    def update(self, request: HttpRequest, obj: Stock, form: ModelForm) -> None:
        _stock_update(request, obj, form)

    def delete(self, request: HttpRequest, obj: Stock) -> None:
        services.stock_delete(actor=actor(request), stock=obj)

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def variant_sku(self, stock: Stock) -> str:
        return stock.variant.sku

    @admin.display(description=_("available"), ordering="available")
    def available(self, stock: Stock) -> int:
        return stock.available  # type: ignore[attr-defined]


@admin.register(Warehouse)
class WarehouseAdmin(ServiceAdmin):
    writes = Writes(
        "warehouse",
        services.WAREHOUSE_FIELDS,
        services.warehouse_create,
        services.warehouse_update,
        services.warehouse_delete,
    )
    list_display = ("name", "slug", "city", "postal_code")
    search_fields = ("name", "slug", "city")
    prepopulated_fields = {"slug": ("name",)}


# Specifications


class AttributeForm(ServiceCheckedForm):
    class Meta:
        model = Attribute
        fields = services.ATTRIBUTE_FIELDS

    def service_check(self) -> None:
        services.attribute_check(self.instance)


class AttributeChoiceInline(admin.TabularInline):
    model = AttributeChoice
    extra = 0
    fields = ("name", "name_en", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Attribute)
class AttributeAdmin(ServiceAdmin):
    writes = Writes(
        "attribute",
        services.ATTRIBUTE_FIELDS,
        services.attribute_create,
        services.attribute_update,
        services.attribute_delete,
    )
    form = AttributeForm
    list_display = ("name", "slug", "type", "unit", "is_filterable")
    list_filter = ("type", "is_filterable")
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeChoiceInline,)

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        # Choices carry no rule of their own (in use, the database protects them).
        formset.save()


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
class CollectionAdmin(ServiceAdmin):
    writes = Writes(
        "collection",
        services.COLLECTION_FIELDS,
        services.collection_create,
        services.collection_update,
        services.collection_delete,
    )
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

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        """The rows left on the page, by position, become the collection's products."""
        if not any(f.has_changed() or formset._should_delete_form(f) for f in formset.forms):
            return
        kept = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not formset._should_delete_form(f)
        ]
        kept.sort(key=lambda row: (row["position"], row["id"].pk if row.get("id") else 1 << 62))
        services.collection_products_set(
            actor=actor(request), collection=form.instance, products=[r["product"] for r in kept]
        )

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, collection: Collection) -> int:
        return collection.product_count  # type: ignore[attr-defined]
