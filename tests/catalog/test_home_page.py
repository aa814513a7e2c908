"""Home page: a resident types or picks a 동 and sees the markets that deliver there."""
from __future__ import annotations

import re

from market_app.geo.distance import haversine_m
from market_app.geo.gazetteer import Gazetteer
from market_app.templating import distance
from tests.catalog.html_text import visible_text

MANGWON_1_DONG_CODE = "1144069000"


def _dong(label: str):
    return Gazetteer.load().search(label)[0]


def test_bare_dong_name_offers_the_numbered_dongs_to_pick(client, world):
    """Given "망원동" (the name everybody uses), the page asks which of 망원1동 / 망원2동 is meant."""
    response = client.get("/", query_string={"q": "망원동"})

    text = visible_text(response)
    assert response.status_code == 200
    assert "어느 동인가요?" in text
    assert "마포구 망원1동" in text and "마포구 망원2동" in text
    assert f'href="/?dong_code={MANGWON_1_DONG_CODE}"' in response.get_data(as_text=True)
    assert "망원시장" not in text  # nothing listed until a 동 is chosen


def test_numbered_dong_lists_delivering_markets_nearest_first(client, world):
    """Given "망원1동", the two markets within their radius are listed nearest first with distance,
    next wave and minimum order; the far 강동구 market and the offline market are not."""
    response = client.get("/", query_string={"q": "망원1동"})

    text = visible_text(response)
    assert "마포구 망원1동 근처 시장" in text
    assert text.index("망원시장") < text.index("마포농수산물시장")
    assert "암사종합시장" not in text and "망원월드컵시장" not in text
    place = _dong("망원1동")
    expected = distance(round(haversine_m(place.lat, place.lng, world.mangwon.lat, world.mangwon.lng)))
    assert re.search(rf"망원시장 배달 가능 마포구 · {re.escape(expected)} · 최소주문 15,000원 "
                     r"다음 배송: 11:00 마감 · 11:30–13:30 배송 \(11/24\)", text), text


def test_every_way_of_writing_the_dong_finds_it(client, world):
    """Given "망원 1동", "망원제1동" or "서울 마포구 망원1동", the same 동 and markets are shown."""
    for query in ("망원 1동", "망원제1동", "서울 마포구 망원1동", "마포구 망원1동"):
        text = visible_text(client.get("/", query_string={"q": query}))
        assert "마포구 망원1동 근처 시장" in text, query
        assert "망원시장" in text, query


def test_gu_and_bare_dong_narrow_the_choice_to_that_gu(client, world):
    """Given "마포구 망원동", only 마포구's 망원1동 and 망원2동 are offered."""
    text = visible_text(client.get("/", query_string={"q": "마포구 망원동"}))
    choices = text[text.index("어느 동인가요?"):]
    assert choices.split() == ["어느", "동인가요?", "마포구", "망원1동", "마포구", "망원2동"]


def test_picking_gu_then_dong_from_the_lists(client, world):
    """Given the 구 picker, choosing 마포구 lists its 동 as links, and following one shows its markets."""
    gu_page = client.get("/", query_string={"gu": "마포구"})
    assert f'href="/?dong_code={MANGWON_1_DONG_CODE}"' in gu_page.get_data(as_text=True)
    assert "망원1동" in visible_text(gu_page) and "상암동" in visible_text(gu_page)

    text = visible_text(client.get("/", query_string={"dong_code": MANGWON_1_DONG_CODE}))
    assert "마포구 망원1동 근처 시장" in text and "망원시장 배달 가능" in text


def test_address_outside_every_radius_gets_a_korean_explanation(client, world):
    """Given 종로구 평창동 (over 2 km from every market), the page says no market delivers there
    yet and still shows the nearest markets, marked as outside their delivery area."""
    text = visible_text(client.get("/", query_string={"q": "평창동"}))

    assert "종로구 평창동은 아직 배달 가능한 시장이 없습니다." in text
    assert "배달 지역 아님" in text and "배달 가능 " not in text
    assert "망원시장" in text  # the nearest are still shown, not an empty page


def test_unknown_dong_name_says_what_to_type(client, world):
    """Given a name that is no Seoul 동, a Korean hint with examples is shown."""
    text = visible_text(client.get("/", query_string={"q": "없는동네"}))
    assert "'없는동네'에 해당하는 동을 찾지 못했습니다. 예: 망원동, 마포구 망원1동" in text


def test_unknown_dong_code_is_a_message_not_an_error(client, world):
    """Given a dong_code that does not exist, the page explains instead of failing."""
    response = client.get("/", query_string={"dong_code": "0000000000"})
    assert response.status_code == 200
    assert "선택한 동을 찾을 수 없습니다." in visible_text(response)


def test_home_page_works_without_javascript(client, world):
    """Given the home page, the 동 search is a plain GET form and the page loads no script."""
    body = client.get("/").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/"[^>]*role="search"', body)
    assert "<script" not in body
