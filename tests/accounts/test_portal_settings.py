"""Portal settings from the environment: a half or unsafe configuration is
refused at start-up; DEBUG (the demo) gets a demo secret, production none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 30 + "-production-like-random-string-" + "q" * 20,
    "ALLOWED_HOSTS": "tienda.aguas.example",
    "INVOICE_ISSUER_NIF": "A41123456",
    "INVOICE_ISSUER_NAME": "Aguas de Sevilla, S.A.",
    "VERIFACTU_ENVIRONMENT": "production",
}
PORTAL_VARIABLES = {"PORTAL_ORIGINS", "PORTAL_JWKS_URL", "PORTAL_JWT_SECRET", "PORTAL_JWT_ISSUER"}
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(repr((s.PORTAL_JWT_SECRET, s.PORTAL_JWT_ISSUER, s.PORTAL_JWKS_URL)))"
)


def _python(code, **env):
    clean = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="shop.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PORTAL_JWKS_URL": "https://oficina.example/jwks", "PORTAL_JWT_SECRET": "s" * 40},
            "Set PORTAL_JWKS_URL (RS256) or PORTAL_JWT_SECRET (HS256), not both.",
        ),
        (
            {"PORTAL_JWT_SECRET": "s" * 40},
            "PORTAL_JWT_ISSUER must be set to enable portal sign-in.",
        ),
        (
            {"PORTAL_JWT_SECRET": "s" * 31, "PORTAL_JWT_ISSUER": "oficina"},
            "PORTAL_JWT_SECRET must be 32 characters or more.",
        ),
        (
            {"PORTAL_JWKS_URL": "http://oficina.example/jwks", "PORTAL_JWT_ISSUER": "oficina"},
            "PORTAL_JWKS_URL must be an https:// URL when DEBUG is off.",
        ),
        (
            {"PORTAL_ORIGINS": "https://oficina.example/"},
            "PORTAL_ORIGINS takes origins such as https://oficina.example, "
            "got 'https://oficina.example/'.",
        ),
    ],
)
def test_unsafe_portal_settings_are_refused(env, message):
    # when
    result = _python("import django; django.setup()", **PRODUCTION, **env)

    # then
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_production_without_portal_settings_has_portal_sign_in_off():
    # when
    result = _python(SHOW, **PRODUCTION)

    # then
    assert result.stdout.strip() == "('', '', '')", result.stderr


def test_debug_without_portal_settings_signs_with_the_demo_secret():
    # when
    result = _python(SHOW, DEBUG="1")

    # then
    assert result.stdout.strip() == (
        "('demo-portal-secret-for-development-only', 'oficina-virtual-demo', '')"
    ), result.stderr


def test_debug_with_a_jwks_url_gets_no_demo_secret():
    # when
    result = _python(
        SHOW, DEBUG="1", PORTAL_JWKS_URL="http://127.0.0.1:9000/jwks", PORTAL_JWT_ISSUER="oficina"
    )

    # then
    assert result.stdout.strip() == "('', 'oficina', 'http://127.0.0.1:9000/jwks')", result.stderr
