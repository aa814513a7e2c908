"""Market admin and city admin pages, and the plans API."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from market_app.accounts.models import Role
from market_app.accounts.operations import issue_api_token
from market_app.clock import SEOUL
from market_app.delivery.models import Courier, Route, WavePlan
from market_app.delivery.operations import mark_stop_delivered, plan_wave
from market_app.extensions import db
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near
from tests.factories import make_market, make_user

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


@pytest.fixture
def market(app, monkeypatch):
    """망원시장 with two couriers, a 14:00 plan of five orders (one too big to fit) at 14:35."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME + timedelta(minutes=5))
    market = make_market()
    make_courier(market, name="김배송", capacity_bags=4)
    make_courier(market, name="최배송", capacity_bags=4)
    for i in range(4):
        make_order(market, bags=2, spot=spot_near(i))
    make_order(market, bags=9, spot=spot_near(7))
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    return market


@pytest.fixture
def admin(market):
    user = make_user(role=Role.MARKET_ADMIN, name="배송센터", market_id=market.id)
    db.session.commit()
    return user


def test_market_admin_sees_the_plan_as_svg_with_one_path_per_route(client, login, market, admin):
    """Given a planned wave with two routes and one unassigned order, when the market admin opens the
    page, then an SVG shows one route path per courier, the unassigned order is marked and listed
    with its reason and flagged, the couriers on shift and the re-plan button are there."""
    login(admin)

    page = client.get("/admin/market").get_data(as_text=True)

    routes = db.session.scalars(select(Route)).all()
    assert len(routes) == 2
    assert page.count('class="route-line"') == 2 and "<svg" in page
    assert all(f'data-courier="{r.courier.name}"' in page for r in routes)
    assert page.count('class="unassigned-mark"') == 1 and "적재 용량 부족" in page
    assert page.count('class="flagged-order"') == 1
    assert page.count('class="card on-shift"') == 2
    assert "다시 계획" in page and "계획 완료" in page


def test_replan_button_makes_a_new_revision(client, login, market, admin):
    """Given a planned wave, when the admin presses 다시 계획, then the plan's revision is 2."""
    login(admin)

    response = client.post(f"/admin/markets/{market.id}/waves/2026-11-24/14:00/replan", follow_redirects=True)

    assert "다시 계획했습니다" in response.get_data(as_text=True)
    assert db.session.scalar(select(WavePlan.revision).where(WavePlan.wave_cutoff == "14:00",
                                                            WavePlan.wave_date == TUESDAY)) == 2


def test_admin_of_another_market_gets_403(client, login, market):
    """Given the admin of another market, when they open this market's page, re-plan it or read its
    plans by API, then each is refused with 403 and nothing changes."""
    other = make_market(name="통인시장", gu="종로구")
    stranger = make_user(role=Role.MARKET_ADMIN, name="다른 센터", market_id=other.id)
    db.session.commit()
    login(stranger)

    page = client.get(f"/admin/markets/{market.id}")
    replan = client.post(f"/admin/markets/{market.id}/waves/2026-11-24/14:00/replan")
    api = client.get(f"/api/markets/{market.id}/plans?date=2026-11-24")

    assert (page.status_code, replan.status_code, api.status_code) == (403, 403, 403)
    assert api.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(select(WavePlan.revision).where(WavePlan.wave_cutoff == "14:00",
                                                            WavePlan.wave_date == TUESDAY)) == 1


def test_resident_cannot_open_admin_pages(client, login, market):
    """Given a resident, when they open the market admin or city pages, then both are 403."""
    resident = make_user(name="주민")
    db.session.commit()
    login(resident)

    assert client.get(f"/admin/markets/{market.id}").status_code == 403
    assert client.get("/admin/city").status_code == 403


def test_plans_api_lists_routes_stops_etas_and_unassigned(client, market, admin):
    """Given a planned wave, when the admin asks GET /api/markets/<id>/plans?date=, then the 14:00
    plan comes back with both routes, their stops in order with ETA windows, distances and the
    unassigned order with its reason."""
    token = issue_api_token(admin, "test-secret")

    body = client.get(f"/api/markets/{market.id}/plans?date=2026-11-24",
                      headers={"Authorization": f"Bearer {token}"}).get_json()

    plan = next(p for p in body if p["wave_cutoff"] == "14:00")
    assert plan["status"] == "planned" and len(plan["routes"]) == 2
    for route in plan["routes"]:
        assert [s["sequence"] for s in route["stops"]] == list(range(1, len(route["stops"]) + 1))
        assert route["distance_m"] > 0 and route["courier"]["name"] in ("김배송", "최배송")
        assert all(s["eta_start"] < s["eta_end"] for s in route["stops"])
    assert [u["reason"] for u in plan["unassigned"]] == ["capacity"]


def test_openapi_describes_the_plans_endpoint(client):
    """Given the API description, then it lists GET /api/markets/{market_id}/plans."""
    spec = client.get("/api/openapi.json").get_json()

    assert "get" in spec["paths"]["/api/markets/{market_id}/plans"]


def test_wave_settings_are_validated_and_saved(client, login, market, admin):
    """Given the settings page, when the admin saves bad cut-offs, then nothing changes and the
    reason is shown; when they save good ones, the market's wave rules change."""
    login(admin)
    form = {"cutoffs": "10:00, 25:00", "preparation_minutes": "20", "delivery_window_minutes": "90",
            "service_minutes_per_stop": "5", "closed_weekdays": ["0"]}

    refused = client.post(f"/admin/markets/{market.id}/settings", data=form, follow_redirects=True)
    assert "없는 시각" in refused.get_data(as_text=True)
    assert market.wave_cutoffs == "11:00,14:00,17:00"

    client.post(f"/admin/markets/{market.id}/settings", data={**form, "cutoffs": "16:00,10:00"})
    db.session.refresh(market)
    assert (market.wave_cutoffs, market.preparation_minutes, market.delivery_window_minutes,
            market.closed_weekdays) == ("10:00,16:00", 20, 90, "0")


def test_admin_adds_a_courier_with_weekly_shifts(client, login, market, admin):
    """Given the courier form, when the admin adds a courier with a Saturday shift and a typed phone,
    then the courier is stored with an E.164 phone and that one shift."""
    login(admin)

    client.post(f"/admin/markets/{market.id}/couriers/new", data={
        "name": "박자전거", "phone": "010-3333-4444", "vehicle_kind": "bicycle", "capacity_bags": "6",
        "is_active": "y", "shift_5_on": "1", "shift_5_start": "10:00", "shift_5_end": "18:00"})

    courier = db.session.scalar(select(Courier).where(Courier.name == "박자전거"))
    assert (courier.phone, courier.vehicle_kind, courier.capacity_bags) == ("+821033334444", "bicycle", 6)
    assert [(s.weekday, s.start, s.end) for s in courier.shifts] == [(5, "10:00", "18:00")]


def test_city_admin_sees_orders_sales_and_on_time_figures(client, login, market):
    """Given one stop delivered before its ETA window ended and one after, when the city admin opens
    the city page, then the market shows 50% on time (1/2) and its order count."""
    city = make_user(role=Role.CITY_ADMIN, name="서울시")
    db.session.commit()
    stops = [s for r in db.session.scalars(select(Route)) for s in r.stops]
    mark_stop_delivered(stops[0].route, stops[0].id, stops[0].eta_start)
    mark_stop_delivered(stops[1].route, stops[1].id, stops[1].eta_end + timedelta(minutes=5))
    db.session.commit()
    login(city)

    page = client.get("/admin/city?date=2026-11-24").get_data(as_text=True)

    row = re.search(r'<tr class="market-row">.*?</tr>', page, re.S).group(0)
    assert "망원시장" in row and "5건" in row and "50% (1/2)" in row


def test_city_admin_follows_every_tab_of_a_market_without_a_refusal(client, login, market):
    """Given the city admin opens 망원시장 from the city page, when following each tab of the market's
    navigation, then every page opens (no 이 페이지를 볼 권한이 없습니다), and the way back is there."""
    city = make_user(role=Role.CITY_ADMIN, name="서울시")
    db.session.commit()
    login(city)

    page = client.get(f"/admin/markets/{market.id}?date=2026-11-24").get_data(as_text=True)
    nav = re.search(r'<nav class="admin-tabs">(.*?)</nav>', page, re.S).group(1)
    links = re.findall(r'href="([^"]+)"', nav)

    assert "/admin/city" in links and "/admin/sms" not in links
    assert all(client.get(link).status_code == 200 for link in links)
