"""The courier's route page at a signed link: stops, start, delivered / failed, refused links."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from market_app.clock import SEOUL
from market_app.delivery.links import make_route_token
from market_app.delivery.models import Route, WavePlan
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import Order
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near, route_paths_from_sms
from tests.factories import make_market

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


@pytest.fixture
def planned(app, monkeypatch):
    """A planned 14:00 wave with one courier and two orders; the clock stands at 14:35."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME + timedelta(minutes=5))
    market = make_market()
    make_courier(market, name="김배송")
    orders = [make_order(market, spot=spot_near(i)) for i in range(2)]
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    route = db.session.scalar(select(Route))
    [path] = route_paths_from_sms()
    return route, orders, path


def _kinds(order_id: int) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.order_id == order_id)
                                   .order_by(OutboxMessage.id)))


def test_route_page_lists_the_stops_in_order_with_call_and_map_buttons(client, planned):
    """Given the link from the courier's SMS, when it is opened, then the stops appear in order with
    address, ETA window, a tel: link and Kakao/Naver map links carrying the coordinates."""
    route, orders, path = planned

    page = client.get(path).get_data(as_text=True)

    first, second = route.stops
    assert page.index(f'id="stop-{first.id}"') < page.index(f'id="stop-{second.id}"')
    assert f'href="tel:{first.order.contact_phone}"' in page
    # Plain words on the call button: basic phones show an emoji as an empty box.
    assert f"전화 걸기 ({first.order.contact_phone[-4:]})" in page and "📞" not in page
    assert "map.kakao.com/link/map/" in page and f"{first.order.lat:.6f},{first.order.lng:.6f}" in page
    assert f"nmap://place?lat={first.order.lat:.6f}" in page
    assert "배송 완료" in page and "부재" in page and "주소 오류" in page


def test_courier_marks_a_stop_delivered_and_the_order_is_delivered(client, planned):
    """Given a planned route, when the courier taps 배송 완료 on the first stop (twice), then the order
    passes out_for_delivery to delivered, and the customer got the dispatch and delivery SMS once."""
    route, _orders, path = planned
    stop = route.stops[0]

    response = client.post(f"{path}/stops/{stop.id}/delivered")
    client.post(f"{path}/stops/{stop.id}/delivered")

    assert response.status_code == 302
    order = db.session.get(Order, stop.order_id)
    assert order.status == "delivered"
    assert [e.to_status for e in order.events][-2:] == ["out_for_delivery", "delivered"]
    assert _kinds(order.id) == ["order_dispatched", "order_delivered"]
    db.session.refresh(stop)
    assert stop.status == "delivered" and stop.completed_at is not None


def test_failed_stop_records_the_reason_and_carries_the_order_to_the_next_wave(client, planned):
    """Given a planned route, when the courier marks a stop failed with 부재, then the order is failed
    with the reason, moved to the 17:00 wave and flagged, and the customer got the failure SMS."""
    route, _orders, path = planned
    stop = route.stops[1]

    client.post(f"{path}/stops/{stop.id}/failed", data={"reason": "absent", "note": "벨 눌러도 없음"})

    order = db.session.get(Order, stop.order_id)
    db.session.refresh(stop)
    assert (order.status, order.wave_cutoff) == ("failed", "17:00")
    assert (stop.status, stop.failure_reason, stop.failure_note) == ("failed", "absent", "벨 눌러도 없음")
    assert "부재" in order.needs_attention
    assert _kinds(order.id)[-1] == "order_failed"


def test_resident_sees_a_failed_delivery_as_a_problem_with_the_next_wave(client, login, planned):
    """Given a stop marked failed (부재), when its resident opens the order page, then the status reads
    배송 실패 in the warning colour (not the green of good news) and the order shows the 17:00 wave."""
    route, _orders, path = planned
    stop = route.stops[1]
    client.post(f"{path}/stops/{stop.id}/failed", data={"reason": "absent"})

    login(db.session.get(Order, stop.order_id).resident)
    page = client.get(f"/orders/{stop.order_id}").get_data(as_text=True)

    assert '<span class="badge no" data-status="failed">배송 실패</span>' in page
    assert "17:00 마감" in page and "부재" in page
    assert '<span class="badge no">배송 실패</span>' in client.get("/orders").get_data(as_text=True)


def test_delivered_after_failed_is_refused_and_changes_nothing(client, planned):
    """Given a stop marked failed, when 배송 완료 is posted for it, then it stays failed."""
    route, _orders, path = planned
    stop = route.stops[0]
    client.post(f"{path}/stops/{stop.id}/failed", data={"reason": "bad_address"})

    page = client.post(f"{path}/stops/{stop.id}/delivered", follow_redirects=True).get_data(as_text=True)

    assert "이미 배송 실패로 처리된 곳입니다" in page
    assert db.session.get(Order, stop.order_id).status == "failed"


def test_tampered_link_gets_a_clear_403_page(client, planned):
    """Given a route link with one character changed, when it is opened or posted to, then a 403
    page explains the link is not valid and nothing changes."""
    route, _orders, path = planned
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")

    page = client.get(tampered)
    post = client.post(f"{tampered}/stops/{route.stops[0].id}/delivered")

    assert page.status_code == 403 and "잘못된 배송 경로 링크" in page.get_data(as_text=True)
    assert post.status_code == 403
    assert db.session.get(Order, route.stops[0].order_id).status == "assigned"


def test_expired_link_gets_a_clear_403_page(client, planned, monkeypatch):
    """Given a link signed 19 hours ago (limit 18), when it is opened, then a 403 page says it expired."""
    route, _orders, _path = planned
    old = make_route_token(route.id, route.revision, "test-secret", PLAN_TIME - timedelta(hours=19))

    response = client.get(f"/r/{old}")

    assert response.status_code == 403
    assert "사용 기간이 지났습니다" in response.get_data(as_text=True)


def test_link_of_a_replaced_route_is_refused(client, planned):
    """Given a link naming the route at another plan revision, when it is opened, then it is refused."""
    route, _orders, _path = planned
    stale = make_route_token(route.id, route.revision + 1, "test-secret", PLAN_TIME)

    response = client.get(f"/r/{stale}")

    assert response.status_code == 403 and "다시 계획" in response.get_data(as_text=True)


def test_start_button_dispatches_the_route(client, planned):
    """Given a planned route, when the courier taps 출발, then the plan is dispatched and both orders
    are out for delivery."""
    route, orders, path = planned

    client.post(f"{path}/start")

    assert db.session.scalar(select(WavePlan.status)) == "dispatched"
    assert {db.session.get(Order, o.id).status for o in orders} == {"out_for_delivery"}
