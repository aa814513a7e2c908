"""A market row turned into the plain rule values the pure modules take."""
from __future__ import annotations

from ..delivery.waves import WaveRules, parse_cutoffs
from ..ordering.pricing import MarketFees
from .models import Market


def wave_rules(market: Market) -> WaveRules:
    return WaveRules(
        cutoffs=parse_cutoffs(market.wave_cutoffs),
        preparation_minutes=market.preparation_minutes,
        window_minutes=market.delivery_window_minutes,
        closed_weekdays=market.closed_weekday_set,
    )


def market_fees(market: Market) -> MarketFees:
    return MarketFees(
        minimum_order=market.minimum_order,
        delivery_fee=market.delivery_fee,
        free_delivery_threshold=market.free_delivery_threshold,
    )
