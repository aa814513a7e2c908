"""Stall owners' API: their stall's orders, answers, packing and product edits.

Only stall owners may call it (others: 403 `forbidden`); another stall's order or product is
404 `not_found`.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from .. import clock
from ..accounts.auth import require_api_user
from ..accounts.models import Role
from ..catalog.api import ProductSchema
from ..input_bounds import id_field, whole_number
from ..ordering.api import BEARER, RefusalSchema, StallOrderSchema, stall_order_payload
from ..ordering.operations import MAX_BAGS, accept_stall_order, pack_stall_order, reject_stall_order
from ..ordering.states import StallOrderStatus
from .operations import MAX_PRICE, MAX_STOCK, QueueItem, queue_item, stall_orders_for_api, update_product

blp = Blueprint("stalls_api", __name__, url_prefix="/api",
                description="Stall owners: answer and pack stall orders, edit products")


class StallQueueOrderSchema(StallOrderSchema):
    waited_minutes = fields.Int()
    wave_label = fields.Str()
    wave_date = fields.Date()
    wave_cutoff = fields.Str()
    suggested_bags = fields.Int()
    acknowledged = fields.Bool()


class StallOrdersArgs(Schema):
    status = fields.Str(validate=validate.OneOf([s.value for s in StallOrderStatus]))


class AcceptLineSchema(Schema):
    line_id = id_field(required=True)
    quantity = whole_number(0, 99, required=True,
                          metadata={"description": "units kept; 0 = 품절"})


class AcceptSchema(Schema):
    lines = fields.List(fields.Nested(AcceptLineSchema), load_default=list,
                        metadata={"description": "lines kept in a smaller quantity; omitted lines are accepted "
                                                 "in full. Nothing kept at all rejects the stall order."})


class RejectSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(1, 200))


class PackSchema(Schema):
    bags = whole_number(1, MAX_BAGS, metadata={"description": "default: the estimate"})


class ProductPatchSchema(Schema):
    price = whole_number(0, MAX_PRICE)
    stock = whole_number(0, MAX_STOCK, allow_none=True,
                       metadata={"description": "null = unlimited"})
    sold_out = fields.Bool()


def _queue_payload(item: QueueItem) -> dict:
    payload = stall_order_payload(item.stall_order)
    order = item.stall_order.order
    payload.update(waited_minutes=item.waited_minutes, wave_label=item.wave_label, wave_date=order.wave_date,
                   wave_cutoff=order.wave_cutoff, suggested_bags=item.default_bags,
                   acknowledged=item.stall_order.acknowledged_at is not None)
    return payload


def _owner():
    return require_api_user(Role.STALL_OWNER)


@blp.route("/stall/orders")
class StallOrders(MethodView):
    @blp.arguments(StallOrdersArgs, location="query")
    @blp.response(200, StallQueueOrderSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, args):
        """The stall's open orders and today's finished ones, oldest first; `status` filters."""
        return [_queue_payload(i) for i in stall_orders_for_api(_owner(), clock.now(), args.get("status"))]


@blp.route("/stall-orders/<int:stall_order_id>/accept")
class AcceptStallOrder(MethodView):
    @blp.arguments(AcceptSchema)
    @blp.response(200, StallQueueOrderSchema)
    @blp.alt_response(409, schema=RefusalSchema, description="invalid_transition (already answered)")
    @blp.doc(security=BEARER)
    def post(self, data, stall_order_id):
        """Accept all lines, or some lines in a smaller quantity (partly accepted)."""
        owner, now = _owner(), clock.now()
        quantities = {line["line_id"]: line["quantity"] for line in data.get("lines", [])}
        accept_stall_order(owner, stall_order_id, now, quantities or None)
        return _queue_payload(queue_item(owner, stall_order_id, now))


@blp.route("/stall-orders/<int:stall_order_id>/reject")
class RejectStallOrder(MethodView):
    @blp.arguments(RejectSchema)
    @blp.response(200, StallQueueOrderSchema)
    @blp.alt_response(409, schema=RefusalSchema, description="invalid_transition (already answered)")
    @blp.doc(security=BEARER)
    def post(self, data, stall_order_id):
        """Refuse the whole stall order with a reason; its stock goes back."""
        owner, now = _owner(), clock.now()
        reject_stall_order(owner, stall_order_id, data["reason"], now)
        return _queue_payload(queue_item(owner, stall_order_id, now))


@blp.route("/stall-orders/<int:stall_order_id>/pack")
class PackStallOrder(MethodView):
    @blp.arguments(PackSchema)
    @blp.response(200, StallQueueOrderSchema)
    @blp.alt_response(409, schema=RefusalSchema, description="invalid_transition (not accepted, or packed)")
    @blp.doc(security=BEARER)
    def post(self, data, stall_order_id):
        """포장 완료, with the number of bags."""
        owner, now = _owner(), clock.now()
        pack_stall_order(owner, stall_order_id, now, data.get("bags"))
        return _queue_payload(queue_item(owner, stall_order_id, now))


@blp.route("/stall/products/<int:product_id>")
class StallProduct(MethodView):
    @blp.arguments(ProductPatchSchema)
    @blp.response(200, ProductSchema)
    @blp.doc(security=BEARER)
    def patch(self, data, product_id):
        """Change price, stock or 품절 of one of the stall's products."""
        return update_product(_owner(), product_id, clock.now(), **data)
