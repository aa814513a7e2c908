import pytest

from market_app.delivery.bags import estimate_bags


def test_an_order_needs_at_least_one_bag():
    """Given a single small item (or nothing), one bag is estimated."""
    assert estimate_bags([("반찬", 1)]) == 1
    assert estimate_bags([]) == 1


def test_five_ordinary_items_fill_one_bag():
    """Given 5 items of a compact category, one bag; the sixth opens a second."""
    assert estimate_bags([("두부", 5)]) == 1
    assert estimate_bags([("두부", 5), ("반찬", 1)]) == 2


def test_bulky_categories_take_twice_the_room():
    """Given 3 items of produce (6 slots), two bags; the same count of side dishes fits one."""
    assert estimate_bags([("청과", 3)]) == 2
    assert estimate_bags([("반찬", 3)]) == 1


def test_mixed_order_adds_up_slots():
    """Given 2 meat (4 slots) + 2 vegetables (4) + 2 rice cakes (2), 10 slots make two bags."""
    assert estimate_bags([("정육", 2), ("채소", 2), ("떡집", 2)]) == 2


@pytest.mark.parametrize("quantity", [0, -2, 1.5])
def test_nonsense_quantity_is_refused(quantity):
    """Quantities must be positive whole numbers."""
    with pytest.raises(ValueError):
        estimate_bags([("청과", quantity)])
