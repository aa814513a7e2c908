"""The courier's stop lists what is handed over: kept quantities, refused lines left out."""
from __future__ import annotations

from datetime import datetime


from market_app.clock import SEOUL
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from market_app.ordering.operations import accept_stall_order
from tests.delivery.factories import TUESDAY, make_courier, route_paths_from_sms
from tests.ordering.factories import LineRequest, make_owner, make_resident, make_shop, place, stall_order_of

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


def test_the_stop_shows_kept_quantities_without_refused_lines(client, monkeypatch):
    """Given an order of 4 tofu (3 kept) and 1 bean sprouts (refused) from one stall and 2 apples, when
    the wave is planned and the courier opens the route page, then the stop lists 국산 두부 3 and
    부사 사과 2, and no 콩나물."""
    shop = make_shop()
    resident = make_resident()
    make_courier(shop.market)
    tofu_owner, veg_owner = make_owner(shop.tofu_stall), make_owner(shop.veg_stall, name="이청과")
    db.session.commit()
    order = place(shop, resident, [LineRequest(shop.tofu.id, 4), LineRequest(shop.bean_sprouts.id, 1),
                                   LineRequest(shop.apples.id, 2)])
    tofu_part = stall_order_of(order, shop.tofu_stall)
    tofu_line, sprouts_line = tofu_part.lines
    accept_stall_order(tofu_owner, tofu_part.id, PLAN_TIME.replace(hour=11), {tofu_line.id: 3, sprouts_line.id: 0})
    accept_stall_order(veg_owner, stall_order_of(order, shop.veg_stall).id, PLAN_TIME.replace(hour=11))
    plan_wave(shop.market, TUESDAY, "14:00", PLAN_TIME)
    [path] = route_paths_from_sms()
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME)

    page = client.get(path).get_data(as_text=True)

    assert "국산 두부 3" in page and "부사 사과 2" in page and "콩나물" not in page
