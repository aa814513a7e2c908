"""Small factories for test data; every argument has a realistic default."""
from __future__ import annotations

import itertools
from datetime import datetime

from market_app.accounts.models import Address, Role, User
from market_app.catalog.models import Market, Product, Stall
from market_app.clock import SEOUL
from market_app.extensions import db
from market_app.textsearch import normalise

CREATED = datetime(2026, 11, 1, 9, 0, tzinfo=SEOUL)
_phones = itertools.count(10_000_001)

# 망원시장 and a resident spot in 망원1동 (about 400 m away).
MANGWON = (37.5561, 126.9058)
MANGWON_1_DONG = (37.5558, 126.9016)


def next_mobile() -> str:
    return f"+8210{next(_phones):08d}"


def make_market(name="망원시장", gu="마포구", lat=MANGWON[0], lng=MANGWON[1], **fields) -> Market:
    market = Market(name=name, gu=gu, dong=fields.pop("dong", "망원2동"), address=fields.pop("address", "서울특별시 마포구 포은로 27"),
                    lat=lat, lng=lng, stall_count=fields.pop("stall_count", 80), is_online=fields.pop("is_online", True),
                    created_at=CREATED, updated_at=CREATED, **fields)
    db.session.add(market)
    db.session.flush()
    return market


def make_stall(market: Market, name="망원두부", category="두부", **fields) -> Stall:
    stall = Stall(market_id=market.id, name=name, category=category, phone=fields.pop("phone", next_mobile()),
                  owner_name=fields.pop("owner_name", "김영희"), is_open=fields.pop("is_open", True),
                  created_at=CREATED, **fields)
    db.session.add(stall)
    db.session.flush()
    return stall


def make_product(stall: Stall, name="국산 두부", price=2500, unit="1모", stock: int | None = 20, **fields) -> Product:
    product = Product(stall_id=stall.id, name=name, unit=unit, price=price, stock=stock,
                      sold_out=fields.pop("sold_out", False), search_key=normalise(name), created_at=CREATED, **fields)
    db.session.add(product)
    db.session.flush()
    return product


def make_user(role=Role.RESIDENT, name="박민수", password="secret-pass", phone=None, **fields) -> User:
    user = User(role=role, name=name, phone=phone or next_mobile(), created_at=CREATED,
                is_active_account=True, optional_sms=fields.pop("optional_sms", True), **fields)
    user.set_password(password)
    if "pin" in fields:
        user.set_pin(fields.pop("pin"))
    db.session.add(user)
    db.session.flush()
    return user


def make_address(user: User, lat=MANGWON_1_DONG[0], lng=MANGWON_1_DONG[1], gu="마포구", dong="망원1동",
                 detail="포은로 12, 301호") -> Address:
    address = Address(user_id=user.id, gu=gu, dong=dong, dong_code="1144069000", detail=detail,
                      lat=lat, lng=lng, created_at=CREATED)
    db.session.add(address)
    db.session.flush()
    return address
