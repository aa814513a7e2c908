"""`flask seed demo`: the 65 online markets with generated stalls, products, couriers and demo
accounts. Deterministic (seeded random) and idempotent: a second run adds nothing."""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from .accounts.models import Address, Role, User
from .catalog.demo_data import PhoneAllocator, generate_couriers, generate_stalls
from .catalog.market_csv import MarketRecord
from .catalog.models import Market, Product, Stall
from .catalog.operations import upsert_markets
from .delivery.models import Courier, CourierShift
from .extensions import db
from .geo.gazetteer import Gazetteer
from .textsearch import normalise

ONLINE_MARKETS_CSV = Path(__file__).parent / "catalog" / "data" / "online_markets.csv"
DEMO_PASSWORD = "jangbogi2020"
DEMO_PIN = "1234"
DEMO_MARKET = "망원시장"
COURIER_SHIFT = ("09:30", "20:00")


@dataclass
class SeedReport:
    markets: int = 0
    stalls: int = 0
    products: int = 0
    couriers: int = 0
    unchanged: bool = True
    logins: list[str] = field(default_factory=list)


def online_market_records() -> list[MarketRecord]:
    with ONLINE_MARKETS_CSV.open(encoding="utf-8") as handle:
        return [
            MarketRecord(name=row["name"], gu=row["gu"], dong=row["dong"] or None, address=row["address"],
                         lat=float(row["lat"]), lng=float(row["lng"]),
                         stall_count=int(row["stalls"]) if row["stalls"] else None, products=[],
                         source="online_markets.csv")
            for row in csv.DictReader(handle)
        ]


def seed_demo(now: datetime, *, random_seed: int = 2020) -> SeedReport:
    report = SeedReport()
    records = online_market_records()
    upsert_markets(records, now, online_names={r.name for r in records})
    db.session.flush()
    markets = db.session.scalars(select(Market).where(Market.is_online).order_by(Market.id)).all()
    for market in markets:
        # One random stream per market, so adding a market never reshuffles the others.
        rng = random.Random(f"{random_seed}:{market.name}:{market.gu}")
        if not db.session.scalar(select(func.count(Stall.id)).where(Stall.market_id == market.id)):
            _seed_stalls(market, rng, now)
            report.unchanged = False
        if not db.session.scalar(select(func.count(Courier.id)).where(Courier.market_id == market.id)):
            _seed_couriers(market, rng)
            report.unchanged = False
    db.session.flush()
    report.logins = _seed_accounts(now, report)
    report.markets = len(markets)
    report.stalls = db.session.scalar(select(func.count(Stall.id)))
    report.products = db.session.scalar(select(func.count(Product.id)))
    report.couriers = db.session.scalar(select(func.count(Courier.id)))
    return report


def _seed_stalls(market: Market, rng: random.Random, now: datetime) -> None:
    for spec in generate_stalls(market.name, market.stall_count, rng, phones=_phones(market, 0)):
        stall = Stall(market=market, name=spec.name, category=spec.category, phone=spec.phone,
                      owner_name=spec.owner_name, is_open=True, created_at=now)
        db.session.add(stall)
        for product in spec.products:
            db.session.add(Product(stall=stall, name=product.name, unit=product.unit, price=product.price,
                                   stock=product.stock, sold_out=False, search_key=normalise(product.name),
                                   created_at=now))


def _seed_couriers(market: Market, rng: random.Random) -> None:
    count = 3 if (market.stall_count or 0) < 120 else 5
    for spec in generate_couriers(market.name, rng, count, phones=_phones(market, 50)):
        courier = Courier(market=market, name=spec.name, phone=spec.phone, vehicle_kind=spec.vehicle_kind,
                          capacity_bags=spec.capacity_bags, is_active=True)
        courier.shifts = [CourierShift(weekday=d, start=COURIER_SHIFT[0], end=COURIER_SHIFT[1]) for d in range(7)]
        db.session.add(courier)


def _phones(market: Market, offset: int) -> PhoneAllocator:
    """A number block per market (stalls from 0, couriers from 50): unique across the demo and the
    same on every run, whichever markets were seeded before."""
    return PhoneAllocator(start=market.id * 100 + offset)


def _account(phone: str, role: str, name: str, now: datetime, **fields) -> User:
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, role=role, name=name, created_at=now, is_active_account=True,
                    optional_sms=True, **fields)
        user.set_password(DEMO_PASSWORD)
        if role == Role.STALL_OWNER:
            user.set_pin(DEMO_PIN)
        db.session.add(user)
        db.session.flush()
    return user


def _seed_accounts(now: datetime, report: SeedReport) -> list[str]:
    market = db.session.scalar(select(Market).where(Market.name == DEMO_MARKET, Market.is_online))
    stalls = db.session.scalars(select(Stall).where(Stall.market_id == market.id).order_by(Stall.id)).all()
    stall = stalls[0]
    courier = db.session.scalar(select(Courier).where(Courier.market_id == market.id).order_by(Courier.id))
    city = _account("+821090000001", Role.CITY_ADMIN, "서울시 담당자", now)
    admin = _account("+821090000002", Role.MARKET_ADMIN, "망원시장 배송센터", now, market_id=market.id)
    # Every stall of the demo market gets its owner's account, so a cart from several stalls can be
    # answered by each of them and the whole order life (planning, courier, SMS) can be tried.
    owners = [_account(s.phone, Role.STALL_OWNER, s.owner_name or "상인", now, market_id=market.id, stall_id=s.id)
              for s in stalls]
    owner = owners[0]
    resident = _account("+821090000004", Role.RESIDENT, "김민지", now)
    if not resident.addresses:
        place = Gazetteer.load().search("망원1동")[0]
        db.session.add(Address(user=resident, gu=place.gu, dong=place.dong, dong_code=place.code,
                               detail="포은로 12, 301호", lat=place.lat, lng=place.lng, created_at=now))
    if courier.user_id is None:
        courier_user = _account(courier.phone, Role.COURIER, courier.name, now, market_id=market.id)
        courier.user_id = courier_user.id
    return [
        f"주민        {_local(resident.phone)}  (김민지, 망원1동)",
        f"상인        {_local(owner.phone)}  ({stall.name}, 태블릿 PIN {DEMO_PIN}, 점포 #{stall.id})",
        f"            {market.name}의 다른 점포 {len(owners) - 1}곳도 점포 전화번호로 로그인 "
        f"({_local(owners[1].phone)} ~ {_local(owners[-1].phone)})",
        f"시장 관리자 {_local(admin.phone)}  ({market.name} #{market.id})",
        f"서울시      {_local(city.phone)}",
        f"배송기사    {_local(courier.phone)}  ({courier.name}; 경로는 SMS 링크로)",
    ]


def _local(e164: str) -> str:
    from .accounts.phones import display_phone
    return display_phone(e164)
