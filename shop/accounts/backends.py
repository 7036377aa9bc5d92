"""Authentication backend for the administration's login form, throttled like
``tokenCreate`` (per account and per IP) so the admin is no brute-force side door."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shop.accounts import throttle
from shop.accounts.models import User
from shop.http import client_ip
from shop.throttle import Throttled


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username or str(kwargs.get(User.USERNAME_FIELD, ""))
        ip = client_ip(request) if request is not None else ""
        try:
            sign_in = throttle.sign_in_attempt(email=email, ip=ip)
        except Throttled as exc:
            # PermissionDenied stops django.contrib.auth.authenticate() at once.
            raise PermissionDenied from exc
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        throttle.sign_in_succeeded(sign_in, email=email)
        return user
