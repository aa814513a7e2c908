from itertools import product

import pytest

from market_app.ordering.states import (
    ORDER_STATUS_LABELS,
    ORDER_TRANSITIONS,
    STALL_ORDER_STATUS_LABELS,
    STALL_ORDER_TRANSITIONS,
    InvalidTransition,
    OrderStatus,
    StallOrderStatus,
    check_order_transition,
    check_stall_order_transition,
    order_status_from_stall_orders,
    resident_can_cancel,
)

O = OrderStatus
S = StallOrderStatus

LEGAL_ORDER_MOVES = {
    ("placed", "accepted"),
    ("placed", "cancelled"),
    ("accepted", "packed"),
    ("accepted", "cancelled"),
    ("accepted", "assigned"),
    ("packed", "assigned"),
    ("packed", "cancelled"),
    ("assigned", "packed"),
    ("assigned", "accepted"),
    ("assigned", "out_for_delivery"),
    ("out_for_delivery", "delivered"),
    ("out_for_delivery", "failed"),
    ("failed", "assigned"),
    ("failed", "cancelled"),
}
LEGAL_STALL_MOVES = {
    ("pending", "accepted"),
    ("pending", "partly_accepted"),
    ("pending", "rejected"),
    ("pending", "cancelled"),
    ("accepted", "packed"),
    ("accepted", "cancelled"),
    ("partly_accepted", "packed"),
    ("partly_accepted", "cancelled"),
    ("packed", "cancelled"),
}

ALL_ORDER_PAIRS = list(product([s.value for s in O], repeat=2))
ALL_STALL_PAIRS = list(product([s.value for s in S], repeat=2))


def _apply_order(holder: dict, to: str) -> None:
    """The way callers use the check: assign only what it returns."""
    holder["status"] = check_order_transition(holder["status"], to)


def _apply_stall(holder: dict, to: str) -> None:
    holder["status"] = check_stall_order_transition(holder["status"], to)


def test_order_table_is_exactly_the_documented_one():
    """Given the table, its edges are the documented ones, nothing more."""
    edges = {(a.value, b.value) for a, targets in ORDER_TRANSITIONS.items() for b in targets}
    assert edges == LEGAL_ORDER_MOVES
    assert set(ORDER_TRANSITIONS) == set(O)


def test_stall_order_table_is_exactly_the_documented_one():
    """Given the stall table, its edges are the documented ones, nothing more."""
    edges = {(a.value, b.value) for a, targets in STALL_ORDER_TRANSITIONS.items() for b in targets}
    assert edges == LEGAL_STALL_MOVES
    assert set(STALL_ORDER_TRANSITIONS) == set(S)


@pytest.mark.parametrize("from_, to", sorted(LEGAL_ORDER_MOVES))
def test_legal_order_move_returns_the_target(from_, to):
    """When a legal order move is checked, the target status comes back as an enum."""
    holder = {"status": from_}
    _apply_order(holder, to)
    assert holder["status"] is O(to)


@pytest.mark.parametrize("from_, to", [p for p in ALL_ORDER_PAIRS if p not in LEGAL_ORDER_MOVES])
def test_illegal_order_move_raises_and_changes_nothing(from_, to):
    """When an illegal order move is attempted, it raises and the status stays."""
    holder = {"status": from_}
    with pytest.raises(InvalidTransition) as error:
        _apply_order(holder, to)
    assert holder["status"] == from_
    assert (error.value.kind, error.value.from_status, error.value.to_status) == ("order", from_, to)
    assert str(error.value) == f"illegal order transition: {from_} -> {to}"


@pytest.mark.parametrize("from_, to", sorted(LEGAL_STALL_MOVES))
def test_legal_stall_move_returns_the_target(from_, to):
    """When a legal stall-order move is checked, the target status comes back."""
    holder = {"status": from_}
    _apply_stall(holder, to)
    assert holder["status"] is S(to)


@pytest.mark.parametrize("from_, to", [p for p in ALL_STALL_PAIRS if p not in LEGAL_STALL_MOVES])
def test_illegal_stall_move_raises_and_changes_nothing(from_, to):
    """When an illegal stall-order move is attempted, it raises and the status stays."""
    holder = {"status": from_}
    with pytest.raises(InvalidTransition) as error:
        _apply_stall(holder, to)
    assert holder["status"] == from_
    assert error.value.kind == "stall_order"


@pytest.mark.parametrize("from_, to", [("placed", "shipped"), ("lost", "placed"), ("", "accepted")])
def test_unknown_status_is_an_invalid_transition(from_, to):
    """Given a status name not in the enum, the check raises InvalidTransition."""
    holder = {"status": from_}
    with pytest.raises(InvalidTransition, match="unknown status"):
        _apply_order(holder, to)
    assert holder["status"] == from_


def test_rejected_stall_order_is_never_packed():
    """Given a rejected stall order, packing it raises."""
    with pytest.raises(InvalidTransition):
        check_stall_order_transition(S.REJECTED, S.PACKED)


def test_delivered_is_final():
    """Given a delivered order, no move out of it is legal."""
    for to in O:
        with pytest.raises(InvalidTransition):
            check_order_transition(O.DELIVERED, to)


def test_every_status_has_a_korean_label():
    """Every status of both machines has a display label."""
    assert set(ORDER_STATUS_LABELS) == set(O)
    assert set(STALL_ORDER_STATUS_LABELS) == set(S)
    assert ORDER_STATUS_LABELS["out_for_delivery"] == "배송 중"
    assert STALL_ORDER_STATUS_LABELS["partly_accepted"] == "일부 수락"


# --- derived order status ---------------------------------------------------


@pytest.mark.parametrize(
    "stalls, expected",
    [
        (["pending", "pending"], None),
        (["accepted", "pending"], None),
        (["accepted", "rejected"], O.ACCEPTED),
        (["partly_accepted"], O.ACCEPTED),
        (["packed", "rejected"], O.ACCEPTED),
        (["rejected", "rejected"], O.CANCELLED),
        (["rejected", "cancelled"], O.CANCELLED),
        (["accepted", "cancelled"], O.ACCEPTED),
    ],
)
def test_placed_order_follows_its_stall_answers(stalls, expected):
    """Given a placed order, when stalls answer, the order moves only once all have answered."""
    assert order_status_from_stall_orders("placed", stalls) == expected


@pytest.mark.parametrize(
    "stalls, expected",
    [
        (["packed", "accepted"], None),
        (["packed", "rejected"], O.PACKED),
        (["packed", "packed"], O.PACKED),
        (["packed", "cancelled", "rejected"], O.PACKED),
        (["partly_accepted"], None),
    ],
)
def test_accepted_order_is_packed_when_every_going_stall_order_is(stalls, expected):
    """Given an accepted order, it is packed when every non-rejected stall order is packed."""
    assert order_status_from_stall_orders("accepted", stalls) == expected


def test_derived_status_is_a_legal_transition_one_step_at_a_time():
    """Given all stalls packed while placed, the steps are placed->accepted->packed, each legal."""
    status, stalls, steps = "placed", ["packed", "rejected"], []
    while (next_status := order_status_from_stall_orders(status, stalls)) is not None:
        status = check_order_transition(status, next_status)
        steps.append(status)
    assert steps == [O.ACCEPTED, O.PACKED]


@pytest.mark.parametrize("status", ["packed", "assigned", "delivered", "cancelled", "failed"])
def test_later_statuses_are_not_derived_from_stalls(status):
    """Given an order past acceptance, stall statuses no longer move it."""
    assert order_status_from_stall_orders(status, ["packed"]) is None


def test_derivation_rejects_empty_and_unknown_stall_lists():
    """Given no stall orders or a misspelt status, the derivation refuses to guess."""
    with pytest.raises(ValueError):
        order_status_from_stall_orders("placed", [])
    with pytest.raises(ValueError):
        order_status_from_stall_orders("placed", ["acepted"])


# --- resident cancellation --------------------------------------------------


@pytest.mark.parametrize(
    "order_status, stalls, expected",
    [
        ("placed", ["pending", "pending"], True),
        ("placed", ["rejected", "pending"], True),
        ("placed", ["accepted", "pending"], False),
        ("placed", ["partly_accepted", "pending"], False),
        ("accepted", ["accepted"], False),
        ("cancelled", ["cancelled"], False),
    ],
)
def test_resident_can_cancel_until_the_first_stall_accepts(order_status, stalls, expected):
    """The resident may cancel a placed order until any stall accepts a line."""
    assert resident_can_cancel(order_status, stalls) is expected


def test_planner_may_route_accepted_packed_and_failed_orders():
    """Given the table, the planner's routable statuses are accepted, packed and failed (retry)."""
    from market_app.ordering.states import ROUTABLE_ORDER_STATUSES
    assert ROUTABLE_ORDER_STATUSES == {O.ACCEPTED, O.PACKED, O.FAILED}
