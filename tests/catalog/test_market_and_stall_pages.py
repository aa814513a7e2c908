"""Market page (stalls by category, open or closed) and stall page (products, price, sold out)."""
from __future__ import annotations

from market_app.extensions import db
from tests.catalog.html_text import product_rows, visible_text
from tests.factories import make_product, make_stall


def test_market_page_groups_stalls_by_category_in_market_order(client, world):
    """Given four stalls, the market page lists them under their category, 정육점 first, 수산 after 채소."""
    text = visible_text(client.get(f"/markets/{world.mangwon.id}"))

    headings = ["정육점 한우마을", "채소 초록채소", "수산 서해수산", "두부 망원두부"]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "최소주문 15,000원 · 배달비 3,000원 (40,000원 이상 무료)" in text
    assert "다음 배송: 11:00 마감 · 11:30–13:30 배송 (11/24)" in text


def test_market_page_names_the_next_wave_still_taking_orders(client, world):
    """Given the 11:00 wave was planned ahead of its cut-off (it takes no more orders), when a resident opens
    the market page, then 다음 배송 names the 14:00 wave, the first one checkout offers."""
    from market_app.delivery.operations import plan_wave
    from tests.conftest import FROZEN_NOW
    plan_wave(world.mangwon, FROZEN_NOW.date(), "11:00", FROZEN_NOW)

    text = visible_text(client.get(f"/markets/{world.mangwon.id}"))

    assert "다음 배송: 14:00 마감 · 14:30–16:30 배송 (11/24)" in text


def test_market_page_shows_each_stall_open_or_closed(client, world):
    """Given 서해수산 closed today, it is marked 오늘 휴무 and the others 영업 중."""
    text = visible_text(client.get(f"/markets/{world.mangwon.id}"))
    assert "서해수산 오늘 휴무" in text
    assert "망원두부 영업 중" in text and "초록채소 영업 중" in text


def test_unknown_or_offline_market_is_a_korean_404_page(client, world):
    """Given a market id that does not exist or a market that is not online, the answer is 404."""
    for market_id in (999_999, world.offline.id):
        response = client.get(f"/markets/{market_id}")
        assert response.status_code == 404
        assert "시장을 찾을 수 없습니다." in visible_text(response)


def test_stall_page_lists_products_with_price_unit_and_sold_out(client, world):
    """Given a stall with a sold-out product and one with no stock left, both show 품절."""
    rows = product_rows(client.get(f"/stalls/{world.tofu_stall.id}"))

    assert rows[0][:3] == ["국산 두부", "1모", "2,500원"]
    by_name = {row[0]: row for row in rows}
    assert by_name["연두부"][1:] == ["1팩", "1,800원", "품절"]
    assert by_name["두부 튀김"][3] == "품절"
    assert by_name["순두부"][3] != "품절"


def test_closed_stall_page_says_closed_on_every_product(client, world):
    """Given a closed stall, its header says 오늘 휴무 and its products cannot be bought (휴무)."""
    response = client.get(f"/stalls/{world.closed_fish_stall.id}")
    assert "서해수산 오늘 휴무" in visible_text(response)
    assert [row[3] for row in product_rows(response)] == ["휴무"]


def test_stall_of_an_offline_market_is_404(client, world):
    """Given a stall whose market is not online, the stall page is 404."""
    stall = world.offline.stalls[0]
    assert client.get(f"/stalls/{stall.id}").status_code == 404
    assert client.get("/stalls/999999").status_code == 404


def test_long_stall_page_is_paginated(app, client, world):
    """Given a stall with 45 products and PER_PAGE 20 (stall pages show 40), page 2 holds the rest."""
    stall = make_stall(world.mangwon, "오곡상회", "잡곡")
    for number in range(45):
        make_product(stall, f"잡곡 {number:02d}", 1000 + number)
    db.session.commit()

    first = client.get(f"/stalls/{stall.id}")
    second = client.get(f"/stalls/{stall.id}", query_string={"page": 2})

    assert len(product_rows(first)) == 40 and "1 / 2" in visible_text(first)
    assert f'href="/stalls/{stall.id}?page=2"' in first.get_data(as_text=True)
    assert [row[0] for row in product_rows(second)] == [f"잡곡 {n}" for n in range(40, 45)]
