"""The stall owner's tablet: registration by password, PIN sign-in, the queue with its chime, answers."""
from __future__ import annotations

import re
import wave
from datetime import timedelta
from io import BytesIO

from sqlalchemy import select

from config import TestingConfig
from market_app import create_app
from market_app.extensions import db
from market_app.ordering.models import StallOrder
from market_app.stalls.chime import CHIME_PATH, chime_wav_bytes
from market_app.stalls.operations import TABLET_COOKIE, tablet_token
from tests.conftest import FROZEN_NOW
from tests.ordering.factories import make_owner, make_shop, place, stall_order_of, stock_of


def _register_tablet(client, stall) -> None:
    client.set_cookie(TABLET_COOKIE, tablet_token(stall.id, "test-secret"))


def test_first_password_sign_in_registers_the_tablet_then_pin_works(client, shop, owners):
    """Given a fresh tablet, when the owner signs in with the password, then the tablet remembers the stall;
    after signing out the sign-in screen lists the stall's owner and the PIN lets them in."""
    owner = owners["tofu"]
    response = client.post("/stall/login", data={"phone": owner.phone, "password": "secret-pass"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/stall")
    assert TABLET_COOKIE in response.headers.get("Set-Cookie", "")

    client.post("/stall/logout")
    page = client.get("/stall/login").get_data(as_text=True)
    assert "망원두부 · 태블릿 로그인" in page and "김두부" in page

    pin = client.post("/stall/login", data={"owner_id": owner.id, "pin": "1234"})
    assert pin.status_code == 302 and client.get("/stall").status_code == 200


def test_a_wrong_pin_or_another_stalls_owner_is_refused(client, shop, owners):
    """Given a tablet registered to the tofu stall, when a wrong PIN or the fishmonger's own PIN is tried,
    then nobody is signed in."""
    _register_tablet(client, shop.tofu_stall)
    wrong = client.post("/stall/login", data={"owner_id": owners["tofu"].id, "pin": "9999"})
    other = client.post("/stall/login", data={"owner_id": owners["fish"].id, "pin": "1234"})
    assert "PIN이 맞지 않습니다." in wrong.get_data(as_text=True)
    assert other.status_code == 200
    assert client.get("/stall").status_code == 302  # still signed out


def test_a_tampered_tablet_cookie_falls_back_to_password(client, shop, owners):
    """Given a forged tablet cookie, when opening sign-in, then the password form is shown."""
    client.set_cookie(TABLET_COOKIE, "forged.cookie.value")
    assert "비밀번호" in client.get("/stall/login").get_data(as_text=True)
    assert "태블릿 로그인" not in client.get("/stall/login").get_data(as_text=True)


def test_a_resident_password_does_not_open_the_tablet(client, shop, resident):
    """Given a resident's phone and password, when used on the tablet sign-in, then refused."""
    response = client.post("/stall/login", data={"phone": resident.phone, "password": "secret-pass"})
    assert "상인 계정의 전화번호 또는 비밀번호가 맞지 않습니다." in response.get_data(as_text=True)


def test_pin_sign_in_is_rate_limited(tmp_path, frozen_now):
    """Given a limit of 3 sign-in attempts a minute, when a fourth PIN is tried, then 429."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pins.sqlite3'}",
                     RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        shop = make_shop()
        owner = make_owner(shop.tofu_stall)
        db.session.commit()
        client = app.test_client()
        _register_tablet(client, shop.tofu_stall)
        codes = [client.post("/stall/login", data={"owner_id": owner.id, "pin": "0000"}).status_code
                 for _ in range(4)]
        db.session.remove()
    assert codes == [200, 200, 200, 429]


def test_the_queue_shows_a_new_order_with_what_the_owner_needs(client, login, shop, resident, owners):
    """Given an order placed 7 minutes ago, when the tofu owner opens the queue, then it shows the order, its
    items and quantities, the substitution wishes, the wave, the waiting time and the new-order banner."""
    order = place(shop, resident, now=FROZEN_NOW - timedelta(minutes=7))
    login(owners["tofu"])

    page = client.get("/stall").get_data(as_text=True)

    assert f"주문 {order.id}번" in page and "7분 대기" in page and "14:00 마감" in page
    assert "국산 두부" in page and "2개" in page and "품절 시: 비슷한 상품으로" in page
    assert re.search(r'id="new-order-banner"[^>]*role="alert"', page)  # not hidden
    assert "전체 수락" in page and "일부 수락" in page and "거절" in page
    assert "바다수산" not in page and "손질 고등어" not in page  # only this stall's part


def test_the_feed_counts_new_orders_until_the_owner_taps(client, login, shop, resident, owners):
    """Given a new order, when the tablet polls, then it reports one unacknowledged order; after the tap
    (acknowledge) the count is zero and the version changed; a second new order counts again."""
    place(shop, resident)
    login(owners["tofu"])
    first = client.get("/stall/feed").get_json()
    assert (first["unacknowledged"], first["waiting"]) == (1, 1) and "국산 두부" in first["html"]

    acked = client.post("/stall/acknowledge", headers={"Accept": "application/json"})
    assert acked.get_json() == {"acknowledged": 1}
    second = client.get("/stall/feed").get_json()
    assert second["unacknowledged"] == 0 and second["version"] != first["version"]

    place(shop, resident)
    assert client.get("/stall/feed").get_json()["unacknowledged"] == 1


def test_accept_partly_reject_and_pack_from_the_tablet(client, login, shop, resident, owners):
    """Given two orders for the tofu stall, when the owner partly accepts one (sprouts 품절), refuses the
    other with a reason, and packs the first with 2 bags, then each change is stored and shown."""
    first, second = place(shop, resident), place(shop, resident)
    tofu_first, tofu_second = stall_order_of(first, shop.tofu_stall), stall_order_of(second, shop.tofu_stall)
    sprouts = next(l for l in tofu_first.lines if l.product_name == "콩나물")
    login(owners["tofu"])

    partly = client.post(f"/stall/orders/{tofu_first.id}/partial", data={f"line-{sprouts.id}": "0"},
                         follow_redirects=True)
    refused = client.post(f"/stall/orders/{tofu_second.id}/reject", data={"reason": "재료 소진"},
                          follow_redirects=True)
    packed = client.post(f"/stall/orders/{tofu_first.id}/pack", data={"bags": "2"}, follow_redirects=True)

    assert "일부 수락했습니다" in partly.get_data(as_text=True)
    assert "주문을 거절했습니다" in refused.get_data(as_text=True)
    assert "포장 완료 (봉투 2개)" in packed.get_data(as_text=True)
    db.session.expire_all()
    assert (tofu_first.status, tofu_first.bags, tofu_second.status) == ("packed", 2, "rejected")
    assert sprouts.accepted_quantity == 0 and stock_of(shop.tofu) == 18  # second order's 2 came back


def test_marking_every_line_sold_out_tells_the_owner_the_order_was_refused(client, login, shop, resident, owners):
    """Given a tofu-stall order, when the owner opens 일부 수락 and taps 품절 on every line, then the tablet
    says the order was refused (not 일부 수락) and nothing is left to pack."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    login(owners["tofu"])

    page = client.post(f"/stall/orders/{tofu.id}/partial", data={f"line-{line.id}": "0" for line in tofu.lines},
                       follow_redirects=True).get_data(as_text=True)

    assert "모든 품목이 품절이라 주문을 거절했습니다" in page
    assert "일부 수락했습니다" not in page and "포장할 주문이 없습니다" in page
    db.session.expire_all()
    assert tofu.status == "rejected"


def test_a_double_tap_on_accept_says_it_was_already_done(client, login, shop, resident, owners):
    """Given an accepted stall order, when 전체 수락 is tapped again, then a friendly note and no change."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    login(owners["tofu"])
    client.post(f"/stall/orders/{tofu.id}/accept")
    again = client.post(f"/stall/orders/{tofu.id}/accept", follow_redirects=True)
    assert "이미 처리된 주문입니다" in again.get_data(as_text=True)
    assert db.session.scalar(select(StallOrder.status).where(StallOrder.id == tofu.id)) == "accepted"


def test_another_stalls_order_is_not_found_on_the_tablet(client, login, shop, resident, owners):
    """Given the fish part of an order, when the tofu owner posts an answer for it, then 404."""
    order = place(shop, resident)
    login(owners["tofu"])
    assert client.post(f"/stall/orders/{stall_order_of(order, shop.fish_stall).id}/accept").status_code == 404


def test_signed_out_tablet_goes_to_the_pin_screen(client):
    """Given nobody signed in, when opening the queue, then the tablet sign-in is next."""
    response = client.get("/stall")
    assert response.status_code == 302 and response.headers["Location"].endswith("/stall/login")


def test_the_committed_chime_is_the_generated_one():
    """Given the chime generator, when comparing with market_app/static/chime.wav, then they are the same
    short, loud mono sound."""
    assert CHIME_PATH.read_bytes() == chime_wav_bytes()
    with wave.open(BytesIO(chime_wav_bytes())) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert sound.getnchannels() == 1 and 0.5 < seconds < 1.5


def test_the_tablet_script_and_chime_are_served(client):
    """Given the static files, when the tablet loads them, then both are there."""
    assert client.get("/static/stall-tablet.js").status_code == 200
    assert client.get("/static/chime.wav").headers["Content-Type"].startswith("audio/")
