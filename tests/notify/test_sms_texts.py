"""Every SMS template rendered with worst-case values: one segment (customer, stall, admin texts)
or at most ten (the courier's route list), and only characters Korean carriers deliver."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from market_app.clock import SEOUL
from market_app.notify.events import render_sms
from market_app.notify.route_message import route_message
from market_app.notify.sms_text import (CARRIER_PREFIX, MAX_ROUTE_SEGMENTS, check_carrier_safe, check_one_segment,
                                        segment_count)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "sms"
# Official names run long: parentheses with former names, or nine characters and more.
LONG_MARKETS = ["서울중앙시장", "대명여울빛거리시장", "돌곶이시장(구 석관황금시장)", "수유전통시장(수유골목시장)"]
ORDER_ID = 123456


@pytest.fixture(scope="module")
def app():
    """Rendering needs the app's templates and filters, not a database: one app for the module."""
    from config import TestingConfig
    from market_app import create_app
    app = create_app(TestingConfig)
    with app.app_context():
        yield app
ETA = datetime(2026, 11, 24, 14, 35, tzinfo=SEOUL)


def order(market_name: str, **fields):
    return SimpleNamespace(id=ORDER_ID, market=SimpleNamespace(name=market_name), refund_amount=0, **fields)


def one_segment_cases(market_name: str):
    from market_app.notify.text_parts import short_market_name, short_stall_name
    market = short_market_name(market_name)
    link = "http://jangbogi.test/o/123456"
    stall_order = SimpleNamespace(order_id=ORDER_ID, stall=SimpleNamespace(name="할머니손맛반찬가게(2호점)"))
    stop = SimpleNamespace(eta_start=ETA, eta_end=ETA + timedelta(minutes=30))
    return {
        "order_placed": dict(market=market, link=link),
        "order_accepted": dict(market=market, link=link, order=order(market_name)),
        "order_accepted (refund)": dict(market=market, link=link,
                                        order=SimpleNamespace(id=ORDER_ID, refund_amount=1_234_560)),
        "order_cancelled": dict(market=market, link=link, reason="마감 시각까지 상점 응답 없음"),
        "order_dispatched": dict(market=market, link=link, stop=stop),
        "order_delivered": dict(market=market, link=link),
        "order_failed": dict(market=market, link=link, reason="상품 문제"),
        "order_failed (no next wave)": dict(market=market, link=link, reason="상품 문제", redelivery=False),
        "stall_order_waiting": dict(items=99, link="http://jangbogi.test/s"),
        "stall_order_reminder": dict(stall_order=stall_order, link="http://jangbogi.test/s"),
        "stall_order_escalated": dict(stall_order=stall_order, minutes=999, link="http://jangbogi.test/a",
                                      stall=short_stall_name(stall_order.stall.name)),
        "dead_letters": dict(market=market, count=9999, link="http://jangbogi.test/admin/sms"),
        "courier_route_cancelled": dict(market=market, cutoff="14:00", link=""),
    }


@pytest.mark.parametrize("market_name", LONG_MARKETS)
@pytest.mark.parametrize("case", list(one_segment_cases("서울중앙시장")))
def test_every_one_segment_text_fits_with_worst_case_values(app, market_name, case):
    """Given the longest market names, 6-digit order ids and big amounts, when rendered, then each text
    fits one segment with the carrier prefix, passes the EUC-KR check and keeps its link."""
    context = one_segment_cases(market_name)[case]
    template = case.split(" ")[0]

    body = render_sms(template, **context)

    check_one_segment(body)
    assert segment_count(CARRIER_PREFIX + body) == 1
    assert body.endswith(" " + context["link"]) or not context["link"]


def test_full_form_is_used_when_it_fits_and_compact_form_otherwise(app):
    """Given a short reason, the full text says it; given a long one, the compact text drops it."""
    link = "http://jangbogi.test/o/1"

    short = render_sms("order_cancelled", market="망원시장", link=link, reason="고객 요청")
    long = render_sms("order_cancelled", market="대명여울빛거리", link=link * 2, reason="마감 시각까지 상점 응답 없음")

    assert short == f"[망원시장] 주문 취소(고객 요청). 청구되지 않아요 {link}"
    assert "(" not in long and long.startswith("[대명여울빛거리] 주문 취소. 청구되지 않아요")


def test_accepted_text_says_the_amount_not_charged(app):
    """Given a partly refused order, when the acceptance text is rendered, then it names the refund."""
    body = render_sms("order_accepted", market="망원시장", link="http://jangbogi.test/o/7",
                      order=SimpleNamespace(id=7, refund_amount=12_000))

    assert "12,000원" in body and "청구" in body


def test_people_supplied_characters_outside_ks_x_1001_are_replaced(app):
    """Given a market name with "똠" (outside KS X 1001) and an emoji, then the text is still carrier safe."""
    body = render_sms("order_placed", market="똠방😀시장", link="http://jangbogi.test/o/1")

    check_carrier_safe(body)
    assert body.startswith("[?방?시장]")


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.txt")), ids=lambda p: p.name)
def test_template_text_itself_is_carrier_safe(path):
    """Given a template file, then its own words (outside Jinja tags) use only EUC-KR characters."""
    literal = re.sub(r"{[{%#].*?[}%#]}", "", path.read_text(encoding="utf-8"), flags=re.S)

    check_carrier_safe(literal)


def route(stops: int, market_name: str = "돌곶이시장(구 석관황금시장)", revision: int = 1):
    plan = SimpleNamespace(market=SimpleNamespace(name=market_name), wave_cutoff="14:00", wave_date=date(2026, 11, 24))
    departure = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)
    stop_list = [
        # Customers' windows open at departure (arrival -10 min, kept inside the wave); arrivals differ.
        SimpleNamespace(sequence=n, arrival=departure + timedelta(minutes=6 * n), eta_start=departure,
                        order=SimpleNamespace(dong="석관동", address_detail=f"돌곶이로 {n}길 12-{n}, 그린빌라 B동 {n}0{n}호",
                                              bags=3, contact_phone=f"+8210123{n:05d}"))
        for n in range(1, stops + 1)
    ]
    return SimpleNamespace(plan=plan, departure=departure, stops=stop_list)


ROUTE_LINK = "http://jangbogi.test/r/" + "x" * 90  # a signed token is about this long


def test_route_with_forty_stops_stays_within_ten_segments_and_says_how_many_remain(app):
    """Given 40 stops with long addresses, when the route text is built, then it is at most 10 segments,
    lists the first stops in order and ends with how many remain on the page, then the link."""
    body = route_message(route(40), ROUTE_LINK)

    check_carrier_safe(body)
    assert segment_count(CARRIER_PREFIX + body) <= MAX_ROUTE_SEGMENTS
    lines = body.split("\n")
    assert lines[0] == "[돌곶이시장] 14:00 배송 40곳 120봉 출발 14:30"
    listed = [line for line in lines if re.match(r"\d+\. ", line)]
    assert [int(line.split(".")[0]) for line in listed] == list(range(1, len(listed) + 1))
    assert lines[-2] == f"외 {40 - len(listed)}곳은 링크에서 확인"
    assert lines[-1] == ROUTE_LINK
    assert len(listed) >= 10


def test_short_route_lists_every_stop_with_eta_address_bags_and_last_digits(app):
    """Given three stops, then each has its number, ETA, address with detail, bags and phone's last 4."""
    body = route_message(route(3), ROUTE_LINK)

    assert body.split("\n")[1] == "1. 14:36 돌곶이로 1길 12-1, B동 101호 3봉 (0001)"
    assert "외" not in body and body.endswith(ROUTE_LINK)
    assert segment_count(CARRIER_PREFIX + body) <= MAX_ROUTE_SEGMENTS


def test_each_stop_shows_when_the_courier_gets_there_not_when_the_customers_window_opens(app):
    """Given stops whose customer windows all open at the 14:30 departure, when the route text is built, then
    every line shows that stop's own estimated arrival, so the courier sees the order of the afternoon."""
    lines = route_message(route(3), ROUTE_LINK).split("\n")

    assert [line.split(" ")[1] for line in lines[1:4]] == ["14:36", "14:42", "14:48"]


def test_replanned_route_is_marked_as_changed(app):
    """Given a second plan revision, then the courier's list says the route changed."""
    assert route_message(route(2), ROUTE_LINK, revision=2).startswith("[돌곶이시장] 경로 변경 14:00 배송 2곳")
