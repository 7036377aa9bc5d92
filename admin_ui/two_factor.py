"""The admin's second sign-in step (``shop.accounts.two_factor``).

After the password, a staff member whose session has not passed a second factor
reaches no admin page while ``ADMIN_REQUIRE_2FA`` is on
(:meth:`ShopAdminSite.has_permission`): the login page sends them to
:func:`verify_view` (a code of their authenticator, or a recovery code), or to
:func:`enrol_view` when they have no authenticator yet. Passing it marks the
session verified (``django_otp.login``); signing out ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from shop.accounts import two_factor
from shop.accounts.models import User


def is_verified(request: HttpRequest) -> bool:
    """Whether the session passed a second factor (``OTPMiddleware``)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    return (
        user.is_active and user.is_staff and two_factor.required(user) and not is_verified(request)
    )


def next_url(request: HttpRequest, site: AdminSite) -> str:
    """The page the sign-in was going to, if it is on this host; the admin's index otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index", current_app=site.name)


def step_url(request: HttpRequest, site: AdminSite) -> str:
    """Where a signed-in but unverified staff member goes: enrolment or verification."""
    name = "otp_verify" if two_factor.has_authenticator(cast(User, request.user)) else "otp_enrol"
    url = reverse(f"admin:{name}", current_app=site.name)
    return f"{url}?next={next_url(request, site)}"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _staff_signed_in(
    site: AdminSite,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Only a signed-in, active staff member still owing the second factor;
    anybody else goes to the login page (or, verified, on to the admin)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return HttpResponseRedirect(resolve_url("admin:login"))
            if not needs_second_factor(request):
                return HttpResponseRedirect(next_url(request, site))
            return view(request)

        return never_cache(csrf_protect(wrapped))

    return decorate


def _context(site: AdminSite, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        **site.each_context(request),
        "next": next_url(request, site),
        "username": request.user.get_username(),
        **extra,
    }


def verify_view(site: AdminSite) -> Callable[..., HttpResponse]:
    @_staff_signed_in(site)
    def view(request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        if not two_factor.has_authenticator(user):
            return HttpResponseRedirect(step_url(request, site))
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                device = two_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc.error_dict["code"])
            else:
                otp_login(request, device)
                return HttpResponseRedirect(next_url(request, site))
        context = _context(site, request, form=form, title=_("Two-factor sign-in"))
        return TemplateResponse(request, "admin_ui/two_factor/verify.html", context)

    return view


def enrol_view(site: AdminSite) -> Callable[..., HttpResponse]:
    @_staff_signed_in(site)
    def view(request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        if two_factor.has_authenticator(user):
            return HttpResponseRedirect(step_url(request, site))
        device = two_factor.totp_enrolment(user=user)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = two_factor.totp_confirm(
                    user=user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                form.add_error("code", exc.error_dict["code"])
            else:
                device.refresh_from_db()
                otp_login(request, device)
                context = _context(site, request, codes=codes, title=_("Your recovery codes"))
                return TemplateResponse(request, "admin_ui/two_factor/recovery_codes.html", context)
        context = _context(
            site,
            request,
            form=form,
            qr_svg=two_factor.qr_svg(device),
            secret=two_factor.secret_text(device),
            title=_("Set up two-factor sign-in"),
        )
        return TemplateResponse(request, "admin_ui/two_factor/enrol.html", context)

    return view


def cancel_view(site: AdminSite) -> Callable[..., HttpResponse]:
    """Sign out from the second step (the admin's own logout is behind it)."""

    @never_cache
    @csrf_protect
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        logout(request)
        return HttpResponseRedirect(reverse("admin:login", current_app=site.name))

    return view
