"""Project a wave plan (depot, stops, routes) onto SVG coordinates (pure: no Flask).

A market's routes span a few kilometres, so an equirectangular projection around the
centre (longitude scaled by cos(latitude)) is accurate to well under a pixel; north is up
and one unit is the same distance on both axes. The template draws the result; no map
tiles are needed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LNG_AT_EQUATOR = 111_320.0
# Distinct on white and for the common colour-vision deficiencies (Okabe–Ito palette).
COURIER_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")

LatLng = tuple[float, float]


def courier_colour(index: int) -> str:
    return COURIER_COLOURS[index % len(COURIER_COLOURS)]


@dataclass(frozen=True)
class Projection:
    centre_lat: float
    centre_lng: float
    pixels_per_metre: float
    width: int
    height: int

    def metres(self, lat: float, lng: float) -> tuple[float, float]:
        """East and south offsets from the centre in metres."""
        east = (lng - self.centre_lng) * METRES_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(self.centre_lat))
        south = (self.centre_lat - lat) * METRES_PER_DEGREE_LAT
        return east, south

    def point(self, lat: float, lng: float) -> tuple[float, float]:
        east, south = self.metres(lat, lng)
        return (round(self.width / 2 + east * self.pixels_per_metre, 1),
                round(self.height / 2 + south * self.pixels_per_metre, 1))


def fit_projection(points: Sequence[LatLng], *, width: int = 640, height: int = 480, padding: int = 28,
                   min_span_m: float = 400.0) -> Projection:
    """The projection that fits every point inside the canvas with `padding` pixels to spare."""
    if not points:
        raise ValueError("at least one point is needed to fit a map")
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    centre_lat = (min(lats) + max(lats)) / 2
    centre_lng = (min(lngs) + max(lngs)) / 2
    unit = Projection(centre_lat, centre_lng, 1.0, 0, 0)
    offsets = [unit.metres(lat, lng) for lat, lng in points]
    span_east = max(max(abs(e) for e, _ in offsets) * 2, min_span_m)
    span_south = max(max(abs(s) for _, s in offsets) * 2, min_span_m)
    scale = min((width - 2 * padding) / span_east, (height - 2 * padding) / span_south)
    return Projection(centre_lat, centre_lng, scale, width, height)


@dataclass(frozen=True)
class StopMark:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class RouteDrawing:
    name: str
    colour: str
    path: str  # SVG path data: depot -> stops in order -> depot
    stops: tuple[StopMark, ...]


@dataclass(frozen=True)
class PlanDrawing:
    width: int
    height: int
    depot: tuple[float, float]
    radius_px: float | None
    routes: tuple[RouteDrawing, ...]
    unassigned: tuple[StopMark, ...]


def _path(points: Sequence[tuple[float, float]]) -> str:
    return "M " + " L ".join(f"{x} {y}" for x, y in points)


def _radius_points(depot: LatLng, radius_m: float) -> list[LatLng]:
    """Four points on the delivery circle, so fitting the map keeps the whole circle in view."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlng = radius_m / (METRES_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(depot[0])))
    return [(depot[0] + dlat, depot[1]), (depot[0] - dlat, depot[1]),
            (depot[0], depot[1] + dlng), (depot[0], depot[1] - dlng)]


def draw_plan(depot: LatLng, routes: Sequence[tuple[str, Sequence[LatLng]]],
              unassigned: Sequence[LatLng] = (), *, radius_m: float | None = None,
              width: int = 640, height: int = 480) -> PlanDrawing:
    """Routes as (name, stops in order); each gets a colour and a closed path from the depot."""
    everything: list[LatLng] = [depot, *unassigned]
    for _name, stops in routes:
        everything.extend(stops)
    if radius_m:
        everything.extend(_radius_points(depot, radius_m))
    projection = fit_projection(everything, width=width, height=height)
    depot_xy = projection.point(*depot)
    drawings = []
    for index, (name, stops) in enumerate(routes):
        points = [projection.point(lat, lng) for lat, lng in stops]
        marks = tuple(StopMark(x, y, str(number)) for number, (x, y) in enumerate(points, start=1))
        drawings.append(RouteDrawing(name=name, colour=courier_colour(index),
                                     path=_path([depot_xy, *points, depot_xy]), stops=marks))
    loose = tuple(StopMark(*projection.point(lat, lng), "?") for lat, lng in unassigned)
    radius_px = round(radius_m * projection.pixels_per_metre, 1) if radius_m else None
    return PlanDrawing(width=width, height=height, depot=depot_xy, radius_px=radius_px,
                       routes=tuple(drawings), unassigned=loose)
