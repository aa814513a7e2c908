"""Browser: a resident finds the market that delivers to 망원1동 and searches it for 두부."""
from __future__ import annotations

import pytest

from market_app.extensions import db
from tests.factories import make_market, make_product, make_stall

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def mangwon_market(live_server, frozen_now):
    """망원시장 with 두부 at three stalls (one spelled without a space), and a market far away."""
    with live_server.app.app_context():
        mangwon = make_market()
        tofu_stall = make_stall(mangwon, "망원두부", "두부")
        make_product(tofu_stall, "국산 두부", 2500)
        make_product(tofu_stall, "순두부", 2000, unit="1봉")
        vegetables = make_stall(mangwon, "초록채소", "채소")
        make_product(vegetables, "국산두부", 2700)
        make_product(vegetables, "애호박", 1500, unit="1개")
        side_dishes = make_stall(mangwon, "엄마손반찬", "반찬")
        make_product(side_dishes, "두부조림", 3900, unit="1팩")
        make_market("암사종합시장", gu="강동구", lat=37.55054704, lng=127.1287149)
        db.session.commit()


def test_resident_finds_mangwon_market_and_searches_tofu(live_server, page, mangwon_market):
    """Given a phone-sized screen, when the resident types 망원동, picks 망원1동, opens 망원시장 and
    searches 두부, then every stall's 두부 is listed cheapest first."""
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    page.fill("#q", "망원동")
    page.get_by_role("button", name="시장 찾기").click()
    page.get_by_role("link", name="마포구 망원1동").click()

    assert page.locator("h2").first.inner_text() == "마포구 망원1동 근처 시장"
    assert page.locator(".card.market h3 a").all_inner_texts() == ["망원시장"]
    page.get_by_role("link", name="망원시장").click()

    page.fill("#search-q", "두부")
    page.get_by_role("button", name="검색").click()

    rows = page.locator("tr.product")
    prices = [int(text.rstrip("원").replace(",", "")) for text in rows.locator("td.price").all_inner_texts()]
    assert prices == [2000, 2500, 2700, 3900]
    assert "초록채소" in rows.nth(2).inner_text() and "엄마손반찬" in rows.nth(3).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_dong_without_a_market_gets_the_korean_message(live_server, page, mangwon_market):
    """Given 평창동, over 2 km from every market, the resident reads why nothing delivers there."""
    page.goto(live_server.url + "/?q=평창동")
    assert "아직 배달 가능한 시장이 없습니다" in page.get_by_role("alert").inner_text()
