"""`flask seed demo` against a real, empty database (seeded once per database kind, ~5 s each):
the issue's done-when check, the shape of the demo, idempotency and determinism."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import pytest
from sqlalchemy import func, select

from config import TestingConfig
from market_app import create_app
from market_app.accounts.models import User
from market_app.catalog.models import Market, Product, Stall
from market_app.delivery.models import Courier
from market_app.demo import DEMO_PASSWORD
from market_app.extensions import db
from tests.catalog.html_text import prices, product_rows, visible_text
from tests.conftest import DATABASES, FROZEN_NOW, POSTGRES_URL, _reset_postgres

MANGWON_DONG = {"lat": 37.5563, "lng": 126.9066}


def _seed(runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def _fingerprint() -> str:
    """A digest of every market, stall and product name and price, in a stable order."""
    rows = db.session.execute(
        select(Market.name, Market.gu, Stall.name, Stall.category, Product.name, Product.unit, Product.price)
        .join(Stall, Stall.market_id == Market.id).join(Product, Product.stall_id == Stall.id)
        .order_by(Market.name, Market.gu, Stall.name, Product.name)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module", params=DATABASES)
def seeded_app(request, tmp_path_factory):
    """An app whose database holds the demo, seeded once through the CLI with the clock frozen."""
    url = POSTGRES_URL if request.param == "postgresql" else \
        f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        from market_app import clock
        patch.setattr(clock, "now", lambda: FROZEN_NOW)
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            if request.param == "postgresql":
                _reset_postgres(app)
            else:
                db.create_all()
            app.first_seed_output = _seed(app.test_cli_runner()).output
    yield app
    with app.app_context():
        if request.param == "postgresql":
            _reset_postgres(app)  # leave the shared test database empty for the next module
        db.engine.dispose()


@pytest.fixture
def seeded(seeded_app, frozen_now):
    """The seeded app inside a fresh app context per test (so no signed-in user leaks between tests)."""
    with seeded_app.app_context():
        yield seeded_app
        db.session.remove()


@lru_cache(maxsize=1)
def _fresh_sqlite_fingerprint() -> str:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.create_all()
        _seed(app.test_cli_runner())
        return _fingerprint()


def test_mangwon_dong_point_lists_mangwon_market_first_with_plausible_distance(seeded):
    """Done when: GET /api/markets?lat=37.5563&lng=126.9066 (망원동) lists 망원시장 among the first
    markets, with a distance in metres that matches the ~110 m between the two points."""
    markets = seeded.test_client().get("/api/markets", query_string=MANGWON_DONG).get_json()

    first_names = [m["name"] for m in markets[:3]]
    assert "망원시장" in first_names
    mangwon = next(m for m in markets if m["name"] == "망원시장")
    assert 50 <= mangwon["distance_m"] <= 500
    assert mangwon["delivers"] is True
    assert len(markets) == 65


def test_every_online_market_has_8_to_30_stalls_of_10_to_40_products(seeded):
    """Given the demo, each of the 65 online markets has 8–30 stalls, each with 10–40 products."""
    stalls_per_market = dict(db.session.execute(
        select(Market.name, func.count(Stall.id)).join(Stall).where(Market.is_online).group_by(Market.name)).all())
    products_per_stall = db.session.scalars(
        select(func.count(Product.id)).select_from(Stall).join(Product).group_by(Stall.id)).all()

    assert len(stalls_per_market) == 65
    assert all(8 <= count <= 30 for count in stalls_per_market.values()), stalls_per_market
    assert len(products_per_stall) == db.session.scalar(select(func.count(Stall.id)))
    assert all(10 <= count <= 40 for count in products_per_stall)


def test_every_online_market_has_couriers(seeded):
    """Given the demo, every online market has at least one active courier with shifts."""
    couriers = db.session.execute(
        select(Market.id, func.count(Courier.id)).outerjoin(Courier, Courier.market_id == Market.id)
        .where(Market.is_online).group_by(Market.id)).all()
    assert len(couriers) == 65 and all(count >= 1 for _, count in couriers)


def test_printed_demo_logins_can_sign_in(seeded):
    """Given the logins `flask seed demo` prints, each one signs in with the printed password."""
    output = seeded.first_seed_output
    assert f"password for all: {DEMO_PASSWORD}" in output
    phones = re.findall(r"^\s+\S+(?: \S+)?\s+(010-\d{4}-\d{4})", output, re.M)
    assert len(phones) == 5
    for phone in phones:
        client = seeded.test_client()
        response = client.post("/login", data={"phone": phone, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (phone, visible_text(response))


def test_second_run_adds_nothing(seeded):
    """Given a seeded database, running `flask seed demo` again changes no count."""
    def counts():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Market, Stall, Product, Courier, User)]
    before = counts()

    output = _seed(seeded.test_cli_runner()).output
    db.session.remove()

    assert counts() == before
    assert "already seeded, nothing added" in output


def test_demo_is_deterministic(seeded):
    """Given the same seed, a fresh database gets exactly the same markets, stalls and products."""
    assert _fingerprint() == _fresh_sqlite_fingerprint()


def test_search_tofu_in_demo_mangwon_market_is_cheapest_first(seeded):
    """Given the demo 망원시장, a 두부 search page lists 두부 from more than one stall, cheapest first."""
    market_id = db.session.scalar(select(Market.id).where(Market.name == "망원시장"))
    response = seeded.test_client().get(f"/markets/{market_id}/search", query_string={"q": "두부"})

    found = prices(response)
    assert len(found) >= 3 and found == sorted(found)
    stalls = {row[0].rsplit(" ", 1)[-1] for row in product_rows(response)}
    assert len(stalls) >= 2
