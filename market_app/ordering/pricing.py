"""Prices, delivery fee and refunds for refused lines (pure; money is integer KRW).

Fee rule: the delivery fee is charged when the subtotal is below the market's
free-delivery threshold. It is fixed at checkout and never increases after a
stall refuses lines: a resident who qualified for free delivery keeps it even if
refusals push the accepted subtotal below the threshold, and the minimum order is
not re-checked. Only when every line is refused is the fee given back too,
because nothing is delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_QUANTITY = 99


def _require_amount(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer amount of KRW, got {value!r}")


def validate_quantity(quantity: object) -> int:
    """Return the quantity if it is a whole number from 1 to MAX_QUANTITY."""
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise ValueError("수량은 숫자로 입력해 주세요.")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"수량은 1개부터 {MAX_QUANTITY}개까지 담을 수 있습니다.")
    return quantity


def format_won(amount: int) -> str:
    """12500 -> "12,500원"."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be an int, got {type(amount).__name__}")
    return f"{amount:,}원"


@dataclass(frozen=True)
class MarketFees:
    """A market's order rules. No free delivery when the threshold is None."""

    minimum_order: int
    delivery_fee: int
    free_delivery_threshold: int | None

    def __post_init__(self) -> None:
        _require_amount("minimum_order", self.minimum_order)
        _require_amount("delivery_fee", self.delivery_fee)
        if self.free_delivery_threshold is not None:
            _require_amount("free_delivery_threshold", self.free_delivery_threshold)

    def fee_for(self, subtotal: int) -> int:
        """The delivery fee for a subtotal; an empty cart has nothing to deliver."""
        if subtotal == 0:
            return 0
        threshold = self.free_delivery_threshold
        if threshold is not None and subtotal >= threshold:
            return 0
        return self.delivery_fee


@dataclass(frozen=True)
class Line:
    product_id: int
    unit_price: int
    quantity: int

    def __post_init__(self) -> None:
        _require_amount("unit_price", self.unit_price)
        validate_quantity(self.quantity)

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Totals:
    subtotal: int
    delivery_fee: int
    total: int


@dataclass(frozen=True)
class Refund:
    """What is not charged after refusals, and the order's totals from then on."""

    amount_not_charged: int
    new_totals: Totals


class BelowMinimum(Exception):
    """The subtotal is below the market's minimum order."""

    code = "below_minimum"

    def __init__(self, missing_amount: int, minimum_order: int | None = None) -> None:
        self.missing_amount = missing_amount
        self.minimum_order = minimum_order
        message = f"{format_won(missing_amount)} 더 담으면 주문할 수 있습니다."
        if minimum_order is not None:
            message = f"최소 주문 금액은 {format_won(minimum_order)}입니다. {message}"
        super().__init__(message)


def price_order(lines: Iterable[Line], fees: MarketFees) -> Totals:
    subtotal = sum(line.amount for line in lines)
    delivery_fee = fees.fee_for(subtotal)
    return Totals(subtotal=subtotal, delivery_fee=delivery_fee, total=subtotal + delivery_fee)


def check_minimum(subtotal: int, fees: MarketFees) -> None:
    """Raise BelowMinimum(missing_amount) when the subtotal is too small to order."""
    if subtotal < fees.minimum_order:
        raise BelowMinimum(fees.minimum_order - subtotal, fees.minimum_order)


def refund_for_refusals(original: Totals, accepted_lines: Iterable[Line], fees: MarketFees) -> Refund:
    """Totals after stalls answered: `accepted_lines` are the lines (and quantities) kept.

    The fee is the lower of what was charged and what the accepted subtotal would
    cost today, so it never goes up (see the module docstring).
    """
    subtotal = sum(line.amount for line in accepted_lines)
    if subtotal > original.subtotal:
        raise ValueError(
            f"accepted subtotal {subtotal} exceeds the original subtotal {original.subtotal}"
        )
    delivery_fee = min(original.delivery_fee, fees.fee_for(subtotal))
    new_totals = Totals(subtotal=subtotal, delivery_fee=delivery_fee, total=subtotal + delivery_fee)
    return Refund(amount_not_charged=original.total - new_totals.total, new_totals=new_totals)
