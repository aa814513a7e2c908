"""Catalog use cases: find markets near a resident, browse and search, import markets."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..geo.distance import haversine_m
from ..textsearch import normalise
from .market_csv import MarketRecord
from .models import Market, Product, Stall, StallCategory


@dataclass(frozen=True)
class MarketNearby:
    market: Market
    distance_m: int

    @property
    def delivers(self) -> bool:
        return self.distance_m <= self.market.delivery_radius_m


def online_markets() -> list[Market]:
    return list(db.session.scalars(select(Market).where(Market.is_online).order_by(Market.gu, Market.name)))


def markets_by_distance(lat: float, lng: float) -> list[MarketNearby]:
    """Every online market, nearest first (one vectorised distance computation)."""
    markets = online_markets()
    if not markets:
        return []
    lats = np.array([m.lat for m in markets])
    lngs = np.array([m.lng for m in markets])
    distances = haversine_m(lat, lng, lats, lngs)
    order = np.argsort(distances, kind="stable")
    return [MarketNearby(markets[i], int(round(float(distances[i])))) for i in order]


def get_market(market_id: int, *, online_only: bool = True) -> Market:
    """The market, or NotFound (404) when it does not exist or is not online."""
    market = db.session.get(Market, market_id)
    if market is None or (online_only and not market.is_online):
        raise NotFound("시장을 찾을 수 없습니다.", code="market_not_found")
    return market


def get_stall(stall_id: int) -> Stall:
    stall = db.session.get(Stall, stall_id)
    if stall is None or not stall.market.is_online:
        raise NotFound("점포를 찾을 수 없습니다.", code="stall_not_found")
    return stall


def stalls_by_category(market: Market) -> list[tuple[str, list[Stall]]]:
    groups: dict[str, list[Stall]] = {}
    for stall in sorted(market.stalls, key=lambda s: s.name):
        groups.setdefault(stall.category, []).append(stall)
    rank = {category: i for i, category in enumerate(StallCategory.ORDER)}
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def search_products_query(market: Market, query: str):
    """Products of the market's stalls whose name contains the query, spaces ignored, cheapest first."""
    key = normalise(query)
    if not key:
        return None
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        select(Product)
        .join(Stall, Product.stall_id == Stall.id)
        .where(Stall.market_id == market.id, Product.search_key.like(f"%{escaped}%", escape="\\"))
        .order_by(Product.price, Product.id)
    )


def stall_products_query(stall: Stall):
    return select(Product).where(Product.stall_id == stall.id).order_by(Product.id)


# --- market import -----------------------------------------------------------------------

@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0


def upsert_markets(records: list[MarketRecord], now: datetime, *, online_names: set[str] | None = None
                   ) -> ImportSummary:
    """Insert or update markets by (name, 구): rerunning an import never duplicates a market."""
    summary = ImportSummary()
    existing = {(m.name, m.gu): m for m in db.session.scalars(select(Market))}
    for record in records:
        market = existing.get((record.name, record.gu))
        if market is None:
            market = Market(name=record.name, gu=record.gu, created_at=now, is_online=False)
            db.session.add(market)
            existing[(record.name, record.gu)] = market
            summary.created += 1
        else:
            summary.updated += 1
        market.dong = record.dong or market.dong
        market.address = record.address or market.address or ""
        market.lat, market.lng = record.lat, record.lng
        if record.stall_count is not None:
            market.stall_count = record.stall_count
        market.source = record.source
        market.updated_at = now
        if online_names is not None and record.name in online_names:
            market.is_online = True
    return summary
