"""Real concurrency on PostgreSQL: many threads, each with its own app context, session and connection.

SQLite serialises every writer, so these only prove something on PostgreSQL and are skipped elsewhere.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from market_app.accounts.models import User
from market_app.errors import DomainError
from market_app.extensions import db
from market_app.ordering.models import Order, OrderEvent, OrderLine
from market_app.ordering.operations import LineRequest, accept_stall_order, place_order
from tests.conftest import FROZEN_NOW
from tests.ordering.factories import checkout_request, make_resident, place, stall_order_of, stock_of

pytestmark = pytest.mark.postgres_only

THREADS = 12


@pytest.fixture(autouse=True)
def _postgres_only(database_kind):
    if database_kind != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (set TEST_DATABASE_URL)")


def _race(app, work, count: int) -> list:
    """Run work(i) in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                results[i] = work(i)
            except Exception as error:  # collected and inspected by the test
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing checkout hung"
    return results


def test_residents_racing_for_the_last_tofu_never_oversell(app, shop):
    """Given 5 packs of tofu left, when 12 residents check out at the same moment (1 or 2 packs each, with
    enough other goods to pass the minimum), then stock never goes negative, every sold pack is one that
    was in stock, and the losers get out_of_stock."""
    shop.tofu.stock = 5
    residents = [make_resident(f"주민{i}") for i in range(THREADS)]
    db.session.commit()
    requests = {r.id: checkout_request(shop, r, [LineRequest(shop.tofu.id, 1 + i % 2),
                                                 LineRequest(shop.bean_sprouts.id, 10)])
                for i, r in enumerate(residents)}
    ids = [r.id for r in residents]

    def checkout(i: int):
        resident = db.session.get(User, ids[i])
        return place_order(resident, requests[resident.id], FROZEN_NOW).order.id

    results = _race(app, checkout, THREADS)

    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, DomainError) and e.code == "out_of_stock" for e in errors), errors
    db.session.expire_all()
    sold = db.session.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0))
                             .where(OrderLine.product_id == shop.tofu.id))
    remaining = stock_of(shop.tofu)
    assert remaining >= 0
    assert sold + remaining == 5
    assert db.session.scalar(select(func.count(Order.id))) == THREADS - len(errors)
    assert len(errors) >= THREADS - 5  # at most five winners for five packs


def test_a_double_submit_racing_itself_makes_one_order(app, shop, resident):
    """Given one checkout request, when 12 copies with the same idempotency key arrive at once, then one
    order exists, every copy answers with it, and stock was taken once."""
    request = checkout_request(shop, resident, key="same-key-everywhere")
    resident_id = resident.id

    def checkout(i: int):
        result = place_order(db.session.get(User, resident_id), request, FROZEN_NOW)
        return result.order.id, result.created

    results = _race(app, checkout, THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({order_id for order_id, _ in results}) == 1
    assert Counter(created for _, created in results) == Counter({True: 1, False: THREADS - 1})
    assert stock_of(shop.tofu) == 18


def test_stalls_answering_at_the_same_moment_accept_the_order_once(app, shop, resident, owners):
    """Given a three-stall order, when the three owners accept at the same moment, then the order is
    accepted exactly once (one event, one message) — none of them misses the others' answers."""
    order = place(shop, resident)
    jobs = [(owners[key].id, stall_order_of(order, stall).id)
            for key, stall in (("tofu", shop.tofu_stall), ("veg", shop.veg_stall), ("fish", shop.fish_stall))]

    def accept(i: int):
        owner_id, stall_order_id = jobs[i]
        return accept_stall_order(db.session.get(User, owner_id), stall_order_id, FROZEN_NOW).status

    results = _race(app, accept, 3)

    assert results == ["accepted"] * 3
    db.session.expire_all()
    assert order.status == "accepted"
    accepted_events = db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order.id, OrderEvent.stall_order_id.is_(None), OrderEvent.to_status == "accepted"))
    assert accepted_events == 1
