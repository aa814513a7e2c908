"""The orders API: tokens, checkout with Idempotency-Key, status, cancel, JSON refusals, OpenAPI."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from config import TestingConfig
from market_app import clock, create_app
from market_app.clock import SEOUL
from market_app.extensions import db
from market_app.ordering.models import Order
from tests.factories import make_address
from tests.ordering.factories import FAR_AWAY, bearer, stock_of


def _order_body(shop, resident, **overrides) -> dict:
    body = {"market_id": shop.market.id, "wave": "2026-11-24@14:00", "address_id": resident.addresses[0].id,
            "lines": [{"product_id": shop.tofu.id, "quantity": 2},
                      {"product_id": shop.apples.id, "quantity": 1, "substitution": "call"},
                      {"product_id": shop.mackerel.id, "quantity": 1}]}
    body.update(overrides)
    return body


def _post_order(client, headers, body, key="api-key-0001"):
    return client.post("/api/orders", json=body, headers={**headers, "Idempotency-Key": key})


def test_token_for_phone_and_password(client, resident):
    """Given a resident, when asking for a token with the right and a wrong password, then a bearer token,
    and 401 invalid_credentials."""
    good = client.post("/api/auth/token", json={"phone": resident.phone, "password": "secret-pass"})
    bad = client.post("/api/auth/token", json={"phone": resident.phone, "password": "wrong-pass"})
    assert good.status_code == 200 and good.get_json()["token_type"] == "Bearer"
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_credentials"


def test_token_requests_are_rate_limited(tmp_path, frozen_now):
    """Given a limit of 3 sign-ins per minute, when a fourth token request comes, then 429 rate_limited."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limits.sqlite3'}",
                     RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/api/auth/token", json={"phone": "010-0000-0000", "password": "x"}).status_code
                 for _ in range(4)]
        db.session.remove()
    assert codes == [401, 401, 401, 429]


def test_place_an_order_through_the_api(client, shop, resident):
    """Given a token, when posting an order, then 201 with id, status, totals, wave and delivery date."""
    response = _post_order(client, bearer(client, resident), _order_body(shop, resident))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "placed" and body["delivery_date"] == "2026-11-24"
    assert (body["subtotal"], body["delivery_fee"], body["total"], body["charged_total"]) == (21_000, 3_000,
                                                                                             24_000, 24_000)
    assert body["wave"]["key"] == "2026-11-24@14:00" and body["wave"]["cutoff"] == "14:00"
    assert len(body["stall_orders"]) == 3 and body["can_cancel"] is True


def test_the_same_idempotency_key_returns_the_same_order(client, shop, resident):
    """Given an order posted with a key, when the request is retried, then the same 201 body and one order."""
    headers = bearer(client, resident)
    first = _post_order(client, headers, _order_body(shop, resident), key="retry-me-123")
    again = _post_order(client, headers, _order_body(shop, resident), key="retry-me-123")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(select(func.count(Order.id))) == 1 and stock_of(shop.tofu) == 18


def test_an_order_needs_an_idempotency_key(client, shop, resident):
    """Given no Idempotency-Key header, when posting an order, then 400 idempotency_key_required."""
    response = client.post("/api/orders", json=_order_body(shop, resident), headers=bearer(client, resident))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"


def test_refusals_are_json_errors_with_stable_codes(client, shop, resident):
    """Given a token, when posting orders that break each rule, then each refusal carries its code."""
    headers = bearer(client, resident)
    far = make_address(resident, lat=FAR_AWAY[0], lng=FAR_AWAY[1], gu="강남구", dong="역삼1동")
    shop.market.closed_weekdays = "2"  # Wednesday
    db.session.commit()
    cases = {
        "out_of_stock": _order_body(shop, resident, lines=[{"product_id": shop.mackerel.id, "quantity": 6}]),
        "below_minimum": _order_body(shop, resident, lines=[{"product_id": shop.tofu.id, "quantity": 1}]),
        "outside_delivery_area": _order_body(shop, resident, address_id=far.id),
        "market_closed": _order_body(shop, resident, wave="2026-11-25@14:00"),
        "unknown_wave": _order_body(shop, resident, wave="2026-11-24@15:00"),
        "validation_error": _order_body(shop, resident, lines=[{"product_id": shop.tofu.id, "quantity": 100}]),
    }
    codes = {expected: _post_order(client, headers, body, key=f"refusal-{number:04d}").get_json()["error"]["code"]
             for number, (expected, body) in enumerate(cases.items())}
    assert codes == {code: code for code in cases}
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_passed_cutoff_is_refused_as_wave_closed(client, shop, resident, monkeypatch):
    """Given it is 11:30, when ordering into the 11:00 wave, then 409 wave_closed."""
    headers = bearer(client, resident)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 11, 30, tzinfo=SEOUL))
    response = _post_order(client, headers, _order_body(shop, resident, wave="2026-11-24@11:00"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "wave_closed"


def test_read_list_and_cancel_own_order(client, shop, resident):
    """Given the resident's order, when reading it, listing and cancelling, then each answers with the
    order; a second cancel is a 409 invalid_transition."""
    headers = bearer(client, resident)
    order_id = _post_order(client, headers, _order_body(shop, resident)).get_json()["id"]

    assert client.get(f"/api/orders/{order_id}", headers=headers).get_json()["id"] == order_id
    assert [o["id"] for o in client.get("/api/orders", headers=headers).get_json()] == [order_id]
    cancelled = client.post(f"/api/orders/{order_id}/cancel", headers=headers)
    again = client.post(f"/api/orders/{order_id}/cancel", headers=headers)

    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["charged_total"] == 0
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"


def test_waves_of_a_market(client, shop):
    """Given Tuesday 10:00, when listing the market's waves, then today's three come first."""
    keys = [w["key"] for w in client.get(f"/api/markets/{shop.market.id}/waves").get_json()]
    assert keys[:4] == ["2026-11-24@11:00", "2026-11-24@14:00", "2026-11-24@17:00", "2026-11-25@11:00"]


def test_openapi_describes_the_ordering_endpoints(client):
    """Given the app, when reading /api/openapi.json, then every ordering and stall endpoint is described,
    with the Idempotency-Key header and the bearer scheme."""
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in [("/api/auth/token", "post"), ("/api/orders", "post"), ("/api/orders/{order_id}", "get"),
                         ("/api/orders/{order_id}/cancel", "post"), ("/api/stall/orders", "get"),
                         ("/api/stall-orders/{stall_order_id}/accept", "post"),
                         ("/api/stall-orders/{stall_order_id}/reject", "post"),
                         ("/api/stall-orders/{stall_order_id}/pack", "post"),
                         ("/api/stall/products/{product_id}", "patch"),
                         ("/api/markets/{market_id}/waves", "get")]:
        assert method in paths[path], path
    parameters = paths["/api/orders"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)
    assert "bearerAuth" in spec["components"]["securitySchemes"]
