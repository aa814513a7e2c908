"""Browser: a resident orders from three stalls into today's next wave; the stall owner's tablet
chimes without reloading, the owner partly accepts; the resident sees the reduced total."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from market_app import clock
from market_app.extensions import db
from market_app.particles import with_particle
from tests.conftest import FROZEN_NOW
from tests.ordering.factories import make_owner, make_resident, make_shop

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet in landscape
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def market_day(live_server, monkeypatch):
    """망원시장 with three stalls, a resident with a saved address, the tofu stall's owner; Tuesday 10:00."""
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    with live_server.app.app_context():
        shop = make_shop()
        resident = make_resident()
        owner = make_owner(shop.tofu_stall, "김두부")
        db.session.commit()
        return {"resident_phone": resident.phone, "owner_phone": owner.phone,
                "stalls": {"tofu": shop.tofu_stall.id, "veg": shop.veg_stall.id, "fish": shop.fish_stall.id}}


def _sign_in(page, url: str, phone: str) -> None:
    page.goto(url)
    page.fill("#phone", phone)
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")


def _add(page, base: str, stall_id: int, product: str, quantity: int) -> None:
    page.goto(f"{base}/stalls/{stall_id}")
    row = page.locator("tr.product", has_text=product)
    row.locator("input[name=quantity]").fill(str(quantity))
    row.get_by_role("button", name="담기").click()
    expect(page.locator(".flash.success")).to_contain_text(f"{with_particle(product, '을/를')} 장바구니에 담았습니다")


def test_resident_orders_stall_owner_partly_accepts_resident_sees_new_total(live_server, page, browser, market_day):
    """Given the owner's tablet shows an empty queue, when a resident checks out a three-stall cart into
    today's next wave, then the tablet shows the order and chimes until tapped; when the owner keeps 1 of 2
    tofu and marks the sprouts 품절, then the resident's order page shows 일부 수락 and 21,500원."""
    base, stalls = live_server.url, market_day["stalls"]

    # The stall owner signs in on the tablet (password once: the tablet is now registered).
    tablet_context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", viewport=TABLET)
    tablet = tablet_context.new_page()
    tablet.set_default_timeout(10_000)
    try:
        _sign_in(tablet, f"{base}/stall/login", market_day["owner_phone"])
        expect(tablet.locator("#waiting-title")).to_contain_text("확인할 주문 0")
        assert tablet.evaluate("window.stallTablet.chiming") is False

        # The resident fills one cart from three stalls and checks out.
        page.set_viewport_size(PHONE)
        _sign_in(page, f"{base}/login", market_day["resident_phone"])
        _add(page, base, stalls["tofu"], "국산 두부", 2)
        _add(page, base, stalls["tofu"], "콩나물", 1)
        _add(page, base, stalls["veg"], "부사 사과", 1)
        _add(page, base, stalls["fish"], "손질 고등어", 1)
        page.goto(f"{base}/cart")
        assert page.locator("section.card").count() == 3
        page.get_by_role("link", name="주문하기").click()
        first_wave = page.locator("label.wave-choice").first
        expect(first_wave).to_contain_text("오늘 11:00 마감")
        expect(first_wave.locator("input")).to_be_checked()
        page.locator("#checkout-form button[type=submit]").click()
        expect(page.locator("#order-status")).to_contain_text("주문 접수")
        expect(page.locator("#charged-total")).to_have_text("25,500원")
        order_id = re.search(r"/orders/(\d+)", page.url).group(1)

        # The tablet picks the order up by polling, without a reload, and chimes until tapped.
        banner = tablet.locator("#new-order-banner")
        expect(banner).to_be_visible(timeout=15_000)
        expect(banner).to_contain_text("새 주문 1건")
        ticket = tablet.locator("article.ticket", has_text=f"주문 {order_id}번")
        expect(ticket).to_contain_text("국산 두부")
        expect(ticket).to_contain_text("11:00 마감")
        assert tablet.evaluate("document.body.dataset.chiming") == "true"
        tablet.wait_for_function("window.stallTablet.chimesPlayed >= 1")
        tablet.locator("#ack-button").click()
        expect(banner).to_be_hidden()
        assert tablet.evaluate("window.stallTablet.chiming") is False

        # Partly accept: 1 of 2 tofu, sprouts 품절.
        ticket.locator("summary", has_text="일부 수락").click()
        ticket.locator(".partial-line", has_text="국산 두부").locator("input").fill("1")
        ticket.locator(".partial-line", has_text="콩나물").get_by_role("button", name="품절").click()
        ticket.get_by_role("button", name="이대로 수락").click()
        expect(tablet.locator(".flash.success")).to_contain_text("일부 수락했습니다")
        expect(tablet.locator("#pack-title")).to_contain_text("포장할 주문 1")
    finally:
        tablet_context.close()

    # The resident's order page shows the change and the reduced total.
    page.reload()
    tofu_part = page.locator("section.stall-order", has_text="망원두부")
    expect(tofu_part).to_contain_text("일부 수락")
    expect(page.locator("#refund")).to_contain_text("−4,000원")
    expect(page.locator("#charged-total")).to_have_text("21,500원")
    expect(page.locator("#timeline")).to_contain_text("국산 두부 2→1개")
