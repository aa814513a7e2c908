"""Resident API: delivery waves, checkout (with an Idempotency-Key), order status and cancel.

A resident sees only their own orders: anyone else's order id answers 404 `not_found`.
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .. import clock
from ..accounts.auth import require_api_user
from ..accounts.models import Role
from ..catalog.operations import get_market
from ..delivery.waves import Wave
from ..input_bounds import id_field, whole_number
from .models import Order, StallOrder, Substitution
from .operations import (AddressRequest, CheckoutRequest, LineRequest, can_cancel, cancel_order,
                         get_order_for_resident, kept_quantity, orderable_waves, parse_wave_key, place_order,
                         resident_orders, wave_of)
from .states import ORDER_STATUS_LABELS, STALL_ORDER_STATUS_LABELS

blp = Blueprint("ordering_api", __name__, url_prefix="/api",
                description="Residents' orders: delivery waves, checkout, status, cancel")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string", "minLength": 8,
                                                                             "maxLength": 80},
    "description": "Unique per order attempt; repeating a request with the same key returns the same order.",
}
BEARER = [{"bearerAuth": []}]


# --- schemas ----------------------------------------------------------------------------------

class WaveSchema(Schema):
    key = fields.Str(metadata={"description": "YYYY-MM-DD@HH:MM, pass it back as `wave`"})
    date = fields.Date()
    cutoff = fields.Str(metadata={"description": "HH:MM (Asia/Seoul)"})
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    label = fields.Str()


class OrderLineSchema(Schema):
    id = fields.Int()
    product_id = fields.Int()
    name = fields.Str()
    unit = fields.Str()
    unit_price = fields.Int()
    quantity = fields.Int()
    accepted_quantity = fields.Int(allow_none=True, metadata={"description": "null until the stall answers"})
    kept_quantity = fields.Int(metadata={"description": "what will be delivered and charged"})
    substitution = fields.Str()


class StallOrderSchema(Schema):
    id = fields.Int()
    order_id = fields.Int()
    stall_id = fields.Int()
    stall_name = fields.Str()
    status = fields.Str()
    status_label = fields.Str()
    reject_reason = fields.Str(allow_none=True)
    bags = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    packed_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderEventSchema(Schema):
    at = fields.DateTime()
    actor = fields.Str()
    stall_order_id = fields.Int(allow_none=True)
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    note = fields.Str(allow_none=True)


class OrderSchema(Schema):
    id = fields.Int()
    market_id = fields.Int()
    status = fields.Str()
    status_label = fields.Str()
    subtotal = fields.Int(metadata={"description": "KRW"})
    delivery_fee = fields.Int(metadata={"description": "KRW"})
    total = fields.Int(metadata={"description": "KRW, as ordered"})
    refund_amount = fields.Int(metadata={"description": "KRW not charged (refused lines)"})
    charged_total = fields.Int(metadata={"description": "KRW that will be charged"})
    wave = fields.Nested(WaveSchema, allow_none=True)
    delivery_date = fields.Date()
    bags = fields.Int()
    address = fields.Dict()
    can_cancel = fields.Bool()
    created_at = fields.DateTime()
    stall_orders = fields.List(fields.Nested(StallOrderSchema))
    events = fields.List(fields.Nested(OrderEventSchema))


class LineInSchema(Schema):
    product_id = id_field(required=True)
    quantity = whole_number(1, 99, required=True)
    substitution = fields.Str(load_default=Substitution.REFUND, validate=validate.OneOf(Substitution.ALL),
                              metadata={"description": "similar (비슷한 상품으로) / refund (환불) / call (전화 주세요)"})


class OrderCreateSchema(Schema):
    market_id = id_field(required=True)
    lines = fields.List(fields.Nested(LineInSchema), required=True, validate=validate.Length(1, 100))
    address_id = id_field(metadata={"description": "a saved address of the resident"})
    dong_code = fields.Str(metadata={"description": "행정동 code from the gazetteer (instead of address_id)"})
    address_detail = fields.Str(validate=validate.Length(max=120))
    wave = fields.Str(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}@\d{2}:\d{2}$"),
                      metadata={"description": "a wave key from GET /api/markets/{id}/waves"})
    expected_subtotal = whole_number(0, 10**12, metadata={"description": "subtotal shown to the resident; a different "
                                                            "one now is refused with price_changed"})

    @validates_schema
    def address_given(self, data, **kwargs):
        if "address_id" not in data and not data.get("dong_code"):
            raise ValidationError("address_id, or dong_code with address_detail, is required", "address_id")


class RefusalSchema(Schema):
    error = fields.Dict(metadata={"description": "{code, message}"})


# --- payloads ---------------------------------------------------------------------------------

def wave_payload(wave: Wave | None) -> dict | None:
    if wave is None:
        return None
    return {"key": wave.key, "date": wave.date, "cutoff": f"{wave.cutoff:%H:%M}", "window_start": wave.window_start,
            "window_end": wave.window_end, "label": wave.label}


def stall_order_payload(stall_order: StallOrder) -> dict:
    return {
        "id": stall_order.id, "order_id": stall_order.order_id, "stall_id": stall_order.stall_id,
        "stall_name": stall_order.stall.name, "status": stall_order.status,
        "status_label": STALL_ORDER_STATUS_LABELS[stall_order.status], "reject_reason": stall_order.reject_reason,
        "bags": stall_order.bags, "created_at": stall_order.created_at, "answered_at": stall_order.answered_at,
        "packed_at": stall_order.packed_at,
        "lines": [{"id": l.id, "product_id": l.product_id, "name": l.product_name, "unit": l.unit,
                   "unit_price": l.unit_price, "quantity": l.quantity, "accepted_quantity": l.accepted_quantity,
                   "kept_quantity": kept_quantity(l), "substitution": l.substitution} for l in stall_order.lines],
    }


def order_payload(order: Order) -> dict:
    return {
        "id": order.id, "market_id": order.market_id, "status": order.status,
        "status_label": ORDER_STATUS_LABELS[order.status], "subtotal": order.subtotal,
        "delivery_fee": order.delivery_fee, "total": order.total, "refund_amount": order.refund_amount,
        "charged_total": order.charged_total, "wave": wave_payload(wave_of(order)), "delivery_date": order.wave_date,
        "bags": order.bags, "address": {"gu": order.gu, "dong": order.dong, "detail": order.address_detail},
        "can_cancel": can_cancel(order), "created_at": order.created_at,
        "stall_orders": [stall_order_payload(so) for so in order.stall_orders],
        "events": [{"at": e.at, "actor": e.actor_label, "stall_order_id": e.stall_order_id,
                    "from_status": e.from_status, "to_status": e.to_status, "note": e.note} for e in order.events],
    }


# --- endpoints --------------------------------------------------------------------------------

@blp.route("/markets/<int:market_id>/waves")
class MarketWaves(MethodView):
    @blp.response(200, WaveSchema(many=True))
    def get(self, market_id):
        """The next delivery waves still taking orders (today's first, closed days skipped)."""
        market = get_market(market_id)
        return [wave_payload(w) for w in orderable_waves(market, clock.now(), limit=6)]


def _checkout_request(data: dict) -> CheckoutRequest:
    wave_date, wave_cutoff = parse_wave_key(data["wave"])
    return CheckoutRequest(
        market_id=data["market_id"],
        lines=tuple(LineRequest(l["product_id"], l["quantity"], l["substitution"]) for l in data["lines"]),
        address=AddressRequest(address_id=data.get("address_id"), dong_code=data.get("dong_code"),
                               detail=data.get("address_detail", "")),
        wave_date=wave_date, wave_cutoff=wave_cutoff,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        expected_subtotal=data.get("expected_subtotal"))


@blp.route("/orders")
class Orders(MethodView):
    @blp.response(200, OrderSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self):
        """The resident's orders, newest first."""
        user = require_api_user(Role.RESIDENT)
        return [order_payload(o) for o in resident_orders(user)]

    @blp.arguments(OrderCreateSchema)
    @blp.response(201, OrderSchema)
    @blp.alt_response(409, schema=RefusalSchema, description="out_of_stock, stall_closed, wave_closed, "
                                                          "market_closed, price_changed")
    @blp.alt_response(422, schema=RefusalSchema, description="below_minimum, outside_delivery_area, "
                                                          "unknown_wave, validation_error ...")
    @blp.doc(parameters=[IDEMPOTENCY_HEADER], security=BEARER)
    def post(self, data):
        """Place an order. The same Idempotency-Key again returns the same order (201), never a second one."""
        user = require_api_user(Role.RESIDENT)
        result = place_order(user, _checkout_request(data), clock.now())
        return order_payload(result.order)


@blp.route("/orders/<int:order_id>")
class OrderDetail(MethodView):
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, schema=RefusalSchema, description="not_found (also for another resident's order)")
    @blp.doc(security=BEARER)
    def get(self, order_id):
        """One order of the resident: status per stall, lines kept, amount not charged, timeline."""
        user = require_api_user(Role.RESIDENT)
        return order_payload(get_order_for_resident(user, order_id))


@blp.route("/orders/<int:order_id>/cancel")
class OrderCancel(MethodView):
    @blp.response(200, OrderSchema)
    @blp.alt_response(409, schema=RefusalSchema, description="invalid_transition (a stall already accepted)")
    @blp.doc(security=BEARER)
    def post(self, order_id):
        """Cancel the order; allowed until the first stall accepts."""
        user = require_api_user(Role.RESIDENT)
        return order_payload(cancel_order(user, order_id, clock.now()))
