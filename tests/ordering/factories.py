"""Ordering test data: a market with three stalls, residents, stall owners, and placed orders."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time

from market_app.accounts.models import Role, User
from market_app.catalog.models import Market, Product, Stall
from market_app.extensions import db
from market_app.ordering.models import Order
from market_app.ordering.operations import AddressRequest, CheckoutRequest, LineRequest, place_order
from tests.conftest import FROZEN_NOW
from tests.factories import make_address, make_market, make_product, make_stall, make_user

_keys = itertools.count(1)

# A 동 about 6 km from 망원시장 (far outside its 2 km radius): 강남구 역삼1동.
FAR_AWAY = (37.4955, 127.0330)


@dataclass
class Shop:
    """망원시장 with a tofu stall, a greengrocer and a fishmonger (all open, stock counted)."""

    market: Market
    tofu_stall: Stall
    veg_stall: Stall
    fish_stall: Stall
    tofu: Product          # 2,500원, stock 20
    bean_sprouts: Product  # 1,500원, unlimited
    apples: Product        # 9,000원, stock 10
    cabbage: Product       # 4,000원, stock 10
    mackerel: Product      # 7,000원, stock 5

    @property
    def products(self) -> list[Product]:
        return [self.tofu, self.bean_sprouts, self.apples, self.cabbage, self.mackerel]


def make_shop(**market_fields) -> Shop:
    market = make_market(**market_fields)
    tofu_stall = make_stall(market, "망원두부", "두부")
    veg_stall = make_stall(market, "싱싱청과", "청과")
    fish_stall = make_stall(market, "바다수산", "수산")
    return Shop(
        market=market, tofu_stall=tofu_stall, veg_stall=veg_stall, fish_stall=fish_stall,
        tofu=make_product(tofu_stall, "국산 두부", 2500, "1모", stock=20),
        bean_sprouts=make_product(tofu_stall, "콩나물", 1500, "300g", stock=None),
        apples=make_product(veg_stall, "부사 사과", 9000, "3개", stock=10),
        cabbage=make_product(veg_stall, "배추", 4000, "1포기", stock=10),
        mackerel=make_product(fish_stall, "손질 고등어", 7000, "1손", stock=5),
    )


def make_resident(name: str = "박민수", **fields) -> User:
    resident = make_user(Role.RESIDENT, name=name, **fields)
    make_address(resident)
    return resident


def make_owner(stall: Stall, name: str = "김영희", pin: str | None = "1234", **fields) -> User:
    owner = make_user(Role.STALL_OWNER, name=name, stall_id=stall.id, market_id=stall.market_id, **fields)
    if pin:
        owner.set_pin(pin)
    return owner


def make_market_admin(market: Market, name: str = "이관리") -> User:
    return make_user(Role.MARKET_ADMIN, name=name, market_id=market.id)


def three_stall_lines(shop: Shop) -> list[LineRequest]:
    """A 22,500원 basket from all three stalls (delivery fee due: below 40,000원)."""
    return [LineRequest(shop.tofu.id, 2), LineRequest(shop.bean_sprouts.id, 1, "similar"),
            LineRequest(shop.apples.id, 1, "call"), LineRequest(shop.mackerel.id, 1)]


def checkout_request(shop: Shop, resident: User, lines: list[LineRequest] | None = None, *,
                     wave_date: date = FROZEN_NOW.date(), cutoff: str = "14:00", key: str | None = None,
                     address: AddressRequest | None = None, expected_subtotal: int | None = None
                     ) -> CheckoutRequest:
    return CheckoutRequest(
        market_id=shop.market.id, lines=tuple(lines if lines is not None else three_stall_lines(shop)),
        address=address or AddressRequest(address_id=resident.addresses[0].id),
        wave_date=wave_date, wave_cutoff=time.fromisoformat(cutoff),
        idempotency_key=key or f"test-key-{next(_keys):06d}", expected_subtotal=expected_subtotal)


def place(shop: Shop, resident: User, lines: list[LineRequest] | None = None, *, now: datetime = FROZEN_NOW,
          **request_fields) -> Order:
    db.session.commit()
    return place_order(resident, checkout_request(shop, resident, lines, **request_fields), now).order


def stall_order_of(order: Order, stall: Stall):
    return next(so for so in order.stall_orders if so.stall_id == stall.id)


def stock_of(product: Product) -> int | None:
    db.session.expire(product)
    return product.stock


def bearer(client, user: User, password: str = "secret-pass") -> dict[str, str]:
    response = client.post("/api/auth/token", json={"phone": user.phone, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}
