"""Resident pages: find the markets that deliver to my 동, browse stalls, search a market."""
from flask import Blueprint, current_app, render_template, request

from .. import clock
from ..extensions import db
from ..geo.gazetteer import Gazetteer
from ..geo.lookup import find_places
from ..ordering.operations import orderable_waves
from ..particles import with_particle
from .operations import (get_market, get_stall, markets_by_distance, search_products_query,
                         stall_products_query,
                         stalls_by_category)

bp = Blueprint("catalog", __name__)


def next_wave(market, now):
    """The first wave still taking orders (one planned ahead of its cut-off takes no more)."""
    waves = orderable_waves(market, now, limit=1)
    return waves[0] if waves else None


@bp.get("/")
def home():
    gazetteer = Gazetteer.load()
    query = (request.args.get("q") or "").strip()
    code = request.args.get("dong_code")
    gu = request.args.get("gu") or None
    place, candidates, nearby, message = None, [], [], None
    if code:
        place = gazetteer.by_code(code)
        if place is None:
            message = "선택한 동을 찾을 수 없습니다. 다시 선택해 주세요."
    elif query:
        candidates = find_places(query)
        if not candidates:
            message = f"'{query}'에 해당하는 동을 찾지 못했습니다. 예: 망원동, 마포구 망원1동"
        elif len(candidates) == 1:
            place = candidates[0]
    now = clock.now()
    if place is not None:
        everything = markets_by_distance(place.lat, place.lng)
        nearby = [n for n in everything if n.delivers]
        if not nearby:
            message = (f"{with_particle(f'{place.gu} {place.dong}', '은/는')} 아직 배달 가능한 시장이 없습니다. "
                       "가장 가까운 시장을 안내해 드립니다.")
            nearby = everything[:3]
    return render_template(
        "catalog/home.html", query=query, place=place, candidates=candidates, nearby=nearby,
        message=message, gus=gazetteer.gus(), gu=gu,
        dongs=gazetteer.dongs_in(gu) if gu else [], next_wave=lambda m: next_wave(m, now),
    )


@bp.get("/markets/<int:market_id>")
def market(market_id: int):
    market = get_market(market_id)
    return render_template("catalog/market.html", market=market, groups=stalls_by_category(market),
                           wave=next_wave(market, clock.now()))


@bp.get("/stalls/<int:stall_id>")
def stall(stall_id: int):
    stall = get_stall(stall_id)
    page = db.paginate(stall_products_query(stall), per_page=current_app.config["PER_PAGE"] * 2, error_out=False)
    return render_template("catalog/stall.html", stall=stall, market=stall.market, page=page)


@bp.get("/markets/<int:market_id>/search")
def search(market_id: int):
    market = get_market(market_id)
    query = (request.args.get("q") or "").strip()
    statement = search_products_query(market, query)
    page = (db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
            if statement is not None else None)
    return render_template("catalog/search.html", market=market, query=query, page=page)

