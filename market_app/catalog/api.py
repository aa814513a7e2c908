"""Read API for markets, stalls, products and search (described in /api/openapi.json)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..extensions import db
from .operations import (get_market, get_stall, markets_by_distance, online_markets,
                         search_products_query, stall_products_query)

blp = Blueprint("catalog_api", __name__, url_prefix="/api", description="Markets, stalls and products")


class MarketSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    gu = fields.Str()
    dong = fields.Str(allow_none=True)
    address = fields.Str()
    lat = fields.Float()
    lng = fields.Float()
    stall_count = fields.Int(allow_none=True)
    delivery_radius_m = fields.Int()
    minimum_order = fields.Int()
    delivery_fee = fields.Int()
    free_delivery_threshold = fields.Int()


class NearbyMarketSchema(MarketSchema):
    distance_m = fields.Int()
    delivers = fields.Bool()


class CoordinatesArgs(Schema):
    lat = fields.Float(validate=validate.Range(-90, 90))
    lng = fields.Float(validate=validate.Range(-180, 180))

    @validates_schema
    def both_or_neither(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            raise ValidationError("lat and lng must be given together")


class StallSchema(Schema):
    id = fields.Int()
    market_id = fields.Int()
    name = fields.Str()
    category = fields.Str()
    is_open = fields.Bool()


class ProductSchema(Schema):
    id = fields.Int()
    stall_id = fields.Int()
    name = fields.Str()
    unit = fields.Str()
    price = fields.Int(metadata={"description": "KRW"})
    stock = fields.Int(allow_none=True, metadata={"description": "null = unlimited"})
    sold_out = fields.Bool()
    available = fields.Bool()


class SearchHitSchema(ProductSchema):
    stall_name = fields.Function(lambda p: p.stall.name)


class SearchArgs(Schema):
    q = fields.Str(required=True, validate=validate.Length(min=1, max=50))


def _nearby_row(nearby) -> dict:
    row = MarketSchema().dump(nearby.market)
    row.update(distance_m=nearby.distance_m, delivers=nearby.delivers)
    return row


@blp.route("/markets")
class Markets(MethodView):
    @blp.arguments(CoordinatesArgs, location="query")
    @blp.response(200, NearbyMarketSchema(many=True))
    def get(self, args):
        """Every online market; with lat/lng, nearest first with distance and whether it delivers there."""
        if "lat" in args:
            return [_nearby_row(n) for n in markets_by_distance(args["lat"], args["lng"])]
        return online_markets()


@blp.route("/markets/<int:market_id>")
class MarketDetail(MethodView):
    @blp.response(200, MarketSchema)
    def get(self, market_id):
        """One online market."""
        return get_market(market_id)


@blp.route("/markets/<int:market_id>/stalls")
class MarketStalls(MethodView):
    @blp.response(200, StallSchema(many=True))
    def get(self, market_id):
        """The market's stalls."""
        return get_market(market_id).stalls


@blp.route("/stalls/<int:stall_id>/products")
class StallProducts(MethodView):
    @blp.response(200, ProductSchema(many=True))
    def get(self, stall_id):
        """The stall's products."""
        return db.session.scalars(stall_products_query(get_stall(stall_id))).all()


@blp.route("/markets/<int:market_id>/search")
class MarketSearch(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchHitSchema(many=True))
    def get(self, args, market_id):
        """Products across the market's stalls matching q (spaces ignored), cheapest first."""
        statement = search_products_query(get_market(market_id), args["q"])
        return [] if statement is None else db.session.scalars(statement.limit(100)).all()
