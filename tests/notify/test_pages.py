"""SMS pages: the development inbox, the resident's SMS settings, the market admin's problem list,
and the short links texts carry."""
from __future__ import annotations

from datetime import timedelta

from market_app.accounts.models import Role
from market_app.extensions import db
from market_app.notify.models import OutboxMessage, OutboxStatus, SmsOptOut
from market_app.notify.operations import record_opt_out
from tests.factories import make_market, make_stall, make_user
from tests.notify.fakes import queue


def reload(row):
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def test_dev_inbox_shows_each_recipients_messages(app, client, frozen_now):
    """Given texts to a resident and a stall, when /dev/sms is opened for the stall, then the stall's
    name and text are shown and the resident is listed."""
    market = make_market()
    stall = make_stall(market, name="망원두부", phone="+821055550001")
    resident = make_user(name="박민수", phone="+821055550002")
    queue("a", to=resident.phone, body="[망원시장] 주문이 확정됐어요 http://jangbogi.test/o/1")
    queue("b", to=stall.phone, body="[장보기] 새 주문 2개 품목 http://jangbogi.test/s")

    page = client.get("/dev/sms", query_string={"to": stall.phone}).get_data(as_text=True)

    assert "상인 망원두부" in page and "주민 박민수" in page
    assert "[장보기] 새 주문 2개 품목" in page
    assert "주문이 확정됐어요" not in page  # the resident's text is in the resident's inbox


def test_dev_inbox_is_absent_with_twilio_or_in_production(app, client):
    """Given the Twilio backend, or production, then /dev/sms does not exist."""
    app.config["SMS_BACKEND"] = "twilio"
    assert client.get("/dev/sms").status_code == 404
    app.config.update(SMS_BACKEND="log", ENV_NAME="production")
    assert client.get("/dev/sms").status_code == 404


def test_resident_switches_optional_texts_off(app, client, login, frozen_now):
    """Given a resident, when they untick optional texts, then optional_sms is off and the page says
    which texts still come."""
    resident = make_user()
    db.session.commit()
    login(resident)

    page = client.get("/settings/sms").get_data(as_text=True)
    response = client.post("/settings/sms", data={})

    assert "배송 출발" in page
    assert response.status_code == 302
    db.session.expire_all()
    assert resident.optional_sms is False
    client.post("/settings/sms", data={"optional_sms": "y"})
    db.session.expire_all()
    assert resident.optional_sms is True


def test_opted_out_resident_can_opt_back_in(app, client, login, frozen_now):
    """Given a resident whose number is on the opt-out list, when they press 다시 받기, then it is removed."""
    resident = make_user()
    record_opt_out(resident.phone, "inbound", frozen_now)
    db.session.commit()
    login(resident)

    assert "수신거부 상태" in client.get("/settings/sms").get_data(as_text=True)
    client.post("/settings/sms/opt-in")

    assert db.session.query(SmsOptOut).count() == 0


def test_settings_page_is_for_residents(app, client, login):
    """Given a stall owner, when they open the resident's SMS settings, then 403."""
    owner = make_user(role=Role.STALL_OWNER)
    db.session.commit()
    login(owner)

    assert client.get("/settings/sms").status_code == 403


def problem_rows(market, frozen_now):
    dead = queue("dead", market_id=market.id)
    unknown = queue("unknown", market_id=market.id, body="[망원시장] 배송 출발")
    sent = queue("sent", market_id=market.id, body="[망원시장] 배송 완료")
    dead.status, dead.attempts, dead.error_code = OutboxStatus.DEAD, 1, "21211"
    unknown.status, unknown.attempts = OutboxStatus.UNKNOWN, 1
    unknown.next_attempt_at = frozen_now + timedelta(hours=1)
    sent.status = OutboxStatus.SENT
    db.session.commit()
    return dead, unknown, sent


def test_market_admin_sees_dead_and_unknown_messages_of_their_market(app, client, login, frozen_now):
    """Given a dead, an unknown and a sent text, then the admin's list shows the first two only."""
    market = make_market()
    other = make_market(name="통인시장", gu="종로구")
    admin = make_user(role=Role.MARKET_ADMIN, market_id=market.id)
    dead, unknown, sent = problem_rows(market, frozen_now)
    queue("elsewhere", market_id=other.id, body="[통인시장] 다른 시장").status = OutboxStatus.DEAD
    db.session.commit()
    login(admin)

    page = client.get("/admin/sms").get_data(as_text=True)

    assert f'id="sms-{dead.id}"' in page and f'id="sms-{unknown.id}"' in page
    assert f'id="sms-{sent.id}"' not in page and "다른 시장" not in page


def test_retry_requeues_a_dead_letter_and_rechecks_an_unknown(app, client, login, frozen_now):
    """Given a dead and an unknown text, when the admin presses retry, then the dead one is pending now
    and the unknown one stays unknown but is due for a provider check now (never a blind resend)."""
    market = make_market()
    admin = make_user(role=Role.MARKET_ADMIN, market_id=market.id)
    dead, unknown, _ = problem_rows(market, frozen_now)
    login(admin)

    client.post(f"/admin/sms/{dead.id}/retry")
    client.post(f"/admin/sms/{unknown.id}/retry")

    dead, unknown = reload(dead), reload(unknown)
    assert (dead.status, dead.attempts, dead.error_code, dead.next_attempt_at) == (
        OutboxStatus.PENDING, 0, None, frozen_now)
    assert (unknown.status, unknown.next_attempt_at) == (OutboxStatus.UNKNOWN, frozen_now)


def test_admin_of_another_market_cannot_retry(app, client, login, frozen_now):
    """Given an admin of another market, when they retry this market's text, then 404 and nothing changes."""
    market = make_market()
    other = make_market(name="통인시장", gu="종로구")
    admin = make_user(role=Role.MARKET_ADMIN, market_id=other.id)
    dead, _, _ = problem_rows(market, frozen_now)
    login(admin)

    assert client.post(f"/admin/sms/{dead.id}/retry").status_code == 404
    assert reload(dead).status == OutboxStatus.DEAD


def test_residents_cannot_open_the_problem_list(app, client, login):
    """Given a resident, when they open /admin/sms, then 403."""
    resident = make_user()
    db.session.commit()
    login(resident)

    assert client.get("/admin/sms").status_code == 403


def test_short_links_redirect(app, client):
    """Given the short links in texts, then each redirects to its page."""
    order = client.get("/o/42")
    assert order.status_code == 302 and "42" in order.headers["Location"]
    assert client.get("/s").status_code == 302
    assert client.get("/a").status_code == 302
