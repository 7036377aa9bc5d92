"""Administration of accounts and shop content. Changes go through Django admin's
own history (``LogEntry``), the same history the API's services write to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from admin_ui.common import ReadOnlyAdmin
from shop.accounts.models import Address, Consent, RecoveryCodeDevice, User
from shop.content import services as content_services
from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    readonly_fields = ("province",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active", "groups", "language_code")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    inlines = (AddressInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal data"), {"fields": ("first_name", "last_name", "language_code")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class LegalTextFilter(admin.SimpleListFilter):
    title = _("legal text")
    parameter_name = "document"

    @override
    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return LegalPage.Kind.choices

    @override
    def queryset(self, request: HttpRequest, queryset: QuerySet[Consent]) -> QuerySet[Consent]:
        return queryset.filter(document=self.value()) if self.value() else queryset


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Read-only: a consent is the proof of an acceptance, written only by the
    services that take it (registration, checkout) and anonymised by deletion."""

    list_display = (
        "accepted",
        "email",
        "account",
        "legal_text",
        "text_version",
        "context",
        "reference",
    )
    list_filter = (LegalTextFilter, "context", "accepted_at")
    list_select_related = ("user",)
    search_fields = ("email", "reference")
    date_hierarchy = "accepted_at"
    fields = (
        "accepted_at",
        "email",
        "account",
        "legal_text",
        "version",
        "digest",
        "context",
        "reference",
    )
    readonly_fields = fields

    # Short dates: the seven columns fit beside the filters.
    @admin.display(description=_("accepted"), ordering="accepted_at")
    def accepted(self, consent: Consent) -> str:
        return date_format(timezone.localtime(consent.accepted_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("version"), ordering="version")
    def text_version(self, consent: Consent) -> str:
        return date_format(timezone.localtime(consent.version), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("user"), ordering="user__email")
    def account(self, consent: Consent) -> str:
        return consent.user.email if consent.user else "-"

    @admin.display(description=_("legal text"), ordering="document")
    def legal_text(self, consent: Consent) -> str:
        if consent.document in LegalPage.Kind.values:
            return str(LegalPage.Kind(consent.document).label)
        return consent.document


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """A staff member's recovery codes, never shown (only digests are kept):
    deleting them, with the authenticator, resets a member who lost both."""

    list_display = ("user", "name", "codes_left", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("user", "name", "codes_left", "created_at", "last_used_at")
    readonly_fields = fields

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[RecoveryCodeDevice]:
        return super().get_queryset(request).annotate(codes_left=Count("codes"))

    @admin.display(description=_("codes left"), ordering="codes_left")
    def codes_left(self, device: Any) -> int:
        return int(device.codes_left)

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class RichTextAdmin(admin.ModelAdmin):
    """Sanitises the HTML of rich-text fields exactly as the API's services do."""

    rich_text_fields: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        for name in self.rich_text_fields:
            setattr(obj, name, content_services.clean_rich_text(getattr(obj, name)))
        super().save_model(request, obj, form, change)


@admin.register(ShopSettings)
class ShopSettingsAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "contact_phone", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ShopSettings.objects.exists() and super().has_add_permission(request)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(HomePageSection)
class HomePageSectionAdmin(RichTextAdmin):
    rich_text_fields = ("body", "body_en")
    list_display = ("title", "kind", "position", "is_published", "updated_at")
    list_editable = ("position", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "title_en")


@admin.register(FaqCategory)
class FaqCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "position")
    list_editable = ("position",)


@admin.register(FaqEntry)
class FaqEntryAdmin(RichTextAdmin):
    rich_text_fields = ("answer", "answer_en")
    list_display = ("question", "category", "position", "is_published")
    list_editable = ("position", "is_published")
    list_filter = ("category", "is_published")
    search_fields = ("question", "question_en", "answer")


@admin.register(LegalPage)
class LegalPageAdmin(RichTextAdmin):
    rich_text_fields = ("body", "body_en")
    list_display = ("title", "kind", "updated_at")


from admin_ui import (  # noqa: E402, F401  (register the other admins)
    billing,
    catalog,
    claims,
    discounts,
    invoicing,
    orders,
    outbox,
    payments,
    shipping,
)
