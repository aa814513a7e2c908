"""Scheduled SMS jobs and the `flask sms` commands."""
from __future__ import annotations

from datetime import timedelta

from market_app.accounts.models import Role
from market_app.extensions import db
from market_app.notify.events import DEAD_LETTERS_KIND
from market_app.notify.models import OutboxMessage, OutboxStatus
from market_app.notify.tasks import DEAD_LETTER_THRESHOLD, alert_dead_letters, dispatch_sms
from tests.factories import make_market, make_user
from tests.notify.fakes import queue


def dead_letters(market, count, now):
    for number in range(count):
        queue(f"dead:{market.id}:{number}", market_id=market.id, now=now).status = OutboxStatus.DEAD
    db.session.commit()


def alerts():
    return db.session.query(OutboxMessage).filter_by(kind=DEAD_LETTERS_KIND).all()


def test_dispatch_sms_sends_through_the_log_gateway(app, frozen_now, caplog):
    """Given the default log backend, when the job runs, then the message is logged and marked sent."""
    message = queue()

    report = dispatch_sms(now=frozen_now)

    db.session.expire_all()
    assert report.sent == 1
    assert db.session.get(OutboxMessage, message.id).provider_id.startswith("LOG")
    assert "주문이 확정됐어요" in caplog.text


def test_dead_letters_piling_up_text_the_market_admins_once_an_hour(app, frozen_now):
    """Given enough dead letters, when the watch job runs twice in an hour, then each admin gets one
    text; in the next hour, another."""
    market = make_market()
    admins = [make_user(role=Role.MARKET_ADMIN, market_id=market.id, name=name) for name in ("김관리", "이관리")]
    dead_letters(market, DEAD_LETTER_THRESHOLD, frozen_now)

    first = alert_dead_letters(now=frozen_now)
    rerun = alert_dead_letters(now=frozen_now + timedelta(minutes=5))

    texts = alerts()
    assert (first, rerun) == (2, 0)
    assert sorted(t.to_phone for t in texts) == sorted(a.phone for a in admins)
    assert texts[0].body.startswith(f"[장보기] 망원시장 문자 {DEAD_LETTER_THRESHOLD}건 발송 실패")
    alert_dead_letters(now=frozen_now + timedelta(hours=1))
    assert len(alerts()) == 4


def test_a_few_dead_letters_do_not_alert(app, frozen_now):
    """Given fewer dead letters than the threshold (and other markets' ones), then nobody is texted."""
    market, other = make_market(), make_market(name="통인시장", gu="종로구")
    make_user(role=Role.MARKET_ADMIN, market_id=market.id)
    dead_letters(market, DEAD_LETTER_THRESHOLD - 1, frozen_now)
    dead_letters(other, DEAD_LETTER_THRESHOLD, frozen_now)  # no admin there

    assert alert_dead_letters(now=frozen_now) == 0
    assert alerts() == []


def test_old_dead_letters_and_dead_alerts_do_not_count(app, frozen_now):
    """Given dead letters older than a day and dead alerts themselves, then they do not trigger alerts."""
    market = make_market()
    make_user(role=Role.MARKET_ADMIN, market_id=market.id)
    dead_letters(market, DEAD_LETTER_THRESHOLD, frozen_now - timedelta(days=2))
    for number in range(DEAD_LETTER_THRESHOLD):
        queue(f"alert{number}", market_id=market.id, kind=DEAD_LETTERS_KIND).status = OutboxStatus.DEAD
    db.session.commit()

    assert alert_dead_letters(now=frozen_now) == 0


def test_worker_command_sends_until_nothing_is_due(app, runner, frozen_now):
    """Given two due messages, when `flask sms worker --until-empty` runs, then both are sent and it stops."""
    queue("a")
    queue("b", body="[망원시장] 배송 출발")

    result = runner.invoke(args=["sms", "worker", "--until-empty"])

    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    status = runner.invoke(args=["sms", "status"])
    assert "sent" in status.output and "2" in status.output
