"""The built wheel carries every file the apps read at run time (templates,
static files, the storefront, the VERI*FACTU schemas), and never the API
contract folder or the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_the_wheel_ships_templates_static_files_and_schemas(tmp_path):
    # Built from a copy: setuptools leaves build/ and *.egg-info where it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*UNSHIPPED))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), source],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = data_files()
    assert {
        "orders/templates/orders/email/confirmation.html",
        "shop/static/graphiql/graphiql.min.js",
        "shop/storefront/app/index.html",
        "invoicing/verifactu/xsd/SuministroLR.xsd",
    } <= expected
    assert expected - names == set()
    assert [name for name in names if name.startswith(("graphql/", "tests/"))] == []
