"""Fixtures for ordering tests: a three-stall market, a resident with a saved address, owners."""
from __future__ import annotations

import pytest

from market_app.extensions import db
from tests.ordering.factories import make_owner, make_resident, make_shop


@pytest.fixture
def shop(app):
    shop = make_shop()
    db.session.commit()
    return shop


@pytest.fixture
def resident(app):
    resident = make_resident()
    db.session.commit()
    return resident


@pytest.fixture
def owners(shop):
    """One owner per stall, keyed like the stalls: tofu, veg, fish."""
    result = {"tofu": make_owner(shop.tofu_stall, "김두부"), "veg": make_owner(shop.veg_stall, "이청과"),
              "fish": make_owner(shop.fish_stall, "최수산")}
    db.session.commit()
    return result
