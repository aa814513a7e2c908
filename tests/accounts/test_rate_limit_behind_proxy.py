"""Behind the https proxy every request comes from the proxy's address: with PROXY_HOPS set, login
limits count per client (the address the proxy forwards), not one bucket for the whole city."""
from __future__ import annotations

from config import TestingConfig
from market_app import create_app
from market_app.extensions import db


def _login_statuses(hops: int, tmp_path) -> list[int]:
    """Three wrong logins from client A, then one from client B, through one proxy (127.0.0.1)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / f'proxy{hops}.sqlite3'}",
                     RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", PROXY_HOPS=hops)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.post("/login", data={"phone": "010-1234-5678", "password": "wrong"},
                                headers={"X-Forwarded-For": client_address}).status_code
                    for client_address in ("203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.9")]
        db.engine.dispose()
    return statuses


def test_with_one_proxy_hop_each_client_has_its_own_limit(tmp_path, frozen_now):
    """Given PROXY_HOPS=1 and 2 logins per minute, when client A tries three times and client B once,
    then only A's third attempt is refused (429) and B may still try."""
    assert _login_statuses(1, tmp_path) == [200, 200, 429, 200]


def test_without_a_proxy_a_forged_header_does_not_escape_the_limit(tmp_path, frozen_now):
    """Given no proxy (PROXY_HOPS=0, the default), when one caller sends X-Forwarded-For values, then
    they are ignored: the caller's own address is limited."""
    assert _login_statuses(0, tmp_path) == [200, 200, 429, 429]
