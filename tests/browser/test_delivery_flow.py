"""Browser: the market admin sees the planned routes as an SVG map; the courier opens the route link
on a phone-sized screen and completes a stop."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from market_app import clock
from market_app.accounts.models import Role
from market_app.clock import SEOUL
from market_app.delivery.models import Route, RouteStop
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import Order
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near
from tests.factories import make_market, make_user

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 24, 14, 35, tzinfo=SEOUL)
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def planned_wave(live_server, monkeypatch):
    """망원시장's 14:00 wave planned for two couriers; the clock stands at 14:35."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with live_server.app.app_context():
        market = make_market()
        make_courier(market, name="김배송", capacity_bags=3)
        make_courier(market, name="최배송", capacity_bags=3)
        for index in range(5):
            make_order(market, bags=1, spot=spot_near(index, metres=1200))
        admin = make_user(role=Role.MARKET_ADMIN, name="망원 배송센터", market_id=market.id)
        db.session.commit()
        plan_wave(market, TUESDAY, "14:00", NOW - timedelta(minutes=5))
        routes = db.session.scalars(select(Route).order_by(Route.id)).all()
        link = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.kind == "courier_route", OutboxMessage.to_phone == routes[0].courier.phone))
        return {"admin_phone": admin.phone, "route_count": len(routes),
                "route_path": re.search(r"/r/\S+", link).group(0)}


def test_market_admin_sees_the_svg_plan(live_server, page, planned_wave):
    """Given a planned wave, when the market admin signs in and opens the delivery page, then the SVG
    map shows one coloured route line per courier and both couriers' stop lists."""
    page.goto(f"{live_server.url}/login")
    page.fill("#phone", planned_wave["admin_phone"])
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/market?date=2026-11-24")

    assert page.locator("svg.plan-svg").count() == 1
    assert page.locator("svg.plan-svg path.route-line").count() == planned_wave["route_count"] == 2
    assert page.locator(".card.route").count() == 2
    assert page.locator("svg.plan-svg").bounding_box()["width"] > 300


def test_courier_completes_a_stop_on_a_phone(live_server, page, planned_wave):
    """Given the route link from the SMS, when the courier opens it on a 375x667 screen and taps
    배송 완료 on the first stop, then the stop shows 배송 완료 and the order is delivered; the
    buttons are large enough for a thumb and the page does not scroll sideways."""
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + planned_wave["route_path"])

    first = page.locator("li.stop").first
    done_button = first.get_by_role("button", name="배송 완료")
    assert done_button.bounding_box()["height"] >= 48
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert first.locator("a[href^='tel:']").count() == 1
    done_button.click()

    page.wait_for_url(re.compile(r"#stop-\d+$"))
    assert page.locator("li.stop").first.locator(".badge.ok").inner_text() == "배송 완료"
    stop_id = int(page.locator("li.stop").first.get_attribute("id").split("-")[1])
    with live_server.app.app_context():
        route_stop = db.session.get(RouteStop, stop_id)
        assert db.session.get(Order, route_stop.order_id).status == "delivered"
