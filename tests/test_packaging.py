"""The built wheel carries every file the apps read at run time (templates,
static files, the storefront, the VERI*FACTU schemas, the compiled translation
catalogues), and never the API contract folder or the tests; installed, the
shop speaks Spanish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNSHIPPED = (
    ".git",
    ".venv",
    "*_cache",
    ".hypothesis",
    "build",
    "dist",
    "var",
    "*.egg-info",
    "*.sqlite3",
    "test-artifacts",
)
APPS = ("shop", "catalog", "discounts", "orders", "billing_bridge", "invoicing", "admin_ui")


def data_files() -> set[str]:
    """The non-Python files inside the apps' folders, as wheel paths."""
    return {
        path.relative_to(ROOT).as_posix()
        for app in APPS
        for path in (ROOT / app).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }


def catalogues() -> set[str]:
    """The compiled catalogues of locale/, as the wheel carries them (shop/locale/)."""
    return {"shop/" + path.relative_to(ROOT).as_posix() for path in (ROOT / "locale").rglob("*.mo")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy: setuptools leaves build/ and *.egg-info where it builds.
    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*UNSHIPPED))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), source],
        check=True,
        capture_output=True,
    )
    [built] = tmp_path.glob("*.whl")
    return built


def test_the_wheel_ships_templates_static_files_schemas_and_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = data_files() | catalogues()
    assert {
        "orders/templates/orders/email/confirmation.html",
        "shop/static/graphiql/graphiql.min.js",
        "shop/storefront/app/index.html",
        "invoicing/verifactu/xsd/SuministroLR.xsd",
        "shop/locale/es/LC_MESSAGES/django.mo",
        "shop/locale/en/LC_MESSAGES/django.mo",
    } <= expected
    assert expected - names == set()
    assert [name for name in names if name.startswith(("graphql/", "tests/", "locale/"))] == []


SPEAKS = textwrap.dedent(
    """
    import django, shop
    from django.conf import settings
    from django.utils import translation

    django.setup()
    translation.activate("es")
    print(shop.__file__)
    print(*settings.LOCALE_PATHS)
    print(translation.gettext("The cart is empty."))
    """
)


def test_the_installed_shop_speaks_spanish(wheel, tmp_path):
    # given: the wheel installed on its own, away from the checkout, with the
    # dependencies of this environment
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, wheel],
        check=True,
        capture_output=True,
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(target),  # before this environment's own shop (editable)
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "DEBUG": "1",
    }

    run = subprocess.run(
        [sys.executable, "-P", "-c", SPEAKS], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert run.returncode == 0, run.stderr
    module, locale, message = run.stdout.splitlines()
    assert Path(module).is_relative_to(target)
    assert Path(locale) == target / "shop" / "locale"
    assert message == "El carrito está vacío."
