import pytest

from market_app.ordering.pricing import (
    MAX_QUANTITY,
    BelowMinimum,
    Line,
    MarketFees,
    Totals,
    check_minimum,
    format_won,
    price_order,
    refund_for_refusals,
    validate_quantity,
)

FEES = MarketFees(minimum_order=15_000, delivery_fee=3_000, free_delivery_threshold=40_000)


def test_order_below_threshold_pays_the_delivery_fee():
    """Given 2 x 6,000 + 1 x 4,500, the fee is added to the 16,500 subtotal."""
    totals = price_order([Line(1, 6_000, 2), Line(2, 4_500, 1)], FEES)
    assert totals == Totals(subtotal=16_500, delivery_fee=3_000, total=19_500)


def test_order_at_threshold_delivers_free():
    """Given a subtotal exactly at the free-delivery threshold, no fee is charged."""
    totals = price_order([Line(1, 20_000, 2)], FEES)
    assert totals == Totals(subtotal=40_000, delivery_fee=0, total=40_000)


def test_one_won_below_threshold_still_pays():
    """Given a subtotal one won short of the threshold, the fee applies."""
    assert price_order([Line(1, 39_999, 1)], FEES).delivery_fee == 3_000


def test_market_without_free_delivery_always_charges():
    """Given no threshold, even a large order pays the fee."""
    fees = MarketFees(15_000, 2_500, None)
    assert price_order([Line(1, 100_000, 1)], fees).delivery_fee == 2_500


def test_empty_cart_costs_nothing():
    """Given no lines, there is nothing to deliver and no fee."""
    assert price_order([], FEES) == Totals(0, 0, 0)


def test_minimum_order_reports_the_missing_amount():
    """Given 12,000 against a 15,000 minimum, BelowMinimum says 3,000 is missing."""
    with pytest.raises(BelowMinimum) as error:
        check_minimum(12_000, FEES)
    assert error.value.missing_amount == 3_000
    assert error.value.code == "below_minimum"
    assert str(error.value) == "최소 주문 금액은 15,000원입니다. 3,000원 더 담으면 주문할 수 있습니다."


def test_minimum_order_exactly_met_passes():
    """Given a subtotal equal to the minimum, checkout may go on."""
    check_minimum(15_000, FEES)


def test_partial_refusal_keeps_the_fee_as_charged():
    """Given 16,500 + 3,000 and a refused 4,500 line, only the line is not charged."""
    original = price_order([Line(1, 6_000, 2), Line(2, 4_500, 1)], FEES)
    refund = refund_for_refusals(original, [Line(1, 6_000, 2)], FEES)
    assert refund.new_totals == Totals(12_000, 3_000, 15_000)
    assert refund.amount_not_charged == 4_500


def test_refusal_below_threshold_keeps_free_delivery():
    """Given free delivery at checkout, refusals never add a fee afterwards."""
    original = price_order([Line(1, 20_000, 1), Line(2, 25_000, 1)], FEES)
    refund = refund_for_refusals(original, [Line(1, 20_000, 1)], FEES)
    assert refund.new_totals == Totals(20_000, 0, 20_000)
    assert refund.amount_not_charged == 25_000


def test_everything_refused_gives_back_the_fee_too():
    """Given every line refused, nothing is delivered and the whole total is not charged."""
    original = price_order([Line(1, 6_000, 3)], FEES)
    refund = refund_for_refusals(original, [], FEES)
    assert refund.new_totals == Totals(0, 0, 0)
    assert refund.amount_not_charged == 21_000


def test_partly_accepted_quantity_is_priced_by_what_is_kept():
    """Given 5 of a 3,000 item ordered and 2 accepted, 9,000 is not charged."""
    original = price_order([Line(7, 3_000, 5)], FEES)
    refund = refund_for_refusals(original, [Line(7, 3_000, 2)], FEES)
    assert refund.amount_not_charged == 9_000


def test_accepting_more_than_ordered_is_a_bug():
    """Given accepted lines worth more than the order, the refund refuses to compute."""
    original = price_order([Line(1, 6_000, 1)], FEES)
    with pytest.raises(ValueError):
        refund_for_refusals(original, [Line(1, 6_000, 2)], FEES)


@pytest.mark.parametrize(
    "amount, text", [(0, "0원"), (500, "500원"), (12_500, "12,500원"), (1_234_567, "1,234,567원")]
)
def test_format_won(amount, text):
    """Amounts print with thousands separators and 원."""
    assert format_won(amount) == text


@pytest.mark.parametrize("quantity", [1, 50, MAX_QUANTITY])
def test_valid_quantities_pass(quantity):
    """Quantities from 1 to 99 are accepted as they are."""
    assert validate_quantity(quantity) == quantity


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
def test_out_of_range_quantity_is_refused_in_korean(quantity):
    """Quantities outside 1..99 raise with a Korean message."""
    with pytest.raises(ValueError, match="수량은 1개부터 99개까지"):
        validate_quantity(quantity)


@pytest.mark.parametrize("quantity", ["3", 2.0, True, None])
def test_non_integer_quantity_is_refused(quantity):
    """Only whole numbers are quantities (forms parse text before calling)."""
    with pytest.raises(ValueError, match="숫자로"):
        validate_quantity(quantity)


def test_line_checks_its_own_values():
    """A line with a negative price or zero quantity cannot be built."""
    with pytest.raises(ValueError):
        Line(1, -100, 1)
    with pytest.raises(ValueError):
        Line(1, 100, 0)


def test_fees_must_be_whole_won():
    """Market fees are non-negative integers."""
    with pytest.raises(ValueError):
        MarketFees(15_000, 3_000.5, 40_000)
