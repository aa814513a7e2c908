"""`next` and "back to" redirects stay on this site, also with the tricks browsers read as another
host: a backslash or a tab after the first slash."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from market_app.extensions import db
from tests.factories import make_user

OFF_SITE = ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\\/evil.example", "https://evil.example/",
            "/\n/evil.example"]


def _host_a_browser_opens(location: str) -> str:
    """Browsers drop tabs and newlines from a URL and read a backslash as a slash."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/here", cleaned)).netloc


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, target):
    """Given a `next` that a browser would resolve to another host, when a resident signs in, then
    they land on the home page instead."""
    make_user(phone="+821012345678")
    db.session.commit()
    response = client.post("/login", query_string={"next": target},
                           data={"phone": "010-1234-5678", "password": "secret-pass"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_add_to_cart_never_sends_back_off_site(client, target):
    """Given an add-to-cart form whose `next` would resolve to another host, when posted, then the
    visitor is sent to an on-site page."""
    response = client.post("/cart/add", data={"product_id": "1", "quantity": "1", "next": target})
    assert response.status_code == 302
    assert _host_a_browser_opens(response.headers["Location"]) == "localhost"


def test_a_local_next_is_kept(client):
    """Given a `next` on this site, when a resident signs in, then they land there."""
    make_user(phone="+821012345678")
    db.session.commit()
    response = client.post("/login", query_string={"next": "/orders?page=2"},
                           data={"phone": "010-1234-5678", "password": "secret-pass"})
    assert response.headers["Location"] == "/orders?page=2"
