"""Deterministic demo data: stalls, products, couriers and residents."""

import csv
import math
import random
from pathlib import Path

import phonenumbers
import pytest

from market_app.catalog.demo_data import (
    CATALOGUES,
    VEHICLE_KINDS,
    PhoneAllocator,
    generate_couriers,
    generate_products,
    generate_residents,
    generate_stalls,
    market_short_name,
    stall_count_for,
)

PACKAGED = Path(__file__).parents[2] / "market_app" / "catalog" / "data" / "online_markets.csv"


def packaged_markets() -> list[tuple[str, int]]:
    with PACKAGED.open(encoding="utf-8", newline="") as handle:
        return [(row["name"], int(row["stalls"])) for row in csv.DictReader(handle)]


def whole_demo(seed: int):
    """Stalls and couriers for all 65 markets plus residents, in a fixed order."""
    rng, phones = random.Random(seed), PhoneAllocator()
    demo = []
    for name, stalls in packaged_markets():
        demo.append((
            name,
            generate_stalls(name, stalls, rng, phones=phones),
            generate_couriers(name, rng, 4, phones=phones),
        ))
    residents = generate_residents(rng, 10, phones=phones)
    return demo, residents


@pytest.fixture(scope="module")
def demo():
    return whole_demo(seed=2024)


def test_same_seed_gives_the_same_demo(demo):
    """Given the same seed twice, the whole demo is identical."""
    assert whole_demo(seed=2024) == demo


def test_other_seed_gives_other_data(demo):
    """Given another seed, the stalls differ."""
    other, _ = whole_demo(seed=2025)
    assert [stalls for _, stalls, _ in other] != [stalls for _, stalls, _ in demo[0]]


def test_every_market_has_8_to_30_uniquely_named_stalls(demo):
    """Given the 65 markets, each gets 8–30 stalls with distinct names."""
    for name, stalls, _ in demo[0]:
        assert 8 <= len(stalls) <= 30, name
        assert len({stall.name for stall in stalls}) == len(stalls), name
        assert {stall.category for stall in stalls} <= set(CATALOGUES)


def test_every_market_sells_tofu(demo):
    """Given any market, some stall sells a product named 두부 (search demos rely on it)."""
    for name, stalls, _ in demo[0]:
        assert any("두부" in product.name for stall in stalls for product in stall.products), name


def test_products_have_believable_prices_units_and_stock(demo):
    """Given every product, 10–40 per stall, distinct names, round KRW prices and sane stock."""
    for _, stalls, _ in demo[0]:
        for stall in stalls:
            assert 10 <= len(stall.products) <= 40
            assert len({p.name for p in stall.products}) == len(stall.products)
            for product in stall.products:
                assert isinstance(product.price, int) and 500 <= product.price <= 80_000
                assert product.price % (500 if product.price >= 10_000 else 100) == 0
                assert product.unit
                assert product.stock is None or 3 <= product.stock <= 40


def test_tofu_is_priced_like_a_market_tofu():
    """Given a 두부 stall, its 국산콩 두부 1모 costs about 2,500원."""
    products = generate_products("두부", random.Random(1))
    tofu = next(p for p in products if p.name == "국산콩 두부")
    assert tofu.unit == "1모" and 2_200 <= tofu.price <= 2_800


def test_stall_count_scales_with_declared_stalls():
    """Given 11, 80 and 5,111 declared stalls, the demo has about 9, 14 and 30 stalls."""
    rng = random.Random(3)
    assert 8 <= stall_count_for(11, rng) <= 10
    assert 13 <= stall_count_for(80, rng) <= 15
    assert stall_count_for(5_111, rng) in (29, 30)
    assert 11 <= stall_count_for(None, rng) <= 13


def test_phones_are_unique_valid_korean_mobiles(demo):
    """Given every owner, courier and resident, phones are distinct KR mobiles in E.164."""
    stalls_by_market, residents = demo
    phones = [s.phone for _, stalls, _ in stalls_by_market for s in stalls]
    phones += [c.phone for _, _, couriers in stalls_by_market for c in couriers]
    phones += [r.phone for r in residents]
    assert len(set(phones)) == len(phones)
    for phone in phones[:: max(1, len(phones) // 50)] + phones[-1:]:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        assert phonenumbers.region_code_for_number(parsed) == "KR"


def test_people_have_korean_names(demo):
    """Given owners and couriers, each name is a 성 plus a two-syllable 이름."""
    stalls_by_market, residents = demo
    names = [s.owner_name for _, stalls, _ in stalls_by_market for s in stalls]
    names += [c.name for _, _, couriers in stalls_by_market for c in couriers]
    names += [r.name for r in residents]
    assert all(len(name) == 3 and all("가" <= ch <= "힣" for ch in name) for name in names)


def test_couriers_have_a_vehicle_and_a_capacity(demo):
    """Given the couriers, each has a known vehicle and a capacity that fits it."""
    for _, _, couriers in demo[0]:
        assert len(couriers) == 4
        for courier in couriers:
            assert courier.vehicle_kind in VEHICLE_KINDS
            assert 3 <= courier.capacity_bags <= 40
            if courier.vehicle_kind == "walk":
                assert courier.capacity_bags <= 5


def test_residents_near_a_market_live_within_the_radius():
    """Given 망원시장 and 1 km, residents live within 1 km and have a Seoul address."""
    centre = (37.55715706, 126.9059961)
    residents = generate_residents(random.Random(5), 8, near=centre, radius_m=1000)
    for resident in residents:
        dy = (resident.lat - centre[0]) * 111_320
        dx = (resident.lng - centre[1]) * 111_320 * math.cos(math.radians(centre[0]))
        assert math.hypot(dx, dy) <= 1000 + 1
        assert resident.address.startswith("서울특별시 마포구 ")


def test_phone_allocator_counts_from_a_readable_block():
    """Given a fresh allocator, numbers run 010-5555-0000, 010-5555-0001, ..."""
    phones = PhoneAllocator()
    assert [phones.next(), phones.next()] == ["+821055550000", "+821055550001"]


@pytest.mark.parametrize(
    ("market", "short"),
    [("망원시장", "망원"), ("돌곶이시장(구 석관황금시장)", "돌곶이"), ("동원전통종합시장", "동원"),
     ("목동깨비시장 (목3동시장)", "목동깨비")],
)
def test_market_short_name(market, short):
    """Given a market's official name, the short name used in stall names drops 시장 and notes."""
    assert market_short_name(market) == short
