"""Settings from the environment: refuse insecure production defaults, and a
production configuration passes Django's deployment checks."""

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
    "INVOICE_ISSUER_ADDRESS": "Calle Escuelas Pías 1; 41003 Sevilla",
    "VERIFACTU_ENVIRONMENT": "production",
}


def manage(*args, **env):
    ours = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.update(env, DJANGO_SETTINGS_MODULE="shop.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "x.example"}, "SECRET_KEY must be set when DEBUG is off."),
        (
            {"DEBUG": "0", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example"},
            "SECRET_KEY must be a random string of 50 characters or more.",
        ),
        (
            {"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]},
            "ALLOWED_HOSTS must be set when DEBUG is off.",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean, got 'maybe'."),
        (
            {**PRODUCTION, "BILLING_HTTP_URL": "http://facturacion.aguas.example/api"},
            "BILLING_HTTP_URL must be an https:// URL when DEBUG is off.",
        ),
        ({"DEBUG": "1", "BILLING_HTTP_TIMEOUT": "ten"}, "BILLING_HTTP_TIMEOUT must be a number"),
    ],
)
def test_insecure_or_invalid_settings_are_refused(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_debug_runs_with_development_defaults():
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_without_redis_tasks_run_in_process_and_cache_is_local():
    code = (
        "from django.conf import settings; from shop.celery import app;"
        "print(settings.CACHES['default']['BACKEND'], app.conf.task_always_eager)"
    )
    result = manage("shell", "-c", code, DEBUG="1", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]


def test_with_redis_the_cache_and_broker_use_it():
    code = (
        "from django.core.cache import cache; from shop.celery import app;"
        "cache.set('settings-test', 'ok', 10);"
        "print(cache.get('settings-test'), app.conf.broker_url, app.conf.task_always_eager)"
    )
    result = manage("shell", "-c", code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["ok", "redis://127.0.0.1:6379/15", "False"]
