"""The issuer's and the SIF's identity come from the environment: with DEBUG off a
missing or malformed value is refused at start-up, since every record and QR code
would carry it; DEBUG (the demo) has demo values."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from invoicing import conf
from invoicing.verifactu.qr import AeatEnvironment
from invoicing.verifactu.records import Party, SistemaInformatico

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
SHOW = (
    "import django; django.setup(); from invoicing import conf; "
    "print(repr(conf.issuer())); print(repr(conf.sistema_informatico())); "
    "print(repr(conf.aeat_environment()))"
)


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INVOICE_", "VERIFACTU_")) and k not in PRODUCTION
    }
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


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in PRODUCTION.items() if k != name}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (_without("INVOICE_ISSUER_NIF"), "INVOICE_ISSUER_NIF must be set when DEBUG is off."),
        (
            {**PRODUCTION, "INVOICE_ISSUER_NIF": "A41123457"},
            "INVOICE_ISSUER_NIF must be a Spanish NIF with its check character, got 'A41123457'.",
        ),
        (_without("INVOICE_ISSUER_NAME"), "INVOICE_ISSUER_NAME must be set when DEBUG is off."),
        (
            {**PRODUCTION, "INVOICE_ISSUER_NAME": "x" * 121},
            "INVOICE_ISSUER_NAME must be 1 to 120 characters, got 121.",
        ),
        (
            _without("INVOICE_ISSUER_ADDRESS"),
            "INVOICE_ISSUER_ADDRESS must be set when DEBUG is off.",
        ),
        (_without("VERIFACTU_ENVIRONMENT"), "VERIFACTU_ENVIRONMENT must be set when DEBUG is off."),
        (
            {**PRODUCTION, "VERIFACTU_ENVIRONMENT": "prod"},
            "VERIFACTU_ENVIRONMENT must be 'test' or 'production', got 'prod'.",
        ),
        (
            {**PRODUCTION, "VERIFACTU_SIF_VENDOR_NIF": "B58378432"},
            "VERIFACTU_SIF_VENDOR_NIF must be a Spanish NIF with its check character, "
            "got 'B58378432'.",
        ),
        (
            {**PRODUCTION, "VERIFACTU_SIF_NAME": "Sistema de facturación de la tienda"},
            "VERIFACTU_SIF_NAME must be 1 to 30 characters, got 35.",
        ),
        (
            {**PRODUCTION, "VERIFACTU_SIF_ID": "TDA"},
            "VERIFACTU_SIF_ID must be 1 to 2 characters, got 3.",
        ),
        (
            {**PRODUCTION, "VERIFACTU_SIF_ONLY_VERIFACTU": "maybe"},
            "VERIFACTU_SIF_ONLY_VERIFACTU must be a boolean, got 'maybe'.",
        ),
    ],
)
def test_a_missing_or_malformed_identity_is_refused_at_start_up(env, message):
    result = _python("import django; django.setup()", **env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_the_issuers_address_is_read_as_lines_separated_by_semicolons():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.INVOICE_ISSUER_ADDRESS)"

    production = _python(
        code, **{**PRODUCTION, "INVOICE_ISSUER_ADDRESS": " Calle Feria 40; ;41003 Sevilla "}
    )
    demo = _python(code, DEBUG="1")

    assert production.stdout == "['Calle Feria 40', '41003 Sevilla']\n", production.stderr
    assert demo.stdout == "['Calle Torneo 121', '41002 Sevilla']\n", demo.stderr


def test_the_demo_has_a_demo_issuer_that_develops_its_own_sif_and_the_test_host():
    result = _python(SHOW, DEBUG="1")

    assert result.returncode == 0, result.stderr
    demo = Party(name="Aguas de la Tienda Demo, S.A.", nif="A99999997")
    assert result.stdout.splitlines() == [
        repr(demo),
        repr(
            SistemaInformatico(
                vendor=demo,
                name="Tienda del Agua",
                system_id="TA",
                version=version("water-shop"),
                installation_number="1",
                only_verifactu=True,
                multi_taxpayer=False,
                multiple_taxpayers=False,
            )
        ),
        repr(AeatEnvironment.TEST),
    ]


def test_production_reads_every_value_as_given_with_the_nif_cleaned():
    result = _python(
        SHOW,
        **{
            **PRODUCTION,
            "INVOICE_ISSUER_NIF": "a-41123456",
            "VERIFACTU_SIF_VENDOR_NAME": "Desarrollos Hídricos, S.L.",
            "VERIFACTU_SIF_VENDOR_NIF": "B58378431",
            "VERIFACTU_SIF_NAME": "Tienda del Agua",
            "VERIFACTU_SIF_ID": "T1",
            "VERIFACTU_SIF_VERSION": "2027.1",
            "VERIFACTU_SIF_INSTALLATION_NUMBER": "SEV-01",
            "VERIFACTU_SIF_ONLY_VERIFACTU": "1",
            "VERIFACTU_SIF_MULTI_TAXPAYER": "1",
            "VERIFACTU_SIF_MULTIPLE_TAXPAYERS": "0",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        repr(Party(name="Aguas de Sevilla, S.A.", nif="A41123456")),
        repr(
            SistemaInformatico(
                vendor=Party(name="Desarrollos Hídricos, S.L.", nif="B58378431"),
                name="Tienda del Agua",
                system_id="T1",
                version="2027.1",
                installation_number="SEV-01",
                only_verifactu=True,
                multi_taxpayer=True,
                multiple_taxpayers=False,
            )
        ),
        repr(AeatEnvironment.PRODUCTION),
    ]


def test_the_identity_is_read_from_the_settings_in_force(settings):
    settings.INVOICE_ISSUER_NAME = "Otra Empresa, S.A."
    settings.INVOICE_ISSUER_NIF = "B58378431"
    settings.VERIFACTU_SIF_INSTALLATION_NUMBER = "2"
    settings.VERIFACTU_ENVIRONMENT = "production"

    assert conf.issuer() == Party(name="Otra Empresa, S.A.", nif="B58378431")
    assert conf.sistema_informatico().installation_number == "2"
    assert conf.aeat_environment() is AeatEnvironment.PRODUCTION
