"""The figures ``make bench`` ends with: one stable line each (``name: value unit``),
so two runs can be compared line by line."""

from __future__ import annotations

FIGURES: list[tuple[str, str]] = []


def record(name: str, value: str) -> None:
    FIGURES.append((name, value))


def print_summary() -> None:
    print("\n== summary")
    for name, value in FIGURES:
        print(f"{name}: {value}")
