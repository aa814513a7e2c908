"""Turn what a resident typed into 행정동 candidates: the offline gazetteer first, then the
configured street-address geocoder (Nominatim) when one is set."""
from __future__ import annotations

import logging

from flask import current_app
from geopy.exc import GeopyError

from .gazetteer import Gazetteer, Place
from .geocoding import GazetteerGeocoder, make_geocoder

log = logging.getLogger(__name__)


def find_places(query: str) -> list[Place]:
    gazetteer = Gazetteer.load()
    places = gazetteer.search(query)
    if places:
        return places
    geocoder = current_app.extensions.get("geocoder")
    if geocoder is None:
        geocoder = make_geocoder(current_app.config["GEOCODER"], current_app.config.get("GEOCODER_URL"))
        current_app.extensions["geocoder"] = geocoder
    if isinstance(geocoder, GazetteerGeocoder):
        return []
    try:
        location = geocoder.geocode(f"서울특별시 {query}", exactly_one=True, timeout=5)
    except GeopyError:
        log.warning("geocoder failed for %r", query, exc_info=True)
        return []
    if location is None:
        return []
    # A street address is placed in its nearest 행정동, which is what delivery areas are made of.
    return [gazetteer.nearest(location.latitude, location.longitude)]
