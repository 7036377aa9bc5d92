"""Admin pieces shared by the back-office pages: read-only admins and inlines for
frozen or mirrored data, action pages under an object's URL, and admins whose
forms save through services."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms.models import construct_instance
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from typing_extensions import override

from shop.accounts.models import User
from shop.audit import record_change

Action = Callable[[HttpRequest, Any, Any], str | None]


class _ChangesNothing(admin.options.BaseModelAdmin):
    """Never changes nor deletes a row (whatever the user's permissions)."""

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(_ChangesNothing, admin.TabularInline):
    """Rows shown with their parent, never added, changed or deleted here."""

    extra = 0
    can_delete = False

    @override
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(_ChangesNothing, admin.ModelAdmin):
    """Rows staff read but never add, edit or delete here."""

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@dataclass(frozen=True)
class ObjectAction:
    """One action of an :class:`ObjectActionsAdmin`: a page at ``<id>/<name>/``
    showing ``form``; on a valid POST the admin's method ``_<name>(request, obj,
    form)`` calls one service and returns the history message (see
    :meth:`ObjectActionsAdmin.run_action`)."""

    name: str
    form: type[forms.Form]
    title: str | Promise  # ``%(number)s`` stands for the object
    submit: str | Promise
    intro: str | Promise = ""
    permission: str = ""  # needed besides the admin's ``may_act``


class ObjectToolsMixin(admin.ModelAdmin):
    """A change page with links of its own above the form: :meth:`object_tools`."""

    change_form_template = "admin_ui/object_actions/change_form.html"  # object_tools' links

    def object_tools(self, _request: HttpRequest, _obj: Any) -> list[tuple[str, str | Promise]]:
        """The (url, label) links the change page of ``obj`` offers ``request.user``."""
        return []

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if obj is not None:
            context["object_tools"] = self.object_tools(request, obj)
        return super().change_view(request, object_id, form_url, context)


class ObjectActionsAdmin(ObjectToolsMixin, ReadOnlyAdmin):
    """A read-only object with actions, each an :class:`ObjectAction` needing the
    model's change permission (or what ``may_act`` says).

    Subclasses set ``object_actions``, ``action_template`` and ``action_form_kwarg``
    (the keyword their forms take the object by), and may add to the page's
    context with :meth:`action_context`.
    """

    object_actions: tuple[ObjectAction, ...] = ()
    action_template = ""
    action_form_kwarg = "obj"

    def may_act(self, request: HttpRequest) -> bool:
        codename = get_permission_codename("change", self.opts)
        return bool(request.user.has_perm(f"{self.opts.app_label}.{codename}"))

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        custom = [
            path(
                f"<path:object_id>/{action.name}/",
                self.admin_site.admin_view(self._action_view(action)),
                name=f"{info[0]}_{info[1]}_{action.name}",
            )
            for action in self.object_actions
        ]
        return custom + super().get_urls()

    def _action_view(self, action: ObjectAction) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            return self.run_action(request, object_id, action)

        view.__name__ = f"{action.name}_view"
        return view

    def action_url(self, name: str, obj: Model) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            f"admin:{info[0]}_{info[1]}_{name}", args=[obj.pk], current_app=self.admin_site.name
        )

    def action_context(self, _obj: Any) -> dict[str, Any]:
        return {}

    def run_action(
        self, request: HttpRequest, object_id: str, action: ObjectAction
    ) -> HttpResponse:
        """Show the action's form for the object; on a valid POST run the admin's
        ``_<name>`` (which calls one service), log it once it succeeded, and go
        back to the object.

        Not wrapped in a transaction here: the services run their own, and a
        refund the provider refused must keep its ledger row when the action
        then fails. A ``ValidationError`` is shown and nothing is logged.
        """
        if action.permission and not request.user.has_perm(action.permission):
            raise PermissionDenied
        if not self.may_act(request):
            raise PermissionDenied
        run: Action = getattr(self, f"_{action.name}")
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        change_url = self.action_url("change", obj)
        data = request.POST if request.method == "POST" else None
        form = action.form(data, **{self.action_form_kwarg: obj})
        if request.method == "POST" and form.is_valid():
            try:
                message = run(request, obj, form)
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
            "title": str(action.title) % {"number": obj},
            "intro": action.intro,
            "submit_label": action.submit,
            "form": form,
            "change_url": change_url,
            **self.action_context(obj),
        }
        return TemplateResponse(request, self.action_template, context)


# Admins that save through services


def actor(request: HttpRequest) -> User:
    """The signed-in staff member: ``admin_view`` lets nobody else through."""
    return cast(User, request.user)


def show_errors(
    form: forms.BaseForm, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a service's ``error`` on the form's fields (service field names renamed by
    ``rename``); errors of fields the form lacks go above its fields. A field that
    already failed the form's own validation keeps only that error."""
    errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    for name, items in errors.items():
        field = (rename or {}).get(name, name)
        if field not in form.fields:
            form.add_error(None, items)
        elif field not in form.errors:
            form.add_error(field, items)


class ServiceCheckedForm(forms.ModelForm):
    """A model form that asks the service module whether its instance would be
    accepted (:meth:`service_check` calls the service's check, which raises
    ``ValidationError``), so refusals show on the form's fields with the
    service's message. It runs before the model's own constraints, as in the
    services, so those do not answer first with Django's generic message."""

    service_renames: dict[str, str] = {}

    def service_check(self) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        # What ``_post_clean`` will do anyway: the check reads the instance.
        construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            self.service_check()
        except ValidationError as error:
            show_errors(self, error, self.service_renames)
        return cleaned


class Refused(Exception):
    """A service refused a write the forms had accepted (stock allocated meanwhile,
    a row in use): the view's transaction rolls back and the page says why."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        raise Refused(error) from error


def changed(form: forms.BaseForm, fields: Sequence[str]) -> dict[str, Any]:
    """The service ``data`` of a form: the ``fields`` it changed (all it has when adding)."""
    instance = getattr(form, "instance", None)
    adding = instance is None or instance.pk is None
    names = form.fields if adding else form.changed_data
    return {name: form.cleaned_data[name] for name in names if name in fields}


def adopt(obj: Model, saved: Model) -> None:
    """Make the admin's ``obj`` the row a ``*_create`` service saved: the admin's
    inlines, redirect and messages go on using ``obj``."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding, obj._state.db = False, saved._state.db


@dataclass(frozen=True)
class Writes:
    """The services a :class:`ServiceAdmin` writes through: ``create(*, actor, data)``,
    ``update(*, actor, <name>=obj, data)`` and ``delete(*, actor, <name>=obj)``, with
    ``data`` holding the ``fields`` the form changed."""

    name: str
    fields: tuple[str, ...]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]


class ServiceAdmin(admin.ModelAdmin):
    """A change form that writes through services, which validate, write in one
    transaction and record the change in the history (so the admin's own
    ``LogEntry`` is not written twice).

    Subclasses set :attr:`writes`, or override :meth:`create`, :meth:`update` and
    :meth:`delete`, and implement :meth:`save_formset` for their inlines. A
    refusal the forms could not foresee (:class:`Refused`) rolls the whole page
    back and is shown as an error.
    """

    writes: Writes

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        data = changed(form, self.writes.fields)
        return cast(Model, self.writes.create(actor=actor(request), data=data))

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        data = changed(form, self.writes.fields)
        self.writes.update(actor=actor(request), data=data, **{self.writes.name: obj})

    def delete(self, request: HttpRequest, obj: Any) -> None:
        self.writes.delete(actor=actor(request), **{self.writes.name: obj})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with refusals():
            if change:
                self.update(request, obj, form)
            else:
                adopt(obj, self.create(request, form))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No ``form.save_m2m()``: the services write many-to-many fields themselves.
        for formset in formsets:
            with refusals():
                self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with refusals():
            self.delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with refusals(), transaction.atomic():
            for obj in queryset:
                self.delete(request, obj)

    @override
    def construct_change_message(self, *args: Any, **kwargs: Any) -> Any:
        return []  # the services write the history

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        pass

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        pass

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        pass

    def _refused(self, request: HttpRequest, refused: Refused) -> HttpResponse:
        for message in refused.error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except Refused as refused:
            return self._refused(request, refused)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changelist_view(request, *args, **kwargs)
        except Refused as refused:
            return self._refused(request, refused)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)
        except Refused as refused:
            return self._refused(request, refused)


def save_rows(
    formset: Any,
    *,
    create: Callable[[Any], Model],
    update: Callable[[Any, Any], Any],
    delete: Callable[[Any], Any],
) -> None:
    """Save an inline formset's rows through services: deletions first (a freed
    SKU may be taken again), then changes, then new rows."""
    for form in formset.initial_forms:
        if form.instance.pk is not None and formset._should_delete_form(form):
            delete(form.instance)
    for form in formset.initial_forms:
        if form.has_changed() and not formset._should_delete_form(form):
            update(form.instance, form)
    for form in formset.extra_forms:
        if form.has_changed() and not formset._should_delete_form(form):
            create(form)
