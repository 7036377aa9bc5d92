"""The operation documents under graphql/operations/, as clients use them."""

from __future__ import annotations

from pathlib import Path

OPERATIONS_DIR = Path(__file__).resolve().parent.parent / "graphql" / "operations"


def operation(name: str) -> str:
    """The text of ``graphql/operations/<name>.graphql`` (e.g. ``"storefront/ShopHome"``)."""
    return (OPERATIONS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def all_documents() -> list[Path]:
    return sorted(OPERATIONS_DIR.rglob("*.graphql"))
