"""Search within one market across all its stalls: spaces ignored, cheapest first, paginated."""
from __future__ import annotations

from market_app.extensions import db
from tests.catalog.html_text import prices, product_rows, visible_text
from tests.factories import make_product, make_stall


def _search(client, market, query, **args):
    return client.get(f"/markets/{market.id}/search", query_string={"q": query, **args})


def test_tofu_lists_every_stalls_tofu_cheapest_first(client, world):
    """Given 두부 at two stalls of 망원시장 (and cheaper 두부 in other markets), the search lists
    this market's 두부 from both stalls, cheapest first, with the stall name."""
    response = _search(client, world.mangwon, "두부")

    rows = product_rows(response)
    assert [row[0] for row in rows] == ["연두부 망원두부", "순두부 망원두부", "국산 두부 망원두부",
                                        "국산두부 초록채소", "두부 튀김 망원두부"]
    assert prices(response) == [1800, 2000, 2500, 2700, 3600]
    assert "'두부' 검색 결과 5개 (낮은 가격순)" in visible_text(response)


def test_search_ignores_spaces_in_query_and_names(client, world):
    """Given "국산 두부" and "국산두부" as product names, either spelling finds both."""
    for query in ("국산두부", "국산 두부", " 국 산 두 부 "):
        names = [row[0] for row in product_rows(_search(client, world.mangwon, query))]
        assert names == ["국산 두부 망원두부", "국산두부 초록채소"], query


def test_sold_out_hits_are_shown_as_sold_out(client, world):
    """Given a sold-out 연두부, it is still found but marked 품절."""
    rows = product_rows(_search(client, world.mangwon, "연두부"))
    assert rows == [["연두부 망원두부", "1팩", "1,800원", "품절"]]


def test_no_match_gets_a_korean_message(client, world):
    """Given a name no stall sells, the page says so in Korean."""
    text = visible_text(_search(client, world.mangwon, "사과"))
    assert "'사과'에 맞는 상품이 망원시장에 없습니다." in text


def test_wildcard_characters_are_searched_literally(client, world):
    """Given "%" or "_" (LIKE wildcards), nothing matches instead of everything."""
    for query in ("%", "_", "두%"):
        assert product_rows(_search(client, world.mangwon, query)) == [], query


def test_empty_query_asks_for_a_name(client, world):
    """Given no query, the page asks what to look for."""
    text = visible_text(_search(client, world.mangwon, ""))
    assert "찾을 상품 이름을 입력해 주세요." in text


def test_long_result_lists_are_paginated_and_stay_in_price_order(client, world):
    """Given 25 more 두부 products, page 1 shows 20 and page 2 the remaining 10, prices ascending."""
    stall = make_stall(world.mangwon, "두부공장", "두부")
    for number in range(25):
        make_product(stall, f"두부 {number:02d}", 3000 + 100 * number)
    db.session.commit()

    first = _search(client, world.mangwon, "두부")
    second = _search(client, world.mangwon, "두부", page=2)

    assert len(product_rows(first)) == 20 and "1 / 2" in visible_text(first)
    assert len(product_rows(second)) == 10
    everything = prices(first) + prices(second)
    assert everything == sorted(everything) and len(everything) == 30
    assert "page=2" in first.get_data(as_text=True)


def test_search_in_unknown_market_is_404(client, world):
    """Given a market id that does not exist, the search page is 404."""
    assert client.get("/markets/999999/search?q=두부").status_code == 404
