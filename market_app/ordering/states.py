"""Order and stall-order state machines (pure: no Flask, no SQLAlchemy).

An order is one resident's purchase from one market; it is split into one stall
order per stall. Stalls answer their part; the order's own status follows from
those answers and then from packing and delivery.

Order transitions (who makes them, and why):

    placed           -> accepted          system: every stall order answered, >= 1 line accepted
    placed           -> cancelled         resident before any stall accepts; system when every
                                          line was refused or the wave's cut-off passed unanswered
    accepted         -> packed            system: every non-rejected stall order is packed
    accepted         -> cancelled         market admin, before dispatch (e.g. the resident phoned)
    accepted         -> assigned          planning job: routed before every stall has packed (the
                                          stalls pack before the courier leaves)
    packed           -> assigned          planning job: the order is on a courier route
    packed           -> cancelled         market admin, before dispatch
    assigned         -> packed            re-plan: taken off a route, waits for the next plan
    assigned         -> accepted          the same, for an order whose stalls had not all packed
    assigned         -> out_for_delivery  courier leaves the delivery centre
    out_for_delivery -> delivered         courier (final)
    out_for_delivery -> failed            courier, with a reason
    failed           -> assigned          retry: carried to the next wave's plan
    failed           -> cancelled         market admin gives up (goods returned)

`delivered` and `cancelled` are final. An assigned order is cancelled only after
being taken off its route (assigned -> packed -> cancelled), so a courier never
drives to a cancelled stop; an order out for delivery ends delivered or failed.

Stall-order transitions:

    pending         -> accepted | partly_accepted | rejected   stall owner answers
    pending         -> cancelled                                wave passed unanswered, or the
                                                                order was cancelled
    accepted        -> packed | cancelled
    partly_accepted -> packed | cancelled
    packed          -> cancelled                                the whole order was cancelled

`rejected` is final and never packed. The `-> cancelled` edges after an answer
exist only so an admin cancellation of the whole order can cascade.

No status moves to itself: a repeated request is the caller's idempotency
concern, not a transition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class OrderStatus(StrEnum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    PACKED = "packed"
    ASSIGNED = "assigned"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StallOrderStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"
    PACKED = "packed"
    CANCELLED = "cancelled"


ORDER_STATUS_LABELS: Mapping[str, str] = {
    OrderStatus.PLACED: "주문 접수",
    OrderStatus.ACCEPTED: "상점 확인 완료",
    OrderStatus.PACKED: "포장 완료",
    OrderStatus.ASSIGNED: "배송 배정",
    OrderStatus.OUT_FOR_DELIVERY: "배송 중",
    OrderStatus.DELIVERED: "배송 완료",
    OrderStatus.FAILED: "배송 실패",
    OrderStatus.CANCELLED: "주문 취소",
}

STALL_ORDER_STATUS_LABELS: Mapping[str, str] = {
    StallOrderStatus.PENDING: "확인 대기",
    StallOrderStatus.ACCEPTED: "수락",
    StallOrderStatus.PARTLY_ACCEPTED: "일부 수락",
    StallOrderStatus.REJECTED: "거절",
    StallOrderStatus.PACKED: "포장 완료",
    StallOrderStatus.CANCELLED: "취소",
}

_O = OrderStatus
_S = StallOrderStatus

ORDER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    _O.PLACED: frozenset({_O.ACCEPTED, _O.CANCELLED}),
    _O.ACCEPTED: frozenset({_O.PACKED, _O.ASSIGNED, _O.CANCELLED}),
    _O.PACKED: frozenset({_O.ASSIGNED, _O.CANCELLED}),
    _O.ASSIGNED: frozenset({_O.OUT_FOR_DELIVERY, _O.PACKED, _O.ACCEPTED}),
    _O.OUT_FOR_DELIVERY: frozenset({_O.DELIVERED, _O.FAILED}),
    _O.FAILED: frozenset({_O.ASSIGNED, _O.CANCELLED}),
    _O.DELIVERED: frozenset(),
    _O.CANCELLED: frozenset(),
}

STALL_ORDER_TRANSITIONS: Mapping[StallOrderStatus, frozenset[StallOrderStatus]] = {
    _S.PENDING: frozenset({_S.ACCEPTED, _S.PARTLY_ACCEPTED, _S.REJECTED, _S.CANCELLED}),
    _S.ACCEPTED: frozenset({_S.PACKED, _S.CANCELLED}),
    _S.PARTLY_ACCEPTED: frozenset({_S.PACKED, _S.CANCELLED}),
    _S.PACKED: frozenset({_S.CANCELLED}),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
}

# --- groups -----------------------------------------------------------------

FINAL_ORDER_STATUSES = frozenset(s for s, targets in ORDER_TRANSITIONS.items() if not targets)
OPEN_ORDER_STATUSES = frozenset(OrderStatus) - FINAL_ORDER_STATUSES
# Orders the planning job may put on a route (new ones and failed retries).
ROUTABLE_ORDER_STATUSES = frozenset(
    s for s, targets in ORDER_TRANSITIONS.items() if OrderStatus.ASSIGNED in targets
)

# A stall has given its answer.
ANSWERED = frozenset({_S.ACCEPTED, _S.PARTLY_ACCEPTED, _S.REJECTED})
# The stall will hand over goods for this part of the order.
ACCEPTED_STALL_STATUSES = frozenset({_S.ACCEPTED, _S.PARTLY_ACCEPTED, _S.PACKED})
# Nothing is awaited from the stall any more before the order can move on.
SETTLED_STALL_STATUSES = ANSWERED | {_S.PACKED, _S.CANCELLED}
# Stall orders that still need the stall owner's attention (answer or pack).
OPEN_STALL_ORDER_STATUSES = frozenset({_S.PENDING, _S.ACCEPTED, _S.PARTLY_ACCEPTED})


class InvalidTransition(Exception):
    """A status change that the transition table does not allow."""

    def __init__(self, kind: str, from_status: str, to_status: str, reason: str = "") -> None:
        self.kind = kind
        self.from_status = str(from_status)
        self.to_status = str(to_status)
        message = f"illegal {kind} transition: {self.from_status} -> {self.to_status}"
        if reason:
            message = f"{message} ({reason})"
        super().__init__(message)


def _check(
    kind: str, enum_cls: type[StrEnum], table: Mapping, from_status: str, to_status: str
) -> StrEnum:
    try:
        source, target = enum_cls(from_status), enum_cls(to_status)
    except ValueError:
        raise InvalidTransition(kind, from_status, to_status, "unknown status") from None
    if target not in table[source]:
        raise InvalidTransition(kind, source, target)
    return target


def check_order_transition(from_: str, to: str) -> OrderStatus:
    """Return `to` as an OrderStatus, or raise InvalidTransition.

    Usage: `order.status = check_order_transition(order.status, OrderStatus.PACKED)`
    — on an illegal move the assignment never happens.
    """
    return _check("order", OrderStatus, ORDER_TRANSITIONS, from_, to)


def check_stall_order_transition(from_: str, to: str) -> StallOrderStatus:
    """Return `to` as a StallOrderStatus, or raise InvalidTransition."""
    return _check("stall_order", StallOrderStatus, STALL_ORDER_TRANSITIONS, from_, to)


def _stall_statuses(stall_statuses: Iterable[str]) -> list[StallOrderStatus]:
    statuses = []
    for status in stall_statuses:
        try:
            statuses.append(StallOrderStatus(status))
        except ValueError:
            raise ValueError(f"unknown stall order status: {status!r}") from None
    if not statuses:
        raise ValueError("an order has at least one stall order")
    return statuses


def order_status_from_stall_orders(
    current_order_status: str, stall_statuses: list[str]
) -> OrderStatus | None:
    """The order's next status implied by its stall orders, or None if unchanged.

    Returns one step at a time (placed -> accepted, then accepted -> packed), so
    each step is a legal transition with its own event; call again after applying.
    Only `placed` and `accepted` orders are derived; later steps come from
    planning and couriers.
    """
    current = OrderStatus(current_order_status)
    statuses = _stall_statuses(stall_statuses)

    if current is OrderStatus.PLACED:
        if not all(s in SETTLED_STALL_STATUSES for s in statuses):
            return None
        if any(s in ACCEPTED_STALL_STATUSES for s in statuses):
            return OrderStatus.ACCEPTED
        return OrderStatus.CANCELLED

    if current is OrderStatus.ACCEPTED:
        going = [s for s in statuses if s not in (_S.REJECTED, _S.CANCELLED)]
        if going and all(s is _S.PACKED for s in going):
            return OrderStatus.PACKED
        return None

    return None


def resident_can_cancel(order_status: str, stall_statuses: list[str]) -> bool:
    """True until the first stall accepts (a stall's rejection does not count)."""
    if OrderStatus(order_status) is not OrderStatus.PLACED:
        return False
    return not any(s in ACCEPTED_STALL_STATUSES for s in _stall_statuses(stall_statuses))
