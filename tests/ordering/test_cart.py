"""The cart: one market at a time, bounded quantities, clear refusals, merged into the account."""
from __future__ import annotations

from sqlalchemy import func, select

from market_app.extensions import db
from market_app.ordering.models import Cart, CartLine
from tests.factories import make_market, make_product, make_stall
from tests.ordering.factories import make_owner


def _lines() -> dict[str, int]:
    return {line.product.name: line.quantity for line in db.session.scalars(select(CartLine))}


def _add(client, product, quantity=1, follow_redirects=False, **extra):
    return client.post("/cart/add", data={"product_id": product.id, "quantity": quantity, **extra},
                       follow_redirects=follow_redirects)


def test_anonymous_visitor_fills_a_cart_and_sees_totals(client, shop):
    """Given nobody signed in, when adding tofu twice and apples, then the cart adds up quantities and shows
    the subtotal, the fee and what is missing for the minimum order."""
    _add(client, shop.tofu)
    _add(client, shop.tofu, 2)
    _add(client, shop.apples)

    assert _lines() == {"국산 두부": 3, "부사 사과": 1}
    page = client.get("/cart").get_data(as_text=True)
    assert "16,500원" in page and "3,000원" in page and "19,500원" in page
    assert "주문하기" in page


def test_added_product_is_confirmed_in_plain_korean(client, shop):
    """Given a market page, when a resident adds tofu and then apples, then each confirmation uses the particle
    a person would write ("국산 두부를", "부사 사과를"), not the form-letter "을(를)"."""
    after_tofu = _add(client, shop.tofu, 2, next="/cart", follow_redirects=True).get_data(as_text=True)
    after_apples = _add(client, shop.apples, next="/cart", follow_redirects=True).get_data(as_text=True)

    assert "국산 두부를 장바구니에 담았습니다. (모두 2개)" in after_tofu
    assert "부사 사과를 장바구니에 담았습니다." in after_apples


def test_quantities_are_bounded_from_1_to_99(client, shop):
    """Given an empty cart, when adding 0, 100, or 60 + 60 of a product, then each is refused with a message
    and the cart keeps the valid 60."""
    assert "수량은 1개부터" in client.post("/cart/add", data={"product_id": shop.bean_sprouts.id, "quantity": 0},
                                        follow_redirects=True).get_data(as_text=True)
    _add(client, shop.bean_sprouts, 100)
    _add(client, shop.bean_sprouts, 60)
    page = _add(client, shop.bean_sprouts, 60).headers["Location"]
    assert _lines() == {"콩나물": 60}
    assert "99개까지" in client.get(page).get_data(as_text=True)


def test_sold_out_closed_stall_and_short_stock_are_refused_clearly(client, shop):
    """Given a sold-out product, a closed stall and 5 mackerel left, when adding them, then each is refused
    with its reason and nothing is added."""
    shop.tofu.sold_out = True
    shop.veg_stall.is_open = False
    db.session.commit()

    texts = [_add(client, p, q, next="/cart") for p, q in ((shop.tofu, 1), (shop.apples, 1), (shop.mackerel, 6))]
    page = client.get("/cart").get_data(as_text=True)

    assert all(r.status_code == 302 for r in texts)
    assert "국산 두부는 품절되었습니다." in page
    assert "싱싱청과는 오늘 주문을 받지 않습니다." in page
    assert "손질 고등어는 5개까지 주문할 수 있습니다." in page
    assert _lines() == {}


def test_another_markets_product_asks_before_replacing_the_cart(client, shop):
    """Given tofu from 망원시장 in the cart, when adding a product of another market, then the visitor is asked
    (409) and the cart is unchanged; when they confirm, the cart holds only the new market's product."""
    other = make_market("통인시장", "종로구", lat=37.5808, lng=126.9697)
    kimchi = make_product(make_stall(other, "통인반찬", "반찬"), "배추김치", 8000, "1kg")
    db.session.commit()
    _add(client, shop.tofu)

    asked = _add(client, kimchi)
    assert asked.status_code == 409 and "망원시장 상품이 담겨 있습니다" in asked.get_data(as_text=True)
    assert _lines() == {"국산 두부": 1}

    _add(client, kimchi, replace="y")
    assert _lines() == {"배추김치": 1}
    assert db.session.scalar(select(func.count(Cart.id))) == 1


def test_changing_quantity_substitution_and_removing_a_line(client, shop):
    """Given a cart line, when changing its quantity and substitution and then removing it, then the cart
    follows and an empty cart is deleted."""
    _add(client, shop.tofu)
    line = db.session.scalar(select(CartLine))
    client.post(f"/cart/lines/{line.id}", data={"quantity": 4, "substitution": "call"})
    db.session.expire_all()
    assert (line.quantity, line.substitution) == (4, "call")

    client.post(f"/cart/lines/{line.id}/remove")
    assert db.session.scalar(select(func.count(Cart.id))) == 0


def test_another_visitors_cart_line_cannot_be_touched(app, shop):
    """Given visitor A's cart line, when visitor B posts a change to it, then B gets not-found and A's line
    is unchanged."""
    visitor_a, visitor_b = app.test_client(), app.test_client()
    _add(visitor_a, shop.tofu)
    line = db.session.scalar(select(CartLine))
    response = visitor_b.post(f"/cart/lines/{line.id}", data={"quantity": 9}, follow_redirects=True)
    assert "장바구니에 없는 상품입니다." in response.get_data(as_text=True)
    db.session.expire_all()
    assert line.quantity == 1


def test_anonymous_cart_merges_into_the_account_at_login(client, login, shop, resident):
    """Given the resident's saved cart with 1 tofu, when they add 2 tofu and apples anonymously and sign in,
    then one cart holds 3 tofu and the apples."""
    login(resident)
    _add(client, shop.tofu)
    client.post("/logout")
    _add(client, shop.tofu, 2)
    _add(client, shop.apples)

    login(resident)

    carts = db.session.scalars(select(Cart)).all()
    assert len(carts) == 1 and carts[0].user_id == resident.id and carts[0].session_key is None
    assert _lines() == {"국산 두부": 3, "부사 사과": 1}


def test_anonymous_cart_of_another_market_replaces_the_accounts_older_cart(client, login, shop, resident):
    """Given the resident's cart in 망원시장, when they fill an anonymous cart in 통인시장 and sign in, then the
    cart just filled is the one kept."""
    other = make_market("통인시장", "종로구", lat=37.5808, lng=126.9697)
    kimchi = make_product(make_stall(other, "통인반찬", "반찬"), "배추김치", 8000, "1kg")
    db.session.commit()
    login(resident)
    _add(client, shop.tofu)
    client.post("/logout")
    _add(client, kimchi)

    login(resident)

    assert _lines() == {"배추김치": 1}
    assert db.session.scalar(select(func.count(Cart.id))) == 1


def test_stall_owners_have_no_cart(client, login, shop):
    """Given a signed-in stall owner, when adding to a cart, then 403."""
    login(make_owner(shop.tofu_stall))
    assert _add(client, shop.tofu).status_code == 403
