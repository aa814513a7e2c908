"""Read API: markets near a point, market detail, stalls, products, search, errors, OpenAPI."""
from __future__ import annotations

import pytest

from tests.factories import MANGWON_1_DONG


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


def test_markets_lists_every_online_market(client, world):
    """Given three online markets and one offline, the list has the three with their basic fields."""
    markets = client.get("/api/markets").get_json()

    assert sorted(m["name"] for m in markets) == ["마포농수산물시장", "망원시장", "암사종합시장"]
    mangwon = next(m for m in markets if m["name"] == "망원시장")
    assert {"id": world.mangwon.id, "name": "망원시장", "gu": "마포구", "lat": 37.5561, "lng": 126.9058,
            "stall_count": 80}.items() <= mangwon.items()


def test_markets_near_a_point_are_nearest_first_with_distance_and_delivery(client, world):
    """Given a point in 망원1동, 망원시장 comes first (a few hundred metres, delivers) and the
    강동구 market last (over 10 km, does not deliver)."""
    lat, lng = MANGWON_1_DONG
    markets = client.get("/api/markets", query_string={"lat": lat, "lng": lng}).get_json()

    assert [m["name"] for m in markets] == ["망원시장", "마포농수산물시장", "암사종합시장"]
    assert [m["delivers"] for m in markets] == [True, True, False]
    distances = [m["distance_m"] for m in markets]
    assert distances == sorted(distances)
    assert 300 < distances[0] < 600 and distances[2] > 10_000
    assert all(isinstance(d, int) for d in distances)


@pytest.mark.parametrize("args", [
    {"lat": "abc", "lng": "126.9"},
    {"lat": "95", "lng": "126.9"},
    {"lat": "37.55", "lng": "200"},
    {"lat": "37.55"},
    {"lng": "126.9"},
])
def test_bad_coordinates_are_422_json(client, world, args):
    """Given a non-number, an out-of-range value or only one coordinate, the answer is a 422 error."""
    error = _error(client.get("/api/markets", query_string=args), 422)
    assert error["code"] == "validation_error"
    assert error["message"] == "입력값을 확인해 주세요."


def test_market_detail(client, world):
    """Given an online market id, its detail includes the delivery rules."""
    market = client.get(f"/api/markets/{world.mangwon.id}").get_json()
    assert market["name"] == "망원시장"
    assert (market["delivery_radius_m"], market["minimum_order"], market["delivery_fee"]) == (2000, 15000, 3000)


@pytest.mark.parametrize("path", ["/api/markets/{id}", "/api/markets/{id}/stalls", "/api/markets/{id}/search?q=두부"])
def test_unknown_or_offline_market_is_404_json(client, world, path):
    """Given an unknown id or an offline market, every market endpoint answers 404 market_not_found."""
    for market_id in (999_999, world.offline.id):
        error = _error(client.get(path.format(id=market_id)), 404)
        assert error == {"code": "market_not_found", "message": "시장을 찾을 수 없습니다."}


def test_market_stalls(client, world):
    """Given 망원시장's four stalls, each is listed with its category and open state."""
    stalls = client.get(f"/api/markets/{world.mangwon.id}/stalls").get_json()
    assert {s["name"]: (s["category"], s["is_open"]) for s in stalls} == {
        "망원두부": ("두부", True), "초록채소": ("채소", True), "서해수산": ("수산", False), "한우마을": ("정육점", True),
    }
    assert {s["market_id"] for s in stalls} == {world.mangwon.id}


def test_stall_products_show_price_stock_and_availability(client, world):
    """Given a stall with sold-out and no-stock products, each says whether it can be bought."""
    products = client.get(f"/api/stalls/{world.tofu_stall.id}/products").get_json()

    by_name = {p["name"]: p for p in products}
    assert set(by_name) == {"국산 두부", "순두부", "연두부", "두부 튀김"}
    assert by_name["국산 두부"]["price"] == 2500 and by_name["국산 두부"]["unit"] == "1모"
    assert (by_name["연두부"]["sold_out"], by_name["연두부"]["available"]) == (True, False)
    assert (by_name["두부 튀김"]["stock"], by_name["두부 튀김"]["available"]) == (0, False)
    assert by_name["순두부"]["available"] is True


def test_unknown_stall_is_404_json(client, world):
    """Given an unknown stall id, the products endpoint answers 404 stall_not_found."""
    error = _error(client.get("/api/stalls/999999/products"), 404)
    assert error["code"] == "stall_not_found"


def test_search_is_space_insensitive_and_cheapest_first(client, world):
    """Given "국산두부", both spellings in 망원시장 are found, cheapest first, with their stall."""
    hits = client.get(f"/api/markets/{world.mangwon.id}/search", query_string={"q": "국산두부"}).get_json()
    assert [(h["name"], h["stall_name"], h["price"]) for h in hits] == [
        ("국산 두부", "망원두부", 2500), ("국산두부", "초록채소", 2700),
    ]


def test_search_without_query_is_422(client, world):
    """Given no q (or an empty one), the search answers 422."""
    for query in ("", "?q="):
        assert _error(client.get(f"/api/markets/{world.mangwon.id}/search{query}"), 422)["code"] == "validation_error"


def test_unknown_api_path_and_wrong_method_are_json_errors(client):
    """Given a path under /api that does not exist or a method it does not allow, the error is JSON
    with a Korean message, not an HTML page."""
    assert _error(client.get("/api/nothing-here"), 404) == {"code": "not_found", "message": "페이지를 찾을 수 없습니다."}
    assert _error(client.delete("/api/markets"), 405)["code"] == "method_not_allowed"


def test_unexpected_api_failure_is_json_500(app, world):
    """Given an API view that crashes (exceptions not propagated, as in production), the answer is a
    JSON 500 that reveals nothing of the exception."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crash():
        raise RuntimeError("secret detail")
    app.add_url_rule("/api/crash-for-test", "crash_for_test", crash)

    response = app.test_client().get("/api/crash-for-test")

    assert _error(response, 500) == {"code": "internal_error", "message": "일시적인 오류가 발생했습니다."}
    assert "secret" not in response.get_data(as_text=True)


def test_openapi_description_lists_every_read_endpoint(client):
    """Given the generated OpenAPI description, it documents each catalog path."""
    response = client.get("/api/openapi.json")

    spec = response.get_json()
    assert response.status_code == 200 and spec["openapi"].startswith("3.")
    assert {"/api/markets", "/api/markets/{market_id}", "/api/markets/{market_id}/stalls",
            "/api/stalls/{stall_id}/products", "/api/markets/{market_id}/search"} <= set(spec["paths"])
    parameters = {p["name"] for p in spec["paths"]["/api/markets"]["get"]["parameters"]}
    assert {"lat", "lng"} <= parameters
