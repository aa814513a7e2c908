"""Geocoders behind geopy's interface, chosen by name from configuration.

"gazetteer" (the default) answers from the packaged 행정동 list: no network, dong-level
precision, which is what "markets near me" needs. "nominatim" talks to a Nominatim
server the operator runs (its URL is required: the public OSM server's usage policy
does not allow an application's traffic).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from market_app.geo.gazetteer import Gazetteer, Place

GEOCODER_NAMES = ("gazetteer", "nominatim")


class GeocoderConfigError(ValueError):
    """The configured geocoder name or URL cannot be used."""


class GazetteerGeocoder(Geocoder):
    """Offline geocoder: a dong query becomes the 행정동's representative point.

    `Location.address` is "<구> <행정동>" and `Location.raw` is the matching `Place`.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, user_agent: str | None = None):
        super().__init__(user_agent=user_agent)
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.load()

    def geocode(
        self, query: str, *, exactly_one: bool = True, limit: int = 10, timeout: object = None
    ) -> Location | list[Location] | None:
        """Like every geopy geocoder; `timeout` is accepted and ignored (nothing is remote)."""
        places = self.gazetteer.search(query, limit=1 if exactly_one else limit)
        if not places:
            return None
        if exactly_one:
            return _to_location(places[0])
        return [_to_location(place) for place in places]


def _to_location(place: Place) -> Location:
    return Location(place.label, (place.lat, place.lng), place)


def make_geocoder(
    name: str = "gazetteer", url: str | None = None, user_agent: str = "jangbogi"
) -> Geocoder:
    """The geocoder called `name`; "nominatim" needs the server's base URL."""
    kind = (name or "gazetteer").strip().lower()
    if kind == "gazetteer":
        return GazetteerGeocoder(user_agent=user_agent)
    if kind == "nominatim":
        if not url:
            raise GeocoderConfigError(
                "geocoder 'nominatim' needs a server URL, e.g. http://localhost:8080"
            )
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise GeocoderConfigError(
                f"geocoder URL must be http(s)://host[:port][/path], got {url!r}"
            )
        # geopy builds "<scheme>://<domain>/search", so a path prefix travels in `domain`.
        domain = parts.netloc + parts.path.rstrip("/")
        return Nominatim(domain=domain, scheme=parts.scheme, user_agent=user_agent)
    raise GeocoderConfigError(
        f"unknown geocoder {name!r}; expected one of {', '.join(GEOCODER_NAMES)}"
    )
