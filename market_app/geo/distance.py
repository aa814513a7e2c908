"""Distances on the earth's surface, vectorised with numpy.

Route planning asks a `DistanceSource` for a square matrix of metres. The
default, `GeodesicDistance`, is the great-circle distance times a road-detour
factor; a road engine (e.g. a self-hosted OSRM `table` call) can be plugged in
later by writing another class with the same one method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, overload

import numpy as np
from numpy.typing import ArrayLike

EARTH_RADIUS_M = 6_371_008.8  # mean earth radius (IUGG)


@overload
def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float: ...
@overload
def haversine_m(lat1: ArrayLike, lng1: ArrayLike, lat2: ArrayLike, lng2: ArrayLike) -> np.ndarray: ...
def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres between WGS84 points.

    Scalars give a float; arrays broadcast (one point against many) and give an array.
    """
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    # clip: rounding can push `a` a hair above 1 for antipodal points
    result = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(result) if result.ndim == 0 else result


def haversine_matrix(lats: ArrayLike, lngs: ArrayLike) -> np.ndarray:
    """Square matrix of great-circle metres between every pair of points (zero diagonal)."""
    lats = np.asarray(lats, dtype=float).reshape(-1)
    lngs = np.asarray(lngs, dtype=float).reshape(-1)
    if lats.shape != lngs.shape:
        raise ValueError(f"{lats.size} latitudes but {lngs.size} longitudes")
    return np.asarray(haversine_m(lats[:, None], lngs[:, None], lats[None, :], lngs[None, :]))


class DistanceSource(Protocol):
    """Anything that gives travel distances between points.

    `matrix(points)[i, j]` is the distance in metres from `points[i]` to
    `points[j]` (lat, lng); it may be asymmetric, and `inf` or `nan` marks a
    pair with no route.
    """

    def matrix(self, points: Sequence[tuple[float, float]]) -> np.ndarray: ...


class GeodesicDistance:
    """Great-circle distance times a detour factor: streets are not straight lines.

    1.3 is a common city-wide ratio of road to straight-line distance.
    """

    def __init__(self, detour_factor: float = 1.3) -> None:
        if detour_factor < 1.0:
            raise ValueError(f"detour_factor must be at least 1, got {detour_factor}")
        self.detour_factor = detour_factor

    def matrix(self, points: Sequence[tuple[float, float]]) -> np.ndarray:
        if len(points) == 0:
            return np.zeros((0, 0))
        coordinates = np.asarray(points, dtype=float)
        return haversine_matrix(coordinates[:, 0], coordinates[:, 1]) * self.detour_factor

    def __repr__(self) -> str:
        return f"GeodesicDistance(detour_factor={self.detour_factor})"
