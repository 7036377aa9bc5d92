"""The figures ``make bench`` ends with: one stable line each (``name: value unit``),
so two runs can be compared line by line."""

from __future__ import annotations

FIGURES: list[tuple[str, str]] = []


def record(name: str, value: str) -> None:
    FIGURES.append((name, value))


def latency(p50: float, p95: float) -> str:
    """``p50 / p95 ms (p95/p50 r)``: the value of every latency figure."""
    return f"{p50:.2f} / {p95:.2f} ms (p95/p50 {p95 / p50:.2f})"


def print_summary() -> None:
    print("\n== summary")
    for name, value in FIGURES:
        print(f"{name}: {value}")
