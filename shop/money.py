"""Money as a Decimal inside a value object, rounded to the currency's precision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CURRENCY_PRECISION: dict[str, int] = {"EUR": 2}
_MINOR_UNIT = {code: Decimal(1).scaleb(-digits) for code, digits in CURRENCY_PRECISION.items()}
CENT = _MINOR_UNIT["EUR"]  # Decimal("0.01"): the smallest amount the shop handles


def quantize(amount: Decimal, currency: str = "EUR") -> Decimal:
    """Round half up to the currency's minor unit (cents for EUR)."""
    return amount.quantize(_MINOR_UNIT[currency], rounding=ROUND_HALF_UP)


def is_whole_cents(amount: Decimal, currency: str = "EUR") -> bool:
    """Whether ``amount`` is finite and has no digits below the currency's minor
    unit (``1.5`` and ``1.50`` are, ``1.505`` and NaN are not). Sign is not checked."""
    return amount.is_finite() and amount == amount.quantize(_MINOR_UNIT[currency])


def to_minor_units(amount: Decimal, currency: str = "EUR") -> int:
    """``amount`` in the currency's minor unit (cents), as providers take it:
    ``Decimal("12.30")`` -> 1230. Raises ``ValueError`` for an amount that is not
    a whole number of cents (rounding is the caller's business, done once)."""
    if not is_whole_cents(amount, currency):
        raise ValueError(f"{amount!r} is not a whole number of cents.")
    return int(amount.scaleb(CURRENCY_PRECISION[currency]))


def from_minor_units(units: int, currency: str = "EUR") -> Decimal:
    """The inverse of :func:`to_minor_units`: 1230 -> ``Decimal("12.30")``."""
    return Decimal(units).scaleb(-CURRENCY_PRECISION[currency])


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money amounts are Decimal, never float or int.")
        if self.currency not in CURRENCY_PRECISION:
            raise ValueError(f"Unsupported currency {self.currency!r}.")

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ValueError("Cannot combine amounts in different currencies.")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(Decimal(0), currency)


@dataclass(frozen=True, slots=True)
class TaxedMoney:
    net: Money
    gross: Money

    def __post_init__(self) -> None:
        if self.net.currency != self.gross.currency:
            raise ValueError("Net and gross must share a currency.")

    @property
    def tax(self) -> Money:
        return self.gross - self.net

    @property
    def currency(self) -> str:
        return self.gross.currency

    @classmethod
    def from_gross(cls, gross: Money, rate: Decimal) -> TaxedMoney:
        """Split a gross (IVA-included) amount at ``rate`` (e.g. ``Decimal("0.21")``)."""
        net = Money(quantize(gross.amount / (1 + rate), gross.currency), gross.currency)
        return cls(net=net, gross=gross.quantized())
