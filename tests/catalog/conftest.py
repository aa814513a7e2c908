"""A small catalog world for page and API tests: two online markets near 망원동, one far away in
강동구 and one that is not online, with stalls that are open or closed and products that are sold out."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from market_app.catalog.models import Market, Product, Stall
from market_app.extensions import db
from tests.factories import make_market, make_product, make_stall

# Coordinates from 전국전통시장표준데이터 (2024-11-04).
MAPO_NONGSUSAN = (37.56519673, 126.8984816)
AMSA = (37.55054704, 127.1287149)


@dataclass
class CatalogWorld:
    mangwon: Market
    mapo: Market
    amsa: Market
    offline: Market
    tofu_stall: Stall
    vegetable_stall: Stall
    closed_fish_stall: Stall
    tofu: Product          # "국산 두부" 2,500원 at 망원두부
    tofu_unspaced: Product  # "국산두부" 2,700원 at 초록채소
    soft_tofu: Product     # "순두부" 2,000원 at 망원두부
    sold_out_tofu: Product  # "연두부" 1,800원, sold out
    no_stock_tofu: Product  # "두부 튀김" 3,600원, stock 0


@pytest.fixture
def world(app) -> CatalogWorld:
    mangwon = make_market()
    mapo = make_market("마포농수산물시장", lat=MAPO_NONGSUSAN[0], lng=MAPO_NONGSUSAN[1], dong="성산2동")
    amsa = make_market("암사종합시장", gu="강동구", lat=AMSA[0], lng=AMSA[1], dong="암사1동")
    offline = make_market("망원월드컵시장", lat=37.5555, lng=126.9050, is_online=False)

    tofu_stall = make_stall(mangwon, "망원두부", "두부")
    vegetable_stall = make_stall(mangwon, "초록채소", "채소")
    closed_fish_stall = make_stall(mangwon, "서해수산", "수산", is_open=False)
    make_stall(mangwon, "한우마을", "정육점")

    tofu = make_product(tofu_stall, "국산 두부", 2500)
    soft_tofu = make_product(tofu_stall, "순두부", 2000, unit="1봉")
    sold_out_tofu = make_product(tofu_stall, "연두부", 1800, unit="1팩", sold_out=True)
    no_stock_tofu = make_product(tofu_stall, "두부 튀김", 3600, unit="1팩", stock=0)
    tofu_unspaced = make_product(vegetable_stall, "국산두부", 2700)
    make_product(vegetable_stall, "애호박", 1500, unit="1개")
    make_product(closed_fish_stall, "고등어", 4000, unit="1손")

    amsa_stall = make_stall(amsa, "암사두부", "두부")
    make_product(amsa_stall, "국산 두부", 900)
    offline_stall = make_stall(offline, "월드컵두부", "두부")
    make_product(offline_stall, "국산 두부", 800)
    db.session.commit()
    return CatalogWorld(mangwon, mapo, amsa, offline, tofu_stall, vegetable_stall, closed_fish_stall,
                        tofu, tofu_unspaced, soft_tofu, sold_out_tofu, no_stock_tofu)
