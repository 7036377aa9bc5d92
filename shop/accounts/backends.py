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
        if throttle.is_blocked(email=email, ip=ip):
            # PermissionDenied stops django.contrib.auth.authenticate() at once.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(email=email, ip=ip)
            return None
        throttle.record_success(email=email)
        return user
