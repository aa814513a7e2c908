"""`flask routes plan`: plan a wave on demand, dry run, no second plan."""
from __future__ import annotations

from sqlalchemy import func, select

from market_app.delivery.models import WavePlan
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from tests.delivery.factories import make_courier, make_order, spot_near
from tests.factories import make_market


def _setup():
    market = make_market()
    make_courier(market, name="김배송")
    orders = [make_order(market, spot=spot_near(i)) for i in range(2)]
    db.session.commit()
    return market, orders


def test_dry_run_prints_the_routes_and_stores_nothing(runner):
    """Given a wave with two orders, when `flask routes plan --dry-run` runs, then the route with both
    orders is printed and no plan or SMS row is stored."""
    market, orders = _setup()

    result = runner.invoke(args=["routes", "plan", "--market", str(market.id), "--date", "2026-11-24",
                                 "--wave", "14:00", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "DRY RUN" in result.output and "김배송" in result.output
    assert all(f"order {o.id} " in result.output for o in orders)
    assert db.session.scalar(select(func.count(WavePlan.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_plan_stores_once_and_a_second_call_says_so(runner):
    """Given a wave, when `flask routes plan` runs twice, then one plan is stored and the second call
    reports it was not planned again."""
    market, _orders = _setup()
    args = ["routes", "plan", "--market", str(market.id), "--date", "2026-11-24", "--wave", "14:00"]

    first = runner.invoke(args=args)
    second = runner.invoke(args=args)

    assert first.exit_code == 0 and "planned, revision 1" in first.output
    assert "not planned again" in second.output
    assert db.session.scalar(select(func.count(WavePlan.id))) == 1


def test_unknown_wave_and_closed_day_are_refused(runner):
    """Given a market without a 13:00 wave and closed on Mondays, when asked for them, then the command
    fails with the reason."""
    market = make_market(closed_weekdays="0")
    db.session.commit()

    unknown = runner.invoke(args=["routes", "plan", "--market", str(market.id), "--date", "2026-11-24",
                                  "--wave", "13:00"])
    closed = runner.invoke(args=["routes", "plan", "--market", str(market.id), "--date", "2026-11-23",
                                 "--wave", "14:00"])

    assert unknown.exit_code != 0 and "unknown_wave" in unknown.output
    assert closed.exit_code != 0 and "market_closed" in closed.output
