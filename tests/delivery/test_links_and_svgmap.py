"""Pure parts: signed route links and the SVG projection (no app, no database)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from market_app.delivery.links import RouteLinkExpired, RouteLinkInvalid, make_route_token, read_route_token
from market_app.delivery.svgmap import draw_plan, fit_projection

SIGNED = datetime(2026, 11, 24, 5, 30, tzinfo=timezone.utc)


def test_token_round_trips_route_and_revision_within_its_age():
    """Given a token signed now, when read 17 hours later (limit 18), then it names the route and revision."""
    token = make_route_token(41, 3, "secret", SIGNED)

    claims = read_route_token(token, "secret", 18, SIGNED + timedelta(hours=17))

    assert (claims.route_id, claims.revision) == (41, 3)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),       # signature edited
    lambda t: "eyJyIjo0MiwidiI6M30" + t[t.index("."):],        # payload swapped for route 42
    lambda t: "not-a-token",
])
def test_tampered_tokens_are_invalid(mangle):
    """Given a token whose signature or payload was edited, when read, then it is refused as invalid."""
    with pytest.raises(RouteLinkInvalid):
        read_route_token(mangle(make_route_token(41, 3, "secret", SIGNED)), "secret", 18, SIGNED)


def test_token_of_another_secret_is_invalid_and_an_old_one_expired():
    """Given tokens signed with another secret or 19 hours ago, when read, then invalid / expired."""
    with pytest.raises(RouteLinkInvalid):
        read_route_token(make_route_token(1, 1, "other", SIGNED), "secret", 18, SIGNED)
    with pytest.raises(RouteLinkExpired):
        read_route_token(make_route_token(1, 1, "secret", SIGNED), "secret", 18, SIGNED + timedelta(hours=19))


def test_projection_keeps_north_up_east_right_and_equal_scale():
    """Given points 500 m north and 500 m east of the centre, then they land up and right, equally far."""
    centre = (37.5561, 126.9058)
    north = (centre[0] + 500 / 110_574, centre[1])
    east = (centre[0], centre[1] + 500 / (111_320 * 0.7915))
    projection = fit_projection([centre, north, east], width=600, height=600, padding=0)

    cx, cy = projection.point(*centre)
    nx, ny = projection.point(*north)
    ex, ey = projection.point(*east)

    assert ny < cy and nx == pytest.approx(cx, abs=0.2)
    assert ex > cx and ey == pytest.approx(cy, abs=0.2)
    assert cy - ny == pytest.approx(ex - cx, rel=0.01)


def test_every_point_fits_inside_the_canvas_and_each_route_is_a_closed_path():
    """Given two routes and an unassigned stop, then every mark lies inside the canvas and each path
    starts and ends at the depot."""
    depot = (37.5561, 126.9058)
    drawing = draw_plan(depot, [("김", [(37.56, 126.90), (37.558, 126.91)]), ("최", [(37.55, 126.905)])],
                        [(37.553, 126.899)], radius_m=2000, width=640, height=480)

    marks = [s for r in drawing.routes for s in r.stops] + list(drawing.unassigned)
    assert all(0 <= m.x <= 640 and 0 <= m.y <= 480 for m in marks)
    depot_xy = f"{drawing.depot[0]} {drawing.depot[1]}"
    for route in drawing.routes:
        assert route.path.startswith(f"M {depot_xy} L") and route.path.endswith(depot_xy)
    assert drawing.routes[0].colour != drawing.routes[1].colour
    assert drawing.radius_px and drawing.radius_px <= 240
