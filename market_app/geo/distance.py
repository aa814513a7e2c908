"""Distances on the earth's surface, vectorised with numpy."""
from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres; scalars or numpy arrays (broadcast)."""
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    result = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
    return float(result) if result.ndim == 0 else result


def haversine_matrix(lats, lngs) -> np.ndarray:
    lats = np.asarray(lats, dtype=float)
    lngs = np.asarray(lngs, dtype=float)
    return haversine_m(lats[:, None], lngs[:, None], lats[None, :], lngs[None, :])


class DistanceSource(Protocol):
    def matrix(self, points: Sequence[tuple[float, float]]) -> np.ndarray: ...


class GeodesicDistance:
    def __init__(self, detour_factor: float = 1.3):
        self.detour_factor = detour_factor

    def matrix(self, points):
        lats, lngs = zip(*points) if points else ((), ())
        return haversine_matrix(lats, lngs) * self.detour_factor
