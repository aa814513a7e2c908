"""`flask users create`: every kind of account from the command line; a bad phone or an unknown
market or stall is a clear error and creates nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market_app.accounts.models import Role, User
from market_app.extensions import db
from tests.factories import make_market, make_stall


@pytest.fixture
def stall(app):
    stall = make_stall(make_market())
    db.session.commit()
    return stall


def _create(runner, *options: str):
    return runner.invoke(args=["users", "create", "--name", "김영희", "--password", "secret-pass", *options])


def _users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).order_by(User.id)))


@pytest.mark.parametrize("role, phone, place", [
    (Role.RESIDENT, "010-1234-5678", ()),
    (Role.COURIER, "010 2345 6789", ("--market", "{market}")),
    (Role.MARKET_ADMIN, "02-335-1234", ("--market", "{market}")),
    (Role.CITY_ADMIN, "02-2133-1234", ()),
    (Role.STALL_OWNER, "01034567890", ("--stall", "{stall}")),
])
def test_each_role_can_be_created(runner, stall, role, phone, place):
    """Given each role with the place it needs, one account is created with its phone in E.164."""
    options = [value.format(market=stall.market_id, stall=stall.id) for value in place]

    result = _create(runner, "--role", role, "--phone", phone, *options)

    assert result.exit_code == 0, result.output
    [user] = _users()
    assert user.role == role and user.name == "김영희"
    assert user.phone.startswith("+82") and user.phone[3:] == phone.replace("-", "").replace(" ", "")[1:]
    assert user.check_password("secret-pass")
    assert f"created {role} #{user.id}" in result.output


def test_stall_owner_gets_the_stalls_market_and_a_pin(runner, stall):
    """Given --stall and --pin, the owner is tied to the stall and its market and can use the PIN."""
    result = _create(runner, "--role", "stall_owner", "--phone", "010-1111-2222", "--stall", str(stall.id),
                     "--pin", "4321")

    assert result.exit_code == 0, result.output
    [owner] = _users()
    assert (owner.stall_id, owner.market_id) == (stall.id, stall.market_id)
    assert owner.pin_hash and owner.pin_hash != "4321"


@pytest.mark.parametrize("role, phone, code", [
    (Role.RESIDENT, "02-335-1234", "invalid_phone"),      # a landline cannot receive SMS
    (Role.RESIDENT, "010-123", "invalid_phone"),
    (Role.COURIER, "hello", "invalid_phone"),
    (Role.CITY_ADMIN, "+1 202", "invalid_phone"),
])
def test_bad_phone_is_a_clear_error_and_creates_nothing(runner, stall, role, phone, code):
    """Given a phone the role cannot use, the command fails naming the problem and adds no account."""
    result = _create(runner, "--role", role, "--phone", phone, "--market", str(stall.market_id))

    assert result.exit_code != 0
    assert f"Error: {code}:" in result.output
    assert _users() == []


@pytest.mark.parametrize("options, code", [
    (("--role", "courier", "--market", "999999"), "unknown_market"),
    (("--role", "stall_owner", "--stall", "999999"), "unknown_stall"),
    (("--role", "stall_owner"), "stall_required"),
    (("--role", "market_admin"), "market_required"),
])
def test_unknown_or_missing_market_or_stall_creates_nothing(runner, stall, options, code):
    """Given a market or stall that does not exist (or none where the role needs one), nothing is created."""
    result = _create(runner, "--phone", "010-1234-5678", *options)

    assert result.exit_code != 0
    assert f"Error: {code}:" in result.output
    assert _users() == []


def test_stall_of_another_market_is_refused(runner, stall):
    """Given --market of one market and --stall of another, the account is refused."""
    other = make_market("통인시장", gu="종로구", lat=37.5808, lng=126.9699)
    db.session.commit()

    result = _create(runner, "--role", "stall_owner", "--phone", "010-1234-5678",
                     "--market", str(other.id), "--stall", str(stall.id))

    assert "stall_not_in_market" in result.output and _users() == []


def test_phone_already_registered_is_refused(runner, stall):
    """Given an account with a phone, a second account with the same number (typed differently) fails."""
    assert _create(runner, "--role", "resident", "--phone", "010-1234-5678").exit_code == 0

    result = _create(runner, "--role", "courier", "--phone", "01012345678", "--market", str(stall.market_id))

    assert "phone_taken" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_unknown_role_is_refused_by_the_command(runner):
    """Given a role that does not exist, click refuses it and lists the choices."""
    result = _create(runner, "--role", "king", "--phone", "010-1234-5678")
    assert result.exit_code == 2 and "resident" in result.output
    assert _users() == []
