"""CSV import and export of the catalogue (django-import-export).

Every import is all or nothing: one invalid row and no row is saved. Rows are
validated like the admin's forms (``full_clean``) and product descriptions are
sanitised exactly as the admin and the API sanitise them.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from typing_extensions import override

from catalog.models import Category, Product, ProductVariant, Stock, Warehouse
from catalog.services.stock import stock_check
from shop.content.services import clean_rich_text


class ExistingForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks a related row up by ``field``; an unknown value is a row error, not a crash."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row=row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("Unknown %(model)s: “%(value)s”.")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from None


class StrictBooleanWidget(widgets.BooleanWidget):
    """Accepts 1/0, true/false, sí/no, yes/no; anything else is refused, not read as false."""

    TRUE_WORDS = frozenset({"1", "true", "sí", "si", "yes"})
    FALSE_WORDS = frozenset({"0", "false", "no"})

    @override
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value if value is not None else "").strip().lower()
        if word in self.TRUE_WORDS:
            return True
        if word in self.FALSE_WORDS:
            return False
        raise ValueError(_("Enter 1 or 0 (yes or no)."))


class StrictIntegerWidget(widgets.IntegerWidget):
    """A whole number written with digits only (an optional sign); anything else is a row error."""

    PATTERN = re.compile(r"[+-]?\d{1,9}")

    @override
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if self.is_empty(value):
            return None
        text = str(value).strip()
        if not self.PATTERN.fullmatch(text):
            raise ValueError(_("Enter a whole number."))
        return int(text)


class LockingInstanceLoader(ModelInstanceLoader):
    """Loads the rows to update locked (``SELECT … FOR UPDATE``) for the import's transaction."""

    def get_queryset(self) -> QuerySet[Model]:
        queryset: QuerySet[Model] = super().get_queryset()
        return queryset.select_for_update(of=("self",))


class AllOrNothingResource(resources.ModelResource):
    """An import runs in one transaction, rolled back when any row is invalid or fails."""

    def import_data(
        self, dataset: Any, dry_run: bool = False, raise_errors: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)


class ProductResource(AllOrNothingResource):
    """Products by slug: a known slug updates that product, an unknown one creates it.

    Variants, stock and media are not part of the file.
    """

    RICH_TEXT_FIELDS = ("description", "description_en")

    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=ExistingForeignKeyWidget(Category, field="slug"),
    )
    is_published = fields.Field(
        attribute="is_published", column_name="is_published", widget=StrictBooleanWidget()
    )

    class Meta:
        model = Product
        fields = (
            "slug",
            "name",
            "name_en",
            "category",
            "tax_class",
            "is_published",
            "description",
            "description_en",
        )
        export_order = fields
        import_id_fields = ("slug",)
        instance_loader_class = LockingInstanceLoader
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.select_related("category").defer("search_vector")

    def import_instance(self, instance: Product, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        for name in self.RICH_TEXT_FIELDS:
            setattr(instance, name, clean_rich_text(getattr(instance, name) or ""))


class StockResource(AllOrNothingResource):
    """Stock by variant SKU and warehouse slug; only ``quantity`` is written.

    Refused rows: an unknown SKU or warehouse, or a quantity ``stock_check``
    refuses (negative, or below the units allocated to orders, read under a row lock).
    """

    sku = fields.Field(
        attribute="variant",
        column_name="sku",
        widget=ExistingForeignKeyWidget(ProductVariant, field="sku"),
    )
    warehouse = fields.Field(
        attribute="warehouse",
        column_name="warehouse",
        widget=ExistingForeignKeyWidget(Warehouse, field="slug"),
    )
    quantity = fields.Field(
        attribute="quantity", column_name="quantity", widget=StrictIntegerWidget()
    )

    class Meta:
        model = Stock
        fields = ("sku", "warehouse", "quantity")
        export_order = fields
        import_id_fields = ("sku", "warehouse")
        instance_loader_class = LockingInstanceLoader
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> QuerySet[Stock]:
        return Stock.objects.select_related("variant", "warehouse")

    @override
    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # The instance loader looks the row up by SKU and warehouse before any
        # field is imported: refuse unknown ones here, as a row error.
        errors = {}
        for name in ("sku", "warehouse"):
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                field.clean(row)
            except ValueError as exc:
                errors[field.column_name] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self,
        instance: Stock,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        errors = dict(import_validation_errors or {})
        if "quantity" not in errors and instance.quantity is not None:
            try:
                stock_check(stock=instance, quantity=instance.quantity)
            except ValidationError as exc:
                errors.update(exc.error_dict)
        super().validate_instance(instance, errors, validate_unique=validate_unique)

    def do_instance_save(self, instance: Stock, is_create: bool) -> None:
        if is_create:
            instance.save(force_insert=True)
        else:
            # ``allocated`` belongs to the orders: never write back the value read.
            instance.save(update_fields=["quantity"])
