"""The password login page: signs people in, refuses wrong passwords, and is rate-limited."""
from __future__ import annotations

import pytest

from config import TestingConfig
from market_app import create_app
from market_app.extensions import db
from tests.catalog.html_text import visible_text
from tests.factories import make_user


@pytest.fixture
def resident(app):
    user = make_user(phone="+821012345678")
    db.session.commit()
    return user


def test_login_page_shows_the_form(client):
    """Given an anonymous visitor, /login shows the phone and password fields in Korean."""
    response = client.get("/login")
    assert response.status_code == 200
    text = visible_text(response)
    assert "휴대전화 번호" in text and "비밀번호" in text


def test_correct_password_signs_in_with_the_phone_as_typed(client, resident):
    """Given the phone typed with dashes, the right password signs in and shows the resident's name."""
    response = client.post("/login", data={"phone": "010-1234-5678", "password": "secret-pass"})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "박민수님" in visible_text(client.get("/"))


def test_wrong_password_is_refused_in_korean(client, resident):
    """Given a wrong password, the form comes back with a Korean message and nobody is signed in."""
    response = client.post("/login", data={"phone": "010-1234-5678", "password": "wrong-pass"})

    assert response.status_code == 200
    assert "전화번호 또는 비밀번호가 맞지 않습니다." in visible_text(response)
    assert "박민수님" not in visible_text(client.get("/"))


def test_next_parameter_only_redirects_inside_the_site(client, resident):
    """Given ?next=//evil.example, the login ignores it; a local path is followed."""
    evil = client.post("/login?next=//evil.example/x", data={"phone": "01012345678", "password": "secret-pass"})
    local = client.post("/login?next=/markets/1", data={"phone": "01012345678", "password": "secret-pass"})
    assert evil.headers["Location"] == "/"
    assert local.headers["Location"] == "/markets/1"


def test_login_attempts_are_rate_limited_when_enabled(tmp_path, frozen_now):
    """Given RATELIMIT_ENABLED and a limit of 3 per minute, the fourth login attempt gets 429 with a
    Korean page, while reading the page stays allowed."""
    url = f"sqlite:///{tmp_path / 'limited.sqlite3'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=True,
                     LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.post("/login", data={"phone": "010-1234-5678", "password": "wrong-pass"}).status_code
                    for _ in range(4)]
        limited = client.post("/login", data={"phone": "010-1234-5678", "password": "wrong-pass"})

        assert statuses == [200, 200, 200, 429]
        assert "요청이 너무 많습니다." in visible_text(limited)
        assert client.get("/login").status_code == 200
        db.engine.dispose()
