import math

import numpy as np
import pytest

from market_app.geo.distance import EARTH_RADIUS_M, DistanceSource, GeodesicDistance, haversine_m, haversine_matrix

CITY_HALL = (37.5663, 126.9779)
GANGNAM_STATION = (37.4979, 127.0276)


def test_one_degree_of_latitude_is_an_arc_of_the_earth():
    """Given two points one degree apart on a meridian, the distance is R·π/180."""
    assert haversine_m(37.0, 127.0, 38.0, 127.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-9)


def test_same_point_is_zero_and_order_does_not_matter():
    """Given the same point twice the distance is 0; swapping the points changes nothing."""
    assert haversine_m(*CITY_HALL, *CITY_HALL) == 0.0
    assert haversine_m(*CITY_HALL, *GANGNAM_STATION) == pytest.approx(haversine_m(*GANGNAM_STATION, *CITY_HALL))


def test_city_hall_to_gangnam_station_matches_a_flat_map_estimate():
    """Given two Seoul places 8 km apart, the distance matches the local flat-earth estimate of 8,778 m."""
    # 0.0684° of latitude = 7,606 m; 0.0497° of longitude at 37.53° N = 4,382 m; hypot = 8,778 m.
    assert haversine_m(*CITY_HALL, *GANGNAM_STATION) == pytest.approx(8_778, rel=0.002)


def test_scalar_inputs_give_a_float_and_arrays_broadcast():
    """Given one point against an array of points, one distance per point comes back."""
    assert isinstance(haversine_m(*CITY_HALL, *GANGNAM_STATION), float)
    many = haversine_m(CITY_HALL[0], CITY_HALL[1], np.array([CITY_HALL[0], GANGNAM_STATION[0]]),
                       np.array([CITY_HALL[1], GANGNAM_STATION[1]]))
    assert many.shape == (2,)
    assert many[0] == 0.0


def test_matrix_matches_pairwise_distances():
    """Given three points, the matrix is symmetric, zero on the diagonal and equal to each pair's distance."""
    lats, lngs = [37.50, 37.55, 37.60], [127.00, 126.95, 127.05]
    matrix = haversine_matrix(lats, lngs)
    assert matrix.shape == (3, 3)
    assert np.all(np.diag(matrix) == 0)
    assert np.allclose(matrix, matrix.T)
    assert matrix[0, 2] == pytest.approx(haversine_m(lats[0], lngs[0], lats[2], lngs[2]))


def test_matrix_refuses_mismatched_coordinates():
    """Given more latitudes than longitudes, a ValueError says so."""
    with pytest.raises(ValueError):
        haversine_matrix([37.5, 37.6], [127.0])


def test_geodesic_source_multiplies_by_the_detour_factor():
    """Given a detour factor of 1.3, every distance is 1.3 times the great-circle one."""
    source: DistanceSource = GeodesicDistance(detour_factor=1.3)
    matrix = source.matrix([CITY_HALL, GANGNAM_STATION])
    assert matrix[0, 1] == pytest.approx(1.3 * haversine_m(*CITY_HALL, *GANGNAM_STATION))


def test_geodesic_source_handles_no_points_and_rejects_shortcuts():
    """Given no points the matrix is empty; a detour factor below 1 is refused."""
    assert GeodesicDistance().matrix([]).shape == (0, 0)
    with pytest.raises(ValueError):
        GeodesicDistance(detour_factor=0.9)
