"""The refusals of ordering use cases, each with a stable code (the API's `error.code`)."""
from __future__ import annotations

from ..delivery.waves import WaveError
from ..errors import Conflict, DomainError, Unprocessable
from .pricing import BelowMinimum
from .states import InvalidTransition


class OutOfStock(Conflict):
    code = "out_of_stock"


class StallClosed(Conflict):
    code = "stall_closed"


class OtherMarketCart(Conflict):
    """The cart holds another market's goods; the resident must agree to empty it first."""

    code = "other_market_cart"

    def __init__(self, message: str, market_name: str):
        super().__init__(message)
        self.market_name = market_name


class PriceChanged(Conflict):
    code = "price_changed"


class OutsideDeliveryArea(Unprocessable):
    code = "outside_delivery_area"


class TransitionRefused(Conflict):
    code = "invalid_transition"


# Wave errors come from the pure calendar; a closed wave or day is a conflict with time,
# an unknown one is bad input.
_WAVE_STATUS = {"wave_closed": 409, "market_closed": 409}


def from_wave_error(error: WaveError) -> DomainError:
    return DomainError(str(error), code=error.code, status=_WAVE_STATUS.get(error.code, 422))


def from_below_minimum(error: BelowMinimum) -> DomainError:
    return Unprocessable(str(error), code=error.code)


def from_invalid_transition(error: InvalidTransition, message: str | None = None) -> TransitionRefused:
    refusal = TransitionRefused(message or "이미 처리되었거나 지금은 할 수 없는 요청입니다.")
    refusal.detail = str(error)  # English, for logs
    return refusal
