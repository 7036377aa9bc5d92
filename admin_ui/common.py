"""Admin pieces shared by the back-office pages: read-only admins and inlines for
frozen or mirrored data, and action pages under an object's URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise

from shop.audit import record_change

Action = Callable[[HttpRequest, Any, Any], str | None]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff read but never add, edit or delete here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ObjectActionsAdmin(ReadOnlyAdmin):
    """A read-only object with actions, each a form page at ``<id>/<name>/`` served
    by the method ``<name>_view``, needing the model's change permission.

    Subclasses set ``object_actions``, ``action_template`` and ``action_form_kwarg``
    (the keyword their forms take the object by), and may add to the page's
    context with :meth:`action_context`.
    """

    object_actions: tuple[str, ...] = ()
    action_template = ""
    action_form_kwarg = "obj"

    def may_act(self, request: HttpRequest) -> bool:
        codename = get_permission_codename("change", self.opts)
        return bool(request.user.has_perm(f"{self.opts.app_label}.{codename}"))

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        custom = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"{info[0]}_{info[1]}_{name}",
            )
            for name in self.object_actions
        ]
        return custom + super().get_urls()

    def action_url(self, name: str, obj: Model) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            f"admin:{info[0]}_{info[1]}_{name}", args=[obj.pk], current_app=self.admin_site.name
        )

    def action_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def run_action(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        form_class: type[forms.Form],
        action: Action,
        title: str | Promise,
        submit: str | Promise,
        intro: str | Promise = "",
    ) -> HttpResponse:
        """Show ``form_class`` for the object; on a valid POST run ``action`` (which
        calls one service), log it once it succeeded, and go back to the object.

        Not wrapped in a transaction here: the services run their own, and a
        refund the provider refused must keep its ledger row when the action
        then fails. A ``ValidationError`` is shown and nothing is logged.
        """
        if not self.may_act(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        change_url = self.action_url("change", obj)
        data = request.POST if request.method == "POST" else None
        form = form_class(data, **{self.action_form_kwarg: obj})
        if request.method == "POST" and form.is_valid():
            try:
                message = action(request, obj, form)
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
            else:
                if message:
                    record_change(
                        actor=request.user,  # type: ignore[arg-type]
                        obj=obj,
                        action="change",
                        message=message,
                    )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": str(title) % {"number": obj},
            "intro": intro,
            "submit_label": submit,
            "form": form,
            "change_url": change_url,
            **self.action_context(obj),
        }
        return TemplateResponse(request, self.action_template, context)
