"""Route plans for market admins and the city (described in /api/openapi.json)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .. import clock
from ..accounts.auth import require_api_user
from ..accounts.models import Role
from ..admin.operations import market_for
from .operations import plans_of_day

blp = Blueprint("delivery_api", __name__, url_prefix="/api", description="Delivery wave plans")


class PlanQuery(Schema):
    date = fields.Date(metadata={"description": "Wave date (YYYY-MM-DD, Asia/Seoul); default today"})


class StopSchema(Schema):
    order_id = fields.Int()
    sequence = fields.Int()
    arrival = fields.DateTime()
    eta_start = fields.DateTime()
    eta_end = fields.DateTime()
    status = fields.Str(metadata={"description": "pending | delivered | failed"})
    failure_reason = fields.Str(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    dong = fields.Function(lambda stop: stop.order.dong)
    address_detail = fields.Function(lambda stop: stop.order.address_detail)
    lat = fields.Function(lambda stop: stop.order.lat)
    lng = fields.Function(lambda stop: stop.order.lng)
    bags = fields.Function(lambda stop: stop.order.bags)


class CourierSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    vehicle_kind = fields.Str()
    capacity_bags = fields.Int()


class RouteSchema(Schema):
    id = fields.Int()
    courier = fields.Nested(CourierSchema)
    distance_m = fields.Int()
    duration_minutes = fields.Int()
    load_bags = fields.Int()
    departure = fields.DateTime()
    return_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    stops = fields.List(fields.Nested(StopSchema))


class UnassignedSchema(Schema):
    order_id = fields.Int()
    reason = fields.Str(metadata={"description": "capacity | time_window | no_vehicle | unreachable"})


class PlanSchema(Schema):
    id = fields.Int()
    wave_date = fields.Date()
    wave_cutoff = fields.Str(metadata={"description": "HH:MM"})
    status = fields.Str(metadata={"description": "planning | planned | dispatched"})
    revision = fields.Int()
    total_distance_m = fields.Int()
    planned_at = fields.DateTime(allow_none=True)
    dispatched_at = fields.DateTime(allow_none=True)
    routes = fields.List(fields.Nested(RouteSchema))
    unassigned = fields.List(fields.Nested(UnassignedSchema))


@blp.route("/markets/<int:market_id>/plans")
class MarketPlans(MethodView):
    @blp.arguments(PlanQuery, location="query")
    @blp.response(200, PlanSchema(many=True))
    def get(self, args, market_id):
        """The day's wave plans: routes with stops in order, ETA windows, distance, unassigned orders.

        For the market's admins and the city admin; others get 403."""
        user = require_api_user(Role.MARKET_ADMIN, Role.CITY_ADMIN)
        market = market_for(user, market_id)
        return plans_of_day(market, args.get("date") or clock.now().date())
